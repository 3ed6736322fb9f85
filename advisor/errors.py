"""Error responses: a page in the user's language, or RFC 9457 problem+json under ``/api/``.

No stack trace ever reaches the user; the page shows the request id so support can find the log
line. Other blueprints may use ``problem(status, detail, **extra)`` for their own API errors.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, json, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from jinja2 import TemplateError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from advisor.logs import request_id

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"

#: status → (title, explanation) shown on the page and in problem+json ``title``/``detail``.
MESSAGES: dict[int, tuple[Any, Any]] = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Go back and try again."),
    ),
    403: (_l("Access denied"), _l("You do not have access to this page.")),
    404: (
        _l("Page not found"),
        _l(
            "The page or assessment you asked for does not exist. Check the address, "
            "or start again from the front page."
        ),
    ),
    405: (_l("Method not allowed"), _l("This address does not accept that kind of request.")),
    413: (
        _l("Too much data"),
        _l("The request was larger than the server accepts (at most %(limit)s)."),
    ),
    429: (
        _l("Too many requests"),
        _l("You have sent too many requests in a short time. Wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred on our side. It has been logged. Please try again later."),
    ),
}
CSRF_MESSAGE = _l(
    "The form has expired or was not sent from this site. "
    "Go back, reload the page and send the form again."
)
TEMPLATES = {400, 403, 404, 413, 429, 500}


def wants_problem_json() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    type: str = "about:blank",
    **extra: Any,
) -> Response:
    """An RFC 9457 ``application/problem+json`` response."""
    body: dict[str, Any] = {
        "type": type,
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body["request_id"] = request_id()
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)


def _format_bytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size // 1024} kB"


def _texts(code: int, error: HTTPException) -> tuple[str, str]:
    """The localized title and explanation for ``code``."""
    if isinstance(error, CSRFError):
        return str(MESSAGES[400][0]), str(CSRF_MESSAGE)
    if code == 413:
        limit = _format_bytes(current_app.config.get("MAX_CONTENT_LENGTH") or 0)
        title, text = MESSAGES[413]
        return str(title), str(text) % {"limit": limit}
    if code in MESSAGES:
        title, text = MESSAGES[code]
        return str(title), str(text)
    return _("Error"), ""


def handle_http_error(error: HTTPException) -> Response | HTTPException:
    code = error.code or 500
    if code < 400:
        return error  # redirects and the like are not errors
    title, text = _texts(code, error)
    if code >= 500:
        log.error("error response", extra={"status": code, "path": request.path})
    else:
        log.info(
            "error response",
            extra={"status": code, "path": request.path, "error": error.description},
        )
    if wants_problem_json():
        response = problem(code, text or None, title=HTTP_STATUS_CODES.get(code, "Error"))
    else:
        template = f"errors/{code}.html" if code in TEMPLATES else "errors/error.html"
        try:
            html = render_template(
                template, code=code, title=title, text=text, request_id=request_id()
            )
        except TemplateError:
            log.exception("error page could not be rendered")
            html = f"{code} {HTTP_STATUS_CODES.get(code, 'Error')}\n"
        response = Response(html, status=code, mimetype="text/html")
    for name, value in error.get_headers():  # Allow (405), Retry-After (429/503), ...
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def handle_internal_error(error: InternalServerError) -> Response | HTTPException:
    """Unhandled exceptions (Flask has already logged the traceback with the request id)."""
    return handle_http_error(InternalServerError())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_internal_error)
