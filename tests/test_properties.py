"""Property-based tests (hypothesis) over the Case model and the engine.

Any valid case gets an assessment and never an exception; evaluations are deterministic; the
result always states a regime, lists every route once, and gives a legal basis for every open
route and every obligation.
"""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from advisor.assessor import Assessor
from advisor.case import (
    MAX_VALUE_NOK,
    Answer,
    Arrangement,
    BuyerType,
    Case,
    ServiceType,
    Subject,
    TargetSupplier,
)

FIRST_LAW_DAY = dt.date(2017, 1, 1)

cpv_codes = st.one_of(
    st.none(),
    st.sampled_from(["90910000", "98310000", "85312000", "55524000", "79810000", "45000000"]),
    st.integers(min_value=3_000_000, max_value=99_999_999).map(lambda n: f"{n:08d}"),
)

amounts = st.one_of(
    st.integers(min_value=0, max_value=MAX_VALUE_NOK),
    st.sampled_from([99_999, 100_000, 1_299_999, 1_300_000, 2_300_000, 7_800_000, 57_800_000]),
)


def answers() -> st.SearchStrategy[Answer]:
    return st.sampled_from(list(Answer))


cases = st.builds(
    Case,
    law_as_of=st.dates(min_value=FIRST_LAW_DAY, max_value=dt.date(2030, 12, 31)),
    buyer_type=st.sampled_from(list(BuyerType)),
    arrangement=st.sampled_from(list(Arrangement)),
    subject=st.sampled_from(list(Subject)),
    service_type=st.one_of(st.none(), st.sampled_from(list(ServiceType))),
    cpv=cpv_codes,
    estimated_value_nok=amounts,
    duration_months=st.one_of(st.none(), st.integers(min_value=0, max_value=1200)),
    target_supplier=st.sampled_from(list(TargetSupplier)),
    wants_reservation=st.booleans(),
    supplier_meets_wise_conditions=answers(),
    supplier_meets_ideell_definition=answers(),
    suppliers_pay_dividends=answers(),
    divisible_into_lots=answers(),
    split_from_larger_need=answers(),
    grant_enforceable_obligation=answers(),
    in_house_private_ownership=answers(),
    in_house_control_and_activity=answers(),
    wants_direct_award=st.booleans(),
    wants_local_suppliers_only=st.booleans(),
    wants_social_award_criteria=st.booleans(),
    wants_social_contract_conditions=st.booleans(),
    wants_market_dialogue=st.booleans(),
    wants_innovation=st.booleans(),
    wants_user_choice=st.booleans(),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=cases)
def test_every_valid_case_gets_a_complete_deterministic_assessment(
    assessor: Assessor, case: Case
) -> None:
    first = assessor.assess(case)
    second = assessor.assess(case)

    assert first.model_dump(exclude={"generated_at"}) == second.model_dump(exclude={"generated_at"})
    assert first.regime.code != "undetermined", "every case must get a regime"
    codes = [route.code for route in first.routes]
    assert sorted(codes) == sorted(assessor.rulebase.catalog.routes), "each route listed once"
    for route in first.open_routes:
        assert route.legal_basis, f"open route {route.code} without legal basis"
    for route in first.closed_routes:
        assert route.why.nb and route.why.en, f"closed route {route.code} without a reason"
    for obligation in first.obligations:
        assert obligation.legal_basis, f"obligation {obligation.code} without legal basis"
    if case.law_as_of >= dt.date(2026, 7, 1):
        assert first.has_warning("unverified_law")
    json.dumps(first.public("nb"))
    json.dumps(first.public("en"))


@settings(max_examples=200, deadline=None)
@given(
    data=st.dictionaries(
        keys=st.sampled_from(
            ["buyer_type", "subject", "estimated_value_nok", "cpv", "law_as_of", "duration_months"]
        ),
        values=st.one_of(st.text(max_size=12), st.integers(), st.none(), st.booleans()),
    )
)
def test_arbitrary_input_is_either_a_valid_case_or_a_validation_error(data: dict) -> None:
    try:
        case = Case.model_validate(data)
    except ValidationError as error:
        assert error.errors(), "a rejection names what is wrong"
    else:
        assert case.estimated_value_nok >= 0
