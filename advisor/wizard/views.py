"""The wizard's pages: front page, one page per step, review, finish, value helper, CPV search.

| URL | what |
|---|---|
| ``GET /`` | front page: what the tool does, start a new assessment, continue the last one |
| ``GET /ny`` · ``POST /ny`` | the start page · create a draft and go to its first step |
| ``GET /utkast/<draft_id>`` | resume link ("Fortsett senere"): back to where the draft stopped |
| ``GET|POST /utkast/<draft_id>/steg/<page_id>`` | one step; every POST saves the draft |
| ``GET /utkast/<draft_id>/lagret`` | the resume link to keep, with a copy button |
| ``GET /utkast/<draft_id>/oppsummering`` | review: every answer, each with a change link |
| ``POST /utkast/<draft_id>/fullfor`` | build the Case, assess, save, go to ``/vurdering/<id>`` |
| ``GET|POST /utkast/<draft_id>/verdihjelp`` | the value helper (FOA § 5-4) |
| ``GET /vurdering/<assessment_id>/endre`` | a new draft with a saved assessment's answers |
| ``GET /cpv/sok?q=...`` | JSON: CPV codes by digits or words (for the search script) |

The draft id (128 random bits) in the URL is the only key to a draft.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup
from pydantic import ValidationError
from werkzeug.routing import BuildError

from advisor import money, records
from advisor.case import Case
from advisor.i18n import current_language
from advisor.i18n import gettext as _
from advisor.rulebase import citations
from advisor.rulebase.questions import MISSING, Page, Question, Tree, Walk, parse_tree
from advisor.security import limiter
from advisor.state import current_state
from advisor.wizard.cpv import CpvNames, cpv_names_for
from advisor.wizard.drafts import (
    DraftNotFound,
    WizardDraft,
    create_draft,
    draft_connection,
    get_draft,
    save_draft,
)
from advisor.wizard.forms import FieldError, PageForm, first_input_id, input_id, read_page
from advisor.wizard.parsing import InputError, format_date, parse_months
from advisor.wizard.values import PERIODS, ValueInput, estimate

bp = Blueprint("wizard", __name__)
log = logging.getLogger(__name__)
REVIEW = "oppsummering"
SESSION_DRAFT = "wizard_draft"
NO_MARKUP = Markup("")


# ---------------------------------------------------------------------------- helpers


def tree() -> Tree:
    """The decision tree of the loaded rule base (parsed once per rule-base version)."""
    rulebase = current_state().rulebase
    cache: dict[str, Tree] = current_app.extensions.setdefault("advisor_wizard_trees", {})
    found = cache.get(rulebase.version)
    if found is None:
        found, errors = parse_tree(rulebase.questions, rulebase.questions_located)
        if errors:  # the start-up check refuses such a rule base; this is a guard
            raise RuntimeError("questions.yaml is invalid: " + "; ".join(map(str, errors)))
        cache[rulebase.version] = found
    return found


def cpv_names() -> CpvNames:
    return cpv_names_for(current_app.config["RULES_DIR"])


def local(text: dict[str, str] | None) -> str:
    if not text:
        return ""
    return text.get(current_language()) or text.get("nb") or ""


def earliest_date() -> dt.date | None:
    periods = current_state().assessor.periods
    return periods[0].start if periods else None


def load_draft(draft_id: str, connection: sa.Connection | None = None) -> WizardDraft:
    draft = get_draft(draft_id, connection=connection)
    if draft is None:
        abort(404)
    return draft


def step_url(draft: WizardDraft, page_id: str, **args: Any) -> str:
    return url_for("wizard.step", draft_id=draft.id, page_id=page_id, **args)


def result_url(assessment_id: str) -> str:
    try:
        return url_for("result.show", assessment_id=assessment_id)
    except BuildError:
        return f"{request.script_root}/vurdering/{assessment_id}"


def resume_target(draft: WizardDraft) -> str:
    """Where a returning user continues: the saved step if it is still shown, else the first
    unanswered step, else the review page."""
    walk = tree().walk(draft.answers)
    missing = walk.missing()
    if draft.current_step == REVIEW and not missing:
        return url_for("wizard.review", draft_id=draft.id)
    if draft.current_step in walk.page_ids():
        return step_url(draft, draft.current_step)
    if missing:
        return step_url(draft, missing[0][0].id)
    if not draft.answers:
        return step_url(draft, walk.pages[0].id)
    return url_for("wizard.review", draft_id=draft.id)


def citation_links(question: Question) -> list[dict[str, str | None]]:
    rulebase = current_state().rulebase
    return [{"text": text, "url": citations.url(text, rulebase)} for text in question.legal_basis]


def yes_no_labels() -> dict[str, str]:
    return {"yes": _("Yes"), "no": _("No"), "unknown": _("Don't know")}


@dataclass(frozen=True)
class OptionView:
    value: str
    label: str
    hint: str
    id: str  # the input's element id


@dataclass(frozen=True)
class QuestionView:
    """What a step page shows of one question in one language: texts, element ids, options
    (choice, yes/no and flags), legal-basis links, and the parts of its markup that never change
    (hint, "why do we ask" help, ``aria-describedby``). Built once per rule base and language
    (``question_views``), so a step page renders only what depends on the answer and errors."""

    question: Question
    id: str  # the input's (or fieldset's) element id
    label: str
    hint: str
    help: str
    options: tuple[OptionView, ...]
    citations: tuple[dict[str, str | None], ...]
    hint_html: Markup = NO_MARKUP  # the hint_block macro, rendered once
    help_html: Markup = NO_MARKUP  # the help_block macro, rendered once
    aria: Markup = NO_MARKUP  # ' aria-describedby="..."' without an error at the field
    aria_error: Markup = NO_MARKUP  # the same with the field's error message


def question_views(lang: str) -> dict[str, QuestionView]:
    """``QuestionView`` by question id for ``lang`` (the current request's language)."""
    rulebase = current_state().rulebase
    cache: dict[tuple[str, str], dict[str, QuestionView]] = current_app.extensions.setdefault(
        "advisor_wizard_views", {}
    )
    key = (rulebase.version, lang)
    found = cache.get(key)
    if found is None:
        found = {q.id: _question_view(q, lang) for q in tree().questions()}
        if not current_app.jinja_env.auto_reload:  # edited templates show at once in development
            cache[key] = found
    return found


def _question_view(question: Question, lang: str) -> QuestionView:
    def text(value: dict[str, str] | None) -> str:
        return (value.get(lang) or value.get("nb") or "") if value else ""

    if question.type in ("yes_no", "yes_no_unknown"):
        labels = yes_no_labels()
        values = ("yes", "no", "unknown") if question.type == "yes_no_unknown" else ("yes", "no")
        options = tuple(OptionView(v, labels[v], "", input_id(question, v)) for v in values)
    else:
        options = tuple(
            OptionView(
                o.value,
                text(o.label),
                text(o.hint) if question.type == "choice" else "",
                input_id(question, o.value),
            )
            for o in question.options
        )
    element_id = input_id(question)
    described = [f"{element_id}-hint"] if question.hint else []
    view = QuestionView(
        question=question,
        id=element_id,
        label=text(question.label),
        hint=text(question.hint),
        help=text(question.help),
        options=options,
        citations=tuple(citation_links(question)),
        aria=_described_by(described),
        aria_error=_described_by([*described, f"{element_id}-error"]),
    )
    macros = current_app.jinja_env.get_template("wizard/_macros.html").module
    return replace(
        view,
        hint_html=Markup(macros.hint_block(view)),  # type: ignore[attr-defined]
        help_html=Markup(macros.help_block(view)),  # type: ignore[attr-defined]
    )


def _described_by(ids: list[str]) -> Markup:
    if not ids:
        return NO_MARKUP
    return Markup(' aria-describedby="{}"').format(" ".join(ids))


def display_value(question: Question, value: Any) -> str:
    """An answer as the review page shows it."""
    lang = current_language()
    if value is None or value == "" or value == []:
        return ""
    if question.type == "choice":
        option = question.option(value)
        return local(option.label) if option else str(value)
    if question.type in ("yes_no", "yes_no_unknown"):
        return yes_no_labels().get(value, str(value))
    if question.type == "amount":
        return money.format_money(int(value), lang)
    if question.type == "months":
        return _("%(count)d months", count=int(value))
    if question.type == "date":
        return format_date(value, lang)
    if question.type == "cpv":
        name = cpv_names().get(value)
        return f"{value} – {name.name(lang)}" if name else str(value)
    if question.type == "flags":
        labels = [local(o.label) for o in question.options if o.value in (value or [])]
        return "; ".join(labels)
    return str(value)


def input_value(question: Question, value: Any) -> Any:
    """A stored answer as the input field shows it again."""
    if value is None:
        if question.type == "date" and question.default == "today":
            return dt.date.today().isoformat()
        return [] if question.type == "flags" else ""
    if question.type == "amount":
        return money.input_value(int(value))
    return value


def remember(draft: WizardDraft) -> None:
    """Remember the draft for the front page's "continue" link. Only a change is written: an
    unchanged session is not re-signed and sent again with every step."""
    if session.get(SESSION_DRAFT) != draft.id:
        session[SESSION_DRAFT] = draft.id


# ---------------------------------------------------------------------------- pages


@bp.get("/")
def index() -> str:
    last = None
    draft_id = session.get(SESSION_DRAFT)
    if draft_id:
        draft = get_draft(draft_id)
        if draft is not None and draft.answers:
            last = draft
    return render_template("wizard/index.html", last=last, more=other_tools())


def other_tools() -> list[dict[str, str]]:
    """Links to the other features, for those registered in this app."""
    tools = []
    for endpoint, label in (
        ("screening.upload_form", _("Screen a whole procurement plan")),
        ("explorer.index", _("The rules behind the assessments")),
    ):
        if endpoint in current_app.view_functions:
            try:
                tools.append({"url": url_for(endpoint), "label": label})
            except BuildError:
                continue
    return tools


@bp.route("/ny", methods=["GET", "POST"])
def start() -> Any:
    if request.method == "GET":
        return redirect(url_for("wizard.index"))
    draft = create_draft(lang=current_language())
    remember(draft)
    return redirect(step_url(draft, tree().pages[0].id), code=303)


@bp.get("/utkast/<draft_id>")
def resume(draft_id: str) -> Response:
    draft = load_draft(draft_id)
    remember(draft)
    return redirect(resume_target(draft))


@bp.route("/utkast/<draft_id>/steg/<page_id>", methods=["GET", "POST"])
def step(draft_id: str, page_id: str) -> Any:
    if request.method != "POST":
        return _step(draft_id, page_id, None)
    with draft_connection() as connection:  # an answer reads and saves the draft on one
        return _step(draft_id, page_id, connection)


def _step(draft_id: str, page_id: str, connection: sa.Connection | None) -> Any:
    draft = load_draft(draft_id, connection)
    the_tree = tree()
    page = the_tree.page(page_id)
    if page is None:
        abort(404)
    walk = the_tree.walk(draft.answers)
    if page.id not in walk.page_ids():  # not asked (any more) for these answers
        return redirect(resume_target(draft))
    questions = walk.questions[page.id]
    from_review = request.values.get("fra") == REVIEW
    form: PageForm | None = None
    if request.method == "POST":
        action = request.form.get("action", "next")
        form = read_page(
            questions,
            request.form,
            cpv_names=cpv_names(),
            earliest=earliest_date(),
            lang=current_language(),
            searching=action == "search",
        )
        answers = dict(draft.answers)
        for question_id, value in form.values.items():
            if value is None or value == "":
                answers.pop(question_id, None)
            else:
                answers[question_id] = value
        walk = the_tree.walk(answers)  # drops stale answers to questions no longer shown
        draft.lang = current_language()
        draft.answers = walk.answers
        target, current_step = None, page.id
        if action == "later":
            target = url_for("wizard.saved", draft_id=draft.id)
        elif action == "helper":
            target = url_for("wizard.value_helper", draft_id=draft.id)
        elif not form.errors and action != "search":
            target, current_step = next_step(draft, walk, page, from_review)
        try:
            save_draft(draft, current_step=current_step, connection=connection)  # one UPDATE
        except DraftNotFound:
            abort(404)
        remember(draft)
        if target is not None:
            return redirect(target, code=303)
        questions = walk.questions.get(page.id, questions)
    return render_step(draft, page, walk, questions, form, from_review)


def next_step(draft: WizardDraft, walk: Walk, page: Page, from_review: bool) -> tuple[str, str]:
    """After a valid answer to ``page``: where to go, and the step to save as where the draft
    stopped (``walk``: the tree walked with the new answers)."""
    ids = walk.page_ids()
    missing = walk.missing()
    if from_review:
        if missing:
            return step_url(draft, missing[0][0].id, fra=REVIEW), page.id
        return url_for("wizard.review", draft_id=draft.id), page.id
    if page.id in ids and ids.index(page.id) + 1 < len(ids):
        following = ids[ids.index(page.id) + 1]
        return step_url(draft, following), following
    if missing:
        return step_url(draft, missing[0][0].id), missing[0][0].id
    return url_for("wizard.review", draft_id=draft.id), REVIEW


def render_step(
    draft: WizardDraft,
    page: Page,
    walk: Any,
    questions: list[Question],
    form: PageForm | None,
    from_review: bool,
) -> tuple[str, int]:
    ids = walk.page_ids()
    index = ids.index(page.id) if page.id in ids else 0
    previous = step_url(draft, ids[index - 1]) if index > 0 else url_for("wizard.index")
    if from_review:
        previous = url_for("wizard.review", draft_id=draft.id)
    values = {}
    for question in questions:
        if form is not None and question.id in form.raw:
            values[question.id] = form.raw[question.id]
        else:
            values[question.id] = input_value(question, draft.answers.get(question.id))
    errors: dict[str, FieldError] = form.errors if form is not None else {}
    status = 200
    if form is not None and errors and request.form.get("action", "next") != "search":
        status = 422
    cpv_matches = form.cpv_matches if form is not None else {}
    views = question_views(current_language())
    shown = [views[question.id] for question in questions]
    body = render_template(
        "wizard/step.html",
        draft=draft,
        page=page,
        title=local(page.title),  # the page's texts in this language, looked up once
        intro=local(page.intro),
        action_url=step_url(draft, page.id),
        questions=shown,
        values=values,
        errors=errors,
        error_summary=[
            (errors[q.question.id].anchor, f"{q.label} – {errors[q.question.id].message}")
            for q in shown
            if q.question.id in errors
        ],
        cpv_matches=cpv_matches,
        step_number=index + 1,
        step_count=len(ids) + 1,
        previous_url=previous,
        from_review=from_review,
        cpv_name=lambda code: cpv_names().get(code),
        lang=current_language(),
    )
    return body, status


@bp.get("/utkast/<draft_id>/lagret")
def saved(draft_id: str) -> str:
    draft = load_draft(draft_id)
    link = url_for("wizard.resume", draft_id=draft.id, _external=True)
    return render_template("wizard/saved.html", draft=draft, link=link, back=resume_target(draft))


def review_rows(draft: WizardDraft) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    walk = tree().walk(draft.answers)
    sections = []
    missing = []
    for page in walk.pages:
        rows = []
        for question in walk.questions[page.id]:
            value = walk.answers.get(question.id)
            row = {
                "question": question,
                "label": local(question.label),
                "value": display_value(question, value),
                "missing": question.required and question.id not in walk.answers,
                "url": step_url(draft, page.id, fra=REVIEW) + "#" + first_input_id(question),
            }
            rows.append(row)
            if row["missing"]:
                missing.append(row)
        sections.append({"page": page, "title": local(page.title), "rows": rows})
    return sections, missing


@bp.get("/utkast/<draft_id>/oppsummering")
def review(draft_id: str) -> Any:
    draft = load_draft(draft_id)
    sections, missing = review_rows(draft)
    if draft.current_step != REVIEW and not missing:
        save_draft(draft, current_step=REVIEW)
    remember(draft)
    return _review_page(draft, sections, missing, show_errors=False)


def _review_page(
    draft: WizardDraft,
    sections: list[dict[str, Any]],
    missing: list[dict[str, Any]],
    *,
    show_errors: bool,
    problem: str | None = None,
) -> str:
    """The review page; one section per page the answers lead through, then the review
    itself is the last step."""
    return render_template(
        "wizard/review.html",
        draft=draft,
        sections=sections,
        missing=missing,
        problem=problem,
        show_errors=show_errors,
        step_count=len(sections) + 1,
    )


@bp.post("/utkast/<draft_id>/fullfor")
@limiter.limit("30/minute")
def finish(draft_id: str) -> Any:
    draft = load_draft(draft_id)
    sections, missing = review_rows(draft)
    if missing:
        return _review_page(draft, sections, missing, show_errors=True), 422
    data = tree().case_data(draft.answers)
    try:
        case = Case.model_validate(data)
        assessment = current_state().assessor.assess(case)
    except (ValidationError, ValueError) as error:
        log.warning("wizard finish failed", extra={"draft": draft.id, "error": str(error)})
        problem = _("The answers could not be assessed: %(error)s", error=_problem_text(error))
        return _review_page(draft, sections, [], show_errors=True, problem=problem), 422
    record = records.save_assessment(assessment, lang=current_language())
    draft.assessment_id = record.id
    save_draft(draft, current_step=REVIEW)
    log.info("assessment saved", extra={"assessment_id": record.id, "draft": draft.id})
    return redirect(result_url(record.id), code=303)


def _problem_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    return str(error)


@bp.get("/vurdering/<assessment_id>/endre")
@limiter.limit("30/minute")
def edit(assessment_id: str) -> Response:
    """Change the answers of a saved assessment: a new draft with its answers, at the review."""
    record = records.get_assessment(assessment_id)
    if record is None:
        abort(404)
    answers = answers_from_case(tree(), record.case_json)
    draft = create_draft(lang=current_language(), answers=answers)
    save_draft(draft, current_step=REVIEW)
    remember(draft)
    return redirect(url_for("wizard.review", draft_id=draft.id), code=303)


def answers_from_case(the_tree: Tree, case: dict[str, Any]) -> dict[str, Any]:
    """The stored answers that give ``case`` (the reverse of ``Tree.case_data``)."""
    answers: dict[str, Any] = {}
    for question in the_tree.questions():
        if question.type == "flags":
            answers[question.id] = [o.value for o in question.options if case.get(o.field)]
            continue
        if question.field is None or question.field not in case:
            continue
        value = case[question.field]
        if question.type == "choice":
            for option in question.options:
                mapped = option.value if option.case_value is MISSING else option.case_value
                if mapped == value:
                    answers[question.id] = option.value
                    break
        elif question.type == "yes_no":
            answers[question.id] = "yes" if value else "no"
        elif value is not None and value != "":
            answers[question.id] = value
    return the_tree.walk(answers).answers


# ---------------------------------------------------------------------------- value helper

HELPER_FIELDS = (
    "amount",
    "period",
    "months",
    "open_ended",
    "extension_months",
    "options_value",
    "units",
    "framework_max",
)


@bp.route("/utkast/<draft_id>/verdihjelp", methods=["GET", "POST"])
def value_helper(draft_id: str) -> Any:
    draft = load_draft(draft_id)
    the_tree = tree()
    value_question = next((q for q in the_tree.questions() if q.helper == "value"), None)
    if value_question is None:
        abort(404)
    page = the_tree.page_of(value_question.id)
    back = step_url(draft, page.id) if page else resume_target(draft)
    raw = {name: (request.form.get(name) or "").strip() for name in HELPER_FIELDS}
    if request.method == "GET":
        # the figures behind the estimate last used, else a monthly amount for one unit
        remembered = draft.value_helper or {}
        raw = {name: str(remembered.get(name, "")) for name in HELPER_FIELDS}
        raw["period"] = raw["period"] or "month"
        raw["units"] = raw["units"] or "1"
    errors: dict[str, str] = {}
    result = None
    if request.method == "POST":
        data = _helper_input(raw, errors)
        if data is not None and not errors:
            result = estimate(data)
            if result.total > money.MAX_AMOUNT:  # the figures multiply past what a Case takes
                errors["amount"] = _(
                    "The estimated value comes to more than %(limit)s. Check the figures.",
                    limit=money.format_money(money.MAX_AMOUNT, current_language()),
                )
                result = None
            elif request.form.get("action") == "use":
                answers = dict(draft.answers)
                answers[value_question.id] = result.total
                duration_q = the_tree.question("duration_months")
                if duration_q is not None and result.duration_months:
                    answers[duration_q.id] = result.duration_months
                framework_q = the_tree.question("is_framework_agreement")
                if framework_q is not None and data.framework_max is not None:
                    answers[framework_q.id] = "yes"
                draft.value_helper = {name: value for name, value in raw.items() if value}
                save_draft(draft, answers=the_tree.walk(answers).answers)
                return redirect(back + "#" + input_id(value_question), code=303)
    status = 422 if errors else 200
    return render_template(
        "wizard/value_helper.html",
        draft=draft,
        raw=raw,
        errors=errors,
        result=result,
        back=back,
        periods=PERIODS,
        nok=lambda amount: money.format_money(amount, current_language()),
    ), status


def _helper_input(raw: dict[str, str], errors: dict[str, str]) -> ValueInput | None:
    def amount(name: str, required: bool = False) -> int | None:
        if not raw[name]:
            if required:
                errors[name] = _("Enter an amount in kroner.")
            return None
        try:
            return money.parse_amount(raw[name])
        except money.AmountError as error:
            errors[name] = error.text(current_language())
            return None

    def months(name: str) -> int | None:
        if not raw[name]:
            return None
        try:
            return parse_months(raw[name])
        except InputError:
            errors[name] = _("Enter a whole number of months between 0 and 1200.")
            return None

    value = amount("amount", required=True)
    period = raw["period"] if raw["period"] in PERIODS else ""
    if not period:
        errors["period"] = _("Choose what the amount covers.")
    term = months("months")
    extensions = months("extension_months")
    open_ended = raw["open_ended"] == "yes"
    if period in ("month", "year") and term is None and not open_ended and "months" not in errors:
        errors["months"] = _(
            "Enter the number of months, or tick that the contract has no fixed end."
        )
    options_value = amount("options_value")
    framework_max = amount("framework_max")
    units = 1
    if raw["units"]:
        if raw["units"].isascii() and raw["units"].isdecimal() and 1 <= int(raw["units"]) <= 10000:
            units = int(raw["units"])
        else:
            errors["units"] = _("Enter a whole number from 1.")
    if errors or value is None:
        return None
    return ValueInput(
        amount=value,
        period=period,
        months=term,
        open_ended=open_ended,
        extension_months=extensions or 0,
        options_value=options_value or 0,
        units=units,
        framework_max=framework_max,
    )


# ---------------------------------------------------------------------------- CPV search


@bp.get("/cpv/sok")
@limiter.limit("240/minute")
def cpv_search() -> Response:
    query = (request.args.get("q") or "")[:100]
    lang = current_language()
    hits = cpv_names().search(query, lang, limit=10) if len(query.strip()) >= 2 else []
    response = jsonify(
        {
            "query": query,
            "results": [{"code": hit.code, "name": hit.name(lang)} for hit in hits],
        }
    )
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
