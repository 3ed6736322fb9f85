"""Database plumbing: the engine, sessions, migrations and the readiness check.

SQLite by default (a file in ``instance/``; WAL, ``synchronous`` from the settings, a busy
timeout), PostgreSQL through ``DATABASE_URL`` when several app instances share one database.
The schema is owned by Alembic (``migrations/``); the app refuses to start on a database that is
not at the newest revision. JSON columns are written and read with pydantic-core.

In a request, ``get_session()`` gives the request's session (closed at teardown). Outside Flask
(the CLI, tests), ``standalone_session`` or a session of your own.

The tables live with their features: saved assessments in ``advisor.records``, wizard drafts in
``advisor.wizard.drafts``, plan screenings in ``advisor.screening.store``; all on ``Base``.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pydantic_core
import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from advisor.settings import REPO_ROOT, StartupError, load_settings

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
    """The declarative base of every table (the metadata Alembic compares against)."""


@dataclass
class DatabaseState:
    """``app.extensions["advisor_db"]``: the app's engine and its session factory."""

    engine: Engine
    sessions: sessionmaker[Session]


_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def to_json(value: Any) -> str:
    """How JSON columns are written: pydantic-core's encoder (compact UTF-8; NaN and Infinity
    written as ``json.dumps`` writes them, so ``json.loads`` reads them back the same)."""
    return pydantic_core.to_json(value, inf_nan_mode="constants").decode()


def from_json(text: str | bytes) -> Any:
    """How JSON columns are read: pydantic-core's parser, which gives the same values as
    ``json.loads`` for what ``to_json`` writes. What it refuses, ``json.loads`` reads: rows
    written by ``json.dumps`` before ``to_json`` may hold escapes it does not take (a lone
    surrogate)."""
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
    try:
        check_migrated(engine)
    finally:
        engine.dispose()  # no connection survives into forked workers or a refused start-up
    app.extensions["advisor_db"] = DatabaseState(
        engine=engine, sessions=sessionmaker(engine, expire_on_commit=False)
    )
    app.teardown_appcontext(_close_session)


def _state() -> DatabaseState:
    return current_app.extensions["advisor_db"]


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
