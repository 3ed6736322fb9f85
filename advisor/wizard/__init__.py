"""The wizard: the front page, one page per step of the decision tree, review and finish, and
the value helper.

The tree is data (``rules/<jurisdiction>/questions.yaml``, read by
``advisor.rulebase.questions``); this package only asks it, saves drafts and renders pages.
Routes and the blueprint (``bp``) are in ``views.py``; the value helper's page adds its route
to ``bp`` in ``value_helper.py``.
"""

from __future__ import annotations

from advisor.wizard import value_helper  # noqa: F401  (adds the value helper's route to bp)
from advisor.wizard.views import bp

__all__ = ["bp"]
