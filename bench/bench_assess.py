"""Assessment benchmark: what one ``Assessor.assess`` costs, and how much of it is the analysis
of "vet ikke" answers (open questions).

For the same sampled cases (``advisor.samples``, all periods of law) it times, interleaved case
by case so that a noisy host slows each equally:

- ``engine``: the evaluation alone (``Assessor.outcome``, durable-rules);
- ``assess, no open questions``: evaluation and the findings assembled (``explore_unknowns=False``);
- ``assess``: the whole assessment the API and the wizard make (open questions included).

    .venv/bin/python bench/bench_assess.py [--cases 2000] [--seed 1] [--rules DIR]

Prints the median and p95 per figure in ms, as this process's CPU time (on a shared host the
wall clock also counts waiting for a core), and the share of cases with open questions.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advisor.assessor import Assessor
from advisor.rulebase import load_rulebase
from advisor.samples import CaseSampler
from advisor.settings import REPO_ROOT


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rules", type=Path, default=REPO_ROOT / "rules" / "no")
    args = parser.parse_args()

    start = time.process_time()
    assessor = Assessor(load_rulebase(args.rules))
    startup = (time.process_time() - start) * 1000
    cases = list(CaseSampler(assessor.rulebase, assessor.periods).cases(args.cases, args.seed))
    for case in cases[:100]:  # warm up
        assessor.assess(case)

    figures = {
        "engine": lambda case: assessor.outcome(case),
        "assess, no open questions": lambda case: assessor.assess(case, explore_unknowns=False),
        "assess": lambda case: assessor.assess(case),
    }
    cpu: dict[str, list[float]] = {name: [] for name in figures}
    with_questions = 0
    clock = time.process_time
    gc.collect()
    for index, case in enumerate(cases):
        names = list(figures)
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:  # rotate the order
            begin = clock()
            result = figures[name](case)
            cpu[name].append((clock() - begin) * 1000)
            if name == "assess" and result.open_questions:
                with_questions += 1
    assessor.close()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"rule base {assessor.rulebase.version}, {len(assessor.periods)} periods; Assessor built "
        f"in {startup:.0f} ms CPU; {len(cases)} cases (seed {args.seed}), "
        f"{with_questions / len(cases):.0%} with open questions; load average {load:.1f}"
    )
    for name, times in cpu.items():
        print(
            f"{name}: median {statistics.median(times):.3f} ms, "
            f"p95 {percentile(times, 0.95):.3f} ms (CPU)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
