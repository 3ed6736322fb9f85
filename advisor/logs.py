"""Logs: JSON lines on stderr, a request id on every request, and one access-log line each.

- ``configure_logging(level)``: the root logger writes one JSON object per line to stderr
  (time, level, logger, message, ``request_id``, ``env`` and any ``extra`` fields).
- A request id: ``X-Request-ID`` from the proxy when well-formed, else 32 new random hex digits;
  in every log line of the request, in the response header and on error pages (``request_id``).
- The access log: one ``advisor.request`` line per request (method, path, status, duration),
  except for the health checks.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, current_app, g, has_app_context, has_request_context, request
from flask.logging import default_handler

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")  # used with fullmatch
QUIET_PATHS = frozenset({"/healthz", "/readyz"})

request_log = logging.getLogger("advisor.request")


def init_app(app: Flask) -> None:
    """Register the request id and the access log. Call it before any other extension's
    before-request function, so that a refusal there (CSRF, rate limit) carries an id too."""
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.logger.removeHandler(default_handler)  # the app's records go to the root's JSON lines


def request_id() -> str | None:
    """The current request's id (``None`` outside a request)."""
    if has_request_context():
        return g.get("request_id")
    return None


def _start_request() -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    rid = g.get("request_id")
    if rid:
        response.headers[REQUEST_ID_HEADER] = rid
    if request.path not in QUIET_PATHS:
        started = g.get("request_started")
        request_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2)
                if started
                else None,
            },
        )
    return response


# ---------------------------------------------------------------------------- JSON lines

_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)


def utc_timestamp(created: float) -> str:
    """``created`` (a ``time.time()`` value) in UTC with milliseconds, e.g.
    ``2026-11-25T15:22:01.123+00:00``: the time field of every log line."""
    return dt.datetime.fromtimestamp(created, dt.UTC).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id and any ``extra``."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": utc_timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (and the app's environment) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        if not hasattr(record, "env") and has_app_context():
            record.env = current_app.config.get("ADVISOR_ENV")
        return True


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the *current* ``sys.stderr`` (safe under pytest's capturing)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(level: str = "INFO") -> None:
    """JSON logs on stderr through the root logger (idempotent: one handler per process)."""
    root = logging.getLogger()
    if not any(getattr(handler, "_advisor_json", False) for handler in root.handlers):
        handler = StderrHandler()
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())
        handler._advisor_json = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("alembic.runtime").setLevel(logging.WARNING)  # start-up schema check
