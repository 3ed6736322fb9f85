"""The API's request and response models: the source of its OpenAPI document.

``Case`` (``advisor.case``) is the request body as it is; a saved assessment is
``PublicAssessment`` (``advisor.assessment``: the shape of ``Assessment.public(lang)``, declared
once) plus the record's bookkeeping; ``Problem`` is the RFC 9457 error body every 4xx answers
with.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.fields import FieldInfo

from advisor.assessment import PublicAssessment
from advisor.case import Case

Lang = Literal["nb", "en"]


class AssessmentOut(PublicAssessment):
    """A saved assessment: the v1 Assessment JSON with its record's title, revision and times."""

    id: str = Field(description="Unguessable identifier of the saved assessment.")
    title: str
    revision: int = Field(description="Increases with every change (also the ETag).")
    created_at: dt.datetime
    updated_at: dt.datetime


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
