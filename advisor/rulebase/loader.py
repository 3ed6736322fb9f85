"""Read a rule-base folder (``rules/<jurisdiction>/``) into a ``RuleBase``.

Every problem is collected with its file, line and column; ``RuleBaseInvalid`` carries them all.
``advisor.rulebase.load_rulebase`` reads and then validates (``advisor.rulebase.validate``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from advisor.rulebase import conditions
from advisor.rulebase.schema import (
    CatalogFile,
    DerivedCase,
    FactsFile,
    Parameter,
    ParameterValue,
    Rule,
    RulesetFile,
    SourcesFile,
    TestCase,
)
from advisor.rulebase.tables import load_cpv_table
from advisor.rulebase.yamlsrc import Located, SourceError, load_yaml

RESERVED_FILES = {"ruleset.yaml", "sources.yaml", "facts.yaml", "catalog.yaml", "questions.yaml"}
Model = TypeVar("Model", bound=BaseModel)


class RuleBaseInvalid(Exception):
    """The rule base has errors; ``messages`` are ``path:line:col: message`` lines."""

    def __init__(self, errors: list[SourceError]) -> None:
        self.errors = sorted(set(errors), key=lambda e: (e.file, e.line, e.column, e.message))
        self.messages = [str(error) for error in self.errors]
        super().__init__("\n".join(self.messages))


@dataclass
class LoadedRule:
    rule: Rule
    condition: conditions.Node
    located: Located
    index: int

    @property
    def id(self) -> str:
        return self.rule.id


@dataclass
class LoadedCase:
    fact: str
    case: DerivedCase
    condition: conditions.Node
    located: Located
    path: tuple[Any, ...]


@dataclass
class LoadedTest:
    test: TestCase
    located: Located
    index: int


@dataclass
class RuleBase:
    root: Path
    version: str
    ruleset: RulesetFile
    sources: SourcesFile
    facts: FactsFile
    catalog: CatalogFile
    parameters: dict[str, Parameter]
    parameter_files: dict[str, tuple[Located, str]]
    rules: list[LoadedRule]
    derived_cases: dict[str, list[LoadedCase]]
    tables: dict[str, conditions.Ranges]
    tests: list[LoadedTest]
    foa_sections: dict[str, str] = field(default_factory=dict)
    foa_paragraphs: dict[str, int] = field(default_factory=dict)
    foa_annexes: dict[str, str] = field(default_factory=dict)
    git_describe: str | None = None
    questions: Any = None
    questions_located: Located | None = None

    @property
    def jurisdiction(self) -> str:
        return self.ruleset.jurisdiction

    def rule(self, rule_id: str) -> LoadedRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def fact_label(self, name: str) -> Any:
        """The fact's label as used in sentences (``facts.yaml``), or ``None``."""
        spec = (
            self.facts.inputs.get(name)
            or self.facts.normalised.get(name)
            or self.facts.derived.get(name)
        )
        return spec.label if spec is not None else None

    def value_label(self, fact: str, value: Any) -> Any:
        spec = self.facts.inputs.get(fact) or self.facts.derived.get(fact)
        if spec is not None and spec.values and str(value) in spec.values:
            return spec.values[str(value)]
        return None

    def law_period(self, date: dt.date) -> Any:
        periods = sorted(self.ruleset.law_periods, key=lambda p: p.from_)
        current = None
        for period in periods:
            if period.from_ <= date:
                current = period
        return current


def content_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def git_describe(root: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _validate(model: type[Model], data: Any, located: Located, base: tuple = ()) -> Model:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _validation_errors(exc, located, base) from None


class _Errors(Exception):
    def __init__(self, errors: list[SourceError]) -> None:
        self.errors = errors


def _validation_errors(exc: ValidationError, located: Located, base: tuple) -> _Errors:
    errors = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if part not in ("function-after",))
        # pydantic adds the union member name or 'list[...]' to loc; keep only real keys
        loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p in ("bool",))))
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = f"unknown key '{loc[-1]}'" if loc else "unknown key"
            errors.append(located.key_error((*base, *loc), message))
            continue
        if error["type"] == "missing":
            message = f"missing required key '{loc[-1]}'" if loc else "missing key"
        elif loc:
            message = f"'{'.'.join(str(p) for p in loc)}': {message}"
        errors.append(located.error((*base, *loc), message))
    return _Errors(errors)


def read_rulebase(root: Path | str) -> RuleBase:
    """Read and parse the rule base in ``root``; raise ``RuleBaseInvalid`` with every problem
    found in its files. Whether the parts fit together is ``advisor.rulebase.validate``'s."""
    root = Path(root)
    errors: list[SourceError] = []
    if not root.is_dir():
        raise RuleBaseInvalid([SourceError(str(root), 1, 1, "rule-base folder not found")])

    def read(path: Path) -> tuple[Any, Located] | None:
        try:
            return load_yaml(path, _display(path, root))
        except SourceError as error:
            errors.append(error)
            return None

    def read_list(path: Path, expected: str) -> tuple[list[Any], Located] | None:
        """A file that holds a list (rules, test cases); None when empty or unreadable."""
        loaded = read(path)
        if loaded is None or loaded[0] is None:
            return None
        data, located = loaded
        if not isinstance(data, list):
            errors.append(located.error((), expected))
            return None
        return data, located

    def single(name: str, model: type[Model]) -> tuple[Model | None, Located | None]:
        path = root / name
        if not path.is_file():
            errors.append(SourceError(_display(path, root), 1, 1, f"missing file {name}"))
            return None, None
        loaded = read(path)
        if loaded is None:
            return None, None
        data, located = loaded
        try:
            return _validate(model, data, located), located
        except _Errors as exc:
            errors.extend(exc.errors)
            return None, located

    ruleset, _ = single("ruleset.yaml", RulesetFile)
    sources, _ = single("sources.yaml", SourcesFile)
    facts, facts_located = single("facts.yaml", FactsFile)
    catalog, _ = single("catalog.yaml", CatalogFile)

    parameters: dict[str, Parameter] = {}
    parameter_files: dict[str, tuple[Located, str]] = {}
    for path in sorted((root / "parameters").glob("*.yaml")):
        loaded = read(path)
        if loaded is None:
            continue
        data, located = loaded
        if not isinstance(data, dict):
            errors.append(located.error((), "a parameter file is a mapping of name: parameter"))
            continue
        for name, raw in data.items():
            if name in parameters:
                errors.append(located.error((name,), f"duplicate parameter '{name}'"))
                continue
            try:
                parameters[name] = _validate(Parameter, raw, located, (name,))
                parameter_files[name] = (located, name)
            except _Errors as exc:
                errors.extend(exc.errors)

    for name, parameter in parameters.items():
        if parameter.scale_of is None:
            continue
        located, _ = parameter_files[name]
        base = parameters.get(parameter.scale_of.parameter)
        if base is None or base.scale_of is not None:
            hint = conditions.did_you_mean(parameter.scale_of.parameter, parameters)
            errors.append(
                located.error(
                    (name, "scale_of", "parameter"),
                    f"'{parameter.scale_of.parameter}' is not a parameter with values{hint}",
                )
            )
            continue
        factor = parameter.scale_of.factor
        parameter.values = {
            day: ParameterValue(value=round(value.value * factor), status=value.status)
            for day, value in base.values.items()
        }

    rules: list[LoadedRule] = []
    rule_files = sorted(p for p in root.glob("*.yaml") if p.name not in RESERVED_FILES)
    for path in rule_files:
        listed = read_list(path, "a rule file is a list of rules (- id: ...)")
        if listed is None:
            continue
        data, located = listed
        for index, raw in enumerate(data):
            try:
                rule = _validate(Rule, raw, located, (index,))
                condition = conditions.parse(rule.when, (index, "when"), located)
                rules.append(LoadedRule(rule, condition, located, index))
            except _Errors as exc:
                errors.extend(exc.errors)
            except SourceError as error:
                errors.append(error)

    derived_cases: dict[str, list[LoadedCase]] = {}
    if facts is not None and facts_located is not None:
        for name, derived in facts.derived.items():
            derived_cases[name] = []
            for index, case in enumerate(derived.cases):
                path = ("derived", name, "cases", index)
                try:
                    condition = (
                        conditions.TRUE
                        if case.otherwise
                        else conditions.parse(case.when, (*path, "when"), facts_located)
                    )
                except SourceError as error:
                    errors.append(error)
                    continue
                derived_cases[name].append(LoadedCase(name, case, condition, facts_located, path))

    tables: dict[str, conditions.Ranges] = {}
    if facts is not None and facts_located is not None:
        for name, table in facts.tables.items():
            try:
                tables[name] = load_cpv_table(root / table.file, _display(root / table.file, root))
            except SourceError as error:
                errors.append(error)
            except OSError:
                errors.append(
                    facts_located.error(("tables", name, "file"), f"cannot read '{table.file}'")
                )

    tests: list[LoadedTest] = []
    for path in sorted((root / "tests").glob("*.yaml")):
        listed = read_list(path, "a test file is a list of cases (- name: ...)")
        if listed is None:
            continue
        data, located = listed
        for index, raw in enumerate(data):
            try:
                tests.append(
                    LoadedTest(_validate(TestCase, raw, located, (index,)), located, index)
                )
            except _Errors as exc:
                errors.extend(exc.errors)

    foa_sections: dict[str, str] = {}
    foa_paragraphs: dict[str, int] = {}
    foa_annexes: dict[str, str] = {}
    sections_file = root / "data" / "foa-sections.yaml"
    if sections_file.is_file():
        loaded = read(sections_file)
        if loaded and isinstance(loaded[0], dict):
            raw = loaded[0]
            sections = raw.get("sections", raw)
            if isinstance(sections, dict):
                foa_sections = {str(k): str(v) for k, v in sections.items()}
            if isinstance(raw.get("paragraphs"), dict):
                foa_paragraphs = {str(k): int(v) for k, v in raw["paragraphs"].items()}
            if isinstance(raw.get("annexes"), dict):
                foa_annexes = {str(k): str(v) for k, v in raw["annexes"].items()}

    questions = None
    questions_located = None
    if (root / "questions.yaml").is_file():
        loaded = read(root / "questions.yaml")
        if loaded:
            questions, questions_located = loaded

    if errors or None in (ruleset, sources, facts, catalog):
        raise RuleBaseInvalid(errors)

    assert ruleset and sources and facts and catalog
    return RuleBase(
        root=root,
        version=content_hash(root),
        ruleset=ruleset,
        sources=sources,
        facts=facts,
        catalog=catalog,
        parameters=parameters,
        parameter_files=parameter_files,
        rules=rules,
        derived_cases=derived_cases,
        tables=tables,
        tests=tests,
        foa_sections=foa_sections,
        foa_paragraphs=foa_paragraphs,
        foa_annexes=foa_annexes,
        git_describe=git_describe(root),
        questions=questions,
        questions_located=questions_located,
    )
