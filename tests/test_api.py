"""The JSON API (/api/v1): the v1 contract of design.md section 4, problem+json errors, languages,
saved assessments (stored result, re-assess, delete, concurrent answers) and the guidance PDF."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advisor import db, records

PROBLEM = "application/problem+json"
CASE: dict[str, Any] = {
    "law_as_of": "2026-03-01",
    "title": "Renhold rådhuset",
    "buyer_type": "municipality",
    "subject": "services",
    "cpv": "90910000",
    "estimated_value_nok": 3_600_000,
    "duration_months": 24,
    "target_supplier": "wise",
    "wants_reservation": True,
}
REGIMES = {"outside_scope", "part_i", "part_ii", "part_iii", "part_iv", "not_procurement"}


@pytest.fixture
def app(make_app) -> Flask:
    return make_app(API_RATE_LIMIT="10000/minute", PDF_RATE_LIMIT="1000/minute")


def create(client: FlaskClient, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/assessments", json={**CASE, **changes})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def assert_problem(response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["title"] and body["type"]
    return body


# ---------------------------------------------------------------------------- the contract


def test_post_returns_201_with_the_v1_assessment(client):
    response = client.post("/api/v1/assessments", json=CASE)
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert response.headers["Location"] == f"/api/v1/assessments/{data['id']}"
    for key in ("id", "ruleset", "regime", "routes", "obligations", "warnings", "trail"):
        assert key in data
    assert set(data["ruleset"]) >= {"jurisdiction", "version", "law_as_of"}
    assert data["ruleset"]["law_as_of"] == "2026-03-01"
    assert data["ruleset"]["jurisdiction"] == "no"
    assert set(data["regime"]) >= {"code", "legal_basis"}
    assert data["regime"]["code"] == "part_iii"
    assert all(isinstance(item, str) for item in data["regime"]["legal_basis"])
    for route in data["routes"]:
        assert set(route) >= {"code", "available", "legal_basis", "title", "why"}
    reserved = next(r for r in data["routes"] if r["code"] == "reserved_wise")
    assert reserved["available"] is True
    assert "FOA § 16-9" in reserved["legal_basis"]
    for obligation in data["obligations"]:
        assert set(obligation) >= {"code", "legal_basis"}
    for warning in data["warnings"]:
        assert set(warning) >= {"code", "message"}
    assert data["case"]["estimated_value_nok"] == 3_600_000
    assert data["title"] == "Renhold rådhuset"
    assert data["revision"] == 1


def test_regime_codes_are_from_the_contract(client):
    for value in (50_000, 500_000, 1_600_000, 9_000_000):
        assert create(client, estimated_value_nok=value)["regime"]["code"] in REGIMES


def test_get_shows_the_stored_result_not_a_recomputed_one(app, client):
    created = create(client)
    # Change the stored result behind the API's back: GET must show what was stored.
    with app.app_context():
        record = records.get_assessment(created["id"])
        result = dict(record.result_json)
        result["regime"] = {**result["regime"], "code": "part_ii"}
        record.result_json = result
        db.get_session().commit()
    response = client.get(f"/api/v1/assessments/{created['id']}")
    assert response.status_code == 200
    assert response.get_json()["regime"]["code"] == "part_ii"
    assert response.headers["ETag"] == '"2"'


def test_language_from_query_or_accept_language(client):
    created = create(client)
    url = f"/api/v1/assessments/{created['id']}"
    nb = client.get(url).get_json()
    en = client.get(url + "?lang=en").get_json()
    by_header = client.get(url, headers={"Accept-Language": "en-GB,en;q=0.8"}).get_json()
    assert nb["lang"] == "nb" and en["lang"] == "en" and by_header["lang"] == "en"
    assert nb["regime"]["title"] != en["regime"]["title"]
    assert by_header["regime"]["title"] == en["regime"]["title"]
    assert client.get(url, headers={"Accept-Language": "nn-NO"}).get_json()["lang"] == "nb"
    body = assert_problem(client.get(url + "?lang=de"), 422)
    assert body["invalid_params"][0]["name"] == "lang"


def test_delete_then_404(client):
    created = create(client)
    url = f"/api/v1/assessments/{created['id']}"
    assert client.delete(url).status_code == 204
    assert_problem(client.get(url), 404)
    assert_problem(client.delete(url), 404)


def test_unknown_ids_are_404(client):
    for assessment_id in ("nope", "0" * 22, "x" * 300):
        assert_problem(client.get(f"/api/v1/assessments/{assessment_id}"), 404)
        assert_problem(client.get(f"/api/v1/assessments/{assessment_id}/guidance.pdf"), 404)
        assert_problem(client.post(f"/api/v1/assessments/{assessment_id}/reassess"), 404)
        assert_problem(client.patch(f"/api/v1/assessments/{assessment_id}", json={}), 404)


# ---------------------------------------------------------------------------- bad input


def test_malformed_json_is_400(client):
    for raw in (b"{bad", b"", b"\xff\xfe", b'{"a": NaN}', b"[" * 100_000):
        response = client.post("/api/v1/assessments", data=raw, content_type="application/json")
        assert_problem(response, 400 if len(raw) < 50_000 else 413)


def test_wrong_content_type_is_415(client):
    response = client.post("/api/v1/assessments", data="a=1", content_type="text/plain")
    assert_problem(response, 415)
    response = client.post("/api/v1/assessments", data={"buyer_type": "state"})
    assert_problem(response, 415)


def test_oversized_body_is_413(client):
    big = {**CASE, "title": "x" * 200_000}
    assert_problem(client.post("/api/v1/assessments", json=big), 413)


def test_invalid_fields_are_each_named_in_the_users_language(client):
    bad = {**CASE, "estimated_value_nok": -5, "buyer_type": "kommune", "colour": "red"}
    del bad["subject"]
    nb = assert_problem(client.post("/api/v1/assessments", json=bad), 422)
    names = {item["name"] for item in nb["invalid_params"]}
    assert names == {"estimated_value_nok", "buyer_type", "colour", "subject"}
    reasons = {item["name"]: item["reason"] for item in nb["invalid_params"]}
    assert reasons["subject"] == "Feltet må fylles ut."
    assert reasons["estimated_value_nok"] == "Må være minst 0."
    en = assert_problem(client.post("/api/v1/assessments?lang=en", json=bad), 422)
    reasons = {item["name"]: item["reason"] for item in en["invalid_params"]}
    assert reasons["subject"] == "This field is required."
    assert reasons["colour"] == "Unknown field."


def test_wrong_types_and_non_objects_are_422(client):
    for raw in ("[]", '"case"', "3", "null"):
        response = client.post("/api/v1/assessments", data=raw, content_type="application/json")
        assert_problem(response, 422)
    bad = {**CASE, "estimated_value_nok": "lots", "law_as_of": "yesterday", "cpv": "123"}
    problem = assert_problem(client.post("/api/v1/assessments?lang=en", json=bad), 422)
    reasons = {item["name"]: item["reason"] for item in problem["invalid_params"]}
    assert set(reasons) == {"estimated_value_nok", "law_as_of", "cpv"}
    assert "8 digits" in reasons["cpv"]


def test_law_date_before_the_rule_base_is_422_with_a_clear_message(client):
    problem = assert_problem(
        client.post("/api/v1/assessments?lang=en", json={**CASE, "law_as_of": "2001-05-01"}), 422
    )
    assert problem["invalid_params"][0]["name"] == "law_as_of"
    assert "2017" in problem["detail"] and "earlier" in problem["detail"]
    problem = assert_problem(
        client.post("/api/v1/assessments", json={**CASE, "law_as_of": "0001-01-01"}), 422
    )
    assert "tidligere" in problem["detail"]


# ---------------------------------------------------------------------------- changing answers


def test_patch_changes_answers_and_reassesses(client):
    created = create(client)
    url = f"/api/v1/assessments/{created['id']}"
    response = client.patch(url, json={"estimated_value_nok": 500_000})
    assert response.status_code == 200
    data = response.get_json()
    assert data["regime"]["code"] == "part_i"
    assert data["case"]["cpv"] == "90910000"  # unchanged answers are kept
    assert data["revision"] == 2
    assert_problem(client.patch(url, json={"estimated_value_nok": "x"}), 422)
    assert_problem(client.patch(url, json={"law_as_of": "2000-01-01"}), 422)
    assert client.get(url).get_json()["revision"] == 2


def test_patch_with_an_outdated_if_match_is_412(client):
    created = create(client)
    url = f"/api/v1/assessments/{created['id']}"
    ok = client.patch(url, json={"duration_months": 36}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["ETag"] == '"2"'
    stale = client.patch(url, json={"duration_months": 48}, headers={"If-Match": '"1"'})
    assert_problem(stale, 412)
    assert client.get(url).get_json()["case"]["duration_months"] == 36
    anyone = client.patch(url, json={"duration_months": 60}, headers={"If-Match": "*"})
    assert anyone.status_code == 200 and anyone.get_json()["case"]["duration_months"] == 60


def test_two_concurrent_saves_never_lose_an_answer(app):
    created = create(app.test_client())
    url = f"/api/v1/assessments/{created['id']}"
    answers = [
        {"duration_months": 48},
        {"title": "Renhold, alle bygg"},
        {"divisible_into_lots": "yes"},
        {"wants_market_dialogue": True},
        {"recurring_need": "yes"},
        {"wants_social_contract_conditions": True},
    ]
    barrier = threading.Barrier(len(answers))
    statuses: list[int] = []

    def save(answer: dict[str, Any]) -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.patch(url, json=answer).status_code)

    threads = [threading.Thread(target=save, args=(answer,)) for answer in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(answers)
    stored = app.test_client().get(url).get_json()
    for answer in answers:
        for key, value in answer.items():
            expected = value
            assert (stored["case"].get(key) if key != "title" else stored["title"]) == expected
    assert stored["revision"] == 1 + len(answers)


# ---------------------------------------------------------------------------- re-assess


def test_reassess_reports_what_changed(app, client):
    created = create(client)
    url = f"/api/v1/assessments/{created['id']}"
    unchanged = client.post(url + "/reassess").get_json()
    assert unchanged["changes"]["changed"] is False
    assert unchanged["saved"] is False
    # Pretend the stored result was made by older rules that said Part II with no routes open.
    with app.app_context():
        record = records.get_assessment(created["id"])
        result = dict(record.result_json)
        result["regime"] = {**result["regime"], "code": "part_ii"}
        result["routes"] = [{**r, "available": False} for r in result["routes"]]
        result["obligations"] = result["obligations"][1:]
        result["ruleset"] = {**result["ruleset"], "version": "old-rules"}
        record.result_json = result
        db.get_session().commit()
    response = client.post(url + "/reassess?lang=en")
    assert response.status_code == 200
    data = response.get_json()
    changes = data["changes"]
    assert changes["changed"] is True
    assert changes["regime"] == {"before": "part_ii", "after": "part_iii", "changed": True}
    assert "reserved_wise" in changes["routes_opened"]
    assert changes["routes_closed"] == []
    assert changes["obligations_added"] == [created["obligations"][0]["code"]]
    assert changes["ruleset"]["before"] == "old-rules"
    assert data["assessment"]["regime"]["code"] == "part_iii"
    # Not saved unless asked: the stored result is still the old one.
    assert client.get(url).get_json()["regime"]["code"] == "part_ii"
    saved = client.post(url + "/reassess?save=true").get_json()
    assert saved["saved"] is True
    assert client.get(url).get_json()["regime"]["code"] == "part_iii"
    assert_problem(client.post(url + "/reassess?save=maybe"), 422)


# ---------------------------------------------------------------------------- PDF, spec, docs


def test_guidance_pdf(client):
    created = create(client)
    response = client.get(f"/api/v1/assessments/{created['id']}/guidance.pdf?lang=en")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert "attachment" in response.headers["Content-Disposition"]


def test_the_openapi_document_describes_every_field_an_assessment_answers_with(client):
    """What a client generated from the document reads: every key the API answers with is
    described, down to the items of each list."""
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]

    def described(name: str) -> set[str]:
        return set(schemas[name]["properties"])

    created = create(client)
    grant = {"arrangement": "grant", "estimated_value_nok": 400_000}
    health = {"service_type": "health_social", "estimated_value_nok": 2_000_000}
    unknown = "unknown"  # "vet ikke": an open question, a thing to find out
    created["open_questions"] = create(client, **grant, grant_enforceable_obligation=unknown)[
        "open_questions"
    ]
    created["find_out"] = create(client, **health, involves_public_authority=unknown)["find_out"]
    created["not_stated"] = create(client, **grant)["not_stated"]  # left out: not stated
    assert set(created) <= described("AssessmentOut")
    for key, name in (("regime", "PublicRegime"), ("ruleset", "RulesetInfo")):
        assert set(created[key]) <= described(name), key
    for key, name in (
        ("routes", "PublicRoute"),
        ("obligations", "PublicObligation"),
        ("warnings", "PublicWarning"),
        ("trail", "TrailEntry"),
        ("documents", "SourceDocument"),
        ("open_questions", "PublicOpenQuestion"),
        ("find_out", "PublicFindOut"),
        ("not_stated", "PublicOpenQuestion"),
    ):
        assert created[key], key
        for item in created[key]:
            assert set(item) <= described(name), key


def test_openapi_document_is_generated_from_the_models(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert set(paths) >= {
        "/api/v1/assessments",
        "/api/v1/assessments/{assessment_id}",
        "/api/v1/assessments/{assessment_id}/reassess",
        "/api/v1/assessments/{assessment_id}/guidance.pdf",
    }
    schemas = document["components"]["schemas"]
    case = schemas["Case"]
    for field in (
        "law_as_of",
        "buyer_type",
        "arrangement",
        "subject",
        "service_type",
        "cpv",
        "estimated_value_nok",
        "duration_months",
        "target_supplier",
        "wants_reservation",
    ):
        assert field in case["properties"]
    assert schemas["BuyerType"]["enum"] == ["municipality", "county", "state", "other_public_body"]
    post = paths["/api/v1/assessments"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/Case")
    assert "application/problem+json" in post["responses"]["422"]["content"]
    pdf = paths["/api/v1/assessments/{assessment_id}/guidance.pdf"]["get"]
    assert "application/pdf" in pdf["responses"]["200"]["content"]


def test_docs_page(client):
    response = client.get("/api/v1/docs?lang=en")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "POST /api/v1/assessments" in text
    assert "estimated_value_nok" in text
    assert "<script" not in text


def test_api_needs_no_csrf_token(client):
    # The app fixture has CSRF on; the API is exempt (blueprint named "api").
    assert client.post("/api/v1/assessments", json=CASE).status_code == 201


def test_rate_limit_gives_problem_json(make_app):
    app = make_app(API_RATE_LIMIT="2/minute")
    client = app.test_client()
    for _ in range(2):
        client.get("/api/v1/assessments/unknown")
    response = client.get("/api/v1/assessments/unknown")
    assert_problem(response, 429)


def test_pdf_has_its_own_stricter_rate_limit(make_app):
    app = make_app(API_RATE_LIMIT="1000/minute", PDF_RATE_LIMIT="1/minute")
    client = app.test_client()
    created = create(client)
    url = f"/api/v1/assessments/{created['id']}/guidance.pdf"
    assert client.get(url).status_code == 200
    assert_problem(client.get(url), 429)
    assert client.get(f"/api/v1/assessments/{created['id']}").status_code == 200


# ---------------------------------------------------------------------------- stored results, ETag


def test_a_result_stored_before_a_field_existed_is_shown_with_its_default(app, client):
    """A saved result from before ``documents`` were listed (or with a key this code no longer
    writes) is shown as stored, the missing field at its default, not recomputed."""
    created = create(client)
    assert created["documents"]
    with app.app_context():
        record = records.get_assessment(created["id"])
        result = dict(record.result_json)
        result.pop("documents", None)
        result["stored_format"] = "1-0123456789abcdef"  # a mark code at migration 0005 wrote
        record.result_json = result
        db.get_session().commit()
    shown = client.get(f"/api/v1/assessments/{created['id']}").get_json()
    assert shown["documents"] == []
    assert shown["regime"] == created["regime"] and shown["trail"] == created["trail"]
    assert "stored_format" not in shown


def test_if_none_match_gives_304_while_the_assessment_is_unchanged(client):
    created = create(client)
    url = f"/api/v1/assessments/{created['id']}"
    first = client.get(url)
    assert first.headers["ETag"] == '"1"'
    for tag in ('"1"', 'W/"1"', '"0", "1"', "*"):
        response = client.get(url, headers={"If-None-Match": tag})
        assert response.status_code == 304, tag
        assert response.data == b""
        assert response.headers["ETag"] == '"1"'
        assert response.headers["Cache-Control"] == "no-store"
    assert client.get(url, headers={"If-None-Match": '"0"'}).status_code == 200
    assert client.patch(url, json={"title": "Nytt navn"}).status_code == 200
    changed = client.get(url, headers={"If-None-Match": '"1"'})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    assert changed.get_json() == client.get(url).get_json()
    missing = client.get("/api/v1/assessments/nope", headers={"If-None-Match": "*"})
    assert_problem(missing, 404)
