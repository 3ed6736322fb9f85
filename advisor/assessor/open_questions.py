"""What a "vet ikke" answer, or an answer not stated, could change.

Each answer given as "vet ikke" (unknown) that some finding depends on is tried with each of
its other values, through the plain reference evaluator (``engine.rerun_plain``: the same
compiled rules, the facts that changed worked out again). An answer for which one of them gives
another regime, other open routes or other obligations is an *open question*, with what each
such answer leads to. An answer for which they only change the warnings is still worth finding
out. An answer that was not stated (left out: never a "vet ikke") is tried the same way and
listed apart (``not_stated``) when a value would change anything, the warnings included. All
carry the rule base's advice on what to find out (facts.yaml ``find_out``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.assessment import Branch, FindOut, LocalText, OpenQuestion
from advisor.assessor.prepared import PreparedPeriod
from advisor.case import Answer, Case
from advisor.engine import Outcome, rerun_plain
from advisor.rulebase.loader import RuleBase


@dataclass(frozen=True)
class Result:
    """What an outcome concludes, as far as the open questions compare it."""

    regime: Any
    routes: frozenset[str]  # the open ones
    obligations: frozenset[str]
    warnings: frozenset[str]

    @classmethod
    def of(cls, period: PreparedPeriod, outcome: Outcome) -> Result:
        fired = [period.rules[rule_id] for rule_id in outcome.fired if rule_id in period.rules]

        def codes(kind: str, available: bool = True) -> frozenset[str]:
            return frozenset(r.code for r in fired if r.kind == kind and r.available == available)

        return cls(
            regime=outcome.derived.get("regime"),
            routes=codes("route") - codes("route", available=False),
            obligations=codes("obligation"),
            warnings=codes("warning"),
        )


def unknown_answers(
    rulebase: RuleBase,
    period: PreparedPeriod,
    case: Case,
    facts: dict[str, Any],
    outcome: Outcome,
) -> tuple[list[OpenQuestion], list[FindOut], list[OpenQuestion]]:
    """The open questions of ``case``, the other "vet ikke" answers worth finding out, and the
    facts not stated that would change the result (``Assessment.not_stated``).

    ``facts`` is ``case.facts()``, ``outcome`` what the engine made of them.
    """
    base = Result.of(period, outcome)
    questions: list[OpenQuestion] = []
    find_out: list[FindOut] = []
    not_stated: list[OpenQuestion] = []
    unstated = set(case.unstated())
    for name in Case.model_fields:
        if name not in period.reaching:
            continue  # an answer no finding depends on changes none
        spec = rulebase.facts.inputs.get(name)
        if spec is None or not spec.values:
            continue  # only answers with a list of values can be tried
        value = getattr(case, name)
        if value is None or name in unstated:
            alternatives = [v for v in spec.values if v != Answer.unknown.value]
            branches = _branches(rulebase, period, outcome, facts, name, alternatives, base)
            if branches:
                not_stated.append(
                    OpenQuestion(
                        field=name, label=spec.label, advice=spec.find_out, branches=branches
                    )
                )
            continue
        if value != Answer.unknown.value:
            continue
        alternatives = [v for v in spec.values if v != Answer.unknown.value]
        branches = _branches(rulebase, period, outcome, facts, name, alternatives, base)
        advice = [b for b in branches if b.opens or b.closes or _other_advice(b, base)]
        if advice:
            questions.append(
                OpenQuestion(field=name, label=spec.label, advice=spec.find_out, branches=advice)
            )
        elif branches:
            find_out.append(FindOut(field=name, label=spec.label, advice=spec.find_out))
    return questions, find_out, not_stated


def _other_advice(branch: Branch, base: Result) -> bool:
    """Another regime or other obligations (the routes are ``opens``/``closes``)."""
    return bool(
        branch.regime != str(base.regime) or branch.adds_obligations or branch.removes_obligations
    )


def _branches(
    rulebase: RuleBase,
    period: PreparedPeriod,
    outcome: Outcome,
    facts: dict[str, Any],
    name: str,
    alternatives: list[str],
    base: Result,
) -> list[Branch]:
    """What each of ``alternatives`` for the answer ``name`` would change, for those that
    change anything (the warnings included), each re-run through the reference evaluator."""
    branches = []
    for answer in alternatives:
        other = rerun_plain(
            period.period, outcome, {**facts, name: answer}, {name}, rulebase.tables
        )
        result = Result.of(period, other)
        if result == base:
            continue
        regime = str(result.regime)
        branches.append(
            Branch(
                answer=answer,
                answer_label=rulebase.value_label(name, answer) or LocalText(nb=answer, en=answer),
                regime=regime,
                regime_title=rulebase.value_label("regime", regime)
                or LocalText(nb=regime, en=regime),
                opens=sorted(result.routes - base.routes),
                closes=sorted(base.routes - result.routes),
                adds_obligations=sorted(result.obligations - base.obligations),
                removes_obligations=sorted(base.obligations - result.obligations),
                adds_warnings=sorted(result.warnings - base.warnings),
                removes_warnings=sorted(base.warnings - result.warnings),
            )
        )
    return branches
