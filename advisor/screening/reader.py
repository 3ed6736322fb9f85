"""Reading a procurement plan (anskaffelsesplan) from CSV or XLSX into rows of raw cells.

The file is judged by its content, not only its name: a macro-enabled workbook (``.xlsm``, or
any workbook carrying ``vbaProject.bin``) is refused, as are old binary ``.xls`` files, archives
that unpack to more than ``MAX_UNPACKED`` bytes, and anything openpyxl cannot read. Errors are
``PlanError`` with the reason in bokmål and English; nothing here raises anything else for a bad
file.

Headers are matched case-insensitively in Norwegian or English, ignoring text in parentheses
(``Anslått verdi (NOK eks. mva)``). A title row above the header is allowed: the header is the
first of the first ten rows that names at least two known columns.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any

from advisor.assessment import LocalText

MAX_ROWS = 5000
MAX_UNPACKED = 50 * 1024 * 1024

#: canonical column -> accepted header spellings (normalised: lower case, no parentheses)
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": (
        "tittel",
        "title",
        "navn",
        "name",
        "anskaffelse",
        "procurement",
        "navn på anskaffelsen",
        "beskrivelse",
        "description",
    ),
    "buyer": (
        "oppdragsgiver",
        "buyer",
        "type oppdragsgiver",
        "buyer type",
        "virksomhet",
        "kommune",
        "contracting authority",
    ),
    "kind": (
        "art",
        "kind",
        "type",
        "anskaffelsens art",
        "type anskaffelse",
        "kategori",
        "category",
        "varer/tjenester/bygg og anlegg",
    ),
    "cpv": ("cpv", "cpv-kode", "cpv kode", "cpv code", "cpv-code", "hoved-cpv", "main cpv"),
    "value": (
        "anslått verdi",
        "estimated value",
        "verdi",
        "value",
        "estimert verdi",
        "anslått verdi eks. mva",
        "anslått verdi nok",
        "beløp",
        "amount",
    ),
    "start": (
        "oppstart",
        "start date",
        "start",
        "oppstartsdato",
        "planlagt oppstart",
        "kontraktsstart",
        "contract start",
        "dato",
        "date",
    ),
    "duration": (
        "varighet",
        "duration",
        "varighet i måneder",
        "varighet måneder",
        "duration in months",
        "kontraktsperiode",
        "term",
    ),
    "service_type": ("tjenestetype", "service type", "type tjeneste"),
    "target": ("målgruppe", "target supplier", "leverandørtype", "supplier type"),
}
REQUIRED = ("title", "buyer", "kind", "value")
LABELS: dict[str, LocalText] = {
    "title": LocalText(nb="tittel", en="title"),
    "buyer": LocalText(nb="oppdragsgiver", en="buyer"),
    "kind": LocalText(nb="art", en="kind"),
    "cpv": LocalText(nb="CPV-kode", en="CPV code"),
    "value": LocalText(nb="anslått verdi", en="estimated value"),
    "start": LocalText(nb="oppstart", en="start date"),
    "duration": LocalText(nb="varighet", en="duration"),
    "service_type": LocalText(nb="tjenestetype", en="service type"),
    "target": LocalText(nb="målgruppe", en="target supplier"),
}


class PlanError(ValueError):
    """The file as a whole cannot be read (its rows are not even reached)."""

    def __init__(self, nb: str, en: str) -> None:
        super().__init__(en)
        self.text = LocalText(nb=nb, en=en)


@dataclass
class PlanRow:
    number: int  # the row number a spreadsheet program shows (the header row counts)
    cells: dict[str, Any]


@dataclass
class Plan:
    filename: str
    columns: list[str]  # canonical columns found, in file order
    rows: list[PlanRow] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)


def normalise_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).lower()
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text)
    text = re.sub(r"[*:]+", " ", text)
    return re.sub(r"\s+", " ", text).strip().rstrip(".")


_LOOKUP = {spelling: column for column, spellings in COLUMNS.items() for spelling in spellings}


def column_of(header: Any) -> str | None:
    key = normalise_header(header)
    if key in _LOOKUP:
        return _LOOKUP[key]
    for spelling, column in _LOOKUP.items():  # "anslått verdi eks mva i kroner" and the like
        if len(spelling) > 4 and key.startswith(spelling):
            return column
    return None


def read_plan(data: bytes, filename: str) -> Plan:
    """Read an uploaded plan; the format is decided by the name and checked against the bytes."""
    name = (filename or "").lower().strip()
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    if suffix in ("xlsm", "xltm", "xlam") or (suffix != "csv" and _is_macro_workbook(data)):
        raise PlanError(
            "Regneark med makroer (.xlsm) tas ikke imot. Lagre planen som .xlsx eller .csv.",
            "Macro-enabled workbooks (.xlsm) are not accepted. Save the plan as .xlsx or .csv.",
        )
    if suffix == "xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise PlanError(
            "Gamle Excel-filer (.xls) kan ikke leses. Lagre planen som .xlsx eller .csv.",
            "Old Excel files (.xls) cannot be read. Save the plan as .xlsx or .csv.",
        )
    if suffix == "xlsx" or (suffix != "csv" and data[:4] == b"PK\x03\x04"):
        return _read_xlsx(data, filename)
    if suffix in ("csv", "txt", ""):
        return _read_csv(data, filename)
    raise PlanError(
        f"Filtypen .{suffix} støttes ikke. Last opp .xlsx eller .csv.",
        f"The file type .{suffix} is not supported. Upload .xlsx or .csv.",
    )


def _is_macro_workbook(data: bytes) -> bool:
    if data[:4] != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                return True
            if "[Content_Types].xml" in names:
                types = archive.read("[Content_Types].xml")[:200_000].lower()
                return b"macroenabled" in types
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return False
    return False


def _rows_to_plan(filename: str, rows: list[tuple[int, list[Any]]]) -> Plan:
    header_at = None
    for index, (_number, cells) in enumerate(rows[:10]):
        if sum(1 for cell in cells if column_of(cell)) >= 2:
            header_at = index
            break
    if header_at is None:
        raise PlanError(
            "Fant ikke overskriftene. Første rad må ha kolonnene tittel, oppdragsgiver, art og "
            "anslått verdi (last ned malen).",
            "The headers were not found. The first row must name the columns title, buyer, "
            "kind and estimated value (download the template).",
        )
    header_cells = rows[header_at][1]
    positions: dict[str, int] = {}
    ignored = []
    for position, header in enumerate(header_cells):
        column = column_of(header)
        if column and column not in positions:
            positions[column] = position
        elif not _blank(header):
            ignored.append(str(header).strip())
    missing = [column for column in REQUIRED if column not in positions]
    if missing:
        raise PlanError(
            "Planen mangler kolonnene: " + ", ".join(LABELS[c].nb for c in missing) + ".",
            "The plan lacks the columns: " + ", ".join(LABELS[c].en for c in missing) + ".",
        )
    plan = Plan(
        filename=filename,
        columns=sorted(positions, key=positions.__getitem__),
        ignored_headers=ignored,
    )
    for number, cells in rows[header_at + 1 :]:
        if all(_blank(cell) for cell in cells):
            continue  # an empty line is not a planned procurement
        values = {
            column: cells[position] if position < len(cells) else None
            for column, position in positions.items()
        }
        plan.rows.append(PlanRow(number=number, cells=values))
        if len(plan.rows) > MAX_ROWS:
            raise PlanError(
                f"Planen har mer enn {MAX_ROWS} rader. Del den opp.",
                f"The plan has more than {MAX_ROWS} rows. Split it up.",
            )
    if not plan.rows:
        raise PlanError(
            "Planen har ingen rader under overskriftene.", "The plan has no rows below the headers."
        )
    return plan


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel's "CSV" on Norwegian Windows


def _delimiter(sample: str) -> str:
    """The delimiter that splits the header into the most known columns (``;`` on a tie)."""

    def score(delimiter: str) -> tuple[int, int]:
        try:
            lines = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
        except csv.Error:
            return (0, 0)
        known = max((sum(1 for c in line if column_of(c)) for line in lines), default=0)
        return (known, sample.count(delimiter))

    return max((";", ",", "\t", "|"), key=score)


def _read_csv(data: bytes, filename: str) -> Plan:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PlanError("Filen er ikke en tekstfil (CSV).", "The file is not a text (CSV) file.")
    text = _decode(data)
    delimiter = _delimiter("\n".join(text.splitlines()[:10]))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = []
        for index, row in enumerate(reader, start=1):
            rows.append((index, row))
            if index > MAX_ROWS + 20:
                break
    except csv.Error as error:
        raise PlanError(
            f"CSV-filen kan ikke leses: {error}.", f"The CSV file cannot be read: {error}."
        ) from None
    return _rows_to_plan(filename, rows)


def _read_xlsx(data: bytes, filename: str) -> Plan:
    from openpyxl import load_workbook

    bad = PlanError(
        "Filen er ikke et gyldig Excel-regneark (.xlsx).",
        "The file is not a valid Excel workbook (.xlsx).",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                raise PlanError(
                    "Regnearket er for stort når det pakkes ut.",
                    "The workbook is too large when unpacked.",
                )
            if archive.testzip() is not None:
                raise bad
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise bad from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a malformed file
        raise bad from None
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise bad
        preferred = [s for s in sheets if s.title.strip().lower() in ("plan", "anskaffelsesplan")]
        sheet = (preferred or sheets)[0]
        rows = []
        for index, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((index, list(row)))
            if index > MAX_ROWS + 20:
                break
    except PlanError:
        raise
    except Exception:  # noqa: BLE001
        raise bad from None
    finally:
        workbook.close()
    return _rows_to_plan(filename, rows)
