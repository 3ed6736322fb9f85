"""Cold start: from starting the server process (import) to the first answered request.

Target (issue 16): under 1.5 s. What it covers is what a deploy or a restart makes users wait
for: ``gunicorn -c gunicorn.conf.py wsgi:app`` with ``ADVISOR_ENV=production`` on a free
127.0.0.1 port imports the app, loads, validates and compiles the rule base, warms the app before
forking (``advisor/warmup.py``), forks the workers, each of which warms the PDF renderer
(``post_worker_init``), and then answers ``GET /`` (the wizard's front page, a full page
through sessions, Babel and the database). Each run starts on a fresh migrated SQLite database
(the migration is not timed). The figure is the median of ``--runs`` starts; PASS when it is
under the target. Beside it, the CPU time master and workers had used by then: on a busy
machine the wall time is mostly waiting for a core, the CPU time is the work.

Also printed, to show where the time goes:

- a replacement worker (one worker; it is retired with SIGTERM, as ``max_requests`` or a HUP
  retires one): from the old worker's exit to the new worker's first answer. With ``preload_app`` it is a
  fork of the warmed master, so it imports nothing;
- the parts, in one fresh Python process, wall and CPU time: importing the app's modules and
  building it (``create_app``: settings, rule base, blueprints), the warm-up before fork, and the
  PDF renderer's warm-up in a worker.

    .venv/bin/python bench/bench_cold_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gunicorn_server

TARGET_SECONDS = 1.5

#: Run in a fresh interpreter: the parts of a start, each as (wall, CPU) seconds.
PARTS = r"""
import json, os, sys, time
def clocks():
    return time.perf_counter(), time.process_time()
parts = {}
begin = clocks()
import wsgi  # imports the app's modules and calls create_app(), as gunicorn's preload does
parts["import and create_app"] = begin
begin = clocks()
from advisor.warmup import before_fork
before_fork(wsgi.app)
parts["warm-up before fork"] = begin
begin = clocks()
from advisor.guidance import warm_up
warm_up()
parts["PDF renderer warm-up (each worker)"] = begin
end = clocks()
marks = list(parts.items())
result = {}
for index, (name, (wall, cpu)) in enumerate(marks):
    next_wall, next_cpu = marks[index + 1][1] if index + 1 < len(marks) else end
    result[name] = [next_wall - wall, next_cpu - cpu]
print("PARTS " + json.dumps(result))
"""


@dataclass
class Start:
    seconds: float  # from starting gunicorn to the first answered GET /
    master_cpu: float  # CPU seconds the master had used by then
    workers_cpu: float  # CPU seconds all its workers had used by then


def server_start(workdir: Path) -> Start:
    env = gunicorn_server.production_env(workdir)
    began = time.monotonic()
    server = gunicorn_server.start(env, workdir)
    try:
        answered = gunicorn_server.wait_answered(server) - began
        master = gunicorn_server.process_cpu_seconds(server.process.pid)
        return Start(answered, master, gunicorn_server.cpu_seconds(server.process.pid) - master)
    finally:
        gunicorn_server.stop(server)


def worker_replacements(workdir: Path, runs: int) -> list[float]:
    """Seconds from the exit of the only worker (retired by SIGTERM) to its replacement's first
    answered ``GET /``."""
    env = gunicorn_server.production_env(workdir)
    times = []
    with gunicorn_server.running(env, workdir, workers=1) as server:
        for _ in range(runs):
            (worker,) = gunicorn_server.worker_pids(server.process.pid)
            os.kill(worker, signal.SIGTERM)
            while worker in gunicorn_server.worker_pids(server.process.pid):
                time.sleep(0.002)  # the old worker answers until it has exited
            gone = time.monotonic()
            times.append(gunicorn_server.wait_answered(server) - gone)
    return times


def parts() -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="bench-cold-parts-") as tmp:
        env = {**os.environ, **gunicorn_server.production_env(Path(tmp))}
        done = subprocess.run(
            [sys.executable, "-c", PARTS],
            cwd=gunicorn_server.REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    line = next((x for x in done.stdout.splitlines() if x.startswith("PARTS ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"the parts could not be measured:\n{done.stderr[-2000:]}")
    return json.loads(line.removeprefix("PARTS "))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    def say(line: str) -> None:
        print(f"cold start: {line}", flush=True)

    workers = os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1)))
    say(
        f"gunicorn -c gunicorn.conf.py wsgi:app, ADVISOR_ENV=production, {workers} workers, "
        f"{args.runs} runs; load average {' '.join(f'{n:.2f}' for n in os.getloadavg())} "
        f"on {os.cpu_count()} cores"
    )
    starts = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
            starts.append(server_start(Path(tmp)))
    median = statistics.median(start.seconds for start in starts)
    verdict = "PASS" if median < TARGET_SECONDS else "FAIL"
    say(
        f"server start to first answered request: median {median:.2f} s "
        f"(runs {', '.join(f'{start.seconds:.2f}' for start in starts)}); "
        f"target median < {TARGET_SECONDS:g} s: {verdict}"
    )
    say(
        f"CPU used by then (medians): master {statistics.median(s.master_cpu for s in starts):.2f} s,"
        f" its {workers} workers together {statistics.median(s.workers_cpu for s in starts):.2f} s"
        " (on a busy machine the wall time is mostly waiting for a core)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-cold-worker-") as tmp:
        replaced = worker_replacements(Path(tmp), args.runs)
    say(
        f"replacement worker to first answered request: median {statistics.median(replaced):.2f} s "
        f"(runs {', '.join(f'{s:.2f}' for s in replaced)})"
    )
    for name, (wall, cpu) in parts().items():
        say(f"part: {name}: {wall:.2f} s ({cpu:.2f} s CPU)")
    say(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
