"""Changing saved assessments through the API without needless work: a PATCH reads the record
once, a saved re-assessment runs the rule engine once, and both answer what a later GET shows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from test_api import CASE  # the API tests' cleaning contract

from advisor import records


@pytest.fixture
def app(make_app) -> Flask:
    return make_app(API_RATE_LIMIT="100000/minute")


@contextmanager
def full_reads(app: Flask) -> Iterator[list[str]]:
    """The SELECTs that read a record's result, while in the block."""
    engine = app.extensions["advisor_db"].engine
    reads: list[str] = []

    def log(_conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "result_json" in statement:
            reads.append(statement)

    sa.event.listen(engine, "before_cursor_execute", log)
    try:
        yield reads
    finally:
        sa.event.remove(engine, "before_cursor_execute", log)


def test_patch_reads_the_record_once(app):
    client = app.test_client()
    url = f"/api/v1/assessments/{client.post('/api/v1/assessments', json=CASE).json['id']}"
    for headers, revision in (({}, 2), ({"If-Match": '"2"'}, 3), ({"If-Match": "*"}, 4)):
        with full_reads(app) as reads:
            response = client.patch(url, json={"duration_months": 30 + revision}, headers=headers)
        assert response.status_code == 200 and response.headers["ETag"] == f'"{revision}"'
        assert len(reads) == 1, headers
        assert response.data == client.get(url).data


def test_patch_errors_are_unchanged(app):
    client = app.test_client()
    missing = client.patch("/api/v1/assessments/nope?lang=en", json={"duration_months": 12})
    assert missing.status_code == 404
    assert missing.json["detail"] == "There is no saved assessment with this id."
    url = f"/api/v1/assessments/{client.post('/api/v1/assessments', json=CASE).json['id']}"
    late = client.patch(f"{url}?lang=en", json={"law_as_of": "2001-05-01"})
    assert late.status_code == 422 and late.json["invalid_params"][0]["name"] == "law_as_of"
    assert "2001-05-01 is earlier" in late.json["detail"]
    assert client.get(url).headers["ETag"] == '"1"'


def test_saved_reassessment_runs_the_engine_once(app, monkeypatch):
    client = app.test_client()
    assessment_id = client.post("/api/v1/assessments", json=CASE).json["id"]
    url = f"/api/v1/assessments/{assessment_id}"
    runs: list[Any] = []
    real = records.assess

    def counted(case):
        runs.append(case)
        return real(case)

    monkeypatch.setattr(records, "assess", counted)
    with full_reads(app) as reads:
        response = client.post(f"{url}/reassess?save=true&lang=en")
    assert response.status_code == 200 and response.json["saved"] is True
    assert len(runs) == 1 and len(reads) == 2  # the record, and modify_assessment's re-read
    shown = client.get(f"{url}?lang=en")
    assert shown.headers["ETag"] == '"2"'
    assert response.json["assessment"] == json.loads(shown.data)
    assert response.json["changes"]["changed"] is False


def test_saved_reassessment_assesses_answers_changed_meanwhile(app):
    """Answers changed between reading the record and saving (a concurrent PATCH) are the ones
    assessed and saved, not the answers read first."""
    client = app.test_client()
    assessment_id = client.post("/api/v1/assessments", json=CASE).json["id"]
    with app.app_context():
        record = records.get_assessment(assessment_id)
        # Another request changes the value meanwhile (its own app context and session).
        patched = client.patch(
            f"/api/v1/assessments/{assessment_id}", json={"estimated_value_nok": 500_000}
        )
        assert patched.json["regime"]["code"] == "part_i"
        after, _diff, saved = records.reassess(record, save=True)
        assert saved.version_counter == 3
        assert after.case.estimated_value_nok == 500_000 and after.regime.code == "part_i"
        assert saved.result_json["regime"]["code"] == "part_i"
    shown = client.get(f"/api/v1/assessments/{assessment_id}").json
    assert shown["regime"]["code"] == "part_i" and shown["revision"] == 3
