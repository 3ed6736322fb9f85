"""Reading saved assessments through the API (``GET /api/v1/assessments/<id>``): the response is
byte for byte what the models give for the stored record (the v1 contract of design.md section
4), whichever faster path the API takes to it, in both languages, after changes too."""

from __future__ import annotations

import json
from typing import Any

import pydantic_core
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from advisor import store
from advisor.assessment import Assessment
from advisor.case import Case

LANGS = ("nb", "en")


@pytest.fixture
def app(make_app) -> Flask:
    return make_app(API_RATE_LIMIT="100000/minute")


def sample_cases(app: Flask, sampled: int = 12) -> list[Case]:
    """Every fifth rule-base test case and some sampled ones (unknown answers included)."""
    from advisor.rulebase.testing import case_of
    from advisor.samples import CaseSampler

    assessor = app.extensions["advisor"].assessor
    cases = [case_of(loaded) for loaded in assessor.rulebase.tests[::5]]
    cases += list(CaseSampler(assessor.rulebase, assessor.periods).cases(sampled, seed=11))
    return cases


def expected_bytes(app: Flask, assessment_id: str, lang: str) -> bytes:
    """What the API must answer for the stored record, worked out the slow way: the raw stored
    JSON read with ``json.loads``, validated into the models, ``public(lang)``, the record's
    bookkeeping added, encoded as the API encodes."""
    with app.app_context():
        session = store.get_session()
        raw = session.execute(
            sa.text("SELECT result_json FROM assessments WHERE id = :id"), {"id": assessment_id}
        ).scalar_one()
        record = store.get_assessment(assessment_id)
        data = Assessment.model_validate({**json.loads(raw), "id": assessment_id}).public(lang)
        data.update(
            title=record.title,
            revision=record.version_counter,
            created_at=record.created_at.isoformat(),
            updated_at=record.updated_at.isoformat(),
        )
    return pydantic_core.to_json(data, inf_nan_mode="constants")


def assert_shown(app: Flask, client: FlaskClient, assessment_id: str, revision: int) -> None:
    url = f"/api/v1/assessments/{assessment_id}"
    for lang in LANGS:
        for response in (
            client.get(f"{url}?lang={lang}"),
            client.get(url, headers={"Accept-Language": lang}),
        ):
            assert response.status_code == 200
            assert response.data == expected_bytes(app, assessment_id, lang)
            assert response.mimetype == "application/json"
            assert response.headers["ETag"] == f'"{revision}"'
            assert response.headers["Content-Language"] == lang
            assert response.headers["Cache-Control"] == "no-store"


def case_json(case: Case) -> dict[str, Any]:
    return case.model_dump(mode="json")


def test_get_answers_what_the_models_give_for_the_stored_record(app):
    client = app.test_client()
    for number, case in enumerate(sample_cases(app)):
        lang = LANGS[number % 2]
        created = client.post(f"/api/v1/assessments?lang={lang}", json=case_json(case))
        assert created.status_code == 201, created.get_data(as_text=True)
        assessment_id = created.get_json()["id"]
        assert created.data == expected_bytes(app, assessment_id, lang)
        assert_shown(app, client, assessment_id, 1)


def test_get_after_a_change_and_a_saved_reassessment(app):
    client = app.test_client()
    case = sample_cases(app, sampled=1)[-1]
    assessment_id = client.post("/api/v1/assessments", json=case_json(case)).get_json()["id"]
    url = f"/api/v1/assessments/{assessment_id}"
    patched = client.patch(f"{url}?lang=en", json={"title": "Nytt navn æøå"})
    assert patched.status_code == 200
    assert patched.data == expected_bytes(app, assessment_id, "en")
    assert_shown(app, client, assessment_id, 2)
    saved = client.post(f"{url}/reassess?save=true")
    assert saved.status_code == 200
    assert_shown(app, client, assessment_id, 3)


def test_conditional_get_and_unknown_ids(app):
    client = app.test_client()
    case = sample_cases(app, sampled=1)[-1]
    assessment_id = client.post("/api/v1/assessments", json=case_json(case)).get_json()["id"]
    url = f"/api/v1/assessments/{assessment_id}"
    not_modified = client.get(url, headers={"If-None-Match": '"1"'})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == '"1"'
    assert client.get(url, headers={"If-None-Match": '"7"'}).data == expected_bytes(
        app, assessment_id, "nb"
    )
    for unknown, lang in (("nope", "nb"), ("0" * 22, "en"), ("x" * 65, "nb"), ("x" * 300, "en")):
        response = client.get(f"/api/v1/assessments/{unknown}?lang={lang}")
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
        detail = response.get_json()["detail"]
        assert detail == (
            "There is no saved assessment with this id."
            if lang == "en"
            else "Det finnes ingen lagret vurdering med denne id-en."
        )
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404


def test_json_columns_written_by_json_dumps_still_read():
    """Rows saved before the columns were written with pydantic-core hold ``json.dumps`` output,
    which may escape a lone surrogate that pydantic-core's parser refuses."""
    for text in (json.dumps({"title": "a\ud800b"}), json.dumps([1.5, float("nan"), 10**30])):
        assert repr(store.from_json(text)) == repr(json.loads(text))
