"""What the guidance PDF shows, in words: formatting and wording built from an Assessment.

Nothing here decides anything about the law. These helpers turn the Assessment's data into the
sentences, table rows and formatted values the template prints: amounts through
``advisor.money``, dates through Babel, the answers and their values in the rule base's words
(facts.yaml), the three-sentence recommendation from the regime, the first open route (the rule
base's own order) and the number of obligations.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any

from babel.dates import format_date, format_datetime, get_timezone
from babel.numbers import format_decimal

from advisor.assessment import Assessment, Citation, TrailEntry
from advisor.case import Answer, Case
from advisor.guidance.labels import pick, t
from advisor.money import format_money
from advisor.rulebase.loader import RuleBase

LOCALES = {"nb": "nb_NO", "en": "en_GB"}
OSLO = get_timezone("Europe/Oslo")
SAFE_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


def date(value: dt.date, lang: str) -> str:
    return format_date(value, "long", locale=LOCALES[lang])


def timestamp(value: dt.datetime, lang: str) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    pattern = "d. MMMM y 'kl.' HH:mm zzz" if lang == "nb" else "d MMMM y, HH:mm zzz"
    return format_datetime(value, pattern, tzinfo=OSLO, locale=LOCALES[lang])


def number(value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return t(lang, "yes" if value else "no")
    if isinstance(value, int | float):
        return format_decimal(value, locale=LOCALES[lang])
    return str(value)


def capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def safe_url(url: str | None) -> str | None:
    """The URL if it is a plain http(s) link, else None (never a javascript: or file: link)."""
    if url and SAFE_URL.match(url):
        return url
    return None


def case_value(field: str, value: Any, lang: str, rulebase: RuleBase) -> str:
    """A Case answer in words: values named as the rule base names them, yes/no, amounts and
    dates formatted."""
    if value is None or value == "":
        return t(lang, "not_given")
    if isinstance(value, bool):
        return t(lang, "yes" if value else "no")
    if isinstance(value, Enum):
        value = value.value
    words = rulebase.value_label(field, value)
    if words is not None:
        return capfirst(words.get(lang))
    if field == "estimated_value_nok" and isinstance(value, int | float):
        return format_money(value, lang)
    if field == "duration_months" and isinstance(value, int):
        return f"{value} {t(lang, 'month' if value == 1 else 'months')}"
    if isinstance(value, dt.date):
        return date(value, lang)
    if isinstance(value, int | float):
        return number(value, lang)
    return str(value)


#: The answers that are not facts the rules read, with the PDF's word for them (``labels``).
NOT_FACTS = {"title": "procurement_name", "law_as_of": "law_date_answer"}


def case_label(field: str, lang: str, rulebase: RuleBase) -> str:
    """An answer's name: the rule base's title of the fact."""
    if field in NOT_FACTS:
        return t(lang, NOT_FACTS[field])
    return rulebase.facts.inputs[field].title.get(lang)


def answer_rows(case: Case, lang: str, rulebase: RuleBase) -> list[tuple[str, str]]:
    """Every Case field in the model's order, as (question, answer)."""
    return [
        (case_label(name, lang, rulebase), case_value(name, getattr(case, name), lang, rulebase))
        for name in type(case).model_fields
    ]


def fact_value(name: str, value: Any, lang: str, rulebase: RuleBase) -> str:
    """A fact used by a rule: answers as in the answers table, derived facts as they are."""
    field = Case.model_fields.get(name)
    if field is not None:
        if field.annotation is Answer and value in Answer._value2member_map_:
            value = Answer(value)
        return case_value(name, value, lang, rulebase)
    if value is None:
        return t(lang, "not_given")
    return number(value, lang)


def derived_value(
    name: str, value: Any, assessment: Assessment, lang: str, rulebase: RuleBase
) -> str:
    """A fact value in the trail; the regime by its title when the Assessment names it."""
    if name == "regime" and value == assessment.regime.code:
        return assessment.regime.title.get(lang)
    return fact_value(name, value, lang, rulebase)


def cites(items: list[Citation]) -> str:
    return ", ".join(item.text for item in items)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def recommendation(assessment: Assessment, lang: str) -> list[str]:
    """Three sentences: the regime, the first open route, the obligations (and warnings)."""
    regime = assessment.regime
    basis = f" ({cites(regime.legal_basis)})" if regime.legal_basis else ""
    open_routes = assessment.open_routes
    n_obl, n_warn = len(assessment.obligations), len(assessment.warnings)
    if lang == "en":
        first = f"Based on your answers, this part of the rules applies: {regime.title.en}{basis}."
        if open_routes:
            best = open_routes[0]
            rb = f" ({cites(best.legal_basis)})" if best.legal_basis else ""
            others = len(open_routes) - 1
            second = f"The route that fits best: {capfirst(best.title.en)}{rb}"
            if others:
                second += f"; {_plural(others, 'other route is', 'other routes are')} also open"
            second += " (section 2)."
        else:
            second = (
                "None of the routes for engaging social entrepreneurs is open in this case; "
                "section 3 explains why."
            )
        if n_obl:
            third = f"You must meet {_plural(n_obl, 'obligation', 'obligations')} (section 4)"
        else:
            third = "The rule base found no specific obligations"
        if n_warn:
            third += f" and should read {_plural(n_warn, 'warning', 'warnings')} (section 5)"
        return [first, second, third + "."]
    first = f"Etter svarene dine gjelder dette regelverket: {regime.title.nb}{basis}."
    if open_routes:
        best = open_routes[0]
        rb = f" ({cites(best.legal_basis)})" if best.legal_basis else ""
        others = len(open_routes) - 1
        second = f"Veien som passer best: {capfirst(best.title.nb)}{rb}"
        if others:
            second += f"; {_plural(others, 'annen vei er', 'andre veier er')} også " + (
                "åpen" if others == 1 else "åpne"
            )
        second += " (kapittel 2)."
    else:
        second = (
            "Ingen av veiene for å bruke sosiale entreprenører er åpne i denne saken; "
            "kapittel 3 forklarer hvorfor."
        )
    if n_obl:
        third = f"Du må oppfylle {_plural(n_obl, 'plikt', 'plikter')} (kapittel 4)"
    else:
        third = "Regelverket fant ingen særskilte plikter"
    if n_warn:
        third += f" og bør lese {_plural(n_warn, 'advarsel', 'advarsler')} (kapittel 5)"
    return [first, second, third + "."]


_CITE_KEY = re.compile(r"^(\S+)\s*(?:§+\s*(\d+)(?:-(\d+))?([a-z]?))?(?:\s*vedlegg\s*(\d+))?")


def _citation_key(text: str) -> tuple:
    match = _CITE_KEY.match(text)
    if not match:
        return (text, 0, 0, "", 0, text)
    act, chapter, section, letter, annex = match.groups()
    return (act, int(chapter or 0), int(section or 0), letter or "", int(annex or 0), text)


def all_citations(assessment: Assessment) -> list[Citation]:
    """Every distinct citation in the Assessment, in act and section order."""
    found: dict[str, Citation] = {}
    groups: list[list[Citation]] = [assessment.regime.legal_basis]
    groups += [route.legal_basis for route in assessment.routes]
    groups += [item.legal_basis for item in assessment.obligations]
    groups += [item.legal_basis for item in assessment.warnings]
    groups += [entry.legal_basis for entry in assessment.trail]
    for group in groups:
        for citation in group:
            known = found.get(citation.text)
            if known is None or (known.url is None and citation.url):
                found[citation.text] = citation
    return sorted(found.values(), key=lambda c: _citation_key(c.text))


_ROUTE_CONCLUSION = re.compile(r"^route (\w+) (open|closed)$")
_KIND_CONCLUSION = re.compile(r"^(obligation|warning) (\w+)$")
_DERIVE_CONCLUSION = re.compile(r"^(\w+) = (.+)$")


def trail_conclusion(entry: TrailEntry, assessment: Assessment, lang: str) -> str:
    """The conclusion of a fired rule in words where the Assessment names it, else as stored."""
    text = entry.conclusion
    if match := _ROUTE_CONCLUSION.match(text):
        route = assessment.route(match[1])
        if route:
            state = {"open": ("åpen", "open"), "closed": ("ikke åpen", "not open")}[match[2]]
            return f"{capfirst(route.title.get(lang))}: {pick(state, lang)}"
    elif match := _KIND_CONCLUSION.match(text):
        items = assessment.obligations if match[1] == "obligation" else assessment.warnings
        item = next((i for i in items if i.code == match[2]), None)
        if item:
            return capfirst(item.title.get(lang))
    elif (
        (match := _DERIVE_CONCLUSION.match(text))
        and match[1] == "regime"
        and assessment.regime.code == match[2]
    ):
        return assessment.regime.title.get(lang)
    return text


def procurement_title(assessment: Assessment, lang: str) -> str:
    return assessment.case.title or t(lang, "untitled")


def short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class BranchView:
    answer: str
    regime: str
    changes: list[tuple[str, list[str]]]  # (label key, titles)


@dataclass(frozen=True)
class QuestionView:
    label: str
    advice: str | None
    branches: list[BranchView]


def open_questions(assessment: Assessment, lang: str) -> list[QuestionView]:
    """Each "vet ikke" answer that changes the result, with what each answer would change.

    Route and obligation codes are named by their titles where the Assessment has them (an
    obligation that only a branch adds has no title in the Assessment: its code is shown).
    """

    def route_title(code: str) -> str:
        route = assessment.route(code)
        return capfirst(route.title.get(lang)) if route else code

    def obligation_title(code: str) -> str:
        item = next((o for o in assessment.obligations if o.code == code), None)
        return item.title.get(lang) if item else code

    result = []
    for question in assessment.open_questions:
        branches = []
        for branch in question.branches:
            changes = [
                ("opens", [route_title(c) for c in branch.opens]),
                ("closes", [route_title(c) for c in branch.closes]),
                ("adds", [obligation_title(c) for c in branch.adds_obligations]),
                ("removes", [obligation_title(c) for c in branch.removes_obligations]),
            ]
            branches.append(
                BranchView(
                    answer=capfirst(branch.answer_label.get(lang)),
                    regime=branch.regime_title.get(lang),
                    changes=[(key, titles) for key, titles in changes if titles],
                )
            )
        advice = question.advice.get(lang) if question.advice else None
        result.append(QuestionView(question.label.get(lang), advice, branches))
    return result


def open_questions_note(assessment: Assessment, lang: str) -> str | None:
    n = len(assessment.open_questions)
    if not n:
        return None
    if lang == "en":
        return (
            f"{_plural(n, 'question', 'questions')} you answered “Don't know” "
            f"{'changes' if n == 1 else 'change'} the advice (section 6)."
        )
    return f"{_plural(n, 'spørsmål', 'spørsmål')} du svarte «Vet ikke» på, kan endre rådet (kapittel 6)."
