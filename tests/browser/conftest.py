"""Browser tests: the real app served by werkzeug in a thread, driven by Debian's Chromium.

- All tests here run in one xdist worker (the ``browser`` group), which starts the server and
  the browser once.
- ``live_server``: one app for the whole session on 127.0.0.1 and a free port, with its own
  instance folder and a migrated temporary SQLite database. CSRF, CSP and rate limits are on, as
  in production.
- ``browser``: one headless Chromium (``/usr/bin/chromium``, never a downloaded browser).
- ``page``-like fixture ``web``: a fresh browser context (no cookies) per test, so tests do not
  share sessions; ``new_context()`` gives more (e.g. to open a resume link "on another machine").
- ``axe_check(page)``: runs axe-core (WCAG 2.1 A/AA and best practices) and fails with the
  report when there is any violation.

The folder is skipped when ``/usr/bin/chromium`` is missing (``.ci/run`` installs it, so under
CI these tests run).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    # One xdist worker runs every browser test (``--dist loadgroup``): one live server and one
    # Chromium for all of them, while the other workers run the rest of the suite.
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.xdist_group("browser"))
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)"
    else:
        try:
            import axe_playwright_python  # noqa: F401
            import playwright.sync_api  # noqa: F401
        except ImportError as error:  # pragma: no cover - both are test dependencies
            reason = f"browser test dependencies missing: {error}"
    if reason is None:
        return
    if os.environ.get("CI"):
        return  # under CI a missing browser must fail loudly, not skip
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


@dataclass
class LiveServer:
    url: str
    app: Any

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, migrated_sqlite_template: Path, assessor: Any
) -> Iterator[LiveServer]:
    from werkzeug.serving import make_server

    from advisor import create_app

    instance = tmp_path_factory.mktemp("browser-instance")
    database = instance / "advisor.db"
    shutil.copyfile(migrated_sqlite_template, database)
    saved_env = {
        name: os.environ.pop(name, None)
        for name in ("ADVISOR_ENV", "SECRET_KEY", "DATABASE_URL", "RULES_DIR", "INSTANCE_PATH")
    }
    app = create_app(
        {
            "ADVISOR_ENV": "development",
            "SECRET_KEY": "browser-test-secret-key",
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": f"sqlite:///{database}",
            "RATELIMIT_STORAGE_URI": "memory://",
        },
        assessor=assessor,  # the session's (tests/conftest.py)
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)  # port 0: a free port, no race
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        app.extensions["advisor_db"].engine.dispose()
        for name, value in saved_env.items():
            if value is not None:
                os.environ[name] = value


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser: Any) -> Iterator[Callable[..., Any]]:
    """``new_context(**options)`` → a fresh browser context (closed after the test)."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        options.setdefault("locale", "nb-NO")
        options.setdefault("accept_downloads", True)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def web(new_context: Callable[..., Any]) -> Any:
    """A page in a fresh context (Norwegian browser, no cookies)."""
    page = new_context().new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def on_console(message: Any) -> None:
        where = (message.location or {}).get("url", "")
        if message.type == "error" and not where.endswith("/favicon.ico"):
            errors.append(f"{message.text} ({where})")

    page.on("console", on_console)
    page.js_errors = errors  # CSP violations and script errors end up here
    return page


@pytest.fixture(scope="session")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def axe_check(axe: Any) -> Callable[[Any, str], None]:
    """``axe_check(page, what)``: zero axe-core violations on the page as it is now."""

    def check(page: Any, what: str) -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        if results.violations_count:
            pytest.fail(
                f"axe-core found {results.violations_count} violation(s) on {what} "
                f"({page.url}):\n{results.generate_report()}",
                pytrace=False,
            )

    return check


@pytest.fixture(scope="session")
def seed(live_server: LiveServer) -> Callable[[Any], str]:
    """``seed(assessment)``: save it in the live server's database; returns its id."""
    from advisor.records import save_assessment

    def save(assessment: Any) -> str:
        with live_server.app.app_context():
            return save_assessment(assessment).id

    return save
