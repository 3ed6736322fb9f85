"""Routes, obligations and warnings from the rules that fired, with their texts.

A finding takes its title from the rule base's catalog and its explanation, legal basis, steps
and ready texts from the rules that decide it. Every route in the catalog is listed: open when a
rule opens it and none closes it; otherwise with why not (``why_not``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from advisor.assessment import CAVEATS, LocalText, Obligation, Route, Warning
from advisor.assessor.prepared import Prepared, PreparedPeriod
from advisor.assessor.why_not import Failures, not_in_force, why_not
from advisor.explain import Wording
from advisor.rulebase.compiler import CompiledRule
from advisor.rulebase.loader import RuleBase


def joined(texts: list[LocalText]) -> LocalText:
    """Texts one after the other, each once."""
    unique = list(dict.fromkeys(texts))
    return LocalText(
        nb=" ".join(text.nb for text in unique), en=" ".join(text.en for text in unique)
    )


def by_code(fired: list[CompiledRule], kind: str) -> dict[str, list[CompiledRule]]:
    found: dict[str, list[CompiledRule]] = {}
    for rule in fired:
        if rule.kind == kind:
            found.setdefault(rule.code, []).append(rule)
    return found


class Findings:
    """The findings of one assessment in one period of law."""

    def __init__(
        self,
        rulebase: RuleBase,
        wording: Wording,
        prepared: Prepared,
        period: PreparedPeriod,
        failures: Failures,
    ) -> None:
        self.rulebase = rulebase
        self.wording = wording
        self.prepared = prepared
        self.period = period
        self.failures = failures

    def explained(self, rules: list[CompiledRule]) -> LocalText:
        """The explanations of ``rules`` joined, as written (without parameter values)."""
        return joined([self.period.texts[rule.id].explain for rule in rules])

    def routes(self, fired: list[CompiledRule], law_as_of: dt.date) -> list[Route]:
        """Every route of the catalog, the open ones first, each group in the catalog's rank."""
        fill = self.period.fill
        opening = by_code([r for r in fired if r.available], "route")
        closing = by_code([r for r in fired if not r.available], "route")
        routes = []
        for code, entry in self.rulebase.catalog.routes.items():
            opens, closes = opening.get(code, []), closing.get(code, [])
            candidates = self.period.openers.get(code, [])
            if opens or (closes and not candidates):
                available = not closes
                fields = self._fields(code, entry.title, opens if available else closes, available)
                routes.append(
                    Route(**fields, available=available, summary=entry.summary, rank=entry.rank)
                )
                continue
            if closes:
                # A closing rule says why in the law's words; add which condition of the
                # route failed, with the case's own values (threshold vs. value).
                failed, _ = why_not(self.wording, entry.title, candidates, self.failures)
                why = fill(joined([self.explained(closes), failed]))
                basis = [c for r in closes for c in r.legal_basis]
            elif candidates:
                why, basis = why_not(self.wording, entry.title, candidates, self.failures)
                why = fill(why)
            else:
                why, basis = not_in_force(self.rulebase, self.wording, code, entry.title, law_as_of)
                why = fill(why)
            routes.append(
                Route(
                    code=code,
                    available=False,
                    title=entry.title,
                    summary=entry.summary,
                    legal_basis=self.prepared.cite(basis),
                    why=why,
                    rules=[r.id for r in closes],
                    draft=any(r.draft for r in closes),
                    rank=entry.rank,
                )
            )
        routes.sort(key=lambda route: (not route.available, route.rank))
        return routes

    def obligations(self, fired: list[CompiledRule]) -> list[Obligation]:
        """The obligations some rule gave, in the catalog's order."""
        deciding = by_code(fired, "obligation")
        return [
            Obligation(**self._fields(code, entry.title, deciding[code], with_texts=True))
            for code, entry in self.rulebase.catalog.obligations.items()
            if code in deciding
        ]

    def warnings(self, fired: list[CompiledRule]) -> list[Warning]:
        """The warnings some rule gave, in the catalog's order."""
        deciding = by_code(fired, "warning")
        return [
            Warning(
                code=code,
                title=entry.title,
                message=self.period.fill(self.explained(rules)),
                legal_basis=self.prepared.cite(c for r in rules for c in r.legal_basis),
                rules=[r.id for r in rules],
            )
            for code, entry in self.rulebase.catalog.warnings.items()
            if (rules := deciding.get(code))
        ]

    def caveat(self, code: str, note: LocalText | None, rules: list[str] | None = None) -> Warning:
        """A warning about the advice itself (``CAVEATS``: unverified law, draft rules), with
        the catalog's words unless ``note`` says more."""
        assert code in CAVEATS, code
        entry = self.rulebase.catalog.warnings.get(code)
        title = entry.title if entry else LocalText(nb=code, en=code)
        message = note or (entry.message if entry and entry.message else title)
        return Warning(code=code, title=title, message=self.period.fill(message), rules=rules or [])

    def _fields(
        self, code: str, title: LocalText, deciding: list[CompiledRule], with_texts: bool
    ) -> dict[str, Any]:
        """The fields a route and an obligation share, from the rules that decide it; their
        steps and ready texts only ``with_texts`` (a closed route has none)."""
        texts = [self.period.texts[r.id] for r in deciding] if with_texts else []
        return {
            "code": code,
            "title": title,
            "legal_basis": self.prepared.cite(c for r in deciding for c in r.legal_basis),
            "why": self.period.fill(self.explained(deciding)),
            "steps": [step for t in texts for step in t.steps],
            "texts": {kind: text for t in texts for kind, text in t.texts.items()},
            "rules": [r.id for r in deciding],
            "draft": any(r.draft for r in deciding),
        }
