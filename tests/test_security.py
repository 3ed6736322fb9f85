"""Security headers, cookies, CSRF, request ids and structured logs."""

from __future__ import annotations

import json

import pytest
from flask import Blueprint, Flask

from advisor import security

PAGE = "/no-such-page"  # any page: headers are set on every response, errors included


def add_form_route(app: Flask) -> None:
    def form() -> str:
        return "saved"

    app.add_url_rule("/_test/form", "test_form", form, methods=["POST"])


def test_security_headers_on_every_response(client):
    for path in ("/healthz", PAGE, "/api/v1/nothing"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "base-uri 'none'" in csp and "form-action 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin")
        assert headers["X-Frame-Options"] == "DENY"
        assert "Accept-Language" in headers["Vary"]


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    secure = client.get("/healthz", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_hsts_behind_a_trusted_proxy(make_app):
    client = make_app(TRUSTED_PROXIES=1).test_client()
    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


def test_request_id_generated_or_taken_from_proxy(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz").headers["X-Request-ID"] != generated
    given = "req-0123456789abcdef"
    assert client.get("/healthz", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given
    hostile = "<script>alert(1)</script>"
    echoed = client.get("/healthz", headers={"X-Request-ID": hostile}).headers["X-Request-ID"]
    assert echoed != hostile and len(echoed) == 32


def test_logs_are_json_with_request_id(client, capsys):
    capsys.readouterr()
    client.get(PAGE, headers={"X-Request-ID": "log-test-12345678"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    request_lines = [line for line in lines if line.get("logger") == "advisor.request"]
    assert request_lines, lines
    assert request_lines[-1]["request_id"] == "log-test-12345678"
    assert request_lines[-1]["status"] == 404
    assert request_lines[-1]["path"] == PAGE


@pytest.mark.parametrize("production", [False, True])
def test_session_cookie_flags(make_app, production):
    config = {"ADVISOR_ENV": "production", "SECRET_KEY": "s" * 64} if production else {}
    client = make_app(**config).test_client()
    base_url = "https://localhost" if production else "http://localhost"
    response = client.get("/healthz?lang=en", base_url=base_url)  # remembers the language
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if "advisor_session=" in c)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is production


def test_csrf_rejects_post_without_token_in_bokmal(make_app):
    app = make_app()
    add_form_route(app)
    response = app.test_client().post("/_test/form", data={"title": "x"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<html lang="nb">' in page
    assert "Skjemaet er utløpt" in page
    assert "Traceback" not in page


def test_csrf_rejects_post_without_token_in_english(make_app):
    app = make_app()
    add_form_route(app)
    response = app.test_client().post("/_test/form?lang=en", data={"title": "x"})
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)


def test_csrf_accepts_post_with_token(make_app, csrf_token):
    app = make_app()
    add_form_route(app)
    client = app.test_client()
    response = client.post("/_test/form", data={"csrf_token": csrf_token(client), "title": "x"})
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "saved"


def test_json_api_blueprint_is_csrf_exempt(make_app):
    app = make_app()
    if "api" not in app.blueprints:  # before the real API lands: a stand-in named "api"
        app.register_blueprint(Blueprint("api", __name__))
        security.exempt_api(app)
    # An endpoint named "api.*" belongs to the blueprint "api" (request.blueprint == "api").
    app.add_url_rule("/api/v1/_test/echo", "api._test_echo", lambda: {"ok": True}, methods=["POST"])
    add_form_route(app)
    client = app.test_client()
    assert client.post("/api/v1/_test/echo", json={"a": 1}).status_code == 200
    assert client.post("/_test/form", data={}).status_code == 400  # forms stay protected


def test_rate_limit_gives_429_page(make_app):
    app = make_app()

    @security.limiter.limit("2/minute")
    def limited() -> str:
        return "ok"

    app.add_url_rule("/_test/limited", "limited", limited)
    client = app.test_client()
    assert [client.get("/_test/limited").status_code for _ in range(2)] == [200, 200]
    response = client.get("/_test/limited")
    assert response.status_code == 429
    assert "For mange forespørsler" in response.get_data(as_text=True)
    assert "Retry-After" in response.headers


def test_csrf_refusal_carries_a_request_id(make_app):
    app = make_app()
    add_form_route(app)
    response = app.test_client().post("/_test/form", data={"title": "x"})
    assert response.status_code == 400
    request_id = response.headers.get("X-Request-ID")
    assert request_id and request_id in response.get_data(as_text=True)


def test_security_headers_exactly_once_and_a_views_own_header_wins(make_app, csrf_token):
    app = make_app()

    def own_policy() -> tuple[str, int, dict[str, str]]:
        return "framed", 200, {"X-Frame-Options": "SAMEORIGIN", "Vary": "Cookie"}

    app.add_url_rule("/_test/own-policy", "own_policy", own_policy)
    client = app.test_client()
    started = client.post("/ny", data={"csrf_token": csrf_token(client)})
    responses = {
        "front page": client.get("/"),
        "wizard step": client.get(started.location),
        "answer (303)": client.post(started.location, data={"csrf_token": csrf_token(client)}),
        "static file": client.get("/static/css/app.css"),
        "not found": client.get(PAGE),
    }
    for what, response in responses.items():
        for name in security.SECURITY_HEADERS:
            assert response.headers.getlist(name) == [security.SECURITY_HEADERS[name]], what
        assert len(response.headers.getlist("X-Request-ID")) == 1, what
    assert "Accept-Language" not in responses["static file"].headers.get("Vary", "")
    responses["static file"].close()
    own = client.get("/_test/own-policy", base_url="https://localhost")
    assert own.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert own.headers["Content-Security-Policy"] == security.CONTENT_SECURITY_POLICY
    assert {v.strip() for v in own.headers["Vary"].split(",")} >= {"Cookie", "Accept-Language"}
    assert own.headers.getlist("Strict-Transport-Security") == [security.HSTS]


def test_stylesheet_links_follow_the_mount_point(client):
    """Pages served under a path prefix (SCRIPT_NAME) link their static files under it too."""
    plain = client.get("/").get_data(as_text=True)
    mounted = client.get("/", environ_overrides={"SCRIPT_NAME": "/anskaffelser"})
    html = mounted.get_data(as_text=True)
    assert 'href="/static/css/app.css"' in plain
    assert 'href="/anskaffelser/static/css/app.css"' in html
    assert 'href="/static/css/app.css"' in client.get("/").get_data(as_text=True)
