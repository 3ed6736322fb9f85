"""The routes of the result page (see the package docstring for the URLs)."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from advisor import db, records
from advisor.assessment import Assessment
from advisor.i18n import current_language
from advisor.result import present
from advisor.security import limiter, pdf_rate_limit
from advisor.state import current_state

bp = Blueprint("result", __name__)
log = logging.getLogger(__name__)

CHANGES_KEY = "result_changes"

#: A saved assessment is reached by its unguessable link: keep it out of caches and indexes.
PRIVATE_HEADERS = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex, nofollow"}


@bp.after_request
def _private(response: Response) -> Response:
    for name, value in PRIVATE_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


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


@bp.get("/vurdering/<assessment_id>")
def show(assessment_id: str) -> str:
    record, assessment = load(assessment_id)
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
        catalog_title=present.catalog_title,
        answers=present.answer_rows(assessment.case),
        kinds=present.text_kinds(),
        edit_url=present.edit_url(record.id),
        new_url=present.new_url(),
        outdated=assessment.ruleset.version != current_version,
        current_version=current_version,
        changes=changes,
        change_labels=present.CHANGE_LABELS,
        t=present.text,
        rule_url=present.rule_url,
        capfirst=present.capfirst,
        law=present.law,
        money=present.money,
        quantity=present.quantity,
        long_date=present.long_date,
    )


@bp.get("/vurdering/<assessment_id>/veiledning.pdf")
@limiter.limit(pdf_rate_limit)
def guidance_pdf(assessment_id: str) -> Response:
    lang = request.args.get("lang", current_language())
    if lang not in ("nb", "en"):
        abort(400)
    record, assessment = load(assessment_id)
    from advisor.guidance import render_pdf

    pdf = render_pdf(assessment, lang, rulebase=current_state().rulebase)
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
    return redirect(present.new_url(), code=303)


def _delete_drafts(assessment_id: str) -> int:
    """Delete the wizard drafts that finished as this assessment (not committed here)."""
    from advisor.wizard.drafts import Draft

    result = db.get_session().execute(sa.delete(Draft).where(Draft.assessment_id == assessment_id))
    return int(getattr(result, "rowcount", 0) or 0)


@bp.post("/vurdering/<assessment_id>/vurder-pa-nytt")
@limiter.limit("30/minute")
def reassess(assessment_id: str) -> Any:
    record, old = load(assessment_id)
    here = url_for("result.show", assessment_id=record.id)
    try:
        new, _diff, record = records.reassess(record, save=True)
    except records.LawDateOutOfRange as error:  # no law in the rule base for the date
        log.info("re-assessment failed", extra={"id": record.id, "error": str(error)})
        flash(_("The assessment could not be made again with the current rules."), "error")
        return redirect(here, code=303)
    except records.AssessmentNotFound:  # deleted meanwhile
        abort(404)
    session[CHANGES_KEY] = {
        "id": record.id,
        "from": old.ruleset.version,
        "to": new.ruleset.version,
        "items": present.changes(old, new),
    }
    return redirect(here + "#changes", code=303)
