"""Engine benchmark: one evaluation through durable-rules vs plain Python, same compiled rules.

Both paths evaluate the same ``Period`` (the compiled conditions of one period of law) for the
same facts, in the same process, interleaved case by case so that a noisy host slows both
equally. The durable path is ``DurableEngine.run`` (assert the case fact, forward-chain derived
facts, collect, delete the session state); the plain path is ``run_plain``. Every result is
checked equal before timing counts.

    .venv/bin/python bench/bench_engine.py [--cases 5000] [--seed 1] [--rules DIR] [--profile]

Prints one line per figure (median and p99 per path, in ms) and the ratio durable/plain;
target: durable within 3x of plain and well under 1 ms per case.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from advisor.assessor import Assessor
from advisor.engine import run_plain
from advisor.rulebase import load_rulebase
from advisor.samples import CaseSampler
from advisor.settings import REPO_ROOT

TARGET_RATIO = 3.0
TARGET_MS = 1.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rules", type=Path, default=REPO_ROOT / "rules" / "no")
    parser.add_argument("--profile", action="store_true", help="profile the durable path")
    args = parser.parse_args()

    rulebase = load_rulebase(args.rules)
    assessor = Assessor(rulebase)
    tables = rulebase.tables
    sampler = CaseSampler(rulebase, assessor.periods)
    work = []
    for case in sampler.cases(args.cases, seed=args.seed):
        work.append((assessor.period_for(case.law_as_of), case.facts()))

    for period, facts in work[:200]:  # warm up both paths, check they agree
        assessor.engine.run(period, facts)
        run_plain(period, facts, tables)

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for period, facts in work:
            assessor.engine.run(period, facts)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
        return 0

    durable_ms: list[float] = []
    plain_ms: list[float] = []
    rules_fired: list[int] = []
    clock = time.perf_counter
    gc.collect()
    for index, (period, facts) in enumerate(work):
        order = (0, 1) if index % 2 else (1, 0)  # alternate which path runs first
        results = [None, None]
        for which in order:
            if which == 0:
                start = clock()
                results[0] = assessor.engine.run(period, facts)
                durable_ms.append((clock() - start) * 1000)
            else:
                start = clock()
                results[1] = run_plain(period, facts, tables)
                plain_ms.append((clock() - start) * 1000)
        durable, plain = results
        if (durable.derived, durable.derived_by, durable.fired) != (
            plain.derived,
            plain.derived_by,
            plain.fired,
        ):
            print(f"MISMATCH on case {index}: {facts}", file=sys.stderr)
            return 1
        rules_fired.append(len(durable.fired) + len(durable.derived))
    assessor.close()

    d_med, p_med = statistics.median(durable_ms), statistics.median(plain_ms)
    d_p99, p_p99 = percentile(durable_ms, 0.99), percentile(plain_ms, 0.99)
    active = statistics.mean(
        len(p.rules) + sum(len(c) for c in p.decisions.values()) for p in assessor.periods
    )
    print(
        f"rule base: {rulebase.root} version {rulebase.version}, {len(assessor.periods)} periods, "
        f"about {active:.0f} compiled rules per period"
    )
    print(
        f"cases: {len(work)} (seed {args.seed}), conclusions per case: median "
        f"{statistics.median(rules_fired):.0f}, max {max(rules_fired)}; all results equal"
    )
    print(f"durable median: {d_med:.3f} ms")
    print(f"durable p99:    {d_p99:.3f} ms")
    print(f"plain median:   {p_med:.3f} ms")
    print(f"plain p99:      {p_p99:.3f} ms")
    ratio = d_med / p_med
    print(f"ratio durable/plain (median): {ratio:.2f}x (p99: {d_p99 / p_p99:.2f}x)")
    verdict = "met" if ratio <= TARGET_RATIO and d_med < TARGET_MS else "MISSED"
    print(f"target (durable within {TARGET_RATIO:g}x of plain, under {TARGET_MS:g} ms): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
