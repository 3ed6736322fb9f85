"""Which facts not known yet can still change what the rules conclude (the relevance analysis).

The wizard asks only what can change the result for the answers given so far, and the API
lists the facts a client did not state that would change it. Both ask this module. The result
is what a buyer is told: the regime, the routes (open or not), the obligations and the
warnings, including which draft rules the advice rests on.

The reading is cheap and safe: it may call a fact relevant that is not, never the reverse.
Every condition of a period of law is evaluated with the unknown facts as unknown
(``conditions.evaluate`` in its three-valued mode):

- a derived fact is *decided* when a case of its decision list holds whatever the unknown facts
  are and every case before it fails whatever they are; otherwise it stays open, with the
  values its remaining cases could give (a rule reading it may still be decided by them);
- a rule whose condition holds, or fails, whatever the unknown facts are cannot be changed by
  them;
- an unknown fact *matters* when a rule still undecided reads it, or an open derived fact that
  matters reads it (through any number of derived facts). The regime matters in itself, and so
  does an open derived fact one of whose possible deciding cases is a draft (the caveat that
  lists the draft rules behind the advice would change).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from advisor.rulebase.compiler import CompiledRule, Period
from advisor.rulebase.conditions import ABSENT, Unknown, evaluate

#: The derived fact that is part of the result in itself (the part of the regulation).
RESULT_FACTS = ("regime",)


@dataclass
class OpenFact:
    """A derived fact the known facts do not decide yet."""

    values: set[Any] = field(default_factory=set)  # what it may still be (ABSENT: none)
    cases: list[CompiledRule] = field(default_factory=list)  # the cases that may decide it

    @property
    def reads(self) -> set[str]:
        return {fact for case in self.cases for fact in case.facts}


@dataclass
class Analysis:
    """What the known facts decide in one period of law, and what is left open."""

    derived: dict[str, Any]  # derived facts decided (ABSENT: decided to stay undetermined)
    open: dict[str, OpenFact]  # derived facts left open
    undecided: list[CompiledRule]  # route, obligation and warning rules left open
    matters: frozenset[str]  # the unknown facts that can still change the result


def analyse(period: Period, facts: dict[str, Any], unknown: Unknown, tables: dict) -> Analysis:
    """Work out what ``facts`` decide when the facts in ``unknown`` are not known yet (each
    with its possible values, or ``None`` for any value; whatever ``facts`` says of them is
    ignored), and which of the unknown facts can still change the result."""
    known = {name: value for name, value in facts.items() if name not in unknown}
    possible: dict[str, Collection[Any] | None] = dict(unknown)
    joined = frozenset(period.decisions)
    decided: dict[str, Any] = {}
    open_facts: dict[str, OpenFact] = {}
    for name in period.derived_order:
        value, left_open = _derive(period.decisions[name], known, possible, tables, joined)
        if left_open is not None:
            open_facts[name] = left_open
            possible[name] = frozenset(left_open.values)
        else:
            decided[name] = value
            if value is not ABSENT:
                known[name] = value
    undecided = [
        rule
        for rule in period.rules
        if evaluate(rule.condition, known, tables, joined, possible) is None
    ]
    wanted = {fact for rule in undecided for fact in rule.facts}
    wanted.update(name for name in RESULT_FACTS if name in open_facts)
    wanted.update(
        name
        for name, left_open in open_facts.items()
        if any(case.draft for case in left_open.cases)
    )
    return Analysis(
        derived=decided,
        open=open_facts,
        undecided=undecided,
        matters=frozenset(_reached(wanted, open_facts) & set(unknown)),
    )


def facts_that_matter(
    period: Period, facts: dict[str, Any], unknown: Unknown, tables: dict
) -> frozenset[str]:
    """The facts in ``unknown`` that can still change the result (``analyse``)."""
    return analyse(period, facts, unknown, tables).matters


def _derive(
    cases: list[CompiledRule],
    known: dict[str, Any],
    possible: dict[str, Collection[Any] | None],
    tables: dict,
    joined: frozenset,
) -> tuple[Any, OpenFact | None]:
    """One decision list, as ``engine.reference.derive_plain`` runs it (the first case that
    holds gives the value; a case that neither holds nor fails leaves the fact undetermined),
    three-valued: ``(value, None)`` when decided, else ``(None, OpenFact)``."""
    left_open: OpenFact | None = None

    def leave_open(value: Any, case: CompiledRule) -> OpenFact:
        found = left_open or OpenFact()
        found.values.add(value)
        found.cases.append(case)
        return found

    for case in cases:
        holds = (
            True if case.otherwise else evaluate(case.condition, known, tables, joined, possible)
        )
        if holds is True:
            if left_open is None:
                return case.value, None
            return None, leave_open(case.value, case)  # reached only in some completions
        if holds is None:
            left_open = leave_open(case.value, case)
            continue
        assert case.negated is not None, "every derive case carries its negation"
        goes_on = evaluate(case.negated, known, tables, joined, possible)
        if goes_on is True:
            continue
        if goes_on is False and left_open is None:
            return ABSENT, None  # neither holds: undetermined, whatever is unknown
        left_open = leave_open(ABSENT, case)
        if goes_on is False:
            return None, left_open
    if left_open is None:
        return ABSENT, None
    left_open.values.add(ABSENT)
    return None, left_open


def _reached(wanted: Iterable[str], open_facts: dict[str, OpenFact]) -> set[str]:
    """``wanted`` and every fact an open derived fact among them reads, and so on."""
    reached = set(wanted)
    pending = [name for name in reached if name in open_facts]
    while pending:
        for fact in open_facts[pending.pop()].reads:
            if fact not in reached:
                reached.add(fact)
                if fact in open_facts:
                    pending.append(fact)
    return reached
