"""Saved screenings (table ``screenings``, migration 0003): one uploaded plan's result, kept for
``KEEP_DAYS`` days under an unguessable id so the result page can be sorted and downloaded, and
each row opened as a full assessment. Older screenings are deleted when a new one is saved.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from advisor.db import Base, JSONType, UTCDateTime, get_session, new_id, utcnow
from advisor.screening.screen import Screening

KEEP_DAYS = 7


class ScreeningRecord(Base):
    __tablename__ = "screenings"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True, default=new_id)
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    ruleset_version: Mapped[str] = mapped_column(sa.String(100))
    row_count: Mapped[int] = mapped_column(sa.Integer)
    result_json: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_screenings_created_at", "created_at"),)

    def screening(self) -> Screening:
        return Screening.model_validate({**self.result_json, "id": self.id})


def save_screening(screening: Screening, *, session: Session | None = None) -> ScreeningRecord:
    session = session or get_session()
    cutoff = utcnow() - dt.timedelta(days=KEEP_DAYS)
    session.execute(sa.delete(ScreeningRecord).where(ScreeningRecord.created_at < cutoff))
    record = ScreeningRecord(
        id=new_id(),
        filename=screening.filename[:200],
        ruleset_version=screening.ruleset_version[:100],
        row_count=len(screening.rows),
        created_at=screening.created_at,
    )
    record.result_json = screening.model_copy(update={"id": record.id}).model_dump(mode="json")
    session.add(record)
    session.commit()
    return record


def get_screening(screening_id: str, *, session: Session | None = None) -> Screening | None:
    if not screening_id or len(screening_id) > 64:
        return None
    session = session or get_session()
    record = session.get(ScreeningRecord, screening_id)
    return record.screening() if record is not None else None
