"""Where every blueprint is registered: one line per feature, so a reader finds the routes.

Each feature owns its module and its blueprint (named in brackets):

| module | blueprint | what |
|---|---|---|
| ``advisor/health.py`` | ``health`` | ``/healthz`` and ``/readyz`` |
| ``advisor/wizard/`` | ``wizard`` | the front page, the questions, the review page |
| ``advisor/result/`` | ``result`` | ``/vurdering/<id>``: result page, guidance PDF, delete, re-assess |
| ``advisor/api/`` | ``api`` | the JSON API under ``/api/v1`` (CSRF-exempt by its name ``api``) |
| ``advisor/screening/views.py`` | ``screening`` | ``/plan``: screen a whole procurement plan |
| ``advisor/explorer.py`` | ``explorer`` | the rules explorer |

A feature's owner adds (or un-comments) its line below when the module lands. Imports are
explicit on purpose: a blueprint that fails to import must stop start-up, not vanish.
"""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from advisor import health

    app.register_blueprint(health.bp)

    from advisor import wizard  # front page, questions, review (advisor/wizard/views.py)

    app.register_blueprint(wizard.bp)
    from advisor import result  # result page, guidance PDF download, delete, re-assess

    app.register_blueprint(result.bp)
    from advisor import api  # JSON API (advisor/api/routes.py); the blueprint must be named "api"

    app.register_blueprint(api.bp)
    from advisor.screening import views as screening  # plan screening at /plan

    app.register_blueprint(screening.bp)
    from advisor import explorer  # rules explorer at /regler (read-only)

    app.register_blueprint(explorer.bp)
