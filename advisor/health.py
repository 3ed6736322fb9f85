"""Liveness (``/healthz``) and readiness (``/readyz``) for load balancers and operators."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, current_app
from sqlalchemy.exc import SQLAlchemyError

from advisor import db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

NO_STORE = {"Cache-Control": "no-store"}
# What jsonify gives for {"status": "ok"}, encoded once: probes call this every few seconds.
HEALTHY = b'{"status":"ok"}\n'


@bp.get("/healthz")
def healthz() -> Response:
    """The process is alive and serving requests."""
    return Response(HEALTHY, 200, NO_STORE, mimetype="application/json")


@bp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Ready for traffic: the rule base is loaded and the database answers."""
    state = current_app.extensions.get("advisor")
    rulebase = getattr(state, "rulebase", None)
    assessor = getattr(state, "assessor", None)
    checks: dict[str, dict[str, Any]] = {
        "rulebase": {
            "ok": rulebase is not None and assessor is not None,
            "version": getattr(rulebase, "version", None),
        }
    }
    try:
        db.ping()
        checks["database"] = {"ok": True}
    except SQLAlchemyError as error:
        log.warning("readiness: database unreachable", extra={"error": type(error).__name__})
        checks["database"] = {"ok": False, "error": type(error).__name__}
    ready = all(check["ok"] for check in checks.values())
    body = {"status": "ready" if ready else "not_ready", "checks": checks}
    return body, 200 if ready else 503, NO_STORE
