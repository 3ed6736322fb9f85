"""Load test: 20 concurrent clients through the wizard and the JSON API, under gunicorn as
production runs it; p50/p95/p99 per kind of request, three runs and their spread.

Targets (issue 16): with 20 concurrent clients, a wizard step (showing it, answering it) p95
under 100 ms, creating an assessment through the API p95 under 150 ms, and no errors.

The server is ``gunicorn -c gunicorn.conf.py wsgi:app`` (sync workers, 2 per core, preloaded and
warmed before fork) with ``ADVISOR_ENV=production``, a generated ``SECRET_KEY`` and a temporary,
migrated SQLite database, on a free 127.0.0.1 port. ``TRUSTED_PROXIES=1`` as behind the reverse
proxy production needs, so each simulated client has its own address (``X-Forwarded-For``) and
the rate limits count per client, as they do in production.

The clients (aiohttp, one asyncio loop; see ``--clients`` and ``--api-clients``):

- wizard clients walk the wizard from its HTML, as a browser would: the front page, "start",
  then each step: GET the step, fill its form (answers chosen at random per question from
  rules/no/questions.yaml and the options the page offers, the CSRF token kept), POST it and
  follow the 303 to the next step, up to the review, "see the result" and the result page.
  Each walk is a new visitor (a new cookie jar and address); every fourth reads English;
- API clients create assessments (``POST /api/v1/assessments`` with a Case varied at random)
  and read each back (``GET``). They stand for many machine clients, so their per-client
  limit (``API_RATE_LIMIT``) is raised for the test; the limiter still runs.

Every client sends its next request as soon as the previous one is answered (no think time):
20 requests are always in flight, which is the load of several hundred people filling in forms
at human speed. The p95 is then mostly the time a request waits for a free worker. The load
generator runs on the same cores as the server; its CPU per request is printed beside the
server's. Any status >= 400, connection error or wizard walk that does not reach its result is
an error.

    .venv/bin/python bench/bench_load.py [--clients 20] [--api-clients 5] [--runs 3]
        [--duration 20] [--warmup 3] [--seed 7]

One line per figure; exits 1 when a target is missed or a request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gunicorn_server
import wizard_forms

#: p95 targets in ms by kind of request (issue 16).
TARGETS = {"wizard step GET": 100.0, "wizard step POST": 100.0, "api create POST": 150.0}

#: Kinds of request, by method and path.
KINDS: list[tuple[str, str, re.Pattern[str]]] = [
    ("front page GET", "GET", re.compile(r"^/$")),
    ("wizard start POST", "POST", re.compile(r"^/ny$")),
    ("wizard step GET", "GET", re.compile(r"^/utkast/[^/]+/steg/[^/]+$")),
    ("wizard step POST", "POST", re.compile(r"^/utkast/[^/]+/steg/[^/]+$")),
    ("wizard review GET", "GET", re.compile(r"^/utkast/[^/]+/oppsummering$")),
    ("wizard finish POST", "POST", re.compile(r"^/utkast/[^/]+/fullfor$")),
    ("result page GET", "GET", re.compile(r"^/vurdering/[^/]+$")),
    ("api create POST", "POST", re.compile(r"^/api/v1/assessments$")),
    ("api read GET", "GET", re.compile(r"^/api/v1/assessments/[^/]+$")),
]
RESULT_PAGE = re.compile(r"^/vurdering/([^/?#]+)$")
MAX_STEPS = 40  # a walk with more requests than this is stuck

#: A valid Case (design.md section 4); the API clients vary it.
API_CASE: dict[str, Any] = {
    "law_as_of": "2026-03-01",
    "title": "Vaskeritjenester 2027",
    "buyer_type": "municipality",
    "arrangement": "contract",
    "subject": "services",
    "service_type": "ordinary",
    "cpv": "98310000",
    "estimated_value_nok": 3_600_000,
    "duration_months": 48,
    "target_supplier": "wise",
    "wants_reservation": True,
}
API_PATH = "/api/v1/assessments"


def kind_of(method: str, path: str) -> str:
    for kind, kind_method, pattern in KINDS:
        if method == kind_method and pattern.match(path):
            return kind
    return f"other {method}"


def percentile(values: list[float], share: int) -> float:
    """The share-th percentile (1..99) of at least two values."""
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1]


class Failed(Exception):
    """A client's walk or call failed; the reason is already recorded."""


@dataclasses.dataclass
class Run:
    """What one run measured."""

    latencies: dict[str, list[float]] = dataclasses.field(
        default_factory=lambda: collections.defaultdict(list)
    )
    errors: list[str] = dataclasses.field(default_factory=list)
    walks: int = 0
    api_calls: int = 0
    seconds: float = 0.0
    server_cpu: float = float("nan")
    client_cpu: float = float("nan")

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())


class Client:
    """One simulated client: a cookie jar, an address, and a random generator of its own."""

    def __init__(self, base: str, run: Run, number: int, seed: int, headers: dict[str, str]):
        self.base = base
        self.run = run
        self.number = number
        self.rng = random.Random(seed * 1000 + number)
        self.jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[base])
        self.headers = dict(headers)
        self.visitor = 0

    async def request(
        self, http: aiohttp.ClientSession, method: str, path: str, **kwargs: Any
    ) -> tuple[int, str, str]:
        """One request, timed; returns (status, Location, body). Errors raise ``Failed``."""
        kind = kind_of(method, path)
        started = time.perf_counter()
        try:
            async with http.request(
                method, self.base + path, allow_redirects=False, headers=self.headers, **kwargs
            ) as response:
                body = await response.text()
                status, location = response.status, response.headers.get("Location", "")
        except (aiohttp.ClientError, TimeoutError) as error:
            self.run.latencies[kind].append((time.perf_counter() - started) * 1000)
            self.fail(f"{method} {path}: {type(error).__name__}: {error}")
        self.run.latencies[kind].append((time.perf_counter() - started) * 1000)
        if status >= 400:
            self.fail(f"{method} {path}: {status}: {_snippet(body)}")
        return status, location, body

    def fail(self, message: str) -> None:
        self.run.errors.append(f"client {self.number}: {message}")
        raise Failed(message)

    def new_visitor(self) -> None:
        """A new person at the keyboard: no cookies, an address and a language of their own."""
        self.visitor += 1
        self.jar.clear()
        serial = self.number * 100_000 + self.visitor
        self.headers["X-Forwarded-For"] = (
            f"10.{serial >> 16 & 255}.{serial >> 8 & 255}.{serial & 255}"
        )
        english = self.rng.random() < 0.25
        self.headers["Accept-Language"] = "en-GB,en;q=0.8" if english else "nb-NO,nb;q=0.9"

    async def walk(self, http: aiohttp.ClientSession, answerer: wizard_forms.Answerer) -> None:
        """From the front page through every step to the result page."""
        self.new_visitor()
        path, method, data = "/", "GET", None
        for _ in range(MAX_STEPS):
            status, location, body = await self.request(http, method, path, data=data)
            if 300 <= status < 400:
                path, method, data = _local(location), "GET", None
                continue
            if RESULT_PAGE.match(path):
                if "<h1" not in body:
                    self.fail(f"the result page {path} shows no result")
                self.run.walks += 1
                return
            form = wizard_forms.wizard_form(wizard_forms.read_forms(body), answerer.questions)
            if form is None:
                self.fail(f"no form to fill on {path}")
            path, method, data = _local(form.action or path, path), "POST", answerer.fill(form)
        self.fail(f"no result page after {MAX_STEPS} requests (last {path})")

    async def api(self, http: aiohttp.ClientSession) -> None:
        """Create an assessment through the API, then read it back."""
        case = {
            **API_CASE,
            "estimated_value_nok": self.rng.choice(
                [90_000, 450_000, 1_500_000, 3_600_000, 12_000_000, 80_000_000]
            ),
            "buyer_type": self.rng.choice(["municipality", "county", "state"]),
            "target_supplier": self.rng.choice(["wise", "ideell", "social_enterprise", "none"]),
        }
        status, _location, body = await self.request(http, "POST", API_PATH, json=case)
        if status != 201:
            self.fail(f"POST {API_PATH}: {status}, expected 201")
        saved = _json_id(body)
        if saved is None:
            self.fail(f"POST {API_PATH}: no id in {body[:200]}")
        await self.request(http, "GET", f"{API_PATH}/{saved}")
        self.run.api_calls += 1


def _local(location: str, current: str = "/") -> str:
    """A path on this server from a Location header or a form action (relative or absolute)."""
    if location.startswith("http"):
        location = "/" + location.split("/", 3)[3] if location.count("/") >= 3 else "/"
    elif not location.startswith("/"):
        location = current.rsplit("/", 1)[0] + "/" + location
    return location


def _json_id(body: str) -> str | None:
    match = re.search(r'"id"\s*:\s*"([^"]+)"', body)
    return match.group(1) if match else None


def _snippet(body: str) -> str:
    """What an error page says: its alert or main text, or the start of a JSON problem."""
    for pattern in (r'role="alert"[^>]*>(.*?)</div>', r"<main\b[^>]*>(.*?)</main>"):
        match = re.search(pattern, body, re.DOTALL)
        if match:
            body = match.group(1)
            break
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())[:240]


async def drive(
    base: str,
    *,
    clients: int,
    api_clients: int,
    seconds: float,
    seed: int,
    headers: dict[str, str],
) -> Run:
    """Run the clients for ``seconds`` (no request starts after that) and collect what they saw."""
    run = Run()
    questions = wizard_forms.load_questions()
    deadline = time.monotonic() + seconds
    timeout = aiohttp.ClientTimeout(total=60)

    async def client(number: int) -> None:
        me = Client(base, run, number, seed, headers)
        answerer = wizard_forms.Answerer(questions, me.rng)
        is_api = number < api_clients
        if is_api:
            me.new_visitor()  # one address for the whole run
        connector = aiohttp.TCPConnector(limit=1, force_close=True)  # sync workers close anyway
        async with aiohttp.ClientSession(
            connector=connector, cookie_jar=me.jar, timeout=timeout
        ) as http:
            while time.monotonic() < deadline:
                try:
                    await (me.api(http) if is_api else me.walk(http, answerer))
                except Failed:
                    await asyncio.sleep(0.05)  # a failing server is not hammered in a loop

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client(number) for number in range(clients)))
    run.seconds = time.perf_counter() - started
    run.client_cpu = time.process_time() - cpu
    return run


def measure(base: str, master: int, seconds: float, **options: Any) -> Run:
    cpu = gunicorn_server.cpu_seconds(master)
    run = asyncio.run(drive(base, seconds=seconds, **options))
    run.server_cpu = gunicorn_server.cpu_seconds(master) - cpu
    return run


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):6.1f} ms, runs {', '.join(f'{v:.1f}' for v in values)}"
    )


def report(runs: list[Run], say: Callable[[str], None]) -> bool:
    """Per run and kind the percentiles; over the runs the spread and the verdicts."""
    kinds = [kind for kind, _m, _p in KINDS] + sorted(
        {kind for run in runs for kind in run.latencies} - {kind for kind, _m, _p in KINDS}
    )
    for number, run in enumerate(runs, 1):
        count = max(run.requests, 1)
        say(
            f"run {number}: {run.requests:,} requests in {run.seconds:.1f} s "
            f"({run.requests / run.seconds:,.0f}/s), {run.walks} wizard walks to a result, "
            f"{run.api_calls} API create+read, errors {len(run.errors)}; CPU per request: "
            f"server {run.server_cpu * 1000 / count:.2f} ms, load generator "
            f"{run.client_cpu * 1000 / count:.2f} ms"
        )
        for kind in kinds:
            values = run.latencies.get(kind, [])
            if len(values) >= 2:
                say(
                    f"run {number}: {kind:<19} n={len(values):6,}  "
                    f"p50 {percentile(values, 50):6.1f} ms  p95 {percentile(values, 95):6.1f} ms  "
                    f"p99 {percentile(values, 99):6.1f} ms  max {max(values):6.1f} ms"
                )
    passed = True
    for kind in kinds:
        if not all(len(run.latencies.get(kind, [])) >= 2 for run in runs):
            if kind in TARGETS:
                say(f"{kind}: not measured in every run: FAIL")
                passed = False
            continue
        p95 = [percentile(run.latencies[kind], 95) for run in runs]
        line = f"{kind:<19} p95 {summary(p95)} (spread {max(p95) - min(p95):.1f} ms)"
        if kind in TARGETS:
            ok = max(p95) < TARGETS[kind]
            passed &= ok
            line += f"; target < {TARGETS[kind]:.0f} ms in every run: {'PASS' if ok else 'FAIL'}"
        say(line)
    errors = [error for run in runs for error in run.errors]
    say(f"errors: {len(errors)} in {len(runs)} runs (target 0): {'PASS' if not errors else 'FAIL'}")
    for error in errors[:10]:
        say(f"ERROR {error}")
    if len(errors) > 10:
        say(f"... and {len(errors) - 10} more errors")
    return passed and not errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients in all")
    parser.add_argument("--api-clients", type=int, default=5, help="of which API clients")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per run")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load not counted")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    def say(line: str) -> None:
        print(f"load: {line}", flush=True)

    workers = os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1)))
    say(
        f"gunicorn -c gunicorn.conf.py wsgi:app, ADVISOR_ENV=production, {workers} sync workers, "
        f"SQLite; {args.clients} clients ({args.clients - args.api_clients} wizard, "
        f"{args.api_clients} API) without think time; {args.runs} runs of {args.duration:g} s "
        f"after {args.warmup:g} s not counted; load generator on the same {os.cpu_count()} cores"
    )
    say(f"load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    options = {"clients": args.clients, "api_clients": args.api_clients, "headers": {}}
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        workdir = Path(tmp)
        env = gunicorn_server.production_env(
            workdir, TRUSTED_PROXIES="1", API_RATE_LIMIT="1000000/minute"
        )
        with gunicorn_server.running(env, workdir) as server:
            if args.warmup > 0:
                measure(server.url, server.process.pid, args.warmup, seed=0, **options)
            runs = [
                measure(
                    server.url, server.process.pid, args.duration, seed=args.seed + n, **options
                )
                for n in range(args.runs)
            ]
            logged = server.logged_errors()
    passed = report(runs, say)
    if logged:
        say(f"the server logged {len(logged)} error lines: FAIL; the first: {logged[0][:300]}")
        passed = False
    say(f"load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    say("all targets met" if passed else "TARGETS MISSED (see FAIL above)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
