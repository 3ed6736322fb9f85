"""The result page of a saved assessment, its guidance PDF, deleting it and re-assessing it.

| URL | what |
|---|---|
| ``GET /vurdering/<id>`` | the result page (the Assessment as stored; nothing is re-decided) |
| ``GET /vurdering/<id>/veiledning.pdf?lang=nb|en`` | the guidance PDF as a download |
| ``GET /vurdering/<id>/slett`` | "are you sure?" page; its form posts to the same URL |
| ``POST /vurdering/<id>/slett`` | delete the assessment (CSRF-protected) |
| ``POST /vurdering/<id>/vurder-pa-nytt`` | assess the same answers with the current rules, save, |
|  | and show what changed on the result page |

The page only renders the stored ``Assessment``; the one thing it works out itself is which
"don't know" answers are worth finding out (a presentation hint, never a legal conclusion).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from babel import dates as babel_dates
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from advisor import db, records
from advisor.assessment import Assessment, LocalText
from advisor.case import Answer, Case
from advisor.i18n import current_language
from advisor.money import format_money
from advisor.security import limiter
from advisor.state import current_state

bp = Blueprint("result", __name__)
log = logging.getLogger(__name__)

PDF_RATE_LIMIT = "20/minute"
DATE_LOCALES = {"nb": "nb_NO", "en": "en_GB"}
CHANGES_KEY = "result_changes"
MAX_CHANGES = 20

#: Answers always shown in "what the advice rests on" (others only when not at their default).
MAIN_ANSWERS = (
    "law_as_of",
    "buyer_type",
    "arrangement",
    "subject",
    "service_type",
    "cpv",
    "estimated_value_nok",
    "duration_months",
    "target_supplier",
    "wants_reservation",
)

#: "Vet ikke" answers: what to find out, and when it matters for this case.
FIND_OUT: dict[str, Any] = {
    "supplier_meets_wise_conditions": _l(
        "Find out whether the suppliers you have in mind have work integration as their main "
        "purpose and at least 30 per cent disabled or disadvantaged employees (ask for their articles "
        "of association and a staff overview confirmed by an auditor or NAV). This decides "
        "whether a competition reserved for work-integration enterprises reaches them."
    ),
    "supplier_meets_ideell_definition": _l(
        "Find out whether the organisations you have in mind meet the definition of a "
        "non-profit organisation in FOA § 30-2a (2): a non-profit purpose, surplus used for "
        "that purpose, and no distribution of profit to owners."
    ),
    "suppliers_pay_dividends": _l(
        "Find out whether the suppliers in view may pay dividends to their owners; an "
        "organisation that does cannot take part in a competition reserved for non-profit "
        "organisations."
    ),
    "grant_enforceable_obligation": _l(
        "Find out whether the recipient will be obliged to deliver a service you have specified. "
        "If so, the grant is likely a contract and the procurement rules apply."
    ),
    "in_house_private_ownership": _l(
        "Find out whether the entity has any direct private ownership; if it has, in-house "
        "provision is ruled out."
    ),
    "in_house_control_and_activity": _l(
        "Find out whether you control the entity (alone or with other public buyers) and "
        "whether more than 80 per cent of its activity is carried out for you."
    ),
    "divisible_into_lots": _l(
        "Find out whether the contract can be divided into lots (by area, service or period). "
        "Smaller lots make it easier for social entrepreneurs to bid."
    ),
    "subcontracting_expected": _l(
        "Find out whether the suppliers will use subcontractors. In a reserved contract you may "
        "require critical tasks to be done by the reserved enterprise itself."
    ),
    "recurring_need": _l(
        "Find out whether the need recurs (for example every year). Recurring purchases must be "
        "added up when the value is estimated (FOA § 5-4)."
    ),
    "apprentice_trade_relevant": _l(
        "Find out whether the work is in a trade with apprentices; then the duty to require "
        "apprentices may apply."
    ),
}

#: Labels for answers the rule base's facts.yaml does not label (it labels what rules read).
FIELD_LABELS: dict[str, Any] = {
    "title": _l("the name of the procurement"),
    "law_as_of": _l("the date whose law applies"),
    "suppliers_pay_dividends": _l("whether the suppliers in view may pay dividends"),
    "divisible_into_lots": _l("whether the contract can be divided into lots"),
    "split_from_larger_need": _l("whether this is part of a larger need bought in parts"),
    "recurring_need": _l("whether the need recurs"),
    "only_one_possible_supplier": _l("whether only one supplier can deliver"),
    "wants_direct_award": _l("the wish to award the contract directly"),
    "wants_local_suppliers_only": _l("the wish to use local suppliers only"),
    "wants_social_award_criteria": _l("the wish to use social award criteria"),
    "wants_social_contract_conditions": _l("the wish to set social contract conditions"),
    "wants_market_dialogue": _l("the wish for a market dialogue"),
    "wants_innovation": _l("the wish for an innovative solution"),
    "wants_user_choice": _l("the wish for user choice"),
    "is_framework_agreement": _l("whether it is a framework agreement"),
    "subcontracting_expected": _l("whether subcontractors are expected"),
    "work_performed_abroad": _l("whether work is performed abroad"),
    "apprentice_trade_relevant": _l("whether the work is in a trade with apprentices"),
}

RESERVED_ROUTES = frozenset({"reserved_wise", "invite_only_wise", "reserved_ideell"})


# ---------------------------------------------------------------------------- helpers


def load_record(assessment_id: str) -> records.AssessmentRecord:
    record = records.get_assessment(assessment_id)
    if record is None:
        abort(404)
    return record


def load(assessment_id: str) -> tuple[records.AssessmentRecord, Assessment]:
    record = load_record(assessment_id)
    try:
        assessment = record.assessment()
    except ValueError:  # a stored result that no longer validates: say so, never a 500 page
        log.exception("stored assessment does not validate", extra={"id": assessment_id})
        abort(404)
    return record, assessment


def text(value: LocalText | None) -> str:
    """A bilingual text in the page's language."""
    return value.get(current_language()) if value is not None else ""


def money(value: int | None) -> str:
    """``2 400 000 kr`` in bokmål, ``NOK 2,400,000`` in English (``advisor.money``)."""
    return format_money(value, current_language())


_SECTION = re.compile(r"§+\s?\d+(?:-\d+)?[a-z]?(?:\s\(\d+\))?")


def law(value: str) -> Markup:
    """Escape ``value`` and keep section references (``§ 16-9``) from breaking across lines."""
    escaped = str(escape(value))
    return Markup(_SECTION.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', escaped))


def quantity(value: Any, unit: str | None) -> str:
    """A parameter value with its unit: ``1 300 000 kr``, ``48 måneder``, ``20 %``."""
    if unit == "NOK" or (unit is None and isinstance(value, int | float) and value >= 1000):
        return money(value)
    if unit == "months":
        return _("%(n)s months", n=value)
    if unit == "percent":
        return f"{format_decimal(value)} %"  # the rule base writes percentages as 20, not 0.2
    return str(value)


def capfirst(value: str) -> str:
    """First letter upper-case, the rest untouched (unlike Jinja's ``capitalize``)."""
    return value[:1].upper() + value[1:]


def long_date(value: dt.date | None) -> str:
    """``1. mars 2026`` / ``1 March 2026`` (British English, as in the guidance PDF)."""
    if value is None:
        return ""
    return babel_dates.format_date(value, "long", locale=DATE_LOCALES[current_language()])


def edit_url(assessment_id: str) -> str | None:
    """The wizard's "change the answers" (``/vurdering/<id>/endre``: a new draft at its review
    page), when the wizard is part of the app."""
    if "wizard.edit" not in current_app.view_functions:
        return None
    return url_for("wizard.edit", assessment_id=assessment_id)


def rule_url(rule_id: str) -> str | None:
    """The rule's page in the rules explorer, when the explorer is part of the app."""
    if "explorer.show" not in current_app.view_functions:
        return None
    return url_for("explorer.show", rule_id=rule_id)


def new_url() -> str:
    """The front page, where a new assessment starts."""
    if "wizard.index" in current_app.view_functions:
        return url_for("wizard.index")
    return f"{request.script_root}/"


@dataclass
class AnswerRow:
    name: str
    label: str
    value: str


def _value_text(name: str, value: Any) -> str:
    rulebase = current_state().rulebase
    if value is None or value == "":
        return _("not given")
    if name == "estimated_value_nok":
        return money(int(value))
    if name == "law_as_of":
        return long_date(value)
    if name == "duration_months":
        return _("%(n)s months", n=value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    raw = getattr(value, "value", value)
    label = rulebase.value_label(name, raw)
    if label is not None:
        return text(label)
    if raw in ("yes", "no", "unknown"):
        return {"yes": _("yes"), "no": _("no"), "unknown": _("don't know")}[raw]
    return str(raw)


def _label(name: str) -> str:
    label = current_state().rulebase.fact_label(name)
    if label is not None:
        return text(label)
    if name in FIELD_LABELS:
        return str(FIELD_LABELS[name])
    return name.replace("_", " ")


def answer_rows(case: Case) -> list[AnswerRow]:
    """The answers the advice rests on: the main ones, then any other that is not a default."""
    rows = []
    for name, field in Case.model_fields.items():
        if name == "title":
            continue
        value = getattr(case, name)
        if name not in MAIN_ANSWERS:
            default = field.get_default(call_default_factory=False)
            if value == default or value is None:
                continue
        elif value is None and not (name == "service_type" and case.subject.value == "services"):
            continue  # optional answers left out; an unknown service type is worth showing
        rows.append(AnswerRow(name=name, label=_label(name), value=_value_text(name, value)))
    return rows


@dataclass
class FindOut:
    name: str
    label: str
    advice: str
    branches: list[Any]


def find_out(assessment: Assessment) -> tuple[list[FindOut], list[FindOut]]:
    """ "Vet ikke" answers worth finding out, with what to find out.

    First the assessment's ``open_questions`` (answers that change the result, with what each
    answer would lead to); then other "vet ikke" answers that matter for this kind of case
    (a presentation hint: they change warnings or the follow-up, not the conclusions).
    """
    case = assessment.case
    open_questions = [
        FindOut(
            name=q.field,
            label=text(q.label),
            advice=str(FIND_OUT.get(q.field, "")),
            branches=q.branches,
        )
        for q in assessment.open_questions
    ]
    listed = {q.name for q in open_questions}
    used = {fact.name for entry in assessment.trail for fact in entry.facts}
    open_codes = {route.code for route in assessment.open_routes}
    relevant: set[str] = set(used)
    arrangement = case.arrangement.value
    target = case.target_supplier.value
    if target == "wise" or open_codes & {"reserved_wise", "invite_only_wise"}:
        relevant.add("supplier_meets_wise_conditions")
    if target == "ideell" or "reserved_ideell" in open_codes or "invite_only_ideell" in open_codes:
        relevant.update({"supplier_meets_ideell_definition", "suppliers_pay_dividends"})
    if arrangement in ("grant", "unsure"):
        relevant.add("grant_enforceable_obligation")
    if arrangement in ("in_house", "unsure"):
        relevant.update({"in_house_private_ownership", "in_house_control_and_activity"})
    if case.wants_reservation or open_codes & RESERVED_ROUTES:
        relevant.add("subcontracting_expected")
    if "lots" in open_codes or "small_lots_exemption" in open_codes:
        relevant.add("divisible_into_lots")
    others = [
        FindOut(name=name, label=_label(name), advice=str(advice), branches=[])
        for name, advice in FIND_OUT.items()
        if name in relevant and name not in listed and getattr(case, name, None) == Answer.unknown
    ]
    return open_questions, others


def catalog_title(kind: str, code: str) -> str:
    """The title of a route or obligation code from the rule-base catalog."""
    entries = getattr(current_state().rulebase.catalog, kind, {}) or {}
    entry = entries.get(code)
    return capfirst(text(entry.title)) if entry is not None else code


def notes(assessment: Assessment) -> tuple[list[Any], list[Any]]:
    """(caveats shown at the top: unverified law and draft rules; the other warnings)."""
    caveats = [w for w in assessment.warnings if w.code in ("unverified_law", "draft_rule")]
    others = [w for w in assessment.warnings if w.code not in ("unverified_law", "draft_rule")]
    return caveats, others


def text_kinds() -> dict[str, str]:
    """Labels of the ready texts (catalog ``text_kinds``), in the page's language."""
    catalog = current_state().rulebase.catalog
    kinds = getattr(catalog, "text_kinds", None) or {}
    return {key: text(label) for key, label in kinds.items()}


def _changes(old: Assessment, new: Assessment) -> list[dict[str, Any]]:
    """What re-assessing changed (``records.changes``, the same comparison the API's
    reassess gives), with titles, as small records kept in the session until shown."""
    diff = records.changes(old, new)

    def title(item: Any) -> dict[str, str]:
        return {"nb": item.title.nb, "en": item.title.en}

    def titles(*groups: list[Any]) -> dict[str, dict[str, str]]:
        return {item.code: title(item) for group in groups for item in group}

    routes = titles(old.routes, new.routes)
    obligations = titles(old.obligations, new.obligations)
    warnings = titles(old.warnings, new.warnings)
    found: list[dict[str, Any]] = []
    if diff["regime"]["changed"]:
        found.append({"kind": "regime", "old": title(old.regime), "new": title(new.regime)})
    for key, kind, named in (
        ("routes_opened", "route_opened", routes),
        ("routes_closed", "route_closed", routes),
        ("obligations_added", "obligation_added", obligations),
        ("obligations_removed", "obligation_removed", obligations),
        ("warnings_added", "warning_added", warnings),
        ("warnings_removed", "warning_removed", warnings),
    ):
        found += [{"kind": kind, "title": named[code]} for code in diff[key]]
    return found[:MAX_CHANGES]


CHANGE_LABELS = {
    "regime": _l("The part of the Regulation changed"),
    "route_opened": _l("Now open"),
    "route_closed": _l("No longer open"),
    "obligation_added": _l("New obligation"),
    "obligation_removed": _l("Obligation removed"),
    "warning_added": _l("New warning"),
    "warning_removed": _l("Warning removed"),
}


# ---------------------------------------------------------------------------- views


#: A saved assessment is reached by its unguessable link: keep it out of caches and indexes.
PRIVATE_HEADERS = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow"}


@bp.after_request
def _private(response: Response) -> Response:
    for name, value in PRIVATE_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@bp.get("/vurdering/<assessment_id>")
def show(assessment_id: str) -> str:
    record, assessment = load(assessment_id)
    caveats, warnings = notes(assessment)
    pending = session.get(CHANGES_KEY)
    changes = None
    if isinstance(pending, dict) and pending.get("id") == record.id:
        session.pop(CHANGES_KEY, None)
        changes = pending
    current_version = current_state().rulebase.version
    return render_template(
        "result/show.html",
        record=record,
        a=assessment,
        title=record.title or assessment.case.title or "",
        open_routes=sorted(assessment.open_routes, key=lambda r: (r.rank, r.code)),
        closed_routes=sorted(assessment.closed_routes, key=lambda r: (r.rank, r.code)),
        caveats=caveats,
        warnings=warnings,
        find_out=find_out(assessment),
        catalog_title=catalog_title,
        answers=answer_rows(assessment.case),
        kinds=text_kinds(),
        edit_url=edit_url(record.id),
        new_url=new_url(),
        outdated=assessment.ruleset.version != current_version,
        current_version=current_version,
        changes=changes,
        change_labels=CHANGE_LABELS,
        t=text,
        rule_url=rule_url,
        capfirst=capfirst,
        law=law,
        money=money,
        quantity=quantity,
        long_date=long_date,
    )


@bp.get("/vurdering/<assessment_id>/veiledning.pdf")
@limiter.limit(PDF_RATE_LIMIT)
def guidance_pdf(assessment_id: str) -> Response:
    lang = request.args.get("lang", current_language())
    if lang not in ("nb", "en"):
        abort(400)
    record, assessment = load(assessment_id)
    from advisor.guidance import render_pdf

    pdf = render_pdf(assessment, lang)
    name = "veiledning" if lang == "nb" else "guidance"
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{record.id}.pdf"'
    return response


@bp.route("/vurdering/<assessment_id>/slett", methods=["GET", "POST"])
def delete(assessment_id: str) -> Any:
    record = load_record(assessment_id)
    if request.method == "GET":
        return render_template("result/delete.html", record=record, title=record.title or "")
    drafts = _delete_drafts(record.id)  # the wizard's saved answers behind it go too
    records.delete_assessment(record.id)  # commits both
    log.info("assessment deleted", extra={"id": record.id, "drafts": drafts})
    flash(_("The assessment has been deleted."), "success")
    return redirect(new_url(), code=303)


def _delete_drafts(assessment_id: str) -> int:
    """Delete the wizard drafts that finished as this assessment (not committed here)."""
    try:
        from advisor.wizard.drafts import Draft
    except ImportError:  # pragma: no cover - the wizard is part of the app
        return 0
    result = db.get_session().execute(sa.delete(Draft).where(Draft.assessment_id == assessment_id))
    return int(getattr(result, "rowcount", 0) or 0)


@bp.post("/vurdering/<assessment_id>/vurder-pa-nytt")
@limiter.limit("30/minute")
def reassess(assessment_id: str) -> Any:
    record, old = load(assessment_id)
    here = url_for("result.show", assessment_id=record.id)
    try:
        new, _diff, record = records.reassess(record, save=True)
    except records.StaleAssessment:
        flash(_("Someone else changed this assessment at the same time. Try again."), "error")
        return redirect(here, code=303)
    except records.AssessmentNotFound:
        abort(404)
    except ValueError as error:  # e.g. no law in the rule base for the date
        log.info("re-assessment failed", extra={"id": record.id, "error": str(error)})
        flash(_("The assessment could not be made again with the current rules."), "error")
        return redirect(here, code=303)
    session[CHANGES_KEY] = {
        "id": record.id,
        "from": old.ruleset.version,
        "to": new.ruleset.version,
        "items": _changes(old, new),
    }
    return redirect(here + "#changes", code=303)
