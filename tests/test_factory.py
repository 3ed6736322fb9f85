"""The app factory: configuration, secret key, rule base at start-up, two apps in one process."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from advisor import create_app
from advisor.case import Case
from advisor.settings import REPO_ROOT, StartupError
from advisor.state import AdvisorState

CASE = Case(
    law_as_of=dt.date(2026, 3, 1),
    buyer_type="municipality",
    subject="services",
    cpv="90910000",
    estimated_value_nok=3_600_000,
    target_supplier="wise",
    wants_reservation=True,
)


def test_config(make_app):
    assert make_app().testing
    assert not make_app(TESTING=False).testing


def test_state_holds_rulebase_and_assessor(app):
    state = app.extensions["advisor"]
    assert isinstance(state, AdvisorState)
    assert state.rulebase.version
    assert state.assessor.assess(CASE).regime.code == "part_iii"


def test_two_apps_in_one_process_both_work(make_app):
    # RULES_DIR given: each app loads and compiles the rule base itself, as in production.
    rules = str(REPO_ROOT / "rules" / "no")
    first, second = make_app(RULES_DIR=rules), make_app(RULES_DIR=rules)
    # Each app has its own rule engine; registering the same rule base twice must not clash.
    assert first.extensions["advisor"].assessor is not second.extensions["advisor"].assessor
    for app in (first, second, first):
        assessment = app.extensions["advisor"].assessor.assess(CASE)
        assert assessment.regime.code == "part_iii"
        assert assessment.route("reserved_wise").available
        assert app.test_client().get("/healthz").status_code == 200


def test_apps_can_share_an_assessor_built_from_their_rule_base(make_app, assessor, tmp_path):
    first, second = make_app(), make_app()
    assert first.extensions["advisor"].assessor is assessor
    assert second.extensions["advisor"].rulebase is assessor.rulebase
    assert first.test_client().get("/healthz").status_code == 200
    other = tmp_path / "other-rules"
    other.mkdir()
    with pytest.raises(ValueError, match="RULES_DIR"):
        create_app({"SECRET_KEY": "k" * 40, "RULES_DIR": str(other)}, assessor=assessor)


def test_production_without_secret_key_refuses_to_start(make_app):
    with pytest.raises(StartupError, match="SECRET_KEY is not set") as info:
        make_app(ADVISOR_ENV="production", SECRET_KEY=None)
    assert isinstance(info.value, SystemExit)


def test_production_with_secret_key_uses_secure_cookies(make_app):
    app = make_app(ADVISOR_ENV="production", SECRET_KEY="x" * 64)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SECRET_KEY"] == "x" * 64


def test_development_secret_key_is_generated_once(make_app, instance_path: Path):
    first = make_app(SECRET_KEY=None)
    key_file = instance_path / "secret_key"
    assert key_file.exists()
    assert key_file.stat().st_mode & 0o077 == 0  # readable by the owner only
    second = make_app(SECRET_KEY=None)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32


def test_invalid_rule_base_stops_start_up(make_app, tmp_path: Path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "ruleset.yaml").write_text("jurisdiction: [unclosed\n", encoding="utf-8")
    with pytest.raises(StartupError) as info:
        make_app(RULES_DIR=str(rules))
    message = info.value.message
    assert "rule base" in message and "invalid" in message
    assert re.search(r"ruleset\.yaml:\d+:\d+: ", message), message


def test_missing_rule_base_folder_stops_start_up(make_app, tmp_path: Path):
    with pytest.raises(StartupError, match=r"rule-base folder not found"):
        make_app(RULES_DIR=str(tmp_path / "nowhere"))


def test_settings_from_environment(monkeypatch, instance_path: Path, database_url: str):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INSTANCE_PATH", str(instance_path))
    monkeypatch.setenv("MAX_CONTENT_LENGTH", "2048")
    monkeypatch.setenv("SCREENING_MAX_BYTES", "4096")
    monkeypatch.setenv("PDF_RATE_LIMIT", "3/minute")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.delenv("ADVISOR_ENV", raising=False)
    app = create_app()
    try:
        assert app.config["MAX_CONTENT_LENGTH"] == 2048
        assert app.config["DATABASE_URL"] == database_url
        assert app.config["SECRET_KEY"] == "k" * 40
        assert Path(app.instance_path) == instance_path.resolve()
        settings = app.extensions["advisor"].settings
        assert (settings.screening_max_bytes, settings.pdf_rate_limit) == (4096, "3/minute")
    finally:
        app.extensions["advisor"].assessor.close()
        app.extensions["advisor_db"].engine.dispose()


@pytest.mark.parametrize(
    ("name", "value"),
    [("API_MAX_BODY", "lots"), ("SCREENING_MAX_BYTES", "0"), ("TRUSTED_PROXIES", "9")],
)
def test_a_setting_of_the_wrong_kind_stops_start_up_naming_it(make_app, name: str, value: str):
    with pytest.raises(StartupError, match=rf"invalid settings: {name}: ") as info:
        make_app(**{name: value})
    assert isinstance(info.value, SystemExit)
