"""Months and dates as people type them into the wizard, and dates shown back.

Amounts are read and shown by ``advisor.money``, the one amount parser and money formatter of
the whole application; this module has the wizard's other typed inputs.
"""

from __future__ import annotations

import datetime as dt
import re

SPACES = re.compile(r"\s+")


class InputError(ValueError):
    """The text is not a number of months or a date; ``code`` says why (``empty``,
    ``invalid``, ``too_large``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _ascii_digits(value: str) -> bool:
    """Only the digits 0-9 (``str.isdigit`` also takes "²" and other scripts' digits)."""
    return all(ch.isascii() for ch in value if ch.isdigit())


def parse_months(text: str | None) -> int:
    """Whole months, 0 to 1200 ("24", "24 mnd", "24 måneder"); raises ``InputError``."""
    if text is None or not str(text).strip():
        raise InputError("empty")
    value = SPACES.sub("", str(text).strip().lower())
    for suffix in ("måneder", "måned", "months", "month", "mnd.", "mnd", "mån"):
        value = value.removesuffix(suffix)
    if not (value.isascii() and value.isdecimal()):
        raise InputError("invalid")
    months = int(value)
    if months > 1200:
        raise InputError("too_large")
    return months


DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


def parse_date(text: str | None) -> dt.date:
    """A date as "15.03.2026", "15.3.2026", "2026-03-15" or "15/03/2026"."""
    if text is None or not str(text).strip():
        raise InputError("empty")
    value = str(text).strip().replace(" ", "")
    if not _ascii_digits(value):
        raise InputError("invalid")
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise InputError("invalid")


def format_date(value: str | dt.date | None, locale: str = "nb") -> str:
    """``"15.03.2026"`` (nb) / ``"15 March 2026"`` (en)."""
    if value in (None, ""):
        return ""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if locale == "nb":
        return date.strftime("%d.%m.%Y")
    from babel.dates import format_date as babel_format_date

    return babel_format_date(date, format="long", locale=locale)
