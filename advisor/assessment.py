"""The Assessment: what the rule base concluded for one Case, as plain data.

Texts are kept in both languages (``LocalText``) so that one stored Assessment renders in bokmål
and English. ``public(lang)`` gives the v1 JSON contract of design.md section 4, with texts in one
language. Renderers (pages, PDF, JSON) only read this; they never decide anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.case import Case

Lang = Literal["nb", "en"]
LANGS: tuple[Lang, ...] = ("nb", "en")


class LocalText(BaseModel):
    """A text in bokmål and English."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nb: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.nb


class Citation(BaseModel):
    """A legal basis in the fixed string form (e.g. ``FOA § 16-9``) with its source link."""

    # Frozen: the assessor shares one per citation between assessments.
    model_config = ConfigDict(frozen=True)

    text: str
    url: str | None = None


class SourceDocument(BaseModel):
    """A guidance document, judgment or preparatory work a rule relies on (``sources:``)."""

    model_config = ConfigDict(frozen=True)  # shared between assessments, as Citation

    id: str
    title: str
    url: str
    kind: str = "guidance"


class RulesetInfo(BaseModel):
    jurisdiction: str
    version: str
    law_as_of: dt.date
    git_describe: str | None = None
    law_verified: bool = True
    period_from: dt.date | None = None


class Regime(BaseModel):
    code: str
    title: LocalText
    legal_basis: list[Citation] = []
    why: LocalText | None = None
    rule: str | None = None


class Route(BaseModel):
    code: str
    available: bool
    title: LocalText
    summary: LocalText | None = None
    legal_basis: list[Citation] = []
    why: LocalText
    steps: list[LocalText] = []
    texts: dict[str, LocalText] = {}
    rules: list[str] = []
    draft: bool = False
    rank: int = 0


class Obligation(BaseModel):
    code: str
    title: LocalText
    legal_basis: list[Citation] = []
    why: LocalText | None = None
    steps: list[LocalText] = []
    texts: dict[str, LocalText] = {}
    rules: list[str] = []
    draft: bool = False


#: The warnings about the advice itself rather than the procurement (the law for the date is not
#: verified; the advice rests on draft rules): shown first, as caveats, apart from the others.
CAVEATS = frozenset({"unverified_law", "draft_rule"})


class Warning(BaseModel):
    code: str
    title: LocalText
    message: LocalText
    legal_basis: list[Citation] = []
    rules: list[str] = []


class FactUse(BaseModel):
    name: str
    value: Any
    label: LocalText | None = None
    derived_by: str | None = None


class ParameterUse(BaseModel):
    model_config = ConfigDict(frozen=True)  # shared between assessments, as Citation

    name: str
    value: Any
    unit: str | None = None
    valid_from: dt.date
    label: LocalText | None = None
    draft: bool = False


class TrailEntry(BaseModel):
    """One fired rule with the facts and dated parameter values it used."""

    rule: str
    kind: str
    conclusion: str
    status: str
    legal_basis: list[Citation] = []
    facts: list[FactUse] = []
    parameters: list[ParameterUse] = []


class Branch(BaseModel):
    """What the result would be if an unanswered ("vet ikke") question had this answer."""

    answer: str
    answer_label: LocalText
    regime: str
    regime_title: LocalText
    opens: list[str] = []
    closes: list[str] = []
    adds_obligations: list[str] = []
    removes_obligations: list[str] = []


class OpenQuestion(BaseModel):
    """An answer given as "vet ikke" that changes the result: find it out."""

    field: str
    label: LocalText
    advice: LocalText | None = None  # what to find out (the rule base's words)
    branches: list[Branch]


class FindOut(BaseModel):
    """An answer given as "vet ikke" for which yes or no would change a warning, though not the
    regime, the open routes or the obligations: worth finding out."""

    field: str
    label: LocalText
    advice: LocalText | None = None


class Assessment(BaseModel):
    id: str | None = None
    case: Case
    ruleset: RulesetInfo
    regime: Regime
    derived: dict[str, Any] = {}
    routes: list[Route] = []
    obligations: list[Obligation] = []
    warnings: list[Warning] = []
    trail: list[TrailEntry] = []
    open_questions: list[OpenQuestion] = []
    find_out: list[FindOut] = []
    documents: list[SourceDocument] = []
    generated_at: dt.datetime = Field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def route(self, code: str) -> Route | None:
        return next((route for route in self.routes if route.code == code), None)

    @property
    def open_routes(self) -> list[Route]:
        return [route for route in self.routes if route.available]

    @property
    def closed_routes(self) -> list[Route]:
        return [route for route in self.routes if not route.available]

    @property
    def caveats(self) -> list[Warning]:
        """The warnings about the advice itself (``CAVEATS``)."""
        return [warning for warning in self.warnings if warning.code in CAVEATS]

    @property
    def procurement_warnings(self) -> list[Warning]:
        """The warnings about the procurement (all but the caveats)."""
        return [warning for warning in self.warnings if warning.code not in CAVEATS]

    def has_warning(self, code: str) -> bool:
        return any(warning.code == code for warning in self.warnings)

    def public(self, lang: str = "nb") -> dict[str, Any]:
        """The v1 JSON contract (design.md section 4), texts in ``lang``."""

        def cites(items: list[Citation]) -> list[str]:
            return [item.text for item in items]

        def links(items: list[Citation]) -> list[dict[str, Any]]:
            return [{"citation": item.text, "url": item.url} for item in items]

        return {
            "id": self.id,
            "lang": lang,
            "ruleset": self.ruleset.model_dump(mode="json"),
            "case": self.case.model_dump(mode="json"),
            "regime": {
                "code": self.regime.code,
                "title": self.regime.title.get(lang),
                "legal_basis": cites(self.regime.legal_basis),
                "links": links(self.regime.legal_basis),
                "why": self.regime.why.get(lang) if self.regime.why else None,
            },
            "derived": self.derived,
            "routes": [
                {
                    "code": route.code,
                    "available": route.available,
                    "title": route.title.get(lang),
                    "legal_basis": cites(route.legal_basis),
                    "links": links(route.legal_basis),
                    "why": route.why.get(lang),
                    "steps": [step.get(lang) for step in route.steps],
                    "texts": {key: text.get(lang) for key, text in route.texts.items()},
                    "rules": route.rules,
                    "draft": route.draft,
                }
                for route in self.routes
            ],
            "obligations": [
                {
                    "code": item.code,
                    "title": item.title.get(lang),
                    "legal_basis": cites(item.legal_basis),
                    "links": links(item.legal_basis),
                    "why": item.why.get(lang) if item.why else None,
                    "steps": [step.get(lang) for step in item.steps],
                    "texts": {key: text.get(lang) for key, text in item.texts.items()},
                    "rules": item.rules,
                    "draft": item.draft,
                }
                for item in self.obligations
            ],
            "warnings": [
                {
                    "code": item.code,
                    "title": item.title.get(lang),
                    "message": item.message.get(lang),
                    "legal_basis": cites(item.legal_basis),
                    "rules": item.rules,
                }
                for item in self.warnings
            ],
            "trail": [entry.model_dump(mode="json") for entry in self.trail],
            "documents": [document.model_dump(mode="json") for document in self.documents],
            "open_questions": [
                {
                    "field": question.field,
                    "label": question.label.get(lang),
                    "advice": question.advice.get(lang) if question.advice else None,
                    "branches": [
                        {
                            "answer": branch.answer,
                            "answer_label": branch.answer_label.get(lang),
                            "regime": branch.regime,
                            "regime_title": branch.regime_title.get(lang),
                            "opens": branch.opens,
                            "closes": branch.closes,
                            "adds_obligations": branch.adds_obligations,
                            "removes_obligations": branch.removes_obligations,
                        }
                        for branch in question.branches
                    ],
                }
                for question in self.open_questions
            ],
            "find_out": [
                {
                    "field": item.field,
                    "label": item.label.get(lang),
                    "advice": item.advice.get(lang) if item.advice else None,
                }
                for item in self.find_out
            ],
            "generated_at": self.generated_at.isoformat(),
        }
