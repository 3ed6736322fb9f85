"""The plain-Python evaluator: the deliberate reference that durable-rules is tested against.

It evaluates the same compiled conditions (``advisor.rulebase.compiler``) directly with
``conditions.evaluate``: derived facts first, each a decision list (the first case that holds
wins), then every rule. ``tests/test_engine.py`` holds ``advisor.engine.durable`` equal to it
on every rule-base test case and thousands of sampled cases, and ``advisor rules test`` runs
the rule base's cases on both. The assessor also uses it where only a few rules need working
out again (what an unanswered question's answers would change: ``rerun_plain``).
"""

from __future__ import annotations

from typing import Any

from advisor.engine.outcome import Outcome, negated
from advisor.rulebase import conditions
from advisor.rulebase.compiler import Period


def run_plain(period: Period, facts: dict[str, Any], tables: dict) -> Outcome:
    """The derived facts and the rules that fire for ``facts`` in ``period``."""
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
