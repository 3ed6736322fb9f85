"""Bounded load test on loopback: many simulated users through the wizard and the JSON API.

Issue 7: "many concurrent users through the wizard and API with zero errors; record the numbers".

Starts gunicorn with gunicorn.conf.py (sync workers, preload) on a free 127.0.0.1 port, with a
temporary instance folder and a migrated SQLite database, then runs ``--users`` threads (default
32), each with its own ``requests`` session (cookies, CSRF tokens) and its own client address
(``X-Forwarded-For``, trusted through ``TRUSTED_PROXIES=1`` as behind a reverse proxy), so the
rate limits count per user as in production; every fourth user reads English. Each user does
``--iterations`` (default 20) of:

- the wizard, driven by its real HTML: GET the front page, start, then on every step fill the
  form it shows (field names read from the page; answers chosen per question from
  rules/no/questions.yaml and from the options the page offers), POST it with its CSRF token and
  follow the redirect, until the result page ``/vurdering/<id>``; with ``--pdf-every N`` every
  Nth run of each user also downloads the guidance PDF from the result page (off by default: a
  PDF holds a sync worker for about 0.35 s or more, see docs/performance.md);
- the API: ``POST /api/v1/assessments`` with a Case, then ``GET`` the saved assessment.

Every request counts: any status >= 400, a connection error, a wizard step that does not move
on, or a result page that does not show, is an error. The test is bounded by count and by
``--max-seconds`` (no new iteration starts after it; the iterations left out are reported).
Users have no think time (a closed loop): with 32 users and 4 workers most of the latency is
queueing, and the figures show what the server sustains, not what one user would see. Prints
total requests, errors (target 0), throughput and latency percentiles per kind of request;
exits 1 when there was an error.

The app runs as ``make serve-prod`` runs it (``ADVISOR_ENV=production``, a SECRET_KEY). Its session
cookie is then ``Secure``; the simulated users send it back over plain-HTTP loopback anyway (their
cookie jar drops the flag, for this test only), as browsers do over the TLS proxy in real use.

Usage: ``.venv/bin/python bench/load_test.py [--users 32] [--iterations 20] [--pdf-every 0]
[--max-seconds 300]``
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_web

REPO = bench_web.REPO
QUESTIONS_FILE = REPO / "rules" / "no" / "questions.yaml"
RESULT_PATH = re.compile(r"^/vurdering/([^/?#]+)$")
MAX_STEPS = 40  # a wizard run with more steps than this is stuck

#: Typed answers by question type (the wizard accepts Norwegian input).
TYPED_ANSWERS: dict[str, list[str]] = {
    "amount": ["3 600 000", "450000", "2,4 mill.", "12 000 000", "1 500 000"],
    "months": ["12", "24", "48"],
    "date": ["01.03.2026", "15.09.2025", "01.01.2026"],
    "cpv": ["98310000", "90910000-9", "85311000", "79530000", ""],
    "text": ["Vaskeritjenester 2027", "Kantinedrift", "Arbeidstrening <b>&amp;</b> «test»", ""],
}


# ---------------------------------------------------------------------------- the questions


@dataclass
class Question:
    id: str
    type: str
    field: str
    options: list[str] = field(default_factory=list)
    flag_fields: dict[str, str] = field(default_factory=dict)  # flags: box value -> Case field


def load_questions() -> dict[str, Question]:
    """Questions by the names a form may use for them: question id and Case field."""
    if not QUESTIONS_FILE.exists():
        return {}
    data = yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8")) or {}
    found: dict[str, Question] = {}
    for page in data.get("pages", []):
        for item in page.get("questions", []):
            options = [str(o.get("value")) for o in item.get("options", []) or []]
            flags = {
                str(o.get("value")): o.get("field", str(o.get("value")))
                for o in item.get("options", []) or []
                if item.get("type") == "flags"
            }
            question = Question(
                item["id"], item.get("type", "text"), item.get("field", item["id"]), options, flags
            )
            found[question.id] = question
            found.setdefault(question.field, question)
            for flag_field in flags.values():
                found.setdefault(flag_field, question)
    return found


# ---------------------------------------------------------------------------- measurements


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    errors: list[str] = field(default_factory=list)
    wizard_runs: int = 0
    api_runs: int = 0
    pdfs: int = 0
    not_started: int = 0  # iterations left out by --max-seconds (not errors, but reported)

    def record(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies[kind].append(seconds * 1000)
            self.statuses[status] += 1

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class Failed(Exception):
    """One user's iteration failed (already recorded as an error)."""


class User:
    """One simulated user: a requests session, a client address, a random generator."""

    def __init__(
        self, number: int, base: str, stats: Stats, questions: dict[str, Question], seed: int
    ) -> None:
        self.number = number
        self.base = base
        self.stats = stats
        self.questions = questions
        self.rng = random.Random(seed * 1000 + number)
        self.http = requests.Session()
        self.http.headers.update(
            {
                "X-Forwarded-For": f"10.7.{number // 250}.{number % 250 + 1}",
                # every fourth user reads English (both catalogs, both PDF/API languages)
                "Accept-Language": "en-GB,en;q=0.8"
                if number % 4 == 3
                else "nb-NO,nb;q=0.9,en;q=0.5",
                "User-Agent": f"advisor-load-test/{number}",
            }
        )

    # -- HTTP with every hop counted

    def request(self, kind: str, method: str, url: str, **kwargs: Any) -> requests.Response:
        """One request (redirects followed by hand, each hop counted); errors raise Failed."""
        url = urllib.parse.urljoin(self.base + "/", url)
        for _hop in range(10):
            started = time.perf_counter()
            try:
                response = self.http.request(
                    method, url, allow_redirects=False, timeout=30, **kwargs
                )
            except requests.RequestException as error:
                self.stats.record(kind, time.perf_counter() - started, 0)
                self.fail(f"{method} {url}: {type(error).__name__}: {error}")
            self.stats.record(kind, time.perf_counter() - started, response.status_code)
            for cookie in self.http.cookies:  # the Secure session cookie, sent over loopback HTTP
                cookie.secure = False
            if response.status_code >= 400:
                rid = response.headers.get("X-Request-ID", "?")
                self.fail(
                    f"{method} {url}: {response.status_code} (request id {rid}): "
                    f"{_snippet(response.text)}"
                )
            if response.is_redirect:
                url = urllib.parse.urljoin(url, response.headers["Location"])
                method, kwargs, kind = "GET", {}, kind.split(" ")[0] + " GET"
                continue
            return response
        self.fail(f"too many redirects from {url}")
        raise AssertionError  # unreachable

    def fail(self, message: str) -> None:
        self.stats.error(f"user {self.number}: {message}")
        raise Failed(message)

    # -- the wizard

    def answer(self, form: bench_web.Form) -> list[tuple[str, str]]:
        """Form data: hidden fields kept, each question answered, the forward button pressed."""
        data: list[tuple[str, str]] = []
        radios: dict[str, list[bench_web.FormField]] = collections.defaultdict(list)
        checkboxes: dict[str, list[bench_web.FormField]] = collections.defaultdict(list)
        for item in form.fields:
            if item.type == "radio":
                radios[item.name].append(item)
            elif item.type == "checkbox":
                checkboxes[item.name].append(item)
            elif item.type in ("submit", "button", "reset", "image", "file"):
                continue
            elif item.type == "hidden":
                data.append((item.name, item.value))
            elif item.type == "select":
                values = [value for value, _selected in item.options if value]
                chosen = next((v for v, s in item.options if s), values[0] if values else "")
                if values and self._known(item.name):
                    chosen = self.rng.choice(values)
                data.append((item.name, chosen))
            else:
                data.append((item.name, self.typed(item)))
        for name, group in radios.items():
            data.append((name, self.rng.choice(group).value))
        for name, boxes in checkboxes.items():
            for box in boxes:
                if self.rng.random() < 0.3 or (box.checked and not self._known(name)):
                    data.append((name, box.value or "on"))
        button = bench_web.forward_button(form)
        if button is not None and button.name:
            data.append((button.name, button.value))
        return data

    def _known(self, name: str) -> Question | None:
        return self.questions.get(name) or self.questions.get(name.split("-")[0])

    def typed(self, item: bench_web.FormField) -> str:
        question = self._known(item.name)
        kind = question.type if question else {"date": "date", "number": "months"}.get(item.type)
        if kind in TYPED_ANSWERS:
            if kind == "date" and item.value and self.rng.random() < 0.5:
                return item.value  # keep the default (today)
            return self.rng.choice(TYPED_ANSWERS[kind])
        return item.value

    def wizard(self, fetch_pdf: bool) -> None:
        response = self.request("page GET", "GET", "/")
        url = response.url
        previous: tuple[str, frozenset[str]] | None = None
        for _step in range(MAX_STEPS):
            path = urllib.parse.urlsplit(url).path
            match = RESULT_PATH.match(path)
            if match:
                self.result(response, match.group(1), fetch_pdf)
                return
            page = bench_web.parse_page(response.text)
            form = bench_web.question_form(page, set(self.questions))
            if form is None:
                self.fail(f"no form to submit on {path} (and not a result page)")
            state = (
                path,
                frozenset(
                    f"{f.name}={f.value}"
                    for f in form.fields
                    if f.type == "hidden" and "csrf" not in f.name
                ),
            )
            if state == previous:
                errors = re.findall(
                    r'class="[^"]*error[^"]*"[^>]*>(.*?)<', response.text, re.DOTALL
                )
                self.fail(
                    f"the wizard did not move on from {path}: "
                    f"{'; '.join(e.strip() for e in errors[:3]) or 'no error shown'}"
                )
            previous = state
            action = urllib.parse.urljoin(url, form.action or url)
            if form.method == "post":
                response = self.request("wizard POST", "POST", action, data=self.answer(form))
            else:
                response = self.request("page GET", "GET", action, params=self.answer(form))
            url = response.url
        self.fail(f"no result after {MAX_STEPS} steps (last page {url})")

    def result(self, response: requests.Response, assessment_id: str, fetch_pdf: bool) -> None:
        if assessment_id not in response.text and "<h1" not in response.text:
            self.fail(f"result page for {assessment_id} shows no result")
        if fetch_pdf:
            pdf_links = re.findall(r'href="([^"]+\.pdf[^"]*)"', response.text)
            if not pdf_links:
                self.fail(f"no guidance PDF link on the result page of {assessment_id}")
            pdf = self.request(
                "pdf GET",
                "GET",
                urllib.parse.urljoin(response.url, pdf_links[0].replace("&amp;", "&")),
            )
            if not pdf.content.startswith(b"%PDF"):
                self.fail(f"the guidance PDF of {assessment_id} is not a PDF")
            with self.stats.lock:
                self.stats.pdfs += 1
        with self.stats.lock:
            self.stats.wizard_runs += 1

    # -- the API

    def api(self) -> None:
        case = dict(bench_web.API_CASE)
        case["estimated_value_nok"] = self.rng.choice(
            [90_000, 450_000, 1_500_000, 3_600_000, 12_000_000, 80_000_000]
        )
        case["buyer_type"] = self.rng.choice(["municipality", "county", "state"])
        case["target_supplier"] = self.rng.choice(["wise", "ideell", "social_enterprise", "none"])
        created = self.request(
            "api POST",
            "POST",
            bench_web.API_PATH,
            json=case,
            headers={"Accept": "application/json"},
        )
        if created.status_code != 201:
            self.fail(f"POST {bench_web.API_PATH}: {created.status_code}, expected 201")
        saved = created.json()
        again = self.request(
            "api GET",
            "GET",
            f"{bench_web.API_PATH}/{saved['id']}",
            headers={"Accept": "application/json"},
        )
        if again.json().get("regime") != saved.get("regime"):
            self.fail(f"GET {saved['id']}: the saved assessment differs from the created one")
        with self.stats.lock:
            self.stats.api_runs += 1


def _snippet(text: str) -> str:
    """What the page says went wrong: its error summary (role="alert") or <main>, as text."""
    for pattern in (r'role="alert"[^>]*>(.*?)</div>', r"<main\b[^>]*>(.*?)</main>"):
        match = re.search(pattern, text, re.DOTALL)
        if match:
            text = match.group(1)
            break
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())[:300]


# ---------------------------------------------------------------------------- main


def run(
    base: str,
    *,
    users: int,
    iterations: int,
    max_seconds: float,
    wizard: bool,
    api: bool,
    seed: int,
    pdf_every: int = 0,
) -> tuple[Stats, float]:
    stats = Stats()
    questions = load_questions()
    deadline = time.monotonic() + max_seconds
    start = threading.Barrier(users)

    def simulate(number: int) -> None:
        user = User(number, base, stats, questions, seed)
        start.wait()
        for iteration in range(iterations):
            if time.monotonic() > deadline:
                with stats.lock:
                    stats.not_started += iterations - iteration
                return
            for part in (("wizard",) if wizard else ()) + (("api",) if api else ()):
                try:
                    if part == "wizard":
                        user.wizard(fetch_pdf=pdf_every > 0 and iteration % pdf_every == 0)
                    else:
                        user.api()
                except Failed:
                    pass
                except Exception as error:  # noqa: BLE001  (a bug in this script is an error too)
                    stats.error(f"user {number}: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=simulate, args=(n,), daemon=True) for n in range(users)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max_seconds + 120)
    return stats, time.perf_counter() - began


def report(stats: Stats, elapsed: float, args: argparse.Namespace, notes: list[str]) -> None:
    total = stats.requests
    pdfs = f"every {args.pdf_every}. run" if args.pdf_every else "no"
    print(
        f"load: {args.users} users x {args.iterations} iterations "
        f"(wizard: {'yes' if args.wizard else 'no'}, PDF: {pdfs}, "
        f"api: {'yes' if args.api else 'no'}), "
        f"gunicorn.conf.py with {os.environ.get('GUNICORN_WORKERS') or 2 * (os.cpu_count() or 1)} sync workers, "
        f"loopback, load generator on the same cores"
    )
    print(
        f"load: {total:,} requests in {elapsed:.1f} s = {total / elapsed:,.0f} req/s; "
        f"{stats.wizard_runs} wizard runs to a result ({stats.pdfs} guidance PDFs), "
        f"{stats.api_runs} API create+read pairs"
    )
    print(
        f"load: errors {len(stats.errors)} (target 0: {'ok' if not stats.errors else 'MISSED'}); "
        f"statuses {dict(sorted(stats.statuses.items()))}"
    )
    if stats.not_started:
        print(
            f"load: MISSED: {stats.not_started} user iterations not started within "
            f"--max-seconds {args.max_seconds:g} (the machine was too slow to finish the run)"
        )
    every = [v for values in stats.latencies.values() for v in values]
    rows = [("all requests", every)] + sorted(stats.latencies.items())
    for kind, values in rows:
        if values:
            print(
                f"load: {kind:<14} n={len(values):6,}  p50 {percentile(values, 50):7.1f} ms  "
                f"p90 {percentile(values, 90):7.1f} ms  p99 {percentile(values, 99):7.1f} ms  "
                f"max {max(values):7.1f} ms  mean {statistics.fmean(values):6.1f} ms"
            )
    for note in notes:
        print(f"load: note: {note}")
    print(
        f"load: load average at the end: {' '.join(f'{n:.2f}' for n in os.getloadavg())} "
        f"on {os.cpu_count()} cores (other work on the machine shows up in the latencies)"
    )
    for message in stats.errors[:10]:
        print(f"load: ERROR {message}")
    if len(stats.errors) > 10:
        print(f"load: ... and {len(stats.errors) - 10} more errors")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=300.0,
        help="no new iteration starts after this (the test stops by itself)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pdf-every",
        type=int,
        default=0,
        help="every Nth wizard run of a user also downloads the PDF (0: never)",
    )
    parser.add_argument("--no-wizard", dest="wizard", action="store_false")
    parser.add_argument("--no-api", dest="api", action="store_false")
    parser.add_argument("--base-url", help="an already running server on loopback (no gunicorn)")
    args = parser.parse_args(argv)

    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="load-test-") as tmp:
        workdir = Path(tmp)
        if args.base_url:
            if urllib.parse.urlsplit(args.base_url).hostname not in (
                "127.0.0.1",
                "localhost",
                "::1",
            ):
                print("load: --base-url must be a loopback address")
                return 2
            return _run_and_report(args.base_url, args, notes, None)
        env = bench_web.app_env(
            workdir, env="production", secret="load-test-" + "0123456789abcdef" * 3
        )
        env["TRUSTED_PROXIES"] = "1"  # X-Forwarded-For: one client address per user
        spec = "advisor:create_app()"
        with bench_web.gunicorn_server("app", spec, env=env, workdir=workdir) as server:
            front = bench_web.fetch(server.url + "/")
            if args.wizard and front.status == 404:
                notes.append("GET / is 404: the wizard has not landed; only the API was loaded")
                args.wizard = False
            api = bench_web.fetch(
                server.url + bench_web.API_PATH,
                data=b"{}",
                headers={"Content-Type": "application/json"},
            )
            if args.api and api.status in (404, 405):
                notes.append(f"POST {bench_web.API_PATH} is {api.status}: the API has not landed")
                args.api = False
            if not (args.wizard or args.api):
                print("load: nothing to load (neither the wizard nor the API is there): MISSED")
                return 0
            return _run_and_report(server.url, args, notes, server)


def _run_and_report(
    base: str, args: argparse.Namespace, notes: list[str], server: bench_web.Server | None
) -> int:
    master = server.process.pid if server is not None else None
    cpu_before = bench_web.server_cpu_seconds(master) if master else float("nan")
    stats, elapsed = run(
        base,
        users=args.users,
        iterations=args.iterations,
        max_seconds=args.max_seconds,
        wizard=args.wizard,
        api=args.api,
        seed=args.seed,
        pdf_every=args.pdf_every,
    )
    cpu = (bench_web.server_cpu_seconds(master) if master else float("nan")) - cpu_before
    if server is not None and stats.requests:
        notes.append(
            f"server CPU (master and workers): {cpu:.1f} s = "
            f"{cpu * 1000 / stats.requests:.2f} ms per request; "
            f"{cpu / elapsed:.2f} of {os.cpu_count()} cores busy on average"
        )
    if server is not None:
        logged = [
            line
            for line in server.stderr().splitlines()
            if '"level": "ERROR"' in line or "Traceback" in line or "[CRITICAL]" in line
        ]
        if logged:
            stats.error(f"the server logged {len(logged)} error lines, e.g. {logged[0][:300]}")
    report(stats, elapsed, args, notes)
    print(f"load: finished at {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    return 1 if stats.errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as failure:
        print(f"load: FAILED: {failure}")
        sys.exit(1)
