"""Reading the cells of a procurement plan as people write them in Norway.

Every parser takes a raw cell (text from CSV, or a number/date from XLSX) and returns the value,
``None`` for an empty cell, or raises ``CellError`` with the reason in bokmål and English.

- amounts: read by ``advisor.money.parse_amount``, the wizard's parser (``2 400 000``,
  ``2.400.000``, ``kr 350 000,-``, ``2,4 mill.``; "1,234" is refused with a question back),
  and numbers from XLSX;
- dates: ``2026-03-01``, ``01.03.2026``, ``1.3.26``, ``03.2026``, ``mars 2026``, ``Q2 2026``,
  ``2. kvartal 2026``, ``2026``, dates from XLSX;
- durations in months: ``24``, ``24 mnd``, ``2 år``, ``2+1+1 år`` (options included);
- kind, buyer type, service type and target supplier in Norwegian or English (or the API codes).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

from advisor import money
from advisor.assessment import LocalText


class CellError(ValueError):
    def __init__(self, nb: str, en: str) -> None:
        super().__init__(en)
        self.text = LocalText(nb=nb, en=en)


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean(value: Any) -> str:
    """Text with spaces (also non-breaking/thin) collapsed, trimmed."""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------------------- amounts


def parse_amount(value: Any) -> int | None:
    """Whole kroner (``advisor.money.parse_amount``, as in the wizard); ``None`` when empty."""
    if is_empty(value):
        return None
    try:
        return money.parse_amount(value)
    except money.AmountError as error:
        raise CellError(error.nb, error.en) from None


# ---------------------------------------------------------------------------- dates

MONTHS = {
    "jan": 1,
    "januar": 1,
    "january": 1,
    "feb": 2,
    "februar": 2,
    "february": 2,
    "mar": 3,
    "mars": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "mai": 5,
    "may": 5,
    "jun": 6,
    "juni": 6,
    "june": 6,
    "jul": 7,
    "juli": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "okt": 10,
    "oktober": 10,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "des": 12,
    "desember": 12,
    "dec": 12,
    "december": 12,
}


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def parse_date(value: Any) -> dt.date | None:
    """The start date (first day of the month/quarter/year when only that is given)."""
    if is_empty(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 1900 <= value <= 2200:
            return dt.date(int(value), 1, 1)
        raise _bad_date(value)
    text = clean(value).lower().rstrip(".")
    try:
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ].*)?", text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})", text):
            return dt.date(_year(match[3]), int(match[2]), int(match[1]))
        if match := re.fullmatch(r"(\d{1,2})[./-](\d{4})", text):
            return dt.date(int(match[2]), int(match[1]), 1)
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            return dt.date(int(match[1]), int(match[2]), 1)
        if match := re.fullmatch(r"([a-zæøå]+)\.? (\d{4})", text):
            month = MONTHS.get(match[1])
            if month:
                return dt.date(int(match[2]), month, 1)
        if match := re.fullmatch(r"(?:q|k)([1-4]) ?(\d{4})|([1-4])\.? ?kvartal (\d{4})", text):
            quarter = int(match[1] or match[3])
            return dt.date(int(match[2] or match[4]), 3 * quarter - 2, 1)
        if match := re.fullmatch(r"(\d{4})", text):
            return dt.date(int(match[1]), 1, 1)
    except ValueError:
        pass
    raise _bad_date(value)


def _bad_date(value: Any) -> CellError:
    return CellError(
        f"«{clean(value)}» er ikke en dato (skriv f.eks. 01.03.2026, mars 2026 eller Q2 2026).",
        f"“{clean(value)}” is not a date (write e.g. 2026-03-01, March 2026 or Q2 2026).",
    )


# ---------------------------------------------------------------------------- durations


def parse_duration(value: Any) -> int | None:
    """Months, options included (``2+1+1 år`` = 48)."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise _bad_duration(value)
    if isinstance(value, int | float):
        if not math.isfinite(value) or value < 0 or value > 1200:
            raise _bad_duration(value)
        return round(value)
    text = clean(value).lower().replace(",", ".")
    match = re.fullmatch(
        r"(\d+(?:\.\d+)?(?:\s*\+\s*\d+(?:\.\d+)?)*)\s*"
        r"(mnd\.?|måneder|måned|md\.?|months?|mths?|m|år|years?|yrs?|y)?",
        text,
    )
    if not match:
        raise _bad_duration(value)
    total = sum(float(part) for part in match[1].split("+"))
    unit = match[2] or "mnd"
    months = total * 12 if unit in ("år", "year", "years", "yr", "yrs", "y") else total
    if months > 1200:
        raise _bad_duration(value)
    return round(months)


def _bad_duration(value: Any) -> CellError:
    return CellError(
        f"«{clean(value)}» er ikke en varighet (skriv f.eks. 24 mnd, 2 år eller 2+1+1 år).",
        f"“{clean(value)}” is not a duration (write e.g. 24 months, 2 years or 2+1+1 years).",
    )


# ---------------------------------------------------------------------------- kinds and types


def _key(value: Any) -> str:
    text = re.sub(r"[^a-zæøå0-9 ]+", " ", clean(value).lower())
    return re.sub(r"\s+", " ", text).strip()


KINDS: dict[str, tuple[str, str | None]] = {
    "varer": ("goods", None),
    "vare": ("goods", None),
    "varekjøp": ("goods", None),
    "goods": ("goods", None),
    "supplies": ("goods", None),
    "tjenester": ("services", None),
    "tjeneste": ("services", None),
    "tjenestekjøp": ("services", None),
    "services": ("services", None),
    "service": ("services", None),
    "bygg og anlegg": ("works", None),
    "bygg anlegg": ("works", None),
    "bygge og anlegg": ("works", None),
    "bygge og anleggsarbeid": ("works", None),
    "bygg": ("works", None),
    "b a": ("works", None),
    "works": ("works", None),
    "work": ("works", None),
    "construction": ("works", None),
    "helse og sosialtjenester": ("services", "health_social"),
    "helse og sosial": ("services", "health_social"),
    "health and social services": ("services", "health_social"),
    "health social": ("services", "health_social"),
    "særlige tjenester": ("services", "special"),
    "special services": ("services", "special"),
}


def parse_kind(value: Any) -> tuple[str, str | None]:
    """``(subject, service_type or None)`` from the kind column."""
    if is_empty(value):
        raise CellError(
            "Art mangler (varer, tjenester eller bygg og anlegg).",
            "Kind is missing (goods, services or works).",
        )
    found = KINDS.get(_key(value))
    if found is None:
        raise CellError(
            f"Ukjent art «{clean(value)}»; skriv varer, tjenester eller bygg og anlegg.",
            f"Unknown kind “{clean(value)}”; write goods, services or works.",
        )
    return found


SERVICE_TYPES = {
    "ordinær": "ordinary",
    "ordinære": "ordinary",
    "ordinary": "ordinary",
    "vanlig": "ordinary",
    "særlige": "special",
    "særlig": "special",
    "særlige tjenester": "special",
    "special": "special",
    "vedlegg 2": "special",
    "helse og sosial": "health_social",
    "helse og sosialtjenester": "health_social",
    "health social": "health_social",
    "health and social": "health_social",
    "vedlegg 3": "health_social",
}


def parse_service_type(value: Any) -> str | None:
    if is_empty(value):
        return None
    found = SERVICE_TYPES.get(_key(value))
    if found is None:
        raise CellError(
            f"Ukjent tjenestetype «{clean(value)}»; skriv ordinær, særlige eller helse og sosial.",
            f"Unknown service type “{clean(value)}”; write ordinary, special or health and social.",
        )
    return found


def parse_buyer(value: Any) -> str:
    """The buyer type from a type (``kommune``) or a name (``Bergen kommune``)."""
    if is_empty(value):
        raise CellError("Oppdragsgiver mangler.", "The buyer is missing.")
    key = _key(value)
    codes = {"municipality", "county", "state", "other public body"}
    if key in codes:
        return key.replace(" ", "_")
    words = key.split()
    if any(w in ("fylkeskommune", "fylkeskommunen", "fylke", "county") for w in words):
        return "county"
    if any(w.endswith("fylkeskommune") for w in words):
        return "county"
    if any(w in ("kommune", "kommunen", "kommunal", "municipality", "bydel") for w in words):
        return "municipality"
    if (
        any(
            w
            in (
                "stat",
                "staten",
                "statlig",
                "state",
                "direktorat",
                "direktoratet",
                "departement",
                "departementet",
                "etat",
                "etaten",
                "statens",
                "tilsyn",
                "tilsynet",
            )
            for w in words
        )
        or key.startswith("statens")
        or key.endswith("direktoratet")
    ):
        return "state"
    if (
        "annen offentlig" in key
        or "other public" in key
        or any(
            w in ("helseforetak", "foretak", "hf", "universitet", "universitetet") for w in words
        )
    ):
        return "other_public_body"
    raise CellError(
        f"Kan ikke se hva slags oppdragsgiver «{clean(value)}» er; skriv kommune, "
        "fylkeskommune, stat eller annen offentlig.",
        f"Cannot tell what kind of buyer “{clean(value)}” is; write municipality, county, "
        "state or other public body.",
    )


TARGETS = {
    "wise": "wise",
    "arbeidsintegrerende": "wise",
    "arbeidsintegrerende virksomhet": "wise",
    "ideell": "ideell",
    "ideelle": "ideell",
    "ideell organisasjon": "ideell",
    "non profit": "ideell",
    "sosial entreprenør": "social_enterprise",
    "sosiale entreprenører": "social_enterprise",
    "social enterprise": "social_enterprise",
    "social entrepreneur": "social_enterprise",
    "ingen": "none",
    "none": "none",
}


def parse_target(value: Any) -> str | None:
    if is_empty(value):
        return None
    found = TARGETS.get(_key(value))
    if found is None:
        raise CellError(
            f"Ukjent målgruppe «{clean(value)}»; skriv arbeidsintegrerende, ideell, "
            "sosial entreprenør eller ingen.",
            f"Unknown target supplier “{clean(value)}”; write wise, non-profit, "
            "social enterprise or none.",
        )
    return found


def parse_cpv(value: Any) -> str | None:
    """8 digits (leading zeros restored for numbers from XLSX); the check digit is dropped."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise _bad_cpv(value)
    if isinstance(value, int | float):
        if not float(value).is_integer() or value < 0 or value >= 100_000_000:
            raise _bad_cpv(value)
        return f"{int(value):08d}"
    text = clean(value).replace(" ", "")
    match = re.fullmatch(r"([0-9]{7,8})(?:-[0-9])?", text)
    if not match:
        raise _bad_cpv(value)
    return match[1].zfill(8)


def _bad_cpv(value: Any) -> CellError:
    return CellError(
        f"«{clean(value)}» er ikke en CPV-kode (8 sifre, f.eks. 90910000).",
        f"“{clean(value)}” is not a CPV code (8 digits, e.g. 90910000).",
    )
