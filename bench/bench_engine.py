"""Engine benchmark: one evaluation through durable-rules vs plain Python, same compiled rules.

Both paths evaluate the same ``Period`` (the compiled conditions of one period of law) for the
same facts, in the same process, interleaved case by case so that a noisy host slows both
equally. The durable path is ``DurableEngine.run`` (assert the case fact, forward-chain derived
facts, collect, delete the session state: ``advisor/engine/durable.py``); the plain path is
``run_plain`` (``advisor/engine/reference.py``). Every result is checked equal before timing
counts.

    .venv/bin/python bench/bench_engine.py [--cases 5000] [--seed 1] [--rules DIR] [--profile]

Prints one line per figure (median and p99 per path, in ms, as wall time and as this process's
CPU time) and the ratio durable/plain. On a loaded shared host read the CPU figures: the wall
clock also counts waiting.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
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

    # Wall time and CPU time of this process for each evaluation: on a shared, loaded host the
    # wall clock also counts time spent waiting for a core; CPU time does not.
    wall: dict[str, list[float]] = {"durable": [], "plain": []}
    cpu: dict[str, list[float]] = {"durable": [], "plain": []}
    rules_fired: list[int] = []
    clock, cpu_clock = time.perf_counter, time.process_time
    gc.collect()
    for index, (period, facts) in enumerate(work):
        order = ("plain", "durable") if index % 2 else ("durable", "plain")  # alternate
        results = {}
        for path in order:
            start, start_cpu = clock(), cpu_clock()
            if path == "durable":
                results[path] = assessor.engine.run(period, facts)
            else:
                results[path] = run_plain(period, facts, tables)
            cpu[path].append((cpu_clock() - start_cpu) * 1000)
            wall[path].append((clock() - start) * 1000)
        durable, plain = results["durable"], results["plain"]
        if (durable.derived, durable.derived_by, durable.fired) != (
            plain.derived,
            plain.derived_by,
            plain.fired,
        ):
            print(f"MISMATCH on case {index}: {facts}", file=sys.stderr)
            return 1
        rules_fired.append(len(durable.fired) + len(durable.derived))
    assessor.close()

    active = statistics.mean(
        len(p.rules) + sum(len(c) for c in p.decisions.values()) for p in assessor.periods
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"rule base: {rulebase.root} version {rulebase.version}, {len(assessor.periods)} periods, "
        f"about {active:.0f} compiled rules per period"
    )
    print(
        f"cases: {len(work)} (seed {args.seed}), conclusions per case: median "
        f"{statistics.median(rules_fired):.0f}, max {max(rules_fired)}; all results equal; "
        f"load average {load:.1f}"
    )
    for label, times in (("wall", wall), ("cpu", cpu)):
        for path in ("durable", "plain"):
            print(f"{path} {label} median: {statistics.median(times[path]):.3f} ms")
            print(f"{path} {label} p99:    {percentile(times[path], 0.99):.3f} ms")
    for label, times in (("wall", wall), ("cpu", cpu)):
        ratio = statistics.median(times["durable"]) / statistics.median(times["plain"])
        p99 = percentile(times["durable"], 0.99) / percentile(times["plain"], 0.99)
        print(f"ratio durable/plain ({label}, median): {ratio:.2f}x (p99: {p99:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
