"""The rule base: YAML files under ``rules/<jurisdiction>/``, read, validated and compiled.

In the order of the flow: ``loader`` reads the files (``yamlsrc``, ``schema``, ``conditions``,
``tables``), ``compiler`` turns rules and dated parameters into the compiled periods of law,
``validate`` checks that the parts fit together (using the compiler's dating), and
``questions`` / ``questions_check`` read and check the wizard's decision tree.
"""

from __future__ import annotations

from pathlib import Path

from advisor.rulebase.loader import RuleBase, RuleBaseInvalid, read_rulebase
from advisor.rulebase.validate import validate

__all__ = ["RuleBase", "RuleBaseInvalid", "load_rulebase"]


def load_rulebase(root: Path | str) -> RuleBase:
    """Read, parse and validate the rule base in ``root``; raise ``RuleBaseInvalid`` with every
    problem as ``path:line:col: message``."""
    rulebase = read_rulebase(root)
    problems = validate(rulebase)
    if problems:
        raise RuleBaseInvalid(problems)
    return rulebase
