"""The wizard's draft reads and saves on SQLite and PostgreSQL: what is saved reads back the
same, every save is committed, errors and lost connections leave no draft unsaved afterwards,
and concurrent saves of one draft all land."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from advisor.db import get_session, upgrade_database
from advisor.wizard import drafts
from advisor.wizard.drafts import DraftNotFound, WizardDraft, create_draft, get_draft, save_draft

ANSWERS: dict[str, Any] = {
    "title": "Renhold på rådhuset – «vask» 🧽",
    "estimated_value_nok": 2_400_000,
    "big": 12345678901234567890,
    "share": 0.1,
    "law_as_of": "2026-03-01",
    "cpv": ["90910000", "90911200"],
    "nested": {"a": [1, 2.5, None, True, False], "b": {}, "c": ""},
    "quote": 'line "one"\nline\ttwo \\ end',
}
SAVED_AT = (
    dt.datetime(2026, 3, 1, 12, 34, 56, 123456, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 1, 23, 0, 0, 0, tzinfo=dt.UTC),  # no microseconds
    # not UTC: stored and read back as the same instant in UTC
    dt.datetime(2026, 3, 2, 1, 30, 0, 500, tzinfo=dt.timezone(dt.timedelta(hours=2))),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_app(request: pytest.FixtureRequest, make_app: Any) -> Flask:
    """The app on a migrated database of each kind."""
    if request.param == "sqlite":
        return make_app()
    url = request.getfixturevalue("pg_url")
    upgrade_database(url)
    return make_app(DATABASE_URL=url)


def engine_of(app: Flask) -> sa.Engine:
    return app.extensions["advisor_db"].engine


def fields(draft: WizardDraft) -> dict[str, Any]:
    return {name: getattr(draft, name) for name in WizardDraft.__dataclass_fields__}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dt.datetime]]:
    """``drafts.utcnow`` returns ``clock[0]``: two saves at the same instant."""
    now = [SAVED_AT[0]]
    monkeypatch.setattr(drafts, "utcnow", lambda: now[0])
    yield now


@pytest.mark.parametrize("saved_at", SAVED_AT)
@pytest.mark.parametrize("through_session", [False, True])
def test_a_saved_draft_reads_back_as_it_was_saved(
    db_app: Flask, clock: list[dt.datetime], saved_at: dt.datetime, through_session: bool
):
    clock[0] = saved_at
    session = get_session if through_session else lambda: None
    with db_app.app_context():
        for value_helper, assessment_id in ((None, None), ({"amount": "50 000"}, "a-2")):
            draft = create_draft(lang="en", answers={"title": "x"}, session=session())
            draft.value_helper, draft.assessment_id = value_helper, assessment_id
            save_draft(draft, answers=ANSWERS, current_step="oppsummering", session=session())
            read = get_draft(draft.id, session=session())
            assert read is not None
            assert fields(read) == fields(draft)
            assert read.answers == ANSWERS
            assert (read.value_helper, read.assessment_id) == (value_helper, assessment_id)
            assert read.current_step == "oppsummering" and read.lang == "en"
            for moment in (read.created_at, read.updated_at):
                assert moment.utcoffset() == dt.timedelta(0)
            assert read.updated_at == saved_at  # the same instant, in UTC
        assert get_draft("no-such-draft", session=session()) is None
        for not_an_id in ("x" * 65, "", "abc\x00def", "../etc", "å" * 10):
            assert get_draft(not_an_id) is None


def test_saves_are_committed_and_connections_go_back_to_the_pool(db_app: Flask):
    engine = engine_of(db_app)
    with db_app.app_context():
        draft = create_draft()
        assert engine.pool.checkedout() == 0
        assert get_draft(draft.id) is not None
        save_draft(draft, answers={"title": "Eget"}, current_step="avtaleform")
        assert engine.pool.checkedout() == 0
        with engine.connect() as other:  # committed: another connection sees it
            seen = other.execute(
                sa.text("SELECT current_step FROM drafts WHERE id = :id"), {"id": draft.id}
            )
            assert seen.scalar_one() == "avtaleform"
        gone = WizardDraft(**{**fields(draft), "id": "no-such-draft"})
        with pytest.raises(DraftNotFound):
            save_draft(gone)
        assert engine.pool.checkedout() == 0
        assert get_draft(draft.id).answers == {"title": "Eget"}


def test_database_errors_are_sqlalchemy_errors_and_leave_the_pool_usable(db_app: Flask):
    engine = engine_of(db_app)
    with db_app.app_context():
        draft = create_draft(answers={"title": "Før"})
        with engine.begin() as connection:
            connection.execute(sa.text("ALTER TABLE drafts RENAME TO drafts_away"))
        try:
            with pytest.raises(sa.exc.DBAPIError) as read_error:
                get_draft(draft.id)
            assert "drafts" in str(read_error.value)
            assert engine.pool.checkedout() == 0
            with pytest.raises(sa.exc.DBAPIError):
                save_draft(draft, answers={"title": "Etter"})
            assert engine.pool.checkedout() == 0
        finally:
            with engine.begin() as connection:
                connection.execute(sa.text("ALTER TABLE drafts_away RENAME TO drafts"))
        # the pooled connections that saw the errors work again
        assert get_draft(draft.id).answers == {"title": "Før"}
        save_draft(draft, answers={"title": "Etter"})
        assert get_draft(draft.id).answers == {"title": "Etter"}


def test_concurrent_saves_of_one_draft_all_commit(db_app: Flask):
    """Reads and saves from several threads, as from several requests: none fails, none is
    lost to a connection left in a transaction, the last save wins."""
    with db_app.app_context():
        draft_id = create_draft().id
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            with db_app.app_context():
                for step in range(10):
                    draft = get_draft(draft_id)
                    assert draft is not None
                    save_draft(draft, answers={f"t{number}": step})
        except BaseException as error:  # noqa: BLE001  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db_app.app_context():
        final = get_draft(draft_id)
        assert len(final.answers) == 1 and next(iter(final.answers.values())) == 9
        assert engine_of(db_app).pool.checkedout() == 0


def test_a_lost_postgresql_connection_does_not_lose_the_next_save(make_app: Any, pg_url: str):
    """A pooled connection the server dropped is replaced at checkout (pre-ping): the next
    read and save land."""
    upgrade_database(pg_url)
    app = make_app(DATABASE_URL=pg_url)
    engine = engine_of(app)
    admin = sa.create_engine(pg_url.split("?")[0])
    try:
        with app.app_context():
            draft = create_draft()
            with engine.connect() as connection:
                pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            with admin.connect() as other:
                other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            save_draft(draft, answers={"title": "Etter"})
            assert get_draft(draft.id).answers == {"title": "Etter"}
    finally:
        admin.dispose()
