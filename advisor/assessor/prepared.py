"""What assessing a case needs that depends only on the rule base and the period of law.

Built once, when the ``Assessor`` is built, for every period: an assessment only reads it. The
models it hands out (``Citation``, ``SourceDocument``, ``ParameterUse``) are frozen and shared by
every assessment; lists are copied where an assessment gets them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from advisor.assessment import Citation, LocalText, ParameterUse, SourceDocument
from advisor.money import format_money
from advisor.rulebase import citations
from advisor.rulebase.compiler import CompiledRule, Period, parameter_value
from advisor.rulebase.loader import RuleBase

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")

Filler = Callable[[LocalText | None], LocalText | None]


@dataclass(frozen=True)
class RuleTexts:
    """A rule's explanation as written, and its steps and ready texts with the period's
    parameter values filled in."""

    explain: LocalText
    steps: tuple[LocalText, ...]
    texts: dict[str, LocalText]  # never changed: findings copy it


@dataclass(frozen=True)
class TrailPart:
    """What a rule's trail entry shows that does not depend on the case."""

    conclusion: str
    status: str
    legal_basis: tuple[Citation, ...]
    facts: tuple[tuple[str, LocalText | None], ...]  # the facts it read, with their labels
    parameters: tuple[ParameterUse, ...]


@dataclass(frozen=True)
class PreparedPeriod:
    """One period of law, ready to assess cases in."""

    period: Period
    fill: Filler  # the period's parameter values put into a text
    rules: dict[str, CompiledRule]  # route, obligation and warning rules by id
    cases: dict[str, CompiledRule]  # the derived facts' cases by id
    openers: dict[str, list[CompiledRule]]  # route code -> the rules that can open it
    texts: dict[str, RuleTexts]  # rule id -> its texts
    trail: dict[str, TrailPart]  # rule or case id -> its trail entry's fixed part
    # The answers whose value some route, obligation, warning or the regime depends on
    # (through derived facts too): an answer outside it changes no finding.
    reaching: frozenset[str]


class Prepared:
    """Everything the assessor works out in advance for one rule base, every period included."""

    def __init__(self, rulebase: RuleBase, periods: list[Period]) -> None:
        self.rulebase = rulebase
        loaded_rules = {loaded.id: loaded for loaded in rulebase.rules}
        every_basis = [c for loaded in rulebase.rules for c in loaded.rule.legal_basis]
        every_basis += [
            c
            for cases in rulebase.derived_cases.values()
            for loaded in cases
            for c in loaded.case.legal_basis
        ]
        #: citation text -> the one Citation (with its link) every assessment shares
        self.citations = {
            text: Citation(text=text, url=citations.url(text, rulebase))
            for text in dict.fromkeys(every_basis)
        }
        #: case id -> its explanation as written
        self.case_explains: dict[str, LocalText | None] = {}
        for cases in rulebase.derived_cases.values():
            for loaded in cases:
                self.case_explains.setdefault(loaded.case.id, loaded.case.explain)
        documents = rulebase.sources.documents
        #: rule id -> the guidance documents, judgments and preparatory works it relies on
        self.documents = {
            loaded.id: tuple(
                SourceDocument(
                    id=source, title=document.title, url=document.url, kind=document.kind
                )
                for source in loaded.rule.sources
                if (document := documents.get(source))
            )
            for loaded in rulebase.rules
        }
        self._loaded_rules = loaded_rules
        self.periods = {period.start: self._prepare(period) for period in periods}

    def cite(self, items: Iterable[str]) -> list[Citation]:
        """``items`` as citations with their links, each once, in order."""
        return [self.citations[item] for item in dict.fromkeys(items)]

    def _prepare(self, period: Period) -> PreparedPeriod:
        fill = self._filler(period)
        openers: dict[str, list[CompiledRule]] = {}
        for rule in period.rules:
            if rule.kind == "route" and rule.available:
                openers.setdefault(rule.code, []).append(rule)
        texts = {}
        for rule in period.rules:
            loaded = self._loaded_rules[rule.id]
            texts[rule.id] = RuleTexts(
                explain=loaded.rule.explain,
                steps=tuple(fill(step) for step in loaded.rule.steps),
                texts={kind: fill(text) for kind, text in loaded.rule.texts.items()},
            )
        cases = [case for cases in period.decisions.values() for case in cases]
        return PreparedPeriod(
            period=period,
            fill=fill,
            rules={rule.id: rule for rule in period.rules},
            cases={case.id: case for case in cases},
            openers=openers,
            texts=texts,
            trail={rule.id: self._trail_part(period, rule) for rule in [*cases, *period.rules]},
            reaching=_reaching(period),
        )

    def _filler(self, period: Period) -> Filler:
        """Texts may name a parameter in braces (``{small_lots_goods_services}``); it is
        replaced by the parameter's value on the period's date, formatted per language."""
        parameters = self.rulebase.parameters

        def value(name: str, lang: str) -> str | None:
            parameter = parameters.get(name)
            bound = parameter_value(parameter, name, period.start) if parameter else None
            if bound is None:
                return None
            return format_money(bound.value, lang) if parameter.unit == "NOK" else str(bound.value)

        def fill(text: LocalText | None) -> LocalText | None:
            if text is None or "{" not in text.nb + text.en:
                return text

            def one(lang: str, raw: str) -> str:
                return PLACEHOLDER.sub(lambda m: value(m.group(1), lang) or m.group(0), raw)

            return LocalText(nb=one("nb", text.nb), en=one("en", text.en))

        return fill

    def _trail_part(self, period: Period, rule: CompiledRule) -> TrailPart:
        """A rule's conclusion, status and legal basis, the facts it read (with their labels)
        and the dated parameter values. A derived fact's case also used everything its earlier
        cases read: it applies because they did not."""
        rb = self.rulebase
        sources = [rule]
        if rule.kind == "derive":
            sources += period.decisions.get(rule.code, [])[: rule.position]
        names = dict.fromkeys(name for source in sources for name in source.facts)
        params = {}
        for source in sources:
            for name, value in source.params.items():
                params.setdefault(name, value)
        parameters = tuple(
            ParameterUse(
                name=p.name,
                value=p.value,
                valid_from=p.valid_from,
                label=rb.parameters[p.name].label,
                unit=rb.parameters[p.name].unit,
                draft=p.draft,
            )
            for p in params.values()
        )
        if rule.kind == "derive":
            conclusion = f"{rule.code} = {rule.value}"
        elif rule.kind == "route":
            conclusion = f"route {rule.code} {'open' if rule.available else 'closed'}"
        else:
            conclusion = f"{rule.kind} {rule.code}"
        loaded = self._loaded_rules.get(rule.id)  # a derived fact's case is not a rule
        status = loaded.rule.status.value if loaded else ("draft" if rule.draft else "checked")
        return TrailPart(
            conclusion=conclusion,
            status=status,
            legal_basis=tuple(self.cite(rule.legal_basis)),
            facts=tuple((name, rb.fact_label(name)) for name in names),
            parameters=parameters,
        )


def _reaching(period: Period) -> frozenset[str]:
    """The facts some route, obligation, warning or the regime depends on: those their rules
    read, and everything the cases of a derived fact among them read, and so on."""
    reads = {
        name: frozenset(fact for case in cases for fact in case.facts)
        for name, cases in period.decisions.items()
    }
    wanted = {fact for rule in period.rules for fact in rule.facts} | {"regime"}
    pending = [fact for fact in wanted if fact in reads]
    while pending:
        for fact in reads[pending.pop()]:
            if fact not in wanted:
                wanted.add(fact)
                if fact in reads:
                    pending.append(fact)
    return frozenset(wanted)
