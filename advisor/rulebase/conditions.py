"""Conditions of rules: parsing from YAML, parameters by date, negation, evaluation, wording.

A condition is a tree of ``All``/``Any``/``Not`` over ``Leaf`` comparisons of one fact::

    when:
      all:
        - regime: part_ii                       # equality
        - target_supplier: {in: [wise]}          # membership
        - estimated_value_nok: {gte: $national_threshold}   # parameter reference
        - cpv_num: {in_table: foa_vedlegg_3}     # CPV code ranges from a data table

Semantics: a comparison on a fact the case does not give is false, and its negation is true
(``not: {service_type: special}`` holds when no service type is given). ``known: true|false``
tests whether a fact is given at all.

Evaluation has a second mode for cases not yet complete: facts named as *unknown* (with the
values they may still take, or any value) make it three-valued (Kleene logic): a condition is
``True`` or ``False`` when it holds, or fails, whatever the unknown facts turn out to be, and
``None`` when that depends on them. ``advisor.rulebase.relevance`` builds on it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.rulebase.yamlsrc import Located

COMPARISONS = ("eq", "ne", "gt", "gte", "lt", "lte")
OPERATORS = (*COMPARISONS, "in", "not_in", "between", "in_table", "not_in_table", "known")
COMBINATORS = ("all", "any", "not")

NEGATION = {
    "eq": "ne",
    "ne": "eq",
    "gt": "lte",
    "gte": "lt",
    "lt": "gte",
    "lte": "gt",
    "in": "not_in",
    "not_in": "in",
    "in_table": "not_in_table",
    "not_in_table": "in_table",
}


@dataclass(frozen=True)
class ParamRef:
    name: str


@dataclass(frozen=True)
class Leaf:
    fact: str
    op: str
    operand: Any  # literal, ParamRef, list, table name, or (low, high) for between
    path: tuple[Any, ...] = field(default=(), compare=False)
    missing_ok: bool = False  # a negated comparison also holds when the fact is not given


@dataclass(frozen=True)
class All:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Any_:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Not:
    item: Any


TRUE = All(())

Node = Leaf | All | Any_ | Not


def _operand(raw: Any, path: tuple[Any, ...], located: Located) -> Any:
    if isinstance(raw, str) and raw.startswith("$"):
        name = raw[1:]
        if not name:
            raise located.error(path, "a parameter reference needs a name after '$'")
        return ParamRef(name)
    if isinstance(raw, (dict, list)):
        raise located.error(path, "expected a single value or a $parameter here")
    return raw


def parse(raw: Any, path: tuple[Any, ...], located: Located) -> Node:
    """Turn the YAML form of a condition into a tree; errors carry file and line."""
    if raw is None:
        return TRUE
    if isinstance(raw, list):
        return All(tuple(parse(item, (*path, i), located) for i, item in enumerate(raw)))
    if not isinstance(raw, dict) or not raw:
        raise located.error(path, "a condition must be a mapping such as {regime: part_ii}")
    combinators = [key for key in raw if key in COMBINATORS]
    if combinators:
        if len(raw) != 1:
            raise located.error(
                path, f"'{combinators[0]}' must stand alone in its mapping; nest the other keys"
            )
        key = combinators[0]
        value = raw[key]
        if key == "not":
            return Not(parse(value, (*path, key), located))
        if not isinstance(value, list) or not value:
            raise located.error((*path, key), f"'{key}' needs a non-empty list of conditions")
        items = tuple(parse(item, (*path, key, i), located) for i, item in enumerate(value))
        return All(items) if key == "all" else Any_(items)
    leaves: list[Node] = []
    for fact, spec in raw.items():
        leaf_path = (*path, fact)
        if not isinstance(fact, str):
            raise located.error(leaf_path, "a fact name must be text")
        if isinstance(spec, list):
            leaves.append(_membership(fact, "in", spec, leaf_path, located))
        elif isinstance(spec, dict):
            if not spec:
                raise located.error(leaf_path, f"no comparison given for '{fact}'")
            for op, operand in spec.items():
                leaves.append(_leaf(fact, op, operand, (*leaf_path, op), located))
        else:
            leaves.append(Leaf(fact, "eq", _operand(spec, leaf_path, located), leaf_path))
    return leaves[0] if len(leaves) == 1 else All(tuple(leaves))


def _membership(fact: str, op: str, values: Any, path: tuple, located: Located) -> Leaf:
    if not isinstance(values, list) or not values:
        raise located.error(path, f"'{op}' needs a non-empty list of values")
    return Leaf(
        fact, op, tuple(_operand(v, (*path, i), located) for i, v in enumerate(values)), path
    )


def _leaf(fact: str, op: Any, operand: Any, path: tuple, located: Located) -> Leaf:
    if op not in OPERATORS:
        hint = _did_you_mean(str(op), OPERATORS)
        raise located.key_error(path, f"unknown comparison '{op}'{hint}")
    if op in ("in", "not_in"):
        return _membership(fact, op, operand, path, located)
    if op == "between":
        if not isinstance(operand, list) or len(operand) != 2:
            raise located.error(path, "'between' needs [low, high]")
        low, high = (_operand(v, (*path, i), located) for i, v in enumerate(operand))
        return Leaf(fact, op, (low, high), path)
    if op in ("in_table", "not_in_table"):
        if not isinstance(operand, str):
            raise located.error(path, f"'{op}' needs the name of a table")
        return Leaf(fact, op, operand, path)
    if op == "known":
        if not isinstance(operand, bool):
            raise located.error(path, "'known' needs true or false")
        return Leaf(fact, op, operand, path)
    return Leaf(fact, op, _operand(operand, path, located), path)


def _did_you_mean(word: str, options: Any) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


did_you_mean = _did_you_mean


def leaves(node: Node) -> list[Leaf]:
    if isinstance(node, Leaf):
        return [node]
    if isinstance(node, Not):
        return leaves(node.item)
    return [leaf for item in node.items for leaf in leaves(item)]


def params_of(node: Node) -> set[str]:
    names: set[str] = set()
    for leaf in leaves(node):
        operands = leaf.operand if isinstance(leaf.operand, tuple) else (leaf.operand,)
        names.update(item.name for item in operands if isinstance(item, ParamRef))
    return names


def substitute(node: Node, values: dict[str, Any]) -> Node:
    """Replace parameter references by their values for one period of law."""
    if isinstance(node, Leaf):

        def sub(item: Any) -> Any:
            return values[item.name] if isinstance(item, ParamRef) else item

        operand = node.operand
        operand = tuple(sub(i) for i in operand) if isinstance(operand, tuple) else sub(operand)
        return Leaf(node.fact, node.op, operand, node.path, node.missing_ok)
    if isinstance(node, Not):
        return Not(substitute(node.item, values))
    cls = type(node)
    return cls(tuple(substitute(item, values) for item in node.items))


def negate_leaf(leaf: Leaf) -> Node:
    if leaf.op == "known":
        return Leaf(leaf.fact, "known", not leaf.operand, leaf.path)
    flip = not leaf.missing_ok
    if leaf.op == "between":
        low, high = leaf.operand
        return Any_(
            (
                Leaf(leaf.fact, "lt", low, leaf.path, flip),
                Leaf(leaf.fact, "gt", high, leaf.path, flip),
            )
        )
    return Leaf(leaf.fact, NEGATION[leaf.op], leaf.operand, leaf.path, flip)


def nnf(node: Node, negated: bool = False) -> Node:
    """Push negations down to the comparisons (negation normal form)."""
    if isinstance(node, Leaf):
        return negate_leaf(node) if negated else node
    if isinstance(node, Not):
        return nnf(node.item, not negated)
    items = tuple(nnf(item, negated) for item in node.items)
    if isinstance(node, All):
        return Any_(items) if negated else All(items)
    return All(items) if negated else Any_(items)


# --- Evaluation in plain Python (reference semantics; also used for explanations) ---

Ranges = tuple[tuple[tuple[int, int], tuple[tuple[int, int], ...]], ...]


def in_ranges(value: Any, ranges: Ranges) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    for (low, high), exclusions in ranges:
        if low <= value <= high and not any(a <= value <= b for a, b in exclusions):
            return True
    return False


def eval_leaf(
    leaf: Leaf, facts: dict[str, Any], tables: dict[str, Ranges], joined: frozenset = frozenset()
) -> bool:
    """``joined`` names facts that must exist for any comparison on them to hold (derived
    facts, which the engine joins on), whatever ``missing_ok`` says."""
    if leaf.op == "known":
        return (leaf.fact in facts) is leaf.operand
    if leaf.fact not in facts:
        return leaf.missing_ok and leaf.fact not in joined
    value = facts[leaf.fact]
    op, operand = leaf.op, leaf.operand
    try:
        if op == "eq":
            return value == operand
        if op == "ne":
            return value != operand
        if op == "in":
            return value in operand
        if op == "not_in":
            return value not in operand
        if op == "gt":
            return value > operand
        if op == "gte":
            return value >= operand
        if op == "lt":
            return value < operand
        if op == "lte":
            return value <= operand
        if op == "between":
            return operand[0] <= value <= operand[1]
        if op == "in_table":
            return in_ranges(value, tables[operand])
        if op == "not_in_table":
            return isinstance(value, int) and not in_ranges(value, tables[operand])
    except TypeError:
        return False
    raise ValueError(f"unknown operator {op}")  # pragma: no cover - validated at load


#: A value an unknown fact may take: not given at all.
ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()

#: What is not known yet about some facts: each fact's possible values (``ABSENT`` among them
#: when it may stay not given), or ``None`` when it may take any value or none.
Unknown = Mapping[str, Collection[Any] | None]

NOTHING_UNKNOWN: Unknown = {}


def eval_unknown_leaf(
    leaf: Leaf, possible: Collection[Any] | None, tables: dict[str, Ranges], joined: frozenset
) -> bool | None:
    """A comparison on an unknown fact: decided only when every possible value decides it the
    same way (each value compared by ``eval_leaf``, the one semantics of a comparison)."""
    if possible is None:
        return None
    verdicts = {
        eval_leaf(leaf, {} if value is ABSENT else {leaf.fact: value}, tables, joined)
        for value in possible
    }
    return verdicts.pop() if len(verdicts) == 1 else None


def evaluate(
    node: Node,
    facts: dict[str, Any],
    tables: dict[str, Ranges],
    joined: frozenset = frozenset(),
    unknown: Unknown = NOTHING_UNKNOWN,
) -> bool | None:
    """Evaluate a tree (normally in negation normal form).

    Without ``unknown`` the answer is ``True`` or ``False``. With it, the facts it names count
    as not known yet (whatever ``facts`` says of them) and the answer is three-valued: ``None``
    when the condition holds for some of their possible values and fails for others."""
    if isinstance(node, Leaf):
        if node.fact in unknown:
            return eval_unknown_leaf(node, unknown[node.fact], tables, joined)
        return eval_leaf(node, facts, tables, joined)
    if isinstance(node, All):
        verdict: bool | None = True
        for item in node.items:
            value = evaluate(item, facts, tables, joined, unknown)
            if value is False:
                return False
            if value is None:
                verdict = None
        return verdict
    if isinstance(node, Any_):
        verdict = False
        for item in node.items:
            value = evaluate(item, facts, tables, joined, unknown)
            if value is True:
                return True
            if value is None:
                verdict = None
        return verdict
    return evaluate(nnf(node), facts, tables, joined, unknown)


def failed_leaves(
    node: Node, facts: dict[str, Any], tables: dict[str, Ranges], joined: frozenset = frozenset()
) -> list[Leaf]:
    """The comparisons that keep a condition from holding; the smallest set for ``any``."""
    if isinstance(node, Leaf):
        return [] if eval_leaf(node, facts, tables, joined) else [node]
    if isinstance(node, All):
        return [leaf for item in node.items for leaf in failed_leaves(item, facts, tables, joined)]
    if isinstance(node, Any_):
        options = [failed_leaves(item, facts, tables, joined) for item in node.items]
        return min(options, key=len) if options else []
    return failed_leaves(nnf(node), facts, tables, joined)
