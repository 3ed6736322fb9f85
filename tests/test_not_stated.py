"""Not asked is not "vet ikke": an answer left out of a Case is *not stated*, from the wizard or
the API through the saved assessment to the result page, the PDF and the API's JSON. A document
for the procurement file must never say the buyer answered "vet ikke" to a question nobody asked.
Records saved before the difference existed keep their wording."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from advisor.case import Case
from advisor.records import get_assessment, save_assessment
from advisor.state import current_state

#: A kommune's cleaning contract reserved for work-integration enterprises, as an API client
#: sends it: the supplier conditions, lots, subcontracting... are left out.
CLEANING = {
    "law_as_of": "2026-03-01",
    "title": "Renhold av kontorbygg",
    "buyer_type": "municipality",
    "subject": "services",
    "cpv": "90911200",
    "estimated_value_nok": 3_600_000,
    "duration_months": 48,
    "target_supplier": "wise",
    "wants_reservation": True,
}
DONT_KNOW = ("vet ikke", "Vet ikke", "don't know", "Don't know", "Don’t know")


def create(client: FlaskClient, **answers: Any) -> dict[str, Any]:
    response = client.post("/api/v1/assessments", json={**CLEANING, **answers})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def pdf_text(client: FlaskClient, rid: str, lang: str) -> str:
    response = client.get(f"/vurdering/{rid}/veiledning.pdf?lang={lang}")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    return " ".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def test_the_api_lists_facts_left_out_that_change_the_result_as_not_stated(
    client: FlaskClient,
) -> None:
    created = create(client)

    assert created["case"]["supplier_in_cleaning_register"] is None  # never "unknown"
    assert created["open_questions"] == [] and created["find_out"] == []
    not_stated = {item["field"]: item for item in created["not_stated"]}
    # "no" would bring the warning that the supplier must be in the cleaning register
    register = not_stated["supplier_in_cleaning_register"]
    assert register["advice"] and register["label"]
    (branch,) = register["branches"]
    assert branch["answer"] == "no"
    assert branch["adds_warnings"] == ["cleaning_supplier_not_approved"]
    # the supplier conditions are part of the case: not stated, and "no" changes nothing
    # that the rules read, so it is not listed
    assert "supplier_meets_ideell_definition" not in not_stated
    again = client.get(f"/api/v1/assessments/{created['id']}").get_json()
    assert again["not_stated"] == created["not_stated"]


def test_a_dont_know_answer_is_an_open_question_not_a_fact_not_stated(client: FlaskClient) -> None:
    created = create(client, supplier_in_cleaning_register="unknown")

    assert created["case"]["supplier_in_cleaning_register"] == "unknown"
    assert "supplier_in_cleaning_register" in {item["field"] for item in created["find_out"]}
    assert "supplier_in_cleaning_register" not in {i["field"] for i in created["not_stated"]}


def test_a_saved_case_keeps_what_was_left_out_through_a_change_of_answers(
    app: Flask, client: FlaskClient
) -> None:
    created = create(client)
    response = client.patch(
        f"/api/v1/assessments/{created['id']}", json={"divisible_into_lots": "no"}
    )
    assert response.status_code == 200, response.get_json()
    changed = response.get_json()

    assert changed["case"]["divisible_into_lots"] == "no"
    assert changed["case"]["supplier_in_cleaning_register"] is None
    assert "supplier_in_cleaning_register" in {item["field"] for item in changed["not_stated"]}
    with app.app_context():
        record = get_assessment(created["id"])
        assert record is not None
        assert "supplier_in_cleaning_register" not in record.case_json  # left out, as given
        assert record.case_json["divisible_into_lots"] == "no"
        assert set(record.assessment().case.given()) == {*CLEANING, "divisible_into_lots"}


def test_page_and_pdf_never_say_dont_know_without_a_dont_know_answer(
    app: Flask, client: FlaskClient
) -> None:
    rid = create(client)["id"]

    for lang in ("nb", "en"):
        html = client.get(f"/vurdering/{rid}?lang={lang}").get_data(as_text=True)
        assert not [word for word in DONT_KNOW if word in html], lang
        assert "unstated-supplier_in_cleaning_register" in html
        text = pdf_text(client, rid, lang)
        assert not [word for word in DONT_KNOW if word in text], lang
    assert "Ikke oppgitt, men" in pdf_text(client, rid, "nb")


def test_a_dont_know_answer_is_shown_as_the_buyer_gave_it(app: Flask, client: FlaskClient) -> None:
    rid = create(client, supplier_in_cleaning_register="unknown")["id"]

    html = client.get(f"/vurdering/{rid}").get_data(as_text=True)
    assert "Vet ikke" in html  # in the answers table
    assert "Vet ikke" in pdf_text(client, rid, "nb")


def test_the_pdf_answers_table_shows_only_what_was_answered(
    app: Flask, client: FlaskClient
) -> None:
    rid = create(client)["id"]

    text = pdf_text(client, rid, "nb").split("Svarene dine", 1)[1].split("Regler som er brukt")[0]
    with app.app_context():
        titles = {
            name: spec.title.nb for name, spec in current_state().rulebase.facts.inputs.items()
        }
    assert titles["target_supplier"] in text and "Arbeidsintegrerende virksomhet" in text
    for left_out in ("supplier_in_cleaning_register", "divisible_into_lots", "arrangement"):
        assert titles[left_out] not in text, left_out


# ------------------------------------------------------------ records saved before the change


def old_shape(app: Flask) -> str:
    """A record as saved before "not stated" existed: the Case stored whole, every answer left
    out stored as its old default "unknown", and no ``not_stated`` or warning branches."""
    with app.app_context():
        case = Case(
            law_as_of=dt.date(2026, 3, 1),
            buyer_type="municipality",
            arrangement="grant",
            subject="services",
            estimated_value_nok=400_000,
            grant_enforceable_obligation="unknown",
            supplier_meets_ideell_definition="unknown",
        )
        assessment = current_state().assessor.assess(case)
        record = save_assessment(assessment)
        result = dict(record.result_json)
        stored_case = {
            **Case.model_validate(result["case"]).model_dump(mode="json"),
            **{name: "unknown" for name in Case(**result["case"]).unstated()},
        }
        result["case"] = stored_case
        result.pop("not_stated")
        for question in result["open_questions"]:
            for branch in question["branches"]:
                branch.pop("adds_warnings")
                branch.pop("removes_warnings")
        record.result_json = result
        record.case_json = stored_case
        from advisor.db import get_session

        get_session().commit()
        return record.id


def test_a_record_saved_before_keeps_its_wording(app: Flask, client: FlaskClient) -> None:
    rid = old_shape(app)

    html = client.get(f"/vurdering/{rid}").get_data(as_text=True)
    # the old record's answers were all stored; they still read as they did
    assert "Leverandøren oppfyller definisjonen av ideell organisasjon" in html
    assert "Vet ikke" in html
    assert "Dette bør du finne ut" in html
    assert "Vet ikke" in pdf_text(client, rid, "nb")
    api = client.get(f"/api/v1/assessments/{rid}").get_json()
    assert api["case"]["supplier_in_cleaning_register"] == "unknown"
    assert api["not_stated"] == []
    assert [q["field"] for q in api["open_questions"]] == ["grant_enforceable_obligation"]
    assert api["open_questions"][0]["branches"][0]["adds_warnings"] == []
