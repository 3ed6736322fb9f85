"""The wizard (advisor/wizard/) with Flask's test client: from the front page to a saved
assessment, back and change, stale answers, validation errors, resume after a restart, CSRF,
the value helper and CPV search."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from advisor import records
from advisor.wizard.drafts import get_draft
from advisor.wizard.parsing import InputError, parse_months
from advisor.wizard.values import ValueInput, estimate

# A WISE laundry contract for a municipality (Del III, reservation under FOA § 16-9 asked).
PATH: list[tuple[str, dict[str, Any]]] = [
    ("om-anskaffelsen", {"title": "Vaskeri 2027", "law_as_of": "2026-03-01"}),
    ("avtaleform", {"arrangement": "contract"}),
    ("oppdragsgiver", {"buyer_type": "municipality"}),
    ("hva-kjopes", {"subject": "services", "cpv": "98310000"}),
    (
        "verdi",
        {
            "estimated_value_nok": "3,6 mill.",
            "duration_months": "48",
            "is_framework_agreement": "no",
            "recurring_need": "yes",
            "split_from_larger_need": "no",
        },
    ),
    ("sosial-entreprenor", {"target_supplier": "wise"}),
    ("leverandor-detaljer", {"supplier_meets_wise_conditions": "unknown"}),
    (
        "markedet",
        {
            "divisible_into_lots": "yes",
            "subcontracting_expected": "unknown",
            "work_performed_abroad": "no",
            "apprentice_trade_relevant": "unknown",
        },
    ),
    ("onsker", {"wants_reservation": "yes", "wishes": ["conditions", "dialogue"]}),
]


class Wizard:
    """Drives the wizard like a browser would: CSRF token in every form."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.token = token
        self.draft_id: str | None = None

    def start(self) -> str:
        response = self.client.post("/ny", data={"csrf_token": self.token})
        assert response.status_code == 303
        match = re.match(r"^/utkast/([\w-]+)/steg/om-anskaffelsen$", response.location)
        assert match, response.location
        self.draft_id = match.group(1)
        return response.location

    def url(self, page: str) -> str:
        return f"/utkast/{self.draft_id}/steg/{page}"

    def post(self, page: str, data: dict[str, Any], **extra: Any) -> Any:
        return self.client.post(self.url(page), data={**data, "csrf_token": self.token, **extra})

    def answer(self, page: str, data: dict[str, Any], **extra: Any) -> str:
        response = self.post(page, data, **extra)
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        return response.location

    def answers(self, app: Flask) -> dict[str, Any]:
        with app.app_context():
            draft = get_draft(self.draft_id)
            assert draft is not None
            return dict(draft.answers)


@pytest.fixture
def wizard(client: FlaskClient, csrf_token: Callable[[FlaskClient], str]) -> Wizard:
    return Wizard(client, csrf_token(client))


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


# ---------------------------------------------------------------------------- the whole path


def test_front_page_in_bokmal_with_start_button(client: FlaskClient):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="nb">' in html
    assert "Start en ny vurdering" in html or "Bruk sosiale entreprenører" in html
    assert 'name="csrf_token"' in html
    assert "designsystemet-css" in html
    if "explorer.index" in client.application.view_functions:
        assert 'href="/regler"' in html


def test_full_path_saves_the_assessment_and_redirects_to_the_result(app: Flask, wizard: Wizard):
    location = wizard.start()
    for page, data in PATH:
        assert location == wizard.url(page)
        page_html = wizard.client.get(location).get_data(as_text=True)
        assert re.search(r"Steg \d+ av \d+", page_html)
        location = wizard.answer(page, data)
    assert location == f"/utkast/{wizard.draft_id}/oppsummering"

    review = wizard.client.get(location)
    assert review.status_code == 200
    text = text_of(review)
    assert "Se over svarene" in text
    assert "3\xa0600\xa0000\xa0kr" in review.get_data(as_text=True)  # advisor.money, bokmål
    assert "98310000" in text
    assert "Vet ikke" in text

    finished = wizard.client.post(
        f"/utkast/{wizard.draft_id}/fullfor", data={"csrf_token": wizard.token}
    )
    assert finished.status_code == 303
    match = re.match(r"^/vurdering/([\w-]+)$", finished.location)
    assert match, finished.location
    assert wizard.client.get(finished.location).status_code == 200

    with app.app_context():
        record = records.get_assessment(match.group(1))
        assert record is not None
        case = record.case_json
        assessment = record.assessment()
        assert get_draft(wizard.draft_id).assessment_id == record.id
    assert case["buyer_type"] == "municipality"
    assert case["subject"] == "services"
    assert case["cpv"] == "98310000"
    assert case["estimated_value_nok"] == 3_600_000
    assert case["duration_months"] == 48
    assert case["target_supplier"] == "wise"
    assert case["wants_reservation"] is True
    assert case["supplier_meets_wise_conditions"] == "unknown"  # "Vet ikke" is a real answer
    assert case["divisible_into_lots"] == "yes"
    assert case["wants_social_contract_conditions"] is True
    assert case["wants_market_dialogue"] is True
    assert case["wants_social_award_criteria"] is False
    assert case["law_as_of"] == "2026-03-01"
    assert case["title"] == "Vaskeri 2027"
    assert record.title == "Vaskeri 2027"
    assert assessment.regime.code in {"part_ii", "part_iii"}


def test_grant_path_skips_the_contract_questions_but_reaches_the_result(app: Flask, wizard: Wizard):
    wizard.start()
    wizard.answer("om-anskaffelsen", {"law_as_of": "2026-03-01"})
    assert wizard.answer("avtaleform", {"arrangement": "grant"}) == wizard.url("tilskudd-egenregi")
    page = wizard.client.get(wizard.url("tilskudd-egenregi")).get_data(as_text=True)
    assert "grant_enforceable_obligation" in page
    assert "in_house_control_and_activity" not in page
    wizard.answer("tilskudd-egenregi", {"grant_enforceable_obligation": "no"})
    wizard.answer("oppdragsgiver", {"buyer_type": "county"})
    wizard.answer("hva-kjopes", {"subject": "services"})
    wizard.answer("tjenestetype", {"service_type": "unknown"})  # "Vet ikke" -> no service type
    wizard.answer(
        "verdi",
        {
            "estimated_value_nok": "kr 900 000",
            "is_framework_agreement": "no",
            "recurring_need": "no",
            "split_from_larger_need": "no",
        },
    )
    location = wizard.answer("sosial-entreprenor", {"target_supplier": "ideell"})
    assert location == wizard.url("leverandor-detaljer")
    finished = wizard.client.post(
        f"/utkast/{wizard.draft_id}/fullfor", data={"csrf_token": wizard.token}
    )
    # Not everything is answered yet: the review lists what is missing, nothing is saved.
    assert finished.status_code == 422
    assert "Svar mangler" in text_of(finished)


# ---------------------------------------------------------------------------- back and change


def test_back_and_change_keep_the_answers(app: Flask, wizard: Wizard):
    wizard.start()
    for page, data in PATH[:4]:
        wizard.answer(page, data)
    # Going back shows the earlier answer, still checked.
    html = wizard.client.get(wizard.url("oppdragsgiver")).get_data(as_text=True)
    assert re.search(r'value="municipality"\s+checked', html)
    assert f'href="{wizard.url("avtaleform")}"' in html  # the back link
    # The value page after the back trip still shows the typed amount nicely formatted.
    wizard.answer("verdi", PATH[4][1])
    html = wizard.client.get(wizard.url("verdi")).get_data(as_text=True)
    assert 'value="3 600 000"' in html  # grouped so that it reads back as the same amount

    for page, data in PATH[5:]:
        wizard.answer(page, data)
    before = wizard.answers(app)
    # Change one answer from the review page: back to the review, all other answers kept.
    review = wizard.client.get(f"/utkast/{wizard.draft_id}/oppsummering").get_data(as_text=True)
    assert f"{wizard.url('oppdragsgiver')}?fra=oppsummering" in review
    location = wizard.answer("oppdragsgiver", {"buyer_type": "county"}, fra="oppsummering")
    assert location == f"/utkast/{wizard.draft_id}/oppsummering"
    after = wizard.answers(app)
    assert after["buyer_type"] == "county"
    assert {k: v for k, v in after.items() if k != "buyer_type"} == {
        k: v for k, v in before.items() if k != "buyer_type"
    }


def test_changing_an_earlier_answer_drops_stale_answers(app: Flask, wizard: Wizard):
    wizard.start()
    wizard.answer("om-anskaffelsen", {"law_as_of": "2026-03-01"})
    wizard.answer("avtaleform", {"arrangement": "contract"})
    wizard.answer("oppdragsgiver", {"buyer_type": "municipality"})
    assert wizard.answer("hva-kjopes", {"subject": "services", "cpv": ""}) == wizard.url(
        "tjenestetype"
    )
    wizard.answer("tjenestetype", {"service_type": "health_social"})
    wizard.answer("verdi", PATH[4][1])
    wizard.answer("sosial-entreprenor", {"target_supplier": "ideell"})
    wizard.answer(
        "leverandor-detaljer",
        {"supplier_meets_ideell_definition": "yes", "suppliers_pay_dividends": "no"},
    )
    answers = wizard.answers(app)
    assert answers["service_type"] == "health_social"
    assert answers["supplier_meets_ideell_definition"] == "yes"

    # Now the purchase is goods: the service type is no longer asked and must go.
    wizard.answer("hva-kjopes", {"subject": "goods", "cpv": ""})
    answers = wizard.answers(app)
    assert "service_type" not in answers
    assert wizard.client.get(wizard.url("tjenestetype")).status_code == 302  # not asked now

    # No particular supplier: the questions about the supplier go as well.
    wizard.answer("sosial-entreprenor", {"target_supplier": "none"})
    answers = wizard.answers(app)
    assert "supplier_meets_ideell_definition" not in answers
    assert "suppliers_pay_dividends" not in answers
    assert answers["target_supplier"] == "none"
    assert answers["estimated_value_nok"] == 3_600_000  # unrelated answers stay


# ---------------------------------------------------------------------------- validation


def test_validation_errors_show_a_summary_and_keep_what_was_typed(app: Flask, wizard: Wizard):
    wizard.start()
    for page, data in PATH[:4]:
        wizard.answer(page, data)
    response = wizard.post(
        "verdi",
        {
            "estimated_value_nok": "to og en halv million",
            "duration_months": "36",
            "recurring_need": "yes",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # The error summary at the top links to each field with a problem.
    summary = html[
        html.index("ds-error-summary") : html.index("</ul>", html.index("ds-error-summary"))
    ]
    assert 'href="#q-estimated_value_nok"' in summary
    assert 'href="#q-is_framework_agreement-yes"' in summary
    assert 'href="#q-split_from_larger_need-yes"' in summary
    assert 'href="#q-recurring_need-yes"' not in summary
    # The message at the field, the field marked, and the text typed kept.
    assert 'id="q-estimated_value_nok-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'value="to og en halv million"' in html
    assert re.search(r'value="yes"\s+checked', html)  # recurring_need kept
    assert "<title>Feil:" in html
    assert "Velg ett av svarene." in html
    # Valid answers on the page were saved (autosave), the invalid one was not.
    answers = wizard.answers(app)
    assert answers["duration_months"] == 36
    assert "estimated_value_nok" not in answers


def test_an_implausibly_low_value_is_questioned(app: Flask, wizard: Wizard):
    wizard.start()
    for page, data in PATH[:4]:
        wizard.answer(page, data)
    response = wizard.post("verdi", {**PATH[4][1], "estimated_value_nok": "2,4"})
    assert response.status_code == 422
    assert "Verdien er svært lav" in response.get_data(as_text=True)
    assert 'value="2,4"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1,234", "«1,234» kan leses på to måter: mente du 1 234 kr eller 1,234 kr?"),
        ("1" * 29, "Beløpet er for stort (over 1 000 000 000 000 kr)"),
        ("\u0662\u0664\u0660\u0660\u0660\u0660\u0660", "Skriv beløpet med sifrene 0–9."),
    ],
)
def test_an_amount_that_cannot_be_read_is_asked_about(
    app: Flask, wizard: Wizard, typed: str, message: str
):
    wizard.start()
    for page, data in PATH[:4]:
        wizard.answer(page, data)
    response = wizard.post("verdi", {**PATH[4][1], "estimated_value_nok": typed})
    assert response.status_code == 422
    assert message in text_of(response).replace("\xa0", " ")
    assert f'value="{typed}"' in response.get_data(as_text=True)  # what was typed stays
    assert "estimated_value_nok" not in wizard.answers(app)


def test_a_title_with_a_nul_is_refused_and_a_pasted_tab_kept_as_a_space(app: Flask, wizard: Wizard):
    wizard.start()
    refused = wizard.post("om-anskaffelsen", {**PATH[0][1], "title": "Vask\x00eri"})
    assert refused.status_code == 422
    assert "Fjern kontrolltegnene" in refused.get_data(as_text=True)
    assert "title" not in wizard.answers(app)
    wizard.answer("om-anskaffelsen", {**PATH[0][1], "title": "Vask\teri"})
    assert wizard.answers(app)["title"] == "Vask eri"


@pytest.mark.parametrize("draft_id", ["abc%00def", "x" * 65, "%C3%A5"])
def test_a_draft_url_with_an_impossible_id_is_not_found(client: FlaskClient, draft_id: str):
    for path in ("", "/steg/om-anskaffelsen", "/oppsummering", "/verdihjelp"):
        assert client.get(f"/utkast/{draft_id}{path}").status_code == 404


def test_date_before_the_rule_base_is_refused(wizard: Wizard):
    wizard.start()
    response = wizard.post("om-anskaffelsen", {"law_as_of": "1999-01-01"})
    assert response.status_code == 422
    assert 'href="#q-law_as_of"' in response.get_data(as_text=True)
    assert 'value="1999-01-01"' in response.get_data(as_text=True)


# ---------------------------------------------------------------------------- resume, CSRF


def test_resume_link_works_on_a_new_app_instance(
    app: Flask, wizard: Wizard, make_app: Callable[..., Flask]
):
    wizard.start()
    for page, data in PATH[:3]:
        wizard.answer(page, data)
    later = wizard.post("hva-kjopes", {"subject": "works"}, action="later")
    assert later.status_code == 303
    assert later.location == f"/utkast/{wizard.draft_id}/lagret"
    saved = wizard.client.get(later.location).get_data(as_text=True)
    assert f"http://localhost/utkast/{wizard.draft_id}" in saved
    assert "Fortsett senere" in saved or "Lenke for å fortsette senere" in saved

    restarted = make_app()  # a "restart": a new app on the same database, new client
    assert restarted is not app
    client = restarted.test_client()
    response = client.get(f"/utkast/{wizard.draft_id}")
    assert response.status_code == 302
    assert response.location == f"/utkast/{wizard.draft_id}/steg/hva-kjopes"
    html = client.get(response.location).get_data(as_text=True)
    assert re.search(r'value="works"\s+checked', html)
    assert client.get("/utkast/not-a-real-draft-id").status_code == 404


def test_every_answer_is_saved_so_the_resume_link_continues_at_the_next_step(
    app: Flask, wizard: Wizard, make_app: Callable[..., Flask]
):
    wizard.start()
    for page, data in PATH[:2]:
        wizard.answer(page, data)
    with app.app_context():
        draft = get_draft(wizard.draft_id)
    assert draft.answers["title"] == "Vaskeri 2027"
    assert draft.answers["arrangement"] == "contract"
    assert draft.current_step == "oppdragsgiver"
    client = make_app().test_client()  # another browser (or app instance) with the link
    response = client.get(f"/utkast/{wizard.draft_id}")
    assert response.location == f"/utkast/{wizard.draft_id}/steg/oppdragsgiver"


def test_saving_a_draft_deleted_meanwhile_fails_loudly(app: Flask, wizard: Wizard):
    """No answers silently saved into nothing: the step answers 404 instead."""
    import sqlalchemy as sa

    from advisor.db import get_session
    from advisor.wizard.drafts import Draft, DraftNotFound, save_draft

    wizard.start()
    with app.app_context():
        draft = get_draft(wizard.draft_id)
        session = get_session()
        session.execute(sa.delete(Draft).where(Draft.id == wizard.draft_id))
        session.commit()
        with pytest.raises(DraftNotFound):
            save_draft(draft, answers={"title": "Vaskeri"})
    assert wizard.post("om-anskaffelsen", dict(PATH[0][1])).status_code == 404


def test_an_answer_is_committed_and_a_refused_one_changes_nothing(app: Flask, wizard: Wizard):
    """A step's answer is saved for good (another connection sees it) and a refused answer
    (422) keeps the saved one."""
    import sqlalchemy as sa

    engine = app.extensions["advisor_db"].engine
    wizard.start()
    wizard.answer("om-anskaffelsen", dict(PATH[0][1]))
    assert wizard.post("om-anskaffelsen", {"title": "x" * 300}).status_code == 422
    assert wizard.answers(app)["title"] == "Vaskeri 2027"  # the 422 saved nothing typed wrong
    with engine.connect() as other:
        saved = other.execute(
            sa.text("SELECT current_step FROM drafts WHERE id = :id"), {"id": wizard.draft_id}
        )
        assert saved.scalar_one() == "om-anskaffelsen"


def test_session_cookie_is_not_resent_on_every_step_but_still_carries_the_csrf_token(
    client: FlaskClient, wizard: Wizard
):
    started = client.post("/ny", data={"csrf_token": wizard.token})
    assert "advisor_session=" in started.headers.get("Set-Cookie", "")  # remembers the draft
    draft_id = started.location.split("/")[2]
    step = client.get(started.location)
    assert "Set-Cookie" not in step.headers
    token = re.search(r'name="csrf_token" value="([^"]+)"', step.get_data(as_text=True))
    answered = client.post(started.location, data={**PATH[0][1], "csrf_token": token.group(1)})
    assert answered.status_code == 303  # the token from the cookie session was accepted
    assert "Set-Cookie" not in answered.headers  # nothing new to remember
    front = client.get("/").get_data(as_text=True)
    assert f'href="/utkast/{draft_id}"' in front  # "continue your last assessment"
    assert "Vaskeri 2027" in front


def test_forms_need_the_csrf_token(client: FlaskClient, wizard: Wizard):
    assert client.post("/ny").status_code == 400
    wizard.start()
    response = client.post(wizard.url("om-anskaffelsen"), data={"law_as_of": "2026-03-01"})
    assert response.status_code == 400
    html = client.get(wizard.url("om-anskaffelsen")).get_data(as_text=True)
    assert re.search(r'name="csrf_token" value="[^"]+"', html)


# ---------------------------------------------------------------------------- helpers


def test_value_helper_applies_the_48_month_rule_and_fills_the_value(app: Flask, wizard: Wizard):
    wizard.start()
    for page, data in PATH[:4]:
        wizard.answer(page, data)
    response = wizard.post("verdi", {}, action="helper")
    assert response.location == f"/utkast/{wizard.draft_id}/verdihjelp"
    helper = f"/utkast/{wizard.draft_id}/verdihjelp"
    form = {
        "amount": "100 000",
        "period": "month",
        "open_ended": "yes",
        "units": "2",
        "csrf_token": wizard.token,
    }
    shown = wizard.client.post(helper, data={**form, "action": "calculate"})
    assert shown.status_code == 200
    text = text_of(shown)
    assert "9 600 000 kr" in text.replace("\xa0", " ")
    assert "48" in text
    assert "Ikke del opp anskaffelsen" in text  # warning against splitting
    used = wizard.client.post(helper, data={**form, "action": "use"})
    assert used.status_code == 303
    assert used.location.startswith(wizard.url("verdi"))
    assert wizard.answers(app)["estimated_value_nok"] == 9_600_000
    # back in the helper, the figures the estimate came from are there, not empty fields
    again = wizard.client.get(helper).get_data(as_text=True)
    assert re.search(r'name="amount"[^>]*value="100 000"', again)
    assert re.search(r'name="units"[^>]*value="2"', again)
    assert re.search(r'name="open_ended"[^>]*checked', again)
    assert re.search(r'name="period"[^>]*value="month"[^>]*checked', again)

    broken = wizard.client.post(helper, data={**form, "amount": "mye", "action": "calculate"})
    assert broken.status_code == 422
    assert 'href="#h-amount"' in broken.get_data(as_text=True)
    assert 'value="mye"' in broken.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "1,234", "mente du 1 234 kr eller 1,234 kr?"),
        ("amount", "1" * 29, "Beløpet er for stort"),
        ("amount", "\u0661\u0662\u0663", "sifrene 0–9"),
        ("units", "\u00b2", "Skriv et helt tall fra 1."),
        ("months", "2\x00", "Skriv et helt antall måneder"),
        # figures that each pass but multiply past the highest value a Case takes
        ("units", "10000", "Den anslåtte verdien blir mer enn 1 000 000 000 000 kr"),
    ],
)
def test_value_helper_refuses_bad_figures_with_a_message(
    app: Flask, wizard: Wizard, field: str, value: str, message: str
):
    wizard.start()
    helper = f"/utkast/{wizard.draft_id}/verdihjelp"
    form = {"amount": "999 000 000", "period": "year", "months": "48", "units": "1"}
    form[field] = value
    for action in ("calculate", "use"):
        response = wizard.client.post(
            helper, data={**form, "action": action, "csrf_token": wizard.token}
        )
        assert response.status_code == 422
        assert message in text_of(response).replace("\xa0", " ")
    assert "estimated_value_nok" not in wizard.answers(app)


def test_value_helper_keeps_only_figures_it_read(app: Flask, wizard: Wizard):
    """What is kept for next time is what the helper read: a checkbox sent with another value
    (here with a NUL, which PostgreSQL cannot store) is kept as not ticked."""
    wizard.start()
    helper = f"/utkast/{wizard.draft_id}/verdihjelp"
    form = {"amount": "50 000", "period": "month", "months": "24", "units": "1"}
    used = wizard.client.post(
        helper,
        data={**form, "open_ended": "ja\x00", "action": "use", "csrf_token": wizard.token},
    )
    assert used.status_code == 303
    with app.app_context():
        draft = get_draft(wizard.draft_id)
        assert draft is not None
        assert draft.value_helper == form
        assert draft.answers["estimated_value_nok"] == 1_200_000


def test_cpv_search_with_and_without_javascript(app: Flask, wizard: Wizard):
    found = wizard.client.get("/cpv/sok?q=renhold")
    assert found.status_code == 200
    results = found.get_json()["results"]
    assert results and all(len(hit["code"]) == 8 for hit in results)
    assert wizard.client.get("/cpv/sok?q=9831").get_json()["results"][0]["code"].startswith("9831")

    wizard.start()
    for page, data in PATH[:3]:
        wizard.answer(page, data)
    # Without JavaScript: words + "Søk" list the matches as radio buttons.
    searched = wizard.post("hva-kjopes", {"subject": "services", "cpv": "vask"}, action="search")
    assert searched.status_code == 200
    html = searched.get_data(as_text=True)
    assert 'name="cpv_pick"' in html
    code = re.search(r'name="cpv_pick" id="[^"]+" value="(\d{8})"', html).group(1)
    wizard.answer("hva-kjopes", {"subject": "services", "cpv": "vask", "cpv_pick": code})
    assert wizard.answers(app)["cpv"] == code
    unknown = wizard.post("hva-kjopes", {"subject": "services", "cpv": "12345678"})
    assert unknown.status_code == 422


def test_english_pages(client: FlaskClient, wizard: Wizard):
    wizard.start()
    html = client.get(wizard.url("om-anskaffelsen") + "?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Step 1 of" in html
    assert "When does the procurement start?" in html


def test_hints_help_and_aria_links_are_in_the_page_language(client: FlaskClient, wizard: Wizard):
    """A question's hint, help and legal-basis links are rendered once per language and reused:
    a page in one language never shows the other language's texts, and every field points
    to its hint (and, after an error, to its error message) with aria-describedby."""
    wizard.start()
    url = wizard.url("om-anskaffelsen")
    for _ in range(2):  # the second round is served from what the first one built
        nb = client.get(url + "?lang=nb").get_data(as_text=True)
        en = client.get(url + "?lang=en").get_data(as_text=True)
        assert "Hvorfor spør vi om dette?" in nb and "Why do we ask this?" not in nb
        assert "Why do we ask this?" in en and "Hvorfor spør vi om dette?" not in en
        assert "Regelverket og terskelverdiene endres over tid." in nb
        assert "The rules and thresholds change over time." in en
        assert "Rettsgrunnlag:" in nb and "Legal basis:" in en
        assert re.search(r'<a href="https://lovdata\.no/[^"]+" rel="noopener">FOA § 5-1</a>', en)
        for html in (nb, en):
            assert 'id="q-law_as_of-hint"' in html
            assert re.search(r'id="q-law_as_of"[^>]*aria-describedby="q-law_as_of-hint"', html)
    # After a wrong date the field also points to its error message, in the page's language.
    for lang, message in (("nb", "Feil:"), ("en", "Error:")):
        client.get(url + f"?lang={lang}")
        response = wizard.post("om-anskaffelsen", {"law_as_of": "31.02.2026"})
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert re.search(
            r'id="q-law_as_of"[^>]*aria-describedby="q-law_as_of-hint q-law_as_of-error"'
            r'[^>]*aria-invalid="true"',
            html,
        )
        assert f'<span class="visually-hidden">{message} </span>' in html
    client.get(url + "?lang=nb")


def test_a_saved_assessment_can_be_changed_in_a_new_draft(app: Flask, wizard: Wizard):
    wizard.start()
    for page, data in PATH:
        wizard.answer(page, data)
    finished = wizard.client.post(
        f"/utkast/{wizard.draft_id}/fullfor", data={"csrf_token": wizard.token}
    )
    assessment_id = finished.location.rsplit("/", 1)[1]
    edit = wizard.client.get(f"/vurdering/{assessment_id}/endre")
    assert edit.status_code == 303
    new_draft = re.match(r"^/utkast/([\w-]+)/oppsummering$", edit.location).group(1)
    assert new_draft != wizard.draft_id
    with app.app_context():
        assert get_draft(new_draft).answers == get_draft(wizard.draft_id).answers


# ---------------------------------------------------------------------------- months


def test_months_are_read_with_or_without_a_unit():
    assert parse_months("24 mnd") == 24
    assert parse_months("24 måneder") == 24
    for text in ("to år", "2\u00b2", "\u0662\u0664", "1201", "-3"):
        with pytest.raises(InputError):
            parse_months(text)


def test_value_rules():
    # Fixed 24 months + 12 months extension, per month: 36 months counted.
    result = estimate(ValueInput(amount=50_000, period="month", months=24, extension_months=12))
    assert (result.total, result.months_counted, result.capped_at_48) == (1_800_000, 36, False)
    # More than 48 months: capped at 48.
    result = estimate(ValueInput(amount=50_000, period="month", months=60))
    assert (result.total, result.capped_at_48) == (2_400_000, True)
    # Per year, open-ended: 4 years.
    assert estimate(ValueInput(amount=1_200_000, period="year", open_ended=True)).total == 4_800_000
    # Options and several units are added; splitting is warned against.
    result = estimate(ValueInput(amount=500_000, period="total", units=3, options_value=100_000))
    assert result.total == 1_600_000 and "splitting" in result.warnings
    # A framework agreement counts at its maximum.
    result = estimate(ValueInput(amount=500_000, period="total", framework_max=2_000_000))
    assert result.total == 2_000_000 and result.framework_used


def test_details_page_asks_only_what_the_earlier_answers_make_relevant(app: Flask, wizard: Wizard):
    wizard.start()
    for page, data in PATH:
        if page == "hva-kjopes":
            data = {"subject": "services", "cpv": "90910000"}  # cleaning
        if page == "onsker":
            data = {"wants_reservation": "yes", "wishes": ["criteria"]}
        location = wizard.answer(page, data)
    assert location == wizard.url("detaljer")
    html = wizard.client.get(location).get_data(as_text=True)
    assert 'name="supplier_in_cleaning_register"' in html
    assert 'name="social_criterion_linked_to_contract"' in html
    assert 'name="rd_shared_benefit"' not in html  # no research, no innovation
    assert 'name="emergency_response_service"' not in html
    wizard.answer(
        "detaljer",
        {"supplier_in_cleaning_register": "no", "social_criterion_linked_to_contract": "unknown"},
    )
    finished = wizard.client.post(
        f"/utkast/{wizard.draft_id}/fullfor", data={"csrf_token": wizard.token}
    )
    assert finished.status_code == 303
    with app.app_context():
        case = records.get_assessment(finished.location.rsplit("/", 1)[1]).case_json
    assert case["supplier_in_cleaning_register"] == "no"
    assert case["social_criterion_linked_to_contract"] == "unknown"
    assert case["wants_social_award_criteria"] is True

    # Dropping the criteria wish removes the follow-up answer (no stale answers).
    wizard.answer("onsker", {"wants_reservation": "yes", "wishes": []})
    answers = wizard.answers(app)
    assert "social_criterion_linked_to_contract" not in answers
    assert answers["supplier_in_cleaning_register"] == "no"


def test_drafts_migration_matches_the_model(tmp_path):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import advisor.wizard.drafts  # noqa: F401  (registers the model)
    from advisor.db import Base, alembic_config, make_engine, upgrade_database

    url = f"sqlite:///{tmp_path / 'drafts.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert [d for d in diffs if "drafts" in repr(d)] == []
    command.downgrade(alembic_config(url), "0001")
    upgrade_database(url)


def age_draft(app: Flask, draft_id: str, *, days: int) -> None:
    """Make a draft look as if nobody had changed it for ``days`` days."""
    import datetime as dt

    import sqlalchemy as sa

    from advisor.db import get_session
    from advisor.wizard.drafts import Draft

    with app.app_context():
        draft = get_draft(draft_id)
        session = get_session()
        session.execute(
            sa.update(Draft)
            .where(Draft.id == draft.id)
            .values(updated_at=draft.updated_at - dt.timedelta(days=days))
        )
        session.commit()


def test_old_drafts_can_be_purged(app: Flask, wizard: Wizard):
    import datetime as dt

    from advisor.wizard.drafts import purge_drafts

    wizard.start()
    with app.app_context():
        assert purge_drafts(dt.timedelta(days=180)) == 0
    age_draft(app, wizard.draft_id, days=200)
    with app.app_context():
        assert purge_drafts(dt.timedelta(days=180)) == 1
        assert get_draft(wizard.draft_id) is None


def test_the_purge_command_deletes_old_drafts_only(app: Flask, wizard: Wizard, tmp_path):
    """`advisor db purge-drafts` (for an operator's daily job) removes drafts unchanged for
    the given number of days, keeps newer ones, and refuses an unmigrated database cleanly."""

    from click.testing import CliRunner

    from advisor.cli import main

    wizard.start()
    old_id = wizard.draft_id
    wizard.start()
    new = wizard.draft_id
    assert old_id != new
    url = app.config["DATABASE_URL"]
    age_draft(app, old_id, days=31)
    runner = CliRunner()
    kept = runner.invoke(main, ["db", "purge-drafts", "--older-than-days", "60", "--database", url])
    assert kept.exit_code == 0, kept.output
    assert "deleted 0 draft(s)" in kept.output
    done = runner.invoke(main, ["db", "purge-drafts", "--older-than-days", "30", "--database", url])
    assert done.exit_code == 0, done.output
    assert "deleted 1 draft(s) unchanged for 30 days or more" in done.output
    with app.app_context():
        assert get_draft(old_id) is None
        assert get_draft(new) is not None
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    refused = runner.invoke(main, ["db", "purge-drafts", "--database", empty])
    assert refused.exit_code == 1
    assert "not migrated" in refused.output
    assert "Traceback" not in refused.output
    zero = runner.invoke(main, ["db", "purge-drafts", "--older-than-days", "0", "--database", url])
    assert zero.exit_code == 2


def test_a_read_draft_has_every_column_and_saves_like_a_new_one(app: Flask):
    """``get_draft`` gives a plain ``WizardDraft``, not an ORM object (drafts.py): it has a
    field for every column of the table and nothing else, datetimes are aware UTC, and
    attributes set afterwards are saved."""
    import dataclasses
    import datetime as dt

    import sqlalchemy as sa

    from advisor.wizard.drafts import Draft, WizardDraft, create_draft, save_draft

    columns = [column.key for column in Draft.__table__.columns]
    assert [field.name for field in dataclasses.fields(WizardDraft)] == columns
    with app.app_context():
        created = create_draft(lang="en", answers={"title": "Vaskeri", "law_as_of": "2026-03-01"})
        draft = get_draft(created.id)
        assert isinstance(draft, WizardDraft)
        assert {key: getattr(draft, key) for key in columns} == {
            key: getattr(created, key) for key in columns
        }
        assert draft.updated_at.tzinfo is not None
        assert draft.updated_at.utcoffset() == dt.timedelta(0)
        assert sa.inspect(draft, raiseerr=False) is None  # no ORM state to build or to track
        with pytest.raises(AttributeError):  # a mistyped attribute is refused, not lost
            draft.curent_step = "avtaleform"  # type: ignore[attr-defined]
        draft.value_helper = {"amount": "50 000", "period": "month"}
        draft.assessment_id = "a-1"
        save_draft(draft, answers={"title": "Renhold"}, current_step="avtaleform")
        again = get_draft(created.id)
        assert again is not None
        assert (again.answers, again.current_step, again.lang) == (
            {"title": "Renhold"},
            "avtaleform",
            "en",
        )
        assert (again.value_helper, again.assessment_id) == (draft.value_helper, "a-1")
        assert again.updated_at == draft.updated_at > created.updated_at
        assert again.created_at == created.created_at
