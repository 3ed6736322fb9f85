"""Screening: every row of a plan → Case → Assessment → regime, open routes, obligations and a
"potential" for social entrepreneurs. Rows with bad data are kept with their reasons.

The potential is read from the routes the rule base opened (nothing is decided here):

| code | rank | when |
|---|---|---|
| ``reservable`` | 4 | a reserved competition or inviting only WISE/ideelle is open |
| ``lots`` | 3 | division into lots (or the small-lots exemption) is open |
| ``light_regime`` | 2 | Part I or Part IV (the lighter procedures) applies |
| ``direct_purchase`` | 1 | below the lower limit: buy directly, e.g. from a social entrepreneur |
| ``none`` | 0 | none of these |
| ``error`` | -1 | the row could not be assessed (see its errors) |
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from advisor.assessment import Assessment, LocalText
from advisor.case import Case
from advisor.screening import values
from advisor.screening.reader import LABELS, Plan, PlanRow
from advisor.validation import describe

RESERVING_ROUTES = {
    "reserved_wise",
    "reserved_ideell",
    "reserved_mutual",
    "invite_only_wise",
    "invite_only_ideell",
}
LOT_ROUTES = {"lots", "small_lots_exemption"}
LIGHT_REGIMES = {"part_i", "part_iv"}

POTENTIALS: dict[str, tuple[int, LocalText]] = {
    "reservable": (4, LocalText(nb="Kan reserveres", en="Can be reserved")),
    "lots": (3, LocalText(nb="Del opp i delkontrakter", en="Divide into lots")),
    "light_regime": (2, LocalText(nb="Enklere regelverk", en="Lighter rules")),
    "direct_purchase": (1, LocalText(nb="Direkte kjøp", en="Direct purchase")),
    "none": (0, LocalText(nb="Ingen særskilt vei", en="No particular route")),
    "error": (-1, LocalText(nb="Feil i raden", en="Error in the row")),
}

FIELD_COLUMNS = {
    "title": "title",
    "buyer_type": "buyer",
    "subject": "kind",
    "service_type": "kind",
    "cpv": "cpv",
    "estimated_value_nok": "value",
    "law_as_of": "start",
    "duration_months": "duration",
    "target_supplier": "target",
}


class RowError(BaseModel):
    column: str
    message: LocalText


class ScreenedRow(BaseModel):
    row: int
    title: str = ""
    buyer: str = ""
    kind: str = ""
    cpv: str | None = None
    value_nok: int | None = None
    start: dt.date | None = None
    duration_months: int | None = None
    errors: list[RowError] = []
    regime: str | None = None
    open_routes: list[str] = []
    obligations: list[str] = []
    warnings: list[str] = []
    potential: str = "error"
    potential_rank: int = -1
    case: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


class Screening(BaseModel):
    id: str | None = None
    filename: str = ""
    created_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))
    ruleset_version: str = ""
    rows: list[ScreenedRow] = []
    titles: dict[str, LocalText] = {}  # regime/route/obligation/warning code -> title
    ignored_headers: list[str] = []

    def count(self, potential: str) -> int:
        return sum(1 for row in self.rows if row.potential == potential)

    @property
    def bad_rows(self) -> list[ScreenedRow]:
        return [row for row in self.rows if not row.ok]

    def title(self, code: str | None, lang: str) -> str:
        if code is None:
            return ""
        text = self.titles.get(code)
        return text.get(lang) if text else code


def potential_of(assessment: Assessment) -> str:
    open_codes = {route.code for route in assessment.open_routes}
    if open_codes & RESERVING_ROUTES:
        return "reservable"
    if open_codes & LOT_ROUTES:
        return "lots"
    if assessment.regime.code in LIGHT_REGIMES:
        return "light_regime"
    if "direct_purchase" in open_codes:
        return "direct_purchase"
    return "none"


@functools.cache
def _known_cpv(path: str) -> frozenset[str]:
    file = Path(path)
    if not file.is_file():
        return frozenset()
    with file.open(encoding="utf-8") as handle:
        return frozenset(line.split("\t", 1)[0] for line in handle if line.strip())


def known_cpv_codes(assessor: Any) -> frozenset[str]:
    root = getattr(assessor.rulebase, "root", None)
    return _known_cpv(str(Path(root) / "data" / "cpv-names.tsv")) if root else frozenset()


def _assess_function(assessor: Any) -> Any:
    """``assessor.assess`` without the "what if" exploration of unknown answers (speed)."""
    if "explore_unknowns" in inspect.signature(assessor.assess).parameters:
        return functools.partial(assessor.assess, explore_unknowns=False)
    return assessor.assess


def _text(value: Any) -> str:
    return "" if values.is_empty(value) else values.clean(value)[:200]


def case_for(
    row: PlanRow, known_cpv: frozenset[str], today: dt.date
) -> tuple[Case | None, ScreenedRow]:
    """The Case for one row (or ``None``) and the row as read, with every error found."""
    cells = row.cells
    screened = ScreenedRow(
        row=row.number,
        title=_text(cells.get("title")),
        buyer=_text(cells.get("buyer")),
        kind=_text(cells.get("kind")),
    )
    errors: list[RowError] = []
    data: dict[str, Any] = {"title": screened.title or None}

    def parse(column: str, parser: Any) -> Any:
        try:
            return parser(cells.get(column))
        except values.CellError as error:
            errors.append(RowError(column=column, message=error.text))
            return None

    if not screened.title:
        errors.append(
            RowError(
                column="title", message=LocalText(nb="Tittel mangler.", en="The title is missing.")
            )
        )
    data["buyer_type"] = parse("buyer", values.parse_buyer)
    kind = parse("kind", values.parse_kind)
    if kind:
        data["subject"], data["service_type"] = kind
    service_type = parse("service_type", values.parse_service_type)
    if service_type:
        data["service_type"] = service_type
    cpv = parse("cpv", values.parse_cpv)
    if cpv and known_cpv and cpv not in known_cpv:
        errors.append(
            RowError(
                column="cpv",
                message=LocalText(
                    nb=f"Ukjent CPV-kode {cpv}: den finnes ikke i CPV-listen.",
                    en=f"Unknown CPV code {cpv}: it is not in the CPV list.",
                ),
            )
        )
        cpv = None
    screened.cpv = cpv
    data["cpv"] = cpv
    amount = parse("value", values.parse_amount)
    if amount is None and not any(e.column == "value" for e in errors):
        errors.append(
            RowError(
                column="value",
                message=LocalText(
                    nb="Anslått verdi mangler.", en="The estimated value is missing."
                ),
            )
        )
    screened.value_nok = amount
    data["estimated_value_nok"] = amount
    start = parse("start", values.parse_date)
    screened.start = start
    data["law_as_of"] = start or today
    duration = parse("duration", values.parse_duration)
    screened.duration_months = duration
    data["duration_months"] = duration
    target = parse("target", values.parse_target)
    if target:
        data["target_supplier"] = target
    if data.get("service_type") is None:
        data.pop("service_type", None)
    if errors:
        screened.errors = errors
        return None, screened
    try:
        case = Case.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as error:
        nb, en = describe(error, "nb"), describe(error, "en")
        screened.errors = [
            RowError(
                column=FIELD_COLUMNS.get(a["name"], a["name"]),
                message=LocalText(nb=a["reason"], en=b["reason"]),
            )
            for a, b in zip(nb, en, strict=True)
        ]
        return None, screened
    return case, screened


def screen(plan: Plan, assessor: Any, *, today: dt.date | None = None) -> Screening:
    """Screen every row of ``plan`` with ``assessor`` (the app's or the CLI's)."""
    from advisor.assessor import LawDateOutOfRange

    today = today or dt.date.today()
    assess = _assess_function(assessor)
    known = known_cpv_codes(assessor)
    rulebase = assessor.rulebase
    result = Screening(
        filename=plan.filename[:200],
        ruleset_version=rulebase.version,
        ignored_headers=plan.ignored_headers,
    )
    titles: dict[str, LocalText] = {}
    for row in plan.rows:
        case, screened = case_for(row, known, today)
        if case is not None:
            try:
                assessment = assess(case)
            except LawDateOutOfRange:
                first = assessor.periods[0].start if assessor.periods else None
                screened.errors = [
                    RowError(
                        column="start",
                        message=LocalText(
                            nb=f"Regelverket dekker regler fra {first:%d.%m.%Y}; oppstart "
                            f"{case.law_as_of:%d.%m.%Y} er tidligere.",
                            en=f"The rule base covers the law from {first.isoformat()}; the start "
                            f"date {case.law_as_of.isoformat()} is earlier.",
                        ),
                    )
                ]
            else:
                screened.case = case.model_dump(mode="json")
                screened.regime = assessment.regime.code
                titles.setdefault(assessment.regime.code, assessment.regime.title)
                screened.open_routes = [r.code for r in assessment.open_routes]
                for route in assessment.open_routes:
                    titles.setdefault(route.code, route.title)
                screened.obligations = [o.code for o in assessment.obligations]
                for obligation in assessment.obligations:
                    titles.setdefault(obligation.code, obligation.title)
                screened.warnings = [w.code for w in assessment.warnings]
                for warning in assessment.warnings:
                    titles.setdefault(warning.code, warning.title)
                screened.potential = potential_of(assessment)
        screened.potential_rank = POTENTIALS[screened.potential][0]
        result.rows.append(screened)
    result.titles = titles
    return result


def column_label(column: str, lang: str) -> str:
    """The column's name in ``lang``, first letter upper-case (``CPV-kode``, ``Oppstart``)."""
    label = LABELS.get(column)
    text = label.get(lang) if label else column
    return text[:1].upper() + text[1:]


SORT_KEYS = {
    "row": lambda r: (r.row,),
    "title": lambda r: (r.title.lower(), r.row),
    "buyer": lambda r: (r.buyer.lower(), r.row),
    "value": lambda r: (r.value_nok if r.value_nok is not None else -1, r.row),
    "start": lambda r: (r.start or dt.date.min, r.row),
    "regime": lambda r: (r.regime or "~", r.row),
    "potential": lambda r: (r.potential_rank, r.value_nok or 0, -r.row),
}
DEFAULT_DESCENDING = {"potential", "value"}


def sorted_rows(screening: Screening, key: str, descending: bool) -> list[ScreenedRow]:
    function = SORT_KEYS.get(key, SORT_KEYS["potential"])
    return sorted(screening.rows, key=function, reverse=descending)
