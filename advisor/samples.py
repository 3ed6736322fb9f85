"""Random valid Cases for a rule base: for the engine's equality tests and the benchmark.

Every field of ``Case`` gets a value (enums, yes/no/unknown answers, flags, optional fields left
out now and then); the law date falls in any period of law the rule base has; amounts cluster
around every threshold in force on that date (one krone below, on, above) and CPV codes around
the edges of the CPV tables, because that is where rules disagree if they are going to.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
import typing
from collections.abc import Iterator
from typing import Any

from advisor.case import MAX_VALUE_NOK, Case, enum_of, is_optional
from advisor.rulebase.compiler import Period, parameter_value
from advisor.rulebase.loader import RuleBase

OPEN_PERIOD_DAYS = 3 * 365  # how far past the last breakpoint dates are drawn
DEFAULT_SHARE = 0.4  # answers left at their default this often, as in real cases


class CaseSampler:
    """Draws valid ``Case`` objects for one rule base (``periods`` from ``compile_periods``)."""

    def __init__(self, rulebase: RuleBase, periods: list[Period]) -> None:
        self.rulebase = rulebase
        self.periods = periods
        codes: set[int] = set()
        for ranges in rulebase.tables.values():
            for (low, high), exclusions in ranges:
                codes.update(
                    {low, high, (low + high) // 2, max(low - 1, 0), min(high + 1, 99999999)}
                )
                for a, b in exclusions:
                    codes.update({a, b})
        self.cpv_codes = sorted(code for code in codes if 0 < code <= 99999999)

    def date(self, rng: random.Random) -> dt.date:
        period = rng.choice(self.periods)
        end = period.end or period.start + dt.timedelta(days=OPEN_PERIOD_DAYS)
        roll = rng.random()
        if roll < 0.25:
            return period.start
        if roll < 0.4:
            return end
        return period.start + dt.timedelta(days=rng.randint(0, (end - period.start).days))

    def amount(self, rng: random.Random, date: dt.date) -> int:
        roll = rng.random()
        if roll < 0.6:
            amounts = [
                int(bound.value)
                for name, parameter in self.rulebase.parameters.items()
                if parameter.unit == "NOK"
                and (bound := parameter_value(parameter, name, date)) is not None
            ]
            if amounts:
                return max(0, rng.choice(amounts) + rng.choice((-1, 0, 1)))
        if roll < 0.65:
            return rng.choice((0, 1, MAX_VALUE_NOK))
        return int(10 ** rng.uniform(3, 9.5))

    def cpv(self, rng: random.Random) -> str | None:
        roll = rng.random()
        if roll < 0.3 or not self.cpv_codes:
            return None
        if roll < 0.85:
            return f"{rng.choice(self.cpv_codes):08d}"
        return f"{rng.randint(3_000_000, 99_999_999):08d}"

    def case(self, rng: random.Random) -> Case:
        data: dict[str, Any] = {"law_as_of": self.date(rng)}
        for name, field in Case.model_fields.items():
            annotation = field.annotation
            if name in ("law_as_of", "title"):
                continue
            if name == "estimated_value_nok":
                data[name] = self.amount(rng, data["law_as_of"])
                continue
            if name == "cpv":
                data[name] = self.cpv(rng)
                continue
            if is_optional(annotation) and rng.random() < 0.3:
                data[name] = None
                continue
            kind = enum_of(annotation)
            default = field.default
            if isinstance(default, enum.Enum | bool) and rng.random() < DEFAULT_SHARE:
                data[name] = default.value if isinstance(default, enum.Enum) else default
            elif kind is not None:
                data[name] = rng.choice(list(kind)).value
            elif annotation is bool:
                data[name] = rng.random() < 0.5
            elif (
                name == "duration_months" or int in typing.get_args(annotation) or annotation is int
            ):
                data[name] = rng.choice((0, 1, 6, 12, 24, 36, 48, 60, 120, rng.randint(0, 1200)))
        return Case.model_validate(data)

    def cases(self, count: int, seed: int = 0) -> Iterator[Case]:
        rng = random.Random(seed)
        for _ in range(count):
            yield self.case(rng)
