"""CPV tables (FOA vedlegg 1-4) as numeric code ranges.

The DFØ files list single codes (``cpv_code``), ranges (``cpv_start``/``cpv_end``) and
``exclusions``. A CPV code stands for its whole branch of the hierarchy: ``55520000`` covers
``55521200``. A code's branch is the codes that share its digits up to the last non-zero one
(at least the two-digit division), so the range is ``[55520000, 55529999]``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from advisor.rulebase.yamlsrc import RuleLoader, SourceError

Range = tuple[int, int]


def branch(code: str) -> Range:
    """The numeric range of a CPV code and every code below it in the hierarchy."""
    digits = code.split("-")[0].strip()
    if len(digits) != 8 or not digits.isdigit():
        raise ValueError(f"not a CPV code: {code!r}")
    significant = max(len(digits.rstrip("0")), 2)
    prefix = digits[:significant]
    low = int(prefix.ljust(8, "0"))
    high = int(prefix.ljust(8, "9"))
    return low, high


def load_cpv_table(path: Path, display: str) -> tuple[tuple[Range, tuple[Range, ...]], ...]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=RuleLoader)  # noqa: S506
    try:
        entries = data["annex"]["services"]
    except (TypeError, KeyError):
        raise SourceError(display, 1, 1, "expected annex: services: [...] (DFØ format)") from None
    ranges = []
    for entry in entries:
        try:
            if "cpv_code" in entry:
                span = branch(str(entry["cpv_code"]))
            else:
                span = (
                    branch(str(entry["cpv_start"]))[0],
                    branch(str(entry["cpv_end"]))[1],
                )
            exclusions = tuple(branch(str(code)) for code in entry.get("exclusions", []) or [])
        except (KeyError, ValueError) as exc:
            raise SourceError(display, 1, 1, f"bad CPV entry {entry!r}: {exc}") from None
        ranges.append((span, exclusions))
    return tuple(ranges)
