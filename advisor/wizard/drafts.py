"""Wizard drafts: the answers so far, saved on every step (table ``drafts``, migration 0002).

A draft is found only by its id: 128 random bits (``store.new_id``), so the resume link
("Fortsett senere") is the key. It lives in the database, so it survives a server restart and
works on any app instance that shares the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
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
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.Index("ix_drafts_updated_at", "updated_at"),)


def create_draft(
    *, lang: str = "nb", answers: dict[str, Any] | None = None, session: Session | None = None
) -> Draft:
    session = session or get_session()
    draft = Draft(id=new_id(), answers=dict(answers or {}), lang=lang, current_step="")
    session.add(draft)
    session.commit()
    return draft


def get_draft(draft_id: str, *, session: Session | None = None) -> Draft | None:
    if not draft_id or len(draft_id) > MAX_ID_LENGTH:
        return None
    session = session or get_session()
    return session.get(Draft, draft_id, populate_existing=True)


def save_draft(
    draft: Draft,
    *,
    answers: dict[str, Any] | None = None,
    current_step: str | None = None,
    session: Session | None = None,
) -> Draft:
    """Store the answers (a fresh dict, so the JSON column sees the change) and the step."""
    session = session or get_session()
    if answers is not None:
        draft.answers = dict(answers)
    if current_step is not None:
        draft.current_step = current_step[:64]
    draft.updated_at = utcnow()
    session.commit()
    return draft


def purge_drafts(older_than: dt.timedelta, *, session: Session | None = None) -> int:
    """Delete drafts not changed for ``older_than`` (e.g. 180 days); return how many.

    For an operator's scheduled job; saved assessments are not touched.
    """
    session = session or get_session()
    cutoff = utcnow() - older_than
    result = session.execute(sa.delete(Draft).where(Draft.updated_at < cutoff))
    session.commit()
    return int(result.rowcount or 0)
