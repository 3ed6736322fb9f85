"""The Assessment: what the rule base concluded for one Case, as plain data.

Texts are kept in both languages (``LocalText``) so that one stored Assessment renders in bokmål
and English. ``public(lang)`` gives the v1 JSON contract of design.md section 4, with texts in one
language. Renderers (pages, PDF, JSON) only read this; they never decide anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import marshal
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

    # Frozen: the assessor shares one per citation between assessments. (A comment, not the
    # docstring: the docstring is part of the JSON schema, and so of STORED_FORMAT.)
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
    branches: list[Branch]


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
            "generated_at": self.generated_at.isoformat(),
        }


#: Bump when ``public`` or the stored form changes in a way the schema fingerprint below does not
#: show (a validator that normalises differently, a computed value).
STORED_FORMAT_VERSION = 1

FORMAT_KEY = "stored_format"


def _stored_format() -> str:
    schema = json.dumps(Assessment.model_json_schema(mode="serialization"), sort_keys=True)
    digest = hashlib.sha256(schema.encode()).hexdigest()[:16]
    return f"{STORED_FORMAT_VERSION}-{digest}"


#: Written into every stored result (``store.AssessmentRecord.set_assessment``): a result with
#: this mark was dumped from an ``Assessment`` of exactly this schema, so ``public_from_stored``
#: may render it without validating it back into the models.
STORED_FORMAT = _stored_format()


def public_from_stored(data: dict[str, Any], lang: str = "nb") -> dict[str, Any] | None:
    """``Assessment.model_validate(data).public(lang)`` without the models, for a result stored
    as ``model_dump(mode="json")`` by this code (``data[FORMAT_KEY] == STORED_FORMAT``); ``None``
    for any other (older) stored form, which must go through the models. The same JSON, key for
    key: tests/test_api.py compares both over the rule-base test cases and sampled cases."""
    if data.get(FORMAT_KEY) != STORED_FORMAT:
        return None
    en = lang == "en"

    def text(value: dict[str, str] | None) -> str | None:
        if value is None:
            return None
        return value["en"] if en else value["nb"]

    def cites(items: list[dict[str, Any]]) -> list[str]:
        return [item["text"] for item in items]

    def links(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"citation": item["text"], "url": item["url"]} for item in items]

    def finding(item: dict[str, Any], **extra: Any) -> dict[str, Any]:
        """A route (``extra``: its ``available``, second key as in the model) or an obligation."""
        return {
            "code": item["code"],
            **extra,
            "title": text(item["title"]),
            "legal_basis": cites(item["legal_basis"]),
            "links": links(item["legal_basis"]),
            "why": text(item["why"]),
            "steps": [text(step) for step in item["steps"]],
            "texts": {key: text(value) for key, value in item["texts"].items()},
            "rules": item["rules"],
            "draft": item["draft"],
        }

    regime = data["regime"]
    return {
        "id": data["id"],
        "lang": lang,
        "ruleset": data["ruleset"],
        "case": data["case"],
        "regime": {
            "code": regime["code"],
            "title": text(regime["title"]),
            "legal_basis": cites(regime["legal_basis"]),
            "links": links(regime["legal_basis"]),
            "why": text(regime["why"]),
        },
        "derived": data["derived"],
        "routes": [finding(route, available=route["available"]) for route in data["routes"]],
        "obligations": [finding(item) for item in data["obligations"]],
        "warnings": [
            {
                "code": item["code"],
                "title": text(item["title"]),
                "message": text(item["message"]),
                "legal_basis": cites(item["legal_basis"]),
                "rules": item["rules"],
            }
            for item in data["warnings"]
        ],
        "trail": data["trail"],
        "documents": data["documents"],
        "open_questions": [
            {
                "field": question["field"],
                "label": text(question["label"]),
                "branches": [
                    {
                        "answer": branch["answer"],
                        "answer_label": text(branch["answer_label"]),
                        "regime": branch["regime"],
                        "regime_title": text(branch["regime_title"]),
                        "opens": branch["opens"],
                        "closes": branch["closes"],
                        "adds_obligations": branch["adds_obligations"],
                        "removes_obligations": branch["removes_obligations"],
                    }
                    for branch in question["branches"]
                ],
            }
            for question in data["open_questions"]
        ],
        "generated_at": dt.datetime.fromisoformat(data["generated_at"]).isoformat(),
    }


def _public_format() -> str:
    # The source of public_from_stored, so that any change to it (and to Assessment.public,
    # which tests/test_api.py holds equal to it) gives a new mark; compiled code where there is
    # no source. A stricter mark than needed only costs speed (rows fall back), never output.
    try:
        code = inspect.getsource(public_from_stored).encode()
    except (OSError, TypeError):
        code = marshal.dumps(public_from_stored.__code__)
    return f"{STORED_FORMAT}-{hashlib.sha256(code).hexdigest()[:12]}"


#: Stored with the public JSON a record keeps per language (``store.AssessmentRecord``): that
#: JSON is ``public_from_stored`` of the record's result as rendered by this code, and may be
#: answered as it is only while this mark is current (same stored schema, same rendering).
PUBLIC_FORMAT = _public_format()
