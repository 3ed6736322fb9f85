"""Reading one wizard page's form: typed values to stored answers, with error messages.

Nothing typed is lost: ``PageForm.raw`` keeps what was posted, so a page with errors shows it
again. Messages are translated here (Flask-Babel, English msgids).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from advisor.i18n import gettext as _
from advisor.money import AmountError, parse_amount
from advisor.rulebase.questions import Question
from advisor.wizard.cpv import CODE, CpvName, CpvNames
from advisor.wizard.parsing import InputError, parse_date, parse_months

MAX_TEXT = 200
PASTED_BREAKS = str.maketrans("\t\r\n", "   ")
MIN_AMOUNT = 1000  # below this an estimated value is surely a typing slip


@dataclass
class FieldError:
    question: Question
    message: str
    anchor: str  # id of the input the error summary links to


@dataclass
class PageForm:
    values: dict[str, Any] = field(default_factory=dict)  # valid answers (None: cleared)
    errors: dict[str, FieldError] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    cpv_matches: dict[str, list[CpvName]] = field(default_factory=dict)


def input_id(question: Question, option: str | None = None) -> str:
    base = f"q-{question.id}"
    return f"{base}-{option}" if option is not None else base


def first_input_id(question: Question) -> str:
    if question.type in ("choice", "flags"):
        return (
            input_id(question, question.options[0].value)
            if question.options
            else input_id(question)
        )
    if question.type in ("yes_no", "yes_no_unknown"):
        return input_id(question, "yes")
    return input_id(question)


def read_page(
    questions: list[Question],
    form: MultiDict[str, str],
    *,
    cpv_names: CpvNames,
    earliest: dt.date | None = None,
    lang: str = "nb",
    searching: bool = False,
) -> PageForm:
    result = PageForm()
    for question in questions:
        name = question.id
        if question.type == "flags":
            chosen = [v for v in form.getlist(name) if question.option(v) is not None]
            result.raw[name] = chosen
            result.values[name] = chosen
            continue
        raw = (form.get(name) or "").strip()
        result.raw[name] = raw
        try:
            value = _read(question, raw, form, cpv_names, earliest, lang, result, searching)
        except _Invalid as invalid:
            result.errors[name] = FieldError(question, invalid.message, first_input_id(question))
            continue
        if value is None and question.required:
            result.errors[name] = FieldError(
                question, _missing_message(question), first_input_id(question)
            )
            continue
        result.values[name] = value
    return result


class _Invalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _missing_message(question: Question) -> str:
    if question.type in ("choice", "yes_no", "yes_no_unknown"):
        return _("Choose one of the answers.")
    if question.type == "amount":
        return _("Enter the estimated value in kroner.")
    if question.type == "date":
        return _("Enter a date, for example 15.03.2026.")
    if question.type == "months":
        return _("Enter the number of months.")
    return _("Answer the question.")


def _read(
    question: Question,
    raw: str,
    form: MultiDict[str, str],
    cpv_names: CpvNames,
    earliest: dt.date | None,
    lang: str,
    result: PageForm,
    searching: bool,
) -> Any:
    kind = question.type
    if kind in ("choice", "yes_no", "yes_no_unknown"):
        if not raw:
            return None
        if raw not in (question.domain() or ()):
            raise _Invalid(_("Choose one of the answers."))
        return raw
    if kind == "text":
        if len(raw) > MAX_TEXT:
            raise _Invalid(_("Use at most %(count)d characters.", count=MAX_TEXT))
        raw = raw.translate(PASTED_BREAKS)  # tabs and line breaks pasted into one line
        if any(unicodedata.category(ch) == "Cc" for ch in raw):  # NUL cannot even be stored
            raise _Invalid(_("Remove the control characters (such as NUL) from the text."))
        return raw or None
    if kind == "amount":
        if not raw:
            return None
        try:
            amount = parse_amount(raw)
        except AmountError as error:
            raise _Invalid(error.text(lang)) from None
        if amount < MIN_AMOUNT:  # "2,4" meant as millions would silently become 2 kroner
            raise _Invalid(
                _(
                    "The value is very low. Enter the whole amount in kroner, for example "
                    '"2 400 000" or "2,4 mill.".'
                )
            )
        return amount
    if kind == "months":
        if not raw:
            return None
        try:
            return parse_months(raw)
        except InputError:
            raise _Invalid(_("Enter a whole number of months between 0 and 1200.")) from None
    if kind == "date":
        if not raw:
            return None
        try:
            date = parse_date(raw)
        except InputError:
            raise _Invalid(_("Enter a real date, for example 15.03.2026.")) from None
        if earliest is not None and date < earliest:
            raise _Invalid(
                _(
                    "The rules cover procurements from %(date)s; enter that date or later.",
                    date=earliest.strftime("%d.%m.%Y"),
                )
            )
        if date.year > 2100:
            raise _Invalid(_("Enter a real date, for example 15.03.2026."))
        return date.isoformat()
    if kind == "cpv":
        picked = (form.get(f"{question.id}_pick") or "").strip()
        if picked and not searching and cpv_names.get(picked):
            result.raw[question.id] = picked
            return cpv_names.get(picked).code  # type: ignore[union-attr]
        if not raw:
            return None
        compact = raw.replace(" ", "")
        match = CODE.match(compact)
        if match:
            if cpv_names.by_code and match.group(1) not in cpv_names.by_code:
                raise _Invalid(
                    _(
                        "There is no CPV code %(code)s. Check the digits or search with words.",
                        code=match.group(1),
                    )
                )
            return match.group(1)
        matches = cpv_names.search(raw, lang, limit=8)
        result.cpv_matches[question.id] = matches
        if matches:
            raise _Invalid(_("Choose one of the CPV codes found below, or type an 8-digit code."))
        raise _Invalid(_("No CPV code matches these words. Try other words or type the code."))
    raise _Invalid(_("Answer the question."))  # pragma: no cover - types are validated at load
