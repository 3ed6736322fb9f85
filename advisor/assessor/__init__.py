"""Turn a Case into an Assessment (design.md section 2): the computation, split by job.

| module | job |
|---|---|
| ``assess.py`` | ``Assessor``: compiles the periods of law into the engine, picks the period for a date, runs the engine, assembles the Assessment (regime, trail, sources, caveats) |
| ``prepared.py`` | what each period needs, worked out once when the Assessor is built: rules and cases by id, texts with the period's parameter values, citations with their links, the fixed part of trail entries, the answers a finding can depend on |
| ``findings.py`` | routes, obligations and warnings from the rules that fired, with their texts |
| ``why_not.py`` | why a route is not open: the failed conditions in words, beside the case's own values |
| ``open_questions.py`` | what a "vet ikke" answer could change: each alternative re-run through the plain reference evaluator; the other unknown answers worth finding out |

The model the Assessor fills in is ``advisor.assessment``; the engine it runs is
``advisor.engine``; saving assessments is ``advisor.assessments``' job.
"""

from advisor.assessor.assess import Assessor, LawDateOutOfRange

__all__ = ["Assessor", "LawDateOutOfRange"]
