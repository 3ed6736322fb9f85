"""Security and operability basics for every response.

- CSRF protection on every form (Flask-WTF ``csrf``); the JSON API blueprint ``api`` is exempt.
  In templates: ``<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">``.
- Session cookie: SameSite=Lax, HttpOnly, Secure in production.
- Headers: a strict Content-Security-Policy (no ``unsafe-inline``: put scripts and styles in
  ``static/``), nosniff, Referrer-Policy, frame denial, HSTS on HTTPS. Headers are set with
  ``setdefault``: a view that really needs another policy sets its own header.
- A request id (``X-Request-ID`` from the proxy when well-formed, else 32 new random hex
  digits) in every log line and in the response header; logs are JSON lines on stderr.
- Rate limits: ``limiter`` (Flask-Limiter) has no default limit; decorate routes, e.g.
  ``@limiter.limit("10/minute")``. Storage from ``RATELIMIT_STORAGE_URI``.

All of this runs on every request, so it is kept cheap (issue #7): the header set is
precomputed; the session serializer is built once per key set, a session cookie that passed its
check opens again without the HMAC, and an unchanged session is saved by adding its Vary header
only; a session's signed CSRF token is reused for a few minutes (``csrf_token``); the request
log record skips the caller lookup; and Flask-Limiter's before-request pass runs only when a
limit needs it. ``tests/test_request_overhead.py`` checks each against what the general code
gave.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import sys
import time
from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
)
from flask.logging import default_handler
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect, generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix


class RouteLimiter(Limiter):
    """Flask-Limiter for limits on views (``@limiter.limit(...)``), the only kind this app has.

    Flask-Limiter checks limits twice per request: in a before-request pass (application-wide,
    default, meta and blueprint limits; fallback limits while the storage is down) and in the
    decorated view (its own limits). With none of the first kind the first pass finds nothing
    to count, yet costs more than the rest of the request's security work together; it is
    skipped then, and the moment such a limit exists it runs again. When limits are switched
    off (``RATELIMIT_ENABLED=False``) both passes stop at once: Flask-Limiter's would apply
    nothing either.
    """

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        if not self.enabled or (in_middleware and not self.has_request_wide_limits()):
            return
        super()._check_request_limit(callable_name, in_middleware)

    def has_request_wide_limits(self) -> bool:
        """Whether the before-request pass has anything to apply."""
        try:
            manager = self.limit_manager
            return bool(
                manager._application_limits
                or manager._default_limits
                or manager._blueprint_limits
                or self._meta_limits
                or self._in_memory_fallback_enabled
            )
        except AttributeError:  # a Flask-Limiter that keeps these elsewhere: always run it
            return True


csrf = CSRFProtect()
limiter = RouteLimiter(key_func=get_remote_address, default_limits=[])

CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)
CONTENT_SECURITY_POLICY = "; ".join(CSP_DIRECTIVES)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")  # used with fullmatch
QUIET_PATHS = frozenset({"/healthz", "/readyz"})

request_log = logging.getLogger("advisor.request")


def request_id() -> str | None:
    """The current request's id (``None`` outside a request)."""
    if has_request_context():
        return g.get("request_id")
    return None


def init_app(app: Flask) -> None:
    # Session cookie flags (HttpOnly, SameSite=Lax, Secure in production) are set by create_app.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)  # a long working day on one form
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )

    app.session_interface = SessionInterface()
    # The request id comes first, so a CSRF refusal or a rate-limit answer carries one too.
    app.before_request(_start_request)
    # Flask-WTF's own before-request check works out the view's exemptions before it looks at
    # the method; ours asks it only for the methods it checks (WTF_CSRF_METHODS: POST, PUT,
    # PATCH, DELETE) and it then runs in full, exemptions included.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    # csrf_token() in templates: Flask-WTF's token, signed once and reused for a few minutes.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})  # after Flask-WTF's: ours wins
    app.before_request(_check_csrf)
    limiter.init_app(app)
    app.after_request(_finish_response)
    app.logger.removeHandler(default_handler)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions (the same cookies, the same keys and key rotation), cheaper.

    Flask builds the signing serializer twice per request (open and save; building it also
    serialises an empty string to find out whether the serializer makes text). Here it is built
    once per set of keys. And the HMAC is computed by OpenSSL: Flask hands ``hmac`` a Python
    wrapper around ``hashlib.sha1`` (so FIPS builds without SHA-1 can start), for which ``hmac``
    falls back to its pure-Python implementation; ``hashlib.sha1`` itself gives the same
    signatures in C.

    Opening a session checks the cookie's signature and decodes it (about 45 µs inside a
    request, 8 % of a wizard step), although a browser sends the same cookie again until the
    session changes. A cookie that passed the check is kept with what it holds and when it was
    signed (``SESSION_COOKIES_KEPT`` per process, only while the keys stay the same, and only
    when every value is a string, number, bool or None, so that no request can change what
    another one gets). The same cookie string then opens without the HMAC; its age is checked
    as itsdangerous checks it (``PERMANENT_SESSION_LIFETIME``), so an expired cookie still gives
    an empty session. A cookie not seen before goes through Flask's check.
    """

    digest_method = staticmethod(hashlib.sha1)

    def __init__(self) -> None:
        self._serializer: tuple[tuple[Any, ...], URLSafeTimedSerializer | None] | None = None
        self._opened: dict[str, tuple[dict[str, Any], int]] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = self._serializer
        if cached is not None and cached[0] == keys:
            return cached[1]
        serializer = super().get_signing_serializer(app)
        self._serializer = (keys, serializer)  # only the current keys: a rotation replaces it
        self._opened = {}  # cookies checked with other keys are checked again
        return serializer

    def open_session(self, app: Flask, request: Any) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        opened = self._opened
        kept = opened.get(cookie)
        if kept is not None:
            age = int(time.time()) - kept[1]  # as itsdangerous's TimestampSigner.unsign
            if 0 <= age <= max_age:
                return self.session_class(kept[0])
        try:
            data, signed = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(type(v) in _PLAIN for v in data.values()):
            if len(opened) >= SESSION_COOKIES_KEPT:
                opened.clear()
            opened[cookie] = (data, int(signed.timestamp()))
        return self.session_class(data)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        """Flask's, with its usual case made cheap: a session that was read but not changed,
        and no cookie due (``should_set_cookie``), only adds ``Vary: Cookie``. Flask works out
        the seven cookie settings first and goes through werkzeug's ``HeaderSet`` for the Vary
        header (about 10 µs of a request); the headers are the same."""
        if session and not self.should_set_cookie(app, session):
            if session.accessed:
                vary = response.headers.get("Vary")
                if vary is None:
                    response.headers["Vary"] = "Cookie"
                elif vary == _VARY_ITEM[1]:  # what _finish_response adds
                    response.headers["Vary"] = f"{vary}, Cookie"
                else:
                    response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


#: At most this many checked session cookies are kept per process (``SessionInterface``).
SESSION_COOKIES_KEPT = 4096
_PLAIN = frozenset({str, int, float, bool, type(None)})


#: How long a page's signed CSRF token is given again to the same session (``csrf_token``).
CSRF_TOKEN_REUSE_SECONDS = 300
#: At most this many signed tokens are kept per process; when full, the store starts afresh.
CSRF_TOKENS_KEPT = 4096
_signed_tokens: dict[tuple[Any, str], tuple[str, float]] = {}


def csrf_token() -> str:
    """``csrf_token()`` in templates: Flask-WTF's signed CSRF token for this session.

    Flask-WTF signs the session's raw token anew for every page (a timestamp, JSON, zlib,
    base64 and an HMAC: about 40 µs, 7 % of a wizard step). Here the token it signed for the
    same raw token and secret key is given again for ``CSRF_TOKEN_REUSE_SECONDS`` (at most a
    tenth of ``WTF_CSRF_TIME_LIMIT``): it is exactly what Flask-WTF made then, a post is checked
    by Flask-WTF's own ``protect``, and the token's age counts from when it was signed, so a
    reused token expires at most five minutes sooner than a new one. A new session (a new raw
    token) or another secret key gets a token of its own; tokens are never shared between
    sessions.
    """
    config = current_app.config
    field = config["WTF_CSRF_FIELD_NAME"]
    state = g._get_current_object()  # type: ignore[attr-defined]
    signed = state.get(field)  # Flask-WTF's own per-request cache (g.csrf_token)
    if signed:
        return str(signed)
    secret = config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    limit = config.get("WTF_CSRF_TIME_LIMIT")
    reuse = CSRF_TOKEN_REUSE_SECONDS if not limit else min(CSRF_TOKEN_REUSE_SECONDS, limit / 10)
    raw = session.get(field)
    now = time.time()
    if isinstance(raw, str):
        kept = _signed_tokens.get((secret, raw))
        if kept is not None and 0 <= now - kept[1] < reuse:
            setattr(state, field, kept[0])
            return kept[0]
    signed = generate_csrf()
    raw = session.get(field)
    if isinstance(raw, str):
        if len(_signed_tokens) >= CSRF_TOKENS_KEPT:
            _signed_tokens.clear()
        _signed_tokens[(secret, raw)] = (signed, now)
    return str(signed)


def _check_csrf() -> None:
    """Every form post must carry a valid CSRF token (Flask-WTF checks it: ``protect``)."""
    config = current_app.config
    if request.method in config["WTF_CSRF_METHODS"] and config["WTF_CSRF_ENABLED"]:
        csrf.protect(apply_exemptions=True)


def exempt_api(app: Flask) -> None:
    """The JSON API (blueprint ``api``) takes no cookies-based forms: no CSRF token there."""
    api = app.blueprints.get("api")
    if api is not None:
        csrf.exempt(api)


def _start_request() -> None:
    incoming = request.environ.get("HTTP_X_REQUEST_ID", "")
    # g and request are context-local proxies (each access looks the context up): resolved once.
    state = g._get_current_object()  # type: ignore[attr-defined]
    # os.urandom(16).hex(): 128 random bits as 32 hex characters, like uuid4().hex but without
    # building a UUID object.
    state.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else os.urandom(16).hex()
    state.request_started = time.perf_counter()


_SECURITY_ITEMS = tuple(SECURITY_HEADERS.items())
_SECURITY_KEYS = frozenset(name.lower() for name in SECURITY_HEADERS)
_HSTS_ITEM = ("Strict-Transport-Security", HSTS)
_VARY_ITEM = ("Vary", "Accept-Language")


def _finish_response(response: Response) -> Response:
    req = request._get_current_object()  # type: ignore[attr-defined]
    state = g._get_current_object()  # type: ignore[attr-defined]
    headers = response.headers
    # What Headers.setdefault does for each header, with one pass over the view's own headers
    # and one extend. Usually a view sets none of them: then all the precomputed ones are added.
    own = {name.lower() for name, _value in headers}
    if own.isdisjoint(_SECURITY_KEYS):
        added = list(_SECURITY_ITEMS)
    else:
        added = [(name, value) for name, value in _SECURITY_ITEMS if name.lower() not in own]
    if req.is_secure and "strict-transport-security" not in own:
        added.append(_HSTS_ITEM)
    path = req.path
    if not path.startswith("/static/"):
        # The language follows the browser's preference (the API); add to a view's own Vary.
        if "vary" in own:
            response.vary.add("Accept-Language")
        else:
            added.append(_VARY_ITEM)
    rid = state.get("request_id")
    if rid:
        if "x-request-id" in own:
            headers[REQUEST_ID_HEADER] = rid
        else:
            added.append((REQUEST_ID_HEADER, rid))
    headers.extend(added)
    if path not in QUIET_PATHS and request_log.isEnabledFor(logging.INFO):
        started = state.get("request_started")
        _log_request(
            {
                "method": req.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2)
                if started
                else None,
                "request_id": rid,
                "env": current_app.config.get("ADVISOR_ENV"),
            }
        )
    return response


def _log_request(fields: dict[str, Any]) -> None:
    """The ``advisor.request`` line. The record is made and handed to the logger directly:
    ``Logger.info`` would also walk the stack to find the caller (file, line, function), which
    the JSON lines never show and which cost about a third of the line. Levels, filters,
    handlers and propagation work as for any record. ``request_id`` and ``env`` are in
    ``fields``, so ``RequestIdFilter`` has nothing to look up."""
    request_log.handle(
        request_log.makeRecord(
            request_log.name,
            logging.INFO,
            __file__,
            0,
            "request",
            (),
            None,
            func="_finish_response",
            extra=fields,
        )
    )


# ---------------------------------------------------------------------------- structured logs

_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)


# One encoder for every line: ``json.dumps`` with these options builds a new one per call. The
# output is the same as ``json.dumps(data, ensure_ascii=False, default=str)`` (separators
# included: tools grep for ``"level": "ERROR"``).
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


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
        return _JSON_ENCODER.encode(data)


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
