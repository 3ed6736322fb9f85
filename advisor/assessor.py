"""Turn a Case into an Assessment: pick the period of law, run the engine, assemble findings."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from advisor.assessment import (
    Assessment,
    Branch,
    Citation,
    FactUse,
    LocalText,
    Obligation,
    OpenQuestion,
    ParameterUse,
    Regime,
    Route,
    RulesetInfo,
    SourceDocument,
    TrailEntry,
    Warning,
)
from advisor.case import Answer, Case
from advisor.engine import (
    DurableEngine,
    Outcome,
    RuleCompileError,
    derive_plain,
    negated,
    rerun_plain,
    run_plain,
)
from advisor.explain import EXTRA_FACT_LABELS, Wording, capitalise, format_day, money
from advisor.rulebase import citations, conditions
from advisor.rulebase.compiler import CompiledRule, Period, compile_periods, parameter_value
from advisor.rulebase.loader import RuleBase, RuleBaseInvalid
from advisor.rulebase.yamlsrc import SourceError

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class LawDateOutOfRange(ValueError):
    """The rule base has no law for the requested date."""


_MISSING = object()


@dataclass(frozen=True)
class _Reach:
    """One period's dependencies, for the open-questions analysis: the facts each derived fact's
    cases read, the facts that can change the result it compares (regime, open routes,
    obligations), and the rules that make that result."""

    reads: dict[str, frozenset[str]]
    summary_facts: frozenset[str]
    summary_rules: tuple[CompiledRule, ...]
    by_id: dict[str, CompiledRule]
    joined: frozenset[str]

    @classmethod
    def of(cls, period: Period) -> _Reach:
        reads = {}
        for name, cases in period.decisions.items():
            read: set[str] = set()
            for case in cases:
                read.update(case.facts)
                if case.negated is not None:
                    read.update(leaf.fact for leaf in conditions.leaves(case.negated))
            reads[name] = frozenset(read)
        rules = tuple(rule for rule in period.rules if rule.kind in ("route", "obligation"))
        wanted = {fact for rule in rules for fact in rule.facts} | {"regime"}
        pending = [fact for fact in wanted if fact in reads]
        while pending:  # a derived fact counts with everything its cases read
            for fact in reads[pending.pop()]:
                if fact not in wanted:
                    wanted.add(fact)
                    if fact in reads:
                        pending.append(fact)
        return cls(
            reads=reads,
            summary_facts=frozenset(wanted),
            summary_rules=rules,
            by_id={rule.id: rule for rule in period.rules},
            joined=frozenset(period.decisions),
        )


class Assessor:
    """Thread-safe: the durable engine serialises evaluations under its own lock."""

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
        self._rules = {rule.id: rule for rule in rulebase.rules}
        self._reaches: dict[dt.date, _Reach] = {}
        self._urls: dict[str, str | None] = {}  # citation -> its link (from sources.yaml)

    def _compile_errors(self, error: RuleCompileError, period: Period) -> list[SourceError]:
        """durable-rules' refusal as ``path:line:col`` messages on the rules it refused."""
        hint = (
            f"the rule engine (durable-rules) cannot compile this condition ({error}); "
            "split it into simpler rules or fewer nested any/all"
        )
        located = []
        for rule_id in error.rules:
            loaded = next((r for r in self.rulebase.rules if r.id == rule_id), None)
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
        period = self.period_for(case.law_as_of)
        facts = case.facts()
        if engine == "plain":
            return period, facts, run_plain(period, facts, self.rulebase.tables)
        return period, facts, self.engine.run(period, facts)

    def assess(
        self, case: Case, engine: str = "durable", explore_unknowns: bool = True
    ) -> Assessment:
        """Assess ``case``. With ``explore_unknowns``, every "vet ikke" answer the rules read
        is tried as yes and as no; those that change the result become ``open_questions``."""
        period, facts, outcome = self.outcome(case, engine)
        assessment = self._assemble(case, period, facts, outcome)
        if explore_unknowns:
            assessment.open_questions = self._open_questions(case, period, outcome)
        return assessment

    def _open_questions(self, case: Case, period: Period, outcome: Outcome) -> list[OpenQuestion]:
        reach = self._reach(period)
        base = self._summary(period, outcome)
        facts: dict[str, Any] | None = None
        plain: tuple[Outcome, dict[str, Any]] | None = None
        questions = []
        for name, field in Case.model_fields.items():
            if getattr(case, name) != Answer.unknown or name not in reach.summary_facts:
                continue  # an answer no regime, route or obligation depends on changes none
            if facts is None:
                facts = case.facts()
                plain = derive_plain(period, facts, self.rulebase.tables)
            branches = []
            for answer in (Answer.yes, Answer.no):
                summary = self._branch_summary(period, reach, outcome, facts, plain, name, answer)
                if summary == base:
                    continue
                regime = str(summary[0])
                branches.append(
                    Branch(
                        answer=answer.value,
                        answer_label=self.rulebase.value_label(name, answer.value)
                        or LocalText(nb=answer.value, en=answer.value),
                        regime=regime,
                        regime_title=self.rulebase.value_label("regime", regime)
                        or LocalText(nb=regime, en=regime),
                        opens=sorted(summary[1] - base[1]),
                        closes=sorted(base[1] - summary[1]),
                        adds_obligations=sorted(summary[2] - base[2]),
                        removes_obligations=sorted(base[2] - summary[2]),
                    )
                )
            if branches:
                label = self.rulebase.fact_label(name) or LocalText(
                    nb=field.description or name, en=field.description or name
                )
                questions.append(OpenQuestion(field=name, label=label, branches=branches))
        return questions

    def _reach(self, period: Period) -> _Reach:
        reach = self._reaches.get(period.start)
        if reach is None:
            reach = self._reaches[period.start] = _Reach.of(period)
        return reach

    def _branch_summary(
        self,
        period: Period,
        reach: _Reach,
        base: Outcome,
        facts: dict[str, Any],
        plain: tuple[Outcome, dict[str, Any]],
        name: str,
        answer: Answer,
    ) -> tuple[Any, frozenset, frozenset]:
        """``_summary(rerun_plain(period, base, {**facts, name: answer}, {name}, tables))``,
        working out again only the derived facts the answer can reach. ``plain`` is
        ``derive_plain`` of ``facts``: a derived fact none of whose cases reads a changed fact
        has the same value as there (derived facts are worked out in dependency order)."""
        if name in period.decisions:  # an answer named like a derived fact: no shortcut
            other = rerun_plain(
                period, base, {**facts, name: answer.value}, {name}, self.rulebase.tables
            )
            return self._summary(period, other)
        tables, joined = self.rulebase.tables, reach.joined
        plain_outcome, plain_facts = plain
        derived = dict(plain_outcome.derived)
        current = {**plain_facts, name: answer.value}
        touched = {name}
        for fact in period.derived_order:
            if touched.isdisjoint(reach.reads[fact]):
                continue
            before = current.pop(fact, _MISSING)
            if fact in facts:
                current[fact] = facts[fact]  # as derive_plain starts: the case's own facts
            derived.pop(fact, None)
            for case in period.decisions[fact]:
                if case.otherwise or conditions.evaluate(case.condition, current, tables, joined):
                    current[fact] = derived[fact] = case.value
                    break
                if not conditions.evaluate(negated(case), current, tables, joined):
                    break
            if current.get(fact, _MISSING) != before:
                touched.add(fact)
        changed = {name} | {
            fact for fact in period.decisions if derived.get(fact) != base.derived.get(fact)
        }
        fired = set(base.fired)
        routes, closed, obligations = set(), set(), set()
        for rule in reach.summary_rules:
            if changed.isdisjoint(rule.facts):
                if rule.id not in fired:
                    continue
            elif not conditions.evaluate(rule.condition, current, tables, joined):
                continue
            if rule.kind == "obligation":
                obligations.add(rule.code)
            elif rule.available:
                routes.add(rule.code)
            else:
                closed.add(rule.code)
        return derived.get("regime"), frozenset(routes - closed), frozenset(obligations)

    def _summary(self, period: Period, outcome: Outcome) -> tuple[Any, frozenset, frozenset]:
        """Regime, open routes and obligations of an outcome (for comparing branches)."""
        by_id = self._reach(period).by_id
        fired = [by_id[i] for i in outcome.fired if i in by_id]
        routes = {r.code for r in fired if r.kind == "route" and r.available}
        closed = {r.code for r in fired if r.kind == "route" and not r.available}
        obligations = {r.code for r in fired if r.kind == "obligation"}
        return outcome.derived.get("regime"), frozenset(routes - closed), frozenset(obligations)

    def close(self) -> None:
        self.engine.close()

    # ------------------------------------------------------------------ assembly

    def _cite(self, items: list[str]) -> list[Citation]:
        seen: dict[str, None] = {}
        for item in items:
            seen.setdefault(item, None)
        urls = self._urls
        for item in seen:
            if item not in urls:
                urls[item] = citations.url(item, self.rulebase)
        return [Citation(text=item, url=urls[item]) for item in seen]

    def _assemble(
        self, case: Case, period: Period, facts: dict[str, Any], outcome: Outcome
    ) -> Assessment:
        rb = self.rulebase
        all_facts = {**facts, **outcome.derived}
        by_id = {rule.id: rule for rule in period.rules}
        decisions = {c.id: c for cases in period.decisions.values() for c in cases}
        fired = [by_id[rule_id] for rule_id in outcome.fired if rule_id in by_id]

        regime_code = outcome.derived.get("regime", "undetermined")
        regime_case = decisions.get(outcome.derived_by.get("regime", ""))
        regime_title = rb.value_label("regime", regime_code) or LocalText(
            nb="Kunne ikke avgjøres", en="Could not be determined"
        )
        regime = Regime(
            code=str(regime_code),
            title=regime_title,
            legal_basis=self._cite(regime_case.legal_basis if regime_case else []),
            why=self._case_explain(regime_case),
            rule=regime_case.id if regime_case else None,
        )

        routes = self._routes(period, fired, all_facts, case.law_as_of)
        obligations = self._obligations(fired)
        warnings = self._warnings(fired)
        # derived facts in the order they are worked out, so the chain reads top-down
        derived_by = outcome.derived_by
        used = [
            decisions[derived_by[name]]
            for name in period.derived_order
            if derived_by.get(name) in decisions
        ] + fired
        info = rb.law_period(period.start)
        if not period.law_verified:
            warnings.insert(0, self._system_warning("unverified_law", info.note if info else None))
        drafts = [rule.id for rule in used if rule.draft]
        if drafts:
            warning = self._system_warning("draft_rule", None)
            warning.rules = drafts
            warnings.insert(0, warning)

        trail = [self._trail(rule, all_facts, outcome, period) for rule in used]
        fill = self._parameter_filler(period)
        regime.why = fill(regime.why)
        for item in [*routes, *obligations]:
            item.why = fill(item.why)
            item.steps = [fill(step) for step in item.steps]
            item.texts = {kind: fill(text) for kind, text in item.texts.items()}
        for warning in warnings:
            warning.message = fill(warning.message)
        documents = []
        for rule in used:
            loaded = self._rules.get(rule.id)
            for source in loaded.rule.sources if loaded else []:
                document = rb.sources.documents.get(source)
                if document and all(d.id != source for d in documents):
                    documents.append(
                        SourceDocument(
                            id=source, title=document.title, url=document.url, kind=document.kind
                        )
                    )
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
            trail=trail,
            documents=documents,
        )

    def _parameter_filler(self, period: Period) -> Any:
        """Texts may name a parameter in braces (``{small_lots_goods_services}``); it is
        replaced by the parameter's value on the period's date, formatted per language."""
        rb = self.rulebase

        def value(name: str, lang: str) -> str | None:
            parameter = rb.parameters.get(name)
            bound = parameter_value(parameter, name, period.start) if parameter else None
            if bound is None:
                return None
            return money(bound.value, lang) if parameter.unit == "NOK" else str(bound.value)

        def fill(text: LocalText | None) -> LocalText | None:
            if text is None or "{" not in text.nb + text.en:
                return text

            def one(lang: str, raw: str) -> str:
                return PLACEHOLDER.sub(lambda m: value(m.group(1), lang) or m.group(0), raw)

            return LocalText(nb=one("nb", text.nb), en=one("en", text.en))

        return fill

    def _case_explain(self, case: CompiledRule | None) -> LocalText | None:
        if case is None:
            return None
        loaded = next(
            (
                c
                for cases in self.rulebase.derived_cases.values()
                for c in cases
                if c.case.id == case.id
            ),
            None,
        )
        return loaded.case.explain if loaded else None

    def _routes(
        self,
        period: Period,
        fired: list[CompiledRule],
        facts: dict[str, Any],
        law_as_of: dt.date | None = None,
    ) -> list[Route]:
        rb = self.rulebase
        routes = []
        for code, entry in rb.catalog.routes.items():
            opening = [r for r in fired if r.kind == "route" and r.code == code and r.available]
            closing = [r for r in fired if r.kind == "route" and r.code == code and not r.available]
            available = bool(opening) and not closing
            deciding = opening if available else closing
            if deciding:
                why = self._joined([self._rules[r.id].rule.explain for r in deciding])
                basis = [c for r in deciding for c in r.legal_basis]
                candidates = [
                    r for r in period.rules if r.kind == "route" and r.code == code and r.available
                ]
                if not opening and candidates:
                    # A closing rule says why in the law's words; add which condition of the
                    # route failed, with the case's own values (threshold vs. value).
                    failed, _ = self._why_not(entry.title, candidates, facts, period)
                    why = self._joined([why, failed])
            else:
                candidates = [
                    r for r in period.rules if r.kind == "route" and r.code == code and r.available
                ]
                why, basis = self._why_not(entry.title, candidates, facts, period)
                if not candidates:
                    why, basis = self._not_in_force(code, entry.title, law_as_of or period.start)
            steps = [s for r in opening for s in self._rules[r.id].rule.steps] if available else []
            texts: dict[str, LocalText] = {}
            if available:
                for rule in opening:
                    texts.update(self._rules[rule.id].rule.texts)
            routes.append(
                Route(
                    code=code,
                    available=available,
                    title=entry.title,
                    summary=entry.summary,
                    legal_basis=self._cite(basis),
                    why=why,
                    steps=steps,
                    texts=texts,
                    rules=[r.id for r in deciding],
                    draft=any(r.draft for r in deciding),
                    rank=entry.rank,
                )
            )
        routes.sort(key=lambda route: (not route.available, route.rank))
        return routes

    def _joined(self, texts: list[LocalText]) -> LocalText:
        unique = list(dict.fromkeys(texts))
        return LocalText(
            nb=" ".join(text.nb for text in unique), en=" ".join(text.en for text in unique)
        )

    def _not_in_force(
        self, code: str, title: LocalText, date: dt.date
    ) -> tuple[LocalText, list[str]]:
        """Why a route has no rule on ``date``: its rules start later or have ended."""
        rules = [
            loaded.rule
            for loaded in self.rulebase.rules
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
            day = format_day(date, lang)
            if later and lang == "en":
                return (
                    f"{name} is possible under the rules in force from {format_day(later[0], lang)}."
                    f" Your case is assessed under the law of {day}."
                )
            if later:
                return (
                    f"{name} er mulig etter reglene som gjelder fra {format_day(later[0], lang)}. "
                    f"Saken din er vurdert etter regelverket per {day}."
                )
            if ended and lang == "en":
                return (
                    f"{name} was possible under rules that applied until "
                    f"{format_day(ended[-1], lang)}. Your case is assessed under the law of {day}."
                )
            if ended:
                return (
                    f"{name} var mulig etter regler som gjaldt til {format_day(ended[-1], lang)}. "
                    f"Saken din er vurdert etter regelverket per {day}."
                )
            if lang == "en":
                return "The rule base has no rule that opens this route on this date."
            return "Regelverket har ingen regel som åpner denne veien på denne datoen."

        return self.wording.both(text), basis

    def _why_not(
        self,
        title: LocalText,
        candidates: list[CompiledRule],
        facts: dict[str, Any],
        period: Period,
    ) -> tuple[LocalText, list[str]]:
        if not candidates:
            return (
                LocalText(
                    nb="Regelverket har ingen regel som åpner denne veien på denne datoen.",
                    en="The rule base has no rule that opens this route on this date.",
                ),
                [],
            )
        scored = [(self._failed(rule, facts, period, 0), rule) for rule in candidates]
        failed, best = min(scored, key=lambda item: self._weight(item[0]))
        basis = list(best.legal_basis)
        for _, rule in failed:
            basis.extend(rule.legal_basis)

        def text(lang: str) -> str:
            required = [self.wording.condition(leaf, rule.params, lang) for leaf, rule in failed]
            actual = list(
                dict.fromkeys(self.wording.actual(l.fact, facts, lang) for l, _ in failed)
            )
            required = list(dict.fromkeys(required))
            if lang == "en":
                return (
                    f"{capitalise(title.en)} requires that {'; and '.join(required)}. "
                    f"In your case {'; '.join(actual)}."
                )
            return (
                f"{capitalise(title.nb)} krever at {'; og '.join(required)}. "
                f"I din sak: {'; '.join(actual)}."
            )

        return self.wording.both(text), basis

    def _failed(
        self, rule: CompiledRule, facts: dict[str, Any], period: Period, depth: int
    ) -> list[tuple[conditions.Leaf, CompiledRule]]:
        """The comparisons that fail, as written; a failed derived fact is traced to the
        comparisons that would have given it the required value."""
        tables = self.rulebase.tables
        originals = (
            {leaf.path: leaf for leaf in conditions.leaves(rule.original)} if rule.original else {}
        )
        result: list[tuple[conditions.Leaf, CompiledRule]] = []
        joined = frozenset(period.decisions)
        for leaf in conditions.failed_leaves(rule.explained, facts, tables, joined):
            original = originals.get(leaf.path)
            shown = leaf
            if original is not None and original.op == leaf.op:
                shown = original
            elif original is not None and conditions.NEGATION.get(original.op) == leaf.op:
                shown = conditions.Leaf(leaf.fact, leaf.op, original.operand, leaf.path)
            expanded = self._trace_derived(shown, facts, period, depth)
            result.extend(expanded or [(shown, rule)])
        return result

    def _trace_derived(
        self, leaf: conditions.Leaf, facts: dict[str, Any], period: Period, depth: int
    ) -> list[tuple[conditions.Leaf, CompiledRule]]:
        cases = period.decisions.get(leaf.fact)
        if not cases or depth >= 3 or leaf.op not in ("eq", "in"):
            return []
        wanted = leaf.operand if leaf.op == "in" else (leaf.operand,)
        options = [
            self._failed(case, facts, period, depth + 1)
            for case in cases
            if not case.otherwise and case.value in wanted
        ]
        options = [option for option in options if option]
        return min(options, key=self._weight) if options else []

    def _weight(self, failed: list[tuple[conditions.Leaf, CompiledRule]]) -> tuple[int, int]:
        """Fewest failed conditions first; on a tie prefer amounts (thresholds) over kinds."""
        inputs = self.rulebase.facts.inputs
        not_amount = sum(
            1 for leaf, _ in failed if leaf.fact not in inputs or inputs[leaf.fact].type != "amount"
        )
        return (len(failed), not_amount)

    def _obligations(self, fired: list[CompiledRule]) -> list[Obligation]:
        result = []
        for code, entry in self.rulebase.catalog.obligations.items():
            rules = [r for r in fired if r.kind == "obligation" and r.code == code]
            if not rules:
                continue
            result.append(
                Obligation(
                    code=code,
                    title=entry.title,
                    legal_basis=self._cite([c for r in rules for c in r.legal_basis]),
                    why=self._joined([self._rules[r.id].rule.explain for r in rules]),
                    steps=[step for r in rules for step in self._rules[r.id].rule.steps],
                    texts={
                        kind: text
                        for r in rules
                        for kind, text in self._rules[r.id].rule.texts.items()
                    },
                    rules=[r.id for r in rules],
                    draft=any(r.draft for r in rules),
                )
            )
        return result

    def _warnings(self, fired: list[CompiledRule]) -> list[Warning]:
        result = []
        for code, entry in self.rulebase.catalog.warnings.items():
            rules = [r for r in fired if r.kind == "warning" and r.code == code]
            if not rules:
                continue
            result.append(
                Warning(
                    code=code,
                    title=entry.title,
                    message=self._joined([self._rules[r.id].rule.explain for r in rules]),
                    legal_basis=self._cite([c for r in rules for c in r.legal_basis]),
                    rules=[r.id for r in rules],
                )
            )
        return result

    def _system_warning(self, code: str, note: LocalText | None) -> Warning:
        entry = self.rulebase.catalog.warnings.get(code)
        title = entry.title if entry else LocalText(nb=code, en=code)
        message = note or (entry.message if entry and entry.message else title)
        return Warning(code=code, title=title, message=message)

    def _trail(
        self, rule: CompiledRule, facts: dict[str, Any], outcome: Outcome, period: Period
    ) -> TrailEntry:
        """The rule with the facts and dated parameter values it used. A derived fact's case
        also used everything its earlier cases read: it applies because they did not."""
        rb = self.rulebase
        sources = [rule]
        if rule.kind == "derive":
            sources += period.decisions.get(rule.code, [])[: rule.position]
        names = dict.fromkeys(name for source in sources for name in source.facts)
        used_facts = [
            FactUse(
                name=name,
                value=facts.get(name),
                label=rb.fact_label(name) or EXTRA_FACT_LABELS.get(name),
                derived_by=outcome.derived_by.get(name),
            )
            for name in names
        ]
        params = {}
        for source in sources:
            for name, value in source.params.items():
                params.setdefault(name, value)
        parameters = [
            ParameterUse(
                name=p.name,
                value=p.value,
                valid_from=p.valid_from,
                label=rb.parameters[p.name].label,
                unit=rb.parameters[p.name].unit,
                draft=p.draft,
            )
            for p in params.values()
        ]
        if rule.kind == "derive":
            conclusion = f"{rule.code} = {rule.value}"
        elif rule.kind == "route":
            conclusion = f"route {rule.code} {'open' if rule.available else 'closed'}"
        else:
            conclusion = f"{rule.kind} {rule.code}"
        loaded = self._rules.get(rule.id)
        status = loaded.rule.status.value if loaded else ("draft" if rule.draft else "approved")
        return TrailEntry(
            rule=rule.id,
            kind=rule.kind,
            conclusion=conclusion,
            status=status,
            legal_basis=self._cite(rule.legal_basis),
            facts=used_facts,
            parameters=parameters,
        )
