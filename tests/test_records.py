"""Saved assessments (``advisor.records``) on SQLite and PostgreSQL: save, read, delete, and
optimistic locking that never loses an update."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from advisor import db
from advisor.assessment import Assessment, LocalText, Regime, RulesetInfo
from advisor.case import Case
from advisor.db import make_engine, upgrade_database
from advisor.records import (
    AssessmentRecord,
    StaleAssessment,
    delete_assessment,
    get_assessment,
    modify_assessment,
    save_assessment,
    update_assessment,
)


def make_assessment(value: int = 3_600_000, version: str = "rules-v1") -> Assessment:
    case = Case(
        law_as_of=dt.date(2026, 3, 1),
        title="Renhold rådhuset",
        buyer_type="municipality",
        subject="services",
        cpv="90910000",
        estimated_value_nok=value,
        target_supplier="wise",
    )
    return Assessment(
        case=case,
        ruleset=RulesetInfo(jurisdiction="no", version=version, law_as_of=case.law_as_of),
        regime=Regime(code="part_iii", title=LocalText(nb="Del III", en="Part III")),
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request, tmp_path) -> Iterator[sessionmaker[Session]]:
    """A session factory on a migrated database of each kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    upgrade_database(url)
    engine = make_engine(url)
    try:
        yield sessionmaker(engine, expire_on_commit=False)
    finally:
        engine.dispose()


def test_save_get_delete(sessions):
    with sessions() as session:
        record = save_assessment(make_assessment(), lang="en", session=session)
        record_id = record.id
    assert len(record_id) >= 22  # 128 random bits, URL-safe
    with sessions() as session:
        loaded = get_assessment(record_id, session=session)
        assert loaded is not None
        assert loaded.title == "Renhold rådhuset"
        assert loaded.lang == "en"
        assert loaded.ruleset_version == "rules-v1"
        assert loaded.law_as_of == dt.date(2026, 3, 1)
        assert loaded.case_json["estimated_value_nok"] == 3_600_000
        assert loaded.created_at.tzinfo is not None
        assert loaded.version_counter == 1
        assessment = loaded.assessment()
        assert assessment.id == record_id
        assert assessment.regime.code == "part_iii"
        assert assessment.case == make_assessment().case
    with sessions() as session:
        assert delete_assessment(record_id, session=session) is True
        assert delete_assessment(record_id, session=session) is False
        assert get_assessment(record_id, session=session) is None


def test_ids_are_unguessable_and_unique(sessions):
    with sessions() as session:
        ids = {save_assessment(make_assessment(), session=session).id for _ in range(20)}
    assert len(ids) == 20
    with sessions() as session:
        assert get_assessment("0" * 22, session=session) is None
        assert get_assessment("x" * 500, session=session) is None


def test_concurrent_update_is_detected_not_lost(sessions):
    with sessions() as session:
        record_id = save_assessment(make_assessment(), session=session).id
    first, second = sessions(), sessions()
    try:
        mine = get_assessment(record_id, session=first)
        theirs = get_assessment(record_id, session=second)
        update_assessment(theirs, title="Their title", session=second)
        with pytest.raises(StaleAssessment):
            update_assessment(mine, title="My title", session=first)
    finally:
        first.close()
        second.close()
    with sessions() as session:
        stored = get_assessment(record_id, session=session)
        assert stored.title == "Their title"  # the first save is kept, not overwritten
        assert stored.version_counter == 2


def test_expected_version_from_a_form(sessions):
    with sessions() as session:
        record = save_assessment(make_assessment(), session=session)
        update_assessment(record, assessment=make_assessment(5_000_000), session=session)
        with pytest.raises(StaleAssessment):
            update_assessment(record, title="late", expected_version=1, session=session)
        assert (
            get_assessment(record.id, session=session).case_json["estimated_value_nok"] == 5_000_000
        )


def test_parallel_modifications_all_land(sessions):
    with sessions() as session:
        record_id = save_assessment(make_assessment(), session=session).id
    errors: list[BaseException] = []
    workers = 6
    barrier = threading.Barrier(workers)

    def add_note(number: int) -> None:
        def change(record: AssessmentRecord) -> None:
            notes = dict(record.case_json.get("_notes", {}))
            notes[str(number)] = f"answer {number}"
            record.case_json = {**record.case_json, "_notes": notes}

        try:
            barrier.wait()
            with sessions() as session:
                modify_assessment(record_id, change, retries=50, session=session)
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=add_note, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with sessions() as session:
        stored = get_assessment(record_id, session=session)
        assert stored.case_json["_notes"] == {str(n): f"answer {n}" for n in range(workers)}
        assert stored.version_counter == 1 + workers


def test_request_scoped_session_in_the_app(app):
    with app.app_context():
        record = save_assessment(make_assessment(), title="Via appen")
        assert db.get_session() is db.get_session()
    with app.app_context():
        loaded = get_assessment(record.id)
        assert loaded is not None and loaded.title == "Via appen"
        assert delete_assessment(record.id)
