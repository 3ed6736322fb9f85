"""The result page in a real browser: accessibility, copy buttons, PDF download, delete."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import fixtures_assessments as fx
import pytest
from playwright.sync_api import expect

#: Set SCREENSHOT_DIR (e.g. /tmp/shots, never the repository) to keep a picture of the page.
SHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture(scope="module")
def wise_id(seed: Any) -> str:
    return seed(fx.wise_cleaning_part_iii())


def test_result_page_is_accessible_in_both_languages(
    live_server: Any, web: Any, axe_check: Any, wise_id: str
) -> None:
    web.goto(live_server(f"/vurdering/{wise_id}"))
    assert web.locator("html").get_attribute("lang") == "nb"
    assert web.locator("h1").inner_text() == "Renhold av kommunale formålsbygg 2027–2029"
    reserved = web.locator("#route-reserved_wise")
    assert "Åpen" in reserved.locator(".status").inner_text()
    assert reserved.get_by_role("link", name="FOA § 16-9").count() == 1
    assert "Ikke åpen" in web.locator("#route-reserved_ideell .status").inner_text()
    axe_check(web, "the result page (nb)")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        web.set_viewport_size({"width": 1280, "height": 900})
        web.screenshot(path=str(Path(SHOTS) / "result-nb.png"), full_page=True)
    assert not web.js_errors, web.js_errors

    web.get_by_role("link", name="English").click()
    assert web.locator("html").get_attribute("lang") == "en"
    assert web.get_by_role("heading", name="Routes open to you").is_visible()
    axe_check(web, "the result page (en)")


def test_copy_button_copies_the_ready_text(
    live_server: Any, new_context: Any, wise_id: str
) -> None:
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(live_server(f"/vurdering/{wise_id}"))
    box = page.locator(".ready-text").first
    box.get_by_role("button", name="Kopier teksten").click()
    expect(box.get_by_role("status")).to_have_text("Kopiert")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "jf. anskaffelsesforskriften § 16-9" in copied


def test_ready_texts_are_readable_without_javascript(
    live_server: Any, new_context: Any, wise_id: str
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server(f"/vurdering/{wise_id}"))
    assert page.locator("blockquote.ready-text__body").count() == 4
    assert page.get_by_role("button", name="Kopier teksten").count() == 0


def test_guidance_pdf_downloads(live_server: Any, web: Any, wise_id: str) -> None:
    web.goto(live_server(f"/vurdering/{wise_id}"))
    with web.expect_download() as info:
        web.get_by_role("link", name="Last ned veiledningen (PDF, engelsk)").click()
    download = info.value
    assert download.suggested_filename == f"guidance-{wise_id}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")


def test_delete_after_confirmation(live_server: Any, web: Any, axe_check: Any, seed: Any) -> None:
    rid = seed(fx.ideell_part_iv())
    web.goto(live_server(f"/vurdering/{rid}"))
    web.get_by_role("link", name="Slett denne vurderingen").click()
    assert web.get_by_role("heading", level=1).inner_text() == "Vil du slette vurderingen?"
    axe_check(web, "the delete confirmation page")
    web.get_by_role("button", name="Ja, slett den").click()
    assert "Vurderingen er slettet." in web.locator(".messages").inner_text()
    response = web.goto(live_server(f"/vurdering/{rid}"))
    assert response.status == 404


def test_error_page_is_accessible(live_server: Any, web: Any, axe_check: Any) -> None:
    response = web.goto(live_server("/vurdering/finnes-ikke"))
    assert response.status == 404
    assert web.get_by_role("heading", level=1).inner_text() == "Fant ikke siden"
    axe_check(web, "the 404 page")


def test_reassess_shows_what_changed(web: Any, live_server: Any, axe_check: Any, seed: Any) -> None:
    rid = seed(fx.wise_cleaning_part_iii())  # made by hand with another rule-base version
    web.goto(live_server(f"/vurdering/{rid}"))
    web.get_by_role("button", name="Vurder på nytt med gjeldende regler").click()
    web.wait_for_url(re.compile(r"#changes$"))
    expect(web.get_by_role("heading", name="Vurdert på nytt med gjeldende regler")).to_be_visible()
    axe_check(web, "the result page after re-assessing")
    web.reload()
    expect(web.locator("#changes")).to_have_count(0)  # said once
