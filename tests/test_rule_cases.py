"""The rule base's own test cases (``rules/no/tests/*.yaml``), one pytest test each.

pytest collects the same cases as ``advisor rules test`` (same loader, same engine, same
comparison), named by the case's ``name``; a failure shows where the case is written and what
differs, e.g. ``regime: expected part_iii, got part_ii``.
"""

from __future__ import annotations

import pytest
from rulebase_copies import working_rulebase

from advisor.assessor import Assessor
from advisor.rulebase import RuleBaseInvalid
from advisor.rulebase.loader import LoadedTest, RuleBase
from advisor.ruletests import case_of, differences
from advisor.settings import REPO_ROOT

RULES = REPO_ROOT / "rules" / "no"


def _load() -> tuple[RuleBase | None, list[str]]:
    try:
        return working_rulebase(), []
    except RuleBaseInvalid as invalid:
        return None, invalid.messages


RULEBASE, PROBLEMS = _load()
CASES: list[LoadedTest] = RULEBASE.tests if RULEBASE else []


def test_the_rule_base_loads() -> None:
    if PROBLEMS:
        pytest.fail("the rule base is invalid:\n" + "\n".join(PROBLEMS), pytrace=False)


@pytest.mark.parametrize("loaded", CASES, ids=[loaded.test.name for loaded in CASES])
def test_rule_case(loaded: LoadedTest, assessor: Assessor) -> None:
    assessment = assessor.assess(case_of(loaded))
    found = differences(assessment, loaded)
    if found:
        line, column = loaded.located.at((loaded.index,))
        where = f"{loaded.located.file}:{line}:{column}"
        pytest.fail(
            f"{where}: {loaded.test.name}\n" + "\n".join(f"    {item}" for item in found),
            pytrace=False,
        )


def test_no_rule_is_approved_on_a_developers_check() -> None:
    """«Godkjent» means a named lawyer approved the rule; the team's own reading of the source
    text is ``checked``, and says against which text."""
    assert RULEBASE is not None
    for loaded in RULEBASE.rules:
        rule = loaded.rule
        if rule.status.value == "approved":
            assert rule.reviewed is not None
            reviewer = rule.reviewed.by.lower()
            assert not any(word in reviewer for word in ("utvikler", "developer", "team")), (
                f"{loaded.id} is approved by '{rule.reviewed.by}'"
            )
        if rule.status.value == "checked":
            assert rule.checked is not None and rule.checked.against, loaded.id
    checked = [loaded for loaded in RULEBASE.rules if loaded.rule.status.value == "checked"]
    assert checked, "the rules read against the FOA text are marked checked"
