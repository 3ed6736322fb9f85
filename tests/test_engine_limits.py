"""A condition the rule engine (durable-rules) cannot compile is reported with file and line,
by `advisor rules check` and at start-up, instead of durable-rules' bare error code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.assessor import Assessor
from advisor.cli import DEFAULT_RULES, main
from advisor.rulebase import RuleBaseInvalid, load_rulebase

TOO_NESTED = Path(__file__).parent / "data" / "rule_too_nested.yaml"


@pytest.fixture
def rules_with_too_nested_rule(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES, folder)
    shutil.copy(TOO_NESTED, folder / "zz_big.yaml")
    return folder


def test_the_assessor_names_the_rule_the_engine_refuses(rules_with_too_nested_rule: Path) -> None:
    rulebase = load_rulebase(rules_with_too_nested_rule)
    with pytest.raises(RuleBaseInvalid) as invalid:
        Assessor(rulebase)
    (message,) = invalid.value.messages
    assert message.endswith(
        "zz_big.yaml:7:5: the rule engine (durable-rules) cannot compile this condition "
        "(Could not create ruleset, error code: 113); split it into simpler rules or fewer "
        "nested any/all"
    )


def test_rules_check_reports_it_and_exits_1(rules_with_too_nested_rule: Path) -> None:
    result = CliRunner().invoke(
        main, ["rules", "check", "--rules", str(rules_with_too_nested_rule)]
    )
    assert result.exit_code == 1
    assert "zz_big.yaml:7:5: the rule engine (durable-rules) cannot compile" in result.output
