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


def saved_sample(app: Flask, client: FlaskClient) -> str:
    """The id of one sampled case saved through the API (in bokmål)."""
    created = client.post("/api/v1/assessments", json=case_json(sample_cases(app, sampled=1)[-1]))
    assert created.status_code == 201, created.get_data(as_text=True)
    return created.get_json()["id"]


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
    assessment_id = saved_sample(app, client)
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
    assessment_id = saved_sample(app, client)
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


# ---------------------------------------------------------------------------- kept public JSON


def stored_columns(app: Flask, assessment_id: str) -> dict[str, Any]:
    with app.app_context():
        return dict(
            store.get_session()
            .execute(
                sa.text(
                    "SELECT public_nb, public_en, public_format FROM assessments WHERE id = :id"
                ),
                {"id": assessment_id},
            )
            .mappings()
            .one()
        )


def set_columns(app: Flask, assessment_id: str, **values: Any) -> None:
    with app.app_context():
        session = store.get_session()
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        session.execute(
            sa.text(f"UPDATE assessments SET {assignments} WHERE id = :id"),
            {**values, "id": assessment_id},
        )
        session.commit()


def test_saving_keeps_the_public_json_in_the_records_language_and_get_answers_with_it(app):
    from advisor.assessment import PUBLIC_FORMAT

    client = app.test_client()
    case = sample_cases(app, sampled=1)[-1]
    for lang, other in (("nb", "en"), ("en", "nb")):
        created = client.post(f"/api/v1/assessments?lang={lang}", json=case_json(case))
        assessment_id = created.get_json()["id"]
        kept = stored_columns(app, assessment_id)
        assert kept["public_format"] == PUBLIC_FORMAT and kept[f"public_{other}"] is None
        public = json.loads(kept[f"public_{lang}"])
        assert public["lang"] == lang and public["id"] == assessment_id
        # The bookkeeping is added when answering: the kept JSON must not hold those keys.
        assert not {"title", "revision", "created_at", "updated_at"} & public.keys()
        # Answered from the kept bytes, not re-rendered: a marked change to them shows.
        marked = kept[f"public_{lang}"][:-1] + b',"marked":true}'
        set_columns(app, assessment_id, **{f"public_{lang}": marked})
        shown = client.get(f"/api/v1/assessments/{assessment_id}?lang={lang}").data
        assert shown.startswith(marked[:-1] + b",") and shown.endswith(b"}")
        assert json.loads(shown)["marked"] is True
        # The other language is rendered from the result.
        answer = client.get(f"/api/v1/assessments/{assessment_id}?lang={other}")
        assert answer.data == expected_bytes(app, assessment_id, other)


def test_records_without_current_public_json_are_rendered_from_the_result(app):
    """Rows saved before migration 0005 have no public JSON, rows saved by code that rendered
    differently have another mark: both are answered from the stored result, as before."""
    client = app.test_client()
    assessment_id = saved_sample(app, client)
    stale = b'{"stale":true}'
    for values in (
        {"public_nb": None, "public_en": None, "public_format": None},
        {"public_nb": stale, "public_en": stale, "public_format": "0-older-rendering"},
        {"public_nb": stale, "public_en": None, "public_format": None},
    ):
        set_columns(app, assessment_id, **values)
        assert_shown(app, client, assessment_id, 1)


def test_a_result_set_without_set_assessment_is_not_shown_through_an_old_rendering(app):
    client = app.test_client()
    assessment_id = saved_sample(app, client)
    with app.app_context():
        record = store.get_assessment(assessment_id)
        record.result_json = {**record.result_json, "derived": {"changed": True}}
        store.get_session().commit()
    assert stored_columns(app, assessment_id)["public_nb"] is None
    shown = client.get(f"/api/v1/assessments/{assessment_id}?lang=en")
    assert json.loads(shown.data)["derived"] == {"changed": True}
    assert_shown(app, client, assessment_id, 2)


def test_rows_saved_before_migration_0005_are_read_after_it(make_app, tmp_path):
    """A database at 0004 holding a saved assessment, upgraded to head: the row keeps its data,
    has no public JSON, and the API answers it from the stored result, byte for byte what it
    answered when the same record was saved with public JSON."""
    from advisor.store import upgrade_database

    app = make_app(API_RATE_LIMIT="100000/minute")
    client = app.test_client()
    case = sample_cases(app, sampled=1)[-1]
    created = client.post("/api/v1/assessments?lang=en", json=case_json(case))
    assessment_id = created.get_json()["id"]
    answers = {
        lang: client.get(f"/api/v1/assessments/{assessment_id}?lang={lang}").data for lang in LANGS
    }
    columns = (
        "id, title, case_json, result_json, ruleset_version, law_as_of, lang, created_at, "
        "updated_at, version_counter"
    )
    with app.app_context():
        row = dict(
            store.get_session()
            .execute(
                sa.text(f"SELECT {columns} FROM assessments WHERE id = :id"), {"id": assessment_id}
            )
            .mappings()
            .one()
        )
    # As json.dumps wrote the JSON columns before they were written with pydantic-core.
    row["case_json"] = json.dumps(json.loads(row["case_json"]))
    row["result_json"] = json.dumps(json.loads(row["result_json"]))

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_database(url, "0004")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            values = ", ".join(f":{name}" for name in row)
            connection.execute(
                sa.text(f"INSERT INTO assessments ({columns}) VALUES ({values})"), row
            )
        upgrade_database(url)
        with engine.connect() as connection:
            upgraded = connection.execute(
                sa.text("SELECT public_nb, public_en, public_format, result_json FROM assessments")
            ).one()
    finally:
        engine.dispose()
    assert upgraded[:3] == (None, None, None) and upgraded[3] == row["result_json"]

    old_app = make_app(DATABASE_URL=url, API_RATE_LIMIT="100000/minute")
    old_client = old_app.test_client()
    for lang in LANGS:
        response = old_client.get(f"/api/v1/assessments/{assessment_id}?lang={lang}")
        assert response.status_code == 200
        assert response.data == answers[lang]
    assert answers["en"] == created.data


def test_get_on_postgresql(make_app, pg_url):
    """On PostgreSQL (JSONB reorders object keys) a kept public JSON is answered as saved: the
    bytes of the POST answer; a row without one is answered from the stored result, the same
    JSON (in JSONB's key order, as before)."""
    from advisor.store import upgrade_database

    upgrade_database(pg_url)
    app = make_app(DATABASE_URL=pg_url, API_RATE_LIMIT="100000/minute")
    client = app.test_client()
    for number, case in enumerate(sample_cases(app, sampled=4)[::4]):
        lang = LANGS[number % 2]
        created = client.post(f"/api/v1/assessments?lang={lang}", json=case_json(case))
        assert created.status_code == 201
        url = f"/api/v1/assessments/{created.get_json()['id']}"
        assert client.get(f"{url}?lang={lang}").data == created.data
        answers = {other: client.get(f"{url}?lang={other}").data for other in LANGS}
        set_columns(
            app, created.get_json()["id"], public_nb=None, public_en=None, public_format=None
        )
        for other in LANGS:
            fallback = client.get(f"{url}?lang={other}")
            assert json.loads(fallback.data) == json.loads(answers[other])
            assert fallback.headers["ETag"] == '"1"'


def test_get_needs_no_orm_session(app, monkeypatch):
    """Reading to show (200, 304, 404) uses pooled Core connections only: creating and closing
    an ORM session per request cost more than the query."""
    client = app.test_client()
    assessment_id = saved_sample(app, client)
    url = f"/api/v1/assessments/{assessment_id}"
    expected = {lang: expected_bytes(app, assessment_id, lang) for lang in LANGS}

    def no_session() -> None:
        raise AssertionError("an ORM session was opened")

    monkeypatch.setattr(app.extensions["advisor_store"], "sessions", no_session)
    for lang in LANGS:
        assert client.get(f"{url}?lang={lang}").data == expected[lang]
    assert client.get(url, headers={"If-None-Match": '"1"'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"0"'}).data == expected["nb"]
    assert client.get("/api/v1/assessments/nope").status_code == 404
    assert client.get("/api/v1/assessments/nope", headers={"If-None-Match": "*"}).status_code == 404
