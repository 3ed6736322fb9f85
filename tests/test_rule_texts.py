"""Texts may name parameters ({name}); citations are checked down to the paragraph."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from advisor.assessor import Assessor
from advisor.case import Case
from advisor.cli import DEFAULT_RULES
from advisor.rulebase import RuleBaseInvalid, load_rulebase


def copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES, target)
    return target


def add_rule(folder: Path, text: str) -> None:
    (folder / "extra.yaml").write_text(text, encoding="utf-8")


RULE = """
- id: protocol.extra_note
  title: {{nb: Merknad, en: Note}}
  status: draft
  note: test rule
  legal_basis: ["{citation}"]
  when: {{regime: part_i}}
  then: {{obligation: protocol}}
  explain:
    nb: "Grensen er {{{param}}}."
    en: "The limit is {{{param}}}."
"""


def test_a_parameter_named_in_a_text_is_filled_in_with_its_dated_value(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    add_rule(folder, RULE.format(citation="FOA § 7-1", param="national_threshold"))
    rulebase = load_rulebase(folder)
    assessor = Assessor(rulebase)
    try:
        case = Case(
            law_as_of=dt.date(2026, 3, 1),
            buyer_type="municipality",
            subject="goods",
            estimated_value_nok=500_000,
        )
        obligation = next(o for o in assessor.assess(case).obligations if o.code == "protocol")
    finally:
        assessor.close()
    assert "Grensen er 1\u00a0300\u00a0000\u00a0kr." in obligation.why.nb
    assert "The limit is NOK\u00a01,300,000." in obligation.why.en


def test_an_unknown_parameter_in_a_text_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    folder = copy_rules(tmp_path)
    add_rule(folder, RULE.format(citation="FOA § 7-1", param="national_treshold"))
    with pytest.raises(RuleBaseInvalid) as invalid:
        load_rulebase(folder)
    message = "\n".join(invalid.value.messages)
    assert "extra.yaml:" in message
    assert (
        "unknown parameter '{national_treshold}' in text (did you mean 'national_threshold'?)"
        in message
    )


@pytest.mark.parametrize(
    ("citation", "problem"),
    [
        ("FOA § 8-8 (9)", "FOA § 8-8 has"),
        ("FOA § 99-1", "FOA has no § 99-1"),
        ("FOA vedlegg 9", "FOA has no vedlegg 9"),
    ],
)
def test_citations_are_checked_against_the_foa_text(
    tmp_path: Path, citation: str, problem: str
) -> None:
    folder = copy_rules(tmp_path)
    add_rule(folder, RULE.format(citation=citation, param="national_threshold"))
    with pytest.raises(RuleBaseInvalid) as invalid:
        load_rulebase(folder)
    assert any("extra.yaml:" in m and problem in m for m in invalid.value.messages)


def test_a_text_cut_at_a_comma_in_a_flow_mapping_is_an_error(tmp_path: Path) -> None:
    """`{nb: a, b, en: c}` is YAML for three keys: the text would silently lose ", b"."""
    folder = copy_rules(tmp_path)
    add_rule(
        folder,
        RULE.format(citation="FOA § 7-1", param="national_threshold").replace(
            "title: {nb: Merknad, en: Note}", "title: {nb: Merknad, med komma, en: Note}"
        ),
    )
    with pytest.raises(RuleBaseInvalid) as invalid:
        load_rulebase(folder)
    assert any(
        "extra.yaml:3:" in m and "unknown key 'med komma'" in m for m in invalid.value.messages
    )
