"""What a step page and the review page show of a question: its texts and element ids in one
language, and an answer as a field shows it again or the review page lists it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app
from markupsafe import Markup

from advisor import money
from advisor.i18n import current_language
from advisor.i18n import gettext as _
from advisor.rulebase import citations
from advisor.rulebase.questions import Question
from advisor.state import current_state
from advisor.wizard.forms import input_id
from advisor.wizard.navigation import cpv_names, local, tree
from advisor.wizard.parsing import format_date

NO_MARKUP = Markup("")


def yes_no_labels() -> dict[str, str]:
    return {"yes": _("Yes"), "no": _("No"), "unknown": _("Don't know")}


@dataclass(frozen=True)
class OptionView:
    value: str
    label: str
    hint: str
    id: str  # the input's element id


@dataclass(frozen=True)
class QuestionView:
    """What a step page shows of one question in one language: texts, element ids, options
    (choice, yes/no and flags), legal-basis links, and the parts of its markup that never change
    (hint, "why do we ask" help, ``aria-describedby``). Built once per rule base and language
    (``question_views``), so a step page renders only what depends on the answer and errors."""

    question: Question
    id: str  # the input's (or fieldset's) element id
    label: str
    hint: str
    help: str
    options: tuple[OptionView, ...]
    citations: tuple[dict[str, str | None], ...]
    hint_html: Markup = NO_MARKUP  # the hint_block macro, rendered once
    help_html: Markup = NO_MARKUP  # the help_block macro, rendered once
    aria: Markup = NO_MARKUP  # ' aria-describedby="..."' without an error at the field
    aria_error: Markup = NO_MARKUP  # the same with the field's error message


def question_views(lang: str) -> dict[str, QuestionView]:
    """``QuestionView`` by question id for ``lang`` (the current request's language)."""
    rulebase = current_state().rulebase
    cache: dict[tuple[str, str], dict[str, QuestionView]] = current_app.extensions.setdefault(
        "advisor_wizard_views", {}
    )
    key = (rulebase.version, lang)
    found = cache.get(key)
    if found is None:
        found = {q.id: _question_view(q, lang) for q in tree().questions()}
        if not current_app.jinja_env.auto_reload:  # edited templates show at once in development
            cache[key] = found
    return found


def _question_view(question: Question, lang: str) -> QuestionView:
    def text(value: dict[str, str] | None) -> str:
        return (value.get(lang) or value.get("nb") or "") if value else ""

    if question.type in ("yes_no", "yes_no_unknown"):
        labels = yes_no_labels()
        values = ("yes", "no", "unknown") if question.type == "yes_no_unknown" else ("yes", "no")
        options = tuple(OptionView(v, labels[v], "", input_id(question, v)) for v in values)
    else:
        options = tuple(
            OptionView(
                o.value,
                text(o.label),
                text(o.hint) if question.type == "choice" else "",
                input_id(question, o.value),
            )
            for o in question.options
        )
    element_id = input_id(question)
    described = [f"{element_id}-hint"] if question.hint else []
    view = QuestionView(
        question=question,
        id=element_id,
        label=text(question.label),
        hint=text(question.hint),
        help=text(question.help),
        options=options,
        citations=tuple(citation_links(question)),
        aria=_described_by(described),
        aria_error=_described_by([*described, f"{element_id}-error"]),
    )
    macros = current_app.jinja_env.get_template("wizard/_macros.html").module
    return replace(
        view,
        hint_html=Markup(macros.hint_block(view)),  # type: ignore[attr-defined]
        help_html=Markup(macros.help_block(view)),  # type: ignore[attr-defined]
    )


def _described_by(ids: list[str]) -> Markup:
    if not ids:
        return NO_MARKUP
    return Markup(' aria-describedby="{}"').format(" ".join(ids))


def display_value(question: Question, value: Any) -> str:
    """An answer as the review page shows it."""
    lang = current_language()
    if value is None or value == "" or value == []:
        return ""
    if question.type == "choice":
        option = question.option(value)
        return local(option.label) if option else str(value)
    if question.type in ("yes_no", "yes_no_unknown"):
        return yes_no_labels().get(value, str(value))
    if question.type == "amount":
        return money.format_money(int(value), lang)
    if question.type == "months":
        return _("%(count)d months", count=int(value))
    if question.type == "date":
        return format_date(value, lang)
    if question.type == "cpv":
        name = cpv_names().get(value)
        return f"{value} – {name.name(lang)}" if name else str(value)
    if question.type == "flags":
        labels = [local(o.label) for o in question.options if o.value in (value or [])]
        return "; ".join(labels)
    return str(value)


def input_value(question: Question, value: Any) -> Any:
    """A stored answer as the input field shows it again."""
    if value is None:
        if question.type == "date" and question.default == "today":
            return dt.date.today().isoformat()
        return [] if question.type == "flags" else ""
    if question.type == "amount":
        return money.input_value(int(value))
    return value


def citation_links(question: Question) -> list[dict[str, str | None]]:
    rulebase = current_state().rulebase
    return [{"text": text, "url": citations.url(text, rulebase)} for text in question.legal_basis]
