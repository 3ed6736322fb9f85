"""The guidance PDF (advisor.guidance): content in nb and en, PDF/UA structure, escaping of
user text, and no fetch of anything outside static/guidance while rendering."""

from __future__ import annotations

import functools
import http.server
import io
import re
import threading
from pathlib import Path
from typing import ClassVar

import fixtures_assessments as fx
import pytest
from pypdf import PdfReader
from rulebase_copies import working_rulebase

from advisor import guidance
from advisor.case import Case
from advisor.guidance import labels
from advisor.guidance.fetcher import LocalOnlyFetcher
from advisor.rulebase import RuleBase

CHAPTERS = [
    "summary",
    "routes_open",
    "routes_closed",
    "obligations",
    "warnings",
    "basis",
    "sources",
]


def rules() -> RuleBase:
    """The rule base whose words (the names of the answers and their values) the PDF uses."""
    return working_rulebase()


def html_of(assessment, lang: str) -> str:
    return guidance.render_html(assessment, lang, rulebase=rules())


@functools.cache
def pdf(name: str, lang: str) -> bytes:
    return guidance.render_pdf(fx.ALL[name](), lang, rulebase=rules())


@functools.cache
def text(name: str, lang: str) -> str:
    reader = PdfReader(io.BytesIO(pdf(name, lang)))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(value: str) -> str:
    """Extracted text on one line: no-break spaces plain, words split at a dash rejoined."""
    value = re.sub(r"([–-])\n", r"\1", value.replace("\xa0", " "))
    return re.sub(r"\s+", " ", value)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_section_heading_appears(lang):
    found = flat(text("wise_cleaning_part_iii", lang))
    for number, key in enumerate(CHAPTERS, start=1):
        assert f"{number} {labels.t(lang, key)}" in found, key
    for key in [
        "contents",
        "recommendation",
        "answers",
        "trail",
        "citations",
        "version",
        "disclaimer_title",
        "ready_texts",
        "steps",
    ]:
        assert labels.t(lang, key) in found, key


@pytest.mark.parametrize(
    ("lang", "law_date", "notice"),
    [
        ("nb", "1. mars 2026", "jf. anskaffelsesforskriften § 16-9"),
        ("en", "1 March 2026", "cf. section 16-9 of the Public Procurement Regulation"),
    ],
)
def test_legal_basis_version_and_law_date(lang, law_date, notice):
    found = flat(text("wise_cleaning_part_iii", lang))
    for citation in ["FOA § 16-9", "FOA § 5-3", "FOA § 21-2", "LOA § 6"]:
        assert citation in found
    assert fx.VERSION in found
    assert law_date in found
    assert notice in found
    assert "https://lovdata.no/forskrift/2016-08-12-974/§16-9" in found
    assert labels.t(lang, "disclaimer")[:60] in found


def test_recommendation_names_regime_route_and_obligation_count():
    nb = flat(text("wise_cleaning_part_iii", "nb"))
    assert "Del I og del III (FOA § 5-1, FOA § 5-3)" in nb
    assert (
        "passer best: Reservert konkurranse for arbeidsintegrerende virksomheter (FOA § 16-9)" in nb
    )
    assert "Du må oppfylle 8 plikter" in nb
    en = flat(text("ideell_part_iv", "en"))
    assert "Parts I and IV" in en
    assert "You must meet 2 obligations" in en


def test_answers_are_in_words_and_amounts_in_locale_format():
    nb = text("wise_cleaning_part_iii", "nb")
    assert "3\xa0600\xa0000\xa0kr" in nb
    assert "Vet ikke" in nb and "Kommune" in nb and "36 måneder" in nb
    en = text("wise_cleaning_part_iii", "en")
    assert "NOK\xa03,600,000" in en
    assert "Don't know" in en and "Work-integration social enterprise" in en


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_answers_table_shows_what_was_answered_as_the_rule_base_names_it(lang):
    """Only the answers the Case was given, each by its facts.yaml title, a "vet ikke" as
    given; nothing left out (a fact not stated is never shown as the buyer's "vet ikke")."""
    assessment = fx.wise_cleaning_part_iii()
    html = html_of(assessment, lang)
    table = html.split(f"<h3>{labels.t(lang, 'answers')}</h3>", 1)[1].split("</table>", 1)[0]
    given = set(assessment.case.given()) - {"title"}
    for name in Case.model_fields:
        if name in ("title", "law_as_of"):
            continue
        title = rules().facts.inputs[name].title.get(lang).replace("'", "&#39;")
        assert (f"<td>{title}</td>" in table) == (name in given), name
    dont_know = rules().facts.inputs["subcontracting_expected"].values["unknown"].get(lang)
    assert f"<td>{dont_know.capitalize()}</td>".replace("'", "&#39;") in table
    assert table.count("<tr>") == len(given) + 1  # the heading row


@pytest.mark.parametrize(
    ("lang", "note", "row"),
    [
        (
            "nb",
            "1 spørsmål du svarte «Vet ikke» på, kan endre rådet",
            "Nye plikter: Begrensning av ledd i leverandørkjeden",
        ),
        (
            "en",
            "1 question you answered “Don't know” changes the advice",
            "New obligations: Limit on tiers in the supply chain",
        ),
    ],
)
def test_open_questions_are_listed_with_their_branches(lang, note, row):
    found = flat(text("wise_cleaning_part_iii", lang))
    assert note in found
    assert labels.t(lang, "open_questions") in found
    assert row in found
    assert labels.t(lang, "no_change") in found


def test_trail_shows_rules_and_dated_parameters():
    nb = flat(text("wise_cleaning_part_iii", "nb"))
    assert "regime.other_above_eos" in nb
    assert "2 300 000 kr (fra 14. mars 2024)" in nb  # as on the result page
    en = flat(text("draft_unverified", "en"))
    assert "NOK 300,000 (from 1 July 2026)" in en


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_pdf_ua_structure_and_metadata(lang):
    data = pdf("wise_cleaning_part_iii", lang)
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == lang
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    title = f"{labels.t(lang, 'doc_title')}: Renhold av kommunale formålsbygg 2027–2029"
    assert reader.metadata.title == title
    assert reader.metadata.author == labels.t(lang, "app_name")
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfuaid:part="1"' in xmp


def test_bookmarks_follow_the_headings():
    reader = PdfReader(io.BytesIO(pdf("wise_cleaning_part_iii", "en")))

    def titles(items):
        for item in items:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title

    found = list(titles(reader.outline))
    for number, key in enumerate(CHAPTERS, start=1):
        assert f"{number} {labels.t('en', key)}" in found
    assert "Competition reserved for work-integration enterprises" in found


@pytest.mark.parametrize(("lang", "word", "of"), [("nb", "Side", "av"), ("en", "Page", "of")])
def test_several_pages_numbered_x_of_y(lang, word, of):
    reader = PdfReader(io.BytesIO(pdf("wise_cleaning_part_iii", lang)))
    pages = len(reader.pages)
    assert pages > 1
    assert f"{word} 1 {of} {pages}" in reader.pages[0].extract_text()
    assert f"{word} {pages} {of} {pages}" in reader.pages[-1].extract_text()
    # the table of contents (page 2) gives the page where chapter 7 starts (target-counter)
    heading = f"7 {labels.t(lang, 'sources')}"
    texts = [page.extract_text() for page in reader.pages]
    start = next(n for n, page in enumerate(texts, start=1) if n > 2 and heading in page)
    assert re.search(rf"{heading} {start}\n", texts[1])


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_draft_and_unverified_law_show_the_caveat(lang):
    found = flat(text("draft_unverified", lang))
    caveats = fx.draft_unverified().caveats
    assert {w.code for w in caveats} == {"draft_rule", "unverified_law"}
    assert labels.t(lang, "caveat") in found
    for warning in caveats:
        assert flat(f"{warning.title.get(lang)}. {warning.message.get(lang)}") in found
    rules = "regime.below_lower_limit, protocol.part_i_2026."
    assert f"{labels.t(lang, 'draft_rules')}: {rules}" in found
    assert labels.t(lang, "draft").upper() in found  # the badge on draft routes
    assert 'class="caveat"' not in html_of(fx.wise_cleaning_part_iii(), lang)


def test_markup_in_title_and_texts_is_printed_not_obeyed():
    found = text("hostile_markup", "nb")
    assert '<script>alert("x")</script> & {{ 7*7 }} {% raw %}' in flat(found)
    assert "<b>fet</b>" in found and "</td></tr></table><h1>brudd</h1>" in flat(found)
    assert "{{ config }}" in found
    html = html_of(fx.hostile_markup(), "nb")
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript:' not in html and "onclick" not in html.replace("onclick=&#34;", "")
    # the document keeps its structure: same sections and tables as the clean case
    clean = html_of(fx.wise_cleaning_part_iii(), "nb")
    for tag in ["<section", "<table", "<h2", "</html>"]:
        assert html.count(tag) == clean.count(tag), tag
    data = pdf("hostile_markup", "nb")
    assert b"/JavaScript" not in data and b"/JS " not in data and b"/EmbeddedFile" not in data
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title.endswith('<script>alert("x")</script> & {{ 7*7 }} {% raw %}')


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self):
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    _Counter.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Counter.hits
    server.shutdown()
    server.server_close()


class RecordingFetcher(LocalOnlyFetcher):
    """The production fetcher, recording every URL WeasyPrint asks for and what it refused."""

    def __init__(self, root):
        super().__init__(root)
        self.asked: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        self.asked.append(url)
        try:
            return super().fetch(url, headers)
        except Exception:
            self.refused.append(url)
            raise


def test_no_outbound_fetch_while_rendering(local_server):
    port, hits = local_server
    fetcher = RecordingFetcher(guidance.STATIC_DIR)
    data = guidance.render_pdf(fx.hostile_markup(port), "en", rulebase=rules(), url_fetcher=fetcher)
    assert data.startswith(b"%PDF")
    assert hits == []
    for url in fetcher.asked:
        assert url.startswith(("data:", guidance.STATIC_DIR.as_uri() + "/")), url


def test_fetcher_blocks_real_markup_in_weasyprint(local_server):
    """Even unescaped markup cannot make WeasyPrint call out or attach local files."""
    port, hits = local_server
    fetcher = RecordingFetcher(guidance.STATIC_DIR)
    html = (
        '<html lang="en"><head><title>t</title>'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">'
        '<link rel="attachment" href="file:///etc/passwd">'
        f'<style>@import url("http://127.0.0.1:{port}/i.css");'
        f'body {{ background: url("https://127.0.0.1:{port}/b.png") }}</style></head>'
        f'<body><p>x</p><img alt="x" src="http://127.0.0.1:{port}/x.png">'
        '<img alt="y" src="../../pyproject.toml"></body></html>'
    )
    data = guidance.write_pdf(html, "en", guidance.resources(), url_fetcher=fetcher)
    assert data.startswith(b"%PDF")
    assert hits == []
    assert b"/EmbeddedFile" not in data and b"root:x:0" not in data
    assert len(fetcher.refused) >= 5
    assert set(fetcher.refused) == set(fetcher.asked)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.org/style.css",
        "ftp://127.0.0.1/x",
        "file:///etc/passwd",
        "file://otherhost/etc/passwd",
        (guidance.STATIC_DIR.as_uri() + "/../../pyproject.toml"),
        (guidance.STATIC_DIR.as_uri() + "/%2e%2e/%2e%2e/pyproject.toml"),
        (guidance.REPO_ROOT / "pyproject.toml").as_uri(),
        (guidance.REPO_ROOT / "static").as_uri() + "/guidance-evil/x.css",
        guidance.STATIC_DIR.as_uri() + "/missing.css",
    ],
)
def test_fetcher_refuses_anything_but_static_guidance(url):
    fetcher = LocalOnlyFetcher(guidance.STATIC_DIR)
    with pytest.raises(ValueError):
        fetcher.fetch(url)


def test_fetcher_serves_static_guidance_and_data_urls():
    fetcher = LocalOnlyFetcher(guidance.STATIC_DIR)
    response = fetcher.fetch(guidance.STYLESHEET.as_uri())
    assert b"@page" in response.read()
    assert response.content_type == "text/css"
    response.close()
    response = fetcher.fetch("data:text/plain;base64,aGk=")
    assert response.read() == b"hi"
    response.close()


def test_renders_without_flask_and_with_autoescape():
    from flask import has_app_context

    assert not has_app_context()
    assert guidance.jinja_env().autoescape is True
    html = html_of(fx.ideell_part_iv(), "en")
    assert '<html lang="en">' in html
    assert (
        "<title>Guidance for the procurement: Rusbehandling og oppfølging i bolig</title>" in html
    )


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        html_of(fx.ideell_part_iv(), "de")


def test_concurrent_renders_are_serialised_and_valid():
    results: list[bytes] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(
                guidance.render_pdf(fx.ideell_part_iv(), rulebase=rules())
            )
        )
        for _ in range(2)
    ]
    guidance.warm_up()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    for data in results:
        assert len(PdfReader(io.BytesIO(data)).pages) > 1


def test_static_folder_holds_only_our_assets():
    # No font files fetched from the web: fonts come from fontconfig (fonts-dejavu-core).
    files = sorted(p.name for p in Path(guidance.STATIC_DIR).iterdir())
    assert files == ["guidance.css"]


def test_renders_a_real_assessment_from_the_rule_base(assessor):
    """The design's example case through the live rule base: Del III, reserved under § 16-9."""
    import datetime as dt

    assessment = assessor.assess(
        Case(
            law_as_of=dt.date(2026, 3, 1),
            title="Vaskeri 3,6 MNOK",
            buyer_type="municipality",
            subject="services",
            service_type="ordinary",
            cpv="98310000",
            estimated_value_nok=3_600_000,
            target_supplier="wise",
            wants_reservation=True,
        )
    )
    for lang in ("nb", "en"):
        reader = PdfReader(io.BytesIO(guidance.render_pdf(assessment, lang, rulebase=rules())))
        found = flat("\n".join(page.extract_text() for page in reader.pages))
        assert "FOA § 16-9" in found
        assert assessment.ruleset.version in found
        assert f"7 {labels.t(lang, 'sources')}" in found
        assert len(reader.pages) > 1
