"""Plan screening pages (blueprint ``screening`` at ``/plan``).

- ``GET /plan/``: the upload form (CSRF token, .csv/.xlsx up to ``SCREENING_MAX_BYTES``) and the
  template downloads ``/plan/mal.csv`` and ``/plan/mal.xlsx``.
- ``POST /plan/``: screen the plan, save the result (``screenings``), redirect to its page.
- ``GET /plan/<id>?sort=potential|title|buyer|value|start|regime|row&dir=asc|desc``: the result
  table, sorted on the server (plain links: works without JavaScript).
- ``GET /plan/<id>/resultat.xlsx|.csv|.pdf``: downloads, in the page's sort order.
- ``POST /plan/<id>/rader/<row>``: open a row as a full assessment (saved; redirect to
  ``/vurdering/<assessment id>``).

Rate limits: ``SCREENING_RATE_LIMIT`` (default 20/minute) on uploads and opening rows,
``PDF_RATE_LIMIT`` (default 20/minute) on the PDF summary.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)

from advisor import records
from advisor.case import Case
from advisor.i18n import current_language
from advisor.money import format_amount
from advisor.screening import export
from advisor.screening.reader import PlanError, read_plan
from advisor.screening.screen import (
    DEFAULT_DESCENDING,
    POTENTIALS,
    SORT_KEYS,
    Screening,
    column_label,
    screen,
    sorted_rows,
)
from advisor.screening.store import get_screening, save_screening
from advisor.security import limiter, pdf_rate_limit, screening_rate_limit
from advisor.state import current_state

bp = Blueprint("screening", __name__, url_prefix="/plan")

ALLOWED_SUFFIXES = (".csv", ".xlsx")


TEXTS: dict[str, tuple[str, str]] = {
    "heading": ("Gå gjennom anskaffelsesplanen", "Screen the procurement plan"),
    "intro": (
        (
            "Last opp anskaffelsesplanen (CSV eller Excel). Hver rad blir vurdert med de samme "
            "reglene som veiviseren, og du ser hvilke anskaffelser som kan gå til sosiale "
            "entreprenører."
        ),
        (
            "Upload the procurement plan (CSV or Excel). Every row is assessed with the same rules "
            "as the wizard, and you see which procurements could go to social entrepreneurs."
        ),
    ),
    "file": (
        "Planen (.xlsx eller .csv, høyst {limit})",
        "The plan (.xlsx or .csv, at most {limit})",
    ),
    "submit": ("Gå gjennom planen", "Screen the plan"),
    "template": ("Last ned malen", "Download the template"),
    "template_text": (
        (
            "Bruk malen, eller egne kolonner med disse overskriftene: tittel, oppdragsgiver, art, "
            "cpv, anslått verdi, oppstart, varighet (engelske overskrifter går også)."
        ),
        (
            "Use the template, or your own columns with these headers: title, buyer, kind, cpv, "
            "estimated value, start date, duration (Norwegian headers work too)."
        ),
    ),
    "working": (
        "Går gjennom planen … dette kan ta noen sekunder.",
        "Screening the plan … this may take a few seconds.",
    ),
    "no_file": ("Velg en fil å laste opp.", "Choose a file to upload."),
    "bad_type": ("Bare .xlsx- og .csv-filer tas imot.", "Only .xlsx and .csv files are accepted."),
    "macro": (
        "Regneark med makroer (.xlsm) tas ikke imot. Lagre planen som .xlsx eller .csv.",
        "Macro-enabled workbooks (.xlsm) are not accepted. Save the plan as .xlsx or .csv.",
    ),
    "too_big": ("Filen er for stor (høyst {limit}).", "The file is too large (at most {limit})."),
    "result": ("Resultat av gjennomgangen", "Screening result"),
    "summary": ("{rows} rader fra {file}.", "{rows} rows from {file}."),
    "bad_rows": (
        "{count} rader har feil og er ikke vurdert; feilene står i raden.",
        "{count} rows have errors and were not assessed; the errors are shown in the row.",
    ),
    "download": ("Last ned", "Download"),
    "open": ("Åpne som vurdering", "Open as assessment"),
    "open_label": ("Åpne rad {row} som full vurdering", "Open row {row} as a full assessment"),
    "sorted": ("sortert", "sorted"),
    "sort_by": ("Sorter etter {column}", "Sort by {column}"),
    "new": ("Gå gjennom en annen plan", "Screen another plan"),
    "caption": ("Planlagte anskaffelser, {order}", "Planned procurements, {order}"),
    "asc": ("stigende", "ascending"),
    "desc": ("synkende", "descending"),
    "none": ("–", "–"),
    "actions": ("Handling", "Action"),
    "routes_or_errors": ("Åpne veier, eller feil i raden", "Open routes, or errors in the row"),
    "not_found": ("Fant ikke gjennomgangen.", "The screening was not found."),
    "ignored": ("Kolonner som ikke ble brukt: {names}.", "Columns not used: {names}."),
    "disclaimer": (
        (
            "Dette er en første gjennomgang. Åpne raden som en full vurdering og svar på resten av "
            "spørsmålene før dere bestemmer dere."
        ),
        (
            "This is a first screening. Open the row as a full assessment and answer the remaining "
            "questions before you decide."
        ),
    ),
}


def t(key: str, **values: Any) -> str:
    nb, en = TEXTS[key]
    text = en if current_language() == "en" else nb
    return text.format(**values) if values else text


def max_bytes() -> int:
    return current_state().settings.screening_max_bytes


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit // 1024} kB"


def _form(error: str | None = None, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "screening/upload.html",
            t=t,
            error=error,
            limit=_size(max_bytes()),
        ),
        status,
    )


@bp.get("/")
def upload_form() -> tuple[str, int]:
    return _form()


@bp.post("/")
@limiter.limit(screening_rate_limit)
def upload() -> Any:
    file = request.files.get("plan")
    if file is None or not file.filename:
        return _form(t("no_file"), 400)
    name = file.filename.strip()
    lowered = name.lower()
    if lowered.endswith((".xlsm", ".xltm", ".xlam")):
        return _form(t("macro"), 415)
    if not lowered.endswith(ALLOWED_SUFFIXES):
        return _form(t("bad_type"), 415)
    limit = max_bytes()
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        return _form(t("too_big", limit=_size(limit)), 413)
    try:
        plan = read_plan(data, name)
    except PlanError as error:
        return _form(error.text.get(current_language()), 422)
    result = screen(plan, current_state().assessor)
    record = save_screening(result)
    return redirect(url_for("screening.result", screening_id=record.id), code=303)


@bp.get("/mal.csv")
def template_csv() -> Response:
    return _download(
        export.TEMPLATE_CSV.read_bytes(), "anskaffelsesplan-mal.csv", "text/csv; charset=utf-8"
    )


@bp.get("/mal.xlsx")
def template_workbook() -> Response:
    return _download(export.template_xlsx(), "anskaffelsesplan-mal.xlsx", XLSX)


def _load(screening_id: str) -> Screening:
    screening = get_screening(screening_id)
    if screening is None:
        abort(404)
    return screening


def _order() -> tuple[str, bool]:
    key = request.args.get("sort", "potential")
    if key not in SORT_KEYS:
        key = "potential"
    direction = request.args.get("dir")
    descending = direction == "desc" if direction in ("asc", "desc") else key in DEFAULT_DESCENDING
    return key, descending


@bp.get("/<screening_id>")
def result(screening_id: str) -> str:
    screening = _load(screening_id)
    key, descending = _order()
    lang = current_language()
    columns = []
    for column in ("row", "title", "buyer", "value", "start", "potential", "regime"):
        current = column == key
        next_descending = (not descending) if current else column in DEFAULT_DESCENDING
        columns.append(
            {
                "key": column,
                "label": export.header(column, lang),
                "url": url_for(
                    "screening.result",
                    screening_id=screening_id,
                    sort=column,
                    dir="desc" if next_descending else "asc",
                ),
                "aria_sort": ("descending" if descending else "ascending") if current else None,
            }
        )
    rows = sorted_rows(screening, key, descending)
    return render_template(
        "screening/result.html",
        t=t,
        s=screening,
        rows=rows,
        columns=columns,
        lang=lang,
        sort=key,
        direction="desc" if descending else "asc",
        potential_label=lambda code: POTENTIALS[code][1].get(lang),
        counts=[
            (code, POTENTIALS[code][1].get(lang), screening.count(code))
            for code in POTENTIALS
            if screening.count(code)
        ],
        column_label=lambda column: column_label(column, lang),
        money=lambda value: format_amount(value, lang),
        header=lambda column: export.header(column, lang),
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, name: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _name(screening: Screening, suffix: str) -> str:
    stem = "screening" if current_language() == "en" else "gjennomgang"
    return f"{stem}-{screening.id}.{suffix}"


@bp.get("/<screening_id>/resultat.xlsx")
def download_xlsx(screening_id: str) -> Response:
    screening = _load(screening_id)
    rows = sorted_rows(screening, *_order())
    return _download(
        export.to_xlsx(screening, rows, current_language()), _name(screening, "xlsx"), XLSX
    )


@bp.get("/<screening_id>/resultat.csv")
def download_csv(screening_id: str) -> Response:
    screening = _load(screening_id)
    rows = sorted_rows(screening, *_order())
    return _download(
        export.to_csv(screening, rows, current_language()),
        _name(screening, "csv"),
        "text/csv; charset=utf-8",
    )


@bp.get("/<screening_id>/resultat.pdf")
@limiter.limit(pdf_rate_limit)
def download_pdf(screening_id: str) -> Response:
    screening = _load(screening_id)
    rows = sorted_rows(screening, *_order())
    return _download(
        export.to_pdf(screening, rows, current_language()),
        _name(screening, "pdf"),
        "application/pdf",
    )


@bp.post("/<screening_id>/rader/<int:row_number>")
@limiter.limit(screening_rate_limit)
def open_row(screening_id: str, row_number: int) -> Any:
    """Save the row as a full assessment and go to its result page."""
    screening = _load(screening_id)
    row = next((r for r in screening.rows if r.row == row_number), None)
    if row is None or row.case is None:
        abort(404)
    case = Case.model_validate(row.case)
    try:
        record = records.create(case, lang=current_language())
    except records.LawDateOutOfRange:
        abort(404)
    return redirect(f"{request.script_root}/vurdering/{record.id}", code=303)
