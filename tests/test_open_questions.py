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
    assessment = assessor.assess(grant(grant_enforceable_obligation="unknown"))

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
    from advisor.ruletests import case_of

    tables = assessor.rulebase.tables
    tri_state = [
        name
        for name, field in Case.model_fields.items()
        if field.annotation in (Answer, Answer | None)
    ]
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


def test_an_open_question_says_what_to_find_out_in_the_rule_base_words(
    assessor: Assessor,
) -> None:
    assessment = assessor.assess(grant(grant_enforceable_obligation="unknown"))

    question = next(
        q for q in assessment.open_questions if q.field == "grant_enforceable_obligation"
    )
    advice = assessor.rulebase.facts.inputs["grant_enforceable_obligation"].find_out
    assert question.advice == advice
    (shown,) = [
        q
        for q in assessment.public("en")["open_questions"]
        if q["field"] == "grant_enforceable_obligation"
    ]
    assert shown["advice"] == advice.en and shown["advice"].startswith("Find out")


def health_service(**answers: str) -> Case:
    return Case(
        law_as_of=dt.date(2026, 3, 1),
        buyer_type="municipality",
        subject="services",
        service_type="health_social",
        estimated_value_nok=2_000_000,
        **answers,
    )


def test_an_unknown_answer_that_only_changes_a_warning_is_worth_finding_out(
    assessor: Assessor,
) -> None:
    """Whether the service involves public authority changes no route, but "yes" brings the
    warning about the narrow exclusion: the buyer is told to find out, not given branches."""
    unknown = assessor.assess(health_service(involves_public_authority="unknown"))
    known = assessor.assess(health_service(involves_public_authority="yes"))

    assert known.has_warning("exclusion_public_authority")
    assert not unknown.has_warning("exclusion_public_authority")
    assert [o.code for o in known.routes if o.available] == [
        o.code for o in unknown.routes if o.available
    ]
    assert all(q.field != "involves_public_authority" for q in unknown.open_questions)
    (item,) = [f for f in unknown.find_out if f.field == "involves_public_authority"]
    assert item.advice == assessor.rulebase.facts.inputs["involves_public_authority"].find_out
    shown = unknown.public("nb")["find_out"]
    assert {
        "field": "involves_public_authority",
        "label": item.label.nb,
        "advice": item.advice.nb,
    } in shown


def test_an_unknown_answer_no_rule_would_act_on_is_not_worth_finding_out(
    assessor: Assessor,
) -> None:
    """An ordinary contract: whether an in-house entity has private owners changes nothing."""
    assessment = assessor.assess(health_service(in_house_private_ownership="unknown"))

    assert assessment.case.in_house_private_ownership == "unknown"
    fields = {f.field for f in assessment.find_out} | {q.field for q in assessment.open_questions}
    assert "in_house_private_ownership" not in fields


# ---------------------------------------------------------------- not stated is not "vet ikke"


def test_an_answer_left_out_is_not_stated_never_an_open_question(assessor: Assessor) -> None:
    """The grant's duty to deliver was never given: the rules read it as unknown (the same
    regime and routes as "vet ikke"), but it is listed as not stated, with what each answer
    would change, and never as an answer the buyer gave."""
    left_out = assessor.assess(grant())
    unknown = assessor.assess(grant(grant_enforceable_obligation="unknown"))

    assert left_out.case.grant_enforceable_obligation is None
    assert left_out.regime.code == unknown.regime.code
    assert [r.code for r in left_out.open_routes] == [r.code for r in unknown.open_routes]
    assert left_out.open_questions == [] and left_out.find_out == []
    (item,) = [q for q in left_out.not_stated if q.field == "grant_enforceable_obligation"]
    by_answer = {branch.answer: branch for branch in item.branches}
    assert by_answer["no"].regime == "not_procurement"
    assert "unknown" not in by_answer  # the reading it already has
    public = left_out.public("en")
    assert public["case"]["grant_enforceable_obligation"] is None
    assert [q["field"] for q in public["open_questions"]] == []
    (shown,) = [q for q in public["not_stated"] if q["field"] == "grant_enforceable_obligation"]
    assert shown["advice"].startswith("Find out")


def test_a_fact_left_out_that_changes_only_a_warning_is_listed_as_not_stated(
    assessor: Assessor,
) -> None:
    assessment = assessor.assess(health_service())

    (item,) = [q for q in assessment.not_stated if q.field == "involves_public_authority"]
    (branch,) = item.branches
    assert branch.answer == "yes"
    assert branch.adds_warnings == ["exclusion_public_authority"]
    assert not (branch.opens or branch.closes or branch.adds_obligations)


def test_a_fact_left_out_that_changes_nothing_is_not_listed(assessor: Assessor) -> None:
    assessment = assessor.assess(health_service())

    assert "in_house_private_ownership" not in {q.field for q in assessment.not_stated}


def test_why_a_route_is_closed_says_not_given_for_an_answer_left_out(assessor: Assessor) -> None:
    """The grant route needs the duty to deliver answered "no"; left out, the case's side of
    the explanation says it was not given, never that the buyer answered "vet ikke"."""
    left_out = assessor.assess(grant()).route("grant")
    unknown = assessor.assess(grant(grant_enforceable_obligation="unknown")).route("grant")

    assert left_out is not None and not left_out.available
    assert "ikke oppgitt" in left_out.why.nb and "vet ikke" not in left_out.why.nb
    assert "not given" in left_out.why.en and "don't know" not in left_out.why.en
    assert unknown is not None and "vet ikke" in unknown.why.nb


def test_the_trail_shows_an_answer_left_out_as_not_given(assessor: Assessor) -> None:
    assessment = assessor.assess(grant())
    used = [
        fact
        for entry in assessment.trail
        for fact in entry.facts
        if fact.name == "grant_enforceable_obligation"
    ]
    assert used and all(fact.value is None for fact in used)


def test_a_service_type_answered_dont_know_is_an_open_question(assessor: Assessor) -> None:
    """ "Vet ikke" on the kind of service is an answer the buyer gave (the wizard says the
    result will show what changes if the service is not ordinary): treated as ordinary, with
    the health-and-social branch shown."""
    case = Case(
        law_as_of=dt.date(2026, 3, 1),
        buyer_type="municipality",
        subject="services",
        service_type="unknown",
        estimated_value_nok=2_000_000,
    )
    assessment = assessor.assess(case)

    assert assessment.regime.code == "part_ii"
    (question,) = [q for q in assessment.open_questions if q.field == "service_type"]
    regimes = {branch.answer: branch.regime for branch in question.branches}
    assert regimes["health_social"] == "part_i"
    assert "ordinary" not in regimes  # the reading it already has
