"""The live objects of one app instance: ``app.extensions["advisor"]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from advisor.assessor import Assessor
    from advisor.rulebase import RuleBase
    from advisor.settings import Settings


@dataclass
class AdvisorState:
    """The rule base and the Assessor built from it, plus the settings the app started with."""

    rulebase: RuleBase
    assessor: Assessor
    settings: Settings


def current_state() -> AdvisorState:
    """The ``AdvisorState`` of the current app (needs an app context)."""
    return current_app.extensions["advisor"]
