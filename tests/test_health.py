"""Liveness and readiness endpoints."""

from __future__ import annotations

from pathlib import Path

from advisor.db import make_engine


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_body_is_what_jsonify_gives(app, client):
    """The body is encoded once at import; it must stay what jsonify made of the dict."""
    response = client.get("/healthz")
    with app.app_context():
        expected = app.json.response({"status": "ok"})
    assert response.data == expected.data
    assert response.headers["Content-Type"] == expected.headers["Content-Type"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # after_request still runs


def test_readyz_when_ready(app, client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ready"
    assert body["checks"]["rulebase"] == {
        "ok": True,
        "version": app.extensions["advisor"].rulebase.version,
    }
    assert body["checks"]["database"] == {"ok": True}


def test_readyz_when_database_unreachable(app, client, tmp_path: Path):
    store = app.extensions["advisor_db"]
    store.engine.dispose()
    store.engine = make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json
    assert body["status"] == "not_ready"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["rulebase"]["ok"] is True
