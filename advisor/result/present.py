"""How the result page shows a stored Assessment: texts in the page's language, amounts, dates,
section references kept on one line, the answers table, what a re-assessment changed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from advisor import records, vocabulary
from advisor.assessment import Assessment, LocalText
from advisor.case import Case
from advisor.i18n import current_language
from advisor.money import format_money
from advisor.state import current_state

MAX_CHANGES = 20

CHANGE_LABELS = {
    "regime": _l("The part of the Regulation changed"),
    "route_opened": _l("Now open"),
    "route_closed": _l("No longer open"),
    "obligation_added": _l("New obligation"),
    "obligation_removed": _l("Obligation removed"),
    "warning_added": _l("New warning"),
    "warning_removed": _l("Warning removed"),
}


def text(value: LocalText | None) -> str:
    """A bilingual text in the page's language."""
    return value.get(current_language()) if value is not None else ""


def money(value: int | None) -> str:
    """``2 400 000 kr`` in bokmål, ``NOK 2,400,000`` in English (``advisor.money``)."""
    return format_money(value, current_language())


_SECTION = re.compile(r"§+\s?\d+(?:-\d+)?[a-z]?(?:\s\(\d+\))?")


def law(value: str) -> Markup:
    """Escape ``value`` and keep section references (``§ 16-9``) from breaking across lines."""
    escaped = str(escape(value))
    return Markup(_SECTION.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', escaped))


def quantity(value: Any, unit: str | None) -> str:
    """A parameter value with its unit (``advisor.vocabulary``): ``1 300 000 kr``, ``20 %``."""
    return vocabulary.quantity(value, unit, current_language())


def capfirst(value: str) -> str:
    """First letter upper-case, the rest untouched (unlike Jinja's ``capitalize``)."""
    return vocabulary.capfirst(value)


def long_date(value: dt.date | None) -> str:
    """``1. mars 2026`` / ``1 March 2026`` (``advisor.vocabulary``, as in the guidance PDF)."""
    return vocabulary.long_date(value, current_language())


def edit_url(assessment_id: str) -> str | None:
    """The wizard's "change the answers" (``/vurdering/<id>/endre``: a new draft at its review
    page), when the wizard is part of the app."""
    if "wizard.edit" not in current_app.view_functions:
        return None
    return url_for("wizard.edit", assessment_id=assessment_id)


def rule_url(rule_id: str) -> str | None:
    """The rule's page in the rules explorer, when the explorer is part of the app."""
    if "explorer.show" not in current_app.view_functions:
        return None
    return url_for("explorer.show", rule_id=rule_id)


def new_url() -> str:
    """The front page, where a new assessment starts."""
    if "wizard.index" in current_app.view_functions:
        return url_for("wizard.index")
    return f"{request.script_root}/"


def answer_rows(case: Case) -> list[vocabulary.AnswerRow]:
    """The answers the advice rests on, as given (``advisor.vocabulary.answer_rows``)."""
    return vocabulary.answer_rows(case, current_language(), current_state().rulebase)


def catalog_title(kind: str, code: str) -> str:
    """The title of a route or obligation code from the rule-base catalog."""
    entries = getattr(current_state().rulebase.catalog, kind, {}) or {}
    entry = entries.get(code)
    return capfirst(text(entry.title)) if entry is not None else code


def text_kinds() -> dict[str, str]:
    """Labels of the ready texts (catalog ``text_kinds``), in the page's language."""
    catalog = current_state().rulebase.catalog
    return {key: text(label) for key, label in catalog.text_kinds.items()}


def changes(old: Assessment, new: Assessment) -> list[dict[str, Any]]:
    """What re-assessing changed (``records.changes``, the same comparison the API's
    reassess gives), with titles, as small records kept in the session until shown."""
    diff = records.changes(old, new)

    def title(item: Any) -> dict[str, str]:
        return {"nb": item.title.nb, "en": item.title.en}

    def titles(*groups: list[Any]) -> dict[str, dict[str, str]]:
        return {item.code: title(item) for group in groups for item in group}

    routes = titles(old.routes, new.routes)
    obligations = titles(old.obligations, new.obligations)
    warnings = titles(old.warnings, new.warnings)
    found: list[dict[str, Any]] = []
    if diff["regime"]["changed"]:
        found.append({"kind": "regime", "old": title(old.regime), "new": title(new.regime)})
    for key, kind, named in (
        ("routes_opened", "route_opened", routes),
        ("routes_closed", "route_closed", routes),
        ("obligations_added", "obligation_added", obligations),
        ("obligations_removed", "obligation_removed", obligations),
        ("warnings_added", "warning_added", warnings),
        ("warnings_removed", "warning_removed", warnings),
    ):
        found += [{"kind": kind, "title": named[code]} for code in diff[key]]
    return found[:MAX_CHANGES]
