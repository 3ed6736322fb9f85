"""Which answers not given yet can still change an assessment, in the Case's own fields.

The relevance analysis itself (``advisor.rulebase.relevance``) works on the facts of one period
of law. This module puts a partial Case in those terms: the answers known so far (Case fields
and values, as the wizard's ``Tree.case_data`` or ``Case.model_dump(mode="json")`` gives them),
the fields not known yet (each with every value the Case allows it), the period of the law
date. The wizard asks it which questions to ask; the API which fields a client did not state
that would change the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from advisor.case import Case, fact_values, facts_of_field
from advisor.rulebase.compiler import Period
from advisor.rulebase.conditions import ABSENT
from advisor.rulebase.relevance import facts_that_matter

#: Stand-ins for required fields not known yet: checked by the Case, never read by a rule
#: (the fields are unknown to the analysis).
STAND_INS = {"buyer_type": "municipality", "subject": "goods", "estimated_value_nok": 0}


@dataclass(frozen=True)
class PartialCase:
    """A Case as far as it is known: its facts, and the fields not known yet."""

    law_as_of: dt.date | None  # None: not known yet
    facts: dict[str, Any]
    unknown: frozenset[str]

    @classmethod
    def of(cls, known: Mapping[str, Any], unknown: Iterable[str]) -> PartialCase:
        """The answers ``known`` with the fields ``unknown`` not known yet (fields in neither
        keep the Case's default; a required field missing from ``known`` counts as unknown).
        Raises ``pydantic.ValidationError`` when a known answer is not a valid Case value."""
        fields = frozenset(unknown) | {name for name in STAND_INS if name not in known}
        data = {name: value for name, value in known.items() if name not in fields}
        stand_ins = {name: value for name, value in STAND_INS.items() if name in fields}
        case = Case.model_validate({**data, **stand_ins})
        date = None if "law_as_of" in fields else case.law_as_of
        return cls(law_as_of=date, facts=case.facts(), unknown=fields)

    def fields_that_matter(self, periods: Iterable[Period], tables: dict) -> frozenset[str]:
        """The unknown fields whose answer can still change the result in any of ``periods``
        (the law date's period, or every period when the date is not known: then the date
        matters too)."""
        possible = _possible(self.unknown)
        matters: set[str] = {"law_as_of"} & self.unknown
        for period in periods:
            found = facts_that_matter(period, self.facts, possible, tables)
            matters.update(
                name for name in self.unknown if found.intersection(facts_of_field(name))
            )
        return frozenset(matters)


def _possible(fields: Iterable[str]) -> dict[str, Collection[Any] | None]:
    """The unknown facts of ``fields`` with every value they can take (``ABSENT`` for a field
    left out), or ``None`` for open values."""
    possible: dict[str, Collection[Any] | None] = {}
    for name in fields:
        for fact in facts_of_field(name):
            values = fact_values(fact)
            possible[fact] = (
                None if values is None else tuple(ABSENT if v is None else v for v in values)
            )
    return possible
