"""Norwegian input of amounts, months and dates, and display of amounts with Babel.

``parse_amount_nok`` understands how people write amounts in Norway::

    "2 400 000", "2.400.000", "kr 2 400 000", "2 400 000 kr", "NOK 2 400 000,-",
    "2,4 mill.", "2,4 millioner", "2.4 MNOK", "2,4 mnok", "500 000,50", "750 tusen",
    "750k", "1,2 mrd."

Whole kroner are returned (øre are rounded half up). ``AmountError`` says what was wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency

MAX_AMOUNT = 1_000_000_000_000  # same limit as the Case

SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
CURRENCY = re.compile(r"^(?:kr\.?|nok)|(?:kr\.?|nok|,-|\.-)$")
MULTIPLIERS: tuple[tuple[str, int], ...] = (
    ("milliarder", 1_000_000_000),
    ("milliard", 1_000_000_000),
    ("mrd.", 1_000_000_000),
    ("mrd", 1_000_000_000),
    ("billion", 1_000_000_000),
    ("bn", 1_000_000_000),
    ("mnok", 1_000_000),
    ("millioner", 1_000_000),
    ("million", 1_000_000),
    ("millions", 1_000_000),
    ("mill.", 1_000_000),
    ("mill", 1_000_000),
    ("mln", 1_000_000),
    ("mio.", 1_000_000),
    ("mio", 1_000_000),
    ("m", 1_000_000),
    ("tnok", 1_000),
    ("tkr.", 1_000),
    ("tkr", 1_000),
    ("tusen", 1_000),
    ("thousand", 1_000),
    ("k", 1_000),
)


class AmountError(ValueError):
    """The text is not an amount; ``code`` says why (``empty``, ``invalid``, ``negative``,
    ``too_large``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _number(text: str, scaled: bool) -> Decimal:
    """A number written the Norwegian (or English) way: separators, comma or point decimals."""
    if not re.fullmatch(r"[0-9.,]+", text) or not re.search(r"\d", text):
        raise AmountError("invalid")
    commas, points = text.count(","), text.count(".")
    if commas and points:
        # The later separator is the decimal mark: "2.400.000,50" or "2,400,000.50".
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        if text.count(decimal_mark) > 1:
            raise AmountError("invalid")
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif commas or points:
        mark = "," if commas else "."
        parts = text.split(mark)
        grouped = len(parts) > 2 or (len(parts[-1]) == 3 and not scaled and parts[0] != "0")
        if grouped:
            if not all(len(part) == 3 for part in parts[1:]) or not parts[0]:
                raise AmountError("invalid")
            text = "".join(parts)
        else:
            text = ".".join(parts)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise AmountError("invalid") from None


def parse_amount_nok(text: str | None) -> int:
    """Whole NOK from Norwegian input; raises ``AmountError``."""
    if text is None or not str(text).strip():
        raise AmountError("empty")
    value = str(text).strip().lower()
    value = value.replace("\u2212", "-").replace("\u2013", "-")
    negative = value.startswith("-")
    value = value.lstrip("-").strip()
    value = SPACES.sub("", value)
    for _ in range(2):  # "kr 2,4 mill." and "2 400 000 kr": currency on either side
        value = CURRENCY.sub("", value)
    for suffix in ("eks.mva.", "eks.mva", "eksmva", "ekskl.mva.", "ekskl.mva", "exvat"):
        value = value.removesuffix(suffix)
    value = CURRENCY.sub("", value)
    factor = 1
    for word, multiplier in MULTIPLIERS:
        if value.endswith(word) and value[: -len(word)] and value[: -len(word)][-1].isdigit():
            factor = multiplier
            value = value[: -len(word)]
            break
    value = value.rstrip(".") if factor != 1 else value
    if value.endswith((",-", ".-")):
        value = value[:-2]
    number = _number(value, scaled=factor != 1) * factor
    if negative and number:
        raise AmountError("negative")
    whole = int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if whole > MAX_AMOUNT:
        raise AmountError("too_large")
    return whole


def parse_months(text: str | None) -> int:
    """Whole months, 0 to 1200 ("24", "24 mnd", "24 måneder"); raises ``AmountError``."""
    if text is None or not str(text).strip():
        raise AmountError("empty")
    value = SPACES.sub("", str(text).strip().lower())
    for suffix in ("måneder", "måned", "months", "month", "mnd.", "mnd", "mån"):
        value = value.removesuffix(suffix)
    if not value.isdigit():
        raise AmountError("invalid")
    months = int(value)
    if months > 1200:
        raise AmountError("too_large")
    return months


DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


def parse_date(text: str | None) -> dt.date:
    """A date as "15.03.2026", "15.3.2026", "2026-03-15" or "15/03/2026"."""
    if text is None or not str(text).strip():
        raise AmountError("empty")
    value = str(text).strip().replace(" ", "")
    if len(value) == 10 and value[4] == value[7] == "-":
        # What a browser's date field sends (ISO, "%Y-%m-%d"): read directly instead of after
        # two failed strptime attempts; anything fromisoformat refuses goes through the loop.
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise AmountError("invalid")


def format_nok(amount: int | None, locale: str = "nb") -> str:
    """``"kr 2 400 000"`` (nb, with no-break spaces) or ``"NOK 2,400,000"`` (en)."""
    if amount is None:
        return ""
    return format_currency(
        amount, "NOK", format="¤\u00a0#,##0", locale=locale, currency_digits=False
    )


def format_plain(amount: int | None, locale: str = "nb") -> str:
    """The amount for an input field: ``"2 400 000"`` (nb) / ``"2,400,000"`` (en)."""
    if amount is None:
        return ""
    from babel.numbers import format_decimal

    return format_decimal(amount, format="#,##0", locale=locale)


def format_date(value: str | dt.date | None, locale: str = "nb") -> str:
    """``"15.03.2026"`` (nb) / ``"15 March 2026"`` (en)."""
    if value in (None, ""):
        return ""
    date = dt.date.fromisoformat(value) if isinstance(value, str) else value
    if locale == "nb":
        return date.strftime("%d.%m.%Y")
    from babel.dates import format_date as babel_format_date

    return babel_format_date(date, format="long", locale=locale)
