"""The Assessment: what the rule base concluded for one Case, as plain data.

Texts are kept in both languages (``LocalText``) so that one stored Assessment renders in bokmål
and English. ``public(lang)`` gives the v1 JSON contract of design.md section 4, with texts in one
language. Renderers (pages, PDF, JSON) only read this; they never decide anything.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.case import Case
from advisor.texts import LocalText

Lang = Literal["nb", "en"]
LANGS: tuple[Lang, ...] = ("nb", "en")


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
    version: str = Field(description="Content hash of the rule base the result was made with.")
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
    """What the result would be if a question answered "vet ikke" (or not stated) had this
    answer."""

    answer: str
    answer_label: LocalText
    regime: str
    regime_title: LocalText
    opens: list[str] = []
    closes: list[str] = []
    adds_obligations: list[str] = []
    removes_obligations: list[str] = []
    adds_warnings: list[str] = []
    removes_warnings: list[str] = []


class OpenQuestion(BaseModel):
    """An answer that changes the result: given as "vet ikke" (``open_questions``), or not
    stated at all (``not_stated``). Find it out."""

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
    not_stated: list[OpenQuestion] = []
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
        """The v1 JSON contract (design.md section 4), texts in ``lang``: the fields of
        ``PublicAssessment``, each taken from the field of the same name here."""
        return _public(self, PublicAssessment, lang)


# ---------------------------------------------------------------- the public JSON (v1)
#
# The shape of ``Assessment.public(lang)``, declared once: the API documents its answers with
# these models. A field of a public model is the field of the same name of the Assessment's
# model, in one language: a ``LocalText`` becomes its text in ``lang``, a ``Citation`` its
# text (``links`` adds the citations with their URLs), a model without a public shape of its
# own (the Case, the trail) its JSON as stored.


class PublicModel(BaseModel):
    """A part of the public JSON (see above)."""


class Link(PublicModel):
    citation: str = Field(description='A citation, e.g. "FOA § 16-9".')
    url: str | None = Field(default=None, description="Where to read it (lovdata.no).")


class PublicRegime(PublicModel):
    code: str = Field(
        description="outside_scope | part_i | part_ii | part_iii | part_iv | not_procurement"
    )
    title: str
    legal_basis: list[str]
    links: list[Link]
    why: str | None = None


class PublicRoute(PublicModel):
    code: str
    available: bool
    title: str
    legal_basis: list[str]
    links: list[Link]
    why: str
    steps: list[str]
    texts: dict[str, str]
    rules: list[str]
    draft: bool


class PublicObligation(PublicModel):
    code: str
    title: str
    legal_basis: list[str]
    links: list[Link]
    why: str | None = None
    steps: list[str]
    texts: dict[str, str]
    rules: list[str]
    draft: bool


class PublicWarning(PublicModel):
    code: str
    title: str
    message: str
    legal_basis: list[str]
    rules: list[str]


class PublicBranch(PublicModel):
    answer: str
    answer_label: str
    regime: str
    regime_title: str
    opens: list[str]
    closes: list[str]
    adds_obligations: list[str]
    removes_obligations: list[str]
    adds_warnings: list[str]
    removes_warnings: list[str]


class PublicOpenQuestion(PublicModel):
    field: str
    label: str
    advice: str | None = Field(default=None, description="What to find out.")
    branches: list[PublicBranch]


class PublicFindOut(PublicModel):
    field: str
    label: str
    advice: str | None = Field(default=None, description="What to find out.")


class PublicAssessment(PublicModel):
    """The v1 Assessment JSON (design.md section 4), texts in one language."""

    id: str | None = Field(description="Unguessable identifier of the saved assessment.")
    lang: Lang
    ruleset: RulesetInfo
    case: Case
    regime: PublicRegime
    derived: dict[str, Any]
    routes: list[PublicRoute]
    obligations: list[PublicObligation]
    warnings: list[PublicWarning]
    trail: list[TrailEntry]
    documents: list[SourceDocument]
    open_questions: list[PublicOpenQuestion] = Field(
        description='Answers given as "unknown" that would change the result.'
    )
    find_out: list[PublicFindOut] = Field(
        description='Other answers given as "unknown" worth finding out: they change a warning.'
    )
    not_stated: list[PublicOpenQuestion] = Field(
        description='Facts the Case left out (not stated, which is never an "unknown" '
        "answer) that would change the result, the warnings included, if they were stated: "
        "each with what the answers that change it lead to. The rules read a left-out "
        "yes/no/unknown answer as unknown."
    )
    generated_at: dt.datetime


def _shape_of(annotation: Any) -> type[PublicModel] | None:
    """The public model a field holds (itself, or in a list), if any."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, PublicModel):
            return candidate
    return None


@functools.cache
def _plan(shape: type[PublicModel]) -> tuple[tuple[str, type[PublicModel] | None], ...]:
    hints = typing.get_type_hints(shape)
    return tuple((name, _shape_of(hints[name])) for name in shape.model_fields)


def _public(item: BaseModel, shape: type[PublicModel], lang: str) -> dict[str, Any]:
    """``item`` in the shape of ``shape``, texts in ``lang``."""
    result: dict[str, Any] = {}
    for name, inner in _plan(shape):
        if name == "lang":
            result[name] = lang
        elif name == "links":
            result[name] = [{"citation": c.text, "url": c.url} for c in item.legal_basis]
        elif inner is not None:
            value = getattr(item, name)
            if isinstance(value, list):
                result[name] = [_public(part, inner, lang) for part in value]
            else:
                result[name] = _public(value, inner, lang)
        else:
            result[name] = _plain(getattr(item, name), lang)
    return result


def _plain(value: Any, lang: str) -> Any:
    if isinstance(value, LocalText):
        return value.get(lang)
    if isinstance(value, Citation):
        return value.text
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_plain(part, lang) for part in value]
    if isinstance(value, dict):
        return {key: _plain(part, lang) for key, part in value.items()}
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value
