"""Plan screening: reading CSV/XLSX plans with Norwegian formats, bad rows kept with reasons,
the potential rank, exports guarded against formula injection, macro-enabled and malformed
files refused, the web pages (upload with CSRF, sortable table, downloads, open a row) and the
``advisor screen`` command."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from advisor.cli import main
from advisor.screening import PlanError, guard, read_plan, screen, to_csv, to_pdf, to_xlsx, values

HEADER = [
    "Tittel",
    "Oppdragsgiver",
    "Art",
    "CPV",
    "Anslått verdi (NOK eks. mva)",
    "Oppstart",
    "Varighet",
]
GOOD = [
    [
        "Renhold rådhuset",
        "Bergen kommune",
        "tjenester",
        "90910000-9",
        "3 600 000",
        "01.03.2026",
        "2+1+1 år",
    ],
    ["Kantinedrift", "fylkeskommune", "Tjenester", "55510000", "2,4 mill.", "mars 2026", "36 mnd"],
    ["Kontorrekvisita", "kommune", "varer", "30192000", "80 000", "2026-02-01", "12"],
    [
        "Avlastning",
        "kommune",
        "helse- og sosialtjenester",
        "85312000",
        "9.000.000",
        "Q2 2026",
        "4 år",
    ],
]
BAD = [
    [
        '=HYPERLINK("http://evil.example","klikk")',
        "kommune",
        "tjenester",
        "",
        "500 000",
        "",
        "",
    ],  # good data, dangerous title: must be escaped in exports
    ["Vedlikehold", "kommune", "tjenester", "12345", "1 000 000", "", ""],  # CPV form
    ["Snørydding", "kommune", "tjenester", "99999999", "1 000 000", "", ""],  # unknown CPV
    ["Flytting", "kommune", "tjenester", "", "mange penger", "", ""],  # wrong type
    ["Møbler", "", "varer", "", "", "", ""],  # empty cells
    ["Historisk", "kommune", "varer", "", "200 000", "01.01.2001", ""],  # before the rules
    ["Konsulent", "Ukjent AS", "rådgivning", "", "-5", "i morgen", "lenge"],  # many errors
]


def plan_csv(rows=GOOD + BAD, delimiter=";") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def plan_xlsx(rows=GOOD + BAD, title_row=True) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title_row:
        sheet.append(["Anskaffelsesplan 2026 – Eksempel kommune"])
    sheet.append(HEADER)
    for row in rows:
        cells = list(row)
        if cells[4] == "3 600 000":
            cells[4] = 3600000  # a real number cell
        if cells[5] == "01.03.2026":
            cells[5] = dt.datetime(2026, 3, 1)  # a real date cell
        if cells[3] == "30192000":
            cells[3] = 30192000  # a CPV typed as a number
        sheet.append(cells)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula, as a user typed it
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------- cell formats


def test_amount_cells():
    """Text cells go through the wizard's parser (tests/test_money.py); the rest is cells."""
    assert values.parse_amount("") is None
    assert values.parse_amount("2,4 mill.") == 2_400_000
    assert values.parse_amount(1234567.6) == 1_234_568
    with pytest.raises(values.CellError) as error:
        values.parse_amount("1" * 310)  # a value cell of 310 digits
    assert "for stort" in error.value.text.nb


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("01.03.2026", dt.date(2026, 3, 1)),
        ("1.3.26", dt.date(2026, 3, 1)),
        ("2026-03-01", dt.date(2026, 3, 1)),
        ("03.2026", dt.date(2026, 3, 1)),
        ("mars 2026", dt.date(2026, 3, 1)),
        ("March 2026", dt.date(2026, 3, 1)),
        ("Q2 2026", dt.date(2026, 4, 1)),
        ("2. kvartal 2026", dt.date(2026, 4, 1)),
        ("2026", dt.date(2026, 1, 1)),
        (dt.datetime(2026, 3, 1, 12, 0), dt.date(2026, 3, 1)),
    ],
)
def test_dates(text, date):
    assert values.parse_date(text) == date


@pytest.mark.parametrize(
    ("text", "months"),
    [("24", 24), ("24 mnd", 24), ("2 år", 24), ("2+1+1 år", 48), ("1,5 år", 18), (36, 36)],
)
def test_durations(text, months):
    assert values.parse_duration(text) == months


def test_buyers_and_kinds():
    assert values.parse_buyer("Bergen kommune") == "municipality"
    assert values.parse_buyer("Vestland fylkeskommune") == "county"
    assert values.parse_buyer("Statens vegvesen") == "state"
    assert values.parse_buyer("Helse Bergen HF") == "other_public_body"
    assert values.parse_kind("Bygg- og anlegg") == ("works", None)
    assert values.parse_kind("helse- og sosialtjenester") == ("services", "health_social")
    assert values.parse_cpv(3000000) == "03000000"
    assert values.parse_cpv("90910000-9") == "90910000"


# ---------------------------------------------------------------------------- screening


def check_result(result) -> None:
    assert len(result.rows) == len(GOOD) + len(BAD)  # nothing dropped
    by_title = {row.title: row for row in result.rows}
    cleaning = by_title["Renhold rådhuset"]
    assert cleaning.ok and cleaning.value_nok == 3_600_000 and cleaning.duration_months == 48
    assert cleaning.regime == "part_iii" and cleaning.potential == "reservable"
    assert "reserved_wise" in cleaning.open_routes
    assert by_title["Kantinedrift"].value_nok == 2_400_000
    assert by_title["Kantinedrift"].start == dt.date(2026, 3, 1)
    assert by_title["Avlastning"].regime == "part_iv"
    assert by_title["Kontorrekvisita"].cpv == "30192000"
    assert by_title["Kontorrekvisita"].regime == "outside_scope"
    assert by_title["Kontorrekvisita"].potential in ("direct_purchase", "reservable")
    injected = next(row for row in result.rows if row.title.startswith("=HYPERLINK"))
    assert injected.ok  # a strange title is data, not an error

    def errors(title):
        return {error.column: error.message for error in by_title[title].errors}

    assert "8 sifre" in errors("Vedlikehold")["cpv"].nb
    assert "Unknown CPV code 99999999" in errors("Snørydding")["cpv"].en
    assert "ikke et beløp" in errors("Flytting")["value"].nb
    assert set(errors("Møbler")) == {"buyer", "value"}
    assert "2017" in errors("Historisk")["start"].en
    assert set(errors("Konsulent")) == {"buyer", "kind", "value", "start", "duration"}
    for title in ("Vedlikehold", "Snørydding", "Flytting", "Møbler", "Historisk", "Konsulent"):
        assert by_title[title].potential == "error"
        assert by_title[title].regime is None


def test_screen_csv(assessor):
    plan = read_plan(plan_csv(), "plan.csv")
    assert plan.columns == ["title", "buyer", "kind", "cpv", "value", "start", "duration"]
    result = screen(plan, assessor, today=dt.date(2026, 6, 1))
    check_result(result)
    assert [row.row for row in result.rows][:2] == [2, 3]


def test_screen_csv_with_commas_and_english_headers(assessor):
    english = ["title", "buyer", "kind", "cpv", "estimated value", "start date", "duration"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(english)
    writer.writerow(
        ["Cleaning", "municipality", "services", "90910000", "3600000", "2026-03-01", "24"]
    )
    result = screen(read_plan(buffer.getvalue().encode("cp1252"), "plan.csv"), assessor)
    assert result.rows[0].regime == "part_iii"


def test_screen_xlsx_with_a_title_row_numbers_and_dates(assessor):
    plan = read_plan(plan_xlsx(), "plan.xlsx")
    assert plan.rows[0].number == 3  # the title row and the header come first
    check_result(screen(plan, assessor, today=dt.date(2026, 6, 1)))


def test_rank_orders_reservable_first(assessor):
    from advisor.screening import sorted_rows

    result = screen(read_plan(plan_csv(), "plan.csv"), assessor)
    ranked = sorted_rows(result, "potential", True)
    ranks = [row.potential_rank for row in ranked]
    assert ranks == sorted(ranks, reverse=True)
    assert ranked[-1].potential == "error"


def test_macro_enabled_workbooks_are_refused():
    with pytest.raises(PlanError, match="Macro-enabled"):
        read_plan(plan_xlsx(), "plan.xlsm")
    # A workbook carrying a VBA project is refused whatever it is called.
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plan_xlsx())) as source, zipfile.ZipFile(buffer, "w") as out:
        for item in source.infolist():
            out.writestr(item, source.read(item.filename))
        out.writestr("xl/vbaProject.bin", b"\x00" * 64)
    with pytest.raises(PlanError, match="Macro-enabled"):
        read_plan(buffer.getvalue(), "plan.xlsx")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04 not really a zip", "plan.xlsx", "not a valid Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "plan.xls", "Old Excel"),
        (b"just some text\nwithout headers\n", "plan.csv", "headers were not found"),
        (b"tittel;cpv\nA;90910000\n", "plan.csv", "lacks the columns"),
        (b"tittel;oppdragsgiver;art;anslatt\n", "plan.csv", "lacks the columns"),
        (b"%PDF-1.7", "plan.pdf", "not supported"),
        (b"\x00\x01\x02binary", "plan.csv", "not a text"),
    ],
)
def test_malformed_files_are_refused_cleanly(data, name, message):
    with pytest.raises(PlanError, match=message):
        read_plan(data, name)


def test_empty_plan_is_refused():
    with pytest.raises(PlanError, match="no rows"):
        read_plan(";".join(HEADER).encode() + b"\n;;;;;;\n", "plan.csv")


# ---------------------------------------------------------------------------- exports


def test_guard():
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert guard(text) == "'" + text
    assert guard("Renhold") == "Renhold"
    assert guard(-5) == -5


def test_exports_escape_formulas(assessor):
    result = screen(read_plan(plan_csv(), "plan.csv"), assessor)
    text = to_csv(result, result.rows, "nb").decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    assert '\'=HYPERLINK("http://evil.example","klikk")' in cells
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    assert not any(re.match(r"-\D", cell) for cell in cells)

    workbook = load_workbook(io.BytesIO(to_xlsx(result, result.rows, "en")))
    sheet = workbook.active
    assert [cell.value for cell in sheet[1]][:3] == ["Row", "Title", "Buyer"]
    found = False
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", f"formula in {cell.coordinate}: {cell.value}"
            if cell.value == '\'=HYPERLINK("http://evil.example","klikk")':
                found = True
    assert found
    assert len(list(sheet.iter_rows(min_row=2))) == len(GOOD) + len(BAD)


def test_pdf_summary(assessor):
    from pypdf import PdfReader

    result = screen(read_plan(plan_csv(), "plan.csv"), assessor)
    pdf = to_pdf(result, result.rows, "en")
    assert pdf.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Renhold" in text and "Unknown CPV code" in text


# ---------------------------------------------------------------------------- web pages


@pytest.fixture
def app(make_app):
    return make_app(SCREENING_RATE_LIMIT="1000/minute", PDF_RATE_LIMIT="1000/minute")


def upload(client, token, data: bytes, name: str):
    return client.post(
        "/plan/",
        data={"csrf_token": token, "plan": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_upload_sort_download_and_open_a_row(client, csrf_token):
    page = client.get("/plan/")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.get_data(as_text=True)
    token = csrf_token(client)
    response = upload(client, token, plan_xlsx(), "plan.xlsx")
    assert response.status_code == 303
    url = response.headers["Location"]
    result = client.get(url)
    html = result.get_data(as_text=True)
    assert result.status_code == 200
    assert "Renhold rådhuset" in html and "Ukjent CPV-kode 99999999" in html
    assert "&#39;=HYPERLINK" not in html and "=HYPERLINK(&#34;http" in html  # escaped, as is
    assert 'aria-sort="descending"' in html  # default: potential, highest first
    assert "Kunngjøring i Doffin" in html  # obligations are shown
    by_title = client.get(url + "?sort=title&dir=asc").get_data(as_text=True)
    assert by_title.index("Avlastning") < by_title.index("Snørydding")
    assert 'aria-sort="ascending"' in by_title

    xlsx = client.get(url + "/resultat.xlsx?sort=row&dir=asc")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)][:3] == [3, 4, 5]
    csv_response = client.get(url + "/resultat.csv")
    assert csv_response.status_code == 200
    assert "'=HYPERLINK" in csv_response.data.decode("utf-8-sig")
    pdf = client.get(url + "/resultat.pdf?lang=en")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")

    # Open the first good row as a full assessment: saved, then the wizard's result page.
    match = re.search(r'action="(/plan/[^"]+/rader/3)"', html)
    assert match, "no open button for row 3"
    opened = client.post(match.group(1), data={"csrf_token": token})
    assert opened.status_code == 303
    assessment_id = opened.headers["Location"].rsplit("/", 1)[-1]
    assert opened.headers["Location"] == f"/vurdering/{assessment_id}"
    api = client.get(f"/api/v1/assessments/{assessment_id}").get_json()
    assert api["regime"]["code"] == "part_iii"
    assert api["case"]["estimated_value_nok"] == 3_600_000


def test_upload_needs_a_csrf_token(client):
    response = client.post(
        "/plan/",
        data={"plan": (io.BytesIO(plan_csv()), "plan.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("data", "name", "status", "text"),
    [
        (b"", "", 400, "Velg en fil"),
        (b"x", "plan.xlsm", 415, "makroer"),
        (b"x", "plan.exe", 415, "Bare .xlsx"),
        (b"PK\x03\x04junk", "plan.xlsx", 422, "ikke et gyldig Excel"),
        (b"a;b\n1;2\n", "plan.csv", 422, "overskriftene"),
    ],
)
def test_bad_uploads_are_explained(client, csrf_token, data, name, status, text):
    response = upload(client, csrf_token(client), data, name)
    assert response.status_code == status
    assert text in response.get_data(as_text=True)


def test_file_size_limit(make_app, csrf_token):
    app = make_app(SCREENING_MAX_BYTES=1000, SCREENING_RATE_LIMIT="1000/minute")
    client = app.test_client()
    response = upload(client, csrf_token(client), plan_csv() * 10, "plan.csv")
    assert response.status_code == 413
    assert "for stor" in response.get_data(as_text=True)


def test_templates_download(client):
    csv_template = client.get("/plan/mal.csv")
    assert csv_template.status_code == 200
    text = csv_template.data.decode("utf-8")
    assert text.startswith("tittel;oppdragsgiver;art;cpv;anslått verdi;oppstart;varighet")
    assert read_plan(csv_template.data, "mal.csv").rows
    xlsx_template = client.get("/plan/mal.xlsx")
    assert xlsx_template.status_code == 200
    assert read_plan(xlsx_template.data, "mal.xlsx").rows


def test_unknown_screening_is_404(client):
    assert client.get("/plan/nope").status_code == 404
    assert client.get("/plan/nope/resultat.csv").status_code == 404


# ---------------------------------------------------------------------------- command line


def test_cli_screen(tmp_path: Path):
    plan = tmp_path / "plan.xlsx"
    plan.write_bytes(plan_xlsx())
    out = tmp_path / "result.xlsx"
    result = CliRunner().invoke(main, ["screen", str(plan), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Can be reserved" in result.output
    assert f"{len(GOOD) + len(BAD)} rows, 6 with errors" in result.output
    assert load_workbook(out).active.max_row == len(GOOD) + len(BAD) + 1
    bad = tmp_path / "plan.xlsm"
    bad.write_bytes(plan_xlsx())
    refused = CliRunner().invoke(main, ["screen", str(bad)])
    assert refused.exit_code == 1 and "makroer" in refused.output


def test_screenings_table_matches_its_migration(tmp_path: Path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from advisor.db import make_engine, upgrade_database
    from advisor.screening.store import ScreeningRecord

    url = f"sqlite:///{tmp_path / 'screenings.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            diffs = compare_metadata(
                MigrationContext.configure(connection), ScreeningRecord.metadata
            )
    finally:
        engine.dispose()
    assert [d for d in diffs if "screenings" in repr(d)] == []


# ---------------------------------------------------------------------------- never a crash

CELL = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(-(10**12), 10**13),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates().map(lambda d: dt.datetime(d.year, d.month, d.day)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(cell=CELL)
def test_cell_parsers_raise_only_cell_errors(cell):
    for parser in (
        values.parse_amount,
        values.parse_date,
        values.parse_duration,
        values.parse_cpv,
        values.parse_buyer,
        values.parse_kind,
        values.parse_service_type,
        values.parse_target,
    ):
        try:
            parser(cell)
        except values.CellError:
            pass


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.lists(st.lists(st.text(max_size=12), max_size=8), max_size=6).map(
            lambda rows: "\n".join(";".join(r) for r in [HEADER, *rows]).encode()
        ),
    ),
    name=st.sampled_from(["plan.csv", "plan.xlsx", "plan", "plan.txt"]),
)
def test_any_file_is_read_or_refused_cleanly(assessor, data, name):
    try:
        plan = read_plan(data, name)
    except PlanError:
        return
    result = screen(plan, assessor)
    assert len(result.rows) == len(plan.rows)


def test_uploads_are_rate_limited(make_app, csrf_token):
    app = make_app(SCREENING_RATE_LIMIT="1/minute")
    client = app.test_client()
    token = csrf_token(client)
    assert upload(client, token, plan_csv(GOOD), "plan.csv").status_code == 303
    assert upload(client, token, plan_csv(GOOD), "plan.csv").status_code == 429
