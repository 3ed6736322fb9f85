"""CPV code names for the wizard's CPV question and its search (``rules/<j>/data/cpv-names.tsv``).

The file has one code a line: ``code<TAB>bokmål name<TAB>English name`` (CPV 2008, see the
attribution in ``rules/no/data/``). It is read once per path and kept in memory (about 9 500
codes); a search scans them all, which is quick enough at this size that no index is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CODE = re.compile(r"^([0-9]{8})(?:-[0-9])?$")  # ASCII digits only
FILE_NAME = "cpv-names.tsv"


@dataclass(frozen=True)
class CpvName:
    code: str
    nb: str
    en: str

    def name(self, lang: str) -> str:
        return (self.en if lang == "en" else self.nb) or self.nb or self.en


@dataclass(frozen=True)
class CpvNames:
    by_code: dict[str, CpvName]
    ordered: tuple[CpvName, ...]

    def get(self, code: str | None) -> CpvName | None:
        if not code:
            return None
        match = CODE.match(code.replace(" ", ""))
        return self.by_code.get(match.group(1)) if match else None

    def search(self, query: str, lang: str = "nb", limit: int = 10) -> list[CpvName]:
        """Codes whose number starts with the digits typed, or whose name (in either
        language) contains every word typed; names starting with the first word come first."""
        text = query.strip().lower()
        if not text:
            return []
        digits = text.replace(" ", "").split("-")[0]
        if digits.isdigit():
            return [item for item in self.ordered if item.code.startswith(digits)][:limit]
        words = [w for w in re.split(r"[\s,;]+", text) if w]
        hits: list[tuple[int, int, CpvName]] = []
        for item in self.ordered:
            own = item.name(lang).lower()
            other = item.name("nb" if lang == "en" else "en").lower()
            if all(word in own for word in words):
                rank = 0 if own.startswith(words[0]) else 1
            elif all(word in other for word in words):
                rank = 2
            else:
                continue
            hits.append((rank, len(own), item))
        hits.sort(key=lambda hit: (hit[0], hit[1], hit[2].code))
        return [hit[2] for hit in hits[:limit]]


@lru_cache(maxsize=4)
def load_cpv_names(path: str) -> CpvNames:
    by_code: dict[str, CpvName] = {}
    file = Path(path)
    if file.is_file():
        for line in file.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            match = CODE.match(parts[0].strip())
            if not match:
                continue
            code = match.group(1)
            nb = parts[1].strip() if len(parts) > 1 else ""
            en = parts[2].strip() if len(parts) > 2 else ""
            by_code[code] = CpvName(code, nb, en)
    return CpvNames(by_code=by_code, ordered=tuple(sorted(by_code.values(), key=lambda c: c.code)))


@lru_cache(maxsize=8)  # asked on every answered step: no new Path each time
def cpv_names_for(rules_dir: str | Path) -> CpvNames:
    return load_cpv_names(str(Path(rules_dir) / "data" / FILE_NAME))
