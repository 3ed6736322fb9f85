"""Why a route is not open: the conditions that fail, in words, beside the case's own values.

"Reservert konkurranse for ideelle krever at anslått verdi er minst EØS-terskelverdien for helse-
og sosialtjenester (7 800 000 kr). I din sak: anslått verdi er 5 000 000 kr."

Of the rules that could open a route, the one with the fewest failed conditions explains it
(on a tie, the one whose failures are about amounts). A failed comparison on a derived fact is
traced to the comparisons that would have given the derived fact the value the rule needs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from advisor.assessment import LocalText
from advisor.explain import Wording, capitalise
from advisor.rulebase import conditions
from advisor.rulebase.compiler import CompiledRule, Period
from advisor.rulebase.loader import RuleBase
from advisor.vocabulary import long_date

Failed = tuple[conditions.Leaf, CompiledRule]  # a failed comparison and the rule it is in

#: How deep a failed derived fact is traced into the cases that would give it its value.
TRACE_DEPTH = 3

NO_RULE = LocalText(
    nb="Regelverket har ingen regel som åpner denne veien på denne datoen.",
    en="The rule base has no rule that opens this route on this date.",
)


class Failures:
    """Why rules do not hold for one case, with their weight (``weight``). Worked out once per
    rule and depth in an assessment: the routes that are not open trace the same derived facts.
    """

    def __init__(
        self,
        rulebase: RuleBase,
        wording: Wording,
        period: Period,
        facts: dict[str, Any],
        stated: dict[str, Any] | None = None,
    ) -> None:
        self.facts = facts
        # what the case says, for ``actual``: without the answers not stated, which ``facts``
        # (the rules' reading) holds as "vet ikke"
        self.stated = facts if stated is None else stated
        self._rulebase = rulebase
        self._wording = wording
        self._period = period
        self._joined = frozenset(period.decisions)
        # by the rule object (the period holds it while this lives): derived-fact cases of
        # different facts may share an id
        self._known: dict[tuple[int, int], tuple[list[Failed], tuple[int, int]]] = {}
        # the words of each comparison and fact, once: routes share them, and amounts in words
        # cost a Babel call each
        self._required: dict[tuple[int, int, str], str] = {}
        self._actual: dict[tuple[str, str], str] = {}

    def of(self, rule: CompiledRule, depth: int = 0) -> tuple[list[Failed], tuple[int, int]]:
        """The failed comparisons of ``rule`` and their weight (never change the list)."""
        key = (id(rule), depth)
        if key not in self._known:
            failed = self._work_out(rule, depth)
            self._known[key] = (failed, weight(self._rulebase, failed))
        return self._known[key]

    def required(self, leaf: conditions.Leaf, rule: CompiledRule, lang: str) -> str:
        """A failed comparison (from ``of``) in words: what ``rule`` requires."""
        key = (id(leaf), id(rule), lang)
        if key not in self._required:
            self._required[key] = self._wording.condition(leaf, rule.params, lang)
        return self._required[key]

    def actual(self, fact: str, lang: str) -> str:
        """What the case says of ``fact``, in words."""
        key = (fact, lang)
        if key not in self._actual:
            self._actual[key] = self._wording.actual(fact, self.stated, lang)
        return self._actual[key]

    def _work_out(self, rule: CompiledRule, depth: int) -> list[Failed]:
        originals = rule.originals
        result: list[Failed] = []
        for leaf in conditions.failed_leaves(
            rule.explained, self.facts, self._rulebase.tables, self._joined
        ):
            original = originals.get(leaf.path)
            shown = leaf
            if original is not None and original.op == leaf.op:
                shown = original
            elif original is not None and conditions.NEGATION.get(original.op) == leaf.op:
                shown = conditions.Leaf(leaf.fact, leaf.op, original.operand, leaf.path)
            expanded = self._trace_derived(shown, depth)
            result.extend(expanded or [(shown, rule)])
        return result

    def _trace_derived(self, leaf: conditions.Leaf, depth: int) -> list[Failed]:
        cases = self._period.decisions.get(leaf.fact)
        if not cases or depth >= TRACE_DEPTH or leaf.op not in ("eq", "in"):
            return []
        wanted = leaf.operand if leaf.op == "in" else (leaf.operand,)
        options = [
            self.of(case, depth + 1)
            for case in cases
            if not case.otherwise and case.value in wanted
        ]
        options = [option for option in options if option[0]]
        return min(options, key=lambda option: option[1])[0] if options else []


def weight(rulebase: RuleBase, failed: list[Failed]) -> tuple[int, int]:
    """Fewest failed conditions first; on a tie prefer amounts (thresholds) over kinds."""
    inputs = rulebase.facts.inputs
    not_amount = sum(
        1 for leaf, _ in failed if leaf.fact not in inputs or inputs[leaf.fact].type != "amount"
    )
    return (len(failed), not_amount)


def why_not(
    wording: Wording, title: LocalText, candidates: list[CompiledRule], failures: Failures
) -> tuple[LocalText, list[str]]:
    """Why none of ``candidates`` (the rules that can open the route ``title``) holds, and the
    citations of the rules that say so."""
    if not candidates:
        return NO_RULE, []
    scored = [(*failures.of(rule), rule) for rule in candidates]  # failed, weight, rule
    failed, _, best = min(scored, key=lambda item: item[1])
    basis = list(best.legal_basis)
    for _, rule in failed:
        basis.extend(rule.legal_basis)

    def text(lang: str) -> str:
        required = list(dict.fromkeys(failures.required(leaf, rule, lang) for leaf, rule in failed))
        actual = list(dict.fromkeys(failures.actual(leaf.fact, lang) for leaf, _ in failed))
        if lang == "en":
            return (
                f"{capitalise(title.en)} requires that {'; and '.join(required)}. "
                f"In your case {'; '.join(actual)}."
            )
        return (
            f"{capitalise(title.nb)} krever at {'; og '.join(required)}. "
            f"I din sak: {'; '.join(actual)}."
        )

    return wording.both(text), basis


def not_in_force(
    rulebase: RuleBase, wording: Wording, code: str, title: LocalText, date: dt.date
) -> tuple[LocalText, list[str]]:
    """Why a route has no rule on ``date``: its rules start later or have ended."""
    rules = [
        loaded.rule
        for loaded in rulebase.rules
        if loaded.rule.then.route == code
        and loaded.rule.then.available
        and loaded.rule.status.value != "retired"
    ]
    later = sorted(r.valid_from for r in rules if r.valid_from and r.valid_from > date)
    ended = sorted(r.valid_to for r in rules if r.valid_to and r.valid_to < date)
    basis = [
        c
        for r in rules
        if (r.valid_from and r.valid_from > date) or (r.valid_to and r.valid_to < date)
        for c in r.legal_basis
    ]

    def text(lang: str) -> str:
        name = capitalise(title.get(lang))
        day = long_date(date, lang)
        if later and lang == "en":
            return (
                f"{name} is possible under the rules in force from {long_date(later[0], lang)}."
                f" Your case is assessed under the law of {day}."
            )
        if later:
            return (
                f"{name} er mulig etter reglene som gjelder fra {long_date(later[0], lang)}. "
                f"Saken din er vurdert etter regelverket per {day}."
            )
        if ended and lang == "en":
            return (
                f"{name} was possible under rules that applied until "
                f"{long_date(ended[-1], lang)}. Your case is assessed under the law of {day}."
            )
        if ended:
            return (
                f"{name} var mulig etter regler som gjaldt til {long_date(ended[-1], lang)}. "
                f"Saken din er vurdert etter regelverket per {day}."
            )
        return NO_RULE.get(lang)

    return wording.both(text), basis
