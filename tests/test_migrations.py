"""Alembic migrations, and the start-up check that refuses an unmigrated database."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from advisor.db import MIGRATIONS_DIR, Base, alembic_config, make_engine, upgrade_database
from advisor.settings import StartupError

HEADS = set(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


def current_heads(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()


def model_differences(url: str) -> list:
    """Differences between the models and the migrated schema, for the tables we own."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    return [d for d in diffs if "assessments" in repr(d)]


def test_upgrade_head_on_empty_sqlite(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade_database(url)
    assert current_heads(url) == HEADS
    engine = make_engine(url)
    try:
        assert "assessments" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    assert model_differences(url) == []


def test_downgrade_and_upgrade_again(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    upgrade_database(url)
    command.downgrade(alembic_config(url), "base")
    assert current_heads(url) == set()
    upgrade_database(url)
    assert current_heads(url) == HEADS


def test_app_refuses_unmigrated_database(make_app, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(StartupError) as info:
        make_app(DATABASE_URL=url)
    message = info.value.message
    assert "not migrated" in message
    assert "make install" in message


def test_app_refuses_outdated_database(make_app, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'older'"))
    engine.dispose()
    with pytest.raises(StartupError, match="not migrated"):
        make_app(DATABASE_URL=url)


def test_upgrade_head_on_postgresql(pg_url: str):
    upgrade_database(pg_url)
    assert current_heads(pg_url) == HEADS
    assert model_differences(pg_url) == []
