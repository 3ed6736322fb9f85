"""The wizard: the front page, one page per step of the decision tree, review and finish.

The tree is data (``rules/<jurisdiction>/questions.yaml``, read by
``advisor.rulebase.questions``); this package only asks it, saves drafts and renders pages.
Routes are listed in ``views.py``.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("wizard", __name__)

from advisor.wizard import views  # noqa: F401  (registers the routes on bp)
