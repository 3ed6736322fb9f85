"""How the result page shows a stored Assessment: texts in the page's language, amounts, dates,
section references kept on one line, the answers table, what a re-assessment changed."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from babel import dates as babel_dates
from flask import current_app, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from advisor import records
from advisor.assessment import Assessment, LocalText
from advisor.case import Case
from advisor.i18n import current_language
from advisor.money import format_money
from advisor.state import current_state

DATE_LOCALES = {"nb": "nb_NO", "en": "en_GB"}
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

CHANGE_LABELS = {
    "regime": _l("The part of the Regulation changed"),
    "route_opened": _l("Now open"),
    "route_closed": _l("No longer open"),
    "obligation_added": _l("New obligation"),
    "obligation_removed": _l("Obligation removed"),
    "warning_added": _l("New warning"),
    "warning_removed": _l("Warning removed"),
}


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
    return str(raw)


def _label(name: str) -> str:
    """The answer's name in the table: the rule base's title of the fact; the law date is not
    a fact the rules read, so the page names it."""
    if name == "law_as_of":
        return _("the date whose law applies")
    return text(current_state().rulebase.facts.inputs[name].title)


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


def catalog_title(kind: str, code: str) -> str:
    """The title of a route or obligation code from the rule-base catalog."""
    entries = getattr(current_state().rulebase.catalog, kind, {}) or {}
    entry = entries.get(code)
    return capfirst(text(entry.title)) if entry is not None else code


def text_kinds() -> dict[str, str]:
    """Labels of the ready texts (catalog ``text_kinds``), in the page's language."""
    catalog = current_state().rulebase.catalog
    return {key: text(label) for key, label in catalog.text_kinds.items()}


def changes(old: Assessment, new: Assessment) -> list[dict[str, Any]]:
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
