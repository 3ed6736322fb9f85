"""Screening results as XLSX, CSV and one PDF summary; the plan template as CSV and XLSX.

Spreadsheet programs run cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as formulas (CSV/formula injection). Every text cell we write goes through ``guard()``,
which puts an apostrophe in front of such text, so a title like ``=HYPERLINK(...)`` from an
uploaded plan is shown, never run. Numbers and dates are written as numbers and dates.

The PDF is a plain HTML table rendered by WeasyPrint with the guidance renderer's local-only URL
fetcher (nothing outside ``static/screening`` is ever fetched) and its process-wide render lock.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from pathlib import Path
from typing import Any

from jinja2 import Environment

from advisor.money import format_amount
from advisor.screening.screen import POTENTIALS, ScreenedRow, Screening, column_label

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIR = REPO_ROOT / "templates" / "screening"
STATIC_DIR = REPO_ROOT / "static" / "screening"
TEMPLATE_CSV = STATIC_DIR / "anskaffelsesplan-mal.csv"

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

HEADERS: dict[str, tuple[str, str]] = {
    "row": ("Rad", "Row"),
    "title": ("Tittel", "Title"),
    "buyer": ("Oppdragsgiver", "Buyer"),
    "kind": ("Art", "Kind"),
    "cpv": ("CPV", "CPV"),
    "value": ("Anslått verdi (NOK)", "Estimated value (NOK)"),
    "start": ("Oppstart", "Start date"),
    "duration": ("Varighet (mnd)", "Duration (months)"),
    "potential": ("Potensial", "Potential"),
    "regime": ("Regelverk", "Rules that apply"),
    "routes": ("Åpne veier for sosiale entreprenører", "Routes open for social entrepreneurs"),
    "obligations": ("Plikter", "Obligations"),
    "warnings": ("Advarsler", "Warnings"),
    "errors": ("Feil", "Errors"),
}
ORDER = list(HEADERS)


def guard(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, made inert with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def header(key: str, lang: str) -> str:
    nb, en = HEADERS[key]
    return en if lang == "en" else nb


def error_text(row: ScreenedRow, lang: str) -> str:
    return " ".join(
        f"{column_label(error.column, lang)}: {error.message.get(lang)}" for error in row.errors
    )


def row_values(screening: Screening, row: ScreenedRow, lang: str) -> dict[str, Any]:
    """One row as cells (typed: numbers, dates, text)."""
    return {
        "row": row.row,
        "title": row.title,
        "buyer": row.buyer,
        "kind": row.kind,
        "cpv": row.cpv or "",
        "value": row.value_nok,
        "start": row.start,
        "duration": row.duration_months,
        "potential": POTENTIALS[row.potential][1].get(lang),
        "regime": screening.title(row.regime, lang),
        "routes": "; ".join(screening.title(code, lang) for code in row.open_routes),
        "obligations": "; ".join(screening.title(code, lang) for code in row.obligations),
        "warnings": "; ".join(screening.title(code, lang) for code in row.warnings),
        "errors": error_text(row, lang),
    }


def to_csv(screening: Screening, rows: list[ScreenedRow], lang: str) -> bytes:
    """UTF-8 with BOM and semicolons (what Excel in Norway opens directly)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([guard(header(key, lang)) for key in ORDER])
    for row in rows:
        cells = row_values(screening, row, lang)
        writer.writerow([_csv_cell(cells[key]) for key in ORDER])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return guard(value) if isinstance(value, str) else value


def to_xlsx(screening: Screening, rows: list[ScreenedRow], lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Screening"
    sheet.append([guard(header(key, lang)) for key in ORDER])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        cells = row_values(screening, row, lang)
        sheet.append([_xlsx_cell(cells[key]) for key in ORDER])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(ORDER))}{len(rows) + 1}"
    widths = {
        "title": 40,
        "buyer": 24,
        "routes": 50,
        "obligations": 40,
        "errors": 50,
        "regime": 24,
        "potential": 20,
        "value": 18,
    }
    for index, key in enumerate(ORDER, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(key, 12)
        if key == "value":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "#,##0"
        if key == "start":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "yyyy-mm-dd"
    about = workbook.create_sheet("Om" if lang != "en" else "About")
    about.append([guard("Fil" if lang != "en" else "File"), guard(screening.filename)])
    about.append(
        [
            guard("Regelverksversjon" if lang != "en" else "Rule-base version"),
            guard(screening.ruleset_version),
        ]
    )
    about.append(
        [guard("Laget" if lang != "en" else "Made"), screening.created_at.replace(tzinfo=None)]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value: Any) -> Any:
    if value is None or value == "":
        return None
    return guard(value) if isinstance(value, str) else value


# ---------------------------------------------------------------------------- template


TEMPLATE_COLUMNS = [
    "tittel",
    "oppdragsgiver",
    "art",
    "cpv",
    "anslått verdi",
    "oppstart",
    "varighet",
    "tjenestetype",
    "målgruppe",
]
TEMPLATE_EXAMPLES = [
    [
        "Renhold av rådhuset",
        "Eksempel kommune",
        "tjenester",
        "90910000",
        "2 400 000",
        "01.03.2027",
        "2+1+1 år",
        "",
        "arbeidsintegrerende",
    ],
    ["Kantinedrift", "kommune", "tjenester", "55510000", "2,4 mill.", "Q3 2027", "36 mnd", "", ""],
    [
        "Avlastningstjenester",
        "kommune",
        "helse- og sosialtjenester",
        "85312000",
        "9 000 000",
        "mars 2027",
        "48",
        "",
        "ideell",
    ],
    ["Kontorrekvisita", "kommune", "varer", "30192000", "350 000", "2027", "12", "", ""],
]


def template_xlsx() -> bytes:
    """The plan template as a workbook (made at runtime, with the same columns as the CSV)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Anskaffelsesplan"
    sheet.append(TEMPLATE_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for example in TEMPLATE_EXAMPLES:
        sheet.append([guard(value) if value else None for value in example])
    for letter, width in zip("ABCDEFGHI", (34, 22, 26, 12, 16, 14, 12, 16, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    help_sheet = workbook.create_sheet("Veiledning")
    for line in TEMPLATE_HELP:
        help_sheet.append([guard(part) for part in line])
    help_sheet.column_dimensions["A"].width = 18
    help_sheet.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


TEMPLATE_HELP = [
    (
        "Kolonne",
        (
            "Hva du skriver (engelske overskrifter går også: title, buyer, kind, cpv, "
            "estimated value, start date, duration)"
        ),
    ),
    ("tittel", "Navnet på anskaffelsen. Påkrevd."),
    (
        "oppdragsgiver",
        (
            "kommune, fylkeskommune, stat eller annen offentlig – eller navnet, "
            "f.eks. «Bergen kommune». Påkrevd."
        ),
    ),
    (
        "art",
        (
            "varer, tjenester, bygg og anlegg, helse- og sosialtjenester eller særlige "
            "tjenester. Påkrevd."
        ),
    ),
    ("cpv", "Hoved-CPV-koden, 8 sifre (f.eks. 90910000). Valgfri."),
    (
        "anslått verdi",
        (
            "Hele kontraktsperioden med opsjoner, uten mva. «2 400 000», "
            "«2,4 mill.» og «2.400.000» går. Påkrevd."
        ),
    ),
    (
        "oppstart",
        (
            "Planlagt oppstart: 01.03.2027, mars 2027, Q2 2027 eller 2027. Bestemmer "
            "hvilke regler som gjelder. Tom = dagens regler."
        ),
    ),
    ("varighet", "Måneder, eller år: «24», «24 mnd», «2 år», «2+1+1 år». Valgfri."),
    ("tjenestetype", "ordinær, særlige eller helse og sosial. Valgfri."),
    ("målgruppe", "arbeidsintegrerende, ideell, sosial entreprenør eller ingen. Valgfri."),
]


# ---------------------------------------------------------------------------- PDF


@functools.cache
def _env() -> Environment:
    """Built and its template compiled once per process, not on every summary."""
    from advisor.guidance import pdf_environment

    env = pdf_environment(TEMPLATE_DIR)
    env.filters["money"] = format_amount
    return env


#: The PDF lists at most this many rows in the chosen order: WeasyPrint's layout time grows with
#: every table row and it renders one document at a time (the guidance PDF's lock), so a whole
#: plan would hold a worker too long. Rows with errors beyond it follow in their own table, so
#: no bad row is left out. The XLSX/CSV downloads always have every row.
PDF_MAX_ROWS = 100


def summary_html(screening: Screening, rows: list[ScreenedRow], lang: str) -> str:
    counts = [
        (POTENTIALS[code][1].get(lang), screening.count(code))
        for code in POTENTIALS
        if screening.count(code)
    ]
    shown, rest = rows[:PDF_MAX_ROWS], rows[PDF_MAX_ROWS:]
    bad_rest = [row for row in rest if row.errors][:PDF_MAX_ROWS]
    return (
        _env()
        .get_template("summary_pdf.html")
        .render(
            s=screening,
            rows=[(row, row_values(screening, row, lang)) for row in shown],
            bad_rest=[(row, row_values(screening, row, lang)) for row in bad_rest],
            not_shown=len(rest) - len(bad_rest),
            counts=counts,
            lang=lang,
            h=lambda key: header(key, lang),
            now=dt.datetime.now(dt.UTC),
        )
    )


def to_pdf(screening: Screening, rows: list[ScreenedRow], lang: str) -> bytes:
    """One PDF summary (A4 landscape table), rendered without any outbound fetch."""
    from weasyprint import HTML

    from advisor.guidance import RENDER_LOCK
    from advisor.guidance.fetcher import LocalOnlyFetcher

    html = summary_html(screening, rows, lang)
    document = HTML(
        string=html,
        base_url=STATIC_DIR.as_uri() + "/",
        url_fetcher=LocalOnlyFetcher(STATIC_DIR),
    )
    with RENDER_LOCK:
        return document.write_pdf()
