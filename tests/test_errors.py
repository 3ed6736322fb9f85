"""Error pages in bokmål and English, problem+json under /api/, no stack traces."""

from __future__ import annotations

import pytest
from flask import Flask, request


def add_routes(app: Flask) -> None:
    def echo() -> str:
        return str(len(request.get_data()))

    def crash() -> str:
        raise RuntimeError("secret internal detail 42")

    app.add_url_rule("/_test/echo", "echo", echo, methods=["POST"])
    app.add_url_rule("/api/_test/echo", "api_echo", echo, methods=["POST"])
    app.add_url_rule("/_test/crash", "crash", crash)
    app.add_url_rule("/api/_test/crash", "api_crash", crash)


@pytest.fixture
def error_app(make_app) -> Flask:
    app = make_app(WTF_CSRF_ENABLED=False, PROPAGATE_EXCEPTIONS=False)
    add_routes(app)
    return app


def test_404_page_in_bokmal_by_default(client):
    response = client.get("/finnes-ikke")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="nb">' in page
    assert "Fant ikke siden" in page
    assert response.headers["X-Request-ID"] in page  # the reference shown to the user


def test_404_page_in_english(client):
    response = client.get("/finnes-ikke?lang=en")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Page not found" in page


def test_pages_are_bokmal_for_an_english_browser_until_english_is_chosen(client):
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}
    page = client.get("/finnes-ikke", headers=english_browser).get_data(as_text=True)
    assert '<html lang="nb">' in page
    client.get("/healthz?lang=en")
    page = client.get("/finnes-ikke", headers=english_browser).get_data(as_text=True)
    assert '<html lang="en">' in page


@pytest.mark.parametrize("language", ["no", "nn-NO", "nb-NO", "nn"])
def test_norwegian_variants_get_bokmal(client, language):
    page = client.get("/x", headers={"Accept-Language": f"{language},en;q=0.5"}).get_data(
        as_text=True
    )
    assert '<html lang="nb">' in page


def test_language_choice_is_remembered(client):
    client.get("/healthz?lang=en")
    assert "Page not found" in client.get("/x").get_data(as_text=True)
    client.get("/healthz?lang=nb")
    assert "Fant ikke siden" in client.get("/x").get_data(as_text=True)


def test_language_switch_links_without_javascript(client):
    page = client.get("/x?a=1").get_data(as_text=True)
    assert 'href="/x?a=1&amp;lang=en"' in page
    assert 'href="/x?a=1&amp;lang=nb"' in page
    assert 'href="#main"' in page and 'id="main"' in page  # skip link


def test_api_errors_are_problem_json(client):
    response = client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == 404
    assert body["title"] == "Not Found"
    assert body["type"] == "about:blank"
    assert body["instance"] == "/api/v1/nothing-here"
    assert body["request_id"] == response.headers["X-Request-ID"]
    assert "does not exist" in body["detail"]


def test_api_problem_detail_in_bokmal(client):
    assert "finnes ikke" in client.get("/api/v1/nothing-here").json["detail"]


def test_413_for_oversized_body(error_app):
    client = error_app.test_client()
    big = b"x" * (error_app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/_test/echo", data=big, content_type="text/plain")
    assert response.status_code == 413
    assert "For mye data" in response.get_data(as_text=True)
    assert "1 MB" in response.get_data(as_text=True)
    api = client.post("/api/_test/echo", data=big, content_type="application/json")
    assert api.status_code == 413
    assert api.mimetype == "application/problem+json"
    assert api.json["status"] == 413
    ok = client.post("/_test/echo", data=b"x" * 100, content_type="text/plain")
    assert ok.status_code == 200


def test_500_shows_no_traceback(error_app, capsys):
    client = error_app.test_client()
    response = client.get("/_test/crash")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Noe gikk galt" in page
    assert "Traceback" not in page and "secret internal detail" not in page
    assert "RuntimeError" not in page
    assert response.headers["X-Request-ID"] in page
    api = client.get("/api/_test/crash")
    assert api.status_code == 500
    assert api.mimetype == "application/problem+json"
    assert "secret internal detail" not in api.get_data(as_text=True)
    # ... but the log has the traceback, tied to the request id.
    log = capsys.readouterr().err
    assert "secret internal detail 42" in log
    assert response.headers["X-Request-ID"] in log


def test_405_keeps_allow_header(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
