"""The rule engine: evaluate a Case's facts against a compiled period of law.

- ``durable``: durable-rules, the engine the app runs (the product owners' choice): the
  compiler from compiled rules to durable-rules JSON and the runner around its ``Host``.
- ``reference``: the plain-Python evaluator of the same compiled conditions, the deliberate
  second implementation that durable-rules is tested against.
- ``outcome``: what either gives for one case (``Outcome``).
"""

from advisor.engine.durable import DurableEngine, RuleActionError, RuleCompileError
from advisor.engine.outcome import Outcome, negated
from advisor.engine.reference import derive_plain, rerun_plain, run_plain

__all__ = [
    "DurableEngine",
    "Outcome",
    "RuleActionError",
    "RuleCompileError",
    "derive_plain",
    "negated",
    "rerun_plain",
    "run_plain",
]
