"""Property-based tests of the JSON API against its own OpenAPI document (schemathesis).

Schemathesis reads /api/v1/openapi.json from the Flask app (WSGI, no server) and, for every
operation, sends generated requests, both valid (positive) and invalid (negative) ones. Every
response must conform to the document (status code, media type, headers, schema), invalid input
must be rejected with a 4xx, and nothing may ever answer 500. Half the cases that name an
assessment get the id of a real saved one, so the stored paths are exercised too. Bounded: a few
dozen examples per operation and mode, well under a minute in all.
"""

from __future__ import annotations

import hashlib

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

MAX_EXAMPLES = 40
CASE = {
    "law_as_of": "2026-03-01",
    "buyer_type": "municipality",
    "subject": "services",
    "cpv": "90910000",
    "estimated_value_nok": 3_600_000,
    "target_supplier": "wise",
}


@pytest.fixture
def api_app(make_app):
    return make_app(API_RATE_LIMIT="100000/minute", PDF_RATE_LIMIT="100000/minute")


@pytest.fixture
def saved_id(api_app) -> str:
    response = api_app.test_client().post("/api/v1/assessments", json=CASE)
    assert response.status_code == 201
    return response.get_json()["id"]


def operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_openapi_document(api_app, saved_id, mode):
    tested = []
    for operation in operations(api_app):
        tested.append(operation.label)

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case):
            if "assessment_id" in (case.path_parameters or {}):
                seed = repr((case.query, case.body, case.headers)).encode()
                if hashlib.sha256(seed).digest()[0] % 2 == 0:
                    case.path_parameters["assessment_id"] = saved_id
            case.call_and_validate()

        check()
    assert len(tested) >= 6, tested
