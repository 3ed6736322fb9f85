"""The lock files in requirements/ match what pyproject.toml declares (run `make lock` if not).

`make install` installs only what the lock files pin, so a dependency added to pyproject.toml
without re-locking would be missing, and a range narrowed (say, to exclude a release with an
advisory) would not take effect. Production's lock must hold no test or lint tool.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
DEV_GROUPS = ("build", "test", "lint", "audit", "lock")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)(?:\s*;\s*([^\\]+?))?\s*\\?$")


def pins(name: str) -> dict[str, list[tuple[str, str | None]]]:
    """``{package: [(version, marker or None), ...]}`` of a lock file; every pin has a hash."""
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    found: dict[str, list[tuple[str, str | None]]] = {}
    for block in re.split(r"\n(?=\S)", text):
        first = block.splitlines()[0]
        if first.startswith("#") or not first.strip():
            continue
        match = PIN.match(first)
        assert match, f"{name}: not a pin: {first!r}"
        assert "--hash=sha256:" in block, f"{name}: {first} has no hash"
        package, version, marker = match.groups()
        found.setdefault(canonicalize_name(package), []).append((version, marker))
    return found


def declared(*groups: str) -> list[Requirement]:
    requirements = [Requirement(line) for line in PYPROJECT["project"]["dependencies"]]
    for group in groups:
        requirements += [Requirement(line) for line in PYPROJECT["dependency-groups"][group]]
    return requirements


def assert_locked(requirements: list[Requirement], locked: dict, lock: str) -> None:
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        if name == "durable-rules":
            continue  # built from its own lock, see below
        assert name in locked, f"{requirement} is not in {lock}: run make lock"
        for version, _marker in locked[name]:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{lock} pins {name}=={version}, outside {requirement}: run make lock"
            )


def test_dev_lock_has_every_declared_dependency_in_its_range() -> None:
    assert_locked(declared(*DEV_GROUPS), pins("dev.txt"), "dev.txt")


def test_runtime_lock_has_the_runtime_dependencies_at_the_dev_versions_and_no_tools() -> None:
    runtime, dev = pins("runtime.txt"), pins("dev.txt")
    assert_locked(declared("build"), runtime, "runtime.txt")
    for name, versions in runtime.items():
        assert dev.get(name) == versions, f"{name}: runtime.txt and dev.txt differ"
    groups = PYPROJECT["dependency-groups"]
    tools = {
        canonicalize_name(Requirement(line).name)
        for group in ("test", "lint", "audit", "lock")
        for line in groups[group]
    }
    assert not tools & set(runtime), f"test or lint tools in runtime.txt: {tools & set(runtime)}"


def test_durable_rules_sdist_is_pinned_by_hash_and_patched_for_its_version() -> None:
    (requirement,) = [r for r in declared() if canonicalize_name(r.name) == "durable-rules"]
    ((version, _marker),) = pins("durable-rules.txt")["durable-rules"]
    assert str(requirement.specifier) == f"=={version}"
    for lock in ("dev.txt", "runtime.txt"):
        assert "durable-rules" not in pins(lock)  # never installed from PyPI unpatched
    patches = sorted((ROOT / "patches").glob(f"durable-rules-{version}-*.patch"))
    assert patches, f"no patch for durable-rules {version} in patches/"
    text = patches[0].read_text(encoding="utf-8")
    assert "-    result = PyEval_CallObject(" in text
    assert "+    result = PyObject_CallObject(" in text


@pytest.mark.parametrize("lock", ["dev.txt", "runtime.txt", "durable-rules.txt"])
def test_lock_files_say_how_they_were_made(lock: str) -> None:
    assert "make lock" in (ROOT / "requirements" / lock).read_text(encoding="utf-8")[:200]
