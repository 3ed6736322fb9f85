"""Questions added for the law from 1 July 2026 are asked only where the answer can change the
result (issue 15): the climate exemption for purchases inside the rules from that day, and
"only one possible supplier" when the buyer wants to award without a competition."""

from __future__ import annotations

from typing import Any

import pytest

from advisor.case import Case
from advisor.rulebase import load_rulebase
from advisor.rulebase.questions import Tree
from advisor.rulebase.questions_yaml import parse_tree
from advisor.settings import REPO_ROOT

RULES = REPO_ROOT / "rules" / "no"

BASE: dict[str, Any] = {
    "law_as_of": "2026-12-07",
    "arrangement": "contract",
    "buyer_type": "municipality",
    "subject": "services",
    "cpv": "90910000",
    "estimated_value_nok": 3_600_000,
    "is_framework_agreement": "no",
    "recurring_need": "yes",
    "split_from_larger_need": "no",
    "target_supplier": "wise",
    "wants_reservation": "yes",
    "wishes": [],
}


@pytest.fixture(scope="module")
def tree() -> Tree:
    rulebase = load_rulebase(RULES)
    parsed, errors = parse_tree(rulebase.questions, rulebase.questions_located)
    assert errors == []
    return parsed


def asked(tree: Tree, **changes: Any) -> set[str]:
    walk = tree.walk({**BASE, **changes})
    return {question.id for questions in walk.questions.values() for question in questions}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, True),
        ({"law_as_of": "2026-07-01"}, True),
        ({"law_as_of": "2026-06-30"}, False),  # the 2024 text has no such choice to make
        ({"estimated_value_nok": 500_000}, True),
        ({"estimated_value_nok": 499_999}, False),  # below the 2026 lower limit
        ({"arrangement": "grant", "grant_enforceable_obligation": "no"}, False),
        ({"arrangement": "grant", "grant_enforceable_obligation": "yes"}, True),
        (
            {
                "arrangement": "in_house",
                "in_house_control_and_activity": "yes",
                "in_house_private_ownership": "no",
            },
            False,
        ),
    ],
)
def test_climate_exemption_is_asked_from_1_july_2026_inside_the_rules(
    tree: Tree, changes: dict[str, Any], expected: bool
) -> None:
    assert ("climate_exemption" in asked(tree, **changes)) is expected


def test_the_climate_answer_reaches_the_case(tree: Tree) -> None:
    data = tree.case_data({**BASE, "climate_exemption": "essential_interests"})
    assert Case.model_validate(data).climate_exemption == "essential_interests"
    data = tree.case_data({**BASE, "climate_exemption": "unknown"})
    assert Case.model_validate(data).climate_exemption == "unknown"  # "vet ikke", as answered


def test_only_one_supplier_is_asked_when_a_direct_award_is_wanted(tree: Tree) -> None:
    assert "only_one_possible_supplier" not in asked(tree)
    assert "only_one_possible_supplier" not in asked(tree, wishes=["conditions", "dialogue"])
    assert "only_one_possible_supplier" in asked(tree, wishes=["direct_award"])
    data = tree.case_data({**BASE, "wishes": ["direct_award"], "only_one_possible_supplier": "yes"})
    assert Case.model_validate(data).only_one_possible_supplier == "yes"
