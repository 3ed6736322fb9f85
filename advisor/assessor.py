"""Turn a Case into an Assessment: pick the period of law, run the engine, assemble findings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import heapq
import re
from collections.abc import Callable
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
from advisor.explain import Wording, capitalise, format_day
from advisor.money import format_money
from advisor.rulebase import citations, conditions
from advisor.rulebase.compiler import CompiledRule, Period, compile_periods, parameter_value
from advisor.rulebase.loader import RuleBase, RuleBaseInvalid
from advisor.rulebase.yamlsrc import SourceError

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")

_Failed = tuple[conditions.Leaf, CompiledRule]  # a failed comparison and the rule it is in


class LawDateOutOfRange(ValueError):
    """The rule base has no law for the requested date."""


_MISSING = object()


@dataclass(frozen=True)
class _Reach:
    """One period's dependencies, for the open-questions analysis: the facts each derived fact's
    cases read, the facts that can change the result it compares (regime, open routes,
    obligations), and the rules that make that result."""

    reads: dict[str, frozenset[str]]
    case_reads: dict[str, tuple[frozenset[str], ...]]  # the same for each case, in order
    summary_facts: frozenset[str]
    summary_rules: tuple[CompiledRule, ...]
    by_id: dict[str, CompiledRule]
    joined: frozenset[str]
    # fact -> positions in ``derived_order`` of the derived facts whose cases read it (sorted)
    readers: dict[str, tuple[int, ...]]
    # fact -> the result-making rules (``summary_rules``) whose condition reads it
    rules_reading: dict[str, tuple[CompiledRule, ...]]

    @classmethod
    def of(cls, period: Period) -> _Reach:
        case_reads = {}
        for name, cases in period.decisions.items():
            case_reads[name] = tuple(
                frozenset(case.facts).union(leaf.fact for leaf in conditions.leaves(case.negated))
                if case.negated is not None
                else frozenset(case.facts)
                for case in cases
            )
        reads = {name: frozenset().union(*each) for name, each in case_reads.items()}
        rules = tuple(rule for rule in period.rules if rule.kind in ("route", "obligation"))
        wanted = {fact for rule in rules for fact in rule.facts} | {"regime"}
        pending = [fact for fact in wanted if fact in reads]
        while pending:  # a derived fact counts with everything its cases read
            for fact in reads[pending.pop()]:
                if fact not in wanted:
                    wanted.add(fact)
                    if fact in reads:
                        pending.append(fact)
        readers: dict[str, list[int]] = {}
        for position, name in enumerate(period.derived_order):
            for fact in reads[name]:
                readers.setdefault(fact, []).append(position)
        rules_reading: dict[str, list[CompiledRule]] = {}
        for rule in rules:
            for fact in rule.facts:
                rules_reading.setdefault(fact, []).append(rule)
        return cls(
            reads=reads,
            case_reads=case_reads,
            summary_facts=frozenset(wanted),
            summary_rules=rules,
            by_id={rule.id: rule for rule in period.rules},
            joined=frozenset(period.decisions),
            readers={fact: tuple(positions) for fact, positions in readers.items()},
            rules_reading={fact: tuple(found) for fact, found in rules_reading.items()},
        )


@dataclass(frozen=True)
class _Baseline:
    """What every branch of one assessment's open questions starts from: ``derive_plain`` of
    the case's facts (its outcome and the facts with the derived ones), the derived facts whose
    value there differs from the assessment's own outcome (none while the engines agree), the
    result-making rules that fired in that outcome, and for each derived fact with a value the
    position of its case that gave it: the cases before it did not hold, and their negations
    did."""

    outcome: Outcome
    facts: dict[str, Any]
    differs: frozenset[str]
    fired: tuple[CompiledRule, ...]
    deciding: dict[str, int]


@dataclass(frozen=True)
class _RuleTexts:
    """A rule's explanation as written, and its steps and ready texts with the period's
    parameter values filled in."""

    explain: LocalText
    steps: tuple[LocalText, ...]
    texts: dict[str, LocalText]  # never changed: findings copy it


@dataclass(frozen=True)
class _TrailStatic:
    """What a rule's trail entry shows that depends only on the rule base and the period."""

    conclusion: str
    status: str
    legal_basis: tuple[Citation, ...]
    facts: tuple[tuple[str, LocalText | None], ...]  # the facts it read, with their labels
    parameters: tuple[ParameterUse, ...]


@dataclass
class _Prepared:
    """What assembling the findings of one period needs that depends only on the rule base and
    the period, worked out once per period (``Assessor._prepared``) instead of per assessment.
    ``joined``, ``findings`` and ``trail`` fill up as assessments need them; what they hold
    is never changed afterwards (the models in it are frozen, and the models made from
    ``findings`` copy its lists and dicts)."""

    fill: Callable[[LocalText | None], LocalText | None]  # the period's parameter filler
    decisions: dict[str, CompiledRule]  # derived-fact case id -> case
    candidates: dict[str, list[CompiledRule]]  # route code -> the rules that can open it
    texts: dict[str, _RuleTexts]  # rule id -> its texts
    # rule ids -> their explanations joined, as written
    joined: dict[tuple[str, ...], LocalText] = dataclasses.field(default_factory=dict)
    # (kind, code, rule ids) -> the fields of a route, obligation or warning those rules decide
    findings: dict[tuple[Any, ...], dict[str, Any]] = dataclasses.field(default_factory=dict)
    trail: dict[str, _TrailStatic] = dataclasses.field(default_factory=dict)  # by rule/case id


class _Failures:
    """Why rules do not hold for one case: the comparisons that fail, as written, a failed
    derived fact traced to the comparisons that would have given it the required value; with
    their weight (``Assessor._weight``). Worked out once per rule and depth in an assessment:
    the routes that are not open trace the same derived facts."""

    def __init__(self, assessor: Assessor, period: Period, facts: dict[str, Any]) -> None:
        self.facts = facts
        self._assessor = assessor
        self._period = period
        self._tables = assessor.rulebase.tables
        self._joined = frozenset(period.decisions)
        # by the rule object (the period holds it while this lives): derived-fact cases of
        # different facts may share an id
        self._known: dict[tuple[int, int], tuple[list[_Failed], tuple[int, int]]] = {}
        self._worded: dict[tuple[int, int, str], str] = {}  # the same for the leaves in them
        self._actual: dict[tuple[str, str], str] = {}

    def of(self, rule: CompiledRule, depth: int = 0) -> tuple[list[_Failed], tuple[int, int]]:
        """The failed comparisons of ``rule`` and their weight (never change the list)."""
        key = (id(rule), depth)
        known = self._known.get(key)
        if known is None:
            failed = self._work_out(rule, depth)
            known = self._known[key] = (failed, self._assessor._weight(failed))
        return known

    def required(self, leaf: conditions.Leaf, rule: CompiledRule, lang: str) -> str:
        """A failed comparison (from ``of``) in words: what ``rule`` requires."""
        key = (id(leaf), id(rule), lang)
        text = self._worded.get(key)
        if text is None:
            text = self._worded[key] = self._assessor.wording.condition(leaf, rule.params, lang)
        return text

    def actual(self, fact: str, lang: str) -> str:
        """What the case says of ``fact``, in words."""
        key = (fact, lang)
        text = self._actual.get(key)
        if text is None:
            text = self._actual[key] = self._assessor.wording.actual(fact, self.facts, lang)
        return text

    def _work_out(self, rule: CompiledRule, depth: int) -> list[_Failed]:
        originals = rule.originals
        result: list[_Failed] = []
        for leaf in conditions.failed_leaves(
            rule.explained, self.facts, self._tables, self._joined
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

    def _trace_derived(self, leaf: conditions.Leaf, depth: int) -> list[_Failed]:
        cases = self._period.decisions.get(leaf.fact)
        if not cases or depth >= 3 or leaf.op not in ("eq", "in"):
            return []
        wanted = leaf.operand if leaf.op == "in" else (leaf.operand,)
        options = [
            self.of(case, depth + 1)
            for case in cases
            if not case.otherwise and case.value in wanted
        ]
        options = [option for option in options if option[0]]
        return min(options, key=lambda option: option[1])[0] if options else []


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
        self._prepareds: dict[dt.date, _Prepared] = {}
        self._citations: dict[str, Citation] = {}  # citation text -> with its link
        self._case_explains: dict[str, LocalText | None] = {}  # case id -> its explanation
        for cases in rulebase.derived_cases.values():
            for loaded in cases:
                self._case_explains.setdefault(loaded.case.id, loaded.case.explain)
        self._documents: dict[str, list[SourceDocument]] = {}  # rule id -> its documents
        for loaded in rulebase.rules:
            found = self._documents[loaded.rule.id] = []
            for source in loaded.rule.sources:
                document = rulebase.sources.documents.get(source)
                if document:
                    found.append(
                        SourceDocument(
                            id=source, title=document.title, url=document.url, kind=document.kind
                        )
                    )

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
            assessment.open_questions = self._open_questions(case, period, facts, outcome)
        return assessment

    def _open_questions(
        self, case: Case, period: Period, facts: dict[str, Any], outcome: Outcome
    ) -> list[OpenQuestion]:
        """``facts`` is ``case.facts()``, as the outcome was made from (not changed here)."""
        reach = self._reach(period)
        base = self._summary(period, outcome)
        baseline: _Baseline | None = None
        questions = []
        for name, field in Case.model_fields.items():
            if getattr(case, name) != Answer.unknown or name not in reach.summary_facts:
                continue  # an answer no regime, route or obligation depends on changes none
            if baseline is None:
                baseline = self._baseline(period, reach, facts, outcome)
            branches = []
            for answer in (Answer.yes, Answer.no):
                summary = self._branch_summary(
                    period, reach, outcome, facts, baseline, name, answer
                )
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

    def _baseline(
        self, period: Period, reach: _Reach, facts: dict[str, Any], base: Outcome
    ) -> _Baseline:
        plain, extended = derive_plain(period, facts, self.rulebase.tables)
        differs = frozenset(
            fact for fact in period.decisions if plain.derived.get(fact) != base.derived.get(fact)
        )
        fired = set(base.fired)
        deciding = {}
        for fact, case_id in plain.derived_by.items():
            # the first case with that id: if ids repeat, a case earlier than the one that
            # decided, which only means fewer cases are taken as known below
            ids = [case.id for case in period.decisions[fact]]
            deciding[fact] = ids.index(case_id)
        return _Baseline(
            outcome=plain,
            facts=extended,
            differs=differs,
            fired=tuple(rule for rule in reach.summary_rules if rule.id in fired),
            deciding=deciding,
        )

    def _branch_summary(
        self,
        period: Period,
        reach: _Reach,
        base: Outcome,
        facts: dict[str, Any],
        baseline: _Baseline,
        name: str,
        answer: Answer,
    ) -> tuple[Any, frozenset, frozenset]:
        """``_summary(rerun_plain(period, base, {**facts, name: answer}, {name}, tables))``,
        working out again only the derived facts the answer can reach, and evaluating only the
        result-making rules that read a changed fact. ``baseline`` is ``_baseline`` of
        ``facts``: a derived fact none of whose cases reads a changed fact has the same value
        as there (derived facts are worked out in dependency order)."""
        if name in period.decisions:  # an answer named like a derived fact: no shortcut
            other = rerun_plain(
                period, base, {**facts, name: answer.value}, {name}, self.rulebase.tables
            )
            return self._summary(period, other)
        tables, joined, order = self.rulebase.tables, reach.joined, period.derived_order
        derived = dict(baseline.outcome.derived)
        current = {**baseline.facts, name: answer.value}
        changed = {name}
        touched = {name}  # the facts whose value differs from the plain derivation's
        # The derived facts to work out again, by position in derived_order: those reading the
        # answer, and those reading an earlier derived fact whose value changed.
        pending = list(reach.readers.get(name, ()))  # sorted, so already a heap
        queued = set(pending)
        worked_out = set()
        while pending:
            position = heapq.heappop(pending)
            fact = order[position]
            before = current.pop(fact, _MISSING)
            if fact in facts:
                current[fact] = facts[fact]  # as derive_plain starts: the case's own facts
            derived.pop(fact, None)
            known = baseline.deciding.get(fact, 0)
            case_reads = reach.case_reads[fact]
            for index, case in enumerate(period.decisions[fact]):
                if index < known and touched.isdisjoint(case_reads[index]):
                    continue  # reads nothing changed: does not hold, its negation does
                if case.otherwise or conditions.evaluate(case.condition, current, tables, joined):
                    current[fact] = derived[fact] = case.value
                    break
                if not conditions.evaluate(negated(case), current, tables, joined):
                    break
            worked_out.add(fact)
            if derived.get(fact) != base.derived.get(fact):
                changed.add(fact)
            if current.get(fact, _MISSING) != before:
                touched.add(fact)
                for reader in reach.readers.get(fact, ()):
                    if reader > position and reader not in queued:
                        queued.add(reader)
                        heapq.heappush(pending, reader)
        changed |= baseline.differs - worked_out
        # A rule reading no changed fact holds as in the outcome; the others are evaluated.
        reading = {rule.id: rule for fact in changed for rule in reach.rules_reading.get(fact, ())}
        holding = [rule for rule in baseline.fired if rule.id not in reading]
        holding += [
            rule
            for rule in reading.values()
            if conditions.evaluate(rule.condition, current, tables, joined)
        ]
        routes, closed, obligations = set(), set(), set()
        for rule in holding:
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
        """``items`` as citations with their links, each once, in order. The Citation objects
        are made once per rule base and shared by every assessment (the model is frozen)."""
        known = self._citations
        result = []
        for item in dict.fromkeys(items):
            citation = known.get(item)
            if citation is None:
                url = citations.url(item, self.rulebase)
                citation = known[item] = Citation(text=item, url=url)
            result.append(citation)
        return result

    def prepare_periods(self) -> None:
        """Work out now, for every period, what assessments would otherwise work out on first
        use (the open-questions indexes, the rules' texts and citations): gunicorn's master
        calls this before forking (``advisor.warmup``) so that no worker repeats it."""
        for period in self.periods:
            self._reach(period)
            self._prepared(period)

    def _prepared(self, period: Period) -> _Prepared:
        prepared = self._prepareds.get(period.start)
        if prepared is None:
            prepared = self._prepareds[period.start] = self._prepare(period)
        return prepared

    def _prepare(self, period: Period) -> _Prepared:
        fill = self._parameter_filler(period)
        candidates: dict[str, list[CompiledRule]] = {}
        for rule in period.rules:
            if rule.kind == "route" and rule.available:
                candidates.setdefault(rule.code, []).append(rule)
        texts = {}
        for rule in period.rules:
            loaded = self._rules.get(rule.id)
            if loaded is not None:
                texts[rule.id] = _RuleTexts(
                    explain=loaded.rule.explain,
                    steps=tuple(fill(step) for step in loaded.rule.steps),
                    texts={kind: fill(text) for kind, text in loaded.rule.texts.items()},
                )
        return _Prepared(
            fill=fill,
            decisions={case.id: case for cases in period.decisions.values() for case in cases},
            candidates=candidates,
            texts=texts,
        )

    def _assemble(
        self, case: Case, period: Period, facts: dict[str, Any], outcome: Outcome
    ) -> Assessment:
        rb = self.rulebase
        prepared = self._prepared(period)
        fill = prepared.fill
        all_facts = {**facts, **outcome.derived}
        by_id = self._reach(period).by_id
        decisions = prepared.decisions
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
            why=fill(self._case_explains.get(regime_case.id) if regime_case else None),
            rule=regime_case.id if regime_case else None,
        )

        failures = _Failures(self, period, all_facts)
        routes = self._routes(period, prepared, failures, fired, case.law_as_of)
        obligations = self._obligations(prepared, fired)
        warnings = self._warnings(prepared, fired)
        # derived facts in the order they are worked out, so the chain reads top-down
        derived_by = outcome.derived_by
        used = [
            decisions[derived_by[name]]
            for name in period.derived_order
            if derived_by.get(name) in decisions
        ] + fired
        info = rb.law_period(period.start)
        if not period.law_verified:
            note = info.note if info else None
            warnings.insert(0, self._system_warning("unverified_law", note, fill))
        drafts = [rule.id for rule in used if rule.draft]
        if drafts:
            warnings.insert(0, self._system_warning("draft_rule", None, fill, drafts))

        trail = [self._trail(prepared, period, rule, all_facts, outcome) for rule in used]
        documents: dict[str, SourceDocument] = {}
        for rule in used:
            for document in self._documents.get(rule.id, ()):
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
            trail=trail,
            documents=list(documents.values()),
        )

    def _parameter_filler(self, period: Period) -> Callable[[LocalText | None], LocalText | None]:
        """Texts may name a parameter in braces (``{small_lots_goods_services}``); it is
        replaced by the parameter's value on the period's date, formatted per language."""
        rb = self.rulebase

        def value(name: str, lang: str) -> str | None:
            parameter = rb.parameters.get(name)
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

    def _explained(self, prepared: _Prepared, rules: list[CompiledRule]) -> LocalText:
        """The explanations of ``rules`` joined, as written (without parameter values)."""
        key = tuple(rule.id for rule in rules)
        text = prepared.joined.get(key)
        if text is None:
            text = self._joined([prepared.texts[rule.id].explain for rule in rules])
            prepared.joined[key] = text
        return text

    def _routes(
        self,
        period: Period,
        prepared: _Prepared,
        failures: _Failures,
        fired: list[CompiledRule],
        law_as_of: dt.date,
    ) -> list[Route]:
        opening: dict[str, list[CompiledRule]] = {}
        closing: dict[str, list[CompiledRule]] = {}
        for rule in fired:
            if rule.kind == "route":
                (opening if rule.available else closing).setdefault(rule.code, []).append(rule)
        routes = []
        for code, entry in self.rulebase.catalog.routes.items():
            opens, closes = opening.get(code, []), closing.get(code, [])
            candidates = prepared.candidates.get(code, [])
            if opens or (closes and not candidates):
                routes.append(Route(**self._decided_route(prepared, code, opens, closes)))
                continue
            if closes:
                # A closing rule says why in the law's words; add which condition of the
                # route failed, with the case's own values (threshold vs. value).
                failed, _ = self._why_not(entry.title, candidates, failures)
                why = prepared.fill(self._joined([self._explained(prepared, closes), failed]))
                basis = [c for r in closes for c in r.legal_basis]
            elif candidates:
                why, basis = self._why_not(entry.title, candidates, failures)
                why = prepared.fill(why)
            else:
                why, basis = self._not_in_force(code, entry.title, law_as_of or period.start)
                why = prepared.fill(why)
            routes.append(
                Route(
                    code=code,
                    available=False,
                    title=entry.title,
                    summary=entry.summary,
                    legal_basis=self._cite(basis),
                    why=why,
                    rules=[r.id for r in closes],
                    draft=any(r.draft for r in closes),
                    rank=entry.rank,
                )
            )
        routes.sort(key=lambda route: (not route.available, route.rank))
        return routes

    def _decided_route(
        self,
        prepared: _Prepared,
        code: str,
        opens: list[CompiledRule],
        closes: list[CompiledRule],
    ) -> dict[str, Any]:
        """The fields of a route its rules decide alone (some rule opens it, or a rule closes
        it and none could open it): the same wherever these rules fire, so made once per
        period (the model copies the lists and the dict)."""
        key = ("route", code, tuple(r.id for r in opens), tuple(r.id for r in closes))
        fields = prepared.findings.get(key)
        if fields is None:
            entry = self.rulebase.catalog.routes[code]
            available = not closes
            fields = prepared.findings[key] = {
                **self._finding_fields(
                    prepared, code, entry.title, opens if available else closes, available
                ),
                "available": available,
                "summary": entry.summary,
                "rank": entry.rank,
            }
        return fields

    def _finding_fields(
        self,
        prepared: _Prepared,
        code: str,
        title: LocalText,
        deciding: list[CompiledRule],
        with_texts: bool,
    ) -> dict[str, Any]:
        """The fields a route and an obligation share, from the rules that decide it; their
        steps and ready texts only ``with_texts`` (a closed route has none)."""
        texts = [prepared.texts[r.id] for r in deciding] if with_texts else []
        return {
            "code": code,
            "title": title,
            "legal_basis": self._cite([c for r in deciding for c in r.legal_basis]),
            "why": prepared.fill(self._explained(prepared, deciding)),
            "steps": [step for t in texts for step in t.steps],
            "texts": {kind: text for t in texts for kind, text in t.texts.items()},
            "rules": [r.id for r in deciding],
            "draft": any(r.draft for r in deciding),
        }

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
        self, title: LocalText, candidates: list[CompiledRule], failures: _Failures
    ) -> tuple[LocalText, list[str]]:
        if not candidates:
            return (
                LocalText(
                    nb="Regelverket har ingen regel som åpner denne veien på denne datoen.",
                    en="The rule base has no rule that opens this route on this date.",
                ),
                [],
            )
        scored = [(*failures.of(rule), rule) for rule in candidates]  # failed, weight, rule
        failed, _, best = min(scored, key=lambda item: item[1])
        basis = list(best.legal_basis)
        for _, rule in failed:
            basis.extend(rule.legal_basis)

        def text(lang: str) -> str:
            required = list(
                dict.fromkeys(failures.required(leaf, rule, lang) for leaf, rule in failed)
            )
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

        return self.wording.both(text), basis

    def _weight(self, failed: list[tuple[conditions.Leaf, CompiledRule]]) -> tuple[int, int]:
        """Fewest failed conditions first; on a tie prefer amounts (thresholds) over kinds."""
        inputs = self.rulebase.facts.inputs
        not_amount = sum(
            1 for leaf, _ in failed if leaf.fact not in inputs or inputs[leaf.fact].type != "amount"
        )
        return (len(failed), not_amount)

    def _obligations(self, prepared: _Prepared, fired: list[CompiledRule]) -> list[Obligation]:
        by_code: dict[str, list[CompiledRule]] = {}
        for rule in fired:
            if rule.kind == "obligation":
                by_code.setdefault(rule.code, []).append(rule)
        result = []
        for code, entry in self.rulebase.catalog.obligations.items():
            rules = by_code.get(code)
            if not rules:
                continue
            key = ("obligation", code, tuple(r.id for r in rules))
            fields = prepared.findings.get(key)
            if fields is None:  # the same wherever these rules fire: made once per period
                fields = prepared.findings[key] = self._finding_fields(
                    prepared, code, entry.title, rules, with_texts=True
                )
            result.append(Obligation(**fields))
        return result

    def _warnings(self, prepared: _Prepared, fired: list[CompiledRule]) -> list[Warning]:
        by_code: dict[str, list[CompiledRule]] = {}
        for rule in fired:
            if rule.kind == "warning":
                by_code.setdefault(rule.code, []).append(rule)
        result = []
        for code, entry in self.rulebase.catalog.warnings.items():
            rules = by_code.get(code)
            if not rules:
                continue
            key = ("warning", code, tuple(r.id for r in rules))
            fields = prepared.findings.get(key)
            if fields is None:  # the same wherever these rules fire: made once per period
                fields = prepared.findings[key] = {
                    "code": code,
                    "title": entry.title,
                    "message": prepared.fill(self._explained(prepared, rules)),
                    "legal_basis": self._cite([c for r in rules for c in r.legal_basis]),
                    "rules": [r.id for r in rules],
                }
            result.append(Warning(**fields))
        return result

    def _system_warning(
        self,
        code: str,
        note: LocalText | None,
        fill: Callable[[LocalText | None], LocalText | None],
        rules: list[str] | None = None,
    ) -> Warning:
        entry = self.rulebase.catalog.warnings.get(code)
        title = entry.title if entry else LocalText(nb=code, en=code)
        message = note or (entry.message if entry and entry.message else title)
        return Warning(code=code, title=title, message=fill(message), rules=rules or [])

    def _trail(
        self,
        prepared: _Prepared,
        period: Period,
        rule: CompiledRule,
        facts: dict[str, Any],
        outcome: Outcome,
    ) -> TrailEntry:
        """The rule with the facts and dated parameter values it used."""
        static = prepared.trail.get(rule.id)
        if static is None:
            static = prepared.trail[rule.id] = self._trail_static(period, rule)
        derived_by = outcome.derived_by
        return TrailEntry(
            rule=rule.id,
            kind=rule.kind,
            conclusion=static.conclusion,
            status=static.status,
            legal_basis=static.legal_basis,
            facts=[
                FactUse(
                    name=name, value=facts.get(name), label=label, derived_by=derived_by.get(name)
                )
                for name, label in static.facts
            ],
            parameters=static.parameters,
        )

    def _trail_static(self, period: Period, rule: CompiledRule) -> _TrailStatic:
        """What a rule's trail entry shows that depends only on the rule base and the period:
        its conclusion, status and legal basis, the facts it read (with their labels) and the
        dated parameter values. A derived fact's case also used everything its earlier cases
        read: it applies because they did not."""
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
        loaded = self._rules.get(rule.id)
        status = loaded.rule.status.value if loaded else ("draft" if rule.draft else "approved")
        return _TrailStatic(
            conclusion=conclusion,
            status=status,
            legal_basis=tuple(self._cite(rule.legal_basis)),
            facts=tuple((name, rb.fact_label(name)) for name in names),
            parameters=parameters,
        )
