"""The wizard's pages: front page, one page per step, review, finish, CPV search.

| URL | what |
|---|---|
| ``GET /`` | front page: what the tool does, start a new assessment, continue the last one |
| ``GET /ny`` · ``POST /ny`` | the start page · create a draft and go to its first step |
| ``GET /utkast/<draft_id>`` | resume link ("Fortsett senere"): back to where the draft stopped |
| ``GET|POST /utkast/<draft_id>/steg/<page_id>`` | one step; every POST saves the draft |
| ``GET /utkast/<draft_id>/lagret`` | the resume link to keep, with a copy button |
| ``GET /utkast/<draft_id>/oppsummering`` | review: every answer, each with a change link |
| ``POST /utkast/<draft_id>/fullfor`` | build the Case, assess and save it (``records.create``) |
| ``GET|POST /utkast/<draft_id>/verdihjelp`` | the value helper (FOA § 5-4, ``value_helper.py``) |
| ``GET /vurdering/<assessment_id>/endre`` | a new draft with a saved assessment's answers |
| ``GET /cpv/sok?q=...`` | JSON: CPV codes by digits or words (for the search script) |

The draft id (128 random bits) in the URL is the only key to a draft.
"""

from __future__ import annotations

import logging
from typing import Any

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
from pydantic import ValidationError
from werkzeug.routing import BuildError

from advisor import records
from advisor.case import Case
from advisor.i18n import current_language
from advisor.i18n import gettext as _
from advisor.rulebase.questions import MISSING, Page, Question, Tree
from advisor.security import limiter
from advisor.wizard.drafts import DraftNotFound, WizardDraft, create_draft, get_draft, save_draft
from advisor.wizard.forms import FieldError, PageForm, first_input_id, read_page
from advisor.wizard.navigation import (
    REVIEW,
    SESSION_DRAFT,
    cpv_names,
    earliest_date,
    load_draft,
    local,
    next_step,
    remember,
    result_url,
    resume_target,
    step_url,
    tree,
)
from advisor.wizard.question_views import display_value, input_value, question_views

bp = Blueprint("wizard", __name__)
log = logging.getLogger(__name__)


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
    draft = load_draft(draft_id)
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
            save_draft(draft, current_step=current_step)
        except DraftNotFound:
            abort(404)
        remember(draft)
        if target is not None:
            return redirect(target, code=303)
        questions = walk.questions.get(page.id, questions)
    return render_step(draft, page, walk, questions, form, from_review)


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
        record = records.create(case, lang=current_language())
    except (ValidationError, ValueError) as error:
        log.warning("wizard finish failed", extra={"draft": draft.id, "error": str(error)})
        problem = _("The answers could not be assessed: %(error)s", error=_problem_text(error))
        return _review_page(draft, sections, [], show_errors=True, problem=problem), 422
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
