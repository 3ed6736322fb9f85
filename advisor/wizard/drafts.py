"""Wizard drafts: the answers so far, saved on every step (table ``drafts``, migrations 0002
and 0004).

A draft is found only by its id: 128 random bits (``store.new_id``), so the resume link
("Fortsett senere") is the key. It lives in the database, so it survives a server restart and
works on any app instance that shares the database.

Saving a step is the wizard's hottest path, so the helpers read and write the table with
SQLAlchemy Core (one SELECT, one UPDATE) rather than the ORM's unit of work, which cost about
four times the CPU per step. What they return is a ``WizardDraft``, a plain object with the
row's values, not an instance of the ORM class ``Draft``: change its attributes and call
``save_draft``. (``Draft`` defines the table and serves ORM statements such as the purge; an
instance of it costs about 40 µs of attribute instrumentation per step, read and saved, for
nothing the wizard uses.) A draft has no version column: the last save wins (one user, one
draft; saved assessments have optimistic locking, ``advisor.store``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, Session, mapped_column

from advisor.store import Base, JSONType, UTCDateTime, get_session, new_id, utcnow

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
    with current_app.extensions["advisor_store"].engine.connect() as connection:
        yield connection


@contextmanager
def _connection(
    session: Session | None, *, write: bool, connection: sa.Connection | None = None
) -> Iterator[sa.Connection]:
    """``connection`` (committed after a write, rolled back when the write fails), else
    ``session``'s connection (committed after a write), else one from the app's engine."""
    if connection is not None:
        try:
            yield connection
        except BaseException:
            if write:
                connection.rollback()
            raise
        if write:
            connection.commit()
        return
    if session is not None:
        yield session.connection()
        if write:
            session.commit()
        return
    engine = current_app.extensions["advisor_store"].engine
    with engine.begin() if write else engine.connect() as own:
        yield own


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
    if not draft_id or len(draft_id) > MAX_ID_LENGTH:
        return None
    with _connection(session, write=False, connection=connection) as db:
        row = db.execute(_SELECT, {"draft_id": draft_id}).one_or_none()
    if row is None:
        return None
    return WizardDraft(**row._mapping)


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
    ``session``'s connection, else on a connection of its own."""
    if answers is not None:
        draft.answers = dict(answers)
    if current_step is not None:
        draft.current_step = current_step[:64]
    draft.updated_at = utcnow()
    with _connection(session, write=True, connection=connection) as db:
        result = db.execute(_UPDATE, {"draft_id": draft.id, **_columns(draft)})
        if result.rowcount == 0:
            raise DraftNotFound(draft.id)
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
