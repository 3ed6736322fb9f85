"""Reading saved assessments through the API (``GET /api/v1/assessments/<id>``): the response is
what the models give for the stored record (the v1 contract of design.md section 4), in both
languages, after changes too, and for rows saved by earlier versions of the schema."""

from __future__ import annotations

import json
from typing import Any

import pydantic_core
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from advisor import db, records
from advisor.assessment import Assessment
from advisor.case import Case

LANGS = ("nb", "en")


@pytest.fixture
def app(make_app) -> Flask:
    return make_app(API_RATE_LIMIT="100000/minute")


def sample_cases(app: Flask, sampled: int = 12) -> list[Case]:
    """Every fifth rule-base test case and some sampled ones (unknown answers included)."""
    from advisor.ruletests import case_of
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
        session = db.get_session()
        raw = session.execute(
            sa.text("SELECT result_json FROM assessments WHERE id = :id"), {"id": assessment_id}
        ).scalar_one()
        record = records.get_assessment(assessment_id)
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
        assert repr(db.from_json(text)) == repr(json.loads(text))


# ---------------------------------------------------------------------------- older rows

COLUMNS = (
    "id, title, case_json, result_json, ruleset_version, law_as_of, lang, created_at, "
    "updated_at, version_counter"
)


def test_rows_saved_with_public_json_before_migration_0006_are_read_after_it(make_app, tmp_path):
    """A database at 0005, where each row kept its public JSON and its result a format mark,
    upgraded to head: the row keeps its data and the API answers it as it answered when the
    record was saved. Downgraded again, the dropped columns come back empty."""
    from advisor.db import upgrade_database

    app = make_app(API_RATE_LIMIT="100000/minute")
    client = app.test_client()
    case = sample_cases(app, sampled=1)[-1]
    created = client.post("/api/v1/assessments?lang=en", json=case_json(case))
    assessment_id = created.get_json()["id"]
    answers = {
        lang: client.get(f"/api/v1/assessments/{assessment_id}?lang={lang}").get_json()
        for lang in LANGS
    }
    with app.app_context():
        row = dict(
            db.get_session()
            .execute(
                sa.text(f"SELECT {COLUMNS} FROM assessments WHERE id = :id"), {"id": assessment_id}
            )
            .mappings()
            .one()
        )
    # As code at 0005 saved it: json.dumps wrote the JSON columns earlier still, the result
    # carried a format mark, and the public JSON was kept in the record's language.
    result = {**json.loads(row["result_json"]), "stored_format": "1-0123456789abcdef"}
    row["case_json"] = json.dumps(json.loads(row["case_json"]))
    row["result_json"] = json.dumps(result)
    row["public_en"] = json.dumps(answers["en"]).encode()
    row["public_format"] = "1-0123456789abcdef-0123456789ab"

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_database(url, "0005")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            names = ", ".join(row)
            values = ", ".join(f":{name}" for name in row)
            connection.execute(sa.text(f"INSERT INTO assessments ({names}) VALUES ({values})"), row)
        upgrade_database(url)
        with engine.connect() as connection:
            upgraded = connection.execute(sa.text("SELECT * FROM assessments")).mappings().one()
        assert not {"public_nb", "public_en", "public_format"} & upgraded.keys()
        assert upgraded["result_json"] == row["result_json"]

        old_app = make_app(DATABASE_URL=url, API_RATE_LIMIT="100000/minute")
        old_client = old_app.test_client()
        for lang in LANGS:
            response = old_client.get(f"/api/v1/assessments/{assessment_id}?lang={lang}")
            assert response.status_code == 200
            assert response.get_json() == answers[lang]
        assert answers["en"] == created.get_json()
        old_app.extensions["advisor_db"].engine.dispose()

        from alembic import command

        from advisor.db import alembic_config

        command.downgrade(alembic_config(url), "0005")
        with engine.connect() as connection:
            downgraded = connection.execute(
                sa.text("SELECT id, public_nb, public_en, public_format FROM assessments")
            ).one()
        assert tuple(downgraded) == (assessment_id, None, None, None)
    finally:
        engine.dispose()


def test_get_on_postgresql(make_app, pg_url):
    """On PostgreSQL (JSONB reorders object keys) a saved assessment reads back as the same JSON
    the POST answered, in both languages."""
    from advisor.db import upgrade_database

    upgrade_database(pg_url)
    app = make_app(DATABASE_URL=pg_url, API_RATE_LIMIT="100000/minute")
    client = app.test_client()
    for number, case in enumerate(sample_cases(app, sampled=4)[::4]):
        lang, other = LANGS[number % 2], LANGS[1 - number % 2]
        created = client.post(f"/api/v1/assessments?lang={lang}", json=case_json(case))
        assert created.status_code == 201
        url = f"/api/v1/assessments/{created.get_json()['id']}"
        shown = client.get(f"{url}?lang={lang}")
        assert shown.get_json() == created.get_json()
        assert shown.headers["ETag"] == '"1"'
        assert client.get(f"{url}?lang={other}").get_json()["lang"] == other
