"""The rules explorer at /regler: every rule and parameter, in plain words, read-only."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rulebase_copies import copy_rules

from advisor import explorer
from advisor.assessor import Assessor
from advisor.rulebase import load_rulebase
from advisor.rulebase.loader import RuleBase

# A draft rule with all / any / not, so the wording of each combinator shows.
PROBE = """\
- id: zz.explorer_probe
  title: {nb: Prøveregel for utforskeren, en: Probe rule for the explorer}
  status: draft
  note: Bare for testen av regelutforskeren.
  valid_from: 2020-02-19
  changes:
    - {on: 2020-02-19, kind: law, nb: Prøveendring., en: Probe change.}
  legal_basis: ["FOA § 8-8"]
  sources: [nfd_reserverte_kontrakter]
  when:
    all:
      - regime: part_ii
      - any:
          - target_supplier: wise
          - estimated_value_nok: {gte: $national_threshold}
      - not: {buyer_type: state}
  then: {route: reserved_wise}
  explain: {nb: Prøveforklaring på norsk., en: Probe explanation in English.}
"""


@pytest.fixture(scope="module")
def probe_assessor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assessor]:
    """The rule base with the probe rule added, loaded and compiled once for the module."""
    root = copy_rules(tmp_path_factory.mktemp("explorer") / "rules")
    (root / "zz_explorer.yaml").write_text(PROBE, encoding="utf-8")
    own = Assessor(load_rulebase(root))
    yield own
    own.close()


@pytest.fixture
def app(make_app: Any, probe_assessor: Assessor) -> Flask:
    # The explorer's catalogue is cached per rule-base folder and version: built once here too.
    return make_app(RULES_DIR=str(probe_assessor.rulebase.root), assessor=probe_assessor)


@pytest.fixture
def rulebase(app: Flask) -> RuleBase:
    return app.extensions["advisor"].rulebase


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/html"
    return html.unescape(response.get_data(as_text=True))


def articles(text: str) -> list[str]:
    return re.findall(r'<article class="rule[^"]*" id="rule-([^"]+)"', text)


def test_lists_every_rule_derived_case_and_parameter(
    client: FlaskClient, rulebase: RuleBase
) -> None:
    text = page(client, "/regler")
    shown = set(articles(text))
    assert {loaded.id for loaded in rulebase.rules} <= shown
    assert {c.case.id for cases in rulebase.derived_cases.values() for c in cases} <= shown
    for name in rulebase.parameters:
        assert f'id="param-{name}"' in text
    assert rulebase.version in text


def test_plain_language_condition_with_all_any_not(client: FlaskClient) -> None:
    text = page(client, "/regler/zz.explorer_probe")
    assert "alle disse:" in text and "minst én av:" in text and "ikke dette:" in text
    assert "forskriftsdelen som gjelder er Del I og II" in text
    assert "anslått verdi er minst den nasjonale terskelverdien" in text
    assert "oppdragsgiver er statlig myndighet" in text
    english = page(client, "/regler/zz.explorer_probe?lang=en")
    assert "all of these:" in english and "at least one of:" in english and "not this:" in english
    assert "Probe explanation in English." in english


def test_draft_is_clearly_marked_with_its_note(client: FlaskClient) -> None:
    text = page(client, "/regler/zz.explorer_probe")
    assert 'class="rule rule--draft"' in text
    assert "Utkast: ikke godkjent av en jurist" in text
    assert "Bare for testen av regelutforskeren." in text


def test_legal_basis_links_review_and_dates(client: FlaskClient, rulebase: RuleBase) -> None:
    checked = next(l for l in rulebase.rules if l.rule.status.value == "checked")
    text = html.unescape(page(client, f"/regler/{checked.id}"))
    for citation in checked.rule.legal_basis:
        assert citation in text
    assert 'href="https://lovdata.no/' in text
    # checked by the team is said as such, never as a lawyer's approval
    assert "Kontrollert mot kildeteksten, ennå ikke godkjent av en jurist" in text
    assert "Ikke gjennomgått" in text
    assert f"Kontrollert av {checked.rule.checked.by}" in text
    against = rulebase.sources.documents[checked.rule.checked.against[0]]
    assert against.title in text
    assert "Godkjent" not in text
    probe = page(client, "/regler/zz.explorer_probe")
    assert "fra 19. februar 2020" in probe
    assert "Ikke gjennomgått" in probe
    assert "Reserverte kontrakter" in probe  # the source document's title


def test_parameter_values_with_their_dates(client: FlaskClient, rulebase: RuleBase) -> None:
    text = page(client, "/regler")
    parameter = rulebase.parameters["national_threshold"]
    section = text[text.index('id="param-national_threshold"') :]
    section = section[: section.index("</article>")]
    for day, entry in parameter.values.items():
        amount = f"{int(entry.value):,}".replace(",", "\u00a0")
        assert amount in section, (day, amount)
    assert "6. april 2018" in section or "2018" in section
    assert "zz.explorer_probe" in section  # used by


def test_each_rule_shows_the_test_cases_that_exercise_it(
    client: FlaskClient, rulebase: RuleBase
) -> None:
    from advisor.ruletests import run_tests

    assessor = client.application.extensions["advisor"].assessor
    results = run_tests(assessor, engine="plain")
    fired = next(r for r in results if r.outcome and r.outcome.fired)
    rule_id = fired.outcome.fired[0]
    text = page(client, f"/regler/{rule_id}")
    assert html.unescape(fired.name) in text
    assert "Slår til i" in text
    probe = page(client, "/regler/zz.explorer_probe")
    assert "Testtilfeller: slår til i" in probe


def test_filter_by_status(client: FlaskClient, rulebase: RuleBase) -> None:
    drafts = set(articles(page(client, "/regler?status=draft")))
    assert "zz.explorer_probe" in drafts
    expected = {l.id for l in rulebase.rules if l.rule.status.value == "draft"}
    expected |= {
        c.case.id
        for cs in rulebase.derived_cases.values()
        for c in cs
        if c.case.status.value == "draft"
    }
    assert drafts == expected
    checked = set(articles(page(client, "/regler?status=checked")))
    assert "zz.explorer_probe" not in checked and checked
    assert checked.isdisjoint(drafts)
    assert not articles(page(client, "/regler?status=approved"))  # no lawyer has approved yet
    assert 'id="param-' not in page(client, "/regler?status=draft")


def test_filter_by_kind_and_search(client: FlaskClient) -> None:
    routes = articles(page(client, "/regler?kind=route"))
    assert "zz.explorer_probe" in routes
    assert not any(rule_id.startswith("regime.") for rule_id in routes)
    found = articles(page(client, "/regler?q=pr%C3%B8veforklaring"))
    assert found == ["zz.explorer_probe"]
    by_citation = articles(page(client, "/regler?q=FOA+%C2%A7+30-2a"))
    assert by_citation and "zz.explorer_probe" not in by_citation
    nothing = page(client, "/regler?q=finnesikkeiregelverket")
    assert articles(nothing) == [] and "Ingen regler passer." in nothing
    assert 'value="finnesikkeiregelverket"' in nothing  # the form keeps the query
    junk = page(client, "/regler?status=bogus&kind=bogus&q=" + "x" * 5000)
    assert articles(junk) == []


def test_the_page_works_without_scripts_or_inline_styles(client: FlaskClient) -> None:
    response = client.get("/regler")
    text = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)  # no inline script
    assert not re.search(r"\sstyle=", text) and "<style" not in text
    assert re.search(r'<form [^>]*method="get"', text)
    assert 'href="/static/css/rules.css"' in text


def test_english_interface(client: FlaskClient) -> None:
    text = page(client, "/regler?lang=en")
    assert "<h1>The rules</h1>" in text
    norwegian = page(client, "/regler?lang=nb")
    assert "<h1>Reglene</h1>" in norwegian


def test_unknown_rule_is_404(client: FlaskClient) -> None:
    assert client.get("/regler/no.such.rule").status_code == 404


def test_read_only(client: FlaskClient) -> None:
    assert client.post("/regler").status_code in (400, 405)


def test_the_real_rule_base_renders(make_app: Any) -> None:
    explorer.clear_cache()
    app = make_app()  # rules/no, as the app serves it
    text = page(app.test_client(), "/regler")
    assert len(articles(text)) >= len(app.extensions["advisor"].rulebase.rules)
