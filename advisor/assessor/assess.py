"""The Assessor: pick the period of law for a Case, run the engine, assemble the Assessment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from advisor.assessment import (
    Assessment,
    FactUse,
    LocalText,
    Regime,
    RulesetInfo,
    SourceDocument,
    TrailEntry,
)
from advisor.assessor.findings import Findings
from advisor.assessor.open_questions import unknown_answers
from advisor.assessor.prepared import Prepared, PreparedPeriod
from advisor.assessor.relevance import PartialCase
from advisor.assessor.why_not import Failures
from advisor.case import Case
from advisor.engine import DurableEngine, Outcome, RuleCompileError, run_plain
from advisor.explain import Wording
from advisor.rulebase.compiler import CompiledRule, Period, compile_periods
from advisor.rulebase.loader import RuleBase, RuleBaseInvalid
from advisor.rulebase.yamlsrc import SourceError

UNDETERMINED = LocalText(nb="Kunne ikke avgjøres", en="Could not be determined")


class LawDateOutOfRange(ValueError):
    """The rule base has no law for the requested date."""


class Assessor:
    """Assesses Cases with one rule base. Built once (it compiles every period of law into the
    engine and prepares its texts); thread-safe: the durable engine serialises evaluations under
    its own lock, and everything else is only read."""

    def __init__(self, rulebase: RuleBase) -> None:
        self.rulebase = rulebase
        self.periods: list[Period] = compile_periods(rulebase)
        self.engine = DurableEngine(rulebase.version, rulebase.tables)
        for period in self.periods:
            try:
                self.engine.prepare(period)  # fail at start-up, not on the first user
            except RuleCompileError as error:
                self.engine.close()
                raise RuleBaseInvalid(self._compile_errors(error, period)) from None
        self.wording = Wording(rulebase)
        self.prepared = Prepared(rulebase, self.periods)

    def _compile_errors(self, error: RuleCompileError, period: Period) -> list[SourceError]:
        """durable-rules' refusal as ``path:line:col`` messages on the rules it refused."""
        hint = (
            f"the rule engine (durable-rules) cannot compile this condition ({error}); "
            "split it into simpler rules or fewer nested any/all"
        )
        located = []
        for rule_id in error.rules:
            loaded = self.rulebase.rule(rule_id)
            if loaded is not None:
                located.append(loaded.located.error((loaded.index, "when"), hint))
                continue
            for cases in self.rulebase.derived_cases.values():
                for case in cases:
                    if case.case.id == rule_id:
                        located.append(case.located.error((*case.path, "when"), hint))
        if not located:
            root = str(self.rulebase.root)
            located.append(
                SourceError(root, 1, 1, f"the rules for {period.start} together: {hint}")
            )
        return located

    @property
    def version(self) -> str:
        return self.rulebase.version

    def period_for(self, date: dt.date) -> Period:
        for period in self.periods:
            if period.contains(date):
                return period
        first = self.periods[0].start if self.periods else None
        raise LawDateOutOfRange(f"the rule base covers law from {first}; {date} is earlier")

    def outcome(self, case: Case, engine: str = "durable") -> tuple[Period, dict, Outcome]:
        """What fired for ``case`` (``engine``: "durable", or "plain" for the reference)."""
        period = self.period_for(case.law_as_of)
        facts = case.facts()
        if engine == "plain":
            return period, facts, run_plain(period, facts, self.rulebase.tables)
        return period, facts, self.engine.run(period, facts)

    def assess(
        self, case: Case, engine: str = "durable", explore_unknowns: bool = True
    ) -> Assessment:
        """Assess ``case``. With ``explore_unknowns``, every "vet ikke" answer a finding depends
        on is tried with its other values (``open_questions``, ``find_out``), and so is every
        answer not stated (``not_stated``)."""
        period, facts, outcome = self.outcome(case, engine)
        assessment = self.assemble(case, period, facts, outcome)
        if explore_unknowns:
            (
                assessment.open_questions,
                assessment.find_out,
                assessment.not_stated,
            ) = unknown_answers(
                self.rulebase, self.prepared.periods[period.start], case, facts, outcome
            )
        return assessment

    def fields_that_matter(
        self, known: Mapping[str, Any], unknown: Iterable[str]
    ) -> frozenset[str]:
        """The fields in ``unknown`` whose answer can still change the result (regime, routes,
        obligations, warnings) of a Case with the answers ``known`` (``relevance``): what the
        wizard still asks, and which fields an API client left out that would change it."""
        partial = PartialCase.of(known, unknown)
        date = partial.law_as_of
        periods = self.periods if date is None else [self.period_for(date)]
        return partial.fields_that_matter(periods, self.rulebase.tables)

    def close(self) -> None:
        self.engine.close()

    def assemble(
        self, case: Case, period: Period, facts: dict[str, Any], outcome: Outcome
    ) -> Assessment:
        """The Assessment of an ``outcome`` (``Assessor.outcome``), without open questions."""
        rb = self.rulebase
        prepared = self.prepared.periods[period.start]
        fill = prepared.fill
        all_facts = {**facts, **outcome.derived}
        # What the case says, for the words: an answer not stated is "not given", never the
        # "vet ikke" the rules read it as.
        stated = {k: v for k, v in all_facts.items() if k not in set(case.unstated())}
        fired = [prepared.rules[rule_id] for rule_id in outcome.fired if rule_id in prepared.rules]

        regime_code = outcome.derived.get("regime", "undetermined")
        regime_case = prepared.cases.get(outcome.derived_by.get("regime", ""))
        regime = Regime(
            code=str(regime_code),
            title=rb.value_label("regime", regime_code) or UNDETERMINED,
            legal_basis=self.prepared.cite(regime_case.legal_basis if regime_case else []),
            why=fill(self.prepared.case_explains.get(regime_case.id) if regime_case else None),
            rule=regime_case.id if regime_case else None,
        )

        failures = Failures(rb, self.wording, period, all_facts, stated)
        findings = Findings(rb, self.wording, self.prepared, prepared, failures)
        routes = findings.routes(fired, case.law_as_of)
        obligations = findings.obligations(fired)
        warnings = findings.warnings(fired)
        # derived facts in the order they are worked out, so the chain reads top-down
        derived_by = outcome.derived_by
        used = [
            prepared.cases[derived_by[name]]
            for name in period.derived_order
            if derived_by.get(name) in prepared.cases
        ] + fired
        if not period.law_verified:
            info = rb.law_period(period.start)
            warnings.insert(0, findings.caveat("unverified_law", info.note if info else None))
        drafts = [rule.id for rule in used if rule.draft]
        if drafts:
            warnings.insert(0, findings.caveat("draft_rule", None, drafts))

        documents: dict[str, SourceDocument] = {}
        for rule in used:
            for document in self.prepared.documents.get(rule.id, ()):
                documents.setdefault(document.id, document)
        return Assessment(
            case=case,
            ruleset=RulesetInfo(
                jurisdiction=rb.jurisdiction,
                version=rb.version,
                law_as_of=case.law_as_of,
                git_describe=rb.git_describe,
                law_verified=period.law_verified,
                period_from=period.start,
            ),
            regime=regime,
            derived=dict(outcome.derived),
            routes=routes,
            obligations=obligations,
            warnings=warnings,
            trail=[self._trail(prepared, rule, stated, outcome) for rule in used],
            documents=list(documents.values()),
        )

    def _trail(
        self,
        prepared: PreparedPeriod,
        rule: CompiledRule,
        facts: dict[str, Any],
        outcome: Outcome,
    ) -> TrailEntry:
        """The rule with the facts and dated parameter values it used."""
        part = prepared.trail[rule.id]
        return TrailEntry(
            rule=rule.id,
            kind=rule.kind,
            conclusion=part.conclusion,
            status=part.status,
            legal_basis=part.legal_basis,
            facts=[
                FactUse(
                    name=name,
                    value=facts.get(name),
                    label=label,
                    derived_by=outcome.derived_by.get(name),
                )
                for name, label in part.facts
            ],
            parameters=part.parameters,
        )
