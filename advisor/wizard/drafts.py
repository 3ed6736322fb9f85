"""Wizard drafts: the answers so far, saved on every step (table ``drafts``, migrations 0002
and 0004).

A draft is found only by its id: 128 random bits (``db.new_id``), so the resume link
("Fortsett senere") is the key. It lives in the database, so it survives a server restart and
works on any app instance that shares the database.

The helpers read and write the table with SQLAlchemy Core (one SELECT, one UPDATE per step)
rather than the ORM's unit of work: a step only needs the row's values. What they return is a
``WizardDraft``, a plain object with the row's values: change its attributes and call
``save_draft``. (``Draft`` defines the table and serves ORM statements such as the purge.) A
draft has no version column: the last save wins (one user, one draft; saved assessments have
optimistic locking, ``advisor.records``). With ``session=`` the helpers run on the session's
connection (and commit it after a write), else on a connection of their own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from advisor.db import Base, JSONType, UTCDateTime, get_session, new_id, utcnow

#: What a draft id can look like (``db.new_id`` makes URL-safe base64); anything else, such as
#: a NUL that PostgreSQL would refuse to compare, is no draft.
DRAFT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


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


def get_draft(draft_id: str, *, session: Session | None = None) -> WizardDraft | None:
    """The draft, or ``None`` when there is none with that id."""
    if not DRAFT_ID.fullmatch(draft_id or ""):
        return None
    with _connection(session, write=False) as connection:
        row = connection.execute(_SELECT, {"draft_id": draft_id}).one_or_none()
    return None if row is None else WizardDraft(**row._mapping)


def save_draft(
    draft: WizardDraft,
    *,
    answers: dict[str, Any] | None = None,
    current_step: str | None = None,
    session: Session | None = None,
) -> WizardDraft:
    """Store the draft's answers (replaced by ``answers`` if given), step, language, assessment
    id and value-helper figures. One UPDATE, committed before it returns; ``DraftNotFound``
    when the draft was deleted meanwhile."""
    if answers is not None:
        draft.answers = dict(answers)
    if current_step is not None:
        draft.current_step = current_step[:64]
    draft.updated_at = utcnow()
    with _connection(session, write=True) as connection:
        result = connection.execute(_UPDATE, {"draft_id": draft.id, **_columns(draft)})
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
