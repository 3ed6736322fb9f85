"""The ``advisor`` command line (design.md section 4: these commands are a public contract)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from advisor.case import Case

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RULES = REPO_ROOT / "rules" / "no"


def default_rules() -> Path:
    return Path(os.environ.get("RULES_DIR") or DEFAULT_RULES)


rules_option = click.option(
    "--rules",
    "rules_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Rule-base folder (default: $RULES_DIR or rules/no).",
)


def _load(rules_dir: Path | None) -> Any:
    from advisor.assessor import Assessor
    from advisor.rulebase import RuleBaseInvalid, load_rulebase

    try:
        rulebase = load_rulebase(rules_dir or default_rules())
        Assessor(rulebase).close()  # the rule engine must accept every compiled period
        return rulebase
    except RuleBaseInvalid as invalid:
        for message in invalid.messages:
            click.echo(message, err=True)
        click.echo(f"{len(invalid.messages)} error(s) in the rule base", err=True)
        sys.exit(1)


@click.group()
def main() -> None:
    """Inkluderende anskaffelser: advice on engaging social entrepreneurs lawfully."""


@main.group()
def rules() -> None:
    """Check, test and compare rule bases."""


@rules.command("check")
@rules_option
def rules_check(rules_dir: Path | None) -> None:
    """Validate the rule base; exit 1 with path:line:col messages on any error."""
    from advisor.assessor import Assessor
    from advisor.ruletests import case_of, contradiction_problems, coverage_problems, run_tests

    rulebase = _load(rules_dir)
    assessor = Assessor(rulebase)
    try:
        results = run_tests(assessor, engine="plain")
        problems = coverage_problems(assessor, results)
        problems += contradiction_problems(
            assessor, [case_of(r.test) for r in results if r.error is None]
        )
    finally:
        assessor.close()
    for problem in sorted(set(problems), key=lambda p: (p.file, p.line, p.column)):
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(set(problems))} error(s) in the rule base", err=True)
        sys.exit(1)
    click.echo(
        f"rule base {rulebase.root} is valid: {len(rulebase.rules)} rules, "
        f"{len(rulebase.parameters)} parameters, {len(rulebase.tests)} test cases, "
        f"version {rulebase.version}"
    )


@rules.command("test")
@rules_option
@click.option("--engine", type=click.Choice(["durable", "plain"]), default="durable")
def rules_test(rules_dir: Path | None, engine: str) -> None:
    """Run the rule base's test cases; print 'N passed, M failed'."""
    from advisor.assessor import Assessor
    from advisor.ruletests import run_tests

    assessor = Assessor(_load(rules_dir))
    try:
        results = run_tests(assessor, engine=engine)
    finally:
        assessor.close()
    failed = [result for result in results if not result.passed]
    for result in failed:
        click.echo(f"FAILED {result.where}: {result.name}")
        for line in result.differences:
            click.echo(f"    {line}")
        if result.error:
            click.echo(f"    error: {result.error}")
    click.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        sys.exit(1)


@rules.command("impact")
@click.argument("old_dir", type=click.Path(path_type=Path))
@click.argument("new_dir", type=click.Path(path_type=Path), required=False)
@click.option(
    "--database",
    "database_url",
    default=None,
    help="Saved assessments to re-evaluate (default: $DATABASE_URL or instance/advisor.db).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def rules_impact(
    old_dir: Path, new_dir: Path | None, database_url: str | None, as_json: bool
) -> None:
    """List saved assessments and test cases whose regime, routes or obligations change
    between OLD_DIR and NEW_DIR (default: the current rules)."""
    from advisor.impact import impact, render
    from advisor.settings import load_settings

    old_rules, new_rules = _load(old_dir), _load(new_dir)
    url = database_url or load_settings().resolved_database_url()
    report = impact(old_rules, new_rules, url)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(render(report), nl=False)


def _read_case(path: str, law_as_of: str | None) -> Case:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise click.ClickException(
            f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}"
        ) from None
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: the case must be a JSON object")
    if law_as_of:
        data["law_as_of"] = law_as_of
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{path}: {'.'.join(str(p) for p in error['loc']) or '(case)'}: {error['msg']}"
            for error in exc.errors()
        ]
        raise click.ClickException("invalid case\n" + "\n".join(lines)) from None


@main.command("assess")
@click.argument("case_file")
@click.option("--law-as-of", default=None, help="Date of the law to apply (YYYY-MM-DD).")
@click.option("--lang", type=click.Choice(["nb", "en"]), default="nb")
@click.option("--pdf", "pdf_path", type=click.Path(path_type=Path), default=None)
@rules_option
def assess(
    case_file: str, law_as_of: str | None, lang: str, pdf_path: Path | None, rules_dir: Path | None
) -> None:
    """Print the Assessment of CASE_FILE (JSON, or - for standard input) as JSON."""
    from advisor.assessor import Assessor, LawDateOutOfRange

    case = _read_case(case_file, law_as_of)
    assessor = Assessor(_load(rules_dir))
    try:
        assessment = assessor.assess(case)
    except LawDateOutOfRange as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        assessor.close()
    click.echo(json.dumps(assessment.public(lang), ensure_ascii=False, indent=2))
    if pdf_path is not None:
        from advisor.guidance import render_pdf

        pdf_path.write_bytes(render_pdf(assessment, lang, rulebase=assessor.rulebase))
        click.echo(f"wrote {pdf_path}", err=True)


@main.group()
def db() -> None:
    """The database of saved assessments."""


@db.command("upgrade")
@click.option(
    "--database", "database_url", default=None, help="Default: $DATABASE_URL or instance/."
)
def db_upgrade(database_url: str | None) -> None:
    """Run the schema migrations up to the newest (what `make install` does)."""
    from advisor.db import safe_url, upgrade_database
    from advisor.settings import load_settings

    url = database_url or load_settings().resolved_database_url()
    upgrade_database(url)
    click.echo(f"database {safe_url(url)} is at the newest schema")


@db.command("purge-drafts")
@click.option(
    "--older-than-days",
    type=click.IntRange(min=1),
    default=180,
    show_default=True,
    help="Delete wizard drafts nobody has changed for this many days.",
)
@click.option(
    "--database", "database_url", default=None, help="Default: $DATABASE_URL or instance/."
)
def db_purge_drafts(older_than_days: int, database_url: str | None) -> None:
    """Delete old unfinished wizard drafts (for a daily job; saved assessments are kept).

    A draft holds a buyer's answers, including free text; keeping it no longer than needed
    is the storage-limitation principle of the GDPR (art. 5(1)(e)).
    """
    import datetime as dt

    from advisor.db import standalone_session
    from advisor.settings import StartupError, load_settings
    from advisor.wizard.drafts import purge_drafts

    url = database_url or load_settings().resolved_database_url()
    try:
        with standalone_session(url, migrated=True) as session:
            count = purge_drafts(dt.timedelta(days=older_than_days), session=session)
    except StartupError as error:  # not migrated, or unreachable: say so, no traceback
        raise click.ClickException(str(error)) from None
    click.echo(f"deleted {count} draft(s) unchanged for {older_than_days} days or more")


@main.command("screen")
@click.argument("plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the result as .xlsx, .csv or .pdf (by the file's suffix).",
)
@click.option("--lang", type=click.Choice(["nb", "en"]), default="nb")
@click.option(
    "--sort",
    type=click.Choice(["potential", "row", "title", "buyer", "value", "start", "regime"]),
    default="potential",
)
@rules_option
def screen_plan(
    plan_file: Path, out_path: Path | None, lang: str, sort: str, rules_dir: Path | None
) -> None:
    """Screen a procurement plan (PLAN_FILE: .xlsx or .csv) for social-entrepreneur potential.

    Prints one line per row (potential, regime, title, or the reasons a row has bad data) and
    exits 1 when the file cannot be read at all. Rows with errors are listed, never dropped.
    """
    from advisor.assessor import Assessor
    from advisor.screening import POTENTIALS, PlanError, read_plan, screen, sorted_rows
    from advisor.screening.export import error_text, to_csv, to_pdf, to_xlsx
    from advisor.screening.screen import DEFAULT_DESCENDING

    suffix = out_path.suffix.lower() if out_path else None
    if suffix not in (None, ".xlsx", ".csv", ".pdf"):
        raise click.UsageError("--out must end in .xlsx, .csv or .pdf")
    try:
        plan = read_plan(plan_file.read_bytes(), plan_file.name)
    except PlanError as error:
        raise click.ClickException(f"{plan_file}: {error.text.get(lang)}") from None
    assessor = Assessor(_load(rules_dir))
    try:
        result = screen(plan, assessor)
    finally:
        assessor.close()
    rows = sorted_rows(result, sort, sort in DEFAULT_DESCENDING)
    for row in rows:
        label = POTENTIALS[row.potential][1].get(lang)
        detail = error_text(row, lang) if row.errors else result.title(row.regime, lang)
        click.echo(f"{row.row:>5}  {label:<28} {row.title[:50]:<50}  {detail}")
    bad = len(result.bad_rows)
    click.echo(
        f"{len(rows)} rows, {bad} with errors"
        + "".join(f", {result.count(code)} {code}" for code in POTENTIALS if result.count(code))
    )
    if out_path is not None:
        writer = {".xlsx": to_xlsx, ".csv": to_csv, ".pdf": to_pdf}[suffix]
        out_path.write_bytes(writer(result, rows, lang))
        click.echo(f"wrote {out_path}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
