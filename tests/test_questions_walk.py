"""The wizard's walk over the decision tree (``Tree.walk``) with compiled show_if conditions
(``conditions.compile_condition``) and facts extended page by page: the same results as the
reference semantics (``conditions.evaluate`` on the negation normal form, facts worked out from
scratch), for the real tree and for synthetic conditions and trees (property-based)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rulebase_copies import working_rulebase

from advisor.rulebase import conditions
from advisor.rulebase.conditions import All, Any_, Leaf, Not, ParamRef
from advisor.rulebase.questions import Question, Tree, parse_tree
from advisor.settings import REPO_ROOT

RULES = REPO_ROOT / "rules" / "no"
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


def real_tree() -> Tree:
    """The tree as the wizard builds it (advisor.wizard.views.tree: parse_tree of the loaded
    rule base's questions)."""
    rulebase = working_rulebase()
    tree, errors = parse_tree(rulebase.questions, rulebase.questions_located)
    assert errors == []
    return tree


TREE = real_tree()
NODES = [
    node
    for page in TREE.pages
    for node in (page.show_if, *(q.show_if for q in page.questions))
    if node is not None
]


def outcome(function: Any, *args: Any) -> tuple[Any, ...]:
    """The result with its type, or the exception's type: the compiled closure must agree with
    the reference on both (a table look-up without tables raises in both)."""
    try:
        value = function(*args)
    except Exception as error:  # noqa: BLE001 - compared, not handled
        return ("raises", type(error))
    return ("returns", type(value), value)


def operands_of(nodes: list[Any]) -> list[Any]:
    values: list[Any] = []
    for node in nodes:
        for leaf in conditions.leaves(node):
            items = leaf.operand if isinstance(leaf.operand, tuple) else (leaf.operand,)
            values.extend(items)
    return values


# ------------------------------------------------------------ compiled conditions, real tree

REAL_FACTS = sorted(
    {leaf.fact for node in NODES for leaf in conditions.leaves(node)}
    | {q.id for q in TREE.questions()}
    | {f"{q.id}.{o.value}" for q in TREE.questions() if q.type == "flags" for o in q.options}
)
REAL_OPERANDS = operands_of(NODES)
odd_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 100_000_000),
    st.floats(allow_nan=True),
    st.text(max_size=9),
    st.lists(st.sampled_from(REAL_OPERANDS), max_size=3),
    st.sampled_from(["yes", "no", "unknown", "", "90915000", "75250000", "98310000", "9"]),
)
real_values = st.one_of(st.sampled_from(REAL_OPERANDS), odd_values)
real_facts = st.dictionaries(st.sampled_from(REAL_FACTS), real_values, max_size=len(REAL_FACTS))


def test_the_real_tree_has_conditions_to_compare():
    assert len(NODES) >= 15
    ops = {leaf.op for node in NODES for leaf in conditions.leaves(conditions.nnf(node))}
    assert {"eq", "ne", "in", "known", "between"} <= ops, ops


@SETTINGS
@given(facts=real_facts)
def test_compiled_show_if_conditions_of_the_real_tree_agree_with_evaluate(facts):
    for node in NODES:
        normal = conditions.nnf(node)
        expected = outcome(conditions.evaluate, normal, facts, {})
        assert outcome(conditions.compile_condition(normal, {}), facts) == expected, node
        # and as the tree compiled it when it was built
        assert outcome(TREE._compiled[id(node)][1], facts) == expected, node


# ---------------------------------------------------------- compiled conditions, synthetic

FACT_NAMES = ("a", "b", "c")
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([0.5, float("nan"), "x", "y", "", "1"]),
    st.just(ParamRef("p")),
)


def leaf_strategy() -> Any:
    fact = st.sampled_from(FACT_NAMES)
    missing_ok = st.sampled_from([False, True, 0, 1])
    comparison = st.builds(
        Leaf, fact, st.sampled_from(conditions.COMPARISONS), SCALARS, st.just(()), missing_ok
    )
    membership = st.builds(
        Leaf,
        fact,
        st.sampled_from(["in", "not_in"]),
        st.one_of(st.tuples(SCALARS, SCALARS), st.lists(SCALARS, max_size=2), SCALARS),
        st.just(()),
        missing_ok,
    )
    between = st.builds(
        Leaf,
        fact,
        st.just("between"),
        st.one_of(
            st.tuples(SCALARS, SCALARS),
            st.lists(SCALARS, max_size=3),
            st.tuples(SCALARS),
            st.tuples(SCALARS, SCALARS, SCALARS),
            SCALARS,
        ),
        st.just(()),
        missing_ok,
    )
    known = st.builds(Leaf, fact, st.just("known"), st.one_of(st.booleans(), SCALARS))
    table = st.builds(
        Leaf,
        fact,
        st.sampled_from(["in_table", "not_in_table"]),
        st.sampled_from(["t", "missing_table"]),
        st.just(()),
        missing_ok,
    )
    unknown = st.builds(Leaf, fact, st.just("nope"), SCALARS, st.just(()), missing_ok)
    return st.one_of(comparison, membership, between, known, table, unknown)


def branches(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # A named function: hypothesis releases since January 2026 cannot see that a multi-line
    # lambda uses its argument and warn (an error under filterwarnings = error).
    return st.one_of(
        st.builds(All, st.lists(children, max_size=4).map(tuple)),
        st.builds(Any_, st.lists(children, max_size=4).map(tuple)),
        st.builds(Not, children),
    )


nodes = st.recursive(leaf_strategy(), branches, max_leaves=10)
synthetic_facts = st.dictionaries(
    st.sampled_from(FACT_NAMES),
    st.one_of(SCALARS, st.lists(SCALARS, max_size=2), st.integers(0, 40)),
)
TABLES = {"t": (((10, 20), ((12, 13),)), ((30, 30), ()))}


@SETTINGS
@given(node=nodes, facts=synthetic_facts)
def test_compiled_synthetic_conditions_agree_with_evaluate(node, facts):
    """Every operator (tables and unknown ones through eval_leaf), odd operands, truthy
    non-bool missing_ok, nesting of all/any/not, with and without tables, the tree as given
    (evaluate turns a Not into negation normal form itself) and in negation normal form."""
    try:
        forms = [node, conditions.nnf(node)]
    except (KeyError, ValueError, TypeError):  # a negated unknown operator or odd between:
        # no normal form (evaluate raises it if it reaches that item)
        forms = [node]
    for tree in forms:
        for tables in ({}, TABLES):
            expected = outcome(conditions.evaluate, tree, facts, tables)
            compiled = conditions.compile_condition(tree, tables)  # never raises
            assert outcome(compiled, facts) == expected


SMALL = (None, True, 0, 1, 2, 1.5, "1", "a", "b", ("a",), [1])


def every_leaf() -> list[Leaf]:
    """Each operator over a small domain of operands (bounds included), with both missing_ok."""
    found: list[Leaf] = []
    for missing_ok in (False, True):
        for op in conditions.COMPARISONS:
            found += [Leaf("a", op, operand, (), missing_ok) for operand in SMALL]
        for op in ("in", "not_in"):
            found += [Leaf("a", op, operand, (), missing_ok) for operand in [(0, 1), ("a",), ()]]
        found += [
            Leaf("a", "between", operand, (), missing_ok)
            for operand in [(0, 2), (1, 1), ("a", "b"), (0, "b"), (2, 0)]
        ]
    found += [Leaf("a", "known", operand) for operand in (True, False)]
    return found


def test_every_operator_agrees_with_evaluate_on_a_small_domain():
    """Exhaustive: every leaf above, plain and negated, for every value (and a missing fact)."""
    fact_sets = [{}, {"b": 1}, *({"a": value} for value in (*SMALL, -1, 3, "c"))]
    for leaf in every_leaf():
        for node in (leaf, Not(leaf)):
            normal = conditions.nnf(node)
            compiled = conditions.compile_condition(normal)
            for facts in fact_sets:
                expected = outcome(conditions.evaluate, normal, facts, {})
                assert outcome(compiled, facts) == expected, (node, facts)


@pytest.mark.parametrize(
    ("node", "facts", "expected"),
    [
        (Leaf("a", "eq", 1), {}, False),
        (Not(Leaf("a", "eq", 1)), {}, True),  # a negated comparison holds without the fact
        (Leaf("a", "ne", 1, missing_ok=True), {}, True),
        (Leaf("a", "known", True), {"a": None}, True),
        (Leaf("a", "known", False), {"a": None}, False),
        (Leaf("a", "gt", 3), {"a": "4"}, False),  # TypeError -> False
        (Not(Leaf("a", "between", (1, 3))), {"a": 4}, True),
        (Not(Leaf("a", "between", (1, 3))), {"a": 2}, False),
        (Leaf("a", "in", ("x", "y")), {"a": "y"}, True),
        (All(()), {}, True),
        (Any_(()), {}, False),
        (Any_((Leaf("a", "eq", 1), Not(All((Leaf("b", "eq", 2), Leaf("c", "eq", 3)))))), {}, True),
    ],
)
def test_compiled_conditions_by_example(node, facts, expected):
    assert conditions.compile_condition(conditions.nnf(node))(facts) is expected
    assert conditions.evaluate(conditions.nnf(node), facts, {}) is expected


def test_a_table_condition_without_tables_fails_as_in_evaluate():
    node = Leaf("cpv_num", "in_table", "foa_vedlegg_3")
    with pytest.raises(KeyError):
        conditions.evaluate(node, {"cpv_num": 1}, {})
    with pytest.raises(KeyError):
        conditions.compile_condition(node)({"cpv_num": 1})


# ------------------------------------------------------------------------------- the walk


def reference_facts(tree: Tree, answers: dict[str, Any]) -> dict[str, Any]:
    facts = dict(answers)
    for question in tree.questions():
        if question.type == "flags" and question.id in answers:
            chosen = set(answers[question.id] or ())
            for option in question.options:
                facts[f"{question.id}.{option.value}"] = "yes" if option.value in chosen else "no"
    return facts


def reference_walk(tree: Tree, answers: dict[str, Any]) -> tuple[dict, dict]:
    """The walk as it was before conditions were compiled: each show_if evaluated with
    conditions.evaluate on its negation normal form over the facts of the answers kept so far,
    the facts worked out from scratch whenever a page adds answers."""

    def shows(node: Any, facts: dict[str, Any]) -> bool:
        return node is None or conditions.evaluate(conditions.nnf(node), facts, {})

    kept: dict[str, Any] = {}
    facts: dict[str, Any] = {}
    shown: dict[str, list[str]] = {}
    for page in tree.pages:
        if not shows(page.show_if, facts):
            continue
        questions = [q for q in page.questions if shows(q.show_if, facts)]
        if not questions:
            continue
        grown = False
        for question in questions:
            if question.id in answers and answers[question.id] is not None:
                kept[question.id] = answers[question.id]
                grown = True
        if grown:
            facts = reference_facts(tree, kept)
        shown[page.id] = [q.id for q in questions]
    return shown, kept


def assert_same_walk(tree: Tree, answers: dict[str, Any]) -> None:
    try:
        shown, kept = reference_walk(tree, answers)
    except TypeError:  # a flags answer that is not a list (a number): it failed before too
        with pytest.raises(TypeError):
            tree.walk(answers)
        return
    walk = tree.walk(answers)
    assert walk.page_ids() == list(shown)
    assert [p.id for p in walk.pages] == list(walk.questions)
    assert {p: [q.id for q in qs] for p, qs in walk.questions.items()} == shown
    assert list(walk.answers.items()) == list(kept.items())  # same answers, same order
    assert all(walk.answers[k] is kept[k] for k in kept)


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


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(answers=real_answers)
def test_the_walk_of_the_real_tree_is_the_reference_walk(answers):
    assert_same_walk(TREE, answers)


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
    assert_same_walk(TREE, answers)
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
def test_an_answer_named_like_a_box_fact_gives_the_same_walk(boxes, later_answer):
    """A question id with a dot can collide with a flags box fact; the walk then works the facts
    out from scratch (the box fact wins, as in ``facts``)."""
    tree = small_tree()
    assert not tree._incremental
    answers = {"w": boxes, "w.a": later_answer, "q3": "x"}
    assert_same_walk(tree, answers)
    assert tree.walk(answers).page_ids()[-1:] == (["p3"] if "a" in boxes else ["p2"])


@pytest.mark.parametrize("boxes", [[], ["a"], ["a", "b"], None])
def test_box_facts_are_added_as_the_walk_goes(boxes):
    tree = small_tree(later_id="later")
    assert tree._incremental
    assert_same_walk(tree, {"w": boxes, "later": "yes", "q3": "x"})


def test_a_condition_set_after_the_tree_was_built_is_used():
    tree = small_tree(later_id="later")
    answers = {"w": ["a"], "later": "yes", "q3": "x"}
    assert tree.walk(answers).page_ids() == ["p1", "p2", "p3"]
    tree.pages[2].show_if = Leaf("later", "eq", "no")
    assert tree.walk(answers).page_ids() == ["p1", "p2"]
    assert_same_walk(tree, answers)
    tree.pages[1].questions[0].show_if = Not(Leaf("w.a", "eq", "yes"))
    assert tree.walk(answers).page_ids() == ["p1"]
    assert_same_walk(tree, answers)
