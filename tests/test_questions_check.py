"""`advisor rules check` validates the wizard's decision tree (rules/no/questions.yaml):
broken copies of the tree give `file:line:col` errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advisor.rulebase import RuleBaseInvalid, load_rulebase
from advisor.rulebase.questions_yaml import parse_tree
from advisor.settings import REPO_ROOT

RULES = REPO_ROOT / "rules" / "no"


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "no"
    shutil.copytree(RULES, target)
    return target


def question_errors(root: Path) -> list[str]:
    """The messages about questions.yaml (other files of the copy are untouched)."""
    try:
        load_rulebase(root)
    except RuleBaseInvalid as invalid:
        return [m for m in invalid.messages if "questions.yaml" in m]
    return []


def edit(root: Path, old: str, new: str) -> int:
    """Replace ``old`` once in the copy's questions.yaml; return the line where ``new`` starts
    (1-based) plus the offset of its first line break, so callers can point at a line."""
    path = root / "questions.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def line_of(root: Path, needle: str) -> int:
    text = (root / "questions.yaml").read_text(encoding="utf-8")
    assert text.count(needle) == 1, needle
    return text[: text.index(needle)].count("\n") + 1


def test_the_real_tree_is_valid(rulebase):
    tree, errors = parse_tree(rulebase.questions, rulebase.questions_located)
    assert errors == []
    assert [page.id for page in tree.pages][:3] == [
        "om-anskaffelsen",
        "avtaleform",
        "tilskudd-egenregi",
    ]


def test_unknown_case_field(rules_copy: Path):
    edit(
        rules_copy,
        "      - id: work_performed_abroad\n",
        "      - id: work_performed_abroad\n        field: work_done_abroad\n",
    )
    line = line_of(rules_copy, "field: work_done_abroad")
    errors = question_errors(rules_copy)
    expected = f"{rules_copy / 'questions.yaml'}:{line}:"
    assert any(
        m.startswith(expected)
        and "unknown Case field 'work_done_abroad'" in m
        and "did you mean 'work_performed_abroad'" in m
        for m in errors
    ), errors


def test_unknown_answer_in_a_condition(rules_copy: Path):
    edit(rules_copy, "show_if: {target_supplier: ideell}", "show_if: {target_suplier: ideell}")
    line = line_of(rules_copy, "target_suplier")
    errors = question_errors(rules_copy)
    assert any(
        m.startswith(f"{rules_copy / 'questions.yaml'}:{line}:")
        and "unknown answer 'target_suplier'" in m
        and "did you mean 'target_supplier'" in m
        for m in errors
    ), errors


def test_a_value_the_answer_cannot_take_and_a_later_answer(rules_copy: Path):
    edit(rules_copy, "show_if: {arrangement: grant}", "show_if: {arrangement: gift}")
    edit(
        rules_copy,
        "show_if: {target_supplier: [wise, ideell, social_enterprise]}",
        'show_if: {wants_reservation: "yes"}',
    )
    errors = question_errors(rules_copy)
    later_line = line_of(rules_copy, 'wants_reservation: "yes"')
    assert any(
        f":{line_of(rules_copy, 'arrangement: gift')}:" in m
        and "'gift' is not an answer to 'arrangement'" in m
        for m in errors
    ), errors
    assert any(f":{later_line}:" in m and "asked on the same page or later" in m for m in errors), (
        errors
    )


def test_dead_end_page(rules_copy: Path):
    # A page shown only for grants whose only question is shown only for contracts.
    edit(
        rules_copy,
        "  - id: oppdragsgiver\n",
        "  - id: blindvei\n"
        "    title: {nb: Blindvei, en: Dead end}\n"
        "    show_if: {arrangement: grant}\n"
        "    questions:\n"
        "      - id: wants_innovation\n"
        "        type: yes_no\n"
        "        show_if: {arrangement: contract}\n"
        "        label: {nb: Innovasjon, en: Innovation}\n"
        "  - id: oppdragsgiver\n",
    )
    line = line_of(rules_copy, "- id: blindvei")
    errors = question_errors(rules_copy)
    assert any(
        m.startswith(f"{rules_copy / 'questions.yaml'}:{line}:")
        and "dead end: page 'blindvei' is shown but none of its questions is" in m
        and "arrangement=grant" in m
        for m in errors
    ), errors


def test_choice_without_options_is_a_dead_end(rules_copy: Path):
    text = (rules_copy / "questions.yaml").read_text(encoding="utf-8")
    start = text.index("      - id: buyer_type")
    options = text.index("        options:", start)
    end = text.index("  - id: hva-kjopes", options)
    (rules_copy / "questions.yaml").write_text(text[:options] + text[end:], encoding="utf-8")
    line = line_of(rules_copy, "- id: buyer_type")
    errors = question_errors(rules_copy)
    assert any(
        m.startswith(f"{rules_copy / 'questions.yaml'}:{line}:")
        and "dead end: choice question 'buyer_type' has no options" in m
        for m in errors
    ), errors


def test_a_path_that_never_asks_a_required_case_field(rules_copy: Path):
    # Ask who buys only for contracts: grants and in-house never reach a full Case.
    edit(
        rules_copy,
        "      - id: buyer_type\n        type: choice\n",
        "      - id: buyer_type\n        type: choice\n        show_if: {arrangement: contract}\n",
    )
    errors = question_errors(rules_copy)
    assert any(
        "a path does not reach the result" in m
        and "'buyer_type'" in m
        and f":{line_of(rules_copy, 'show_if: {arrangement: contract}')}:" in m
        for m in errors
    ), errors


def test_wrong_type_for_the_case_field_and_bad_citation(rules_copy: Path):
    edit(
        rules_copy,
        "      - id: wants_reservation\n        type: yes_no\n",
        "      - id: wants_reservation\n        type: yes_no_unknown\n",
    )
    edit(
        rules_copy,
        'legal_basis: ["FOA § 19-4", "FOA § 5-4"]',
        'legal_basis: ["FOA § 99-4", "FOA § 5-4"]',
    )
    errors = question_errors(rules_copy)
    assert any("does not fit Case field 'wants_reservation'" in m for m in errors), errors
    assert any("FOA has no § 99-4" in m for m in errors), errors


def _reference_walk(tree, answers):  # type: ignore[no-untyped-def]
    """The walk as the tree's docstring defines it, in the plainest form: each page and
    question is shown when its condition holds for the answers kept from earlier pages."""
    kept: dict = {}
    shown: dict = {}
    for page in tree.pages:
        if not tree.holds(page.show_if, kept):
            continue
        questions = [q for q in page.questions if tree.holds(q.show_if, kept)]
        if not questions:
            continue
        for question in questions:
            if answers.get(question.id) is not None:
                kept[question.id] = answers[question.id]
        shown[page.id] = [q.id for q in questions]
    return shown, kept


def test_the_walk_shows_what_the_conditions_say_for_many_answer_sets(rulebase):
    """The wizard's walk (conditions prepared once, facts worked out once per page) shows the
    same pages, questions and kept answers as the plain definition, for 600 answer sets with
    every kind of answer, unanswered questions and stale answers included."""
    import random

    tree, _errors = parse_tree(rulebase.questions, rulebase.questions_located)
    pick = random.Random(20261125)

    def answer(question):  # type: ignore[no-untyped-def]
        if question.type == "choice":
            return pick.choice([o.value for o in question.options])
        if question.type in ("yes_no", "yes_no_unknown"):
            return pick.choice(["yes", "no", "unknown"])
        if question.type == "flags":
            return [o.value for o in question.options if pick.random() < 0.4]
        if question.type in ("amount", "months"):
            return pick.choice([0, 12, 48, 1_300_000, 3_600_000, 80_000_000])
        return pick.choice(["", "Vaskeri", "98310000", "2026-03-01"])

    pages_seen = set()
    for _ in range(600):
        answers = {q.id: answer(q) for q in tree.questions() if pick.random() < 0.8}
        walk = tree.walk(answers)
        shown, kept = _reference_walk(tree, answers)
        assert {p: [q.id for q in qs] for p, qs in walk.questions.items()} == shown
        assert walk.page_ids() == list(shown)
        assert walk.answers == kept
        pages_seen.update(shown)
    assert len(pages_seen) >= len(tree.pages) - 1  # the sample reaches (nearly) every page
