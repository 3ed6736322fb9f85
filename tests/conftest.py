"""Shared fixtures: ``app``, ``client``, ``runner`` (flaskr style), plus helpers.

- ``rulebase`` / ``assessor``: the rule base in ``rules/no`` and one Assessor built from it, once
  per test session (per xdist worker). Every app the fixtures below build shares them, unless a
  test passes its own ``RULES_DIR``; a test that changes the rule base works on a copy
  (``rulebase_copies.copy_rules``) and builds its own Assessor.
- ``app``: a fresh app with its own instance folder and a migrated temporary SQLite database,
  ``TESTING=True``, CSRF *on* (use ``csrf_token(client)`` to post forms), rate limits on with
  empty counters.
- ``app_no_csrf`` / ``client_no_csrf``: the same with ``WTF_CSRF_ENABLED=False``.
- ``make_app(**config)``: build another app on the same instance folder and database.
- ``pg_url``: a PostgreSQL URL (from ``TEST_DATABASE_URL``) pointing at a fresh, empty schema
  that is dropped afterwards; skips when no test database is configured (fails under CI).
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, session
from flask.testing import FlaskClient, FlaskCliRunner
from flask_wtf.csrf import generate_csrf
from rulebase_copies import working_rulebase

from advisor import create_app
from advisor.assessor import Assessor
from advisor.db import upgrade_database
from advisor.rulebase import RuleBase
from advisor.security import limiter
from advisor.settings import REPO_ROOT

TEST_SECRET_KEY = "test-secret-key-not-for-production"


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """Compile stale ``.mo`` catalogs, so the suite also runs without ``make install``."""
    for po_path in REPO_ROOT.glob("translations/*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp = mo_path.with_name(f".{mo_path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)  # atomic: parallel workers never read half a file


@pytest.fixture(scope="session")
def rulebase() -> RuleBase:
    """The working tree's rule base (``rules/no``), as the apps load it; never change it."""
    return working_rulebase()


@pytest.fixture(scope="session")
def assessor() -> Iterator[Assessor]:
    """One Assessor for the session, shared by every app built with the default rule base."""
    shared = Assessor(working_rulebase())  # not the fixture: a module may name its own rulebase
    yield shared
    shared.close()


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head; each test gets a copy (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("db-template") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def instance_path(tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture
def database_url(instance_path: Path, migrated_sqlite_template: Path) -> str:
    path = instance_path / "advisor.db"
    shutil.copyfile(migrated_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def make_app(
    instance_path: Path, database_url: str, assessor: Assessor, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Flask]]:
    """Build apps on this test's instance folder and database; ``config`` overrides.

    The apps share the session's Assessor. With ``RULES_DIR`` in ``config`` an app loads and
    compiles that rule base itself, as in production (start-up refusals, two engines), unless
    ``assessor=`` gives one built from that folder (a module's own copy, shared by its tests)."""
    for name in ("ADVISOR_ENV", "SECRET_KEY", "DATABASE_URL", "RULES_DIR", "INSTANCE_PATH"):
        monkeypatch.delenv(name, raising=False)
    session_assessor = assessor
    apps: list[Flask] = []
    given: set[int] = {id(session_assessor)}  # assessors the caller owns: never closed here

    def build(*, assessor: Assessor | None = None, **config: Any) -> Flask:
        base: dict[str, Any] = {
            "TESTING": True,
            "ADVISOR_ENV": "development",
            "SECRET_KEY": TEST_SECRET_KEY,
            "INSTANCE_PATH": str(instance_path),
            "DATABASE_URL": database_url,
            "RATELIMIT_STORAGE_URI": "memory://",
        }
        if assessor is None and "RULES_DIR" not in config:
            assessor = session_assessor
        if assessor is not None:
            given.add(id(assessor))
        app = create_app({**base, **config}, assessor=assessor)
        limiter.reset()  # counters must not leak from one test into the next
        apps.append(app)
        return app

    yield build
    for app in apps:
        state = app.extensions.get("advisor")
        if state is not None and id(state.assessor) not in given:
            state.assessor.close()
        app.extensions["advisor_db"].engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def app_no_csrf(make_app: Callable[..., Flask]) -> Flask:
    return make_app(WTF_CSRF_ENABLED=False)


@pytest.fixture
def client_no_csrf(app_no_csrf: Flask) -> FlaskClient:
    return app_no_csrf.test_client()


def get_csrf_token(client: FlaskClient) -> str:
    """A valid CSRF token for ``client``'s session (put it in the form as ``csrf_token``)."""
    app = client.application
    with app.test_request_context():
        token = generate_csrf()
        raw = session["csrf_token"]
    with client.session_transaction() as client_session:
        client_session["csrf_token"] = raw
    return token


@pytest.fixture
def csrf_token() -> Callable[[FlaskClient], str]:
    """``csrf_token(client)`` → a token the app accepts for that client."""
    return get_csrf_token


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL with its own empty schema (dropped afterwards)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        if os.environ.get("CI"):
            pytest.fail("TEST_DATABASE_URL is not set under CI: the PostgreSQL tests must run")
        pytest.skip("TEST_DATABASE_URL not set (e.g. postgresql+psycopg://u:p@127.0.0.1/db)")
    import sqlalchemy as sa

    schema = f"test_{secrets.token_hex(6)}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
