"""Bad rule files get a specific ``file:line:col: message``; nothing else ever escapes the loader.

Every negative test works on a temporary copy of ``rules/no`` and adds its own small bad file (or
one small edit), so the tests do not depend on how many rules the real rule base has. Expected
positions are computed from where the bad text stands in the file the test wrote.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from rulebase_copies import RULES, copy_rules, pristine_rules

from advisor.cli import main as cli
from advisor.rulebase import RuleBaseInvalid, load_rulebase
from advisor.rulebase.yamlsrc import load_yaml

# A valid rule to start from; tests replace one line of it.
GOOD_RULE = """\
- id: zz.probe
  title: {nb: Prøveregel, en: Probe rule}
  status: approved
  reviewed: {by: "Test", on: 2026-11-25}
  legal_basis: ["FOA § 8-8"]
  sources: [nfd_reserverte_kontrakter]
  when:
    all:
      - regime: part_ii
      - estimated_value_nok: {gte: $national_threshold}
  then: {route: reserved_wise}
  explain: {nb: Forklaring., en: Explanation.}
"""


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    """A private copy of the real rule base (its committed version while rules/no is broken)."""
    return copy_rules(tmp_path / "rules")


def position(path: Path, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column of the ``occurrence``-th ``needle`` in the file."""
    text = path.read_text(encoding="utf-8")
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


def where(path: Path, needle: str, occurrence: int = 1) -> str:
    line, column = position(path, needle, occurrence)
    return f"{path}:{line}:{column}: "


def invalid(root: Path) -> list[str]:
    """The messages of the rule base in ``root``; it must fail with RuleBaseInvalid only."""
    with pytest.raises(RuleBaseInvalid) as caught:
        load_rulebase(root)
    messages = caught.value.messages
    assert messages, "RuleBaseInvalid without messages"
    for message in messages:
        assert message.count(":") >= 3, message
    return messages


def write_rule(rules: Path, text: str, name: str = "zz_probe.yaml") -> Path:
    path = rules / name
    path.write_text(text, encoding="utf-8")
    return path


def with_line(old: str, new: str, rule: str = GOOD_RULE) -> str:
    assert old in rule
    return rule.replace(old, new)


# ----------------------------------------------------------------------------------- the baseline


def test_the_probe_rule_itself_is_valid(rules: Path) -> None:
    write_rule(rules, GOOD_RULE)
    rulebase = load_rulebase(rules)
    assert rulebase.rule("zz.probe") is not None


def test_the_real_rule_base_loads() -> None:
    rulebase = load_rulebase(RULES)  # the working tree: fails while someone's edit is broken
    assert rulebase.rules and rulebase.tests and rulebase.parameters
    assert len(rulebase.version) == 12


# ----------------------------------------------------------------------------------- YAML and schema


def test_yaml_syntax_error(rules: Path) -> None:
    path = write_rule(rules, "- id: zz.probe\n  title: x\n   status: approved\n")
    messages = invalid(rules)
    assert messages == [
        f"{path}:3:10: YAML syntax error: mapping values are not allowed in this context"
    ]


def test_yaml_tab_is_a_syntax_error(rules: Path) -> None:
    path = write_rule(rules, "- id: zz.probe\n\ttitle: x\n")
    (message,) = invalid(rules)
    assert message.startswith(f"{path}:2:1: YAML syntax error: ")
    assert "tab character" in message


def test_yaml_syntax_error_in_a_parameter_file(rules: Path) -> None:
    path = rules / "parameters" / "zz.yaml"
    path.write_text("zz_amount:\n  values: {2017-01-01: 1\n", encoding="utf-8")
    (message,) = invalid(rules)
    assert message.startswith(f"{path}:")
    assert "YAML syntax error" in message


def test_yaml_1_2_booleans_only_true_and_false(tmp_path: Path) -> None:
    """The country code ``no`` and the review key ``on`` stay text (YAML 1.1 made them booleans);
    only true/false are booleans. Positions are 1-based and count characters, not bytes."""
    path = tmp_path / "values.yaml"
    path.write_text(
        "country: no\nanswer: yes\non: 2026-11-25\noff: x\nflags: [true, False]\nø: æ\n",
        encoding="utf-8",
    )
    data, located = load_yaml(path, "values.yaml")
    assert data == {
        "country": "no",
        "answer": "yes",
        "on": dt.date(2026, 11, 25),
        "off": "x",
        "flags": [True, False],
        "ø": "æ",
    }
    assert located.at(("ø",)) == (6, 4)
    assert located.at(("flags", 1)) == (5, 15)


def test_duplicate_yaml_key(rules: Path) -> None:
    path = write_rule(
        rules, with_line("  status: approved\n", "  status: approved\n  status: draft\n")
    )
    assert invalid(rules) == [f"{where(path, 'status: draft')}duplicate key 'status'"]


def test_unknown_key_in_a_rule(rules: Path) -> None:
    path = write_rule(rules, with_line("  when:\n", "  whne:\n"))
    messages = invalid(rules)
    assert f"{where(path, 'whne')}unknown key 'whne'" in messages


def test_unknown_key_in_then(rules: Path) -> None:
    path = write_rule(
        rules, with_line("{route: reserved_wise}", "{route: reserved_wise, availble: false}")
    )
    assert f"{where(path, 'availble')}unknown key 'availble'" in invalid(rules)


def test_wrong_status(rules: Path) -> None:
    path = write_rule(rules, with_line("status: approved", "status: maybe"))
    messages = invalid(rules)
    expected = f"{where(path, 'maybe')}'status': Input should be 'draft', 'checked', 'approved' or 'retired'"
    assert expected in messages


def test_wrong_date(rules: Path) -> None:
    path = write_rule(
        rules, with_line("  status: approved\n", "  status: approved\n  valid_from: notadate\n")
    )
    (message,) = invalid(rules)
    assert message.startswith(
        f"{where(path, 'notadate')}'valid_from': Input should be a valid date"
    )


def test_wrong_type_of_list(rules: Path) -> None:
    path = write_rule(rules, with_line('legal_basis: ["FOA § 8-8"]', "legal_basis: FOA § 8-8"))
    (message,) = invalid(rules)
    assert message.startswith(
        f"{where(path, 'FOA § 8-8')}'legal_basis': Input should be a valid list"
    )


def test_rule_missing_a_language(rules: Path) -> None:
    path = write_rule(
        rules,
        with_line("explain: {nb: Forklaring., en: Explanation.}", "explain: {nb: Forklaring.}"),
    )
    assert invalid(rules) == [f"{where(path, '{nb: Forklaring.}')}missing required key 'en'"]


def test_rule_with_an_empty_language(rules: Path) -> None:
    path = write_rule(
        rules, with_line("{nb: Prøveregel, en: Probe rule}", '{nb: Prøveregel, en: ""}')
    )
    assert f"{where(path, '{nb: Prøveregel')}give the text in both nb and en" in invalid(rules)


def test_a_rule_file_must_be_a_list(rules: Path) -> None:
    path = write_rule(rules, "id: zz.probe\n")
    assert invalid(rules) == [f"{path}:1:1: a rule file is a list of rules (- id: ...)"]


def test_then_needs_exactly_one_conclusion(rules: Path) -> None:
    path = write_rule(
        rules, with_line("{route: reserved_wise}", "{route: reserved_wise, warning: draft_rule}")
    )
    (message,) = invalid(rules)
    assert message.startswith(where(path, "{route: reserved_wise, warning"))
    assert "exactly one of route, obligation or warning" in message


def test_unknown_comparison(rules: Path) -> None:
    path = write_rule(rules, with_line("{gte: $national_threshold}", "{gtee: $national_threshold}"))
    assert invalid(rules) == [
        f"{where(path, 'gtee')}unknown comparison 'gtee' (did you mean 'gte'?)"
    ]


# ----------------------------------------------------------------------------------- references


def test_unknown_fact_with_did_you_mean(rules: Path) -> None:
    path = write_rule(rules, with_line("- regime: part_ii", "- regim: part_ii"))
    assert invalid(rules) == [
        f"{where(path, 'regim:')}unknown fact 'regim' (did you mean 'regime'?)"
    ]


def test_unknown_fact_in_a_comparison_points_at_the_fact(rules: Path) -> None:
    path = write_rule(rules, with_line("estimated_value_nok: {gte:", "estimated_value: {gte:"))
    message = (
        f"{where(path, 'estimated_value:')}unknown fact 'estimated_value' "
        "(did you mean 'estimated_value_nok'?)"
    )
    assert invalid(rules) == [message]


def test_unknown_parameter_with_did_you_mean(rules: Path) -> None:
    path = write_rule(rules, with_line("$national_threshold", "$nationl_threshold"))
    assert invalid(rules) == [
        (
            f"{where(path, '$nationl_threshold')}unknown parameter 'nationl_threshold' "
            "(did you mean 'national_threshold'?)"
        )
    ]


def test_unknown_route_code(rules: Path) -> None:
    path = write_rule(rules, with_line("{route: reserved_wise}", "{route: reserved_wize}"))
    assert invalid(rules) == [
        (
            f"{where(path, 'reserved_wize}')}unknown route 'reserved_wize' "
            "(did you mean 'reserved_wise'?) (add it to catalog.yaml)"
        )
    ]


def test_unknown_obligation_code(rules: Path) -> None:
    path = write_rule(rules, with_line("{route: reserved_wise}", "{obligation: notice_dofin}"))
    (message,) = invalid(rules)
    assert message.startswith(f"{where(path, 'notice_dofin}')}unknown obligation")
    assert "(did you mean 'notice_doffin'?)" in message


def test_unknown_source_id(rules: Path) -> None:
    path = write_rule(rules, with_line("[nfd_reserverte_kontrakter]", "[nfd_reserverte_kontrakt]"))
    assert invalid(rules) == [
        (
            f"{where(path, 'nfd_reserverte_kontrakt]')}unknown source document "
            "'nfd_reserverte_kontrakt' (did you mean 'nfd_reserverte_kontrakter'?)"
        )
    ]


def test_value_a_fact_cannot_take(rules: Path) -> None:
    path = write_rule(rules, with_line("- regime: part_ii", "- regime: part_2"))
    (message,) = invalid(rules)
    assert message.startswith(f"{where(path, 'part_2')}'part_2' is not a value of 'regime'")


def test_unknown_table(rules: Path) -> None:
    path = write_rule(rules, with_line("- regime: part_ii", "- cpv_num: {in_table: foa_vedlegg_9}"))
    (message,) = invalid(rules)
    assert message.startswith(f"{where(path, 'foa_vedlegg_9')}unknown table 'foa_vedlegg_9'")


def test_duplicate_rule_id(rules: Path) -> None:
    path = write_rule(rules, GOOD_RULE + GOOD_RULE)
    assert invalid(rules) == [
        f"{where(path, 'zz.probe', 1)}duplicate rule id 'zz.probe'",
        f"{where(path, 'zz.probe', 2)}duplicate rule id 'zz.probe'",
    ]


def test_duplicate_rule_id_across_files(rules: Path) -> None:
    first = write_rule(rules, GOOD_RULE, "zz_a.yaml")
    second = write_rule(rules, GOOD_RULE, "zz_b.yaml")
    messages = invalid(rules)
    assert f"{where(first, 'zz.probe')}duplicate rule id 'zz.probe'" in messages
    assert f"{where(second, 'zz.probe')}duplicate rule id 'zz.probe'" in messages


def test_rule_id_clashing_with_a_derived_case(rules: Path) -> None:
    path = write_rule(rules, with_line("id: zz.probe", "id: regime.part_i"))
    assert f"{where(path, 'regime.part_i')}duplicate rule id 'regime.part_i'" in invalid(rules)


@pytest.mark.parametrize(
    "citation",
    ["FOA §§ 8-8, 16-9", "FOA 8-8", "forskriften § 8-8", "FOA § 8-8 første ledd"],
)
def test_citation_in_the_wrong_form(rules: Path, citation: str) -> None:
    path = write_rule(rules, with_line('["FOA § 8-8"]', f'["{citation}"]'))
    messages = invalid(rules)
    assert len(messages) == 1
    assert messages[0].startswith(where(path, f'"{citation}"'))
    assert f"citation '{citation}'" in messages[0] or "unknown act" in messages[0]


def test_citation_of_a_section_that_does_not_exist(rules: Path) -> None:
    path = write_rule(rules, with_line('["FOA § 8-8"]', '["FOA § 99-1"]'))
    assert invalid(rules) == [
        where(path, '"FOA § 99-1"') + "FOA has no § 99-1 (citation 'FOA § 99-1')"
    ]


def test_citation_of_an_unknown_act(rules: Path) -> None:
    path = write_rule(rules, with_line('["FOA § 8-8"]', '["FAO § 8-8"]'))
    assert invalid(rules) == [
        where(path, '"FAO § 8-8"')
        + "unknown act 'FAO' in citation 'FAO § 8-8' (did you mean 'FOA'?)"
    ]


def test_approved_rule_without_review(rules: Path) -> None:
    path = write_rule(rules, with_line('  reviewed: {by: "Test", on: 2026-11-25}\n', ""))
    assert invalid(rules) == [
        f"{where(path, 'approved')}an approved rule needs 'reviewed: {{by: ..., on: ...}}'"
    ]


def test_draft_rule_without_note(rules: Path) -> None:
    path = write_rule(rules, with_line("status: approved", "status: draft"))
    assert invalid(rules) == [f"{where(path, 'draft')}a draft rule needs a 'note' saying why"]


def test_checked_rule_names_who_checked_it_against_which_text(rules: Path) -> None:
    review = '  reviewed: {by: "Test", on: 2026-11-25}\n'
    path = write_rule(
        rules, with_line("status: approved", "status: checked", GOOD_RULE.replace(review, ""))
    )
    assert invalid(rules) == [
        (
            f"{where(path, 'checked')}a checked rule needs "
            "'checked: {by: ..., on: ..., against: [source id]}'"
        )
    ]


def test_checked_against_an_unknown_source_text(rules: Path) -> None:
    rule = with_line(
        '  reviewed: {by: "Test", on: 2026-11-25}\n',
        "  checked: {by: utviklerteamet, on: 2026-11-25, against: [foa_lovdata_2042]}\n",
    ).replace("status: approved", "status: checked")
    path = write_rule(rules, rule)
    assert invalid(rules) == [
        (
            f"{where(path, 'foa_lovdata_2042')}unknown source text 'foa_lovdata_2042' "
            "(did you mean 'foa_lovdata_2024'?) (an id in sources.yaml)"
        )
    ]


def test_a_draft_is_not_checked(rules: Path) -> None:
    rule = with_line(
        '  status: approved\n  reviewed: {by: "Test", on: 2026-11-25}\n',
        "  status: draft\n  note: Usikker.\n"
        "  checked: {by: utviklerteamet, on: 2026-11-25, against: foa_lovdata_2024}\n",
    )
    path = write_rule(rules, rule)
    assert invalid(rules) == [
        (
            f"{where(path, '{by: utviklerteamet')}a draft rule is not checked: remove 'checked' or "
            "set 'status: checked'"
        )
    ]


def test_change_note_needs_both_languages(rules: Path) -> None:
    rule = with_line(
        "  status: approved\n",
        "  status: approved\n  changes: [{on: 2024-01-01, nb: Endret., en: ' '}]\n",
    )
    path = write_rule(rules, rule)
    assert invalid(rules) == [
        f"{where(path, '{on: 2024-01-01')}give the change note in both nb and en"
    ]


def test_dated_value_without_change_note(rules: Path) -> None:
    parameters = rules / "parameters" / "zz.yaml"
    parameters.write_text(
        "zz_amount:\n"
        "  label: {nb: et beløp, en: an amount}\n"
        '  legal_basis: ["FOA § 5-1"]\n'
        "  values:\n"
        "    2017-01-01: 100000\n"
        "    2024-03-14: 200000\n",
        encoding="utf-8",
    )
    assert invalid(rules) == [
        (
            f"{where(parameters, '2024-03-14')}the value from 2024-03-14 needs a change note "
            "('change: {nb: ..., en: ...}': what it changes for a buyer)"
        )
    ]


def test_scaled_parameter_follows_its_base_and_names_a_real_one(rules: Path) -> None:
    parameters = rules / "parameters" / "zz.yaml"
    parameters.write_text(
        "zz_band:\n"
        "  label: {nb: et bånd, en: a band}\n"
        '  legal_basis: ["FOA § 5-3"]\n'
        "  scale_of: {parameter: eos_threshold_other, factor: 1.1}\n",
        encoding="utf-8",
    )
    band = load_rulebase(rules).parameters["zz_band"]
    assert band.values[dt.date(2024, 3, 14)].value == 2_530_000
    assert band.values[dt.date(2018, 4, 6)].value == 2_200_000
    parameters.write_text(
        parameters.read_text(encoding="utf-8").replace("eos_threshold_other", "eos_treshold_other"),
        encoding="utf-8",
    )
    assert invalid(rules) == [
        (
            f"{where(parameters, 'eos_treshold_other')}'eos_treshold_other' is not a parameter with "
            "values (did you mean 'eos_threshold_other'?)"
        )
    ]


# ----------------------------------------------------------------------------------- dated law


def rule_base_start() -> dt.date:
    return min(period.from_ for period in load_rulebase(pristine_rules()).ruleset.law_periods)


def test_parameter_undefined_for_a_date_a_rule_uses_it(rules: Path) -> None:
    start = rule_base_start()
    later = start.replace(year=start.year + 3)
    parameters = rules / "parameters" / "zz.yaml"
    parameters.write_text(
        "zz_late_amount:\n"
        "  label: {nb: et sent beløp, en: a late amount}\n"
        '  legal_basis: ["FOA § 5-1"]\n'
        "  values:\n"
        f"    {later.isoformat()}: {{value: 500000, change: {{nb: Endret., en: Changed.}}}}\n",
        encoding="utf-8",
    )
    path = write_rule(rules, with_line("$national_threshold", "$zz_late_amount"))
    messages = invalid(rules)
    assert (
        f"{where(path, '$zz_late_amount')}parameter 'zz_late_amount' has no value on {start} "
        "although the rule applies from then"
    ) in messages
    assert (
        f"{where(parameters, later.isoformat())}parameter 'zz_late_amount' starts {later}, after "
        f"the rule base starts ({start}); give a value from {start}"
    ) in messages
    assert len(messages) == 2


def test_parameter_used_by_a_rule_that_starts_after_it_is_fine(rules: Path) -> None:
    """A rule with ``valid_from`` after the parameter's first value needs no earlier value;
    only the rule-base-wide 'give a value from the start' message remains."""
    start = rule_base_start()
    later = start.replace(year=start.year + 3)
    parameters = rules / "parameters" / "zz.yaml"
    parameters.write_text(
        "zz_late_amount:\n"
        "  label: {nb: et sent beløp, en: a late amount}\n"
        '  legal_basis: ["FOA § 5-1"]\n'
        f"  values: {{{later.isoformat()}: {{value: 500000, change: {{nb: x, en: y}}}}}}\n",
        encoding="utf-8",
    )
    rule = with_line("$national_threshold", "$zz_late_amount")
    rule = with_line(
        "  status: approved\n",
        f"  status: approved\n  valid_from: {later}\n"
        f"  changes: [{{on: {later}, kind: law, nb: Ny regel., en: New rule.}}]\n",
        rule,
    )
    write_rule(rules, rule)
    messages = invalid(rules)
    assert len(messages) == 1 and "give a value from" in messages[0]


def test_valid_to_before_valid_from(rules: Path) -> None:
    rule = with_line(
        "  status: approved\n",
        "  status: approved\n  valid_from: 2020-01-01\n  valid_to: 2019-12-31\n"
        "  changes: [{on: 2020-01-01, kind: law, nb: Ny regel., en: New rule.}]\n",
    )
    path = write_rule(rules, rule)
    assert invalid(rules) == [f"{where(path, '2019-12-31')}valid_to is before valid_from"]


def add_derived_fact(rules: Path, block: str) -> Path:
    """Insert a derived fact right after ``derived:`` in facts.yaml."""
    path = rules / "facts.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\nderived:\n" in text
    path.write_text(text.replace("\nderived:\n", "\nderived:\n" + block, 1), encoding="utf-8")
    return path


def test_derived_fact_without_otherwise(rules: Path) -> None:
    path = add_derived_fact(
        rules,
        "  zz_kind:\n"
        "    label: {nb: prøvefakta, en: probe fact}\n"
        "    cases:\n"
        "      - id: zz_kind.goods\n"
        "        when: {subject: goods}\n"
        "        value: goods\n",
    )
    assert invalid(rules) == [
        f"{where(path, 'cases:')}the cases of 'zz_kind' must end with 'otherwise: true'"
    ]


def test_derived_case_with_both_when_and_otherwise(rules: Path) -> None:
    path = add_derived_fact(
        rules,
        "  zz_kind:\n"
        "    label: {nb: prøvefakta, en: probe fact}\n"
        "    cases:\n"
        "      - id: zz_kind.goods\n"
        "        when: {subject: goods}\n"
        "        otherwise: true\n"
        "        value: goods\n",
    )
    (message,) = invalid(rules)
    assert message.startswith(where(path, "id: zz_kind.goods"))
    assert "either 'when' or 'otherwise: true'" in message


def test_derived_facts_that_depend_on_each_other(rules: Path) -> None:
    path = add_derived_fact(
        rules,
        "  zz_a:\n"
        "    label: {nb: a, en: a}\n"
        "    cases:\n"
        "      - {id: zz_a.one, when: {zz_b: x}, value: x}\n"
        "      - {id: zz_a.other, otherwise: true, value: y}\n"
        "  zz_b:\n"
        "    label: {nb: b, en: b}\n"
        "    cases:\n"
        "      - {id: zz_b.one, when: {zz_a: x}, value: x}\n"
        "      - {id: zz_b.other, otherwise: true, value: y}\n",
    )
    messages = invalid(rules)
    assert any(
        m.startswith(f"{path}:") and "derived facts depend on each other" in m for m in messages
    ), messages


def test_derived_cases_sharing_an_id(rules: Path) -> None:
    """Trail entries and explanations find a derived fact's case by its id: two cases of
    different derived facts with one id would show one case's reasons for the other."""
    path = add_derived_fact(
        rules,
        "  zz_a:\n"
        "    label: {nb: a, en: a}\n"
        "    cases:\n"
        "      - {id: zz.same, when: {subject: goods}, value: x}\n"
        "      - {id: zz_a.other, otherwise: true, value: y}\n"
        "  zz_b:\n"
        "    label: {nb: b, en: b}\n"
        "    cases:\n"
        "      - {id: zz.same, when: {subject: works}, value: x}\n"
        "      - {id: zz_b.other, otherwise: true, value: y}\n",
    )
    assert invalid(rules) == [
        f"{where(path, 'zz.same', 1)}duplicate case id 'zz.same'",
        f"{where(path, 'zz.same', 2)}duplicate case id 'zz.same'",
    ]


# ----------------------------------------------------------------------------------- never a crash

Mutation = Callable[[Any, random.Random], Any]
JUNK: list[Any] = [
    None,
    0,
    -1,
    3.5,
    True,
    "",
    "x",
    [],
    {},
    [1, 2],
    {"a": 1},
    "$",
    "$nope",
    "2017-13-45",
]


def _mutate(data: Any, rng: random.Random) -> Any:
    """Replace, delete or add one node somewhere in a parsed YAML document."""
    if isinstance(data, dict) and data and rng.random() < 0.75:
        key = rng.choice(list(data))
        roll = rng.random()
        if roll < 0.2:
            del data[key]
        elif roll < 0.3:
            data[rng.choice(["whne", "id", "values", "when", "cases"])] = rng.choice(JUNK)
        elif roll < 0.6 or not isinstance(data[key], (dict, list)):
            data[key] = rng.choice(JUNK)
        else:
            data[key] = _mutate(data[key], rng)
        return data
    if isinstance(data, list) and data and rng.random() < 0.75:
        index = rng.randrange(len(data))
        roll = rng.random()
        if roll < 0.2:
            del data[index]
        elif roll < 0.3:
            data.append(rng.choice(JUNK))
        elif roll < 0.5 or not isinstance(data[index], (dict, list)):
            data[index] = rng.choice(JUNK)
        else:
            data[index] = _mutate(data[index], rng)
        return data
    return rng.choice(JUNK)


def _targets(rules: Path) -> list[Path]:
    return sorted(
        path
        for path in [
            *rules.glob("*.yaml"),
            *rules.glob("parameters/*.yaml"),
            *rules.glob("tests/*.yaml"),
        ]
    )


@pytest.mark.parametrize("seed", range(40))
def test_random_damage_gives_messages_not_crashes(rules: Path, seed: int) -> None:
    """Structural damage anywhere (wrong types, missing or extra keys, truncation) ends in
    RuleBaseInvalid with located messages, or in a valid rule base, never in another exception."""
    rng = random.Random(seed)
    path = rng.choice(_targets(rules))
    text = path.read_text(encoding="utf-8")
    if seed % 5 == 0:
        cut = rng.randrange(1, max(len(text), 2))
        path.write_text(text[:cut], encoding="utf-8")
    else:
        data = yaml.load(text, Loader=yaml.BaseLoader)  # every scalar as text: types change too
        for _ in range(1 + seed % 3):
            data = _mutate(data, rng)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    try:
        load_rulebase(rules)
    except RuleBaseInvalid as exc:
        assert exc.messages
        for message in exc.messages:
            assert message.split(":", 1)[0].endswith((".yaml", ".yml", "rules")), message
    # anything else propagates and fails the test with its traceback


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(RuleBaseInvalid) as caught:
        load_rulebase(tmp_path / "nowhere")
    assert caught.value.messages == [f"{tmp_path / 'nowhere'}:1:1: rule-base folder not found"]


def test_missing_required_file(rules: Path) -> None:
    (rules / "catalog.yaml").unlink()
    assert invalid(rules) == [f"{rules / 'catalog.yaml'}:1:1: missing file catalog.yaml"]


# ----------------------------------------------------------------------------------- CLI and app


def _cli(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_rules_check_prints_the_same_lines_and_exits_1(rules: Path) -> None:
    write_rule(rules, with_line("- regime: part_ii", "- regim: part_ii"))
    (rules / "zz_second.yaml").write_text(
        with_line("id: zz.probe", "id: zz.other").replace(
            "{route: reserved_wise}", "{route: reserved_wize}"
        ),
        encoding="utf-8",
    )
    expected = invalid(rules)
    assert len(expected) == 2
    result = _cli("rules", "check", "--rules", str(rules))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[: len(expected)] == expected
    assert lines[-1] == "2 error(s) in the rule base"
    assert "Traceback" not in result.output


def test_rules_check_on_a_yaml_error_exits_1(rules: Path) -> None:
    path = write_rule(rules, "- id: zz.probe\n  title: x\n   status: approved\n")
    result = _cli("rules", "check", "--rules", str(rules))
    assert result.exit_code == 1
    assert (
        f"{path}:3:10: YAML syntax error: mapping values are not allowed in this context"
        in result.stderr
    )


def test_rules_check_on_the_real_rule_base_exits_0() -> None:
    result = _cli("rules", "check", "--rules", str(RULES))
    assert result.exit_code == 0, result.output
    assert "is valid" in result.stdout


def test_rules_test_on_the_real_rule_base() -> None:
    result = _cli("rules", "test", "--rules", str(RULES))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith(", 0 failed")


def test_the_app_refuses_to_start_with_the_same_messages(rules: Path, make_app: Any) -> None:
    from advisor.settings import StartupError

    write_rule(rules, with_line("$national_threshold", "$nationl_threshold"))
    expected = invalid(rules)
    with pytest.raises(StartupError) as caught:
        make_app(RULES_DIR=str(rules))
    assert isinstance(caught.value, SystemExit)
    for message in expected:
        assert message in caught.value.message
    assert "advisor rules check" in caught.value.message


def edit_facts(rules: Path, old: str, new: str) -> Path:
    path = rules / "facts.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_fact_title_without_english_is_refused_where_it_stands(rules: Path) -> None:
    path = edit_facts(
        rules,
        'title: {nb: "Oppdragsgiver", en: "Buyer"}',
        'title: {nb: "Oppdragsgiver"}',
    )
    (message,) = invalid(rules)
    line, _ = position(path, 'title: {nb: "Oppdragsgiver"}')
    assert message.startswith(f"{path}:{line}:") and "en" in message


def test_an_answer_that_can_be_unknown_must_say_what_to_find_out(rules: Path) -> None:
    text = (rules / "facts.yaml").read_text(encoding="utf-8")
    start = text.index("  recurring_need:\n")
    block = text[start : text.index("    type:", start)]
    advice = block[block.index("    find_out:") :]
    path = edit_facts(rules, block, block.replace(advice, ""))
    expected = (
        f"{where(path, 'recurring_need:')}'recurring_need' can be answered \"vet ikke\" "
        "(unknown): give 'find_out' {nb, en}, what to find out then"
    )
    assert invalid(rules) == [expected]


def test_every_case_answer_is_named_and_every_unknown_answer_has_advice() -> None:
    """The words the result page, the PDF and the API show for the answers come from facts.yaml."""
    from advisor.case import Answer, Case

    rulebase = load_rulebase(pristine_rules())
    inputs = rulebase.facts.inputs
    assert set(Case.model_fields) - set(inputs) == {"title", "law_as_of"}
    for name, field in Case.model_fields.items():
        if field.annotation is Answer:
            advice = inputs[name].find_out
            assert advice and advice.nb.startswith("Finn ut") and advice.en.startswith("Find out")
    assert rulebase.fact_label("cpv_num").en == "the CPV code"


def test_an_answer_without_its_words_in_facts_yaml_is_refused(rules: Path) -> None:
    text = (rules / "facts.yaml").read_text(encoding="utf-8")
    start = text.index("  target_group:\n")
    block = text[start : text.index("  target_supplier:\n")]
    path = edit_facts(rules, block, "")
    (message,) = invalid(rules)
    assert message.startswith(f"{path}:")
    assert message.endswith("the Case's 'target_group' needs its words here (label, title, type)")
