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
from typing import Any

from babel.dates import format_datetime, get_timezone

from advisor import vocabulary
from advisor.assessment import Assessment, Citation, OpenQuestion, TrailEntry
from advisor.guidance.labels import pick, t
from advisor.rulebase.loader import RuleBase
from advisor.vocabulary import capfirst

OSLO = get_timezone("Europe/Oslo")
SAFE_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


def timestamp(value: dt.datetime, lang: str) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    pattern = "d. MMMM y 'kl.' HH:mm zzz" if lang == "nb" else "d MMMM y, HH:mm zzz"
    return format_datetime(value, pattern, tzinfo=OSLO, locale=vocabulary.locale(lang))


def safe_url(url: str | None) -> str | None:
    """The URL if it is a plain http(s) link, else None (never a javascript: or file: link)."""
    if url and SAFE_URL.match(url):
        return url
    return None


def derived_value(
    name: str, value: Any, assessment: Assessment, lang: str, rulebase: RuleBase
) -> str:
    """A fact value in the trail (``vocabulary.fact_value``); the regime by its title."""
    if name == "regime" and value == assessment.regime.code:
        return assessment.regime.title.get(lang)
    return vocabulary.fact_value(name, value, lang, rulebase)


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


def question_views(
    questions: list[OpenQuestion], lang: str, rulebase: RuleBase
) -> list[QuestionView]:
    """Answers that change the result ("vet ikke" answers, or facts not stated), with what each
    answer would change; routes, obligations and warnings named by the catalog's titles."""

    def titles(kind: str, codes: list[str]) -> list[str]:
        entries = getattr(rulebase.catalog, kind)
        return [capfirst(entries[c].title.get(lang)) if c in entries else c for c in codes]

    result = []
    for question in questions:
        branches = []
        for branch in question.branches:
            changes = [
                ("opens", titles("routes", branch.opens)),
                ("closes", titles("routes", branch.closes)),
                ("adds", titles("obligations", branch.adds_obligations)),
                ("removes", titles("obligations", branch.removes_obligations)),
                ("adds_warnings", titles("warnings", branch.adds_warnings)),
                ("removes_warnings", titles("warnings", branch.removes_warnings)),
            ]
            branches.append(
                BranchView(
                    answer=capfirst(branch.answer_label.get(lang)),
                    regime=branch.regime_title.get(lang),
                    changes=[(key, names) for key, names in changes if names],
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
