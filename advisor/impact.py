"""What a change to the rule base does: ``advisor rules impact OLD_DIR [NEW_DIR]``.

Both versions are loaded side by side (two Assessors in one process). Every saved assessment in
the database and every test case of both rule bases is evaluated under each, with its own law
date, and those whose regime, routes (opened or closed) or obligations (added or removed) change
are listed. This is what a legal team reads before it approves a change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from advisor.assessment import Assessment
from advisor.assessor import Assessor, LawDateOutOfRange
from advisor.case import Case
from advisor.rulebase.loader import RuleBase
from advisor.ruletests import case_of


@dataclass(frozen=True)
class Version:
    root: str
    version: str
    git_describe: str | None

    @classmethod
    def of(cls, rulebase: RuleBase) -> Version:
        return cls(str(rulebase.root), rulebase.version, rulebase.git_describe)

    def label(self) -> str:
        git = f" (git {self.git_describe})" if self.git_describe else ""
        return f"{self.root}  version {self.version}{git}"


@dataclass(frozen=True)
class Result:
    """The parts of an assessment that the impact report compares."""

    regime: str
    routes: frozenset[str]  # open routes
    obligations: frozenset[str]

    @classmethod
    def evaluate(cls, assessor: Assessor, case: Case) -> Result:
        """The same as ``of(assessor.assess(case))`` without writing the explanations (the
        impact report re-evaluates every saved assessment; tests/test_impact.py checks that
        both agree)."""
        period, _, outcome = assessor.outcome(case)
        by_id = {rule.id: rule for rule in period.rules}
        fired = [by_id[rule_id] for rule_id in outcome.fired if rule_id in by_id]
        opened = {r.code for r in fired if r.kind == "route" and r.available}
        closed = {r.code for r in fired if r.kind == "route" and not r.available}
        catalog = assessor.rulebase.catalog.obligations
        return cls(
            regime=str(outcome.derived.get("regime", "undetermined")),
            routes=frozenset(opened - closed),
            obligations=frozenset(
                r.code for r in fired if r.kind == "obligation" and r.code in catalog
            ),
        )

    @classmethod
    def of(cls, assessment: Assessment) -> Result:
        return cls(
            regime=assessment.regime.code,
            routes=frozenset(route.code for route in assessment.routes if route.available),
            obligations=frozenset(item.code for item in assessment.obligations),
        )


@dataclass
class Change:
    kind: str  # "saved" (a saved assessment) or "test" (a rule-base test case)
    ident: str  # assessment id, or file:line of the test case
    name: str
    law_as_of: dt.date
    regime: tuple[str, str] | None = None  # (old, new) when it changes
    routes_opened: list[str] = field(default_factory=list)
    routes_closed: list[str] = field(default_factory=list)
    obligations_added: list[str] = field(default_factory=list)
    obligations_removed: list[str] = field(default_factory=list)
    error: str | None = None  # one version cannot assess it (e.g. no law for the date)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["law_as_of"] = self.law_as_of.isoformat()
        data["regime"] = {"old": self.regime[0], "new": self.regime[1]} if self.regime else None
        return data


@dataclass
class Report:
    old: Version
    new: Version
    saved_checked: int = 0
    tests_checked: int = 0
    database: str | None = None
    database_problem: str | None = None
    changes: list[Change] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "old": asdict(self.old),
            "new": asdict(self.new),
            "database": self.database,
            "database_problem": self.database_problem,
            "checked": {"saved_assessments": self.saved_checked, "test_cases": self.tests_checked},
            "changed": len(self.changes),
            "changes": [change.to_json() for change in self.changes],
        }


def compare(
    old: Assessor, new: Assessor, case: Case, kind: str, ident: str, name: str
) -> Change | None:
    """The change for one case, or None when regime, routes and obligations stay the same."""
    results: list[Result | str] = []
    for assessor in (old, new):
        try:
            results.append(Result.evaluate(assessor, case))
        except LawDateOutOfRange as exc:
            results.append(f"{assessor.version}: {exc}")
    before, after = results
    change = Change(kind=kind, ident=ident, name=name, law_as_of=case.law_as_of)
    if isinstance(before, str) or isinstance(after, str):
        if isinstance(before, str) and isinstance(after, str):
            return None  # neither version has law for the date: nothing changes
        change.error = before if isinstance(before, str) else str(after)
        return change
    if before.regime != after.regime:
        change.regime = (before.regime, after.regime)
    change.routes_opened = sorted(after.routes - before.routes)
    change.routes_closed = sorted(before.routes - after.routes)
    change.obligations_added = sorted(after.obligations - before.obligations)
    change.obligations_removed = sorted(before.obligations - after.obligations)
    if not (
        change.regime
        or change.routes_opened
        or change.routes_closed
        or change.obligations_added
        or change.obligations_removed
    ):
        return None
    return change


def saved_cases(database_url: str) -> Iterator[tuple[str, str, Case]]:
    """(id, title, case) of every saved assessment, oldest first."""
    import sqlalchemy as sa

    from advisor.db import standalone_session
    from advisor.records import AssessmentRecord

    with standalone_session(database_url) as session:
        query = sa.select(
            AssessmentRecord.id, AssessmentRecord.title, AssessmentRecord.case_json
        ).order_by(AssessmentRecord.created_at, AssessmentRecord.id)
        for record_id, title, case_json in session.execute(query):
            yield record_id, title or "", Case.model_validate(case_json)


def _database_missing(url: str) -> str | None:
    """Why a SQLite database cannot be read (without creating an empty file), or None."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    on_disk = parsed.get_backend_name() == "sqlite" and parsed.database not in (
        None,
        "",
        ":memory:",
    )
    if on_disk and not Path(parsed.database).is_file():
        return f"no database file {parsed.database}"
    return None


def impact(old_rules: RuleBase, new_rules: RuleBase, database_url: str | None = None) -> Report:
    from advisor.db import safe_url

    old, new = Assessor(old_rules), Assessor(new_rules)
    report = Report(Version.of(old_rules), Version.of(new_rules))
    try:
        if database_url:
            report.database = safe_url(database_url)
            report.database_problem = _database_missing(database_url)
            if report.database_problem is None:
                try:
                    for record_id, title, case in saved_cases(database_url):
                        report.saved_checked += 1
                        change = compare(old, new, case, "saved", record_id, title)
                        if change:
                            report.changes.append(change)
                except Exception as exc:  # noqa: BLE001 - reported, the test cases still run
                    report.database_problem = f"{type(exc).__name__}: {exc}".splitlines()[0]
        seen: set[str] = set()
        for rulebase in (old_rules, new_rules):
            for loaded in rulebase.tests:
                case = case_of(loaded)
                key = case.model_dump_json()
                if key in seen:
                    continue  # the same case in both versions' tests: once is enough
                seen.add(key)
                report.tests_checked += 1
                line, _ = loaded.located.at((loaded.index,))
                ident = f"{loaded.located.file}:{line}"
                change = compare(old, new, case, "test", ident, loaded.test.name)
                if change:
                    report.changes.append(change)
    finally:
        old.close()
        new.close()
    return report


# ----------------------------------------------------------------------------- the readable table


def _cell(added: list[str], removed: list[str]) -> str:
    return " ".join([*(f"+{code}" for code in added), *(f"-{code}" for code in removed)]) or "="


def render(report: Report) -> str:
    lines = [
        "Impact of the rule-base change",
        f"  old: {report.old.label()}",
        f"  new: {report.new.label()}",
    ]
    if report.old.version == report.new.version:
        lines.append("  (the two versions have the same content)")
    if report.database:
        problem = f" ({report.database_problem})" if report.database_problem else ""
        lines.append(f"  saved assessments from {report.database}{problem}")
    lines.append(
        f"Checked {report.saved_checked} saved assessment(s) and {report.tests_checked} test "
        f"case(s); {len(report.changes)} change(s)."
    )
    if not report.changes:
        return "\n".join(lines) + "\n"
    header = ("WHAT", "NAME", "LAW DATE", "REGIME", "ROUTES (+opened -closed)", "OBLIGATIONS (+/-)")
    rows = []
    for change in report.changes:
        name = change.name or "(untitled)"
        if change.kind == "saved":
            name = f"{name} [{change.ident}]"
        if change.error:
            regime, routes, obligations = f"! {change.error}", "", ""
        else:
            regime = f"{change.regime[0]} -> {change.regime[1]}" if change.regime else "="
            routes = _cell(change.routes_opened, change.routes_closed)
            obligations = _cell(change.obligations_added, change.obligations_removed)
        rows.append((change.kind, name, change.law_as_of.isoformat(), regime, routes, obligations))
    widths = [
        min(max(len(row[i]) for row in [header, *rows]), 60 if i == 1 else 200)
        for i in range(len(header))
    ]

    def fmt(row: tuple[str, ...]) -> str:
        cells = [
            (cell if len(cell) <= widths[i] else cell[: widths[i] - 1] + "…").ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    lines += ["", fmt(header), fmt(tuple("-" * w for w in widths))]
    lines += [fmt(row) for row in rows]
    tests = [c for c in report.changes if c.kind == "test"]
    if tests:
        lines += ["", "Where the changed test cases are written (review their expectations):"]
        lines += [f"  {c.ident}: {c.name}" for c in tests]
    return "\n".join(lines) + "\n"
