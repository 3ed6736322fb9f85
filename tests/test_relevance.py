"""The relevance analysis (``Assessor.fields_that_matter``): which answers not given yet can
still change the result. It may call a field relevant that is not (it asks a little too much),
never the reverse: brute force on sampled cases shows that every field it calls irrelevant
gives the same result, whatever value it takes and whatever the other unknown fields are."""

from __future__ import annotations

import random
from typing import Any

import pytest

from advisor.assessor import Assessor
from advisor.case import Case, fact_values
from advisor.rulebase import conditions
from advisor.rulebase.conditions import ABSENT, All, Any_, Leaf
from advisor.samples import CaseSampler

#: The fields the wizard asks (the title and the law date aside).
FIELDS = [name for name in Case.model_fields if name not in ("title", "law_as_of")]
SAMPLED_CASES = 150


@pytest.fixture(scope="module")
def sampler(rulebase: Any, assessor: Assessor) -> CaseSampler:
    return CaseSampler(rulebase, assessor.periods)


def result(assessor: Assessor, data: dict[str, Any]) -> tuple[Any, ...]:
    """What a buyer is told, as the rules decide it: the regime, every rule that fired (routes
    opened and closed, obligations, warnings), and the draft rules the advice rests on."""
    period, _facts, outcome = assessor.outcome(Case.model_validate(data), "plain")
    prepared = assessor.prepared.periods[period.start]
    used = [*outcome.derived_by.values(), *outcome.fired]
    drafts = {
        rule_id
        for rule_id in used
        if (prepared.rules.get(rule_id) or prepared.cases.get(rule_id)).draft  # type: ignore[union-attr]
    }
    return outcome.derived.get("regime"), frozenset(outcome.fired), frozenset(drafts)


def values_to_try(name: str, sampler: CaseSampler, rng: random.Random, date: Any) -> list[Any]:
    """Every value of a closed field; for open ones, values around the thresholds and tables."""
    closed = fact_values(name)
    if closed is not None:
        return list(closed)
    if name == "estimated_value_nok":
        return [sampler.amount(rng, date) for _ in range(6)]
    if name == "cpv":  # cleaning and a sub-code (a draft), works, research, rescue, annex 2-4
        edges = ["90910000", "90911000", "45000000", "73000000", "75250000", "85312000"]
        return [None, *edges, *(sampler.cpv(rng) for _ in range(4))]
    if name == "duration_months":
        return [None, 0, 3, 4, 12, 48, 49, 60, 120]
    raise AssertionError(f"no values to try for {name}")


def test_a_field_called_irrelevant_never_changes_the_result(
    assessor: Assessor, sampler: CaseSampler
) -> None:
    rng = random.Random(17)
    checked = 0
    for case in sampler.cases(SAMPLED_CASES, seed=17):
        data = case.model_dump(mode="json")
        unknown = rng.sample(FIELDS, rng.randint(1, len(FIELDS)))
        matters = assessor.fields_that_matter(data, unknown)
        assert matters <= set(unknown)
        # the other unknown fields as this case has them, and as two other cases have them
        completions = [data]
        for other in sampler.cases(2, seed=rng.randint(0, 10**6)):
            if other.law_as_of == case.law_as_of:
                other_data = other.model_dump(mode="json")
                completions.append({**data, **{name: other_data[name] for name in unknown}})
        for name in set(unknown) - matters:
            tried = values_to_try(name, sampler, rng, case.law_as_of)
            for completion in completions:
                expected = result(assessor, completion)
                for value in tried:
                    changed = {**completion, name: value}
                    assert result(assessor, changed) == expected, (
                        f"{name}={value!r} changes the result, but was called irrelevant "
                        f"(known: { {k: v for k, v in data.items() if k not in unknown} }, "
                        f"unknown: {sorted(unknown)})"
                    )
                    checked += 1
    assert checked > 2000  # the test compared enough cases to mean something


def test_with_everything_known_nothing_is_left_to_matter(
    assessor: Assessor, sampler: CaseSampler
) -> None:
    for case in sampler.cases(20, seed=3):
        assert assessor.fields_that_matter(case.model_dump(mode="json"), []) == frozenset()


CLEANING = {
    "law_as_of": "2026-12-07",
    "arrangement": "contract",
    "buyer_type": "municipality",
    "subject": "services",
    "cpv": "90910000",
    "estimated_value_nok": 3_600_000,
    "duration_months": 48,
}


def unknown_but(known: dict[str, Any]) -> list[str]:
    return [name for name in FIELDS if name not in known]


def test_the_climate_exemption_matters_only_under_the_law_from_1_july_2026(
    assessor: Assessor,
) -> None:
    after = assessor.fields_that_matter(CLEANING, unknown_but(CLEANING))
    before = {**CLEANING, "law_as_of": "2026-06-30"}
    assert "climate_exemption" in after
    assert "climate_exemption" not in assessor.fields_that_matter(before, unknown_but(before))


def test_the_supplier_questions_matter_only_when_the_buyer_has_such_a_supplier_in_mind(
    assessor: Assessor,
) -> None:
    wise = {**CLEANING, "target_supplier": "wise", "wants_reservation": True}
    matters = assessor.fields_that_matter(wise, unknown_but(wise))
    assert "supplier_meets_wise_conditions" in matters  # an ineligible supplier is warned of
    assert "supplier_meets_ideell_definition" not in matters
    assert "suppliers_pay_dividends" not in matters
    nobody = {**CLEANING, "target_supplier": "none", "wants_reservation": False}
    matters = assessor.fields_that_matter(nobody, unknown_but(nobody))
    assert "supplier_meets_wise_conditions" not in matters


def test_an_unknown_law_date_matters_and_is_analysed_in_every_period(assessor: Assessor) -> None:
    known = {name: value for name, value in CLEANING.items() if name != "law_as_of"}
    matters = assessor.fields_that_matter(known, ["law_as_of", *unknown_but(CLEANING)])
    assert "law_as_of" in matters
    assert "climate_exemption" in matters  # it matters in the period from 1 July 2026


# ---------------------------------------------------------------- the three-valued evaluation


def leaf(fact: str, op: str, operand: Any) -> Leaf:
    return Leaf(fact, op, operand)


@pytest.mark.parametrize(
    ("node", "possible", "expected"),
    [
        (leaf("x", "eq", "a"), None, None),  # any value: undecided
        (leaf("x", "in", ("a", "b")), ("a", "b"), True),  # every possible value holds
        (leaf("x", "eq", "c"), ("a", "b", ABSENT), False),  # none does, not given included
        (leaf("x", "eq", "a"), ("a", ABSENT), None),  # not given: the comparison fails
        (All((leaf("x", "eq", "c"), leaf("y", "eq", 1))), None, False),  # y decides it
        (Any_((leaf("x", "eq", "c"), leaf("y", "eq", 2))), None, True),
        (All((leaf("x", "eq", "a"), leaf("y", "eq", 2))), None, None),
    ],
)
def test_unknown_facts_make_a_condition_three_valued(
    node: conditions.Node, possible: Any, expected: bool | None
) -> None:
    facts = {"x": "a", "y": 2}  # x is unknown: its value here is ignored
    assert conditions.evaluate(node, facts, {}, unknown={"x": possible}) is expected
    # without unknown facts it is the ordinary two-valued evaluation
    assert conditions.evaluate(node, facts, {}) in (True, False)
