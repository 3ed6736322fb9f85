"""Imports follow the flow of design.md section 2 (Case and rule base → engine → Assessment →
assessor → saved records → web and CLI): no module imports one of a later layer, and no import
cycle, lazy imports inside functions included. A new module must be given its layer here."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "advisor"

#: The package's layers, first to last: a module may import its own layer and earlier ones.
#: A name stands for the module and everything under it; the most specific name wins.
LAYERS: list[tuple[str, set[str]]] = [
    (
        "foundation",
        {
            "advisor.settings",
            "advisor.case",
            "advisor.texts",
            "advisor.money",
            "advisor.validation",
        },
    ),
    ("rule base", {"advisor.rulebase", "advisor.samples"}),
    ("engine", {"advisor.engine"}),
    ("assessment", {"advisor.assessment"}),
    (
        "assessor and renderers",
        {
            "advisor.assessor",
            "advisor.explain",
            "advisor.vocabulary",
            "advisor.ruletests",
            "advisor.guidance",
            "advisor.screening",
        },
    ),
    (
        "saved records",
        {"advisor.state", "advisor.db", "advisor.records", "advisor.screening.store"},
    ),
    (
        "web",
        {
            "advisor.web",
            "advisor.security",
            "advisor.logs",
            "advisor.errors",
            "advisor.i18n",
            "advisor.health",
            "advisor.api",
            "advisor.wizard",
            "advisor.result",
            "advisor.explorer",
            "advisor.warmup",
            "advisor.screening.views",
        },
    ),
    ("entry points", {"advisor!", "advisor.cli", "advisor.impact"}),  # "!": that module only
]


def module_files(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, modules: set[str]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its source (also inside
    functions and ``TYPE_CHECKING`` blocks): ``from a import b`` is module ``a.b`` when there
    is one, else ``a``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {module for module in found if module in modules and module != name}


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    files = module_files(package)
    return {name: imports_of(name, path, set(files)) for name, path in files.items()}


def layer_of(module: str) -> int | None:
    """The index in ``LAYERS`` of the most specific name that covers ``module``."""
    matches = []
    for index, (_label, names) in enumerate(LAYERS):
        for entry in names:
            name = entry.rstrip("!")
            if module == name or (not entry.endswith("!") and module.startswith(name + ".")):
                matches.append((len(name), index))
    return max(matches)[1] if matches else None


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for module, imported in sorted(graph.items()):
        for other in sorted(imported):
            here, there = layer_of(module), layer_of(other)
            if here is not None and there is not None and there > here:
                problems.append(
                    f"{module} ({LAYERS[here][0]}) imports {other} ({LAYERS[there][0]})"
                )
    return problems


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in sorted(graph.get(module, ())):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_every_module_has_a_layer():
    unplaced = [module for module in import_graph() if layer_of(module) is None]
    assert unplaced == [], f"give these modules a layer in {__name__}.LAYERS: {unplaced}"


def test_no_module_imports_a_later_layer():
    assert upward_imports(import_graph()) == []


def test_no_import_cycle():
    assert cycles(import_graph()) == []


def test_the_checks_find_a_cycle_and_an_upward_import(tmp_path: Path):
    """The checks above can fail: a small package with both faults."""
    package = tmp_path / "advisor"
    (package / "rulebase").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "rulebase" / "__init__.py").write_text("from advisor.rulebase import loader\n")
    (package / "rulebase" / "loader.py").write_text(
        "def load():\n    from advisor.rulebase.validate import validate\n"
    )
    (package / "rulebase" / "validate.py").write_text("from .loader import load\n")
    (package / "case.py").write_text("from advisor import records\n")
    (package / "records.py").write_text("import advisor.case\n")
    graph = import_graph(package)
    assert graph["advisor.rulebase"] == {"advisor.rulebase.loader"}
    assert cycles(graph) == [
        ["advisor.case", "advisor.records"],
        ["advisor.rulebase.loader", "advisor.rulebase.validate"],
    ]
    assert upward_imports(graph) == [
        "advisor.case (foundation) imports advisor.records (saved records)"
    ]
