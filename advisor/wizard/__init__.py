"""The wizard: the front page, one page per step of the decision tree, review and finish.

The tree is data (``rules/<jurisdiction>/questions.yaml``, read by
``advisor.rulebase.questions``); this package only asks it, saves drafts and renders pages.
Routes and the blueprint (``bp``) are in ``views.py``.
"""

from __future__ import annotations

from advisor.wizard.views import bp

__all__ = ["bp"]
