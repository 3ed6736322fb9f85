"""The shape of rule files (pydantic). Semantic checks live in ``validate.py``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from advisor.texts import LocalText


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Status(StrEnum):
    """How far a rule (or a dated value) can be trusted.

    ``checked`` means the team has read it against the source text named in ``checked.against``;
    only a named legal reviewer's approval makes it ``approved``. ``draft`` rests on secondary
    sources or a reading that is not settled, and says why in ``note``.
    """

    draft = "draft"
    checked = "checked"
    approved = "approved"
    retired = "retired"


class Review(Strict):
    """A named legal reviewer's approval."""

    by: str
    on: dt.date


class Check(Strict):
    """Who read a rule against which source texts (ids in ``sources.yaml``), and when."""

    by: str
    on: dt.date
    against: list[str] = Field(min_length=1)

    @field_validator("against", mode="before")
    @classmethod
    def _one_or_more(cls, raw: Any) -> Any:
        return [raw] if isinstance(raw, str) else raw


class ChangeNote(Strict):
    """What a change of the law or of the advice means for a buyer, dated, in nb and en.

    ``kind``: ``law`` when the law changed on ``on``; ``advice`` when the rule base's advice was
    corrected or extended on ``on`` (the law itself did not change then)."""

    on: dt.date
    kind: Literal["law", "advice"] = "advice"
    nb: str
    en: str


class LawPeriod(Strict):
    from_: dt.date = Field(alias="from")
    verified: bool
    note: LocalText | None = None


class RulesetFile(Strict):
    jurisdiction: str
    title: LocalText
    law_periods: list[LawPeriod] = Field(min_length=1)


class Act(Strict):
    name: LocalText
    url: str
    section_url: str | None = None


class Document(Strict):
    title: str
    url: str
    kind: Literal["guidance", "case_law", "preparatory_works", "statute", "other"] = "guidance"


class SourcesFile(Strict):
    acts: dict[str, Act]
    documents: dict[str, Document] = {}


FactType = Literal["enum", "bool", "amount", "number", "cpv"]


class InputFact(Strict):
    """An answer of the Case. ``label`` fits into explanations ("… krever at *anslått verdi* er
    minst …"), ``title`` names the answer in the answers table (result page, PDF), ``find_out``
    says what to find out when the answer is "vet ikke" (required for such facts)."""

    label: LocalText
    title: LocalText
    type: FactType
    values: dict[str, LocalText] | None = None
    unit: str | None = None
    find_out: LocalText | None = None


class NormalisedFact(Strict):
    """A fact ``Case.facts()`` works out from the answers for rules to compare (``cpv_num``)."""

    label: LocalText
    type: FactType


class DerivedCase(Strict):
    id: str
    when: Any = None
    otherwise: bool = False
    value: Any
    status: Status = Status.checked
    legal_basis: list[str] = []
    explain: LocalText | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _when_or_otherwise(self) -> DerivedCase:
        if self.otherwise and self.when is not None:
            raise ValueError("a case has either 'when' or 'otherwise: true', not both")
        if not self.otherwise and self.when is None:
            raise ValueError("a case needs 'when' (or 'otherwise: true' for the last one)")
        return self


class DerivedFact(Strict):
    label: LocalText
    type: FactType = "enum"
    values: dict[str, LocalText] | None = None
    cases: list[DerivedCase] = Field(min_length=1)


class Table(Strict):
    label: LocalText
    file: str
    legal_basis: list[str] = []


class FactsFile(Strict):
    inputs: dict[str, InputFact]
    normalised: dict[str, NormalisedFact] = {}
    derived: dict[str, DerivedFact] = {}
    tables: dict[str, Table] = {}


class CatalogEntry(Strict):
    title: LocalText
    summary: LocalText | None = None
    message: LocalText | None = None
    rank: int = 100


class CatalogFile(Strict):
    routes: dict[str, CatalogEntry]
    obligations: dict[str, CatalogEntry] = {}
    warnings: dict[str, CatalogEntry] = {}
    text_kinds: dict[str, LocalText] = {}


class ParameterValue(Strict):
    """One dated value. ``change`` says in nb and en what the value changes for a buyer from
    its date (required for every value after the rule base's first date)."""

    value: float | int
    status: Status = Status.checked
    source: str | None = None
    note: str | None = None
    change: LocalText | None = None


class ScaleOf(Strict):
    """A parameter whose dated values are another parameter's values times ``factor`` (for
    example a band around a threshold), so that a new value of the threshold is one line."""

    parameter: str
    factor: float = Field(gt=0)


class Parameter(Strict):
    label: LocalText
    unit: str = "NOK"
    legal_basis: list[str] = Field(min_length=1)
    source: str | None = None
    note: str | None = None
    values: dict[dt.date, ParameterValue] = {}
    scale_of: ScaleOf | None = None

    @model_validator(mode="after")
    def _values_or_scale(self) -> Parameter:
        if bool(self.values) == bool(self.scale_of):
            raise ValueError("a parameter has either 'values' or 'scale_of'")
        return self

    @field_validator("values", mode="before")
    @classmethod
    def _plain_numbers(cls, raw: Any) -> Any:
        if isinstance(raw, dict):
            return {
                key: (value if isinstance(value, dict) else {"value": value})
                for key, value in raw.items()
            }
        return raw


class Then(Strict):
    route: str | None = None
    available: bool = True
    obligation: str | None = None
    warning: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Then:
        given = [name for name in ("route", "obligation", "warning") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError("'then' needs exactly one of route, obligation or warning")
        return self

    @property
    def kind(self) -> str:
        return "route" if self.route else "obligation" if self.obligation else "warning"

    @property
    def code(self) -> str:
        return self.route or self.obligation or self.warning or ""


class Rule(Strict):
    id: str
    title: LocalText
    status: Status
    reviewed: Review | None = None
    checked: Check | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    legal_basis: list[str] = Field(min_length=1)
    sources: list[str] = []
    when: Any = None
    then: Then
    explain: LocalText
    steps: list[LocalText] = []
    texts: dict[str, LocalText] = {}
    note: str | None = None
    changes: list[ChangeNote] = []


class RouteExpect(Strict):
    """A route open or closed; ``legal_basis`` must all be cited, ``not_legal_basis`` none."""

    available: bool
    legal_basis: list[str] | None = None
    not_legal_basis: list[str] | None = None


class FindingExpect(Strict):
    """An obligation or warning present or absent, with citations as in ``RouteExpect``."""

    present: bool
    legal_basis: list[str] | None = None
    not_legal_basis: list[str] | None = None


class Expect(Strict):
    regime: str | None = None
    derived: dict[str, Any] = {}
    routes: dict[str, bool | RouteExpect] = {}
    obligations: dict[str, bool | FindingExpect] = {}
    warnings: dict[str, bool | FindingExpect] = {}
    sources: dict[str, bool] = {}  # source documents (sources.yaml) the advice relies on
    parameters: dict[str, float] = {}  # the dated value of a parameter the advice used


class TestCase(Strict):
    name: str
    law_as_of: dt.date | None = None
    case: dict[str, Any]
    expect: Expect
    note: str | None = None
