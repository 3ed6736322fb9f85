"""Amounts in Norwegian kroner: the one formatter and the one parser of the whole application.

The web pages, the guidance PDF, the plan screening (page, PDF, XLSX/CSV) and the explanations
in an Assessment all show money through ``format_money``, and the wizard, the value helper and
the plan screening all read typed amounts through ``parse_amount``, so "1,234" cannot mean one
thing in one place and another elsewhere.

Display follows the locale's own currency pattern from Babel (CLDR), without øre:
``3 600 000 kr`` in bokmål (no-break spaces) and ``NOK 3,600,000`` in English.

Input follows how people write amounts in Norway: the comma is the decimal mark, spaces and
points group thousands, and currency words and multipliers may surround the number::

    "2 500 000", "2.500.000", "kr 2 500 000", "2 500 000 kr", "NOK 2 500 000,-", "2500000",
    "2,5 mill.", "2,5 millioner", "2,5 MNOK", "750 tusen", "750k", "1,2 mrd.", "500 000,50"

A comma followed by exactly three digits ("1,234") could be a thousands separator or a decimal
mark, so it is refused with a question back instead of guessed. "2,400,000" (several groups) and
"2,400,000.50" (both marks) can only mean one thing and are read. Whole kroner come back (øre
rounded half up); anything else raises ``AmountError``, whose ``text(lang)`` says what was wrong
in bokmål or English.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel import Locale
from babel.numbers import format_currency, format_decimal

#: The largest amount anyone can mean for one procurement (the Case has the same limit).
MAX_AMOUNT = 1_000_000_000_000

#: Babel locale of each language of the interface; anything else is shown as bokmål.
LOCALES = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}

#: Digits and separators longer than this are too large whatever the separators say.
_MAX_LENGTH = 40

_SPACES = re.compile(r"[\s'’_]+")
_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-"})
_CURRENCY_BEFORE = re.compile(r"^(?:kroner|kr\.?|nok)")
_CURRENCY_AFTER = re.compile(  # not the "nok"/"kr" of the multipliers "mnok", "tnok", "tkr"
    r"(?:eks(?:kl)?\.?mva\.?|excl?\.?vat|ex\.?vat|utenmva|kroner|(?<![mtk])nok|(?<!t)kr\.?|"
    r",-|\.-)$"
)
_MULTIPLIERS: tuple[tuple[str, int], ...] = (  # longest first: "millioner" before "m"
    ("milliarder", 1_000_000_000),
    ("milliard", 1_000_000_000),
    ("billions", 1_000_000_000),
    ("billion", 1_000_000_000),
    ("mrd.", 1_000_000_000),
    ("mrd", 1_000_000_000),
    ("bn", 1_000_000_000),
    ("millioner", 1_000_000),
    ("millions", 1_000_000),
    ("million", 1_000_000),
    ("mill.", 1_000_000),
    ("mill", 1_000_000),
    ("mnok", 1_000_000),
    ("mln.", 1_000_000),
    ("mln", 1_000_000),
    ("mio.", 1_000_000),
    ("mio", 1_000_000),
    ("m", 1_000_000),
    ("thousand", 1_000),
    ("tusen", 1_000),
    ("tnok", 1_000),
    ("knok", 1_000),
    ("tkr.", 1_000),
    ("tkr", 1_000),
    ("k", 1_000),
)
_GROUPED = {mark: re.compile(rf"\d{{1,3}}(?:{re.escape(mark)}\d{{3}})+") for mark in ",."}
_LETTER_BESIDE_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


# ---------------------------------------------------------------------------- display


@cache
def _pattern(lang: str, fraction: str) -> str:
    """The locale's standard currency pattern with ``fraction`` in place of its two decimals."""
    standard = Locale.parse(LOCALES.get(lang, "nb_NO")).currency_formats["standard"].pattern
    return standard.replace(".00", fraction)


def _currency(value: Decimal | int, lang: str, fraction: str) -> str:
    text = format_currency(
        value,
        "NOK",
        format=_pattern(lang, fraction),
        locale=LOCALES.get(lang, "nb_NO"),
        currency_digits=False,
    )
    # CLDR's currency spacing (a no-break space between a code like NOK and the digits), which
    # Babel's pattern formatting leaves out.
    return _LETTER_BESIDE_DIGIT.sub("\u00a0", text)


def whole_kroner(value: float | Decimal) -> int:
    """``value`` rounded half up to whole kroner."""
    if isinstance(value, int):
        return value
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_money(amount: float | Decimal | None, lang: str = "nb") -> str:
    """``"3 600 000 kr"`` (bokmål) or ``"NOK 3,600,000"`` (English); ``""`` for no amount."""
    if amount is None:
        return ""
    return _currency(whole_kroner(amount), lang, "")


def format_amount(amount: float | Decimal | None, lang: str = "nb") -> str:
    """The number alone, grouped as the language groups it (``"3 600 000"`` / ``"3,600,000"``),
    for table columns whose heading names the currency."""
    if amount is None:
        return ""
    return format_decimal(whole_kroner(amount), format="#,##0", locale=LOCALES.get(lang, "nb_NO"))


def input_value(amount: int | None) -> str:
    """The amount as an input field shows it again, in every language: ``"3 600 000"``.

    Grouped with plain spaces so that ``parse_amount`` reads it back as the same amount (the
    English grouping "500,000" would be the ambiguous "1,234" case)."""
    if amount is None:
        return ""
    return f"{amount:,}".replace(",", " ")


# ---------------------------------------------------------------------------- input


class AmountError(ValueError):
    """Text that is not an amount. ``code`` says why (``empty``, ``invalid``, ``digits``,
    ``ambiguous``, ``negative``, ``too_large``); ``text(lang)`` says it to the user."""

    def __init__(self, code: str, nb: str, en: str) -> None:
        super().__init__(en)
        self.code = code
        self.nb = nb
        self.en = en

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.nb


def _shown(text: str) -> str:
    """The user's text quoted back: control characters dropped, at most 40 characters."""
    visible = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    return visible if len(visible) <= 40 else visible[:39] + "…"


def _invalid(original: str) -> AmountError:
    shown = _shown(original)
    if not shown:
        return AmountError(
            "invalid",
            "Skriv beløpet i kroner, for eksempel 2 400 000 eller 2,4 mill.",
            "Enter the amount in kroner, for example 2 400 000 or 2,4 mill.",
        )
    return AmountError(
        "invalid",
        f"«{shown}» er ikke et beløp. Skriv beløpet i kroner, for eksempel 2 400 000 eller "
        "2,4 mill.",
        f"“{shown}” is not an amount. Enter the amount in kroner, for example 2 400 000 or "
        "2,4 mill.",
    )


def _too_large() -> AmountError:
    return AmountError(
        "too_large",
        f"Beløpet er for stort (over {format_money(MAX_AMOUNT, 'nb')}); sjekk antall sifre.",
        f"The amount is too large (over {format_money(MAX_AMOUNT, 'en')}); check the number "
        "of digits.",
    )


def _ambiguous(original: str, whole: str, fraction: str) -> AmountError:
    thousands = int(whole + fraction)
    decimal = Decimal(f"{whole}.{fraction}")
    shown = _shown(original)
    return AmountError(
        "ambiguous",
        f"«{shown}» kan leses på to måter: mente du {format_money(thousands, 'nb')} eller "
        f"{_currency(decimal, 'nb', '.###')}? Skriv {input_value(thousands)} (med mellomrom) for "
        "tusener; komma leses som desimaltegn.",
        f"“{shown}” can be read two ways: did you mean {format_money(thousands, 'en')} or "
        f"{_currency(decimal, 'en', '.###')}? Write {input_value(thousands)} (with a space) for "
        "thousands; a comma is read as the decimal mark.",
    )


def _check_range(number: Decimal, negative: bool) -> int:
    if negative and number:
        raise AmountError(
            "negative", "Beløpet kan ikke være negativt.", "The amount cannot be negative."
        )
    if number > MAX_AMOUNT:
        raise _too_large()
    return whole_kroner(number)


def _number(text: str, original: str, scaled: bool) -> Decimal:
    """The digits and separators left once words and spaces are gone, as a number."""
    if not re.fullmatch(r"[0-9.,]*[0-9][0-9.,]*", text):
        raise _invalid(original)
    if len(text) > _MAX_LENGTH:
        raise _too_large()
    commas, points = text.count(","), text.count(".")
    if commas and points:  # "2.400.000,50" or "2,400,000.50": the later mark is the decimal one
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        whole, _, fraction = text.rpartition(decimal_mark)
        if thousands in fraction or not _GROUPED[thousands].fullmatch(whole) or not fraction:
            raise _invalid(original)
        return Decimal(f"{whole.replace(thousands, '')}.{fraction}")
    if not commas and not points:
        return Decimal(text)
    mark = "," if commas else "."
    whole, _, fraction = text.partition(mark)
    if mark in fraction:  # "2.400.000" or "2,400,000": thousands groups, nothing else
        if scaled or not _GROUPED[mark].fullmatch(text):
            raise _invalid(original)
        return Decimal(text.replace(mark, ""))
    if not whole or not fraction:
        raise _invalid(original)
    three_digits = len(fraction) == 3 and len(whole) <= 3 and whole != "0" and not scaled
    if three_digits and mark == ",":
        raise _ambiguous(original, whole, fraction)
    if three_digits:  # "1.000": the point groups thousands in Norwegian
        return Decimal(whole + fraction)
    return Decimal(f"{whole}.{fraction}")


def parse_amount(value: str | float | Decimal | None) -> int:
    """Whole kroner from what a person typed (or a spreadsheet cell held); ``AmountError``
    for anything that is not one amount between 0 and ``MAX_AMOUNT``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise AmountError("empty", "Skriv inn et beløp.", "Enter an amount.")
    if isinstance(value, bool):
        raise _invalid("")
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        if not number.is_finite():
            raise _invalid("")
        return _check_range(abs(number), negative=number < 0)
    original = str(value)
    if any(unicodedata.category(ch)[0] == "C" and not ch.isspace() for ch in original):
        raise _invalid(original)
    if any(ch.isdigit() and not ch.isascii() for ch in original):
        raise AmountError(
            "digits",
            "Skriv beløpet med sifrene 0–9.",
            "Write the amount with the digits 0–9.",
        )
    text = _SPACES.sub("", original.lower().translate(_MINUS))
    negative = text.startswith("-")
    text = _CURRENCY_BEFORE.sub("", text.lstrip("-"))
    negative = negative or text.startswith("-")
    text = text.lstrip("-")
    for _ in range(3):  # "2 400 000 kr eks. mva" and "kr 2 400 000,-": words on either side
        text = _CURRENCY_AFTER.sub("", text)
    factor = 1
    for word, multiplier in _MULTIPLIERS:
        stem = text.removesuffix(word)
        if stem != text and stem[-1:].isdigit():
            factor, text = multiplier, stem
            break
    number = _number(text, original, scaled=factor != 1) * factor
    return _check_range(number, negative)
