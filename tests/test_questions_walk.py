"""The wizard's walk over the decision tree (``Tree.walk``): which pages and questions the
answers show, which answers stay in force, for the real tree (property-based) and small ones."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rulebase_copies import working_rulebase

from advisor.rulebase import conditions
from advisor.rulebase.conditions import All, Any_, Leaf, Not
from advisor.rulebase.questions import Question, Tree
from advisor.rulebase.questions_yaml import parse_tree

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


def real_tree() -> Tree:
    """The tree as the wizard builds it (advisor.wizard.views.tree: parse_tree of the loaded
    rule base's questions)."""
    rulebase = working_rulebase()
    tree, errors = parse_tree(rulebase.questions, rulebase.questions_located)
    assert errors == []
    return tree


TREE = real_tree()

# ------------------------------------------------------------------------------- the walk


def assert_consistent_walk(tree: Tree, answers: dict[str, Any]) -> None:
    """What any walk must give: kept answers are exactly the given answers to shown questions,
    in the tree's order, and walking the kept answers again shows the same pages (nothing the
    walk dropped was needed to show what it kept)."""
    walk = tree.walk(answers)
    shown = [q for page in walk.pages for q in walk.questions[page.id]]
    expected = {q.id: answers[q.id] for q in shown if answers.get(q.id) is not None}
    assert list(walk.answers.items()) == list(expected.items())
    assert [p.id for p in walk.pages] == list(walk.questions)
    assert all(walk.questions[page.id] for page in walk.pages)  # never an empty page
    again = tree.walk(walk.answers)
    assert again.page_ids() == walk.page_ids()
    assert again.answers == walk.answers


def answer_strategy(question: Question) -> Any:
    domain = question.domain()
    plausible: Any
    if domain is not None:
        plausible = st.sampled_from(domain)
    elif question.type == "flags":
        plausible = st.lists(st.sampled_from([o.value for o in question.options]), unique=True)
    elif question.type in ("amount", "months"):
        plausible = st.sampled_from([0, 12, 48, 1_300_000, 3_600_000, 80_000_000])
    elif question.type == "cpv":
        plausible = st.sampled_from(["98310000", "90911000", "75250000", "85312000", ""])
    else:
        plausible = st.sampled_from(["", "Vaskeri", "2026-03-01"])
    stale_or_odd = st.one_of(st.none(), st.integers(0, 5), st.just("yes"), st.just([]))
    return st.one_of(plausible, plausible, plausible, stale_or_odd)


real_answers = st.fixed_dictionaries(
    {}, optional={q.id: answer_strategy(q) for q in TREE.questions()}
)


@SETTINGS
@given(answers=real_answers)
def test_the_walk_of_the_real_tree_keeps_only_answers_to_shown_questions(answers):
    try:
        assert_consistent_walk(TREE, answers)
    except TypeError:  # a flags answer that is not a list: the wizard's forms never store one
        assert any(
            q.type == "flags" and not isinstance(answers.get(q.id), list | type(None))
            for q in TREE.questions()
        )


def test_the_walk_reaches_the_conditional_pages():
    """The sampled answers above can reach the pages behind conditions (not a vacuous test):
    a services contract with a WISE supplier and a cleaning CPV code reaches the last pages."""
    answers: dict[str, Any] = {}
    choose = {"arrangement": "contract", "subject": "services", "cpv": "90911000"}
    choose["target_supplier"] = "wise"
    for _ in range(len(TREE.pages)):
        walk = TREE.walk(answers)
        for page in walk.pages:
            for q in walk.questions[page.id]:
                if q.id not in answers:
                    answers[q.id] = choose.get(q.id, _first(q))
    assert_consistent_walk(TREE, answers)
    assert len(TREE.walk(answers).pages) >= 9


def _first(question: Question) -> Any:
    domain = question.domain()
    if domain:
        return domain[0]
    if question.type == "flags":
        return [question.options[0].value]
    return 3_600_000 if question.type in ("amount", "months") else "x"


def small_tree(first_id: str = "w", later_id: str = "w.a") -> Tree:
    """A flags question and a later question whose id may be one of its box facts."""
    text = {"nb": "t", "en": "t"}
    data = {
        "pages": [
            {
                "id": "p1",
                "title": text,
                "questions": [
                    {
                        "id": first_id,
                        "type": "flags",
                        "label": text,
                        "options": [
                            {"value": "a", "label": text, "field": "fa"},
                            {"value": "b", "label": text, "field": "fb"},
                        ],
                    }
                ],
            },
            {
                "id": "p2",
                "title": text,
                "questions": [{"id": later_id, "type": "yes_no", "label": text}],
            },
            {
                "id": "p3",
                "title": text,
                "show_if": {f"{first_id}.a": "yes"},
                "questions": [{"id": "q3", "type": "text", "label": text}],
            },
        ]
    }
    tree, _errors = parse_tree(data)
    return tree


@pytest.mark.parametrize("later_answer", [None, "yes", "no"])
@pytest.mark.parametrize("boxes", [[], ["a"], ["b"], ["a", "b"]])
def test_a_ticked_box_shows_the_page_that_asks_for_it(boxes, later_answer):
    """A page shown when box "a" of an earlier flags question is ticked, also when a question
    id looks like the box fact (``w.a``): the box fact wins, as in ``Tree.facts``."""
    tree = small_tree()
    answers = {"w": boxes, "w.a": later_answer, "q3": "x"}
    assert_consistent_walk(tree, answers)
    assert tree.walk(answers).page_ids()[-1:] == (["p3"] if "a" in boxes else ["p2"])
    assert ("q3" in tree.walk(answers).answers) is ("a" in boxes)


def test_a_condition_set_after_the_tree_was_built_is_used():
    tree = small_tree(later_id="later")
    answers = {"w": ["a"], "later": "yes", "q3": "x"}
    assert tree.walk(answers).page_ids() == ["p1", "p2", "p3"]
    tree.pages[2].show_if = Leaf("later", "eq", "no")
    assert tree.walk(answers).page_ids() == ["p1", "p2"]
    assert tree.walk(answers).answers == {"w": ["a"], "later": "yes"}  # the stale q3 dropped
    tree.pages[1].questions[0].show_if = Not(Leaf("w.a", "eq", "yes"))
    assert tree.walk(answers).page_ids() == ["p1"]


@pytest.mark.parametrize(
    ("node", "facts", "expected"),
    [
        (Leaf("a", "eq", 1), {}, False),  # a comparison on a fact not given does not hold
        (Not(Leaf("a", "eq", 1)), {}, True),  # ... and its negation does
        (Leaf("a", "ne", 1, missing_ok=True), {}, True),
        (Leaf("a", "known", True), {"a": None}, True),
        (Leaf("a", "known", False), {"a": None}, False),
        (Leaf("a", "gt", 3), {"a": "4"}, False),  # values that cannot be compared: false
        (Not(Leaf("a", "between", (1, 3))), {"a": 4}, True),
        (Not(Leaf("a", "between", (1, 3))), {"a": 2}, False),
        (Leaf("a", "in", ("x", "y")), {"a": "y"}, True),
        (All(()), {}, True),
        (Any_(()), {}, False),
        (Any_((Leaf("a", "eq", 1), Not(All((Leaf("b", "eq", 2), Leaf("c", "eq", 3)))))), {}, True),
    ],
)
def test_show_if_conditions_by_example(node, facts, expected):
    assert conditions.evaluate(node, facts, {}) is expected
