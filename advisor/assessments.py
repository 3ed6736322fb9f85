"""Saved assessments as the features use them (API, plan screening, wizard).

A thin layer over ``advisor.store``: assess a Case with the app's current rules and save it;
change some answers without losing anyone else's (optimistic locking, re-applied on conflict);
re-assess a saved case with the current rules and say what changed. A saved assessment is shown
as it was stored: nothing here re-decides an opened assessment unless asked to re-assess.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from advisor import store
from advisor.assessment import Assessment
from advisor.assessor import LawDateOutOfRange
from advisor.case import Case
from advisor.state import current_state

__all__ = [
    "LawDateOutOfRange",
    "assess",
    "changes",
    "create",
    "law_date_message",
    "reassess",
    "update_answers",
]


def assess(case: Case) -> Assessment:
    """The Assessment of ``case`` by the app's current rules (raises ``LawDateOutOfRange``)."""
    return current_state().assessor.assess(case)


def first_law_date() -> dt.date | None:
    periods = current_state().assessor.periods
    return periods[0].start if periods else None


def first_law_date_of(app: Any) -> dt.date | None:
    periods = app.extensions["advisor"].assessor.periods
    return periods[0].start if periods else None


def law_date_message(date: dt.date, lang: str) -> str:
    """Why ``date`` cannot be assessed, in ``lang``."""
    first = first_law_date()
    if lang == "en":
        return (
            f"The rule base covers the law from {first.day} {first:%B %Y}; {date.isoformat()} is "
            "earlier. "
            "Choose a later law date."
        )
    return (
        f"Regelverket dekker regler fra {first:%d.%m.%Y}; {date:%d.%m.%Y} er tidligere. "
        "Velg en senere lovdato."
    )


def create(case: Case, *, lang: str = "nb", session: Any = None) -> store.AssessmentRecord:
    """Assess ``case`` and save it: answers, result, rule-base version, law date, title."""
    return store.save_assessment(assess(case), lang=lang, session=session)


def update_answers(
    assessment_id: str, answers: dict[str, Any], *, session: Any = None
) -> store.AssessmentRecord:
    """Change some answers of a saved assessment and re-assess it.

    Two requests changing different answers of the same assessment both land: the store's
    optimistic lock detects the second writer, which re-reads and re-applies its answers.
    Raises ``ValidationError`` when the merged answers are invalid, ``LawDateOutOfRange``,
    or ``store.AssessmentNotFound``.
    """

    def change(record: store.AssessmentRecord) -> None:
        merged = {**record.case_json, **answers}
        case = Case.model_validate(merged)
        assessment = assess(case)
        record.set_assessment(assessment)
        if "title" in answers:
            record.title = (case.title or "")[:200]

    return store.modify_assessment(assessment_id, change, retries=20, session=session)


def _codes(items: list[Any]) -> list[str]:
    return [item.code for item in items]


def changes(before: Assessment, after: Assessment) -> dict[str, Any]:
    """What differs between two assessments of the same case (regime, routes, obligations)."""
    open_before, open_after = set(_codes(before.open_routes)), set(_codes(after.open_routes))
    obl_before, obl_after = set(_codes(before.obligations)), set(_codes(after.obligations))
    warn_before, warn_after = set(_codes(before.warnings)), set(_codes(after.warnings))
    result = {
        "ruleset": {
            "before": before.ruleset.version,
            "after": after.ruleset.version,
            "changed": before.ruleset.version != after.ruleset.version,
        },
        "regime": {
            "before": before.regime.code,
            "after": after.regime.code,
            "changed": before.regime.code != after.regime.code,
        },
        "routes_opened": sorted(open_after - open_before),
        "routes_closed": sorted(open_before - open_after),
        "obligations_added": sorted(obl_after - obl_before),
        "obligations_removed": sorted(obl_before - obl_after),
        "warnings_added": sorted(warn_after - warn_before),
        "warnings_removed": sorted(warn_before - warn_after),
    }
    result["changed"] = bool(
        result["regime"]["changed"]
        or any(
            result[key]
            for key in (
                "routes_opened",
                "routes_closed",
                "obligations_added",
                "obligations_removed",
                "warnings_added",
                "warnings_removed",
            )
        )
    )
    return result


def reassess(
    record: store.AssessmentRecord, *, save: bool = False, session: Any = None
) -> tuple[Assessment, dict[str, Any], store.AssessmentRecord]:
    """Assess the saved answers again with the current rules; optionally keep the new result.
    Returns the new assessment, what changed, and the record (as saved, with ``save``)."""
    before = record.assessment()
    answers = record.case_json
    after = assess(Case.model_validate(answers)).model_copy(update={"id": record.id})
    diff = changes(before, after)
    if save:

        def change(current: store.AssessmentRecord) -> None:
            nonlocal after
            if current.case_json != answers:
                # Answers changed meanwhile (a concurrent PATCH): assess those, not the old.
                fresh = assess(Case.model_validate(current.case_json))
                after = fresh.model_copy(update={"id": current.id})
            # The same answers and rules give the same result: the one just made is saved
            # (was a second engine run, and a validation of the saved JSON back into after).
            current.set_assessment(after)

        record = store.modify_assessment(record.id, change, session=session)
    return after, diff, record
