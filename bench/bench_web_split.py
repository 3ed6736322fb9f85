"""Where a request's server CPU goes: inside the WSGI app vs around it (gunicorn, sockets, kernel).

A diagnostic beside bench_web.py, not the issue-7 figure: it explains that figure. The bare
page and the app run under gunicorn.conf.py with one worker and no worker recycling
(``GUNICORN_WORKERS=1``, ``GUNICORN_MAX_REQUESTS=0``), each wrapped by ``measured`` below, which
adds this process's CPU time spent inside Flask's ``wsgi_app`` (the response body included) to
a counter the worker writes to a file (``Timed``). wrk sends one request at a time (``-c1``), so the worker
never waits for a core it shares with wrk. For every URL bench_web.py measures it prints the
server CPU per request, the part inside the app and the part outside it, and what the part inside
would have to be for the URL to cost at most twice the bare page (50 % of its throughput when
CPU is the limit).

    .venv/bin/python bench/bench_web_split.py [--duration 4] [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_web

#: The environment variables the served module reads: which app, and where its counter goes.
INNER_ENV, COUNTER_ENV = "BENCH_SPLIT_APP", "BENCH_SPLIT_COUNTER"
WRITE_EVERY = 100  # requests between counter writes (a write costs about 20 us)


class Timed:
    """WSGI middleware (``app.wsgi_app = Timed(app.wsgi_app, counter)``): adds the process's CPU
    time inside the wrapped app, the response body included, to a counter written to ``counter``
    every ``WRITE_EVERY`` requests as ``<requests> <seconds>``."""

    def __init__(self, inner: Callable[..., Any], counter: Path) -> None:
        self.inner, self.counter = inner, counter
        self.requests, self.seconds = 0, 0.0

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started = time.process_time()
        body = self.inner(environ, start_response)
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        self.requests += 1
        self.seconds += time.process_time() - started
        if self.requests % WRITE_EVERY == 0:
            self.counter.write_text(f"{self.requests} {self.seconds!r}\n", encoding="utf-8")
        return [data]


def served_app() -> Any:
    """The Flask app gunicorn serves (``bench_web_split:app``), with ``Timed`` around its
    ``wsgi_app``. It stays the Flask app itself, so gunicorn's preload and the warm-up before
    fork (gunicorn.conf.py) treat it as they treat the real one."""
    if os.environ[INNER_ENV] == "bare":
        from bare_app import app as flask_app
    else:
        from advisor import create_app

        flask_app = create_app({"RATELIMIT_ENABLED": False})
    flask_app.wsgi_app = Timed(flask_app.wsgi_app, Path(os.environ[COUNTER_ENV]))
    return flask_app


if INNER_ENV in os.environ:  # imported by gunicorn
    app = served_app()


def _inside(counter: Path) -> tuple[int, float]:
    try:
        requests, seconds = counter.read_text(encoding="utf-8").split()
    except (OSError, ValueError):
        return 0, 0.0
    return int(requests), float(seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-split-"))
    single = {"GUNICORN_WORKERS": "1", "GUNICORN_MAX_REQUESTS": "0"}
    counters = {name: workdir / f"{name}.counter" for name in ("bare", "app")}
    bare_env = {**single, INNER_ENV: "bare", COUNTER_ENV: str(counters["bare"])}
    app_env = {
        **bench_web.app_env(workdir),
        **single,
        "RATELIMIT_ENABLED": "False",
        INNER_ENV: "app",
        COUNTER_ENV: str(counters["app"]),
    }
    spec = "bench_web_split:app"
    extra = ("--pythonpath", str(bench_web.BENCH))
    print("split: one worker, no recycling, wrk -c1; CPU per request, ms (medians of runs)")
    with (
        bench_web.gunicorn_server(
            "bare", spec, env=bare_env, workdir=workdir, extra_args=extra
        ) as bare,
        bench_web.gunicorn_server(
            "app", spec, env=app_env, workdir=workdir, extra_args=extra
        ) as app,
    ):
        targets = [(bare, "bare", bench_web.Target("bare Flask+Jinja page", "GET", "/"))]
        pages, _notes = bench_web.discover_wizard(app.url)
        api, _note = bench_web.discover_api(app.url)
        targets += [(app, "app", target) for target in pages + api]
        figures: dict[str, tuple[list[float], list[float]]] = {}
        for _run in range(args.runs):
            for server, name, target in targets:
                script = bench_web.lua_script(target, workdir)
                before = _inside(counters[name])
                result = bench_web.run_wrk(
                    server.url + target.path,
                    script,
                    duration=args.duration,
                    connections=1,
                    master=server.process.pid,
                )
                after = _inside(counters[name])
                counted = after[0] - before[0]
                inside = (after[1] - before[1]) * 1000 / counted if counted else float("nan")
                totals, insides = figures.setdefault(target.label, ([], []))
                totals.append(result.cpu_ms_per_request)
                insides.append(inside)
    bare_total = statistics.median(figures["bare Flask+Jinja page"][0])
    for label, (totals, insides) in figures.items():
        total, inside = statistics.median(totals), statistics.median(insides)
        line = (
            f"split: {label:<22} total {total:5.2f}  inside the app {inside:5.2f}  "
            f"outside {total - inside:5.2f}"
        )
        if label != "bare Flask+Jinja page":
            line += f"  (inside must be <= {2 * bare_total - (total - inside):4.2f} for 50 %)"
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
