"""The rule base for tests: the working tree's, loaded once per process, and copies of it for
tests that change it (negative tests, impact analysis).

The rule content in ``rules/no`` is edited by hand while the suite runs. Tests about the loader
or the impact report need a *valid* base to damage or to change; when the working tree is
momentarily invalid they use the committed one (``git archive HEAD``). Tests of the real rule
base itself (``advisor rules check`` exits 0) still use the working tree.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from advisor.rulebase import RuleBase, RuleBaseInvalid, load_rulebase
from advisor.settings import REPO_ROOT

RULES = REPO_ROOT / "rules" / "no"


@functools.cache
def working_rulebase() -> RuleBase:
    """``rules/no`` as the apps load it, parsed once per process (a test run, or one xdist
    worker): the session fixtures and modules that parametrize over its test cases share it.
    Raises ``RuleBaseInvalid`` (again on every call) while the working tree is invalid."""
    return load_rulebase(RULES)


@functools.cache
def pristine_rules() -> Path:
    """A folder with a valid rule base: a snapshot of ``rules/no``, else its committed version."""
    snapshot = Path(tempfile.mkdtemp(prefix="advisor-rules-")) / "no"
    shutil.copytree(RULES, snapshot)  # a snapshot: the working tree may change mid-run
    try:
        load_rulebase(snapshot)
        return snapshot
    except RuleBaseInvalid as invalid:
        problem = "\n".join(invalid.messages)
    try:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", "HEAD", "rules/no"],
            cwd=REPO_ROOT,
            capture_output=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise RuntimeError(f"rules/no is invalid and git has no copy:\n{problem}") from exc
    target = Path(tempfile.mkdtemp(prefix="advisor-rules-head-"))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    load_rulebase(target / "rules" / "no")  # must be valid; raises otherwise
    return target / "rules" / "no"


def copy_rules(destination: Path) -> Path:
    """A private, valid copy of the rule base at ``destination``."""
    shutil.copytree(pristine_rules(), destination)
    return destination
