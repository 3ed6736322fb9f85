"""Evaluate compiled periods of law with durable-rules (and a plain-Python reference).

durable-rules is used as ``../shared/stack-notes.md`` section 1 prescribes: a private Host with
its background dispatcher off, synchronous one-argument actions, a unique ruleset name per
rule-base version and period, ``state["exception"]`` checked, and the session state deleted
after every evaluation. Derived facts are separate facts (``{"t": "d", "k": name, "v": value}``)
so rules chain forward; a derived fact's cases form a decision list: a case holds when its own
condition and the negations of the earlier cases hold, the negations written into its pattern
where they read answers only, otherwise joined as "missed" facts the earlier case asserts
(``DurableEngine._decision_list``). docs/performance.md ("Engine") has the measurements and two
durable-rules defects this module works around.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
import warnings
from dataclasses import dataclass, field
from typing import Any

import durable_rules_engine

from advisor.rulebase import conditions
from advisor.rulebase.compiler import CompiledRule, Period

warnings.filterwarnings("ignore", message=r".*utcfromtimestamp.*", category=DeprecationWarning)

CASE_GROUP = "case"
#: The most comparisons and and/or nodes one pattern of a decision-list rule may have once
#: negations are inlined. durable-rules refuses a pattern whose nested and/or expressions
#: reach 32 entries (error 113, MAX_SEQUENCE_EXPRESSIONS); patterns of up to 40 nodes were
#: accepted in every shape tried, so 30 leaves a margin. The engine falls back to no
#: inlining if durable-rules still refuses (``DurableEngine._register``).
INLINE_BUDGET = 30


class RuleCompileError(RuntimeError):
    """durable-rules refused a compiled rule base; ``rules`` names the rules it refuses alone
    (empty when only the combination is refused)."""

    def __init__(self, rules: list[str], message: str) -> None:
        self.rules = rules
        super().__init__(message)


def _culprits(definition: dict[str, dict]) -> list[str]:
    """The rules durable-rules refuses one by one (a refused ruleset names no rule)."""
    found = []
    for index, (rule_name, rule) in enumerate(definition.items()):
        try:
            handle = durable_rules_engine.create_ruleset(
                f"advisor_probe_{index}_{next(_sequence)}", json.dumps({rule_name: rule})
            )
        except Exception:  # noqa: BLE001 - this is the rule we are looking for
            found.append(rule_name.split("#")[0])
        else:
            durable_rules_engine.delete_ruleset(handle)
    return list(dict.fromkeys(found))


class RuleActionError(RuntimeError):
    """An action raised inside durable-rules (it would otherwise be silent)."""


@dataclass
class Outcome:
    """What fired for one case: derived values (with the case that set them) and rule ids."""

    derived: dict[str, Any] = field(default_factory=dict)
    derived_by: dict[str, str] = field(default_factory=dict)
    fired: list[str] = field(default_factory=list)

    def signature(self) -> tuple:
        return (
            tuple(sorted((k, json.dumps(v)) for k, v in self.derived.items())),
            tuple(sorted(self.derived_by.items())),
            tuple(sorted(set(self.fired))),
        )


# ---------------------------------------------------------------- plain-Python reference


def run_plain(period: Period, facts: dict[str, Any], tables: dict) -> Outcome:
    """The same compiled conditions, evaluated directly (reference and benchmark baseline)."""
    outcome, facts = derive_plain(period, facts, tables)
    joined = frozenset(period.decisions)
    outcome.fired = [
        rule.id
        for rule in period.rules
        if conditions.evaluate(rule.condition, facts, tables, joined)
    ]
    return outcome


def derive_plain(period: Period, facts: dict[str, Any], tables: dict) -> tuple[Outcome, dict]:
    """The derived facts only (decision lists in order); returns them and the extended facts."""
    outcome = Outcome()
    facts = dict(facts)
    joined = frozenset(period.decisions)
    for name in period.derived_order:
        for case in period.decisions[name]:
            if case.otherwise or conditions.evaluate(case.condition, facts, tables, joined):
                facts[name] = case.value
                outcome.derived[name] = case.value
                outcome.derived_by[name] = case.id
                break
            if not conditions.evaluate(negated(case), facts, tables, joined):
                break  # neither holds: a derived fact the case needs is undetermined
    return outcome, facts


def rerun_plain(
    period: Period, base: Outcome, facts: dict[str, Any], changed: set[str], tables: dict
) -> Outcome:
    """``run_plain`` for facts that differ from a known outcome's only in ``changed``: derived
    facts are worked out again, but only the rules that read a changed fact are re-evaluated."""
    outcome, facts = derive_plain(period, facts, tables)
    changed = set(changed) | {
        name for name in period.decisions if outcome.derived.get(name) != base.derived.get(name)
    }
    joined = frozenset(period.decisions)
    before = set(base.fired)
    fired = []
    for rule in period.rules:
        if changed.isdisjoint(rule.facts):
            if rule.id in before:
                fired.append(rule.id)
        elif conditions.evaluate(rule.condition, facts, tables, joined):
            fired.append(rule.id)
    outcome.fired = fired
    return outcome


def negated(rule: CompiledRule) -> conditions.Node:
    assert rule.negated is not None, "only derive cases carry a negation"
    return rule.negated


# ---------------------------------------------------------------- durable-rules


def _group(fact: str, derived: set[str]) -> str:
    return fact if fact in derived else CASE_GROUP


def _prop(leaf: conditions.Leaf, derived: set[str]) -> str:
    return "v" if leaf.fact in derived else leaf.fact


def _leaf_json(leaf: conditions.Leaf, derived: set[str], tables: dict) -> dict:
    expression = _comparison_json(leaf, derived)
    if leaf.missing_ok and leaf.fact not in derived and leaf.op != "known":
        key = (
            membership_key(leaf.fact, leaf.operand)
            if leaf.op in ("in_table", "not_in_table")
            else leaf.fact
        )
        return {"$or": [expression, {"$nex": {key: 1}}]}
    return expression


def _comparison_json(leaf: conditions.Leaf, derived: set[str]) -> dict:
    prop = _prop(leaf, derived)
    op, operand = leaf.op, leaf.operand

    def cmp(name: str, value: Any) -> dict:
        return {name: {prop: value}}

    def any_of(items: list[dict]) -> dict:
        return items[0] if len(items) == 1 else {"$or": items}

    def all_of(items: list[dict]) -> dict:
        return items[0] if len(items) == 1 else {"$and": items}

    if op == "eq":
        return {prop: operand}
    if op == "ne":
        return cmp("$neq", operand)
    if op in ("gt", "gte", "lt", "lte"):
        return cmp("$" + op, operand)
    if op == "in":
        return any_of([{prop: value} for value in operand])
    if op == "not_in":
        return all_of([cmp("$neq", value) for value in operand])
    if op == "between":
        return all_of([cmp("$gte", operand[0]), cmp("$lte", operand[1])])
    if op == "known":
        return cmp("$ex" if operand else "$nex", 1)
    if op in ("in_table", "not_in_table"):
        # Large code lists exceed what one durable-rules expression can hold, so membership is
        # computed before the fact is asserted (see ``table_facts``) and compared here.
        return {membership_key(leaf.fact, operand): op == "in_table"}
    raise ValueError(f"unknown operator {op}")  # pragma: no cover


def membership_key(fact: str, table: str) -> str:
    return f"{fact}__in__{table}"


def table_facts(facts: dict[str, Any], pairs: set[tuple[str, str]], tables: dict) -> dict:
    """Facts plus ``<fact>__in__<table>`` for every table test the rules make."""
    extra = {
        membership_key(fact, table): conditions.in_ranges(facts[fact], tables[table])
        for fact, table in pairs
        if fact in facts and isinstance(facts[fact], int)
    }
    return {**facts, **extra} if extra else facts


Conjunct = dict[str, list[dict]]


def _dnf(node: conditions.Node, derived: set[str], tables: dict) -> list[Conjunct]:
    """Disjunction of conjunctions, each grouped by the durable fact it reads."""
    if isinstance(node, conditions.Leaf):
        return [{_group(node.fact, derived): [_leaf_json(node, derived, tables)]}]
    if isinstance(node, conditions.All):
        result: list[Conjunct] = [{}]
        for item in node.items:
            options = _dnf(item, derived, tables)
            result = [
                {key: a.get(key, []) + b.get(key, []) for key in a.keys() | b.keys()}
                for a in result
                for b in options
            ]
        return result
    if isinstance(node, conditions.Any_):
        options = [conj for item in node.items for conj in _dnf(item, derived, tables)]
        groups = {frozenset(conj) for conj in options}
        if len(groups) == 1 and len(next(iter(groups))) == 1 and len(options) > 1:
            (group,) = next(iter(groups))
            return [{group: [{"$or": [_and(conj[group]) for conj in options]}]}]
        return options
    raise TypeError("conditions must be in negation normal form")  # pragma: no cover


def _exclusive(node: conditions.Node, derived: set[str]) -> conditions.Node:
    """The same condition with its "or"s made exclusive where that is exact.

    durable-rules gives an "or" one match per alternative that holds, so a rule whose ors
    overlap fires once for every combination (six times for ``(a or b) and (c or d or e)``
    when all hold), and each firing asserts its fact again. ``a or b`` is rewritten as ``a
    or (not a and b)`` when ``a`` reads answers only: for answers a comparison and its
    negation never both hold (``conditions.negate_leaf``). A derived fact can be absent, so
    alternatives that read one are put last and not negated.
    """
    if isinstance(node, conditions.Leaf):
        return node
    if isinstance(node, conditions.All):
        return conditions.All(tuple(_exclusive(item, derived) for item in node.items))

    def on_answers(item: conditions.Node) -> bool:
        return all(leaf.fact not in derived for leaf in conditions.leaves(item))

    ordered = sorted(node.items, key=lambda item: not on_answers(item))  # stable
    items: list[conditions.Node] = []
    earlier: list[conditions.Node] = []
    for item in ordered:
        own = _exclusive(item, derived)
        items.append(conditions.All((*earlier, own)) if earlier else own)
        if on_answers(item):
            earlier.append(_exclusive(conditions.nnf(conditions.Not(item)), derived))
    return conditions.Any_(tuple(items))


def _carrier(period: Period, alternatives: list[list[Conjunct]]) -> str | None:
    """The derived fact the period's rules (``alternatives``: each rule's, merged) most often
    read together with answers (see ``_aliases``); ``None`` when no rule does, or when an
    answer's name would clash with the fact's own keys."""
    if period.facts_read & {"t", "k", "v", "i", "id", "sid"}:
        return None
    counts: dict[str, int] = {}
    for conjuncts in alternatives:
        for conj in conjuncts:
            if CASE_GROUP in conj:
                for group in conj.keys() - {CASE_GROUP}:
                    counts[group] = counts.get(group, 0) + 1
    return max(sorted(counts), key=lambda group: counts[group]) if counts else None


def _expressions(rule: dict | None) -> int:
    """The largest pattern of a durable rule, counted in comparisons and and/or nodes."""
    if rule is None:
        return 0

    def nodes(expression: dict) -> int:
        key, value = next(iter(expression.items()))
        return 1 + sum(map(nodes, value)) if key in ("$and", "$or") else 1

    alternatives = [rule["all"]] if "all" in rule else [next(iter(a.values())) for a in rule["any"]]
    return max(nodes(next(iter(alias.values()))) for aliases in alternatives for alias in aliases)


def _and(items: list[dict]) -> dict:
    return items[0] if len(items) == 1 else {"$and": items}


def _aliases(conj: Conjunct, guard: tuple[str, int] | None, carrier: str | None) -> list[dict]:
    """The facts one alternative joins.

    The derived fact ``carrier`` (the one rules most often read together with answers, in
    practice ``regime``) is asserted with a copy of the case's answers, so an alternative
    that joins it tests the answers there and does not join the case fact at all. Likewise
    the case fact is left out when the alternative tests nothing on it. Each join costs
    durable-rules about 8 KB of memory to set up in every new session: the largest single
    part of an evaluation.
    """
    aliases: list[tuple[str, list[dict]]] = [
        (f"d_{group}", [{"t": "d"}, {"k": group}, *conds])
        for group, conds in sorted(conj.items())
        if group != CASE_GROUP
    ]
    if guard is not None:
        name, position = guard
        aliases.append(("m", [{"t": "m"}, {"k": name}, {"i": position}]))
    case_conds = conj.get(CASE_GROUP, [])
    if carrier is not None and carrier in conj:
        next(conds for alias, conds in aliases if alias == f"d_{carrier}").extend(case_conds)
    elif case_conds or not aliases:
        aliases.insert(0, ("c", [{"t": "case"}, *case_conds]))
    return [{alias: _and(conds)} for alias, conds in aliases]


def _merge(conjuncts: list[Conjunct]) -> list[Conjunct]:
    """Alternatives that join the same derived facts with the same tests, and differ only
    in what they test on the case, become one alternative whose case test is an "or": one
    join instead of several."""
    merged: dict[str, Conjunct] = {}
    options: dict[str, list[list[dict]]] = {}
    for conj in conjuncts:
        rest = {group: conds for group, conds in conj.items() if group != CASE_GROUP}
        key = json.dumps(rest, sort_keys=True)
        merged.setdefault(key, rest)
        options.setdefault(key, []).append(conj.get(CASE_GROUP, []))
    result = []
    for key, rest in merged.items():
        alternatives = options[key]
        if len(alternatives) == 1:
            case_conds = alternatives[0]
        elif any(not conds for conds in alternatives):
            case_conds = []  # one alternative tests nothing on the case: the "or" holds
        else:
            case_conds = [{"$or": [_and(conds) for conds in alternatives]}]
        result.append({**rest, CASE_GROUP: case_conds} if case_conds else dict(rest))
    return result


def _rule_json(
    conjuncts: list[Conjunct],
    guard: tuple[str, int] | None,
    run: Any,
    carrier: str | None = None,
) -> dict | None:
    if not conjuncts:
        return None
    conjuncts = _merge(conjuncts)
    if len(conjuncts) == 1:
        return {"all": _aliases(conjuncts[0], guard, carrier), "run": run}
    return {
        "any": [{f"a{i}$all": _aliases(conj, guard, carrier)} for i, conj in enumerate(conjuncts)],
        "run": run,
    }


class _Context:
    """What an action sees: the evaluation's outcome, and a way to assert chained facts."""

    __slots__ = ("asserted", "handle", "outcome", "sid", "suffix", "with_answers")

    def __init__(self, handle: int, sid: str, outcome: Outcome, answers: str = "") -> None:
        """``answers``: the case's answers as JSON object members (``"a": 1, "b": 2``), for
        the case fact and the carrier fact (see ``_aliases``)."""
        self.handle, self.sid, self.outcome = handle, sid, outcome
        self.suffix = '"sid": ' + json.dumps(sid) + "}"
        self.with_answers = (answers + ", " if answers else "") + self.suffix
        self.asserted: set[str] = set()

    def assert_fact(self, prefix: str, *, answers: bool = False) -> None:
        """Assert a derived or "missed" fact into this session: ``prefix`` is its JSON up to
        the session id (see ``_fact_prefix``), ``answers`` whether it carries the case's
        answers. A fact no rule reads, or one already asserted, is fine (result codes 1 and
        2); the actions it enables are picked up by the evaluation loop."""
        if prefix not in self.asserted:  # a rule whose "or"s overlap fires more than once
            self.asserted.add(prefix)
            tail = self.with_answers if answers else self.suffix
            durable_rules_engine.assert_fact(self.handle, prefix + tail)


def _fact_prefix(fact: dict[str, Any]) -> str:
    """A chained fact's JSON without its closing brace, ready for more members (encoded
    once, when the rule is registered, instead of on every evaluation)."""
    return json.dumps(fact, ensure_ascii=False)[:-1] + ", "


def _action_name(message: str) -> str:
    """The rule name of a pending action, ``{"<name>": {...}}``, without parsing the facts."""
    end = message.find('"', 2)
    name = message[2:end]
    if message.startswith('{"') and "\\" not in name and message.startswith('":', end):
        return name
    return next(iter(json.loads(message)))  # pragma: no cover - names with escapes


_sequence = itertools.count()

#: The rule every case fact matches (see ``DurableEngine._create``).
SESSION_RULE = "advisor#session"


def _no_action(c: _Context) -> None:
    """The action of ``SESSION_RULE``: nothing to conclude."""


class DurableEngine:
    """One rule-base version: a durable-rules ruleset per period, registered lazily.

    Evaluation drives the durable-rules C engine directly (``durable_rules_engine``): assert
    the case fact, then take the session's pending actions one by one until none is left, as
    ``durable.engine.Host`` does, but without its Python wrapper's per-action cost (a Closure,
    the matched facts parsed from JSON, the state written back as JSON, clock reads) and
    without its background dispatch threads (stack-notes 1d). Actions are synchronous; one
    that raises stops the evaluation with ``RuleActionError``. The session state is deleted
    after every evaluation.
    """

    def __init__(self, version: str, tables: dict) -> None:
        self._version = re.sub(r"\W", "_", version)
        self._tables = tables
        self._closed = False
        self._lock = threading.RLock()
        self._names: dict[str, str] = {}
        self._handles: dict[str, int] = {}  # ruleset name -> durable-rules handle
        self._actions: dict[str, dict[str, Any]] = {}  # ruleset name -> rule name -> action
        self._orders: dict[str, dict[str, int]] = {}  # ruleset name -> rule id -> position
        self._outcomes: dict[str, Outcome] = {}
        self._sids = itertools.count()
        self._table_pairs: set[tuple[str, str]] = set()
        self._case_fields: dict[str, list[str]] = {}  # the answers a period's rules read
        self.not_inlined: list[str] = []  # periods registered without inlined negations

    def _register(self, period: Period) -> str:
        name = self._names.get(period.key)
        if name:
            return name
        name = f"advisor_{self._version}_{period.key.replace('-', '')}_{next(_sequence)}"
        derived = set(period.decisions)
        for rule in [*period.rules, *(c for cs in period.decisions.values() for c in cs)]:
            for leaf in conditions.leaves(rule.condition):
                if leaf.op in ("in_table", "not_in_table"):
                    self._table_pairs.add((leaf.fact, leaf.operand))
        # A case's negation reads the same facts as the case, so facts_read covers both.
        self._case_fields[period.key] = sorted(period.facts_read - derived)
        try:
            handle, actions = self._create(name, period, derived, inline=True)
        except RuleCompileError:
            # Inlined negations made some expression too long for durable-rules (error 113):
            # fall back to one "missed" fact per case, which durable-rules always accepts
            # when the rules alone are accepted (and otherwise names the culprits).
            handle, actions = self._create(name, period, derived, inline=False)
            self.not_inlined.append(period.key)
        self._handles[name] = handle
        self._actions[name] = actions
        self._orders[name] = {rule.id: i for i, rule in enumerate(period.rules)}
        self._names[period.key] = name
        return name

    def _create(
        self, name: str, period: Period, derived: set[str], *, inline: bool
    ) -> tuple[int, dict[str, Any]]:
        definition: dict[str, dict] = {}
        actions: dict[str, Any] = {}

        def add(rule_name: str, rule: dict | None) -> None:
            if rule:
                actions[rule_name] = rule.pop("run")
                definition[rule_name] = rule

        alternatives = [
            _merge(_dnf(rule.condition, derived, self._tables)) for rule in period.rules
        ]
        carrier = _carrier(period, alternatives)
        for fact, cases in period.decisions.items():
            for rule_name, rule in self._decision_list(fact, cases, derived, inline, carrier):
                add(rule_name, rule)
        # Every case fact matches this rule, so a session never starts with a fact that
        # matched nothing: durable-rules 2.0.28 corrupts its heap when such a session is
        # deleted in a large ruleset ("munmap_chunk(): invalid pointer" after a few hundred
        # evaluations; tests/test_engine.py::test_a_case_that_matches_no_rule).
        add(SESSION_RULE, {"all": [{"c": {"t": "case"}}], "run": _no_action})
        for rule, conjuncts in zip(period.rules, alternatives, strict=True):
            add(rule.id, _rule_json(conjuncts, None, self._fire_action(rule.id), carrier))
        try:
            handle = durable_rules_engine.create_ruleset(
                name, json.dumps(definition, ensure_ascii=False)
            )
        except Exception as error:  # noqa: BLE001 - durable-rules raises a bare error code
            raise RuleCompileError(_culprits(definition), str(error)) from None
        return handle, actions

    def _decision_list(
        self,
        fact: str,
        cases: list[CompiledRule],
        derived: set[str],
        inline: bool,
        carrier: str | None = None,
    ) -> list[tuple[str, dict | None]]:
        """The durable rules of one derived fact's decision list (first case that holds wins).

        Case *i* holds when its condition holds and every earlier case's negation does. The
        negations of earlier cases that read only answers (not derived facts) are written into
        the case's own condition, as long as the rule stays within ``INLINE_BUDGET``; any
        other earlier case is represented by a "missed" fact ``{"t": "m", "k": fact, "i":
        position}`` that its ``#miss`` rule asserts and the later cases join on. Each inlined
        negation spares an assert and an action per evaluation (the bulk of the work).
        """

        def rule(items: list[conditions.Node], guard: tuple[str, int] | None, run: Any) -> Any:
            conjuncts = _dnf(conditions.All(tuple(items)), derived, self._tables)
            return _rule_json(conjuncts, guard, run, carrier)

        made: list[tuple[str, dict | None]] = []
        guard: tuple[str, int] | None = None  # the last "missed" fact asserted
        pending: list[conditions.Node] = []  # negations inlined since that fact
        previous: CompiledRule | None = None
        for case in cases:
            own = conditions.TRUE if case.otherwise else case.condition
            hit = rule([*pending, own], guard, self._derive_action(case, fact == carrier))
            if pending and previous is not None and _expressions(hit) > INLINE_BUDGET:
                # Too long with the negations inlined: assert "missed" for the case before.
                miss = rule(pending, guard, self._miss_action(fact, previous.position))
                made.append((f"{previous.id}#miss", miss))
                guard, pending = (fact, previous.position), []
                hit = rule([own], guard, self._derive_action(case, fact == carrier))
            made.append((f"{case.id}#hit", hit))
            if case.otherwise or case.position + 1 >= len(cases):
                break
            negation = _exclusive(negated(case), derived)
            fits = _expressions(rule([*pending, negation], guard, None)) <= INLINE_BUDGET
            if pending and previous is not None and not fits:
                miss = rule(pending, guard, self._miss_action(fact, previous.position))
                made.append((f"{previous.id}#miss", miss))
                guard, pending = (fact, previous.position), []
            previous = case
            if inline and derived.isdisjoint(case.facts) and fits:
                pending.append(negation)
                continue
            miss = rule([*pending, negation], guard, self._miss_action(fact, case.position))
            made.append((f"{case.id}#miss", miss))
            guard, pending = (fact, case.position), []
        return made

    def _derive_action(self, case: CompiledRule, carrier: bool = False) -> Any:
        fact, value, rule_id = case.code, case.value, case.id
        prefix = _fact_prefix({"t": "d", "k": fact, "v": value})

        def action(c: _Context) -> None:
            c.outcome.derived[fact] = value
            c.outcome.derived_by[fact] = rule_id
            c.assert_fact(prefix, answers=carrier)

        return action

    def _miss_action(self, fact: str, position: int) -> Any:
        prefix = _fact_prefix({"t": "m", "k": fact, "i": position})

        def action(c: _Context) -> None:
            c.assert_fact(prefix)

        return action

    def _fire_action(self, rule_id: str) -> Any:
        def action(c: _Context) -> None:
            fired = c.outcome.fired
            if rule_id not in fired:
                fired.append(rule_id)

        return action

    def prepare(self, period: Period) -> None:
        with self._lock:
            self._register(period)

    def run(self, period: Period, facts: dict[str, Any]) -> Outcome:
        with self._lock:
            if self._closed:
                raise RuntimeError("engine closed")
            name = self._register(period)
            handle, actions = self._handles[name], self._actions[name]
            sid = f"s{next(self._sids)}"
            outcome = self._outcomes[sid] = Outcome()
            # Only the answers the rules read: durable-rules copies the matched facts into
            # every action, so unused fields would cost time on every step.
            answers = {k: facts[k] for k in self._case_fields[period.key] if k in facts}
            answers = table_facts(answers, self._table_pairs, self._tables)
            members = json.dumps(answers, ensure_ascii=False)[1:-1]
            context = _Context(handle, sid, outcome, members)
            try:
                code, state = durable_rules_engine.assert_fact(
                    handle, '{"t": "case", ' + context.with_answers
                )
                if code == 0:  # always: SESSION_RULE reads every case
                    started = durable_rules_engine.start_action_for_state(handle, state)
                    message = started[1] if started else None
                    while message:
                        rule_name = _action_name(message)
                        try:
                            actions[rule_name](context)
                        except Exception as error:
                            durable_rules_engine.abandon_action(handle, state)
                            raise RuleActionError(
                                f"rule {rule_name}: {type(error).__name__}: {error}"
                            ) from error
                        message = durable_rules_engine.complete_and_start_action(handle, state)
                order = self._orders[name]
                outcome.fired.sort(key=lambda rule_id: order.get(rule_id, 0))
                return outcome
            finally:
                del self._outcomes[sid]
                # Always delete the state (stack-notes 1c), a missing one is fine. Keeping one
                # session and retracting its facts instead would save the cost of a new
                # session (about a third of an evaluation), but durable-rules 2.0.28 reads
                # uninitialised memory when it retracts (valgrind: deleteMessageFromFrame)
                # and crashed now and then in our trials: not an option.
                with contextlib.suppress(Exception):
                    durable_rules_engine.delete_state(handle, sid)

    def has_state(self, period: Period, sid: str) -> bool:
        """Whether durable-rules still holds session ``sid`` of ``period`` (for leak tests)."""
        name = self._names.get(period.key)
        if name is None:
            return False
        try:
            durable_rules_engine.get_state(self._handles[name], sid)
        except durable_rules_engine.error:
            return False
        return True

    def close(self) -> None:
        with self._lock:
            for handle in self._handles.values():
                with contextlib.suppress(Exception):
                    durable_rules_engine.delete_ruleset(handle)
            self._handles.clear()
            self._actions.clear()
            self._closed = True
