"""Security headers, session cookies, CSRF and rate limits (``advisor.security``)."""

from __future__ import annotations

import re
import time

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


# ---------------------------------------------------------------------------- sessions, CSRF


def stock_serializer(app, secret_key=None):
    """What Flask's own session interface signs and verifies with."""
    from flask.sessions import SecureCookieSessionInterface

    stock = SecureCookieSessionInterface()
    if secret_key is None:
        return stock.get_signing_serializer(app)
    saved = app.secret_key
    app.secret_key = secret_key
    try:
        return stock.get_signing_serializer(app)
    finally:
        app.secret_key = saved


def test_session_key_rotation_and_forged_cookies(app):
    client = app.test_client()
    client.set_cookie("advisor_session", stock_serializer(app, "old-key").dumps({"lang": "en"}))
    assert '<html lang="nb">' in client.get("/").get_data(as_text=True)  # unknown key: ignored
    app.config["SECRET_KEY_FALLBACKS"] = ["old-key"]
    client.set_cookie("advisor_session", stock_serializer(app, "old-key").dumps({"lang": "en"}))
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    signed, signature = stock_serializer(app).dumps({"lang": "en"}).rsplit(".", 1)
    forged = f"{signed}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
    client.set_cookie("advisor_session", forged)
    assert '<html lang="nb">' in client.get("/").get_data(as_text=True)


def page_token(client, path: str = "/") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_csrf_still_refuses_missing_forged_foreign_and_expired_tokens(make_app, monkeypatch):
    app = make_app()
    client = app.test_client()
    token = page_token(client)
    assert client.post("/ny", data={}).status_code == 400
    signed, signature = token.rsplit(".", 1)
    forged = f"{signed}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
    assert client.post("/ny", data={"csrf_token": forged}).status_code == 400
    other = app.test_client()
    assert other.post("/ny", data={"csrf_token": token}).status_code == 400  # not its session
    assert other.post("/ny", data={"csrf_token": page_token(other)}).status_code == 303
    assert client.post("/ny", data={"csrf_token": token}).status_code == 303
    # A token older than WTF_CSRF_TIME_LIMIT is refused.
    import itsdangerous.timed

    class Later:
        @staticmethod
        def time() -> float:
            return time.time() + app.config["WTF_CSRF_TIME_LIMIT"] + 5

    monkeypatch.setattr(itsdangerous.timed, "time", Later)
    assert client.post("/ny", data={"csrf_token": token}).status_code == 400


def test_csrf_checked_for_every_unsafe_method_and_only_when_enabled(make_app):
    for enabled in (True, False):
        app = make_app(WTF_CSRF_ENABLED=enabled)
        app.add_url_rule(
            "/_test/form",
            "test_form",
            lambda: "done",
            methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        )
        client = app.test_client()
        assert client.get("/_test/form").status_code == 200
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = client.open("/_test/form", method=method, data={"x": "1"})
            assert response.status_code == (400 if enabled else 200), (method, enabled)
        token = page_token(client)
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            sent = client.open("/_test/form", method=method, data={"csrf_token": token})
            assert sent.status_code == 200, method
        header = client.post("/_test/form", headers={"X-CSRFToken": token})
        assert header.status_code == 200


def check_security_headers(response, what: str, *, https: bool, static: bool = False) -> None:
    for name, value in security.SECURITY_HEADERS.items():
        assert response.headers.getlist(name) == [value], (what, name)
    assert response.headers.getlist("Strict-Transport-Security") == (
        [security.HSTS] if https else []
    ), what
    rid = response.headers.getlist("X-Request-ID")
    assert len(rid) == 1 and len(rid[0]) >= 8, what
    vary = {v.strip() for v in response.headers.get("Vary", "").split(",")}
    assert ("Accept-Language" in vary) is not static, what


def test_security_headers_on_every_kind_of_response(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def crash() -> str:
        raise RuntimeError("boom")

    def limited() -> str:
        return "ok"

    app.add_url_rule("/_test/crash", "crash", crash)
    app.add_url_rule("/api/_test/crash", "api_crash", crash)
    app.add_url_rule("/_test/limited", "limited", security.limiter.limit("1/minute")(limited))
    for https in (False, True):
        client = app.test_client()
        base_url = "https://localhost" if https else "http://localhost"
        client.get("/_test/limited", base_url=base_url)
        responses = {
            "page": client.get("/", base_url=base_url),
            "json": client.get("/healthz", base_url=base_url),
            "404": client.get(PAGE, base_url=base_url),
            "405": client.post("/healthz", base_url=base_url),
            "500 page": client.get("/_test/crash", base_url=base_url),
            "500 problem+json": client.get("/api/_test/crash", base_url=base_url),
            "csrf 400": client.post("/ny", data={}, base_url=base_url),
            "429": client.get("/_test/limited", base_url=base_url),
            "api 404": client.get("/api/v1/assessments/nothing", base_url=base_url),
        }
        for what, response in responses.items():
            check_security_headers(response, what, https=https)
        assert responses["429"].status_code == 429
        assert responses["csrf 400"].status_code == 400
        assert "boom" not in responses["500 page"].get_data(as_text=True)
        static = client.get("/static/css/app.css", base_url=base_url)
        check_security_headers(static, "static", https=https, static=True)
        static.close()


def test_language_choice_is_remembered_only_when_asked(client):
    assert '<html lang="en">' in client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    assert '<html lang="nb">' in client.get("/?lang=nb").get_data(as_text=True)
    assert '<html lang="nb">' in client.get("/").get_data(as_text=True)
    fresh = client.application.test_client()
    response = fresh.get("/healthz")
    assert not any("advisor_session=" in c for c in response.headers.getlist("Set-Cookie"))
    api = fresh.get("/api/v1/assessments/nothing?lang=en")
    assert not any("advisor_session=" in c for c in api.headers.getlist("Set-Cookie"))
