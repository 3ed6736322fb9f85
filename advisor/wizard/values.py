"""The value helper: the estimated value of a contract under FOA § 5-4.

What it applies (plain reading of FOA § 5-4; the result page and the rule base say what follows):

- the value is excluding VAT and covers the whole term, with every option and possible extension;
- a contract without a fixed end, or running for more than 48 months, is valued as the monthly
  value times 48;
- a framework agreement is valued at the highest total value of all contracts that may be made
  under it (its stated maximum);
- purchases of the same kind for several units, and all lots of one purchase, are added together:
  dividing a purchase to stay below a threshold is prohibited (splitting).

The helper returns numbers and flags; the template writes the sentences (translated).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

FORTY_EIGHT = 48
PERIODS = ("month", "year", "total")


@dataclass
class ValueInput:
    amount: int  # NOK excl. VAT, per ``period``
    period: str = "total"  # month | year | total (the whole fixed term)
    months: int | None = None  # fixed term without extensions
    open_ended: bool = False
    extension_months: int = 0
    options_value: int = 0  # other options (extra purchases that may be ordered)
    units: int = 1  # units or equal lots buying the same (the amount is for one of them)
    framework_max: int | None = None  # a framework agreement's stated maximum


@dataclass
class ValueResult:
    total: int
    monthly: int | None
    months_counted: int | None
    capped_at_48: bool
    per_unit: int
    units: int
    options_value: int
    framework_max: int | None
    framework_used: bool
    warnings: list[str] = field(default_factory=list)  # codes: splitting, framework_below
    duration_months: int | None = None


def _whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def estimate(data: ValueInput) -> ValueResult:
    """The estimated value (FOA § 5-4) with the steps that led to it."""
    if data.period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    term = None if data.open_ended else (data.months or 0) + (data.extension_months or 0)
    monthly: Decimal | None = None
    months_counted: int | None = None
    capped = False
    if data.period == "total":
        per_unit = Decimal(data.amount)
        if term:
            monthly = per_unit / Decimal(term)
            months_counted = term
    else:
        monthly = Decimal(data.amount) / (12 if data.period == "year" else 1)
        if term is None or term > FORTY_EIGHT or term == 0:
            months_counted = FORTY_EIGHT
            capped = term is None or term > FORTY_EIGHT
        else:
            months_counted = term
        per_unit = monthly * months_counted
    units = max(1, data.units or 1)
    total = _whole(per_unit * units) + (data.options_value or 0)
    warnings: list[str] = []
    if units > 1:
        warnings.append("splitting")
    framework_used = False
    if data.framework_max is not None:
        if data.framework_max >= total:
            total, framework_used = data.framework_max, True
        else:
            warnings.append("framework_below")
    return ValueResult(
        total=total,
        monthly=_whole(monthly) if monthly is not None else None,
        months_counted=months_counted,
        capped_at_48=capped,
        per_unit=_whole(per_unit),
        units=units,
        options_value=data.options_value or 0,
        framework_max=data.framework_max,
        framework_used=framework_used,
        warnings=warnings,
        duration_months=term,
    )
