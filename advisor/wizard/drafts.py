"""Wizard drafts: the answers so far, saved on every step (table ``drafts``, migrations 0002
and 0004).

A draft is found only by its id: 128 random bits (``db.new_id``), so the resume link
("Fortsett senere") is the key. It lives in the database, so it survives a server restart and
works on any app instance that shares the database.

Saving a step is the wizard's hottest path, so the helpers read and write the table with
SQLAlchemy Core (one SELECT, one UPDATE) rather than the ORM's unit of work, which cost about
four times the CPU per step. What they return is a ``WizardDraft``, a plain object with the
row's values, not an instance of the ORM class ``Draft``: change its attributes and call
``save_draft``. (``Draft`` defines the table and serves ORM statements such as the purge; an
instance of it costs about 40 µs of attribute instrumentation per step, read and saved, for
nothing the wizard uses.) A draft has no version column: the last save wins (one user, one
draft; saved assessments have optimistic locking, ``advisor.records``).

The step's read and the answer's save (``get_draft`` and ``save_draft`` without ``session``)
go one step further: they run the SELECT and the UPDATE on the pooled DB-API connection
itself, skipping SQLAlchemy's per-statement execution machinery (cache key, execution context,
result object: about 30 µs of the 40-85 µs a step's draft access cost). What they run and how
values are converted is still SQLAlchemy's own, fixed per dialect (``_Plan``): the SQL is the
statements below compiled by the engine's dialect, the parameters go through the columns'
bind processors and the row through their result processors, so the rows written and the
values read are the same as through ``Connection.execute`` (a test compares them on SQLite and
PostgreSQL). Transactions stay as before: ``save_draft`` commits (also what was run on the
``draft_connection`` through SQLAlchemy before it) or rolls back on an error, and every
connection goes back to the pool rolled back. DB-API errors are raised as SQLAlchemy's
(``sqlalchemy.exc.DBAPIError`` subclasses), and a connection found disconnected is
invalidated. With ``session=`` the helpers use the session's connection and SQLAlchemy's
execution, as before.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from advisor.db import Base, JSONType, UTCDateTime, get_session, new_id, utcnow

MAX_ID_LENGTH = 64


class Draft(Base):
    """One unfinished (or finished) run through the wizard."""

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True, default=new_id)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    current_step: Mapped[str] = mapped_column(sa.String(64), default="")
    lang: Mapped[str] = mapped_column(sa.String(8), default="nb")
    assessment_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    # what was typed into the value helper the last time its estimate was used (migration 0004)
    value_helper: Mapped[dict[str, str] | None] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.Index("ix_drafts_updated_at", "updated_at"),)


@dataclass(eq=False, slots=True)
class WizardDraft:
    """A draft as the wizard reads, changes and saves it: one field per column of ``drafts``
    (a test keeps them in step with the table)."""

    id: str
    answers: dict[str, Any]
    current_step: str
    lang: str
    assessment_id: str | None
    value_helper: dict[str, str] | None
    created_at: dt.datetime
    updated_at: dt.datetime


class DraftNotFound(LookupError):
    """The draft to save is no longer there (deleted meanwhile, e.g. with its assessment)."""


DRAFTS = Draft.__table__
_INSERT = sa.insert(DRAFTS)
_SELECT = sa.select(DRAFTS).where(DRAFTS.c.id == sa.bindparam("draft_id"))
_UPDATE = (
    DRAFTS.update()
    .where(DRAFTS.c.id == sa.bindparam("draft_id"))
    .values(
        answers=sa.bindparam("answers"),
        current_step=sa.bindparam("current_step"),
        lang=sa.bindparam("lang"),
        assessment_id=sa.bindparam("assessment_id"),
        value_helper=sa.bindparam("value_helper"),
        updated_at=sa.bindparam("updated_at"),
    )
)


@contextmanager
def draft_connection() -> Iterator[sa.Connection]:
    """One pooled connection for a request that reads a draft and then saves it: pass it to
    ``get_draft`` and ``save_draft`` as ``connection`` (one pool checkout instead of two).
    ``save_draft`` commits on it; whatever is left uncommitted is rolled back when the
    connection goes back to the pool."""
    with _engine().connect() as connection:
        yield connection


@contextmanager
def _connection(session: Session | None, *, write: bool) -> Iterator[sa.Connection]:
    """``session``'s connection (committed after a write), else one from the app's engine."""
    if session is not None:
        yield session.connection()
        if write:
            session.commit()
        return
    engine = _engine()
    with engine.begin() if write else engine.connect() as own:
        yield own


def _engine() -> Engine:
    return current_app.extensions["advisor_db"].engine


class _Plan:
    """``_SELECT`` and ``_UPDATE`` as SQLAlchemy runs them on one engine, run on its DB-API
    connections: the SQL compiled once by the engine's dialect, the parameters in the compiled
    order (positional paramstyles) or by name, each parameter through its bind processor and
    each column through its result processor (the types' own, as ``Connection.execute``
    applies them)."""

    def __init__(self, engine: Engine) -> None:
        dialect = self.dialect = engine.dialect
        self.hide_parameters = engine.hide_parameters
        self.dbapi_error: type[Exception] = dialect.loaded_dbapi.Error
        select = _SELECT.compile(dialect=dialect)
        update = _UPDATE.compile(dialect=dialect)
        for compiled in (select, update):
            # what would make SQLAlchemy rewrite the SQL or the parameters per execution
            assert not compiled.escaped_bind_names, compiled.escaped_bind_names
            assert not compiled.post_compile_params and not compiled.literal_execute_params
        self.select_sql = select.string
        self.update_sql = update.string
        self.select_params = self._parameters(select)
        self.update_params = self._parameters(update)
        self.row: Callable[[Any], WizardDraft] | None = None  # made at the first SELECT

    def _parameters(self, compiled: Any) -> Callable[[dict[str, Any]], Any]:
        dialect = self.dialect
        names = list(compiled.positiontup) if dialect.positional else list(compiled.binds)
        processors = [
            (name, compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in names
        ]
        if dialect.positional:
            return lambda values: tuple(
                values[name] if process is None else process(values[name])
                for name, process in processors
            )
        return lambda values: {
            name: values[name] if process is None else process(values[name])
            for name, process in processors
        }

    def _make_row(self, description: Any) -> Callable[[Any], WizardDraft]:
        """Row → ``WizardDraft``, with the result processors for the column types the driver
        reports in ``cursor.description`` (as SQLAlchemy makes them, once per statement)."""
        dialect = self.dialect
        processors = []
        for index, (column, entry) in enumerate(zip(DRAFTS.columns, description, strict=True)):
            assert entry[0] == column.name, (entry[0], column.name)
            process = column.type.dialect_impl(dialect).result_processor(dialect, entry[1])
            if process is not None:
                processors.append((index, process))

        def row(values: Any) -> WizardDraft:
            values = list(values)
            for index, process in processors:
                values[index] = process(values[index])
            return WizardDraft(*values)

        self.row = row
        return row

    def select(self, dbapi_connection: Any, draft_id: str, owner: Any) -> WizardDraft | None:
        """``owner``: what to invalidate when the connection turned out lost (the
        ``sa.Connection`` if there is one, else the pool's connection)."""
        parameters = self.select_params({"draft_id": draft_id})
        cursor = None
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute(self.select_sql, parameters)
            rows = cursor.fetchall()
            row = self.row or self._make_row(cursor.description)
        except self.dbapi_error as error:
            raise self._error(error, self.select_sql, parameters, owner, cursor) from error
        finally:
            if cursor is not None:
                cursor.close()
        return row(rows[0]) if rows else None

    def update(self, dbapi_connection: Any, draft: WizardDraft, owner: Any) -> int:
        """Rows changed (0 or 1)."""
        parameters = self.update_params({"draft_id": draft.id, **_columns(draft)})
        cursor = None
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute(self.update_sql, parameters)
            return int(cursor.rowcount)
        except self.dbapi_error as error:
            raise self._error(error, self.update_sql, parameters, owner, cursor) from error
        finally:
            if cursor is not None:
                cursor.close()

    def commit(self, dbapi_connection: Any, owner: Any) -> None:
        try:
            dbapi_connection.commit()
        except self.dbapi_error as error:
            raise self._error(error, None, None, owner, None) from error

    def _error(
        self, error: Exception, sql: str | None, parameters: Any, owner: Any, cursor: Any
    ) -> BaseException:
        """The DB-API error as SQLAlchemy raises it; ``owner`` invalidated (its DB-API
        connection closed, not reused) when the error says the connection is lost."""
        connection = owner if not isinstance(owner, sa.Connection) else owner.connection
        disconnected = self.dialect.is_disconnect(error, connection, cursor)
        if disconnected:
            owner.invalidate(error)
        return sa.exc.DBAPIError.instance(
            sql,
            parameters,
            error,
            self.dbapi_error,
            hide_parameters=self.hide_parameters,
            connection_invalidated=disconnected,
            dialect=self.dialect,
        )


_PLANS: weakref.WeakKeyDictionary[Engine, _Plan] = weakref.WeakKeyDictionary()


def _plan(engine: Engine) -> _Plan:
    plan = _PLANS.get(engine)
    if plan is None:
        plan = _PLANS[engine] = _Plan(engine)
    return plan


def create_draft(
    *, lang: str = "nb", answers: dict[str, Any] | None = None, session: Session | None = None
) -> WizardDraft:
    now = utcnow()
    draft = WizardDraft(
        id=new_id(),
        answers=dict(answers or {}),
        current_step="",
        lang=lang,
        assessment_id=None,
        value_helper=None,
        created_at=now,
        updated_at=now,
    )
    with _connection(session, write=True) as connection:
        connection.execute(_INSERT, {"id": draft.id, "created_at": now, **_columns(draft)})
    return draft


def get_draft(
    draft_id: str, *, session: Session | None = None, connection: sa.Connection | None = None
) -> WizardDraft | None:
    """The draft, or ``None`` when there is none with that id. On ``connection``
    (``draft_connection``) if given, else on ``session``'s connection, else on a pooled
    connection of its own (back in the pool before it returns)."""
    if not draft_id or len(draft_id) > MAX_ID_LENGTH:
        return None
    if session is not None:
        with _connection(session, write=False) as db:
            row = db.execute(_SELECT, {"draft_id": draft_id}).one_or_none()
        return None if row is None else WizardDraft(**row._mapping)
    if connection is not None:
        return _plan(connection.engine).select(connection.connection, draft_id, connection)
    engine = _engine()
    own = engine.raw_connection()
    try:
        return _plan(engine).select(own, draft_id, own)
    finally:
        own.close()  # back to the pool, rolled back


def save_draft(
    draft: WizardDraft,
    *,
    answers: dict[str, Any] | None = None,
    current_step: str | None = None,
    session: Session | None = None,
    connection: sa.Connection | None = None,
) -> WizardDraft:
    """Store the draft's answers (replaced by ``answers`` if given), step, language and
    assessment id. One UPDATE, committed before it returns; ``DraftNotFound`` when the draft
    was deleted meanwhile. On ``connection`` (``draft_connection``) if given, else on
    ``session``'s connection, else on a connection of its own. On ``connection``, the commit
    (or the rollback when the save fails) takes in what was run on it before."""
    if answers is not None:
        draft.answers = dict(answers)
    if current_step is not None:
        draft.current_step = current_step[:64]
    draft.updated_at = utcnow()
    if session is not None:
        with _connection(session, write=True) as db:
            result = db.execute(_UPDATE, {"draft_id": draft.id, **_columns(draft)})
            if result.rowcount == 0:
                raise DraftNotFound(draft.id)
        return draft
    if connection is not None:
        plan = _plan(connection.engine)
        # A transaction SQLAlchemy began on this connection (a statement run through it) ends
        # through it, so that the connection's state stays right; else the DB-API connection's.
        through_sqlalchemy = connection.in_transaction()
        dbapi_connection = connection.connection
        try:
            if plan.update(dbapi_connection, draft, connection) == 0:
                raise DraftNotFound(draft.id)
        except BaseException:
            if not connection.invalidated:
                if through_sqlalchemy:
                    connection.rollback()
                else:
                    dbapi_connection.rollback()
            raise
        if through_sqlalchemy:
            connection.commit()
        else:
            plan.commit(dbapi_connection, connection)
        return draft
    engine = _engine()
    plan = _plan(engine)
    own = engine.raw_connection()
    try:
        if plan.update(own, draft, own) == 0:
            raise DraftNotFound(draft.id)
        plan.commit(own, own)
    finally:
        own.close()  # back to the pool, rolled back (after a commit: nothing to roll back)
    return draft


def _columns(draft: WizardDraft) -> dict[str, Any]:
    return {
        "answers": draft.answers,
        "current_step": draft.current_step,
        "lang": draft.lang,
        "assessment_id": draft.assessment_id,
        "value_helper": draft.value_helper,
        "updated_at": draft.updated_at,
    }


def purge_drafts(older_than: dt.timedelta, *, session: Session | None = None) -> int:
    """Delete drafts not changed for ``older_than`` (e.g. 180 days); return how many.

    For an operator's scheduled job; saved assessments are not touched.
    """
    session = session or get_session()
    cutoff = utcnow() - older_than
    result = session.execute(sa.delete(Draft).where(Draft.updated_at < cutoff))
    session.commit()
    return int(result.rowcount or 0)
