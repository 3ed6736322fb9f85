"""The API's request and response models: the source of its OpenAPI document.

``Case`` (``advisor.case``) is the request body as it is; the response models mirror
``Assessment.public(lang)`` plus the saved record's bookkeeping; ``Problem`` is the RFC 9457
error body every 4xx answers with.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from advisor.assessment import SourceDocument, TrailEntry
from advisor.case import Case

Lang = Literal["nb", "en"]


class Link(BaseModel):
    citation: str = Field(description='A citation, e.g. "FOA § 16-9".')
    url: str | None = Field(default=None, description="Where to read it (lovdata.no).")


class RulesetOut(BaseModel):
    jurisdiction: str
    version: str = Field(description="Content hash of the rule base the result was made with.")
    law_as_of: dt.date
    git_describe: str | None = None
    law_verified: bool
    period_from: dt.date | None = None


class RegimeOut(BaseModel):
    code: str = Field(
        description="outside_scope | part_i | part_ii | part_iii | part_iv | not_procurement"
    )
    title: str
    legal_basis: list[str]
    links: list[Link]
    why: str | None = None


class RouteOut(BaseModel):
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


class ObligationOut(BaseModel):
    code: str
    title: str
    legal_basis: list[str]
    links: list[Link]
    why: str | None = None
    steps: list[str]
    texts: dict[str, str]
    rules: list[str]
    draft: bool


class WarningOut(BaseModel):
    code: str
    title: str
    message: str
    legal_basis: list[str]
    rules: list[str]


class AssessmentOut(BaseModel):
    """A saved assessment: the v1 Assessment JSON with its id and bookkeeping."""

    id: str = Field(description="Unguessable identifier of the saved assessment.")
    lang: Lang
    title: str
    revision: int = Field(description="Increases with every change (also the ETag).")
    created_at: dt.datetime
    updated_at: dt.datetime
    ruleset: RulesetOut
    case: Case
    regime: RegimeOut
    derived: dict[str, Any]
    routes: list[RouteOut]
    obligations: list[ObligationOut]
    warnings: list[WarningOut]
    trail: list[TrailEntry]
    documents: list[SourceDocument] = Field(
        default=[], description="Guidance, judgments and preparatory works the rules rely on."
    )
    open_questions: list[dict[str, Any]] = Field(
        default=[], description='Answers given as "unknown" that would change the result.'
    )
    generated_at: dt.datetime


class Change(BaseModel):
    before: str
    after: str
    changed: bool


class Changes(BaseModel):
    changed: bool
    ruleset: Change
    regime: Change
    routes_opened: list[str]
    routes_closed: list[str]
    obligations_added: list[str]
    obligations_removed: list[str]
    warnings_added: list[str]
    warnings_removed: list[str]


class ReassessOut(BaseModel):
    saved: bool = Field(description="Whether the new result replaced the stored one.")
    changes: Changes
    assessment: AssessmentOut


class InvalidParam(BaseModel):
    name: str = Field(description='The invalid field, e.g. "estimated_value_nok".')
    reason: str = Field(description="Why, in the user's language.")
    code: str


class Problem(BaseModel):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    invalid_params: list[InvalidParam] | None = None


class LangQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lang: Lang | None = Field(default=None, description="nb (default) or en")


class ReassessQuery(LangQuery):
    save: bool = Field(default=False, description="Keep the new result (default: only show).")


def _optional(info: FieldInfo) -> FieldInfo:
    merged = FieldInfo.merge_field_infos(info, default=None)
    merged.default_factory = None
    return merged


#: PATCH body: any subset of the Case fields (null only where the Case allows it).
CaseChanges = create_model(  # type: ignore[call-overload]
    "CaseChanges",
    __config__=ConfigDict(extra="forbid"),
    __doc__="Answers to change; the others keep their saved values.",
    **{name: (info.annotation, _optional(info)) for name, info in Case.model_fields.items()},
)
