"""Security basics for every response: CSRF, session cookies, headers, rate limits, proxies.

- CSRF protection on every form (Flask-WTF's ``CSRFProtect``); the JSON API blueprint ``api``
  is exempt. In templates: ``<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">``.
- Session cookie: Flask's signed cookie, SameSite=Lax, HttpOnly, Secure in production (set by
  ``create_app``).
- Headers: a strict Content-Security-Policy (no ``unsafe-inline``: put scripts and styles in
  ``static/``), nosniff, Referrer-Policy, frame denial, HSTS on HTTPS. Headers are set with
  ``setdefault``: a view that really needs another policy sets its own header.
- Rate limits: ``limiter`` (Flask-Limiter) has no default limit; decorate routes, e.g.
  ``@limiter.limit("10/minute")``, or with a configured limit (``Settings``):
  ``@limiter.limit(pdf_rate_limit)``. Storage from ``RATELIMIT_STORAGE_URI``.
- ``TRUSTED_PROXIES``: how many reverse proxies' ``X-Forwarded-*`` headers to trust (ProxyFix).

Logs and the request id are ``advisor.logs``.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from advisor.state import current_state

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

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


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)  # a long working day on one form
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(_security_headers)


def api_rate_limit() -> str:
    """``API_RATE_LIMIT``: every ``/api/v1`` route."""
    return current_state().settings.api_rate_limit


def pdf_rate_limit() -> str:
    """``PDF_RATE_LIMIT``: guidance PDFs (result page and API) and plan-screening PDFs."""
    return current_state().settings.pdf_rate_limit


def screening_rate_limit() -> str:
    """``SCREENING_RATE_LIMIT``: plan uploads and plan rows opened as assessments."""
    return current_state().settings.screening_rate_limit


def exempt_api(app: Flask) -> None:
    """The JSON API (blueprint ``api``) takes no cookie-based forms: no CSRF token there."""
    api = app.blueprints.get("api")
    if api is not None:
        csrf.exempt(api)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if not request.path.startswith("/static/"):
        # The language follows the browser's preference (the API) and the session (pages).
        response.vary.add("Accept-Language")
    return response
