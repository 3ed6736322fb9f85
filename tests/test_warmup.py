"""advisor/warmup.py: what gunicorn's master does once before forking its workers."""

from __future__ import annotations

import gc
import re

import sqlalchemy as sa
from flask import Flask

from advisor import db
from advisor.warmup import before_fork, warm


def _rows(app: Flask) -> dict[str, int]:
    with app.app_context():
        session = db.get_session()
        return {
            table: session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("drafts", "assessments")
        }


def test_warm_prepares_what_first_requests_need_and_writes_nothing(app: Flask):
    before = _rows(app)
    done = warm(app)
    assert done["languages"] == 2 and done["assessments"] == 2
    assert done["templates"] >= 10
    # The web templates are compiled and kept (the PDF ones have their own environment).
    cached = {key[1] for key in list(app.jinja_env.cache.keys())}  # type: ignore[union-attr]
    assert {"base.html", "wizard/step.html", "wizard/index.html", "result/show.html"} <= cached
    # The wizard's question views exist for both languages, each with its own texts.
    views = app.extensions["advisor_wizard_views"]
    by_lang = {lang: found for (_version, lang), found in views.items()}
    assert set(by_lang) == {"nb", "en"}
    assert "Hvorfor spør vi om dette?" in by_lang["nb"]["law_as_of"].help_html
    assert "Why do we ask this?" in by_lang["en"]["law_as_of"].help_html
    assert _rows(app) == before  # nothing saved


def test_a_warmed_app_serves_the_same_pages(app: Flask, csrf_token):
    warm(app)
    client = app.test_client()
    token = csrf_token(client)
    step = client.post("/ny", data={"csrf_token": token}).location
    html = client.get(step).get_data(as_text=True)
    assert re.search(r"<h1[^>]*>Om anskaffelsen</h1>", html)
    assert "Hvorfor spør vi om dette?" in html
    english = client.get(step + "?lang=en").get_data(as_text=True)
    assert "Why do we ask this?" in english and "Hvorfor spør" not in english


def test_before_fork_freezes_the_heap_for_any_app():
    """gunicorn.conf.py may serve another WSGI app (a different entry point): it is not warmed
    (it is not this project's app) but its heap is frozen all the same."""
    gc.unfreeze()
    try:
        before_fork(Flask("bare"))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


FRESH_PROCESS = r"""
import datetime as dt, os, re, sys
import sqlalchemy as sa
from advisor import create_app
from advisor.warmup import before_fork

app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "DATABASE_URL": sys.argv[1],
                  "INSTANCE_PATH": sys.argv[2], "RATELIMIT_ENABLED": False})
before_fork(app)  # what gunicorn's master does before it forks
# A draft started earlier (by another worker): written without this process's ORM classes.
now = dt.datetime.now(dt.UTC)
engine = sa.create_engine(sys.argv[1])
with engine.begin() as connection:
    connection.execute(
        sa.text("INSERT INTO drafts (id, answers, current_step, lang, created_at, updated_at) "
                "VALUES ('fresh-draft-0001', '{}', '', 'nb', :now, :now)"),
        {"now": now},
    )
engine.dispose()
if os.fork() == 0:  # a worker whose first request is a step of that draft
    client = app.test_client()
    step = "/utkast/fresh-draft-0001/steg/om-anskaffelsen"
    shown = client.get(step)
    token = re.search(r'name="csrf_token" value="([^"]+)"', shown.get_data(as_text=True))
    answered = client.post(step, data={"csrf_token": token.group(1), "law_as_of": "01.03.2026"})
    os._exit(0 if (shown.status_code, answered.status_code) == (200, 303) else 3)
_pid, status = os.wait()
sys.exit(os.waitstatus_to_exitcode(status))
"""


def test_a_fresh_forked_worker_serves_the_wizard(database_url: str, instance_path):
    """A worker's first request is a step of a draft another worker started, as under gunicorn
    (here, in the test process, other tests have long set up the ORM; a fresh one has not)."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, database_url, str(instance_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
