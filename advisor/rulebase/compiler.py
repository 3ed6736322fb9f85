"""Compile a ``RuleBase`` into periods of law: conditions with dated parameters filled in.

The law changes on known dates (a threshold, a new rule, a revision). Between two such dates
everything is constant, so the rule base is compiled once per period; an evaluation picks the
period that contains its ``law_as_of`` date. The compiled conditions are engine-neutral: the
durable-rules engine and the plain-Python reference evaluator run the same trees.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from advisor.rulebase import conditions
from advisor.rulebase.loader import RuleBase
from advisor.rulebase.schema import Parameter, Rule, Status

ONE_DAY = dt.timedelta(days=1)
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")  # a parameter named in a text


@dataclass(frozen=True)
class ParamValue:
    name: str
    value: Any
    valid_from: dt.date
    draft: bool


@dataclass
class CompiledRule:
    id: str
    kind: str  # derive | route | obligation | warning
    code: str  # derived fact name, or route/obligation/warning code
    condition: conditions.Node  # negation normal form, parameters filled in
    explained: conditions.Node  # as written (parameters filled in): used to explain
    params: dict[str, ParamValue]
    draft: bool
    available: bool = True
    value: Any = None  # for derive
    position: int = 0  # for derive: index in the fact's decision list
    otherwise: bool = False
    legal_basis: list[str] = field(default_factory=list)
    negated: conditions.Node | None = None  # for derive: when the case does not hold
    original: conditions.Node | None = None  # as written, with $parameter references

    @cached_property
    def facts(self) -> tuple[str, ...]:
        """The facts the condition reads, in order of first mention."""
        seen: dict[str, None] = {}
        for leaf in conditions.leaves(self.condition):
            seen.setdefault(leaf.fact, None)
        return tuple(seen)

    @cached_property
    def originals(self) -> dict[tuple[Any, ...], conditions.Leaf]:
        """The comparisons as written (with ``$parameter`` references), by their place in the
        rule, to word a comparison of ``explained`` that failed."""
        if self.original is None:
            return {}
        return {leaf.path: leaf for leaf in conditions.leaves(self.original)}


@dataclass
class Period:
    start: dt.date
    end: dt.date | None  # inclusive; None = open-ended
    law_verified: bool
    derived_order: list[str]
    decisions: dict[str, list[CompiledRule]]  # derived fact -> ordered cases
    rules: list[CompiledRule]

    @cached_property
    def facts_read(self) -> frozenset[str]:
        """Every fact some rule or derived-fact case of this period reads."""
        every = [*self.rules, *(case for cases in self.decisions.values() for case in cases)]
        return frozenset(fact for rule in every for fact in rule.facts)

    def contains(self, date: dt.date) -> bool:
        return self.start <= date and (self.end is None or date <= self.end)

    @property
    def key(self) -> str:
        return self.start.isoformat()


def parameter_value(parameter: Parameter, name: str, date: dt.date) -> ParamValue | None:
    chosen = None
    for start in sorted(parameter.values):
        if start <= date:
            chosen = start
    if chosen is None:
        return None
    entry = parameter.values[chosen]
    return ParamValue(name, entry.value, chosen, entry.status == Status.draft)


def breakpoints(rulebase: RuleBase) -> list[dt.date]:
    dates = {period.from_ for period in rulebase.ruleset.law_periods}
    for parameter in rulebase.parameters.values():
        dates.update(parameter.values)
    for loaded in rulebase.rules:
        if loaded.rule.valid_from:
            dates.add(loaded.rule.valid_from)
        if loaded.rule.valid_to:
            dates.add(loaded.rule.valid_to + ONE_DAY)
    start = min(period.from_ for period in rulebase.ruleset.law_periods)
    return sorted(date for date in dates if date >= start)


def derived_order(rulebase: RuleBase) -> list[str]:
    """Derived facts in an order where each comes after the facts it reads (no cycles)."""
    depends = {
        name: {
            leaf.fact
            for case in cases
            for leaf in conditions.leaves(case.condition)
            if leaf.fact in rulebase.facts.derived
        }
        for name, cases in rulebase.derived_cases.items()
    }
    order: list[str] = []
    done: set[str] = set()

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in done:
            return
        if name in stack:
            raise ValueError(" -> ".join((*stack, name)))
        for dep in sorted(depends.get(name, ())):
            visit(dep, (*stack, name))
        done.add(name)
        order.append(name)

    for name in depends:
        visit(name, ())
    return order


def _active(rule: Any, start: dt.date) -> bool:
    """Whether a rule applies in the period starting ``start`` (periods never straddle a
    rule's ``valid_from`` or ``valid_to``: both are break points)."""
    if rule.status == Status.retired:
        return False
    if rule.valid_from and rule.valid_from > start:
        return False
    return not (rule.valid_to and rule.valid_to < start)


def _params(node: conditions.Node, rulebase: RuleBase, date: dt.date) -> dict[str, ParamValue]:
    result = {}
    for name in sorted(conditions.params_of(node)):
        parameter = rulebase.parameters.get(name)
        value = parameter_value(parameter, name, date) if parameter else None
        if value is None:
            raise KeyError(name)
        result[name] = value
    return result


def text_params(rule: Rule) -> set[str]:
    """The parameters a rule's texts name (``{small_lots_works}``): its advice rests on their
    values as much as on those of its condition."""
    texts = [rule.explain, *rule.steps, *rule.texts.values()]
    return {name for text in texts for name in PLACEHOLDER.findall(text.nb + " " + text.en)}


def compile_period(rulebase: RuleBase, start: dt.date, end: dt.date | None) -> Period:
    period_info = rulebase.law_period(start)
    decisions: dict[str, list[CompiledRule]] = {}
    for name, cases in rulebase.derived_cases.items():
        compiled = []
        for position, loaded in enumerate(cases):
            params = _params(loaded.condition, rulebase, start)
            values = {key: item.value for key, item in params.items()}
            explained = conditions.substitute(loaded.condition, values)
            compiled.append(
                CompiledRule(
                    id=loaded.case.id,
                    kind="derive",
                    code=name,
                    condition=conditions.nnf(explained),
                    explained=explained,
                    params=params,
                    draft=loaded.case.status == Status.draft
                    or any(p.draft for p in params.values()),
                    value=loaded.case.value,
                    position=position,
                    otherwise=loaded.case.otherwise,
                    legal_basis=list(loaded.case.legal_basis),
                    negated=conditions.nnf(conditions.Not(explained)),
                    original=loaded.condition,
                )
            )
        decisions[name] = compiled
    rules = []
    for loaded in rulebase.rules:
        rule = loaded.rule
        if not _active(rule, start):
            continue
        params = _params(loaded.condition, rulebase, start)
        values = {key: item.value for key, item in params.items()}
        explained = conditions.substitute(loaded.condition, values)
        for name in sorted(text_params(rule) - set(params)):
            bound = parameter_value(rulebase.parameters[name], name, start)
            if bound is not None:
                params[name] = bound
        rules.append(
            CompiledRule(
                id=rule.id,
                kind=rule.then.kind,
                code=rule.then.code,
                condition=conditions.nnf(explained),
                explained=explained,
                params=params,
                draft=rule.status == Status.draft or any(p.draft for p in params.values()),
                available=rule.then.available,
                legal_basis=list(rule.legal_basis),
                original=loaded.condition,
            )
        )
    return Period(
        start=start,
        end=end,
        law_verified=bool(period_info and period_info.verified),
        derived_order=derived_order(rulebase),
        decisions=decisions,
        rules=rules,
    )


def compile_periods(rulebase: RuleBase) -> list[Period]:
    dates = breakpoints(rulebase)
    periods = []
    for index, start in enumerate(dates):
        end = dates[index + 1] - ONE_DAY if index + 1 < len(dates) else None
        periods.append(compile_period(rulebase, start, end))
    return periods
