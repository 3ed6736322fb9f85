"""What the assessor works out once and keeps (per rule base and period of law: citations with
their links, rule texts with parameter values, the static part of trail entries; per
assessment: why rules do not hold) must give exactly what working it out each time gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pydantic
import pytest
from rulebase_copies import copy_rules

from advisor.assessment import Assessment
from advisor.assessor import Assessor
from advisor.case import Case
from advisor.rulebase import load_rulebase
from advisor.ruletests import case_of
from advisor.samples import CaseSampler

CASE = Case(
    law_as_of=dt.date(2026, 3, 1),
    buyer_type="municipality",
    subject="services",
    cpv="90910000",
    estimated_value_nok=3_600_000,
    target_supplier="wise",
)


def cases(assessor: Assessor, count: int) -> list[Case]:
    own = [case_of(loaded) for loaded in assessor.rulebase.tests]
    return own + list(CaseSampler(assessor.rulebase, assessor.periods).cases(count, seed=11))


def dumped(assessment: Assessment) -> str:
    return assessment.model_copy(update={"generated_at": dt.datetime(2026, 1, 1)}).model_dump_json()


def test_an_assessment_does_not_depend_on_what_was_assessed_before(assessor: Assessor) -> None:
    """Two assessors of the same rule base, fed the same cases in opposite orders, give the
    same assessments: nothing kept from one case shows in another."""
    other = Assessor(assessor.rulebase)
    try:
        sample = cases(assessor, 120)
        forward = [dumped(assessor.assess(case)) for case in sample]
        backward = [dumped(other.assess(case)) for case in reversed(sample)]
    finally:
        other.close()
    assert forward == backward[::-1]
    assert len(set(forward)) > 100


def edit(root: Path, old: str, new: str) -> None:
    """Replace ``old`` in the one YAML file of the rule base at ``root`` that has it."""
    files = [path for path in root.rglob("*.yaml") if old in path.read_text(encoding="utf-8")]
    assert len(files) == 1, (old, files)
    files[0].write_text(files[0].read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_each_rule_base_has_its_own_citations_and_texts(assessor: Assessor, tmp_path: Path) -> None:
    """The links and texts an assessor keeps belong to its rule base: an assessor of a changed
    copy (a reloaded rule base) shows the changes, the one that assessed before does not."""
    before = assessor.assess(CASE)
    route = next(route for route in before.routes if route.available and route.steps)
    why, step = route.why.nb[:30], route.steps[0].nb[:30]
    root = copy_rules(tmp_path / "rules")
    edit(
        root,
        "section_url: https://lovdata.no/forskrift/2016-08-12-974/",
        "section_url: https://example.org/foa/",
    )
    edit(root, why, f"Endret. {why}")
    edit(root, step, f"Endret. {step}")
    reloaded = Assessor(load_rulebase(root))
    try:
        after = reloaded.assess(CASE)
    finally:
        reloaded.close()
    links = {c.url for r in after.routes for c in r.legal_basis if c.text.startswith("FOA §")}
    assert links and all(url.startswith("https://example.org/foa/") for url in links)
    changed = after.route(route.code)
    assert changed.why.nb.startswith("Endret.") and changed.steps[0].nb.startswith("Endret.")
    assert dumped(assessor.assess(CASE)) == dumped(before)


def test_shared_parts_cannot_be_changed_and_lists_are_not_shared(assessor: Assessor) -> None:
    first, second = assessor.assess(CASE), assessor.assess(CASE)
    citation = first.trail[0].legal_basis[0]
    assert citation is second.trail[0].legal_basis[0]  # one object per citation text
    parameter = next(p for entry in first.trail for p in entry.parameters)
    document = first.documents[0]
    for model, name in ((citation, "url"), (parameter, "value"), (document, "url")):
        with pytest.raises(pydantic.ValidationError):
            setattr(model, name, None)
    route = next(route for route in first.routes if route.available and route.steps)
    route.steps.append(route.steps[0])
    route.legal_basis.clear()
    first.trail[0].facts.clear()
    assert dumped(assessor.assess(CASE)) == dumped(second)
