"""``advisor rules impact``: which saved assessments and test cases a rule change affects."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from rulebase_copies import copy_rules
from sqlalchemy.orm import Session

from advisor.assessor import Assessor
from advisor.case import Case
from advisor.cli import main as cli
from advisor.db import make_engine
from advisor.impact import Result, compare, impact, render
from advisor.records import save_assessment
from advisor.rulebase import load_rulebase
from advisor.ruletests import case_of
from advisor.samples import CaseSampler

PARAMETER = "eos_threshold_special"
NEW_VALUE = 9_500_000
DATE = dt.date(2026, 3, 1)


def raise_threshold(root: Path) -> int:
    """Raise the threshold in force on DATE to NEW_VALUE; return the old value."""
    for path in sorted((root / "parameters").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if PARAMETER not in data:
            continue
        values = data[PARAMETER]["values"]
        current = max(day for day in values if day <= DATE)
        entry = values[current]
        old = entry["value"] if isinstance(entry, dict) else entry
        values[current] = (
            NEW_VALUE if not isinstance(entry, dict) else {**entry, "value": NEW_VALUE}
        )
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return int(old)
    raise AssertionError(f"no parameter {PARAMETER}")


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path, int]:
    old = copy_rules(tmp_path / "old")
    new = copy_rules(tmp_path / "new")
    threshold = raise_threshold(new)
    assert threshold < NEW_VALUE
    return old, new, threshold


def health(value: int, title: str) -> Case:
    return Case(
        law_as_of=DATE,
        title=title,
        buyer_type="municipality",
        subject="services",
        service_type="health_social",
        estimated_value_nok=value,
        target_supplier="ideell",
    )


@pytest.fixture
def saved(database_url: str, versions: tuple[Path, Path, int]) -> Iterator[dict[str, str]]:
    """Three saved assessments (made with the old rules): two affected, one not."""
    old, _, threshold = versions
    assessor = Assessor(load_rulebase(old))
    engine = make_engine(database_url)
    cases = {
        "affected": health(threshold + 100_000, "Dagaktivitet over dagens terskel"),
        "also_affected": health(threshold, "Dagaktivitet nøyaktig på terskelen"),
        "unaffected": Case(
            law_as_of=DATE,
            title="Kontorrekvisita",
            buyer_type="municipality",
            subject="goods",
            estimated_value_nok=50_000,
        ),
        "above_both": health(NEW_VALUE + 1, "Dagaktivitet over begge tersklene"),
    }
    ids = {}
    try:
        with Session(engine) as session:
            for key, case in cases.items():
                ids[key] = save_assessment(assessor.assess(case), session=session).id
        yield ids
    finally:
        assessor.close()
        engine.dispose()


def test_changed_threshold_lists_the_affected_saved_assessments(
    versions: tuple[Path, Path, int], saved: dict[str, str], database_url: str
) -> None:
    old, new, _ = versions
    report = impact(load_rulebase(old), load_rulebase(new), database_url)
    assert report.saved_checked == 4
    assert report.database_problem is None
    listed = {change.ident: change for change in report.changes if change.kind == "saved"}
    assert set(listed) == {saved["affected"], saved["also_affected"]}
    change = listed[saved["affected"]]
    assert change.name == "Dagaktivitet over dagens terskel"
    assert change.regime == ("part_iv", "part_i")
    assert "reserved_ideell" in change.routes_closed
    assert "invite_only_ideell" in change.routes_opened
    assert "notice_ted" in change.obligations_removed
    assert change.law_as_of == DATE


def test_changed_threshold_lists_exactly_the_affected_test_cases(
    versions: tuple[Path, Path, int],
) -> None:
    old_dir, new_dir, threshold = versions
    old_rules, new_rules = load_rulebase(old_dir), load_rulebase(new_dir)
    report = impact(old_rules, new_rules, None)
    listed = {change.name for change in report.changes if change.kind == "test"}
    # independently: a case is affected iff its results differ under the two versions
    old, new = Assessor(old_rules), Assessor(new_rules)
    try:
        expected = {
            loaded.test.name
            for loaded in old_rules.tests
            if compare(old, new, case_of(loaded), "test", "", loaded.test.name) is not None
        }
        changed_period = old.period_for(DATE)
    finally:
        old.close()
        new.close()
    assert listed == expected
    assert listed, "raising a threshold must change some test case"
    # a case dated in the changed period, valued between the two thresholds, as part IV: listed
    between = [
        loaded.test.name
        for loaded in old_rules.tests
        if loaded.test.expect.regime == "part_iv"
        and threshold <= case_of(loaded).estimated_value_nok < NEW_VALUE
        and changed_period.contains(case_of(loaded).law_as_of)
    ]
    assert set(between) <= listed
    # cases whose value is below both thresholds or above both are not listed for that reason
    for change in report.changes:
        assert change.kind == "test"
        assert change.regime is None or "part_iv" in change.regime or "part_ii" in change.regime


def test_same_rules_no_changes(
    versions: tuple[Path, Path, int], saved: dict[str, str], database_url: str
) -> None:
    old, _, _ = versions
    report = impact(load_rulebase(old), load_rulebase(old), database_url)
    assert report.changes == []
    assert report.saved_checked == 4
    assert report.old.version == report.new.version
    assert "same content" in render(report)


def test_cli_table_and_json(
    versions: tuple[Path, Path, int], saved: dict[str, str], database_url: str
) -> None:
    old, new, _ = versions
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["rules", "impact", str(old), str(new), "--database", database_url],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert load_rulebase(old).version in text and load_rulebase(new).version in text
    assert "Checked 4 saved assessment(s)" in text
    assert "Dagaktivitet over dagens terskel" in text and saved["affected"] in text
    assert "part_iv -> part_i" in text and "-reserved_ideell" in text
    assert "Kontorrekvisita" not in text
    assert "Dagaktivitet over begge tersklene" not in text

    result = runner.invoke(
        cli,
        ["rules", "impact", str(old), str(new), "--database", database_url, "--json"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["old"]["version"] != data["new"]["version"]
    assert data["checked"]["saved_assessments"] == 4
    saved_changes = [c for c in data["changes"] if c["kind"] == "saved"]
    assert {c["ident"] for c in saved_changes} == {saved["affected"], saved["also_affected"]}
    first = next(c for c in saved_changes if c["ident"] == saved["affected"])
    assert first["regime"] == {"old": "part_iv", "new": "part_i"}
    assert "reserved_ideell" in first["routes_closed"]
    assert data["changed"] == len(data["changes"])


def test_cli_new_dir_defaults_to_the_current_rules(
    versions: tuple[Path, Path, int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _, new, _ = versions
    monkeypatch.setenv("RULES_DIR", str(new))
    result = CliRunner().invoke(
        cli,
        ["rules", "impact", str(new), "--database", f"sqlite:///{tmp_path / 'none.db'}"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "0 change(s)" in result.stdout
    assert "no database file" in result.stdout
    assert not (tmp_path / "none.db").exists()  # reading never creates a database


def test_a_law_date_only_one_version_covers(
    tmp_path: Path, versions: tuple[Path, Path, int]
) -> None:
    old_dir, _, _ = versions
    later = copy_rules(tmp_path / "later")
    ruleset = yaml.safe_load((later / "ruleset.yaml").read_text(encoding="utf-8"))
    start = min(period["from"] for period in ruleset["law_periods"])
    old, new = Assessor(load_rulebase(old_dir)), Assessor(load_rulebase(old_dir))
    try:
        case = Case(
            law_as_of=start - dt.timedelta(days=1),
            buyer_type="state",
            subject="goods",
            estimated_value_nok=1,
        )
        assert compare(old, new, case, "test", "x", "x") is None  # neither covers it
    finally:
        old.close()
        new.close()


def test_the_quick_evaluation_agrees_with_the_assessment(versions: tuple[Path, Path, int]) -> None:
    """``Result.evaluate`` skips writing explanations; it must say what the Assessment says."""
    old_dir, _, _ = versions
    assessor = Assessor(load_rulebase(old_dir))
    try:
        sampler = CaseSampler(assessor.rulebase, assessor.periods)
        for case in [*sampler.cases(300, seed=11), *(case_of(t) for t in assessor.rulebase.tests)]:
            assert Result.evaluate(assessor, case) == Result.of(assessor.assess(case))
    finally:
        assessor.close()
