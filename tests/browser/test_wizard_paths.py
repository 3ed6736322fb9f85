"""Complete wizard paths in a real browser, each ending on the result page with its conclusions.

The driver answers whatever questions a step shows (by the form field names, which are the
question ids of rules/no/questions.yaml), so a path states only the answers that make it what it
is; everything else gets a plain default. Law date 1 March 2026: a period whose law is verified.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

LAW_DATE = "2026-03-01"

#: Answers for questions a path does not care about.
DEFAULTS: dict[str, Any] = {
    "title": "",
    "law_as_of": LAW_DATE,
    "arrangement": "contract",
    "buyer_type": "municipality",
    "subject": "services",
    "cpv": "",
    "service_type": "ordinary",
    "estimated_value_nok": "500 000",
    "duration_months": "",
    "is_framework_agreement": "no",
    "recurring_need": "no",
    "split_from_larger_need": "no",
    "target_supplier": "none",
    "supplier_meets_wise_conditions": "yes",
    "supplier_meets_ideell_definition": "yes",
    "suppliers_pay_dividends": "no",
    "only_one_possible_supplier": "no",
    "divisible_into_lots": "no",
    "subcontracting_expected": "no",
    "work_performed_abroad": "no",
    "apprentice_trade_relevant": "no",
    "wants_reservation": "no",
    "wishes": [],
}
NOT_ANSWERS = {"csrf_token", "fra", "action"}
MAX_STEPS = 25


class Wizard:
    """Drives the wizard through the browser like a user with a mouse and a keyboard."""

    def __init__(self, page: Any, server: Any, axe_check: Any = None) -> None:
        self.page = page
        self.server = server
        self.axe_check = axe_check
        self.visited: list[str] = []

    def check(self, what: str) -> None:
        if self.axe_check is not None:
            self.axe_check(self.page, what)

    def start(self, lang: str | None = None) -> None:
        self.page.goto(self.server("/" + (f"?lang={lang}" if lang else "")))
        self.check("the front page")
        self.page.locator("form.start-form button[type=submit]").click()
        self.page.wait_for_url(re.compile(r"/steg/"))

    def on_step(self) -> bool:
        return "/steg/" in self.page.url

    def step_id(self) -> str:
        return self.page.url.split("/steg/", 1)[1].split("?", 1)[0]

    def fields(self) -> dict[str, dict[str, Any]]:
        """The answer fields on this step: name → {type, values} (one round trip)."""
        found = self.page.eval_on_selector_all(
            "form.wizard-form [name]",
            "els => els.map(e => [e.getAttribute('name'), e.type, e.value])",
        )
        fields: dict[str, dict[str, Any]] = {}
        for name, kind, value in found:
            if name in NOT_ANSWERS or name.endswith("_pick"):
                continue
            field = fields.setdefault(name, {"type": kind, "values": []})
            field["values"].append(value)
        return fields

    def fill(self, answers: dict[str, Any]) -> None:
        form = self.page.locator("form.wizard-form")
        for name, field in self.fields().items():
            value = answers.get(name, DEFAULTS.get(name))
            if field["type"] == "radio":
                if value is None:  # a question the paths do not know yet: "vet ikke" or first
                    value = "unknown" if "unknown" in field["values"] else field["values"][0]
                form.locator(f'input[name="{name}"][value="{value}"]').check()
            elif field["type"] == "checkbox":
                wanted = set(value or [])
                for option in field["values"]:
                    box = form.locator(f'input[name="{name}"][value="{option}"]')
                    box.set_checked(option in wanted)
            else:
                form.locator(f'[name="{name}"]').fill("" if value is None else str(value))

    def next(self) -> None:
        """Submit the step and wait for the page that answers it (the next step after a 303,
        or this step again with errors): reading the old page, or a new one still being
        parsed, made a busy machine skip fields now and then."""
        with self.page.expect_navigation():
            self.page.locator(".form-actions button[value=next]").click()

    def answer_all(self, answers: dict[str, Any]) -> None:
        """Answer every step until the review page."""
        for _ in range(MAX_STEPS):
            if not self.on_step():
                break
            step = self.step_id()
            self.visited.append(step)
            self.check(f"wizard step {step}")
            self.fill(answers)
            self.next()
            errors = self.page.locator("[data-error-summary]")
            assert not errors.count(), f"step {step}: {errors.inner_text()}"
        assert self.page.url.endswith("/oppsummering"), self.page.url
        self.check("the review page")

    def answer_until(self, step: str, answers: dict[str, Any] | None = None) -> None:
        """Answer steps until ``step`` is shown."""
        for _ in range(MAX_STEPS):
            if self.on_step() and self.step_id() == step:
                return
            self.visited.append(self.step_id())
            self.check(f"wizard step {self.step_id()}")
            self.fill(answers or {})
            self.next()
        raise AssertionError(f"never reached step {step}")

    def finish(self) -> None:
        self.page.locator("#finish button[type=submit]").click()
        self.page.wait_for_url(re.compile(r"/vurdering/[^/]+$"))

    def run(self, answers: dict[str, Any], lang: str | None = None) -> None:
        self.start(lang)
        self.answer_all(answers)
        self.finish()


@pytest.fixture
def wizard(live_server: Any, web: Any) -> Wizard:
    if "wizard" not in live_server.app.blueprints:
        pytest.skip("the wizard blueprint is not registered in advisor/web/__init__.py yet")
    return Wizard(web, live_server)


def back_until(page: Any, step: str) -> None:
    """Follow the "Back" link until ``step`` is shown."""
    for _ in range(MAX_STEPS):
        if page.url.split("?", 1)[0].endswith(f"/steg/{step}"):
            return
        page.locator(".back-link a").click()
        page.wait_for_load_state()
    raise AssertionError(f"never got back to step {step}")


def regime(page: Any) -> str:
    return page.locator(".regime__title").inner_text()


def assert_open(page: Any, code: str, *citations: str) -> None:
    route = page.locator(f"#route-{code}")
    expect(route.locator(".status")).to_contain_text("Åpen")
    assert route.locator("xpath=ancestor::section").get_attribute("aria-labelledby") == "open-title"
    for citation in citations:
        expect(route.locator(".legal-basis").get_by_role("link", name=citation)).to_have_count(1)


def assert_closed(page: Any, code: str) -> None:
    route = page.locator(f"#route-{code}")
    expect(route.locator(".status")).to_contain_text("Ikke åpen")
    assert route.locator("p").nth(1).inner_text().strip(), "a closed route says why"


PATHS = {
    "below_lower_limit": (
        {"title": "Blomster til rådhuset", "subject": "goods", "estimated_value_nok": "50 000"},
        "Under forskriftens nedre grense",
        {"direct_purchase": ["FOA § 1-1"]},
        ["reserved_wise"],
    ),
    "part_i_wise_invitation": (
        {"estimated_value_nok": "500 000", "target_supplier": "wise"},
        "Del I",
        {"invite_only_wise": ["LOA § 4"]},
        ["reserved_wise", "direct_purchase"],
    ),
    "part_ii_reserved": (
        {"estimated_value_nok": "1 500 000", "target_supplier": "wise", "wants_reservation": "yes"},
        "Del I og II",
        {"reserved_wise": ["FOA § 8-8"]},
        ["invite_only_wise"],
    ),
    "part_iii_reserved_with_lots": (
        {
            "estimated_value_nok": "3,6 mill.",
            "target_supplier": "wise",
            "wants_reservation": "yes",
            "divisible_into_lots": "yes",
        },
        "Del I og III",
        {"reserved_wise": ["FOA § 16-9"], "lots": ["FOA § 19-4"]},
        ["invite_only_wise", "reserved_ideell"],
    ),
    "part_iv_ideell": (
        {
            "buyer_type": "county",
            "service_type": "health_social",
            "estimated_value_nok": "12 000 000",
            "target_supplier": "ideell",
            "wants_reservation": "yes",
        },
        "Del I og IV (helse- og sosialtjenester)",
        {"reserved_ideell": ["FOA § 30-2a"]},
        ["direct_purchase"],
    ),
    "grant": (
        {"arrangement": "grant", "grant_enforceable_obligation": "no"},
        "Ikke en anskaffelse etter regelverket",
        {"grant": []},
        ["reserved_wise"],
    ),
}


@pytest.mark.parametrize("name", list(PATHS))
def test_complete_path(wizard: Wizard, name: str) -> None:
    answers, expected_regime, open_routes, closed_routes = PATHS[name]
    wizard.run(answers)
    page = wizard.page
    assert page.locator("html").get_attribute("lang") == "nb"
    assert regime(page) == expected_regime
    for code, citations in open_routes.items():
        assert_open(page, code, *citations)
    for code in closed_routes:
        assert_closed(page, code)
    assert not page.js_errors, page.js_errors


def test_every_page_type_has_no_axe_violations(wizard: Wizard, axe_check: Any) -> None:
    """Front page, every step of a long path, an error state, the value helper, the saved page,
    the review and the result (404 and delete pages: test_result_browser; plan screening, API
    docs and the rules explorer: test_other_pages_browser)."""
    wizard.axe_check = axe_check
    page = wizard.page
    wizard.start()
    wizard.answer_until("avtaleform")
    # a step with validation errors: the error summary and the messages at the fields
    wizard.next()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    axe_check(page, f"wizard step {wizard.step_id()} with errors")
    wizard.answer_all(
        {
            "arrangement": "contract",
            "target_supplier": "ideell",
            "service_type": "health_social",
            "estimated_value_nok": "9 000 000",
            "wants_reservation": "yes",
            "wishes": ["conditions", "criteria"],
        }
    )
    assert {"om-anskaffelsen", "verdi", "leverandor-detaljer", "onsker"} <= set(wizard.visited)
    wizard.finish()
    axe_check(page, "the result page from the wizard")
    # the value helper and the saved page
    wizard.axe_check = None  # the pages on the way there are checked above
    wizard.start()
    wizard.answer_until("verdi")
    helper = page.locator(".helper-link button")
    if helper.count():
        helper.click()
        page.wait_for_load_state()
        axe_check(page, "the value helper")
        page.go_back()
    page.locator(".form-actions button[value=later]").click()
    page.wait_for_url(re.compile(r"/lagret$"))
    axe_check(page, "the saved page (resume link)")


def test_back_keeps_answers(wizard: Wizard) -> None:
    page = wizard.page
    wizard.start()
    wizard.answer_until("oppdragsgiver", {"title": "Kantinedrift"})
    wizard.fill({"buyer_type": "county"})
    wizard.next()
    page.locator(".back-link a").click()
    expect(page.locator('input[name="buyer_type"][value="county"]')).to_be_checked()
    back_until(page, "om-anskaffelsen")
    expect(page.locator('input[name="title"]')).to_have_value("Kantinedrift")


def test_edit_an_earlier_answer_on_the_review_page(wizard: Wizard) -> None:
    page = wizard.page
    wizard.start()
    wizard.answer_all({"estimated_value_nok": "500 000", "target_supplier": "wise"})
    row = page.locator("#estimated_value_nok-row")
    expect(row).to_contain_text("500 000")
    row.get_by_role("link").click()
    assert wizard.step_id() == "verdi"
    page.locator('input[name="estimated_value_nok"]').fill("1 500 000")
    wizard.next()
    # back at the review (or on a step that the change made necessary, then the review)
    wizard.answer_all({"target_supplier": "wise", "wants_reservation": "yes"})
    expect(page.locator("#estimated_value_nok-row")).to_contain_text("1 500 000")
    wizard.finish()
    assert regime(page) == "Del I og II"
    # and from the result page, back to change the answers again
    page.get_by_role("link", name="Endre svarene", exact=True).click()
    assert page.url.endswith("/oppsummering")
    expect(page.locator("#estimated_value_nok-row")).to_contain_text("1 500 000")


def test_resume_link_in_a_fresh_browser(wizard: Wizard, new_context: Any) -> None:
    page = wizard.page
    wizard.start()
    wizard.answer_until("verdi", {"title": "Vaskeritjenester 2027", "buyer_type": "county"})
    page.locator('input[name="estimated_value_nok"]').fill("2 400 000")
    page.locator(".form-actions button[value=later]").click()
    page.wait_for_url(re.compile(r"/lagret$"))
    link = page.locator("#resume-link").input_value()
    assert link.startswith(wizard.server.url)

    other = new_context().new_page()  # another browser: no cookies, no session
    other.goto(link)
    assert "/steg/verdi" in other.url
    expect(other.locator('input[name="estimated_value_nok"]')).to_have_value(
        re.compile(r"2[\s\u00a0]?400[\s\u00a0]?000")
    )
    back_until(other, "oppdragsgiver")
    expect(other.locator('input[name="buyer_type"][value="county"]')).to_be_checked()


def test_switch_to_english_mid_way(wizard: Wizard) -> None:
    page = wizard.page
    wizard.start()
    wizard.answer_until("oppdragsgiver")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", level=1)).to_have_text("Who buys")
    wizard.answer_all(
        {"estimated_value_nok": "1 500 000", "target_supplier": "wise", "wants_reservation": "yes"}
    )
    wizard.finish()
    assert page.locator("html").get_attribute("lang") == "en"
    assert regime(page) == "Parts I and II"
    route = page.locator("#route-reserved_wise")
    expect(route.locator(".status")).to_contain_text("Open")
    expect(page.get_by_role("heading", name="Routes open to you")).to_be_visible()


FOCUS_VISIBLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return style.outlineStyle !== 'none' && style.outlineWidth !== '0px' || style.boxShadow !== 'none';
}"""


def tab_to(page: Any, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has the focus; it must show it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            assert page.evaluate(FOCUS_VISIBLE), f"no visible focus on {selector}"
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only(wizard: Wizard) -> None:
    page = wizard.page
    page.goto(wizard.server("/"))
    tab_to(page, "form.start-form button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/steg/om-anskaffelsen"))
    tab_to(page, 'input[name="title"]')
    page.keyboard.type("Tastaturtest")
    page.keyboard.press("Enter")  # Enter in a text field means "continue"
    page.wait_for_url(re.compile(r"/steg/avtaleform"))
    tab_to(page, 'input[name="arrangement"]')
    page.keyboard.press("Space")
    tab_to(page, ".form-actions button[value=next]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/steg/oppdragsgiver"))
    page.locator(".back-link a").click()
    expect(page.locator('input[name="arrangement"][value="contract"]')).to_be_checked()
