"""The API's routes under ``/api/v1`` (blueprint ``api``): save, read, change, delete and
re-assess assessments, their guidance PDF, and the OpenAPI document with its readable page.

Every saving goes through ``advisor.records``; a saved assessment is shown as stored (never
recomputed), with its revision as the ETag: ``If-None-Match`` gives 304 while it is unchanged,
``If-Match`` on a change gives 412 when someone else changed it since.

Rate limits (Flask-Limiter, shared ``limiter``): ``API_RATE_LIMIT`` (default 300/minute per
client) on every route, ``PDF_RATE_LIMIT`` (default 20/minute) on the PDF as well; bodies up
to ``API_MAX_BODY``. All three are ``Settings`` fields.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic_core
from flask import Blueprint, Response, render_template, request, url_for
from pydantic import ValidationError
from spectree import Response as SpecResponse

from advisor import records
from advisor.api import openapi, problems
from advisor.api.inputs import api_lang, bool_arg, check_query, json_object
from advisor.api.models import (
    AssessmentOut,
    CaseChanges,
    LangQuery,
    Problem,
    ReassessOut,
    ReassessQuery,
)
from advisor.api.openapi import ERRORS, spec
from advisor.api.problems import ApiError
from advisor.case import Case
from advisor.security import api_rate_limit, limiter, pdf_rate_limit
from advisor.state import current_state

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.register_error_handler(ApiError, problems.answer)


@bp.before_request
def _limit_body_and_check_query() -> None:
    settings = current_state().settings
    request.max_content_length = min(settings.api_max_body, settings.max_content_length)
    check_query()


# ---------------------------------------------------------------------------- answers


def _record(assessment_id: str, lang: str) -> records.AssessmentRecord:
    record = records.get_assessment(assessment_id)
    if record is None:
        raise problems.not_found(lang)
    return record


def body(record: records.AssessmentRecord, lang: str) -> dict[str, Any]:
    """The stored result in ``lang`` (never recomputed), with the record's bookkeeping."""
    return with_bookkeeping(record.assessment().public(lang), record)


def with_bookkeeping(data: dict[str, Any], record: records.AssessmentRecord) -> dict[str, Any]:
    """``data`` (an Assessment's public JSON) with the record's title, revision and times."""
    data.update(
        title=record.title,
        revision=record.version_counter,
        created_at=record.created_at.isoformat(),
        updated_at=record.updated_at.isoformat(),
    )
    return data


def _answer(
    data: dict[str, Any], lang: str, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    payload = pydantic_core.to_json(data, inf_nan_mode="constants")
    response = Response(payload, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = lang
    response.headers.update(headers or {})
    return response


def _etag(revision: int) -> str:
    """A saved assessment's ETag: its revision, quoted."""
    return f'"{revision}"'


def _if_match(lang: str) -> int | None:
    """The revision ``If-Match`` asks for: ``None`` without one or for ``*`` (any current
    revision); a tag that is no revision of ours can match nothing (412)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    tag = header.strip().removeprefix("W/").strip('"')
    if not (tag.isascii() and tag.isdigit()):
        raise problems.stale(lang)
    return int(tag)


# ---------------------------------------------------------------------------- routes


@bp.post("/assessments")
@limiter.limit(api_rate_limit)
@spec.validate(
    json=Case,
    query=LangQuery,
    resp=SpecResponse(HTTP_201=AssessmentOut, **ERRORS),
    tags=["assessments"],
    operation_id="create_assessment",
    skip_validation=True,
)
def create_assessment() -> Response:
    """Assess a case and save it

    The Case JSON (v1) in; 201 with the Assessment JSON and its ``id``, and a Location header.
    """
    lang = api_lang()
    data = json_object(lang)
    try:
        case = Case.model_validate(data)
    except ValidationError as error:
        raise problems.invalid(error, lang) from None
    try:
        record = records.create(case, lang=lang)
    except records.LawDateOutOfRange:
        raise problems.law_date(case.law_as_of, lang) from None
    location = url_for("api.get_assessment", assessment_id=record.id)
    headers = {"Location": location, "ETag": _etag(record.version_counter)}
    return _answer(body(record, lang), lang, 201, headers)


@bp.get("/assessments/<assessment_id>")
@limiter.limit(api_rate_limit)
@spec.validate(
    query=LangQuery,
    resp=SpecResponse("HTTP_304", HTTP_200=AssessmentOut, **ERRORS),
    tags=["assessments"],
    operation_id="get_assessment",
    skip_validation=True,
)
def get_assessment(assessment_id: str) -> Response:
    """A saved assessment, as it was stored (not recomputed)

    Send ``If-None-Match`` with the ETag you read to get 304 Not Modified (no body) while the
    assessment is unchanged.
    """
    lang = api_lang()
    if request.if_none_match:
        revision = records.get_revision(assessment_id)
        if revision is not None and request.if_none_match.contains_weak(str(revision)):
            response = Response(status=304)
            response.headers["ETag"] = _etag(revision)
            response.headers["Cache-Control"] = "no-store"
            return response
    record = _record(assessment_id, lang)
    return _answer(body(record, lang), lang, headers={"ETag": _etag(record.version_counter)})


@bp.patch("/assessments/<assessment_id>")
@limiter.limit(api_rate_limit)
@spec.validate(
    json=CaseChanges,
    query=LangQuery,
    resp=SpecResponse(HTTP_200=AssessmentOut, HTTP_412=Problem, **ERRORS),
    tags=["assessments"],
    operation_id="update_assessment",
    skip_validation=True,
)
def update_assessment(assessment_id: str) -> Response:
    """Change some answers and re-assess

    Only the answers sent change. Two clients changing different answers at the same time both
    keep their answers. Send ``If-Match`` with the ETag you read to refuse (412) instead when
    anyone changed the assessment since.
    """
    lang = api_lang()
    data = json_object(lang)
    try:
        CaseChanges.model_validate(data)
    except ValidationError as error:
        raise problems.invalid(error, lang) from None
    if records.get_revision(assessment_id) is None:
        raise problems.not_found(lang)
    expected = _if_match(lang)
    try:
        record = records.update_answers(assessment_id, data, expected_version=expected)
    except ValidationError as error:
        raise problems.invalid(error, lang) from None
    except records.LawDateOutOfRange:
        merged = Case.model_validate({**_record(assessment_id, lang).case_json, **data})
        raise problems.law_date(merged.law_as_of, lang) from None
    except records.StaleAssessment:
        raise problems.stale(lang) from None
    except records.AssessmentNotFound:
        raise problems.deleted(lang) from None
    return _answer(body(record, lang), lang, headers={"ETag": _etag(record.version_counter)})


@bp.delete("/assessments/<assessment_id>")
@limiter.limit(api_rate_limit)
@spec.validate(
    query=LangQuery,
    resp=SpecResponse("HTTP_204", **ERRORS),
    tags=["assessments"],
    operation_id="delete_assessment",
    skip_validation=True,
)
def delete_assessment(assessment_id: str) -> Response:
    """Delete a saved assessment"""
    lang = api_lang()
    if not records.delete_assessment(assessment_id):
        raise problems.not_found(lang)
    return Response(status=204)


@bp.post("/assessments/<assessment_id>/reassess")
@limiter.limit(api_rate_limit)
@spec.validate(
    query=ReassessQuery,
    resp=SpecResponse(HTTP_200=ReassessOut, **ERRORS),
    tags=["assessments"],
    operation_id="reassess_assessment",
    skip_validation=True,
)
def reassess_assessment(assessment_id: str) -> Response:
    """Re-assess the saved answers with the current rules and show what changed

    Compares regime, open routes, obligations and warnings with the stored result. With
    ``?save=true`` the new result replaces the stored one.
    """
    lang = api_lang()
    save = bool_arg("save", lang)
    record = _record(assessment_id, lang)
    try:
        assessment, diff, record = records.reassess(record, save=save)
    except records.LawDateOutOfRange:
        raise problems.law_date(record.law_as_of, lang) from None
    except records.AssessmentNotFound:
        raise problems.deleted(lang) from None
    shown = body(record, lang) if save else with_bookkeeping(assessment.public(lang), record)
    return _answer({"saved": save, "changes": diff, "assessment": shown, "lang": lang}, lang)


@bp.get("/assessments/<assessment_id>/guidance.pdf")
@limiter.limit(api_rate_limit)
@limiter.limit(pdf_rate_limit)
@spec.validate(
    query=LangQuery,
    resp=SpecResponse("HTTP_200", **ERRORS),
    tags=["assessments"],
    operation_id="guidance_pdf",
    skip_validation=True,
)
def guidance_pdf(assessment_id: str) -> Response:
    """The guidance PDF of a saved assessment (application/pdf)"""
    from advisor.guidance import render_pdf  # WeasyPrint: imported when first asked for

    lang = api_lang()
    record = _record(assessment_id, lang)
    pdf = render_pdf(record.assessment(), lang, rulebase=current_state().rulebase)
    response = Response(pdf, mimetype="application/pdf")
    name = "veiledning" if lang == "nb" else "guidance"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-{record.id}.pdf"'
    response.headers["Content-Language"] = lang
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/openapi.json")
@limiter.limit(api_rate_limit)
def openapi_json() -> Response:
    """The OpenAPI document of this API."""
    response = Response(
        json.dumps(openapi.document(), ensure_ascii=False), mimetype="application/json"
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/docs")
@limiter.limit(api_rate_limit)
def docs() -> str:
    """The OpenAPI document as a readable page (plain HTML, no scripts)."""
    document = openapi.document()
    operations = [
        {"path": path, "method": method.upper(), **operation}
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    return render_template(
        "api/docs.html",
        document=document,
        operations=operations,
        schemas=document["components"]["schemas"],
        lang=api_lang() if request.args.get("lang") in (None, "nb", "en") else "nb",
    )
