"""axe-core on the page types outside the wizard and the result: plan screening and API docs.

The rules explorer (``/regler``) is checked when it exists.
"""

from __future__ import annotations

import re
import urllib.request
from typing import Any

import pytest


def test_plan_screening_pages(live_server: Any, web: Any, axe_check: Any, tmp_path: Any) -> None:
    if "screening" not in live_server.app.blueprints:
        pytest.skip("plan screening is not registered")
    web.goto(live_server("/plan/"))
    axe_check(web, "the plan upload page")
    with urllib.request.urlopen(live_server("/plan/mal.csv"), timeout=10) as response:
        template = response.read()
    plan = tmp_path / "plan.csv"
    plan.write_bytes(template)
    web.locator("#plan").set_input_files(str(plan))
    web.locator("form.screening-form button[type=submit]").click()
    web.wait_for_url(re.compile(r"/plan/[^/]+$"))
    axe_check(web, "the plan screening result")


def test_api_docs_page(live_server: Any, web: Any, axe_check: Any) -> None:
    response = web.goto(live_server("/api/v1/docs"))
    if response is None or response.status == 404:
        pytest.skip("no API docs page")
    assert response.status == 200
    axe_check(web, "the API docs page")


def test_rules_explorer(live_server: Any, web: Any, axe_check: Any) -> None:
    # a filtered index (the same template as the full list, which is slow to check) and a rule
    response = web.goto(live_server("/regler?q=16-9"))
    if response is None or response.status == 404:
        pytest.skip("the rules explorer (/regler) does not exist yet")
    assert response.status == 200
    axe_check(web, "the rules explorer (filtered)")
    web.locator("main a[href^='/regler/']").first.click()
    web.wait_for_url(re.compile(r"/regler/[^/?]+$"))
    axe_check(web, "a rule in the rules explorer")
