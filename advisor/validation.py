"""Validation errors in the user's language (bokmål or English).

pydantic's messages are English only. The API (422 problem+json) and plan screening (bad rows)
name every invalid field with a reason in ``nb`` or ``en``: ``describe(error, lang)`` turns a
``ValidationError`` into ``[{"name", "reason", "code"}]``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

# pydantic error type -> (nb, en); ``{...}`` are filled from the error's ``ctx``.
MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("Feltet må fylles ut.", "This field is required."),
    "extra_forbidden": ("Ukjent felt.", "Unknown field."),
    "enum": ("Ugyldig verdi; bruk en av: {expected}.", "Invalid value; use one of: {expected}."),
    "literal_error": (
        "Ugyldig verdi; bruk en av: {expected}.",
        "Invalid value; use one of: {expected}.",
    ),
    "int_type": ("Må være et heltall.", "Must be a whole number."),
    "int_parsing": ("Må være et heltall.", "Must be a whole number."),
    "int_from_float": ("Må være et heltall uten desimaler.", "Must be a whole number."),
    "int_parsing_size": ("Tallet er for stort.", "The number is too large."),
    "greater_than_equal": ("Må være minst {ge}.", "Must be at least {ge}."),
    "greater_than": ("Må være større enn {gt}.", "Must be greater than {gt}."),
    "less_than_equal": ("Kan være høyst {le}.", "Must be at most {le}."),
    "less_than": ("Må være mindre enn {lt}.", "Must be less than {lt}."),
    "string_type": ("Må være tekst.", "Must be text."),
    "string_too_long": (
        "Teksten er for lang (høyst {max_length} tegn).",
        "The text is too long (at most {max_length} characters).",
    ),
    "string_too_short": ("Teksten er for kort.", "The text is too short."),
    "bool_type": ("Må være true eller false.", "Must be true or false."),
    "bool_parsing": ("Må være true eller false.", "Must be true or false."),
    "date_type": ("Må være en dato (ÅÅÅÅ-MM-DD).", "Must be a date (YYYY-MM-DD)."),
    "date_parsing": ("Må være en dato (ÅÅÅÅ-MM-DD).", "Must be a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": (
        "Må være en dato (ÅÅÅÅ-MM-DD).",
        "Must be a date (YYYY-MM-DD).",
    ),
    "date_from_datetime_inexact": (
        "Må være en dato uten klokkeslett (ÅÅÅÅ-MM-DD).",
        "Must be a date without a time (YYYY-MM-DD).",
    ),
    "model_type": ("Må være et JSON-objekt.", "Must be a JSON object."),
    "model_attributes_type": ("Må være et JSON-objekt.", "Must be a JSON object."),
    "dict_type": ("Må være et JSON-objekt.", "Must be a JSON object."),
}

# Value errors raised by our own validators (matched on the English message).
VALUE_ERRORS: dict[str, tuple[str, str]] = {
    "CPV code must be": (
        "CPV-koden må være 8 sifre, eventuelt med kontrollsiffer (f.eks. 90910000-9).",
        "The CPV code must be 8 digits, optionally with a check digit (e.g. 90910000-9).",
    ),
}


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(body)"


def message(error: dict[str, Any], lang: str) -> str:
    """One pydantic error as a sentence in ``lang``."""
    kind = error.get("type", "")
    index = 1 if lang == "en" else 0
    if kind == "value_error":
        text = str(error.get("msg", ""))
        for prefix, texts in VALUE_ERRORS.items():
            if prefix in text:
                return texts[index]
        return text.removeprefix("Value error, ")
    template = MESSAGES.get(kind)
    if template is None:
        return str(error.get("msg", "")) if lang == "en" else f"Ugyldig verdi ({error.get('msg')})."
    ctx = {key: value for key, value in (error.get("ctx") or {}).items()}
    if "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace(" or ", ", ").replace("'", "")
    try:
        return template[index].format(**ctx)
    except (KeyError, IndexError, ValueError):
        return template[index].split(";")[0].split("{")[0].strip()


def describe(error: ValidationError, lang: str = "nb") -> list[dict[str, str]]:
    """Every invalid field: ``{"name": "estimated_value_nok", "reason": ..., "code": ...}``."""
    return [
        {
            "name": _location(item["loc"]),
            "reason": message(item, lang),
            "code": str(item.get("type", "invalid")),
        }
        for item in error.errors(include_url=False)
    ]
