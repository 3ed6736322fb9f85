"""The Case: a validated description of one planned procurement (the answers).

One source of truth for the API schema, the CLI input and the wizard's output.
Field names of the v1 contract (design.md section 4) are public: add fields, never rename.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_VALUE_NOK = 1_000_000_000_000  # 1 000 billion NOK: far above any real contract


def today() -> dt.date:
    return dt.date.today()


class BuyerType(StrEnum):
    municipality = "municipality"
    county = "county"
    state = "state"
    other_public_body = "other_public_body"


class Arrangement(StrEnum):
    contract = "contract"
    grant = "grant"
    in_house = "in_house"
    unsure = "unsure"


class Subject(StrEnum):
    goods = "goods"
    services = "services"
    works = "works"


class ServiceType(StrEnum):
    ordinary = "ordinary"
    special = "special"  # FOA vedlegg 2 (særlige tjenester)
    health_social = "health_social"  # FOA vedlegg 3 (helse- og sosialtjenester)
    unknown = "unknown"  # answered "vet ikke" (the rules treat the service as ordinary)


class TargetSupplier(StrEnum):
    wise = "wise"
    ideell = "ideell"
    social_enterprise = "social_enterprise"
    none = "none"


class SocialAim(StrEnum):
    """What the buyer wants the procurement to achieve socially."""

    work_inclusion = "work_inclusion"  # jobs for people outside working life
    training = "training"  # work training, apprenticeships, qualification
    care_and_welfare = "care_and_welfare"  # better health, care or social services
    local_community = "local_community"  # activity and inclusion where the service is delivered
    other = "other"


class TargetGroup(StrEnum):
    """Whom the social aim is for."""

    long_term_unemployed = "long_term_unemployed"
    disabled = "disabled"
    young_outside_work = "young_outside_work"
    language_or_work_experience = "language_or_work_experience"
    substance_use_or_prison = "substance_use_or_prison"
    service_users = "service_users"
    other = "other"


class ClimateExemption(StrEnum):
    """Which exemption from the climate and environment duty applies (law from 1 July 2026:
    anskaffelsesloven § 5b (3) and § 5c, FOA § 7-9 (3)-(4)); each must be justified in the
    procurement file."""

    none = "none"  # no exemption: weight, rank or specify climate and environment
    insignificant_footprint = "insignificant_footprint"  # § 5b (3): insignificant by its nature
    essential_interests = "essential_interests"  # § 5b (3): health, safety or preparedness
    mandatory_minimum_requirements = "mandatory_minimum_requirements"  # § 5c
    unknown = "unknown"  # answered "vet ikke": the main rule applies


class Answer(StrEnum):
    """A yes/no question where "vet ikke" (don't know) is a real answer.

    A field of this type that defaults to ``None`` and was left out is *not stated*: the buyer
    was not asked or the API client did not say. The rules read it as "vet ikke" (the safe
    reading: a rule that acts on an unknown answer warns or holds back), but nothing says the
    buyer answered "vet ikke" (``Case.unstated``).
    """

    yes = "yes"
    no = "no"
    unknown = "unknown"


#: The facts ``Case.facts()`` adds to the answers, with their types (their words are in the rule
#: base's facts.yaml, ``normalised``).
NORMALISED_FACTS = {"cpv_num": "number", "cpv_given": "bool"}
#: The fields that are no fact of the rules: the law date picks the period of law.
NOT_FACTS = ("law_as_of", "title")

CPV_PATTERN = re.compile(r"^(\d{8})(?:-\d)?$")

Text = Annotated[str, Field(max_length=200)]


class Case(BaseModel):
    """The answers an assessment rests on. Values in NOK exclude VAT."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False, str_strip_whitespace=True)

    law_as_of: dt.date = Field(
        default_factory=today,
        description="The date whose law applies (normally the date the procurement starts).",
    )
    title: Text | None = Field(default=None, description="A short name for the procurement.")
    buyer_type: BuyerType = Field(description="Who buys.")
    arrangement: Arrangement = Field(
        default=Arrangement.contract,
        description="A contract, a grant, an in-house arrangement, or not sure.",
    )
    subject: Subject = Field(description="Goods, services or works (main element).")
    service_type: ServiceType | None = Field(
        default=None,
        description="For services: ordinary, special (FOA vedlegg 2) or health_social (vedlegg 3).",
    )
    cpv: str | None = Field(
        default=None,
        description="Main CPV code, 8 digits with or without the check digit (e.g. 90910000-9).",
    )
    estimated_value_nok: int = Field(
        ge=0,
        le=MAX_VALUE_NOK,
        description="Estimated value excl. VAT for the whole term, options included (FOA § 5-4).",
    )
    duration_months: int | None = Field(default=None, ge=0, le=1200)
    target_supplier: TargetSupplier = Field(
        default=TargetSupplier.none,
        description="Which kind of social entrepreneur the buyer has in view.",
    )
    wants_reservation: bool = Field(
        default=False, description="Whether the buyer wants to reserve the competition."
    )

    # --- Facts beyond the v1 minimum (all optional; "unknown" is a real answer, "vet ikke";
    # left out (None) is "not stated" unless the field has a documented default) ---
    supplier_meets_wise_conditions: Answer | None = Field(
        default=None,
        description="Main purpose is work integration and at least 30 % of staff are "
        "disabled or disadvantaged (FOA §§ 8-8/16-9/30-3).",
    )
    supplier_meets_ideell_definition: Answer | None = Field(
        default=None,
        description="Meets the definition of an ideell organisation in FOA § 30-2a (2).",
    )
    suppliers_pay_dividends: Answer | None = Field(
        default=None,
        description="The suppliers in view are companies that may pay dividends.",
    )
    divisible_into_lots: Answer | None = None
    split_from_larger_need: Answer = Field(
        default=Answer.no,
        description="This purchase is part of a larger need bought in several parts.",
    )
    recurring_need: Answer | None = None
    grant_enforceable_obligation: Answer | None = Field(
        default=None,
        description="For a grant: the recipient must deliver a service the buyer specified.",
    )
    in_house_private_ownership: Answer | None = Field(
        default=None,
        description="For in-house: the entity has direct private ownership.",
    )
    in_house_control_and_activity: Answer | None = Field(
        default=None,
        description="For in-house: the buyer controls the entity and more than 80 % of its "
        "activity is for the buyer (FOA §§ 3-1 to 3-4).",
    )
    only_one_possible_supplier: Answer = Field(default=Answer.no)
    wants_direct_award: bool = False
    wants_local_suppliers_only: bool = False
    wants_social_award_criteria: bool = False
    wants_social_contract_conditions: bool = False
    wants_market_dialogue: bool = False
    wants_innovation: bool = False
    wants_user_choice: bool = False
    is_framework_agreement: bool = False
    subcontracting_expected: Answer | None = None
    work_performed_abroad: Answer = Field(default=Answer.no)
    apprentice_trade_relevant: Answer | None = None

    # --- Added for the Norwegian rule base (issue 8); all optional ---
    emergency_response_service: Answer | None = Field(
        default=None,
        description="The service is civil defence, civil protection or emergency response "
        "(not planned patient transport by ambulance) (FOA § 2-4 g).",
    )
    involves_public_authority: Answer | None = Field(
        default=None,
        description="The service involves exercising public authority (FOA § 2-4 h).",
    )
    rd_shared_benefit: Answer | None = Field(
        default=None,
        description="A research and development service where the buyer does not both keep all "
        "the benefit and pay the whole cost (FOA § 2-5).",
    )
    social_criterion_linked_to_contract: Answer | None = Field(
        default=None,
        description="The social award criterion measures what is done on this contract, not the "
        "supplier's company as a whole (FOA §§ 8-11 (2), 18-1 (4)).",
    )
    social_aim: SocialAim | None = Field(
        default=None,
        description="The social aim of the procurement (shown with the advice; it decides which "
        "instruments fit, not which are lawful).",
    )
    target_group: TargetGroup | None = Field(
        default=None, description="The group the social aim is for."
    )
    climate_exemption: ClimateExemption | None = Field(
        default=None,
        description="From 1 July 2026: which exemption from the climate and environment duty "
        "the buyer relies on, if any (LOA § 5b (3), § 5c; FOA § 7-9 (3)-(4)); to be justified in "
        "the procurement file. Left out: not answered.",
    )
    supplier_in_cleaning_register: Answer | None = Field(
        default=None,
        description="For cleaning: the supplier is approved in Arbeidstilsynet's cleaning "
        "register (renholdsregisteret).",
    )

    @field_validator("cpv")
    @classmethod
    def _valid_cpv(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        match = CPV_PATTERN.match(value.replace(" ", ""))
        if not match:
            raise ValueError("CPV code must be 8 digits, optionally followed by -check digit")
        return match.group(1)

    def facts(self) -> dict[str, Any]:
        """Flat facts for the rule engine: enums as strings, absent values left out, a
        yes/no/"vet ikke" answer that was not stated read as "unknown" (``UNSTATED_READS_AS``).

        Besides the answers, two normalised facts are added: ``cpv_num`` (the CPV code as a
        number, so code ranges compare numerically) and ``cpv_given``.
        """
        data = self.model_dump(mode="json", exclude={"title", "law_as_of"})
        facts = {key: value for key, value in data.items() if value is not None}
        for name in self.unstated():
            facts[name] = UNSTATED_READS_AS.value
        facts["cpv_given"] = self.cpv is not None
        facts["cpv_num"] = int(self.cpv) if self.cpv else 0
        return facts

    def unstated(self) -> list[str]:
        """The yes/no/"vet ikke" answers left out (not stated), which the rules read as
        "unknown" although the buyer never answered "vet ikke"."""
        return [name for name in UNSTATED_FIELDS if getattr(self, name) is None]

    def given(self) -> list[str]:
        """The fields this Case was given (by the wizard, the API client, the CLI file), in the
        model's order: what was asked and answered. Fields left out keep their documented
        default or are not stated; the answers table shows only these."""
        return [name for name in type(self).model_fields if name in self.model_fields_set]

    def stored(self) -> dict[str, Any]:
        """The Case as saved: only what it was given (``given``), so that a saved Case read
        back still knows what was answered, plus the law date (a default of "today" must not
        move when the Case is read back on another day)."""
        data = self.model_dump(mode="json", exclude_unset=True)
        data["law_as_of"] = self.law_as_of.isoformat()
        return data


#: How the rules read a yes/no/"vet ikke" answer that was not stated.
UNSTATED_READS_AS = Answer.unknown

#: The yes/no/"vet ikke" answers without a documented default: left out, they are not stated.
UNSTATED_FIELDS = tuple(
    name for name, field in Case.model_fields.items() if field.annotation == Answer | None
)


def enum_of(annotation: Any) -> type[enum.Enum] | None:
    """The enumeration a field's type annotation names (``Answer``, ``ServiceType | None``)."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return candidate
    return None


def is_optional(annotation: Any) -> bool:
    """Whether a field's type annotation allows ``None`` (the field may be left out)."""
    origin = typing.get_origin(annotation)
    return origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(annotation)


def facts_of_field(name: str) -> tuple[str, ...]:
    """The facts of ``Case.facts()`` that one field gives (the CPV code gives three)."""
    if name in NOT_FACTS:
        return ()
    if name == "cpv":
        return ("cpv", *NORMALISED_FACTS)
    return (name,)


def fact_values(name: str) -> tuple[Any, ...] | None:
    """Every value the fact ``name`` can have in ``Case.facts()`` (``None`` among them when it
    can be left out), or ``None`` when its values are open (amounts, codes, numbers)."""
    if name == "cpv_given":
        return (True, False)
    field = Case.model_fields.get(name)
    if field is None:
        return None
    kind = enum_of(field.annotation)
    if kind is not None:
        values: tuple[Any, ...] = tuple(member.value for member in kind)
    elif field.annotation is bool:
        values = (True, False)
    else:
        return None
    if name in UNSTATED_FIELDS:  # left out, it reads as "unknown" (Case.facts)
        return values
    return (*values, None) if is_optional(field.annotation) else values
