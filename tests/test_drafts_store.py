"""The wizard's draft reads and saves on SQLite and PostgreSQL.

``get_draft`` and ``save_draft`` without ``session`` run their SELECT and UPDATE on the pooled
DB-API connection (``advisor.wizard.drafts._Plan``); with ``session`` they run them through
SQLAlchemy's ``Connection.execute``. Both must store the same bytes and read back the same
values, keep the transactions right and give every connection back to the pool.
"""

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
from advisor.wizard.drafts import (
    DraftNotFound,
    WizardDraft,
    create_draft,
    draft_connection,
    get_draft,
    save_draft,
)

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
RAW = sa.text(
    "SELECT CAST(answers AS TEXT), current_step, lang, assessment_id,"
    " CAST(value_helper AS TEXT), value_helper IS NULL,"
    " CAST(created_at AS TEXT), CAST(updated_at AS TEXT) FROM drafts WHERE id = :id"
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


def raw_row(app: Flask, draft_id: str) -> tuple[Any, ...]:
    with engine_of(app).connect() as connection:
        return tuple(connection.execute(RAW, {"id": draft_id}).one())


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dt.datetime]]:
    """``drafts.utcnow`` returns ``clock[0]``: two saves at the same instant."""
    now = [SAVED_AT[0]]
    monkeypatch.setattr(drafts, "utcnow", lambda: now[0])
    yield now


def save_through_sqlalchemy(draft: WizardDraft, **change: Any) -> None:
    save_draft(draft, session=get_session(), **change)


def save_on_own_connection(draft: WizardDraft, **change: Any) -> None:
    save_draft(draft, **change)


def save_on_draft_connection(draft: WizardDraft, **change: Any) -> None:
    with draft_connection() as connection:
        save_draft(draft, connection=connection, **change)


@pytest.mark.parametrize("save", [save_on_own_connection, save_on_draft_connection])
@pytest.mark.parametrize(
    ("value_helper", "assessment_id"),
    [(None, None), ({"amount": "50 000", "period": "month"}, "a-1")],
)
def test_the_direct_save_stores_what_sqlalchemy_stores(
    db_app: Flask, clock: list[dt.datetime], save: Any, value_helper: Any, assessment_id: Any
):
    with db_app.app_context():
        for saved_at in SAVED_AT:
            clock[0] = saved_at
            pair = [create_draft(lang="en"), create_draft(lang="en")]
            for draft in pair:
                draft.value_helper = value_helper
                draft.assessment_id = assessment_id
            save_through_sqlalchemy(pair[0], answers=ANSWERS, current_step="avtaleform")
            save(pair[1], answers=ANSWERS, current_step="avtaleform")
            reference, direct = (raw_row(db_app, draft.id) for draft in pair)
            assert direct == reference
            assert direct[1:4] == ("avtaleform", "en", assessment_id)
            assert not direct[5]  # JSON null for None, not SQL NULL (next test)


def test_a_draft_without_value_helper_stores_json_null_on_both_paths(db_app: Flask):
    """What the column holds for ``None`` (JSON ``null``, SQLAlchemy's ``JSON`` default) is
    the same on both paths, and reads back as ``None``."""
    with db_app.app_context():
        pair = [create_draft(), create_draft()]
        save_through_sqlalchemy(pair[0], answers={"title": "x"})
        save_on_own_connection(pair[1], answers={"title": "x"})
        rows = [raw_row(db_app, draft.id) for draft in pair]
        assert rows[0][4:6] == rows[1][4:6] == ("null", False)
        assert get_draft(pair[1].id).value_helper is None


@pytest.mark.parametrize("saved_at", SAVED_AT)
def test_the_direct_read_returns_what_sqlalchemy_returns(
    db_app: Flask, clock: list[dt.datetime], saved_at: dt.datetime
):
    clock[0] = saved_at
    with db_app.app_context():
        for value_helper, assessment_id in ((None, None), ({"amount": "1"}, "a-2")):
            draft = create_draft(lang="en", answers=ANSWERS)
            draft.value_helper, draft.assessment_id = value_helper, assessment_id
            save_through_sqlalchemy(draft, current_step="oppsummering")
            reference = get_draft(draft.id, session=get_session())
            get_session().rollback()
            own = get_draft(draft.id)
            with draft_connection() as connection:
                shared = get_draft(draft.id, connection=connection)
            assert reference is not None and own is not None and shared is not None
            assert fields(own) == fields(shared) == fields(reference)
            assert own.answers == ANSWERS
            assert (own.value_helper, own.assessment_id) == (value_helper, assessment_id)
            assert own.current_step == "oppsummering" and own.lang == "en"
            for moment in (own.created_at, own.updated_at):
                assert moment.utcoffset() == dt.timedelta(0)
            assert own.updated_at == saved_at  # the same instant
        assert get_draft("no-such-draft") is None
        with draft_connection() as connection:
            assert get_draft("no-such-draft", connection=connection) is None


def test_saves_are_committed_and_connections_go_back_to_the_pool(db_app: Flask):
    engine = engine_of(db_app)
    with db_app.app_context():
        draft = create_draft()
        assert engine.pool.checkedout() == 0
        assert get_draft(draft.id) is not None
        assert engine.pool.checkedout() == 0
        save_draft(draft, answers={"title": "Eget"})
        assert engine.pool.checkedout() == 0
        with draft_connection() as connection:
            shared = get_draft(draft.id, connection=connection)
            assert shared is not None and shared.answers == {"title": "Eget"}
            save_draft(shared, answers={"title": "Delt"}, current_step="avtaleform")
            # committed: another connection sees it while this one is still checked out
            with engine.connect() as other:
                seen = other.execute(
                    sa.text("SELECT current_step FROM drafts WHERE id = :id"), {"id": draft.id}
                )
                assert seen.scalar_one() == "avtaleform"
            shared.current_step = "later"
            save_draft(shared)  # a second save on the same connection
        assert engine.pool.checkedout() == 0
        assert get_draft(draft.id).current_step == "later"
        assert get_draft(draft.id).answers == {"title": "Delt"}

        gone = WizardDraft(**{**fields(draft), "id": "no-such-draft"})
        with pytest.raises(DraftNotFound):
            save_draft(gone)
        assert engine.pool.checkedout() == 0
        with draft_connection() as connection, pytest.raises(DraftNotFound):
            save_draft(gone, connection=connection)
        assert engine.pool.checkedout() == 0


def test_a_failed_save_rolls_back_what_the_request_did_on_its_connection(db_app: Flask):
    """On a ``draft_connection`` with no transaction begun through SQLAlchemy (only the direct
    read ran on it): a save that fails leaves nothing behind."""
    with db_app.app_context():
        draft = create_draft(answers={"title": "Før"})
        with draft_connection() as connection:
            assert get_draft(draft.id, connection=connection) is not None
            dbapi = connection.connection
            cursor = dbapi.cursor()
            cursor.execute("UPDATE drafts SET current_step = 'half-done'")  # not through SA
            cursor.close()
            gone = WizardDraft(**{**fields(draft), "id": "no-such-draft"})
            with pytest.raises(DraftNotFound):
                save_draft(gone, connection=connection)
            assert get_draft(draft.id, connection=connection).current_step == ""
        assert get_draft(draft.id).current_step == ""


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
            with draft_connection() as connection:
                with pytest.raises(sa.exc.DBAPIError):
                    get_draft(draft.id, connection=connection)
                with pytest.raises(sa.exc.DBAPIError):
                    save_draft(draft, answers={"title": "Etter"}, connection=connection)
                assert not connection.invalidated
            assert engine.pool.checkedout() == 0
        finally:
            with engine.begin() as connection:
                connection.execute(sa.text("ALTER TABLE drafts_away RENAME TO drafts"))
        # the pooled connections that saw the errors work again
        assert get_draft(draft.id).answers == {"title": "Før"}
        save_draft(draft, answers={"title": "Etter"})
        with draft_connection() as connection:
            assert get_draft(draft.id, connection=connection).answers == {"title": "Etter"}


def test_concurrent_saves_of_one_draft_all_commit(db_app: Flask):
    """Reads and saves from several threads (each request's own pooled connection): none is
    lost to a connection left in a transaction, none fails."""
    with db_app.app_context():
        draft_id = create_draft().id
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            with db_app.app_context():
                for step in range(10):
                    with draft_connection() as connection:
                        draft = get_draft(draft_id, connection=connection)
                        assert draft is not None
                        save_draft(draft, answers={f"t{number}": step}, connection=connection)
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


def test_a_lost_postgresql_connection_is_invalidated(make_app: Any, pg_url: str):
    """A connection the server dropped raises SQLAlchemy's error, marked invalidated, and is
    not given back to the pool for reuse."""
    upgrade_database(pg_url)
    app = make_app(DATABASE_URL=pg_url)
    engine = engine_of(app)
    admin = sa.create_engine(pg_url.split("?")[0])
    try:
        with app.app_context():
            draft = create_draft()
            with draft_connection() as connection:
                pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
                connection.commit()
                with admin.connect() as other:
                    other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                with pytest.raises(sa.exc.DBAPIError) as lost:
                    get_draft(draft.id, connection=connection)
                assert lost.value.connection_invalidated
                assert connection.invalidated
            assert get_draft(draft.id) is not None  # a new connection
            own = engine.raw_connection()
            pid = own.cursor().execute("SELECT pg_backend_pid()").fetchone()[0]
            own.close()
            with admin.connect() as other:
                other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            # pre-ping replaces it at checkout: the save lands
            save_draft(draft, answers={"title": "Etter"})
            assert get_draft(draft.id).answers == {"title": "Etter"}
    finally:
        admin.dispose()
