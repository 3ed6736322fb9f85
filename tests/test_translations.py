"""Bokmål is the default language: every translatable string must have an nb translation."""

from __future__ import annotations

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from advisor.settings import REPO_ROOT

CATALOGS = {
    lang: REPO_ROOT / f"translations/{lang}/LC_MESSAGES/messages.po" for lang in ("nb", "en")
}


def extracted_msgids() -> set[str]:
    with (REPO_ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    ids: set[str] = set()
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO_ROOT), method_map, options_map, keywords=keywords
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def read_catalog(lang: str):
    with CATALOGS[lang].open("rb") as po_file:
        return read_po(po_file, locale=lang)


def test_every_string_has_a_bokmal_translation():
    catalog = read_catalog("nb")
    missing = sorted(
        msgid for msgid in extracted_msgids() if msgid not in catalog or not catalog[msgid].string
    )
    assert not missing, (
        "Strings without a bokmål translation (run `make messages`, then translate them in "
        "translations/nb/LC_MESSAGES/messages.po):\n  " + "\n  ".join(missing)
    )


def test_catalogs_are_well_formed():
    for lang in CATALOGS:
        problems = [
            f"{lang}: {message.id!r}: {error}"
            for message, errors in read_catalog(lang).check()
            for error in errors
        ]
        assert not problems, "\n".join(problems)  # e.g. a %(placeholder)s lost in translation
