"""The result page of a saved assessment (advisor/result.py): page, PDF, delete, re-assess."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable

import fixtures_assessments as fx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from advisor.assessment import Assessment
from advisor.case import Case
from advisor.records import get_assessment, save_assessment
from advisor.state import current_state


def save(app: Flask, assessment: Assessment) -> str:
    with app.app_context():
        return save_assessment(assessment).id


def assess_and_save(app: Flask, **answers: object) -> tuple[str, Assessment]:
    with app.app_context():
        assessment = current_state().assessor.assess(Case(**answers))
        return save_assessment(assessment).id, assessment


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_page_shows_regime_routes_obligations_and_legal_basis(
    app: Flask, client: FlaskClient
) -> None:
    rid = save(app, fx.wise_cleaning_part_iii())
    html = page(client, f"/vurdering/{rid}")
    assert '<html lang="nb">' in html
    assert "Renhold av kommunale formålsbygg 2027–2029" in html
    # a summary with links to the open routes
    assert "Kort fortalt" in html
    assert 'href="#route-reserved_wise"' in html
    # regime and why
    assert "Del I og del III" in html
    assert "følger del I og del III" in html
    # open route, with its legal basis linked to lovdata, its steps and ready texts
    assert 'id="route-reserved_wise"' in html
    assert 'href="https://lovdata.no/forskrift/2016-08-12-974/§16-9"' in html
    assert "Skriv i kunngjøringen (Doffin og TED)" in html
    assert "Tekst til kunngjøringen" in html  # catalog text_kinds label
    assert "jf. anskaffelsesforskriften § 16-9" in html
    assert "Åpen" in html
    # closed routes with the condition that closes them
    assert "Ikke åpen" in html
    assert "krever at tjenesten er en helse- og sosialtjeneste" in html
    # obligations as a checklist with labels
    assert 'type="checkbox" id="ob-notice_ted"' in html
    assert '<label for="ob-notice_ted"' in html
    assert "Karensperiode før kontrakten inngås" in html
    # warnings, rule-base version and law date, answers, downloads
    assert "Underleverandører i en reservert kontrakt" in html
    assert fx.VERSION in html
    assert "1. mars 2026" in html
    assert "3 600 000 kr" in html.replace("\xa0", " ")
    assert f"/vurdering/{rid}/veiledning.pdf?lang=nb" in html
    assert f"/vurdering/{rid}/veiledning.pdf?lang=en" in html


def test_saved_assessments_stay_out_of_caches_and_search_engines(
    app: Flask, client: FlaskClient
) -> None:
    rid = save(app, fx.wise_cleaning_part_iii())
    response = client.get(f"/vurdering/{rid}")
    assert "no-store" in response.headers["Cache-Control"]
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_open_routes_come_before_closed_and_in_rank_order(app: Flask, client: FlaskClient) -> None:
    rid = save(app, fx.wise_cleaning_part_iii())
    html = page(client, f"/vurdering/{rid}")
    order = [
        html.index(f'id="route-{code}"')
        for code in (
            "reserved_wise",
            "social_contract_conditions",
            "direct_purchase",
            "invite_only_wise",
            "reserved_ideell",
        )
    ]
    assert order == sorted(order)


def test_page_in_english(app: Flask, client: FlaskClient) -> None:
    rid = save(app, fx.wise_cleaning_part_iii())
    html = page(client, f"/vurdering/{rid}?lang=en")
    assert '<html lang="en">' in html
    assert "Parts I and III" in html
    assert "Routes open to you" in html
    assert "Not open" in html
    assert "Text for the notice" in html
    assert "NOK\xa03,600,000" in html
    assert "1 March 2026" in html


def test_unknown_answers_that_matter_say_what_to_find_out(app: Flask, client: FlaskClient) -> None:
    """Subcontracting left unknown in a reserved competition: "no" would take away the warning
    about subcontractors, so the page says what to find out, in the rule base's words."""
    rid, assessment = assess_and_save(
        app,
        law_as_of=dt.date(2026, 3, 1),
        buyer_type="municipality",
        subject="services",
        cpv="90910000",
        estimated_value_nok=3_600_000,
        target_supplier="wise",
        wants_reservation=True,
        subcontracting_expected="unknown",
    )
    assert [f.field for f in assessment.find_out if f.field == "subcontracting_expected"]
    with app.app_context():
        advice = current_state().rulebase.facts.inputs["subcontracting_expected"].find_out
    html = page(client, f"/vurdering/{rid}?lang=en")
    assert "What to find out" in html
    assert str(escape(advice.en)) in html
    assert str(escape(advice.nb)) in page(client, f"/vurdering/{rid}?lang=nb")


def test_warnings_for_a_date_with_unverified_law(app: Flask, client: FlaskClient) -> None:
    rid, assessment = assess_and_save(
        app,
        law_as_of=dt.date(2026, 8, 15),
        buyer_type="municipality",
        subject="services",
        service_type="ordinary",
        estimated_value_nok=3_600_000,
        target_supplier="wise",
        wants_reservation=True,
    )
    assert assessment.has_warning("unverified_law")
    html = page(client, f"/vurdering/{rid}")
    assert "Kontroller før du stoler på rådet" in html
    assert "Regelverket for datoen er ikke kontrollert" in html
    assert "ikke kontrollert av en jurist" in html
    html_en = page(client, f"/vurdering/{rid}?lang=en")
    assert "The law for this date is not verified" in html_en


def test_trail_shows_parameters_and_links_rules_to_the_explorer(
    app: Flask, client: FlaskClient
) -> None:
    rid = save(app, fx.wise_cleaning_part_iii())
    html = page(client, f"/vurdering/{rid}").replace("\xa0", " ")
    assert (
        "EØS-terskelverdien for andre oppdragsgiveres vare- og tjenestekjøp: 2 300 000 kr" in html
    )
    if "explorer.show" in app.view_functions:
        assert 'href="/regler/reserved_wise.part_iii"' in html


def test_guidance_documents_the_rules_rely_on_are_listed(app: Flask, client: FlaskClient) -> None:
    rid, assessment = assess_and_save(
        app,
        law_as_of=dt.date(2026, 3, 1),
        buyer_type="municipality",
        subject="services",
        service_type="ordinary",
        estimated_value_nok=3_600_000,
        target_supplier="wise",
        wants_reservation=True,
    )
    if not assessment.documents:
        pytest.skip("the rule base cites no guidance documents for this case")
    html = page(client, f"/vurdering/{rid}")
    for document in assessment.documents:
        assert str(escape(document.title)) in html


def test_draft_rule_is_marked(app: Flask, client: FlaskClient) -> None:
    rid = save(app, fx.draft_unverified())
    html = page(client, f"/vurdering/{rid}?lang=en")
    assert "The advice rests on rules that are not approved" in html
    assert "Draft rule: not approved by a lawyer" in html


def test_ideell_part_iv(app: Flask, client: FlaskClient) -> None:
    rid = save(app, fx.ideell_part_iv())
    html = page(client, f"/vurdering/{rid}")
    assert 'id="route-reserved_ideell"' in html
    assert 'href="https://lovdata.no/forskrift/2016-08-12-974/§30-2a"' in html


def test_markup_in_stored_texts_is_escaped(app: Flask, client: FlaskClient) -> None:
    rid = save(app, fx.hostile_markup())
    html = page(client, f"/vurdering/{rid}")
    assert "<script>" not in html.split("</head>", 1)[1]


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_unknown_id_is_404_in_both_languages(client: FlaskClient, lang: str) -> None:
    response = client.get(f"/vurdering/finnes-ikke?lang={lang}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert ("Fant ikke siden" if lang == "nb" else "Page not found") in html
    assert client.get(f"/vurdering/finnes-ikke/veiledning.pdf?lang={lang}").status_code == 404


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_pdf_download(app: Flask, client: FlaskClient, lang: str) -> None:
    pypdf = pytest.importorskip("pypdf")
    rid = save(app, fx.wise_cleaning_part_iii())
    response = client.get(f"/vurdering/{rid}/veiledning.pdf?lang={lang}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert (("veiledning-" if lang == "nb" else "guidance-") + rid + ".pdf") in disposition
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    assert "16-9" in re.sub(r"\s+", " ", text)


def test_pdf_rejects_unknown_language(app: Flask, client: FlaskClient) -> None:
    rid = save(app, fx.wise_cleaning_part_iii())
    assert client.get(f"/vurdering/{rid}/veiledning.pdf?lang=de").status_code == 400


def test_delete_asks_first_and_requires_csrf(
    app: Flask, client: FlaskClient, csrf_token: Callable[[FlaskClient], str]
) -> None:
    rid = save(app, fx.wise_cleaning_part_iii())
    confirm = page(client, f"/vurdering/{rid}/slett")
    assert 'name="csrf_token"' in confirm
    assert f'action="/vurdering/{rid}/slett"' in confirm
    # without a token nothing is deleted
    assert client.post(f"/vurdering/{rid}/slett").status_code == 400
    assert client.get(f"/vurdering/{rid}").status_code == 200
    # with a token it is gone
    response = client.post(f"/vurdering/{rid}/slett", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    assert client.get(f"/vurdering/{rid}").status_code == 404
    with app.app_context():
        assert get_assessment(rid) is None


def test_delete_also_removes_the_wizard_draft_behind_it(
    app: Flask, client: FlaskClient, csrf_token: Callable[[FlaskClient], str]
) -> None:
    drafts = pytest.importorskip("advisor.wizard.drafts")
    rid = save(app, fx.wise_cleaning_part_iii())
    with app.app_context():
        draft = drafts.create_draft(answers={"title": "Renhold"})
        draft.assessment_id = rid
        drafts.save_draft(draft)
        other = drafts.create_draft(answers={"title": "Annet"}).id
        draft_id = draft.id
    response = client.post(f"/vurdering/{rid}/slett", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303
    with app.app_context():
        assert drafts.get_draft(draft_id) is None
        assert drafts.get_draft(other) is not None


def test_reassess_with_current_rules_shows_what_changed(
    app: Flask, client: FlaskClient, csrf_token: Callable[[FlaskClient], str]
) -> None:
    rid = save(app, fx.wise_cleaning_part_iii())  # made by hand, with another rule-base version
    assert client.post(f"/vurdering/{rid}/vurder-pa-nytt").status_code == 400  # CSRF
    response = client.post(
        f"/vurdering/{rid}/vurder-pa-nytt", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 303
    html = page(client, response.headers["Location"])
    assert 'id="changes"' in html
    with app.app_context():
        stored = get_assessment(rid).assessment()
        assert stored.ruleset.version == current_state().rulebase.version
    # shown once
    assert 'id="changes"' not in page(client, f"/vurdering/{rid}")


def test_reassess_on_the_page_saves_what_the_api_would_show(
    app: Flask, client: FlaskClient, csrf_token: Callable[[FlaskClient], str]
) -> None:
    """The page and the API re-assess through the same service: the page saves the result the
    API's preview (``reassess`` without ``save``) shows, as a new revision."""
    rid = save(app, fx.wise_cleaning_part_iii())
    preview = client.post(f"/api/v1/assessments/{rid}/reassess").get_json()
    assert preview["saved"] is False and preview["changes"]["ruleset"]["changed"]
    response = client.post(
        f"/vurdering/{rid}/vurder-pa-nytt", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 303
    shown = client.get(f"/api/v1/assessments/{rid}").get_json()
    assert shown["revision"] == 2
    for key in ("ruleset", "regime", "routes", "obligations", "warnings", "case"):
        assert shown[key] == preview["assessment"][key], key


def test_reassess_of_a_law_date_the_rules_no_longer_cover_keeps_the_saved_result(
    app: Flask, client: FlaskClient, csrf_token: Callable[[FlaskClient], str]
) -> None:
    old = fx.wise_cleaning_part_iii()
    early = old.model_copy(
        update={"case": old.case.model_copy(update={"law_as_of": dt.date(1999, 1, 1)})}
    )
    rid = save(app, early)
    response = client.post(
        f"/vurdering/{rid}/vurder-pa-nytt", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 303
    html = page(client, response.headers["Location"])
    assert "Vurderingen kunne ikke gjøres på nytt med gjeldende regler." in html
    with app.app_context():
        record = get_assessment(rid)
        assert record.version_counter == 1 and record.assessment() == early.model_copy(
            update={"id": rid}
        )


def test_dont_know_that_changes_the_result_shows_both_branches(
    app: Flask, client: FlaskClient
) -> None:
    rid, assessment = assess_and_save(
        app,
        law_as_of=dt.date(2026, 3, 1),
        buyer_type="municipality",
        arrangement="grant",
        subject="services",
        estimated_value_nok=400_000,
        grant_enforceable_obligation="unknown",
    )
    assert any(q.field == "grant_enforceable_obligation" for q in assessment.open_questions)
    html = page(client, f"/vurdering/{rid}")
    assert "Dette bør du finne ut" in html
    assert 'id="question-grant_enforceable_obligation"' in html
    assert "Hvis svaret er «nei»" in html
    assert "Ikke en anskaffelse etter regelverket" in html
