"""The rule base's own test cases (``rules/<j>/tests/*.yaml``) run through the Assessor, and the
checks built on them: every rule fires in some case and not in another (coverage), and no two
approved rules open and close the same route for one case (contradictions).

Above the assessor in the flow (it needs it); the rule base only loads the cases
(``advisor.rulebase.loader.LoadedTest``). Used by ``advisor rules check|test|impact``, the rules
explorer and the app's warm-up.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from advisor.assessment import Assessment
from advisor.assessor import Assessor
from advisor.case import Case
from advisor.engine import Outcome
from advisor.rulebase.compiler import parameter_value
from advisor.rulebase.loader import LoadedTest
from advisor.rulebase.schema import FindingExpect, RouteExpect, Status
from advisor.rulebase.yamlsrc import SourceError


@dataclass
class TestResult:
    test: LoadedTest
    differences: list[str] = field(default_factory=list)
    outcome: Outcome | None = None
    error: str | None = None

    @property
    def passed(self) -> bool:
        return not self.differences and self.error is None

    @property
    def name(self) -> str:
        return self.test.test.name

    @property
    def where(self) -> str:
        line, column = self.test.located.at((self.test.index,))
        return f"{self.test.located.file}:{line}:{column}"


def case_of(loaded: LoadedTest) -> Case:
    data = dict(loaded.test.case)
    if loaded.test.law_as_of:
        data["law_as_of"] = loaded.test.law_as_of
    return Case.model_validate(data)


def differences(assessment: Assessment, loaded: LoadedTest) -> list[str]:
    """What differs from the expectation, each as 'what: expected X, got Y'."""
    expect = loaded.test.expect
    found: list[str] = []
    if expect.regime is not None and assessment.regime.code != expect.regime:
        found.append(f"regime: expected {expect.regime}, got {assessment.regime.code}")
    for name, value in expect.derived.items():
        got = assessment.derived.get(name)
        if got != value:
            found.append(f"{name}: expected {value}, got {got}")
    for code, wanted in expect.routes.items():
        route = assessment.route(code)
        available = route.available if route else False
        spec = wanted if isinstance(wanted, RouteExpect) else RouteExpect(available=wanted)
        if available != spec.available:
            state = "open" if spec.available else "closed"
            found.append(f"route {code}: expected {state}, got {'open' if available else 'closed'}")
        elif route is not None:
            found += _citation_differences(f"route {code}", route.legal_basis, spec)
    for kind, expected, items in (
        ("obligation", expect.obligations, assessment.obligations),
        ("warning", expect.warnings, assessment.warnings),
    ):
        by_code = {item.code: item for item in items}
        for code, wanted in expected.items():
            spec = wanted if isinstance(wanted, FindingExpect) else FindingExpect(present=wanted)
            item = by_code.get(code)
            if (item is not None) != spec.present:
                found.append(
                    f"{kind} {code}: expected {'present' if spec.present else 'absent'}, "
                    f"got {'present' if item is not None else 'absent'}"
                )
            elif item is not None:
                found += _citation_differences(f"{kind} {code}", item.legal_basis, spec)
    values = {use.name: use.value for entry in assessment.trail for use in entry.parameters}
    for name, value in expect.parameters.items():
        if values.get(name) != value:
            found.append(f"parameter {name}: expected {value} to be used, got {values.get(name)}")
    used = {document.id for document in assessment.documents}
    for source, present in expect.sources.items():
        if (source in used) != present:
            found.append(
                f"source {source}: expected {'relied on' if present else 'not relied on'}, "
                f"got {'relied on' if source in used else 'not relied on'}"
            )
    return found


def _citation_differences(
    what: str, cited: list[Any], spec: RouteExpect | FindingExpect
) -> list[str]:
    got = [c.text for c in cited]
    found = []
    missing = [c for c in spec.legal_basis or [] if c not in got]
    if missing:
        found.append(f"{what}: expected legal basis {missing}, got {got}")
    unwanted = [c for c in spec.not_legal_basis or [] if c in got]
    if unwanted:
        found.append(f"{what}: expected no {unwanted} in the legal basis, got {got}")
    return found


def run_tests(assessor: Assessor, engine: str = "durable") -> list[TestResult]:
    results = []
    for loaded in assessor.rulebase.tests:
        result = TestResult(loaded)
        try:
            case = case_of(loaded)
            period, facts, outcome = assessor.outcome(case, engine)
            assessment = assessor.assemble(case, period, facts, outcome)
            result.outcome = outcome
            result.differences = differences(assessment, loaded)
        except Exception as exc:  # noqa: BLE001 - a failing case is reported, not raised
            result.error = f"{type(exc).__name__}: {exc}"
        results.append(result)
    return results


def coverage_problems(assessor: Assessor, results: list[TestResult]) -> list[SourceError]:
    """Every rule must fire in at least one test case and be absent in at least one."""
    rulebase = assessor.rulebase
    fired_in: dict[str, int] = {}
    absent_in: dict[str, int] = {}
    for result in results:
        if result.outcome is None:
            continue
        period = assessor.period_for(case_of(result.test).law_as_of)
        active = {rule.id for rule in period.rules}
        active |= {case.id for cases in period.decisions.values() for case in cases}
        fired = set(result.outcome.fired) | set(result.outcome.derived_by.values())
        for rule_id in active:
            target = fired_in if rule_id in fired else absent_in
            target[rule_id] = target.get(rule_id, 0) + 1
    problems = []
    for loaded in rulebase.rules:
        if loaded.rule.status == Status.retired:
            continue
        position = (loaded.index, "id")
        if not fired_in.get(loaded.id):
            problems.append(
                loaded.located.error(position, f"no test case where rule '{loaded.id}' fires")
            )
        if not absent_in.get(loaded.id):
            problems.append(
                loaded.located.error(
                    position, f"no test case where rule '{loaded.id}' does not fire"
                )
            )
    for cases in rulebase.derived_cases.values():
        for loaded_case in cases:
            if not fired_in.get(loaded_case.case.id):
                problems.append(
                    loaded_case.located.error(
                        (*loaded_case.path, "id"),
                        f"no test case where '{loaded_case.case.id}' decides {loaded_case.fact}",
                    )
                )
    return problems


def probe_cases(assessor: Assessor) -> list[Case]:
    """A grid of cases around every threshold of every period, for contradiction checks."""
    cases = []
    for period in assessor.periods:
        date = period.start
        values = {0, 50_000}
        for name, parameter in assessor.rulebase.parameters.items():
            if parameter.unit != "NOK":
                continue
            bound = parameter_value(parameter, name, date)
            if bound is not None:
                amount = int(bound.value)
                values.update({max(amount - 1, 0), amount, amount + 1})
        for buyer, subject, service, target, value in itertools.product(
            ("municipality", "state"),
            ("goods", "services", "works"),
            (None, "ordinary", "special", "health_social"),
            ("wise", "ideell", "none"),
            sorted(values),
        ):
            if subject != "services" and service is not None:
                continue
            cases.append(
                Case(
                    law_as_of=date,
                    buyer_type=buyer,
                    subject=subject,
                    service_type=service,
                    target_supplier=target,
                    estimated_value_nok=value,
                )
            )
    return cases


def contradiction_problems(assessor: Assessor, extra: list[Case]) -> list[SourceError]:
    """Two approved or checked rules that open and close the same route for the same case."""
    rulebase = assessor.rulebase
    approved = {
        loaded.id: loaded
        for loaded in rulebase.rules
        if loaded.rule.status in (Status.approved, Status.checked)
    }
    seen: set[tuple[str, str]] = set()
    problems = []
    for case in [*extra, *probe_cases(assessor)]:
        period, _, outcome = assessor.outcome(case, "plain")
        by_id = {rule.id: rule for rule in period.rules}
        fired = [by_id[i] for i in outcome.fired if i in approved]
        for opener, closer in itertools.product(fired, fired):
            if (
                opener.kind == closer.kind == "route"
                and opener.code == closer.code
                and opener.available
                and not closer.available
                and (opener.id, closer.id) not in seen
            ):
                seen.add((opener.id, closer.id))
                loaded = approved[closer.id]
                problems.append(
                    loaded.located.error(
                        (loaded.index, "then"),
                        f"non-draft rules '{opener.id}' and '{closer.id}' both decide route "
                        f"'{opener.code}' (open and closed) for the same case "
                        f"({case.model_dump_json(exclude_defaults=True)})",
                    )
                )
    return problems
