"""Explanations: each finding's trail (rule, facts, dated parameter values, derived-fact chain)
and, for routes that are not open, which condition failed, with the threshold and the case's
own value ("… krever at anslått verdi er minst … (7 800 000 kr). I din sak: … 5 000 000 kr.").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from advisor.assessment import Assessment
from advisor.assessor import Assessor
from advisor.case import Case
from advisor.money import format_money as money
from advisor.rulebase import load_rulebase
from advisor.rulebase.compiler import ParamValue, parameter_value
from advisor.samples import CaseSampler
from advisor.vocabulary import long_date

DATE = dt.date(2026, 3, 1)
THRESHOLD = "eos_threshold_special"


def plain(text: str) -> str:
    """Babel writes thousands with no-break spaces; compare with ordinary ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def threshold(assessor: Assessor, date: dt.date = DATE) -> ParamValue:
    bound = parameter_value(assessor.rulebase.parameters[THRESHOLD], THRESHOLD, date)
    assert bound is not None
    return bound


def health_case(value: int, date: dt.date = DATE, **extra: object) -> Case:
    return Case(
        law_as_of=date,
        buyer_type="municipality",
        subject="services",
        cpv="85312000",
        estimated_value_nok=value,
        target_supplier="ideell",
        **extra,
    )


@pytest.fixture(scope="module")
def below(assessor: Assessor) -> Assessment:
    """A Part I health and social service at 5 MNOK (below the EEA threshold)."""
    assert 5_000_000 < threshold(assessor).value
    return assessor.assess(health_case(5_000_000))


def test_closed_reserved_ideell_names_the_threshold_and_the_value(
    assessor: Assessor, below: Assessment
) -> None:
    assert below.regime.code == "part_i"
    route = below.route("reserved_ideell")
    assert route is not None and not route.available
    bound = threshold(assessor)
    nb, en = plain(route.why.nb), plain(route.why.en)
    assert "Reservert konkurranse for ideelle organisasjoner krever at" in nb
    label = assessor.rulebase.parameters[THRESHOLD].label.nb
    assert f"anslått verdi er minst {label} ({plain(money(bound.value, 'nb'))})" in nb
    assert plain(money(bound.value, "nb")) == "7 800 000 kr"  # the threshold the brief names
    assert "I din sak: anslått verdi er 5 000 000 kr." in nb
    assert "requires that the estimated value is at least" in en
    assert "NOK 7,800,000" in en and "In your case the estimated value is NOK 5,000,000." in en
    # the legal basis of the route and of the threshold that decided it
    cited = [c.text for c in route.legal_basis]
    assert any(c.startswith("FOA § 30-2a") for c in cited)
    assert all(c.url and c.url.startswith("https://lovdata.no/") for c in route.legal_basis)


def test_closed_reserved_wise_is_explained_the_same_way(below: Assessment) -> None:
    route = below.route("reserved_wise")
    assert route is not None and not route.available
    assert "I din sak: anslått verdi er 5 000 000 kr." in plain(route.why.nb)


def test_open_routes_explain_with_the_rule_text(assessor: Assessor, below: Assessment) -> None:
    route = below.route("invite_only_ideell")
    assert route is not None and route.available
    rule = assessor.rulebase.rule(route.rules[0])
    assert rule is not None and route.why.nb.startswith(rule.rule.explain.nb[:40])


def test_the_trail_lists_the_regime_rule_with_the_parameter_and_its_date(
    assessor: Assessor, below: Assessment
) -> None:
    bound = threshold(assessor)
    entry = next(e for e in below.trail if e.rule == below.regime.rule)
    assert entry.kind == "derive" and entry.conclusion == "regime = part_i"
    params = {p.name: p for p in entry.parameters}
    assert params[THRESHOLD].value == bound.value == 7_800_000
    assert params[THRESHOLD].valid_from == bound.valid_from
    assert params[THRESHOLD].label is not None
    facts = {f.name: f for f in entry.facts}
    assert facts["estimated_value_nok"].value == 5_000_000
    assert facts["estimated_value_nok"].label.nb == "anslått verdi"
    assert facts["service_class"].value == "health_social_service"


def test_the_trail_of_a_threshold_case_above_it(assessor: Assessor) -> None:
    above = assessor.assess(health_case(9_000_000))
    assert above.regime.code == "part_iv"
    entry = next(e for e in above.trail if e.rule == above.regime.rule)
    param = next(p for p in entry.parameters if p.name == THRESHOLD)
    assert (param.value, param.valid_from) == (
        threshold(assessor).value,
        threshold(assessor).valid_from,
    )


def test_derived_facts_show_what_derived_them_and_the_chain_is_in_order(below: Assessment) -> None:
    position = {entry.rule: index for index, entry in enumerate(below.trail)}
    derived = set(below.derived)
    seen_derived = 0
    for index, entry in enumerate(below.trail):
        for fact in entry.facts:
            if fact.name in derived:
                seen_derived += 1
                assert fact.derived_by is not None, (entry.rule, fact.name)
                assert fact.derived_by in position, f"{fact.derived_by} is not in the trail"
                assert position[fact.derived_by] < index, "a derived fact after its use"
                assert fact.value == below.derived[fact.name]
            else:
                assert fact.derived_by is None
    assert seen_derived
    route_entry = next(e for e in below.trail if e.rule.startswith("invite_only_ideell"))
    regime = next(f for f in route_entry.facts if f.name == "regime")
    assert regime.derived_by == below.regime.rule


def test_the_trail_labels_cpv_code_facts(below: Assessment) -> None:
    uses = [f for e in below.trail for f in e.facts if f.name == "cpv_num"]
    assert uses and all(f.label is not None and f.label.nb == "CPV-koden" for f in uses)


def test_a_route_whose_rule_starts_later_says_from_when(tmp_path: Any) -> None:
    """A route whose only opening rule starts later is closed before that day, and the
    explanation says from when. (In the real rule base the ideell reservation is open, as a
    draft, before FOA § 30-2a: that rule is retired here to leave the dated one alone.)"""
    from rulebase_copies import copy_rules

    rules = copy_rules(tmp_path / "rules")
    path = rules / "reservation.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("- id: reserved_ideell.part_iv_before_2020")
    text = text[:start] + text[start:].replace("status: draft", "status: retired", 1)
    path.write_text(text, encoding="utf-8")
    own = Assessor(load_rulebase(rules))
    try:
        starts = [
            loaded.rule.valid_from
            for loaded in own.rulebase.rules
            if loaded.rule.then.route == "reserved_ideell"
            and loaded.rule.valid_from
            and loaded.rule.status.value != "retired"
        ]
        first = min(starts)
        before = first - dt.timedelta(days=200)
        assessment = own.assess(health_case(50_000_000, date=before))
    finally:
        own.close()
    route = assessment.route("reserved_ideell")
    assert route is not None and not route.available
    assert f"fra {long_date(first, 'nb')}" in route.why.nb
    assert long_date(before, "nb") in route.why.nb
    assert f"from {long_date(first, 'en')}" in route.why.en
    assert any(c.text.startswith("FOA § 30-2a") for c in route.legal_basis)


def test_the_ideell_reservation_before_2020_is_possible_but_uncertain(assessor: Assessor) -> None:
    """Before FOA § 30-2a the ministry's 2017 guidance allowed it in some cases: open, as a
    draft, with the CJEU cases it relied on, and without the 2025 Supreme Court judgment."""
    assessment = assessor.assess(health_case(50_000_000, date=dt.date(2019, 6, 1)))
    route = assessment.route("reserved_ideell")
    assert route is not None and route.available and route.draft
    assert "usikkert" in route.why.nb and "uncertain" in route.why.en
    assert "HR-2025-2425-A" not in route.why.nb
    assert {d.id for d in assessment.documents} >= {"cjeu_spezzino", "cjeu_casta"}


def test_every_explanation_is_whole_text_in_both_languages(assessor: Assessor) -> None:
    sampler = CaseSampler(assessor.rulebase, assessor.periods)
    for case in sampler.cases(150, seed=33):
        assessment = assessor.assess(case)
        texts = [(r.code, r.why) for r in assessment.routes]
        texts += [(o.code, o.why) for o in assessment.obligations if o.why]
        texts += [(w.code, w.message) for w in assessment.warnings]
        for code, text in texts:
            for lang in ("nb", "en"):
                value = text.get(lang)
                assert value.strip(), (code, lang)
                assert "None" not in value and "{" not in value and "$" not in value, (code, value)
        for route in assessment.routes:
            if not route.available and not route.rules and "krever" in route.why.nb:
                assert "I din sak:" in route.why.nb and "In your case" in route.why.en
        for entry in assessment.trail:
            for parameter in entry.parameters:
                assert parameter.valid_from <= case.law_as_of
