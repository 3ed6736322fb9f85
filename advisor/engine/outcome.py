"""What evaluating one case against a period of law gives, the same for both evaluators."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from advisor.rulebase import conditions
from advisor.rulebase.compiler import CompiledRule


@dataclass
class Outcome:
    """What fired for one case: derived values (with the case that set them) and rule ids."""

    derived: dict[str, Any] = field(default_factory=dict)
    derived_by: dict[str, str] = field(default_factory=dict)
    fired: list[str] = field(default_factory=list)

    def signature(self) -> tuple:
        return (
            tuple(sorted((k, json.dumps(v)) for k, v in self.derived.items())),
            tuple(sorted(self.derived_by.items())),
            tuple(sorted(set(self.fired))),
        )


def negated(rule: CompiledRule) -> conditions.Node:
    """The negation of a derived fact's case: what must hold for the next case to be tried."""
    assert rule.negated is not None, "only derive cases carry a negation"
    return rule.negated
