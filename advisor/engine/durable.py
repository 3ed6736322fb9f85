"""The rule engine: periods of law compiled to durable-rules rulesets, and evaluated there.

**Compiler** (compiled rules → durable-rules JSON). A condition (``advisor.rulebase.conditions``,
in negation normal form) becomes a disjunction of conjunctions grouped by the fact each part
reads: the case fact ``{"t": "case", <answers>}`` or a derived fact ``{"t": "d", "k": name,
"v": value}``, whose rules fire when the rules deriving it assert it (forward chaining). A
derived fact's cases form a decision list (the first that holds wins): case *i* holds when its
condition and every earlier case's negation hold. Negations of earlier cases that read answers
only are written into the case's own pattern; after any other case, or when the pattern would
grow too large for durable-rules, the earlier cases are represented by a "missed" fact
``{"t": "m", "k": name, "i": position}`` that a ``#miss`` rule asserts.

**Runner**, as ``../shared/stack-notes.md`` section 1 prescribes for durable-rules 2.0.28: a
private ``Host`` with its background dispatch threads off (they take other sessions' actions and
crash the C engine under threads), synchronous one-argument actions, a unique ruleset name per
rule-base version and period, ``state["exception"]`` checked after every evaluation (an action's
error is otherwise swallowed), and the session state deleted afterwards, always (a live state
holds about 1 MB and a ruleset at most 1 024 of them).

``advisor.engine.reference`` evaluates the same compiled conditions in plain Python; the tests
hold the two equal.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
import warnings
from collections.abc import Callable
from typing import Any

import durable_rules_engine
from durable import engine as durable

from advisor.engine.outcome import Outcome, negated
from advisor.rulebase import conditions
from advisor.rulebase.compiler import CompiledRule, Period

# durable-rules reads the clock with datetime.utcfromtimestamp on every action (Python 3.12+).
warnings.filterwarnings("ignore", message=r".*utcfromtimestamp.*", category=DeprecationWarning)

CASE = "case"
#: The rule every case fact matches (see ``DurableEngine._definition``).
SESSION_RULE = "advisor#session"

#: The most comparisons and and/or nodes in one pattern with earlier cases' negations written
#: in: durable-rules refuses nested and/or expressions of 32 entries (error 113).
INLINE_BUDGET = 30

Action = Callable[[durable.Closure], None]
Conjunct = dict[str, list[dict]]  # fact group ("case" or a derived fact) -> its tests

_sequence = itertools.count()  # unique ruleset names, also across engines and apps


class RuleCompileError(RuntimeError):
    """durable-rules refused a period; ``rules`` names the rules it refuses on their own."""

    def __init__(self, rules: list[str], message: str) -> None:
        self.rules = rules
        super().__init__(message)


class RuleActionError(RuntimeError):
    """An action raised inside durable-rules (it would otherwise be silent)."""


# ---------------------------------------------------------------------------- compiler


def membership_key(fact: str, table: str) -> str:
    """The case-fact key that says whether ``fact`` is in code table ``table``."""
    return f"{fact}__in__{table}"


def table_facts(facts: dict[str, Any], pairs: set[tuple[str, str]], tables: dict) -> dict:
    """Facts plus ``<fact>__in__<table>`` for every table test the rules make: code lists are
    too large for a durable-rules expression, so membership is worked out before asserting."""
    extra = {
        membership_key(fact, table): conditions.in_ranges(facts[fact], tables[table])
        for fact, table in pairs
        if fact in facts and isinstance(facts[fact], int)
    }
    return {**facts, **extra}


def _and(items: list[dict]) -> dict:
    return items[0] if len(items) == 1 else {"$and": items}


def _or(items: list[dict]) -> dict:
    return items[0] if len(items) == 1 else {"$or": items}


def _comparison(leaf: conditions.Leaf, derived: set[str]) -> dict:
    """One comparison as a durable-rules expression on the fact that holds it."""
    prop = "v" if leaf.fact in derived else leaf.fact
    op, operand = leaf.op, leaf.operand
    if op == "eq":
        expression = {prop: operand}
    elif op == "ne":
        expression = {"$neq": {prop: operand}}
    elif op in ("gt", "gte", "lt", "lte"):
        expression = {"$" + op: {prop: operand}}
    elif op == "in":
        expression = _or([{prop: value} for value in operand])
    elif op == "not_in":
        expression = _and([{"$neq": {prop: value}} for value in operand])
    elif op == "between":
        expression = _and([{"$gte": {prop: operand[0]}}, {"$lte": {prop: operand[1]}}])
    elif op == "known":
        expression = {"$ex" if operand else "$nex": {prop: 1}}
    elif op in ("in_table", "not_in_table"):
        prop = membership_key(leaf.fact, operand)
        expression = {prop: op == "in_table"}
    else:  # pragma: no cover - the loader accepts no other operator
        raise ValueError(f"unknown operator {op}")
    if leaf.missing_ok and leaf.fact not in derived and op != "known":
        return {"$or": [expression, {"$nex": {prop: 1}}]}  # an unanswered question passes
    return expression


def _dnf(node: conditions.Node, derived: set[str]) -> list[Conjunct]:
    """The condition as a disjunction of conjunctions, each grouped by the fact it reads."""
    if isinstance(node, conditions.Leaf):
        group = node.fact if node.fact in derived else CASE
        return [{group: [_comparison(node, derived)]}]
    if isinstance(node, conditions.All):
        result: list[Conjunct] = [{}]
        for item in node.items:
            result = [
                {key: a.get(key, []) + b.get(key, []) for key in a.keys() | b.keys()}
                for a in result
                for b in _dnf(item, derived)
            ]
        return result
    if isinstance(node, conditions.Any_):
        options = [conj for item in node.items for conj in _dnf(item, derived)]
        groups = {frozenset(conj) for conj in options}
        if len(options) > 1 and len(groups) == 1 and len(next(iter(groups))) == 1:
            (group,) = next(iter(groups))  # every alternative tests the same one fact: one "or"
            return [{group: [_or([_and(conj[group]) for conj in options])]}]
        return options
    raise TypeError("conditions must be in negation normal form")  # pragma: no cover


def _aliases(conj: Conjunct, guard: tuple[str, int] | None) -> list[dict]:
    """The facts one conjunction joins: each derived fact it tests, the "missed" fact of the
    case before (``guard``), and the case fact when it tests answers (or nothing else)."""
    aliases = [
        {f"d_{group}": _and([{"t": "d"}, {"k": group}, *tests])}
        for group, tests in sorted(conj.items())
        if group != CASE
    ]
    if guard is not None:
        name, position = guard
        aliases.append({"m": _and([{"t": "m"}, {"k": name}, {"i": position}])})
    if conj.get(CASE) or not aliases:
        aliases.insert(0, {"c": _and([{"t": CASE}, *conj.get(CASE, [])])})
    return aliases


def _exclusive(node: conditions.Node, derived: set[str]) -> conditions.Node:
    """The same condition with its "or"s made exclusive where that is exact: ``a or b`` becomes
    ``a or (not a and b)`` when ``a`` reads answers only (an answer's comparison and its
    negation never both hold), so durable-rules, which matches an "or" once per alternative
    that holds, fires the rule once. Alternatives that read a derived fact (which can be
    absent) go last and are not negated."""
    if isinstance(node, conditions.Leaf):
        return node
    if isinstance(node, conditions.All):
        return conditions.All(tuple(_exclusive(item, derived) for item in node.items))

    def on_answers(item: conditions.Node) -> bool:
        return all(leaf.fact not in derived for leaf in conditions.leaves(item))

    items: list[conditions.Node] = []
    earlier: list[conditions.Node] = []
    for item in sorted(node.items, key=lambda item: not on_answers(item)):  # stable
        own = _exclusive(item, derived)
        items.append(conditions.All((*earlier, own)) if earlier else own)
        if on_answers(item):
            earlier.append(_exclusive(conditions.nnf(conditions.Not(item)), derived))
    return conditions.Any_(tuple(items))


def _size(rule: dict | None) -> int:
    """The largest pattern of a durable rule, in comparisons and and/or nodes."""

    def nodes(expression: dict) -> int:
        key, value = next(iter(expression.items()))
        return 1 + sum(map(nodes, value)) if key in ("$and", "$or") else 1

    if rule is None:
        return 0
    alternatives = [rule["all"]] if "all" in rule else [next(iter(a.values())) for a in rule["any"]]
    return max(nodes(next(iter(alias.values()))) for aliases in alternatives for alias in aliases)


def rule_json(
    node: conditions.Node, derived: set[str], run: Action, guard: tuple[str, int] | None = None
) -> dict | None:
    """The durable-rules rule for ``node`` (``None`` when it can never hold)."""
    conjuncts = _dnf(node, derived)
    if not conjuncts:
        return None
    if len(conjuncts) == 1:
        return {"all": _aliases(conjuncts[0], guard), "run": run}
    return {
        "any": [{f"a{i}$all": _aliases(conj, guard)} for i, conj in enumerate(conjuncts)],
        "run": run,
    }


def _culprits(definition: dict[str, dict]) -> list[str]:
    """The rules durable-rules refuses one by one (a refused ruleset names no rule)."""
    found = []
    for index, (rule_name, rule) in enumerate(definition.items()):
        data = {key: value for key, value in rule.items() if key != "run"}
        try:
            handle = durable_rules_engine.create_ruleset(
                f"advisor_probe_{index}_{next(_sequence)}", json.dumps({rule_name: data})
            )
        except Exception:  # noqa: BLE001 - this is the rule we are looking for
            found.append(rule_name.split("#")[0])
        else:
            durable_rules_engine.delete_ruleset(handle)
    return list(dict.fromkeys(found))


# ---------------------------------------------------------------------------- runner


class _Host(durable.Host):
    """A ``durable.engine.Host`` without its background dispatch and timer threads."""

    def _run(self) -> None:
        pass


def _assert(c: durable.Closure, fact: dict[str, Any]) -> None:
    """Assert a chained fact into the action's session (one no rule reads, or one asserted
    already, is fine)."""
    with contextlib.suppress(durable.MessageNotHandledException, durable.MessageObservedException):
        c.assert_fact(dict(fact))


def _no_action(c: durable.Closure) -> None:
    """The action of ``SESSION_RULE``: nothing to conclude."""


class DurableEngine:
    """One rule-base version: a durable-rules ruleset per period of law, registered on first
    use (``prepare`` registers ahead). Thread-safe: evaluations take turns under a lock (the C
    engine never releases the GIL, so threads would gain nothing)."""

    def __init__(self, version: str, tables: dict) -> None:
        self._version = re.sub(r"\W", "_", version)
        self._tables = tables
        self._host: _Host | None = _Host()
        self._lock = threading.RLock()
        self._names: dict[str, str] = {}  # period key -> ruleset name
        self._orders: dict[str, dict[str, int]] = {}  # ruleset name -> rule id -> position
        self._answers: dict[str, list[str]] = {}  # period key -> the answers its rules read
        self._table_pairs: set[tuple[str, str]] = set()
        self._outcomes: dict[str, Outcome] = {}  # session id -> its outcome, while it runs
        self._sids = itertools.count()

    # -- actions (one argument: synchronous, so assert_fact returns after the whole chain)

    def _fire_action(self, rule_id: str) -> Action:
        def action(c: durable.Closure) -> None:
            fired = self._outcomes[c.s.sid].fired
            if rule_id not in fired:
                fired.append(rule_id)

        return action

    def _derive_action(self, case: CompiledRule) -> Action:
        fact = {"t": "d", "k": case.code, "v": case.value}

        def action(c: durable.Closure) -> None:
            outcome = self._outcomes[c.s.sid]
            outcome.derived[case.code] = case.value
            outcome.derived_by[case.code] = case.id
            _assert(c, fact)

        return action

    def _miss_action(self, name: str, position: int) -> Action:
        fact = {"t": "m", "k": name, "i": position}

        def action(c: durable.Closure) -> None:
            _assert(c, fact)

        return action

    # -- compiling and registering a period

    def _decision_list(
        self, name: str, cases: list[CompiledRule], derived: set[str], inline: bool
    ) -> dict:
        """The rules of one derived fact: case *i* holds when its condition holds and every
        earlier case's negation does. Negations of earlier cases that read answers only are
        written into the case's own pattern while it stays within ``INLINE_BUDGET``; any
        other earlier case is represented by the "missed" fact its ``#miss`` rule asserts."""
        rules: dict[str, dict | None] = {}
        guard: tuple[str, int] | None = None  # the last "missed" fact asserted
        pending: list[conditions.Node] = []  # negations written in since that fact
        previous: CompiledRule | None = None

        def rule(items: list[conditions.Node], run: Action) -> dict | None:
            return rule_json(conditions.All(tuple(items)), derived, run, guard)

        def close_pending() -> None:  # the cases before: one "missed" fact instead
            nonlocal guard, pending
            assert previous is not None
            miss = self._miss_action(name, previous.position)
            rules[f"{previous.id}#miss"] = rule(pending, miss)
            guard, pending = (name, previous.position), []

        for case in cases:
            own = conditions.TRUE if case.otherwise else case.condition
            hit = rule([*pending, own], self._derive_action(case))
            if pending and _size(hit) > INLINE_BUDGET:
                close_pending()
                hit = rule([own], self._derive_action(case))
            rules[f"{case.id}#hit"] = hit
            if case.otherwise or case.position + 1 >= len(cases):
                break
            negation = _exclusive(negated(case), derived)
            if pending and _size(rule([*pending, negation], _no_action)) > INLINE_BUDGET:
                close_pending()
            previous = case
            if inline and derived.isdisjoint(case.facts):
                pending.append(negation)
            else:
                miss = self._miss_action(name, case.position)
                rules[f"{case.id}#miss"] = rule([*pending, negation], miss)
                guard, pending = (name, case.position), []
        return rules

    def _definition(self, period: Period, inline: bool) -> dict[str, dict]:
        derived = set(period.decisions)
        rules: dict[str, dict | None] = {}
        for name, cases in period.decisions.items():
            rules.update(self._decision_list(name, cases, derived, inline))
        # Every case fact matches this rule, so no session starts with a fact that matched
        # nothing: durable-rules 2.0.28 corrupts its heap when such a session is deleted in a
        # large ruleset (tests/test_engine.py::test_a_case_that_matches_no_rule).
        rules[SESSION_RULE] = {"all": [{"c": {"t": CASE}}], "run": _no_action}
        for rule in period.rules:
            rules[rule.id] = rule_json(rule.condition, derived, self._fire_action(rule.id))
        return {name: rule for name, rule in rules.items() if rule is not None}

    def _register(self, period: Period) -> str:
        name = self._names.get(period.key)
        if name:
            return name
        assert self._host is not None
        name = f"advisor_{self._version}_{period.key.replace('-', '')}_{next(_sequence)}"
        for rule in [*period.rules, *(c for cs in period.decisions.values() for c in cs)]:
            for leaf in conditions.leaves(rule.condition):
                if leaf.op in ("in_table", "not_in_table"):
                    self._table_pairs.add((leaf.fact, leaf.operand))
        for inline in (True, False):  # the plain chain of "missed" facts if durable refuses
            definition = self._definition(period, inline)
            try:
                self._host.register_rulesets({name: definition})
                break
            except Exception as error:  # noqa: BLE001 - durable-rules raises a bare code
                if not inline:
                    raise RuleCompileError(_culprits(definition), str(error)) from None
        # A case's negation reads the same facts as the case, so facts_read covers both.
        self._answers[period.key] = sorted(period.facts_read - set(period.decisions))
        self._orders[name] = {rule.id: i for i, rule in enumerate(period.rules)}
        self._names[period.key] = name
        return name

    def prepare(self, period: Period) -> None:
        """Register ``period``'s ruleset now (raises ``RuleCompileError``)."""
        with self._lock:
            self._register(period)

    # -- evaluating

    def run(self, period: Period, facts: dict[str, Any]) -> Outcome:
        """What fires for ``facts`` (a Case's facts) in ``period``, in the rule base's order."""
        with self._lock:
            if self._host is None:
                raise RuntimeError("engine closed")
            name = self._register(period)
            sid = f"s{next(self._sids)}"
            outcome = self._outcomes[sid] = Outcome()
            # Only the answers the rules read: the matched facts travel with every action.
            answers = {key: facts[key] for key in self._answers[period.key] if key in facts}
            case = {"t": CASE, **table_facts(answers, self._table_pairs, self._tables)}
            try:
                state = self._host.assert_fact(name, {**case, "sid": sid})
                if state and "exception" in state:
                    raise RuleActionError(f"a rule's action failed: {state['exception']}")
                order = self._orders[name]
                outcome.fired.sort(key=lambda rule_id: order.get(rule_id, 0))
                return outcome
            finally:
                del self._outcomes[sid]
                with contextlib.suppress(Exception):  # a state that is already gone is fine
                    self._host.delete_state(name, sid)

    def close(self) -> None:
        """Free the rulesets (a ``Host`` never does: about 0.6 MB each)."""
        with self._lock:
            if self._host is not None:
                for ruleset in self._host._ruleset_list:
                    with contextlib.suppress(Exception):
                        durable_rules_engine.delete_ruleset(ruleset._handle)
            self._host = None
