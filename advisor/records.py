"""Saved assessments: the ``assessments`` table, its queries, and the service every feature
saves through (API, wizard, result page, plan screening).

The service assesses a Case with the app's current rules and saves it (``create``); changes
some answers without losing anyone else's (``update_answers``); re-assesses saved answers with
the current rules and says what changed (``reassess``). A saved assessment is shown as it was
stored: nothing here re-decides an opened assessment unless asked to re-assess.

Updates use optimistic locking (``version_counter``, also the API's ETag): a write based on an
outdated copy raises ``StaleAssessment`` instead of overwriting someone else's answers, and
``modify_assessment`` re-reads and re-applies a change until it lands. The queries take
``session=`` outside a request; in one they use the request's session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from advisor.assessment import Assessment
from advisor.assessor import LawDateOutOfRange
from advisor.case import Case
from advisor.db import Base, JSONType, UTCDateTime, get_session, new_id, utcnow
from advisor.state import current_state

__all__ = [
    "AssessmentNotFound",
    "AssessmentRecord",
    "LawDateOutOfRange",
    "StaleAssessment",
    "assess",
    "changes",
    "create",
    "delete_assessment",
    "get_assessment",
    "get_revision",
    "modify_assessment",
    "reassess",
    "save_assessment",
    "update_answers",
    "update_assessment",
]


class AssessmentRecord(Base):
    """One saved assessment: the answers, the result and what it was made with."""

    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    case_json: Mapped[dict[str, Any]] = mapped_column(JSONType)
    result_json: Mapped[dict[str, Any]] = mapped_column(JSONType)
    ruleset_version: Mapped[str] = mapped_column(sa.String(100))
    law_as_of: Mapped[dt.date] = mapped_column(sa.Date)
    lang: Mapped[str] = mapped_column(sa.String(8), default="nb")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version_counter: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    __table_args__ = (sa.Index("ix_assessments_created_at", "created_at"),)
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version_counter}

    def assessment(self) -> Assessment:
        """The stored Assessment (with ``id`` set to this record's id)."""
        return Assessment.model_validate({**self.result_json, "id": self.id})

    def set_assessment(self, assessment: Assessment) -> None:
        """Store ``assessment`` (its answers, result, rule-base version and law date)."""
        result = assessment.model_dump(mode="json")
        result["id"] = self.id
        # only what the Case was given: read back, it still knows what was answered
        result["case"] = assessment.case.stored()
        self.case_json = dict(result["case"])
        self.result_json = result
        self.ruleset_version = assessment.ruleset.version
        self.law_as_of = assessment.ruleset.law_as_of


class StaleAssessment(Exception):
    """The assessment was changed by someone else since it was read."""


class AssessmentNotFound(LookupError):
    pass


# ---------------------------------------------------------------------------- queries


def save_assessment(
    assessment: Assessment,
    *,
    title: str | None = None,
    lang: str = "nb",
    session: Session | None = None,
) -> AssessmentRecord:
    """Save a new assessment and return its record (``record.id`` is the new id)."""
    session = session or get_session()
    now = utcnow()
    record = AssessmentRecord(id=new_id(), lang=lang, created_at=now, updated_at=now)
    record.title = (title if title is not None else assessment.case.title or "")[:200]
    record.set_assessment(assessment)
    session.add(record)
    session.commit()
    return record


def get_assessment(
    assessment_id: str, *, session: Session | None = None
) -> AssessmentRecord | None:
    """The saved assessment, or ``None`` when there is none with that id."""
    if not assessment_id or len(assessment_id) > 64:
        return None
    session = session or get_session()
    return session.get(AssessmentRecord, assessment_id, populate_existing=True)


def get_revision(assessment_id: str, *, session: Session | None = None) -> int | None:
    """The saved assessment's revision (``version_counter``, the API's ETag) without reading its
    answers or result; ``None`` when there is none with that id."""
    if not assessment_id or len(assessment_id) > 64:
        return None
    session = session or get_session()
    query = sa.select(AssessmentRecord.version_counter).where(AssessmentRecord.id == assessment_id)
    return session.execute(query).scalar_one_or_none()


def delete_assessment(assessment_id: str, *, session: Session | None = None) -> bool:
    """Delete it; ``False`` when it did not exist."""
    session = session or get_session()
    record = get_assessment(assessment_id, session=session)
    if record is None:
        return False
    session.delete(record)
    session.commit()
    return True


def update_assessment(
    record: AssessmentRecord,
    *,
    assessment: Assessment | None = None,
    title: str | None = None,
    lang: str | None = None,
    expected_version: int | None = None,
    session: Session | None = None,
) -> AssessmentRecord:
    """Change a record read earlier. Raises ``StaleAssessment`` when it changed meanwhile
    (someone else saved first), or when ``expected_version`` (e.g. from a form) is outdated."""
    session = session or get_session()
    if expected_version is not None and record.version_counter != expected_version:
        raise StaleAssessment(record.id)
    if assessment is not None:
        record.set_assessment(assessment)
    if title is not None:
        record.title = title[:200]
    if lang is not None:
        record.lang = lang
    try:
        session.commit()
    except StaleDataError as error:
        session.rollback()
        raise StaleAssessment(record.id) from error
    return record


def modify_assessment(
    assessment_id: str,
    change: Callable[[AssessmentRecord], None],
    *,
    retries: int = 5,
    session: Session | None = None,
) -> AssessmentRecord:
    """Read, apply ``change`` and save; on a conflict re-read and re-apply (no lost update)."""
    session = session or get_session()
    for _attempt in range(retries + 1):
        record = get_assessment(assessment_id, session=session)
        if record is None:
            raise AssessmentNotFound(assessment_id)
        change(record)
        try:
            session.commit()
            return record
        except StaleDataError:
            session.rollback()
    raise StaleAssessment(assessment_id)


# ---------------------------------------------------------------------------- the service


def assess(case: Case) -> Assessment:
    """The Assessment of ``case`` by the app's current rules (raises ``LawDateOutOfRange``)."""
    return current_state().assessor.assess(case)


def create(case: Case, *, lang: str = "nb", session: Session | None = None) -> AssessmentRecord:
    """Assess ``case`` and save it: answers, result, rule-base version, law date, title."""
    return save_assessment(assess(case), lang=lang, session=session)


def update_answers(
    assessment_id: str,
    answers: dict[str, Any],
    *,
    expected_version: int | None = None,
    session: Session | None = None,
) -> AssessmentRecord:
    """Change some answers of a saved assessment and re-assess it.

    Two requests changing different answers of the same assessment both land: the optimistic
    lock detects the second writer, which re-reads and re-applies its answers. With
    ``expected_version`` (the API's ``If-Match``) the change is made only to that revision,
    else ``StaleAssessment``. Raises ``ValidationError`` when the merged answers are invalid,
    ``LawDateOutOfRange``, or ``AssessmentNotFound``.
    """

    def change(record: AssessmentRecord) -> None:
        case = Case.model_validate({**record.case_json, **answers})
        record.set_assessment(assess(case))
        if "title" in answers:
            record.title = (case.title or "")[:200]

    if expected_version is None:
        return modify_assessment(assessment_id, change, retries=20, session=session)
    session = session or get_session()
    record = get_assessment(assessment_id, session=session)
    if record is None:
        raise AssessmentNotFound(assessment_id)
    if record.version_counter != expected_version:
        raise StaleAssessment(assessment_id)
    change(record)
    return update_assessment(record, session=session)


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
    record: AssessmentRecord, *, save: bool = False, session: Session | None = None
) -> tuple[Assessment, dict[str, Any], AssessmentRecord]:
    """Assess the saved answers again with the current rules; optionally keep the new result.
    Returns the new assessment, what changed, and the record (as saved, with ``save``)."""
    before = record.assessment()
    answers = record.case_json
    after = assess(Case.model_validate(answers)).model_copy(update={"id": record.id})
    diff = changes(before, after)
    if save:

        def change(current: AssessmentRecord) -> None:
            nonlocal after
            if current.case_json != answers:
                # Answers changed meanwhile (a concurrent PATCH): assess those, not the old.
                fresh = assess(Case.model_validate(current.case_json))
                after = fresh.model_copy(update={"id": current.id})
            # The same answers and rules give the same result: the one just made is saved
            # (was a second engine run, and a validation of the saved JSON back into after).
            current.set_assessment(after)

        record = modify_assessment(record.id, change, session=session)
    return after, diff, record
