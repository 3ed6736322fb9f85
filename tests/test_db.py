"""Database plumbing (``advisor.db``): SQLite durability settings on every connection the app,
the CLI and the migrations use."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from advisor import db
from advisor.db import make_engine

SYNCHRONOUS = {1: "NORMAL", 2: "FULL"}  # PRAGMA synchronous answers a number


def synchronous_in_effect(app) -> str:
    """The setting on the connections the app's requests actually use."""
    with app.app_context():
        value = db.get_session().execute(sa.text("PRAGMA synchronous")).scalar()
        journal = db.get_session().execute(sa.text("PRAGMA journal_mode")).scalar()
    assert journal == "wal"
    return SYNCHRONOUS[value]


def test_sqlite_commits_with_synchronous_normal_by_default(app):
    assert synchronous_in_effect(app) == "NORMAL"


@pytest.mark.parametrize("value", ["FULL", "full", "NORMAL"])
def test_sqlite_synchronous_setting_is_applied(make_app, value):
    assert synchronous_in_effect(make_app(SQLITE_SYNCHRONOUS=value)) == value.upper()


def test_sqlite_synchronous_from_the_environment(make_app, monkeypatch, tmp_path):
    monkeypatch.setenv("SQLITE_SYNCHRONOUS", "full")
    assert synchronous_in_effect(make_app()) == "FULL"
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")  # the CLI and migrations too
    try:
        with engine.connect() as connection:
            assert connection.execute(sa.text("PRAGMA synchronous")).scalar() == 2
    finally:
        engine.dispose()


def test_an_unknown_synchronous_value_stops_start_up(make_app):
    from advisor.settings import StartupError

    with pytest.raises(
        StartupError, match="SQLITE_SYNCHRONOUS: Input should be 'FULL' or 'NORMAL'"
    ):
        make_app(SQLITE_SYNCHRONOUS="OFF")
    with pytest.raises(ValueError, match="FULL or NORMAL"):
        make_engine("sqlite://", sqlite_synchronous="OFF; DROP TABLE drafts")
