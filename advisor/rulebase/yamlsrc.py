"""Read YAML while keeping the line and column of every value, for error messages.

``load_yaml(path)`` returns ``(data, positions)`` where ``positions`` maps a path of keys and
list indexes (the same shape as pydantic's error ``loc``) to a 1-based ``(line, column)``.

Parsing uses libyaml (PyYAML's C parser, part of every PyYAML wheel): its nodes carry the same
line and column marks as the pure-Python parser's, counted in characters, and it parses the rule
base many times faster (start-up and the tests read it often). Syntax errors therefore carry libyaml's wording ("mapping values are
not allowed in this context").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Position = tuple[int, int]


class RuleLoader(yaml.CSafeLoader):
    """YAML 1.2 booleans: only true/false. ``no``, ``yes``, ``on`` and ``off`` stay text
    (otherwise the country code "no" and the review key ``on`` would turn into booleans).

    libyaml only scans and parses; deciding a plain scalar's type is still PyYAML's Python
    resolver, which reads ``yaml_implicit_resolvers`` from this class."""


RuleLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}
RuleLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
Path_ = tuple[Any, ...]


@dataclass(frozen=True)
class SourceError(Exception):
    """A problem in a rule file, printed as ``path:line:col: message``."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class Located:
    """Positions of values in one YAML document."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: dict[Path_, Position] = {}
        self.key_positions: dict[Path_, Position] = {}  # where a mapping key itself stands

    def at(self, path: Path_) -> Position:
        """The position of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (1, 1))

    def error(self, path: Path_, message: str) -> SourceError:
        line, column = self.at(path)
        return SourceError(self.file, line, column, message)

    def key_error(self, path: Path_, message: str) -> SourceError:
        """An error about the key at ``path`` (e.g. an unknown fact name), not its value."""
        if tuple(path) in self.key_positions:
            line, column = self.key_positions[tuple(path)]
            return SourceError(self.file, line, column, message)
        return self.error(path, message)


def _mark(node: yaml.Node) -> Position:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _construct(node: yaml.Node, path: Path_, located: Located, loader: RuleLoader) -> Any:
    located.positions[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, (list, dict)):
                raise located.error(path, "a mapping key must be a plain value")
            if key in result:
                line, column = _mark(key_node)
                raise SourceError(located.file, line, column, f"duplicate key '{key}'")
            child = (*path, key)
            located.positions[child] = located.key_positions[child] = _mark(key_node)
            result[key] = _construct(value_node, child, located, loader)
            # The value's own position is more precise for scalar values.
            if not isinstance(value_node, (yaml.MappingNode, yaml.SequenceNode)):
                located.positions[child] = _mark(value_node)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(item, (*path, index), located, loader)
            for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def load_yaml(path: Path, display: str) -> tuple[Any, Located]:
    """Parse one YAML file; raise ``SourceError`` with file, line and column on bad syntax."""
    located = Located(display)
    text = path.read_text(encoding="utf-8")
    loader = RuleLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, located
        return _construct(node, (), located, loader), located
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise SourceError(display, line, column, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as exc:  # pragma: no cover - other parser errors carry no mark
        raise SourceError(display, 1, 1, f"YAML error: {exc}") from None
    finally:
        loader.dispose()
