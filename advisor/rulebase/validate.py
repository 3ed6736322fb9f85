"""Semantic checks of a loaded rule base: every problem as ``path:line:col: message``."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import ValidationError

from advisor.case import NORMALISED_FACTS, Case
from advisor.rulebase import citations, conditions
from advisor.rulebase.compiler import PLACEHOLDER, breakpoints, derived_order, parameter_value
from advisor.rulebase.loader import RuleBase
from advisor.rulebase.schema import Status
from advisor.rulebase.yamlsrc import Located, SourceError


def known_facts(rulebase: RuleBase) -> dict[str, str]:
    facts = {name: spec.type for name, spec in rulebase.facts.inputs.items()}
    facts.update({name: spec.type for name, spec in rulebase.facts.normalised.items()})
    facts.update({name: spec.type for name, spec in rulebase.facts.derived.items()})
    return facts


def _fact_values(rulebase: RuleBase, fact: str) -> set[str] | None:
    spec = rulebase.facts.inputs.get(fact) or rulebase.facts.derived.get(fact)
    if spec is None or not spec.values:
        return None
    return set(spec.values)


def _check_condition(
    node: conditions.Node,
    located: Located,
    rulebase: RuleBase,
    errors: list[SourceError],
    first_use: Any,
) -> None:
    facts = known_facts(rulebase)
    for leaf in conditions.leaves(node):
        if leaf.fact not in facts:
            hint = conditions.did_you_mean(leaf.fact, facts)
            # point at the fact's name: the leaf's path may end in its operator ({gte: ...})
            key = leaf.path if leaf.path[-1:] == (leaf.fact,) else leaf.path[:-1]
            errors.append(located.key_error(key, f"unknown fact '{leaf.fact}'{hint}"))
            continue
        kind = facts[leaf.fact]
        operands = leaf.operand if isinstance(leaf.operand, tuple) else (leaf.operand,)
        if leaf.op in ("in_table", "not_in_table"):
            if leaf.operand not in rulebase.tables:
                hint = conditions.did_you_mean(str(leaf.operand), rulebase.tables)
                errors.append(located.error(leaf.path, f"unknown table '{leaf.operand}'{hint}"))
            continue
        if leaf.op == "known":
            continue
        allowed = _fact_values(rulebase, leaf.fact)
        for operand in operands:
            if isinstance(operand, conditions.ParamRef):
                if operand.name not in rulebase.parameters:
                    hint = conditions.did_you_mean(operand.name, rulebase.parameters)
                    errors.append(
                        located.error(leaf.path, f"unknown parameter '{operand.name}'{hint}")
                    )
                elif first_use is not None and not parameter_value(
                    rulebase.parameters[operand.name], operand.name, first_use
                ):
                    errors.append(
                        located.error(
                            leaf.path,
                            f"parameter '{operand.name}' has no value on {first_use} "
                            "although the rule applies from then",
                        )
                    )
                continue
            if (
                allowed is not None
                and str(operand).lower() not in {v.lower() for v in allowed}
                and not isinstance(operand, bool)
            ):
                hint = conditions.did_you_mean(str(operand), allowed)
                errors.append(
                    located.error(leaf.path, f"'{operand}' is not a value of '{leaf.fact}'{hint}")
                )
            if (
                kind in ("amount", "number")
                and leaf.op in conditions.COMPARISONS[2:]
                and (not isinstance(operand, (int, float)) or isinstance(operand, bool))
            ):
                errors.append(located.error(leaf.path, f"'{leaf.fact}' compares with numbers"))
            if kind == "bool" and not isinstance(operand, bool):
                errors.append(located.error(leaf.path, f"'{leaf.fact}' is true or false"))


def _check_citations(
    items: list[str], located: Located, path: tuple, rulebase: RuleBase, errors: list
) -> None:
    for index, text in enumerate(items):
        problem = citations.problem(text, rulebase)
        if problem:
            errors.append(located.error((*path, index), problem))


#: The Case's fields that are not facts the rules read (the pages name them themselves).
NOT_FACTS = frozenset({"title", "law_as_of"})


def _check_fact_words(rulebase: RuleBase, located: Located) -> list[SourceError]:
    """Every answer of the Case has its words (the pages, the PDF and the API name answers
    only from here), every answer a user can leave as "vet ikke" says what to find out, and
    the facts the Case adds to the answers (``NORMALISED_FACTS``) have their words too."""
    errors = []
    for name in Case.model_fields.keys() - rulebase.facts.inputs.keys() - NOT_FACTS:
        errors.append(
            located.error(
                ("inputs",), f"the Case's '{name}' needs its words here (label, title, type)"
            )
        )
    for name, spec in rulebase.facts.inputs.items():
        if spec.values and "unknown" in spec.values and spec.find_out is None:
            errors.append(
                located.key_error(
                    ("inputs", name),
                    f"'{name}' can be answered \"vet ikke\" (unknown): give 'find_out' "
                    "{nb, en}, what to find out then",
                )
            )
    normalised = rulebase.facts.normalised
    for name, kind in NORMALISED_FACTS.items():
        if name not in normalised:
            errors.append(
                located.error((), f"missing 'normalised' fact '{name}' (the Case adds it)")
            )
        elif normalised[name].type != kind:
            errors.append(
                located.error(("normalised", name, "type"), f"'{name}' is of type {kind}")
            )
    for name in normalised.keys() - NORMALISED_FACTS.keys():
        errors.append(
            located.key_error(
                ("normalised", name), f"'{name}' is not a fact the Case adds to the answers"
            )
        )
    return errors


def _status_problems(loaded: Any, rulebase: RuleBase) -> list[SourceError]:
    """``approved`` needs a lawyer's ``reviewed``; ``checked`` needs ``checked`` naming known
    source texts; a ``draft`` says why in ``note`` and is not ``checked``."""
    rule = loaded.rule
    base = (loaded.index,)
    errors = []
    if rule.status == Status.approved and rule.reviewed is None:
        errors.append(
            loaded.located.error(
                (*base, "status"), "an approved rule needs 'reviewed: {by: ..., on: ...}'"
            )
        )
    if rule.status == Status.checked and rule.checked is None:
        errors.append(
            loaded.located.error(
                (*base, "status"),
                "a checked rule needs 'checked: {by: ..., on: ..., against: [source id]}'",
            )
        )
    if rule.status == Status.draft and not rule.note:
        errors.append(
            loaded.located.error((*base, "status"), "a draft rule needs a 'note' saying why")
        )
    if rule.status == Status.draft and rule.checked is not None:
        errors.append(
            loaded.located.error(
                (*base, "checked"),
                "a draft rule is not checked: remove 'checked' or set 'status: checked'",
            )
        )
    if rule.checked is not None:
        known = {**rulebase.sources.documents, **rulebase.sources.acts}
        for index, source in enumerate(rule.checked.against):
            if source not in known:
                hint = conditions.did_you_mean(source, known)
                errors.append(
                    loaded.located.error(
                        (*base, "checked", "against", index),
                        f"unknown source text '{source}'{hint} (an id in sources.yaml)",
                    )
                )
    return errors


def _change_problems(loaded: Any, start: Any) -> list[SourceError]:
    """Change notes in both languages, one per date; a rule that starts after the rule base
    does has a note dated the day it starts."""
    rule = loaded.rule
    base = (loaded.index,)
    errors = []
    dates = Counter(change.on for change in rule.changes)
    for index, change in enumerate(rule.changes):
        path = (*base, "changes", index)
        if not change.nb.strip() or not change.en.strip():
            errors.append(loaded.located.error(path, "give the change note in both nb and en"))
        if change.on < start:
            errors.append(loaded.located.error((*path, "on"), f"the rule base starts {start}"))
        if dates[change.on] > 1:
            errors.append(
                loaded.located.error((*path, "on"), f"two change notes dated {change.on}")
            )
    if rule.valid_from and rule.valid_from > start and rule.valid_from not in dates:
        errors.append(
            loaded.located.key_error(
                (*base, "valid_from"),
                f"the rule starts {rule.valid_from}: add a change note "
                f"('changes: [{{on: {rule.valid_from}, kind: law, nb: ..., en: ...}}]')",
            )
        )
    return errors


def _value_change_problems(
    name: str, parameter: Any, located: Located, start: Any
) -> list[SourceError]:
    """Every value after the rule base's first date says what it changes, in nb and en."""
    errors = []
    for day, value in sorted(parameter.values.items()):
        if day <= start:
            continue
        path = (name, "values", day)
        if value.change is None:
            errors.append(
                located.key_error(
                    path,
                    f"the value from {day} needs a change note "
                    "('change: {nb: ..., en: ...}': what it changes for a buyer)",
                )
            )
        elif not value.change.nb.strip() or not value.change.en.strip():
            errors.append(located.error((*path, "change"), "give the change note in nb and en"))
    return errors


def validate(rulebase: RuleBase) -> list[SourceError]:
    errors: list[SourceError] = []
    case_fields = Case.model_fields

    facts_file = rulebase.root / "facts.yaml"
    facts_located = next(iter(rulebase.derived_cases.values()), [None])
    facts_loc = facts_located[0].located if facts_located and facts_located[0] else None
    if facts_loc is None:
        facts_loc = Located(str(facts_file))
    for name in rulebase.facts.inputs:
        if name not in case_fields:
            hint = conditions.did_you_mean(name, case_fields)
            errors.append(
                facts_loc.error(("inputs", name), f"input fact '{name}' is not a Case field{hint}")
            )
    errors += _check_fact_words(rulebase, facts_loc)

    try:
        order = derived_order(rulebase)
    except ValueError as cycle:
        errors.append(facts_loc.error(("derived",), f"derived facts depend on each other: {cycle}"))
        order = []
    del order

    start = min(period.from_ for period in rulebase.ruleset.law_periods)
    for name, cases in rulebase.derived_cases.items():
        if not cases or not cases[-1].case.otherwise:
            errors.append(
                facts_loc.key_error(
                    ("derived", name, "cases"),
                    f"the cases of '{name}' must end with 'otherwise: true'",
                )
            )
        values = rulebase.facts.derived[name].values
        for loaded in cases:
            _check_condition(loaded.condition, loaded.located, rulebase, errors, start)
            if values is not None and str(loaded.case.value) not in values:
                errors.append(
                    loaded.located.error(
                        (*loaded.path, "value"),
                        f"'{loaded.case.value}' is not a value of '{name}'",
                    )
                )
            _check_citations(
                loaded.case.legal_basis,
                loaded.located,
                (*loaded.path, "legal_basis"),
                rulebase,
                errors,
            )
            if loaded.case.otherwise and loaded is not cases[-1]:
                errors.append(
                    loaded.located.error(loaded.path, "'otherwise' must be the last case")
                )

    ids = Counter(loaded.id for loaded in rulebase.rules)
    ids.update(c.case.id for cases in rulebase.derived_cases.values() for c in cases)
    # A derived fact's case is found by its id (the trail, `derived_by`, the explanations), so
    # case ids must be unique too, across all derived facts.
    for cases in rulebase.derived_cases.values():
        for loaded in cases:
            if ids[loaded.case.id] > 1:
                errors.append(
                    loaded.located.error(
                        (*loaded.path, "id"), f"duplicate case id '{loaded.case.id}'"
                    )
                )
    catalog = {
        "route": rulebase.catalog.routes,
        "obligation": rulebase.catalog.obligations,
        "warning": rulebase.catalog.warnings,
    }
    for loaded in rulebase.rules:
        rule = loaded.rule
        base = (loaded.index,)
        if ids[rule.id] > 1:
            errors.append(loaded.located.error((*base, "id"), f"duplicate rule id '{rule.id}'"))
        entries = catalog[rule.then.kind]
        if rule.then.code not in entries:
            hint = conditions.did_you_mean(rule.then.code, entries)
            errors.append(
                loaded.located.error(
                    (*base, "then", rule.then.kind),
                    f"unknown {rule.then.kind} '{rule.then.code}'{hint} (add it to catalog.yaml)",
                )
            )
        if rule.valid_from and rule.valid_to and rule.valid_to < rule.valid_from:
            errors.append(
                loaded.located.error((*base, "valid_to"), "valid_to is before valid_from")
            )
        first_use = max(start, rule.valid_from) if rule.valid_from else start
        _check_condition(loaded.condition, loaded.located, rulebase, errors, first_use)
        _check_citations(rule.legal_basis, loaded.located, (*base, "legal_basis"), rulebase, errors)
        for index, source in enumerate(rule.sources):
            if source not in rulebase.sources.documents:
                hint = conditions.did_you_mean(source, rulebase.sources.documents)
                errors.append(
                    loaded.located.error(
                        (*base, "sources", index), f"unknown source document '{source}'{hint}"
                    )
                )
        for kind in rule.texts:
            if rulebase.catalog.text_kinds and kind not in rulebase.catalog.text_kinds:
                hint = conditions.did_you_mean(kind, rulebase.catalog.text_kinds)
                errors.append(
                    loaded.located.error(
                        (*base, "texts", kind), f"unknown text kind '{kind}'{hint}"
                    )
                )
        errors.extend(_status_problems(loaded, rulebase))
        errors.extend(_change_problems(loaded, start))
        for field_name in ("title", "explain"):
            text = getattr(rule, field_name)
            if not text.nb.strip() or not text.en.strip():
                errors.append(
                    loaded.located.error((*base, field_name), "give the text in both nb and en")
                )
        texts = [((*base, "explain"), rule.explain)]
        texts += [((*base, "steps", i), step) for i, step in enumerate(rule.steps)]
        texts += [((*base, "texts", kind), text) for kind, text in rule.texts.items()]
        for path, text in texts:
            for name in PLACEHOLDER.findall(text.nb + " " + text.en):
                if name not in rulebase.parameters:
                    hint = conditions.did_you_mean(name, rulebase.parameters)
                    errors.append(
                        loaded.located.error(path, f"unknown parameter '{{{name}}}' in text{hint}")
                    )

    for name, parameter in rulebase.parameters.items():
        located, _ = rulebase.parameter_files[name]
        _check_citations(parameter.legal_basis, located, (name, "legal_basis"), rulebase, errors)
        if not parameter.values:  # a scale_of whose base is unknown (reported by the loader)
            continue
        if parameter.scale_of is None:
            errors.extend(_value_change_problems(name, parameter, located, start))
        if min(parameter.values) > start:
            errors.append(
                located.error(
                    (name, "values"),
                    f"parameter '{name}' starts {min(parameter.values)}, after the rule base "
                    f"starts ({start}); give a value from {start}",
                )
            )

    for loaded_test in rulebase.tests:
        test = loaded_test.test
        base = (loaded_test.index,)
        try:
            Case.model_validate(
                {**test.case, **({"law_as_of": test.law_as_of} if test.law_as_of else {})}
            )
        except ValidationError as exc:
            for error in exc.errors():
                errors.append(
                    loaded_test.located.error(
                        (*base, "case", *error["loc"]), f"invalid case: {error['msg']}"
                    )
                )
        expect = test.expect
        for kind, expected in (
            ("route", expect.routes),
            ("obligation", expect.obligations),
            ("warning", expect.warnings),
        ):
            for code in expected:
                if code not in catalog[kind]:
                    hint = conditions.did_you_mean(code, catalog[kind])
                    errors.append(
                        loaded_test.located.error(
                            (*base, "expect", kind + "s", code), f"unknown {kind} '{code}'{hint}"
                        )
                    )
        regime_values = _fact_values(rulebase, "regime")
        if expect.regime and regime_values is not None and expect.regime not in regime_values:
            errors.append(
                loaded_test.located.error(
                    (*base, "expect", "regime"), f"unknown regime '{expect.regime}'"
                )
            )
        if test.law_as_of and test.law_as_of < start:
            errors.append(
                loaded_test.located.error((*base, "law_as_of"), f"the rule base starts {start}")
            )

    if not breakpoints(rulebase):
        errors.append(SourceError(str(rulebase.root / "ruleset.yaml"), 1, 1, "no law periods"))

    if rulebase.questions is not None:
        try:
            from advisor.rulebase import questions_check
        except ImportError:  # the decision-tree checks arrive with the wizard
            pass
        else:
            errors.extend(questions_check.check(rulebase))
    return errors
