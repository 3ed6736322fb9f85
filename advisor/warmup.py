"""Warm the app once in gunicorn's master, before it forks its workers.

With ``preload_app`` every worker is a fork of the master. Whatever the master has not done yet,
each worker does again on its first requests, and again each time gunicorn replaces a worker
(``max_requests``): compiling the Jinja templates, reading the translation catalogs, building
the wizard's question views per language, configuring the ORM mappers, the first run of the rule
engine and of the JSON encoders. Done here once, the workers inherit the results through the fork.

``gc.freeze()`` then moves every object that exists so far (the rule base, compiled templates,
imported modules) out of the garbage collector's reach: the workers' collections no longer walk
them, and their memory pages stay shared with the master instead of being copied when the
collector touches them (https://docs.python.org/3/library/gc.html#gc.freeze).

Nothing here writes to the database or changes what any request returns.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from flask import Flask
from jinja2 import TemplateError

log = logging.getLogger(__name__)


def warm(app: Flask) -> dict[str, int]:
    """Do in this process the work every worker would repeat on its first requests.

    Returns what was done (for the log). A failure is logged and ignored: warming is an
    optimisation, and the workers would do the same work on demand.
    """
    import pydantic_core
    import sqlalchemy.orm as sa_orm

    from advisor.i18n import LANGUAGES, current_language
    from advisor.ruletests import case_of
    from advisor.state import current_state
    from advisor.wizard.question_views import question_views

    done = {"templates": 0, "languages": 0, "assessments": 0}
    sa_orm.configure_mappers()  # otherwise done by each worker's first ORM object
    env = app.jinja_env
    for name in env.list_templates(extensions=("html",)):
        try:
            env.get_template(name)
        except TemplateError:  # a PDF template: compiled by its own environment, with its filters
            continue
        done["templates"] += 1
    for lang in LANGUAGES:
        with app.test_request_context(f"/?lang={lang}"):
            app.preprocess_request()
            if current_language() != lang:  # the locale selector did not take ?lang=
                continue
            question_views(lang)
            done["languages"] += 1
            state = current_state()
            if state.rulebase.tests:  # the rule base's own first test case, assessed in memory
                assessment = state.assessor.assess(case_of(state.rulebase.tests[0]))
                pydantic_core.to_json(assessment.public(lang))
                done["assessments"] += 1
    return done


def before_fork(app: Any) -> None:
    """gunicorn's ``when_ready`` (preload_app): warm an advisor app, then freeze the heap.

    ``app`` is whatever gunicorn loaded; a WSGI app that is not this project's is only frozen.
    """
    if isinstance(app, Flask) and "advisor" in app.extensions:
        try:
            done = warm(app)
        except Exception:  # an optimisation must never stop the server
            log.exception("warm-up before fork failed; workers will warm themselves")
        else:
            log.info("warmed before fork", extra={"warmed": done})
    gc.collect()
    gc.freeze()
