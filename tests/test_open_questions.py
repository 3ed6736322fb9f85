"""A "vet ikke" answer that changes the result becomes an open question with both branches."""

from __future__ import annotations

import datetime as dt

from advisor.assessor import Assessor
from advisor.case import Case


def grant(**answers: str) -> Case:
    return Case(
        law_as_of=dt.date(2026, 3, 1),
        buyer_type="municipality",
        arrangement="grant",
        subject="services",
        estimated_value_nok=400_000,
        **answers,
    )


def test_unknown_grant_obligation_shows_what_each_answer_leads_to(assessor: Assessor) -> None:
    assessment = assessor.assess(grant())

    question = next(
        q for q in assessment.open_questions if q.field == "grant_enforceable_obligation"
    )
    by_answer = {branch.answer: branch for branch in question.branches}
    assert by_answer["no"].regime == "not_procurement"
    assert question.label.nb and question.label.en
    assert assessment.public("en")["open_questions"][0]["branches"]


def test_a_known_answer_is_not_an_open_question(assessor: Assessor) -> None:
    assessment = assessor.assess(grant(grant_enforceable_obligation="no"))

    assert assessment.regime.code == "not_procurement"
    assert all(q.field != "grant_enforceable_obligation" for q in assessment.open_questions)


def test_unknown_answers_that_change_nothing_are_not_listed(assessor: Assessor) -> None:
    case = Case(
        law_as_of=dt.date(2026, 3, 1),
        buyer_type="municipality",
        subject="goods",
        estimated_value_nok=50_000,
    )
    assessment = assessor.assess(case)

    assert assessment.regime.code == "outside_scope"
    assert assessment.open_questions == []


def test_re_evaluating_one_changed_answer_equals_a_full_evaluation(assessor: Assessor) -> None:
    """The open-question analysis re-runs only the rules a changed answer can affect; it must
    give exactly what a full evaluation gives, for every rule-base test case and answer."""
    from advisor.case import Answer
    from advisor.engine import rerun_plain, run_plain
    from advisor.rulebase.testing import case_of

    tables = assessor.rulebase.tables
    tri_state = [name for name, field in Case.model_fields.items() if field.annotation is Answer]
    checked = 0
    for loaded in assessor.rulebase.tests:
        case = case_of(loaded)
        period, facts, base = assessor.outcome(case, "plain")
        for name in tri_state:
            for answer in Answer:
                changed = {**facts, name: answer.value}
                full = run_plain(period, changed, tables)
                quick = rerun_plain(period, base, changed, {name}, tables)
                assert quick.signature() == full.signature(), (loaded.test.name, name, answer)
                checked += 1
    assert checked > 1000


def test_open_questions_shortcut_equals_rerun_plain(assessor: Assessor) -> None:
    """The assessor skips answers no regime, route or obligation depends on and works out again
    only the derived facts an answer reaches: for every "vet ikke"-able answer of the rule-base
    test cases and of sampled cases, its result equals ``_summary(rerun_plain(...))``."""
    from advisor.case import Answer
    from advisor.engine import rerun_plain
    from advisor.rulebase.testing import case_of
    from advisor.samples import CaseSampler

    tables = assessor.rulebase.tables
    tri_state = [name for name, field in Case.model_fields.items() if field.annotation is Answer]
    cases = [case_of(loaded) for loaded in assessor.rulebase.tests]
    cases += list(CaseSampler(assessor.rulebase, assessor.periods).cases(150, seed=3))
    checked = skipped = 0
    for case in cases:
        for engine in ("durable", "plain"):
            period, facts, base = assessor.outcome(case, engine)
            reach = assessor._reach(period)
            baseline = assessor._baseline(period, reach, facts, base)
            expected_base = assessor._summary(period, base)
            for name in tri_state:
                for answer in (Answer.yes, Answer.no):
                    full = assessor._summary(
                        period,
                        rerun_plain(period, base, {**facts, name: answer.value}, {name}, tables),
                    )
                    if name not in reach.summary_facts:
                        assert full == expected_base, (case, name, answer)
                        skipped += 1
                        continue
                    quick = assessor._branch_summary(
                        period, reach, base, facts, baseline, name, answer
                    )
                    assert quick == full, (case, name, answer)
                    checked += 1
    assert checked > 1000 and skipped > 100
