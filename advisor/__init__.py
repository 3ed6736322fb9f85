"""Inkluderende anskaffelser: helps Norwegian public buyers engage social entrepreneurs lawfully.

``create_app()`` builds the Flask app (flaskr style): settings from the environment, runtime files
in ``instance/``, the rule base loaded and compiled once, one blueprint per feature.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask

if TYPE_CHECKING:
    from advisor.assessor import Assessor


def create_app(
    test_config: dict[str, Any] | None = None, *, assessor: Assessor | None = None
) -> Flask:
    """Build the app. ``test_config`` (Flask config keys) overrides the environment.

    Start-up stops with a ``StartupError`` (a ``SystemExit`` with a clear message) when the
    secret key is missing in production, the rule base is invalid, or the database is not
    migrated, instead of serving wrong advice.

    ``assessor``: an Assessor already built from the rule base in ``RULES_DIR``, for a process
    that builds many apps on one rule base (the test suite shares one per session). The caller
    owns it and closes it. Without it, as in production, the app loads, validates and compiles
    its own rule base.
    """
    from advisor import db, errors, i18n, logs, security
    from advisor.settings import REPO_ROOT, Settings, load_settings
    from advisor.state import AdvisorState
    from advisor.web import register_blueprints

    config = dict(test_config or {})
    settings = load_settings(**{key.lower(): value for key, value in config.items()})
    if assessor is not None and assessor.rulebase.root.resolve() != settings.rules_dir.resolve():
        raise ValueError(
            f"the assessor was built from {assessor.rulebase.root}, "
            f"the app's RULES_DIR is {settings.rules_dir}"
        )
    logs.configure_logging(settings.log_level)

    app = Flask(
        __name__,
        instance_path=str(settings.instance_path.resolve()),
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
    )
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        ADVISOR_ENV=settings.advisor_env,
        SECRET_KEY=settings.resolved_secret_key(),
        DATABASE_URL=settings.resolved_database_url(),
        RULES_DIR=str(settings.rules_dir),
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        MAX_CONTENT_LENGTH=settings.max_content_length,
        TRUSTED_PROXIES=settings.trusted_proxies,
        SQLITE_SYNCHRONOUS=settings.sqlite_synchronous,
        SESSION_COOKIE_NAME="advisor_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
    )
    # Other Flask keys from test_config win; settings fields were already resolved above.
    app.config.update({k: v for k, v in config.items() if k.lower() not in Settings.model_fields})

    i18n.init_app(app)
    logs.init_app(app)  # before security: a CSRF or rate-limit refusal carries a request id
    security.init_app(app)
    errors.init_app(app)
    db.init_app(app)
    if assessor is None:
        rulebase, assessor = _load_rules(app)
    else:
        rulebase = assessor.rulebase
    app.extensions["advisor"] = AdvisorState(
        rulebase=rulebase, assessor=assessor, settings=settings
    )
    register_blueprints(app)
    security.exempt_api(app)
    app.logger.info(
        "started",
        extra={
            "env": settings.advisor_env,
            "rules_dir": app.config["RULES_DIR"],
            "ruleset_version": getattr(rulebase, "version", None),
            "database": db.safe_url(app.config["DATABASE_URL"]),
        },
    )
    return app


def _load_rules(app: Flask) -> tuple[Any, Any]:
    """Load, validate and compile the rule base; an invalid one stops start-up."""
    from advisor.assessor import Assessor
    from advisor.rulebase import RuleBaseInvalid, load_rulebase
    from advisor.settings import StartupError

    rules_dir = app.config["RULES_DIR"]
    try:
        rulebase = load_rulebase(rules_dir)
        assessor = Assessor(rulebase)  # compiles every period: refusals surface here too
    except RuleBaseInvalid as invalid:
        lines = "\n".join(invalid.messages) or str(invalid)
        raise StartupError(
            f"the rule base in {rules_dir} is invalid; fix these errors "
            f"(check with `advisor rules check`):\n{lines}"
        ) from invalid
    return rulebase, assessor
