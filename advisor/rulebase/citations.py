"""Legal-basis citations in the fixed string form, and their links.

Forms: ``"FOA § 16-9"``, ``"FOA § 5-4 (4)"``, ``"FOA § 2-4 g"``, ``"LOA § 4"``, ``"FOA vedlegg 3"``,
``"FOA §§ 8-8, 16-9"`` is not allowed (one section per citation). The act abbreviation must be
declared in ``sources.yaml`` (``acts:``) with its URL and a ``section_url`` pattern containing
``{section}``.
"""

from __future__ import annotations

import re
from typing import Any

CITATION = re.compile(
    r"^(?P<act>[A-ZÆØÅa-zæøå][\wæøåÆØÅ.-]*)"
    r"(?: § (?P<section>\d+(?:-\d+)?[a-z]?)(?: \((?P<paragraph>\d+)\))?(?: (?P<letter>[a-z]))?"
    r"| vedlegg (?P<annex>\d+))?$"
)


def parse(text: str) -> dict[str, str] | None:
    match = CITATION.match(text.strip())
    return match.groupdict() if match else None


def problem(text: str, rulebase: Any) -> str | None:
    """Why a citation is not acceptable, or None."""
    parts = parse(text)
    if parts is None:
        return (
            f"citation '{text}' is not in the form 'FOA § 8-8', 'FOA § 5-4 (4)', "
            "'LOA § 4' or 'FOA vedlegg 3'"
        )
    act = parts["act"]
    if act not in rulebase.sources.acts:
        from advisor.rulebase.conditions import did_you_mean

        return f"unknown act '{act}' in citation '{text}'{did_you_mean(act, rulebase.sources.acts)}"
    section = parts["section"]
    if act != "FOA":
        return None
    if section and rulebase.foa_sections and section not in rulebase.foa_sections:
        return f"FOA has no § {section} (citation '{text}')"
    paragraph = parts["paragraph"]
    count = rulebase.foa_paragraphs.get(section or "")
    if paragraph and count is not None:
        if count == 0:
            return f"FOA § {section} has no numbered paragraphs; cite it without '({paragraph})'"
        if int(paragraph) > count:
            return f"FOA § {section} has {count} paragraphs; there is no ({paragraph})"
    annex = parts["annex"]
    if annex and rulebase.foa_annexes and annex not in rulebase.foa_annexes:
        return f"FOA has no vedlegg {annex} (citation '{text}')"
    return None


def url(text: str, rulebase: Any) -> str | None:
    parts = parse(text)
    if parts is None:
        return None
    act = rulebase.sources.acts.get(parts["act"])
    if act is None:
        return None
    if parts["section"] and act.section_url:
        return act.section_url.format(section=parts["section"])
    return act.url
