"""The rules explorer: what a lawyer reviews (read-only).

| URL | what |
|---|---|
| ``GET /regler`` | every rule, derived fact and parameter; filter by ``status``, ``kind``, search ``q`` |
| ``GET /regler/<rule_id>`` | one rule (or one case of a derived fact) on its own page |

Each rule shows its plain-language condition (worded by ``advisor.explain.Wording``), its legal
basis with Lovdata links, status (drafts clearly marked), review, validity dates and the rule
base's test cases where it fires and where it stays silent. Parameters show every dated value.
Filtering and search are a GET form: no JavaScript.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, render_template, request

from advisor.assessment import Citation, LocalText
from advisor.explain import Wording, flatten
from advisor.i18n import current_language
from advisor.rulebase import citations
from advisor.rulebase.loader import RuleBase
from advisor.ruletests import run_tests
from advisor.state import current_state

bp = Blueprint("explorer", __name__, url_prefix="/regler")

STATUSES = ("draft", "checked", "approved", "retired")
KINDS = ("route", "obligation", "warning", "derive")
MAX_QUERY = 200


@dataclass
class TestRef:
    name: str
    where: str


@dataclass
class Entry:
    """One rule, or one case of a derived fact, ready to render."""

    id: str
    kind: str  # route | obligation | warning | derive
    code: str  # route/obligation/warning code, or the derived fact's name
    title: LocalText
    conclusion: LocalText
    status: str
    condition: dict[str, dict[str, Any]]  # lang -> worded tree
    legal_basis: list[Citation]
    explain: LocalText | None
    where: str  # file:line
    reviewed_by: str | None = None
    reviewed_on: dt.date | None = None
    checked_by: str | None = None
    checked_on: dt.date | None = None
    checked_against: list[dict[str, str]] = field(default_factory=list)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str | None = None
    sources: list[dict[str, str]] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)
    fires_in: list[TestRef] = field(default_factory=list)
    silent_in: list[TestRef] = field(default_factory=list)
    search: str = ""  # lower-case text the search looks in

    @property
    def draft(self) -> bool:
        return self.status == "draft"


@dataclass
class ParameterValueView:
    valid_from: dt.date
    value: Any
    status: str
    note: str | None

    @property
    def draft(self) -> bool:
        return self.status == "draft"


@dataclass
class ParameterView:
    name: str
    label: LocalText
    unit: str
    legal_basis: list[Citation]
    source: str | None
    note: str | None
    values: list[ParameterValueView]
    used_by: list[str]
    where: str
    search: str = ""


@dataclass
class Catalogue:
    version: str
    entries: list[Entry]
    parameters: list[ParameterView]
    tests: int


_cache: dict[str, Catalogue] = {}
_cache_lock = threading.Lock()


def _cite(items: list[str], rulebase: RuleBase) -> list[Citation]:
    return [Citation(text=item, url=citations.url(item, rulebase)) for item in dict.fromkeys(items)]


def _source_links(ids: list[str], rulebase: RuleBase) -> list[dict[str, str]]:
    """Titles and links of source texts named by id (a document or an act of sources.yaml)."""
    links = []
    for source in ids:
        if source in rulebase.sources.documents:
            document = rulebase.sources.documents[source]
            links.append({"title": document.title, "url": document.url})
        elif source in rulebase.sources.acts:
            act = rulebase.sources.acts[source]
            links.append({"title": act.name.nb, "url": act.url})
    return links


def _where(located: Any, path: tuple) -> str:
    line, _ = located.at(path)
    return f"{located.file}:{line}"


def build(rulebase: RuleBase, assessor: Any) -> Catalogue:
    """Everything the explorer shows for one rule base (built once per version)."""
    wording = Wording(rulebase)
    fires: dict[str, list[TestRef]] = {}
    silent: dict[str, list[TestRef]] = {}
    for result in run_tests(assessor, engine="plain"):
        if result.outcome is None:
            continue
        ref = TestRef(result.name, result.where)
        fired = set(result.outcome.fired) | set(result.outcome.derived_by.values())
        period = assessor.period_for(result.test.test.law_as_of or dt.date.today())
        active = {r.id for r in period.rules} | {
            c.id for cases in period.decisions.values() for c in cases
        }
        for rule_id in active:
            (fires if rule_id in fired else silent).setdefault(rule_id, []).append(ref)

    def worded(node: Any) -> dict[str, dict[str, Any]]:
        return {lang: wording.tree(node, lang) for lang in ("nb", "en")}

    def params_of(node: Any) -> list[str]:
        from advisor.rulebase.conditions import params_of as names

        return sorted(names(node))

    catalog = {
        "route": rulebase.catalog.routes,
        "obligation": rulebase.catalog.obligations,
        "warning": rulebase.catalog.warnings,
    }
    entries: list[Entry] = []
    for name in rulebase.derived_cases:
        spec = rulebase.facts.derived[name]
        for loaded in rulebase.derived_cases[name]:
            case = loaded.case
            value = rulebase.value_label(name, case.value) or LocalText(
                nb=str(case.value), en=str(case.value)
            )
            entries.append(
                Entry(
                    id=case.id,
                    kind="derive",
                    code=name,
                    title=LocalText(
                        nb=f"{spec.label.nb}: {value.nb}", en=f"{spec.label.en}: {value.en}"
                    ),
                    conclusion=LocalText(
                        nb=f"{spec.label.nb} = {value.nb}", en=f"{spec.label.en} = {value.en}"
                    ),
                    status=case.status.value,
                    condition=worded(loaded.condition),
                    legal_basis=_cite(case.legal_basis, rulebase),
                    explain=case.explain,
                    where=_where(loaded.located, (*loaded.path, "id")),
                    note=case.note,
                    parameters=params_of(loaded.condition),
                    fires_in=fires.get(case.id, []),
                    silent_in=silent.get(case.id, []),
                )
            )
    for loaded in rulebase.rules:
        rule = loaded.rule
        kind, code = rule.then.kind, rule.then.code
        entry = catalog[kind].get(code)
        code_title = entry.title if entry else LocalText(nb=code, en=code)
        if kind == "route":
            conclusion = LocalText(
                nb=f"{'åpner' if rule.then.available else 'stenger'}: {code_title.nb}",
                en=f"{'opens' if rule.then.available else 'closes'}: {code_title.en}",
            )
        else:
            word = {"obligation": ("plikt", "obligation"), "warning": ("advarsel", "warning")}[kind]
            conclusion = LocalText(
                nb=f"{word[0]}: {code_title.nb}", en=f"{word[1]}: {code_title.en}"
            )
        documents = rulebase.sources.documents
        entries.append(
            Entry(
                id=rule.id,
                kind=kind,
                code=code,
                title=rule.title,
                conclusion=conclusion,
                status=rule.status.value,
                condition=worded(loaded.condition),
                legal_basis=_cite(rule.legal_basis, rulebase),
                explain=rule.explain,
                where=_where(loaded.located, (loaded.index, "id")),
                reviewed_by=rule.reviewed.by if rule.reviewed else None,
                reviewed_on=rule.reviewed.on if rule.reviewed else None,
                checked_by=rule.checked.by if rule.checked else None,
                checked_on=rule.checked.on if rule.checked else None,
                checked_against=_source_links(rule.checked.against, rulebase)
                if rule.checked
                else [],
                valid_from=rule.valid_from,
                valid_to=rule.valid_to,
                note=rule.note,
                sources=[
                    {"title": documents[s].title, "url": documents[s].url}
                    for s in rule.sources
                    if s in documents
                ],
                parameters=params_of(loaded.condition),
                fires_in=fires.get(rule.id, []),
                silent_in=silent.get(rule.id, []),
            )
        )
    for entry in entries:
        parts = [
            entry.id,
            entry.code,
            entry.title.nb,
            entry.title.en,
            entry.conclusion.nb,
            entry.conclusion.en,
            *(c.text for c in entry.legal_basis),
            entry.note or "",
            entry.explain.nb if entry.explain else "",
            entry.explain.en if entry.explain else "",
            flatten(entry.condition["nb"]),
            flatten(entry.condition["en"]),
            *entry.parameters,
        ]
        entry.search = " ".join(parts).lower()

    used_by: dict[str, list[str]] = {}
    for entry in entries:
        for name in entry.parameters:
            used_by.setdefault(name, []).append(entry.id)
    parameters = []
    for name, parameter in rulebase.parameters.items():
        located, _ = rulebase.parameter_files[name]
        values = [
            ParameterValueView(day, item.value, item.status.value, item.note)
            for day, item in sorted(parameter.values.items())
        ]
        view = ParameterView(
            name=name,
            label=parameter.label,
            unit=parameter.unit,
            legal_basis=_cite(parameter.legal_basis, rulebase),
            source=parameter.source,
            note=parameter.note,
            values=values,
            used_by=used_by.get(name, []),
            where=_where(located, (name,)),
        )
        view.search = " ".join(
            [name, parameter.label.nb, parameter.label.en, *parameter.legal_basis, *view.used_by]
        ).lower()
        parameters.append(view)
    return Catalogue(rulebase.version, entries, parameters, len(rulebase.tests))


def catalogue() -> Catalogue:
    state = current_state()
    key = f"{state.rulebase.root}:{state.rulebase.version}"
    with _cache_lock:
        found = _cache.get(key)
    if found is None:
        found = build(state.rulebase, state.assessor)
        with _cache_lock:
            _cache[key] = found
    return found


def _filters() -> dict[str, str]:
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    query = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
    return {
        "status": status if status in STATUSES else "",
        "kind": kind if kind in KINDS else "",
        "q": query,
    }


@bp.get("")
def index() -> str:
    data = catalogue()
    chosen = _filters()
    words = chosen["q"].lower().split()
    entries = [
        entry
        for entry in data.entries
        if (not chosen["status"] or entry.status == chosen["status"])
        and (not chosen["kind"] or entry.kind == chosen["kind"])
        and all(word in entry.search for word in words)
    ]
    parameters = [
        p
        for p in data.parameters
        if not chosen["kind"] and not chosen["status"] and all(w in p.search for w in words)
    ]
    counts = {status: sum(1 for e in data.entries if e.status == status) for status in STATUSES}
    return render_template(
        "rules/index.html",
        entries=entries,
        parameters=parameters,
        chosen=chosen,
        counts=counts,
        total=len(data.entries),
        data=data,
        lang=current_language(),
        rulebase=current_state().rulebase,
        statuses=STATUSES,
        kinds=KINDS,
        filtered=any(chosen.values()),
    )


@bp.get("/<rule_id>")
def show(rule_id: str) -> str:
    data = catalogue()
    entry = next((e for e in data.entries if e.id == rule_id), None)
    if entry is None:
        abort(404)
    parameters = [p for p in data.parameters if p.name in entry.parameters]
    return render_template(
        "rules/show.html",
        entry=entry,
        parameters=parameters,
        data=data,
        lang=current_language(),
        rulebase=current_state().rulebase,
    )


def clear_cache() -> None:
    """Forget built catalogues (tests; a reloaded rule base gets a new key anyway)."""
    with _cache_lock:
        _cache.clear()
