"""Guidance documents and decisions that fired rules rely on reach the Assessment and the PDF."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from advisor.assessor import Assessor
from advisor.case import Case
from advisor.guidance import render_pdf
from advisor.rulebase import RuleBase


def test_documents_of_fired_rules_are_listed_in_the_json_and_the_pdf(
    rulebase: RuleBase, assessor: Assessor
) -> None:
    assessment = assessor.assess(
        Case(
            law_as_of=dt.date(2026, 3, 1),
            buyer_type="municipality",
            subject="services",
            cpv="90910000",
            estimated_value_nok=3_600_000,
            target_supplier="wise",
            wants_reservation=True,
        )
    )
    fired = {entry.rule for entry in assessment.trail}
    expected = {
        source for loaded in rulebase.rules if loaded.id in fired for source in loaded.rule.sources
    }
    assert expected, "the reserved-WISE case fires rules that cite guidance"
    assert {document.id for document in assessment.documents} == expected
    public = assessment.public("en")["documents"]
    assert all(item["url"].startswith("https://") for item in public)

    text = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(render_pdf(assessment, "nb", rulebase=rulebase))).pages
    )
    assert "Veiledere, avgjørelser og forarbeider" in text
    first = assessment.documents[0].title
    assert first.split(",")[0] in text
