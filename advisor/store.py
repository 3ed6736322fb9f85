"""Saved assessments: SQLAlchemy 2 models and helpers (SQLite by default, PostgreSQL for scale-out).

The schema is owned by Alembic (``migrations/``); the app refuses to start on a database that is
not at the newest revision. Updates use optimistic locking (``version_counter``): a write based
on an outdated copy raises ``StaleAssessment`` instead of overwriting someone else's answers, and
``modify_assessment`` re-reads and re-applies a change until it lands.

In a request, ``get_session()`` gives the request's session (closed at teardown). Outside Flask,
pass ``session=`` to the helpers.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import pydantic_core
import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.orm.exc import StaleDataError

from advisor.assessment import Assessment
from advisor.settings import REPO_ROOT, StartupError

MIGRATIONS_DIR = REPO_ROOT / "migrations"
ALEMBIC_INI = REPO_ROOT / "alembic.ini"

JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use datetime.now(datetime.UTC)")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    """An unguessable identifier (128 random bits, URL-safe)."""
    return secrets.token_urlsafe(16)


class Base(DeclarativeBase):
    pass


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
        self.case_json = dict(result["case"])
        self.result_json = result
        self.ruleset_version = assessment.ruleset.version
        self.law_as_of = assessment.ruleset.law_as_of


class StaleAssessment(Exception):
    """The assessment was changed by someone else since it was read."""


class AssessmentNotFound(LookupError):
    pass


# ---------------------------------------------------------------------------- engine and session


@dataclass
class StoreState:
    engine: Engine
    sessions: sessionmaker[Session]


_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def to_json(value: Any) -> str:
    """How JSON columns are written: pydantic-core's encoder, about 4x faster than ``json.dumps``
    on a stored assessment (64 kB). Compact UTF-8; NaN and Infinity written as ``json.dumps``
    writes them; read back (``json.loads``) to the same values."""
    return pydantic_core.to_json(value, inf_nan_mode="constants").decode()


def from_json(text: str | bytes) -> Any:
    """How JSON columns are read: pydantic-core's parser, about 1.5x faster than ``json.loads``
    on a stored assessment and giving the same values for what ``to_json`` writes (floats, big
    integers, NaN and Infinity included). What it refuses, ``json.loads`` reads: rows written
    by ``json.dumps`` before ``to_json`` may hold escapes it does not take (a lone surrogate)."""
    try:
        return pydantic_core.from_json(text)
    except ValueError:
        return json.loads(text)


SQLITE_SYNCHRONOUS = ("FULL", "NORMAL")


def make_engine(url: str, *, sqlite_synchronous: str | None = None) -> Engine:
    """An engine for ``url``; SQLite gets WAL, ``synchronous`` (``sqlite_synchronous``, else the
    ``SQLITE_SYNCHRONOUS`` setting: NORMAL by default), a busy timeout and foreign keys.
    PostgreSQL keeps its own durability settings."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if sqlite_synchronous is None:
            from advisor.settings import load_settings

            sqlite_synchronous = load_settings().sqlite_synchronous
        synchronous = sqlite_synchronous.strip().upper()
        if synchronous not in SQLITE_SYNCHRONOUS:
            raise ValueError(f"SQLITE_SYNCHRONOUS must be FULL or NORMAL, not {synchronous!r}")
        engine = sa.create_engine(
            url,
            connect_args={"timeout": 15},
            json_serializer=to_json,
            json_deserializer=from_json,
        )

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")  # one of SQLITE_SYNCHRONOUS
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    else:
        engine = sa.create_engine(
            url, pool_pre_ping=True, json_serializer=to_json, json_deserializer=from_json
        )
    _engines.add(engine)
    return engine


@contextmanager
def standalone_session(url: str, *, migrated: bool = False) -> Iterator[Session]:
    """A session on ``url`` outside the app (the CLI's commands), its engine disposed after;
    ``migrated``: refuse (``StartupError``) unless the database is at the newest schema."""
    engine = make_engine(url)
    try:
        if migrated:
            check_migrated(engine)
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def safe_url(url: str) -> str:
    """The URL with its password hidden, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)


def after_fork() -> None:
    """Drop connections inherited from a parent process (gunicorn ``post_fork``)."""
    for engine in list(_engines):
        engine.dispose(close=False)


def init_app(app: Flask) -> None:
    url = app.config["DATABASE_URL"]
    engine = make_engine(url, sqlite_synchronous=app.config.get("SQLITE_SYNCHRONOUS"))
    check_migrated(engine)
    engine.dispose()  # no connection survives into forked workers
    app.extensions["advisor_store"] = StoreState(
        engine=engine, sessions=sessionmaker(engine, expire_on_commit=False)
    )
    app.teardown_appcontext(_close_session)


def _state() -> StoreState:
    return current_app.extensions["advisor_store"]


def get_session() -> Session:
    """The current app context's session (created on first use, closed at teardown)."""
    if "db_session" not in g:
        g.db_session = _state().sessions()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def ping() -> None:
    """Raise ``SQLAlchemyError`` unless the database answers."""
    with _state().engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))


# ---------------------------------------------------------------------------- migrations


def alembic_config(url: str) -> Any:
    """An Alembic ``Config`` for ``url`` (used by ``upgrade_database`` and the tests)."""
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade_database(url: str, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` (what ``make install`` / ``alembic upgrade`` do)."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def check_migrated(engine: Engine) -> None:
    """Refuse to start unless the database is at the newest migration."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except sa.exc.SQLAlchemyError as error:
        raise StartupError(
            f"cannot reach the database {safe_url(str(engine.url))}: {type(error).__name__}: "
            f"{error.args[0] if error.args else error}"
        ) from error
    if current != heads:
        state = ", ".join(sorted(current)) or "empty (never migrated)"
        raise StartupError(
            f"the database {safe_url(str(engine.url))} is not migrated: it is at {state}, "
            f"the code needs {', '.join(sorted(heads))}. Run `make install` "
            f"(or `.venv/bin/alembic upgrade head` with the same DATABASE_URL) and start again."
        )


# ---------------------------------------------------------------------------- helpers


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
