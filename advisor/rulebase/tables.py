"""CPV tables (FOA vedlegg 1-4) as numeric code ranges.

The DFØ files list single codes (``cpv_code``), ranges (``cpv_start``/``cpv_end``, inclusive)
and ``exclusions``. A listed code covers that code only, not the codes below it in the CPV tree:
the annexes list sub-codes separately where they are meant (vedlegg 2 names 55521200 beside
55520000), and reading a code as its branch would make vedlegg 2 and 3 overlap and turn, for
example, laundry (98310000) into a special service. See docs/legal-notes.md.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from advisor.rulebase.yamlsrc import RuleLoader, SourceError

Range = tuple[int, int]


def code_number(code: str) -> int:
    """A CPV code (with or without its check digit) as a number."""
    digits = code.split("-")[0].strip()
    if len(digits) != 8 or not digits.isdigit():
        raise ValueError(f"not a CPV code: {code!r}")
    return int(digits)


def load_cpv_table(path: Path, display: str) -> tuple[tuple[Range, tuple[Range, ...]], ...]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=RuleLoader)
    try:
        entries = data["annex"]["services"]
    except (TypeError, KeyError):
        raise SourceError(display, 1, 1, "expected annex: services: [...] (DFØ format)") from None
    ranges = []
    for entry in entries:
        try:
            if "cpv_code" in entry:
                number = code_number(str(entry["cpv_code"]))
                span = (number, number)
            else:
                span = (code_number(str(entry["cpv_start"])), code_number(str(entry["cpv_end"])))
            exclusions = tuple(
                (code_number(str(code)),) * 2 for code in entry.get("exclusions", []) or []
            )
        except (KeyError, ValueError) as exc:
            raise SourceError(display, 1, 1, f"bad CPV entry {entry!r}: {exc}") from None
        ranges.append((span, exclusions))
    return tuple(ranges)
