"""What a "vet ikke" answer could change: the open questions, and what else to find out.

Each answer given as "vet ikke" (unknown) that some finding depends on is tried as yes and as
no, through the plain reference evaluator (``engine.rerun_plain``: the same compiled rules, the
facts that changed worked out again). An answer for which yes or no gives another regime, other
open routes or other obligations is an *open question*, with what each such answer leads to.
An answer for which yes or no only changes the warnings is still worth finding out. Both carry
the rule base's advice on what to find out (facts.yaml ``find_out``).
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

    def same_advice(self, other: Result) -> bool:
        """The same regime, open routes and obligations (warnings aside)."""
        return (self.regime, self.routes, self.obligations) == (
            other.regime,
            other.routes,
            other.obligations,
        )


def unknown_answers(
    rulebase: RuleBase,
    period: PreparedPeriod,
    case: Case,
    facts: dict[str, Any],
    outcome: Outcome,
) -> tuple[list[OpenQuestion], list[FindOut]]:
    """The open questions of ``case`` and the other unknown answers worth finding out.

    ``facts`` is ``case.facts()``, ``outcome`` what the engine made of them.
    """
    base = Result.of(period, outcome)
    questions: list[OpenQuestion] = []
    find_out: list[FindOut] = []
    for name in Case.model_fields:
        if getattr(case, name) != Answer.unknown:
            continue
        if name not in period.reaching:
            continue  # an answer no finding depends on changes none
        spec = rulebase.facts.inputs[name]
        branches = []
        changes_warnings = False
        for answer in (Answer.yes, Answer.no):
            other = rerun_plain(
                period.period,
                outcome,
                {**facts, name: answer.value},
                {name},
                rulebase.tables,
            )
            result = Result.of(period, other)
            if result.same_advice(base):
                changes_warnings |= result.warnings != base.warnings
                continue
            regime = str(result.regime)
            branches.append(
                Branch(
                    answer=answer.value,
                    answer_label=rulebase.value_label(name, answer.value)
                    or LocalText(nb=answer.value, en=answer.value),
                    regime=regime,
                    regime_title=rulebase.value_label("regime", regime)
                    or LocalText(nb=regime, en=regime),
                    opens=sorted(result.routes - base.routes),
                    closes=sorted(base.routes - result.routes),
                    adds_obligations=sorted(result.obligations - base.obligations),
                    removes_obligations=sorted(base.obligations - result.obligations),
                )
            )
        if branches:
            questions.append(
                OpenQuestion(field=name, label=spec.label, advice=spec.find_out, branches=branches)
            )
        elif changes_warnings:
            find_out.append(FindOut(field=name, label=spec.label, advice=spec.find_out))
    return questions, find_out
