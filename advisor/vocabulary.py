"""How values read wherever an assessment is shown: the result page and the guidance PDF (and
the Word documents to come) use these, so they agree on every word and number format.

- amounts: ``advisor.money.format_money`` ("3 600 000 kr" / "NOK 3,600,000")
- dates: ``long_date`` ("1. mars 2026" / "1 March 2026")
- durations: ``months`` ("48 måneder" / "48 months")
- a dated parameter value with its unit: ``quantity`` (money, months, "20 %")
- the buyer's answers: ``answer_rows``, only the answers the Case was given (``Case.given``),
  each named by its title in facts.yaml and its value in the rule base's words

All of it is Babel (CLDR) for the language's locale; nothing here decides anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from babel.units import format_unit

from advisor.case import Case
from advisor.money import format_money
from advisor.rulebase.loader import RuleBase
from advisor.texts import LocalText

LOCALES = {"nb": "nb_NO", "en": "en_GB"}

#: The Case's answers that are not facts the rules read, with their names.
NOT_FACTS = {
    "title": LocalText(nb="Anskaffelsens navn", en="Name of the procurement"),
    "law_as_of": LocalText(nb="Dato for regelverket", en="Date whose law applies"),
}
YES = LocalText(nb="ja", en="yes")
NO = LocalText(nb="nei", en="no")
NOT_GIVEN = LocalText(nb="ikke oppgitt", en="not given")


def locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["nb"])


def capfirst(text: str) -> str:
    """First letter upper-case, the rest untouched."""
    return text[:1].upper() + text[1:]


def long_date(day: dt.date | None, lang: str) -> str:
    """``1. mars 2026`` / ``1 March 2026`` (British English)."""
    if day is None:
        return ""
    return format_date(day, "long", locale=locale(lang))


def months(n: int, lang: str) -> str:
    """``48 måneder`` / ``1 month``."""
    return format_unit(n, "duration-month", length="long", locale=locale(lang))


def quantity(value: Any, unit: str | None, lang: str) -> str:
    """A parameter value with its unit: ``1 300 000 kr``, ``48 måneder``, ``20 %`` (the rule
    base writes percentages as 20, not 0.2)."""
    if unit == "NOK":
        return format_money(value, lang)
    if unit == "months" and isinstance(value, int):
        return months(value, lang)
    if unit == "percent":
        return f"{format_decimal(value, locale=locale(lang))} %"
    if isinstance(value, bool):
        return (YES if value else NO).get(lang)
    if isinstance(value, int | float):
        return format_decimal(value, locale=locale(lang))
    return str(value)


def answer_label(name: str, lang: str, rulebase: RuleBase) -> str:
    """An answer's name in the answers table: the title of the fact in facts.yaml."""
    if name in NOT_FACTS:
        return NOT_FACTS[name].get(lang)
    return rulebase.facts.inputs[name].title.get(lang)


def answer_value(name: str, value: Any, lang: str, rulebase: RuleBase) -> str:
    """An answer in words: a value as the rule base names it (facts.yaml), yes or no, an
    amount, a date, a number of months."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return capfirst((YES if value else NO).get(lang))
    words = rulebase.value_label(name, value)
    if words is not None:
        return capfirst(words.get(lang))
    spec = rulebase.facts.inputs.get(name)
    if spec is not None and spec.type == "amount" and isinstance(value, int | float):
        return format_money(value, lang)
    if name == "duration_months" and isinstance(value, int):
        return months(value, lang)
    if isinstance(value, dt.date):
        return long_date(value, lang)
    return quantity(value, None, lang)


def fact_value(name: str, value: Any, lang: str, rulebase: RuleBase) -> str:
    """A fact a rule used (the trail): an answer as in the answers table, a derived fact by
    the rule base's name for its value; an answer not given says so."""
    if value is None:
        return capfirst(NOT_GIVEN.get(lang))
    if name in rulebase.facts.inputs:
        return answer_value(name, value, lang, rulebase)
    words = rulebase.value_label(name, value)
    if words is not None:
        return capfirst(words.get(lang))
    if name == "cpv_num" and isinstance(value, int):
        return f"{value:08d}"  # the CPV code as the Case compares it
    return quantity(value, None, lang)


@dataclass(frozen=True)
class AnswerRow:
    name: str
    label: str
    value: str


def answer_rows(case: Case, lang: str, rulebase: RuleBase) -> list[AnswerRow]:
    """The answers the advice rests on, as given: every field the Case was given except its
    title (the document's heading), never a field left out. A "vet ikke" shows as the buyer
    gave it; a fact not stated is not in the table at all."""
    return [
        AnswerRow(
            name=name,
            label=answer_label(name, lang, rulebase),
            value=answer_value(name, value, lang, rulebase),
        )
        for name in case.given()
        if name != "title" and (value := getattr(case, name)) is not None and value != ""
    ]
