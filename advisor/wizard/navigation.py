"""Where the wizard is and where it goes: the decision tree of the loaded rule base, the draft
of a URL, the URLs of steps, review and result, and where a returning user continues.

Shared by the wizard's pages (``views.py``) and the value helper (``value_helper.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, current_app, request, session, url_for
from werkzeug.routing import BuildError

from advisor.i18n import current_language
from advisor.rulebase.questions import Page, Tree, Walk
from advisor.rulebase.questions_yaml import parse_tree
from advisor.state import current_state
from advisor.wizard.cpv import CpvNames, cpv_names_for
from advisor.wizard.drafts import WizardDraft, get_draft

#: The review page's name in URLs (``?fra=oppsummering``) and as a draft's ``current_step``.
REVIEW = "oppsummering"
#: The session key of the draft the front page offers to continue.
SESSION_DRAFT = "wizard_draft"


def tree() -> Tree:
    """The decision tree of the loaded rule base (parsed once per rule-base version)."""
    rulebase = current_state().rulebase
    cache: dict[str, Tree] = current_app.extensions.setdefault("advisor_wizard_trees", {})
    found = cache.get(rulebase.version)
    if found is None:
        found, errors = parse_tree(rulebase.questions, rulebase.questions_located)
        if errors:  # the start-up check refuses such a rule base; this is a guard
            raise RuntimeError("questions.yaml is invalid: " + "; ".join(map(str, errors)))
        cache[rulebase.version] = found
    return found


def cpv_names() -> CpvNames:
    return cpv_names_for(current_app.config["RULES_DIR"])


def local(text: dict[str, str] | None) -> str:
    """A text of the rule base in the request's language (bokmål when it has no other)."""
    if not text:
        return ""
    return text.get(current_language()) or text.get("nb") or ""


def earliest_date() -> dt.date | None:
    periods = current_state().assessor.periods
    return periods[0].start if periods else None


def load_draft(draft_id: str) -> WizardDraft:
    """The draft of the URL; 404 when there is none."""
    draft = get_draft(draft_id)
    if draft is None:
        abort(404)
    return draft


def remember(draft: WizardDraft) -> None:
    """Remember the draft for the front page's "continue" link (the session cookie is sent
    again only when the draft changes)."""
    if session.get(SESSION_DRAFT) != draft.id:
        session[SESSION_DRAFT] = draft.id


def step_url(draft: WizardDraft, page_id: str, **args: Any) -> str:
    return url_for("wizard.step", draft_id=draft.id, page_id=page_id, **args)


def result_url(assessment_id: str) -> str:
    try:
        return url_for("result.show", assessment_id=assessment_id)
    except BuildError:
        return f"{request.script_root}/vurdering/{assessment_id}"


def resume_target(draft: WizardDraft) -> str:
    """Where a returning user continues: the saved step if it is still shown, else the first
    unanswered step, else the review page."""
    walk = tree().walk(draft.answers)
    missing = walk.missing()
    if draft.current_step == REVIEW and not missing:
        return url_for("wizard.review", draft_id=draft.id)
    if draft.current_step in walk.page_ids():
        return step_url(draft, draft.current_step)
    if missing:
        return step_url(draft, missing[0][0].id)
    if not draft.answers:
        return step_url(draft, walk.pages[0].id)
    return url_for("wizard.review", draft_id=draft.id)


def next_step(draft: WizardDraft, walk: Walk, page: Page, from_review: bool) -> tuple[str, str]:
    """After a valid answer to ``page``: where to go, and the step to save as where the draft
    stopped (``walk``: the tree walked with the new answers)."""
    ids = walk.page_ids()
    missing = walk.missing()
    if from_review:
        if missing:
            return step_url(draft, missing[0][0].id, fra=REVIEW), page.id
        return url_for("wizard.review", draft_id=draft.id), page.id
    if page.id in ids and ids.index(page.id) + 1 < len(ids):
        following = ids[ids.index(page.id) + 1]
        return step_url(draft, following), following
    if missing:
        return step_url(draft, missing[0][0].id), missing[0][0].id
    return url_for("wizard.review", draft_id=draft.id), REVIEW
