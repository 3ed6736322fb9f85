"""The social aim and target group (issue 4) travel from the answers to the result and the PDF."""

from __future__ import annotations

import io

from pypdf import PdfReader

CASE = {
    "law_as_of": "2026-03-01",
    "title": "Kantinedrift",
    "buyer_type": "county",
    "subject": "services",
    "cpv": "55524000",
    "estimated_value_nok": 2_000_000,
    "target_supplier": "wise",
    "social_aim": "training",
    "target_group": "young_outside_work",
}


def test_social_aim_and_target_group_are_shown_with_the_advice(client) -> None:
    created = client.post("/api/v1/assessments", json=CASE)
    assert created.status_code == 201
    body = created.get_json()
    assert body["case"]["social_aim"] == "training"
    assert body["case"]["target_group"] == "young_outside_work"

    page = client.get(f"/vurdering/{body['id']}").get_data(as_text=True)
    assert "arbeidstrening, læreplasser eller kvalifisering" in page.lower()
    assert "unge utenfor arbeid og utdanning" in page.lower()

    pdf = client.get(f"/api/v1/assessments/{body['id']}/guidance.pdf?lang=en").data
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Social aim Work training, apprenticeships or qualification" in text
    assert "Target group Young people outside work and education" in text


def test_an_unknown_social_aim_is_refused_by_name(client) -> None:
    response = client.post("/api/v1/assessments", json={**CASE, "social_aim": "charity"})
    assert response.status_code == 422
    assert "social_aim" in response.get_data(as_text=True)
