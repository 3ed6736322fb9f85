"""Web throughput: wizard pages and the JSON API vs a bare Flask+Jinja page, same gunicorn config.

Issue 7 target: wizard page and API request throughput >= 50 % of the bare ceiling.

Both servers run in this one process's lifetime, side by side, with gunicorn.conf.py unchanged
(sync workers, 2 per core, preload, access log on) on free loopback ports:

- the app: ``ADVISOR_ENV=production``, a SECRET_KEY, a temporary instance folder whose SQLite
  database is migrated with ``alembic upgrade head`` (as ``make install`` does). Rate limits are
  switched off (``RATELIMIT_ENABLED=False``): all load comes from one address, and a limit meant
  for one user would otherwise turn most requests into 429s;
- the baseline: bench/bare_app.py (one route, a comparable template, no Babel/CSRF/DB).

wrk (Debian package ``wrk``) measures each target ``-t1 -c16 -d5s --latency``, runs interleaved
(bare, page, page, api, bare, ...), 3 runs each after a short warm-up; medians are printed. wrk
runs on the same cores as the servers, so the figures are conservative. Around every run the
server's CPU time (master and workers, from /proc) is read, giving CPU per request: on a busy
host it moves far less than requests/s. One line per figure: requests/s, p50/p99, CPU per
request, and the share of the bare ceiling by requests/s (the target) and by CPU. Always exits 0
once it has measured; a missed target is printed as MISSED.

Targets: the bare page; the wizard front page ``GET /``; the first wizard step (reached by
posting the start form, as a user does); answering that step (POST with CSRF token and session
cookie: saves the draft, 303); ``POST /api/v1/assessments``; ``GET`` of the saved assessment.

Usage: ``.venv/bin/python bench/bench_web.py [--duration 5] [--runs 3] [--connections 16]``.
bench/load_test.py imports the server helpers from here.
"""

from __future__ import annotations

import argparse
import contextlib
import html.parser
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
VENV_BIN = Path(sys.executable).parent
TARGET_RATIO = 0.50

#: A valid Case (design.md section 4): a municipality buys laundry services for 3.6 MNOK
#: and wants to reserve the competition for work-integration enterprises.
API_CASE = {
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


# ---------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tool(name: str) -> str:
    """A console script from this venv (falls back to PATH)."""
    candidate = VENV_BIN / name
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


def migrate(database_url: str) -> None:
    """``alembic upgrade head`` on ``database_url``, as ``make install`` does."""
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(
        [tool("alembic"), "upgrade", "head"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"alembic upgrade head failed:\n{result.stderr[-2000:]}")


@dataclass
class Server:
    """A gunicorn master started by ``gunicorn_server``."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    stderr_path: Path
    workdir: Path
    database_url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""


def app_env(workdir: Path, *, env: str = "production", secret: str | None = None) -> dict[str, str]:
    """Environment for the app: a temporary instance folder with a migrated SQLite database."""
    instance = workdir / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{instance / 'advisor.db'}"
    migrate(database_url)
    return {
        "ADVISOR_ENV": env,
        "SECRET_KEY": secret or "bench-" + os.urandom(24).hex(),
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


@contextlib.contextmanager
def gunicorn_server(
    name: str,
    app_spec: str,
    *,
    env: dict[str, str] | None = None,
    workdir: Path,
    extra_args: tuple[str, ...] = (),
    boot_timeout: float = 60.0,
) -> Iterator[Server]:
    """Run ``gunicorn -c gunicorn.conf.py APP_SPEC`` on a free loopback port until the block ends."""
    port = free_port()
    logs = workdir / f"{name}.log"
    access = workdir / f"{name}.access.log"
    full_env = {
        **os.environ,
        **(env or {}),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESSLOG": str(access),
        "PYTHONUNBUFFERED": "1",
    }
    full_env.setdefault("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1)))
    command = [tool("gunicorn"), "-c", str(REPO / "gunicorn.conf.py"), *extra_args, app_spec]
    with logs.open("wb") as stderr_file:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=full_env,
            stdout=stderr_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(
        name, f"http://127.0.0.1:{port}", process, logs, workdir, (env or {}).get("DATABASE_URL")
    )
    try:
        wait_ready(server, boot_timeout)
        yield server
    finally:
        stop(process)


def wait_ready(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name}: gunicorn exited with {server.process.returncode}:\n"
                f"{server.stderr()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise RuntimeError(
        f"{server.name}: not ready after {timeout:.0f} s:\n{server.stderr()[-3000:]}"
    )


def stop(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Graceful stop: SIGTERM to the server's own process group (master and workers), as
    systemd does; then SIGKILL to that group.

    A worker still running gunicorn's ``post_fork`` hook has not installed its own signal
    handlers yet, and ignores the master's SIGTERM until ``graceful_timeout`` (30 s); the group
    signal reaches it directly.
    """
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # start_new_session: the group is the server's
    except ProcessLookupError:
        return
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


# ---------------------------------------------------------------------------- HTML forms


@dataclass
class FormField:
    tag: str  # input | select | textarea | button
    type: str  # text, radio, checkbox, hidden, submit, date, number, ... ("select" for select)
    name: str
    value: str = ""
    checked: bool = False
    label: str = ""  # a button's text
    options: list[tuple[str, bool]] = field(default_factory=list)  # select: (value, selected)


@dataclass
class Form:
    action: str
    method: str
    fields: list[FormField] = field(default_factory=list)

    def names(self) -> set[str]:
        return {f.name for f in self.fields if f.type not in ("submit", "button", "hidden")}


class FormParser(html.parser.HTMLParser):
    """Forms (with their fields) and links of an HTML page; stdlib only."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._option: tuple[str, bool] | None = None
        self._button: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value if value is not None else "" for key, value in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(a.get("action", ""), (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            self._form.fields.append(
                FormField("input", kind, a["name"], a.get("value", ""), "checked" in a)
            )
        elif tag == "button":
            kind = (a.get("type") or "submit").lower()
            self._button = FormField("button", kind, a.get("name", ""), a.get("value", ""))
            self._form.fields.append(self._button)
        elif tag == "select" and a.get("name"):
            self._select = FormField("select", "select", a["name"])
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value", ""), "selected" in a)
            self._select.options.append(self._option)
        elif tag == "textarea" and a.get("name"):
            self._textarea = FormField("textarea", "textarea", a["name"])
            self._form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button.label += data
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "button":
            if self._button is not None:
                self._button.label = " ".join(self._button.label.split())
            self._button = None
        elif tag == "textarea":
            self._textarea = None


def parse_page(body: str) -> FormParser:
    parser = FormParser()
    parser.feed(body)
    parser.close()
    return parser


_NOT_FORWARD = re.compile(
    r"back|tilbake|forrige|previous|prev|cancel|avbryt|delete|slett|later|senere|lagre og avslutt|"
    r"restart|start på nytt|start over|edit|endre|search|søk|add|legg til|remove|fjern",
    re.IGNORECASE,
)


def forward_button(form: Form) -> FormField | None:
    """The submit button that moves on (not back, cancel, save-for-later, search, ...)."""
    buttons = [
        f for f in form.fields if f.type == "submit" and (f.tag == "button" or f.tag == "input")
    ]
    forward = [b for b in buttons if not _NOT_FORWARD.search(f"{b.value} {b.label} {b.name}")]
    return forward[0] if forward else None


def question_form(page: FormParser, questions: set[str]) -> Form | None:
    """The page's wizard form: the one asking the most known questions (else the largest)."""
    forms = [f for f in page.forms if f.method == "post" or f.names() & questions]
    if not forms:
        return None
    return max(forms, key=lambda f: (len(f.names() & questions), len(f.fields)))


# ---------------------------------------------------------------------------- discovery


class LoopbackCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """Send ``Secure`` cookies over plain HTTP too: only for our own server on 127.0.0.1.

    In production mode the session cookie is ``Secure`` (behind TLS in real use); on loopback
    there is no TLS, and a browser-like client would otherwise drop the session (and CSRF token).
    """

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return True


def new_jar() -> http.cookiejar.CookieJar:
    return http.cookiejar.CookieJar(policy=LoopbackCookiePolicy())


@dataclass
class Fetched:
    status: int
    url: str
    body: str
    cookie: str


def fetch(
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    jar: http.cookiejar.CookieJar | None = None,
) -> Fetched:
    jar = jar if jar is not None else new_jar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=10) as response:
            status, final, body = response.status, response.geturl(), response.read()
    except urllib.error.HTTPError as error:
        status, final, body = error.code, url, error.read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return Fetched(status, final, body.decode("utf-8", "replace"), cookie)


def question_ids() -> set[str]:
    """Question ids and Case fields named in rules/no/questions.yaml (when it exists)."""
    path = REPO / "rules" / "no" / "questions.yaml"
    if not path.exists():
        return set()
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r"^\s*-?\s*(?:id|field):\s*([A-Za-z_][\w-]*)\s*$", text, re.MULTILINE))


@dataclass
class Target:
    label: str
    method: str
    path: str
    note: str = ""
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _local_path(base: str, url: str) -> str | None:
    parsed = urllib.parse.urlsplit(urllib.parse.urljoin(base + "/", url))
    if parsed.netloc != urllib.parse.urlsplit(base).netloc:
        return None
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


def _form_data(form: Form, button: FormField | None) -> bytes:
    pairs = [(f.name, f.value) for f in form.fields if f.type == "hidden"]
    if button is not None and button.name:
        pairs.append((button.name, button.value))
    return urllib.parse.urlencode(pairs).encode()


def _answer_target(base: str, url: str, form: Form, headers: dict[str, str]) -> Target | None:
    """POST the first step's answers (CSRF token, defaults, first option): saves the draft."""
    pairs: list[tuple[str, str]] = []
    radios_done: set[str] = set()
    for item in form.fields:
        if item.type in ("submit", "button", "checkbox", "reset", "image", "file"):
            continue
        if item.type == "radio":
            if item.name not in radios_done:
                radios_done.add(item.name)
                pairs.append((item.name, item.value))
            continue
        value = item.value
        if item.type == "date" and not value:
            value = "01.03.2026"
        pairs.append((item.name, value))
    button = forward_button(form)
    if button is not None and button.name:
        pairs.append((button.name, button.value))
    path = _local_path(base, urllib.parse.urljoin(url, form.action or url))
    if path is None:
        return None
    body = urllib.parse.urlencode(pairs)
    probe = fetch(
        base + path,
        data=body.encode(),
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    if probe.status >= 400:
        return None
    return Target(
        "wizard answer step",
        "POST",
        path,
        body=body,
        note="303 to the next step",
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    )


def discover_wizard(base: str) -> tuple[list[Target], list[str]]:
    """The wizard's front page and its first question step, found as a user would.

    The first step is reached by a link from the front page, or by submitting the front page's
    start form (CSRF token and session cookie included). The cookie, if any, is sent by wrk too.
    Falls back to ``/healthz`` (with a note) when there is no wizard yet.
    """
    notes: list[str] = []
    jar = new_jar()
    front = fetch(base + "/", jar=jar)
    if front.status != 200:
        notes.append(
            f"GET / answers {front.status}: the wizard has not landed; "
            "measuring GET /healthz instead (not a wizard page)"
        )
        return [Target("healthz (fallback)", "GET", "/healthz")], notes
    targets = [Target("wizard front page", "GET", "/")]
    questions = question_ids()
    page = parse_page(front.body)
    if question_form(page, questions) and question_form(page, questions).names() & questions:
        notes.append("the front page itself asks the first questions")
        return targets, notes
    candidates = []
    for form in page.forms:  # a start form first, then links
        path = _local_path(base, form.action or front.url)
        if path is not None and form.method == "post":
            candidates.append(("POST", path, _form_data(form, forward_button(form))))
    for href in page.links:
        path = _local_path(base, href)
        if path is None or path.split("?")[0] in ("", "/") or "lang=" in path:
            continue
        if path.startswith(("/static/", "/healthz", "/readyz", "/api/")):
            continue
        candidates.append(("GET", path, None))
    for method, path, data in candidates:
        attempt_jar = new_jar()
        for cookie in jar:
            attempt_jar.set_cookie(cookie)
        step = fetch(
            base + path,
            data=data,
            jar=attempt_jar,
            headers={"Content-Type": "application/x-www-form-urlencoded"} if data else {},
        )
        form = question_form(parse_page(step.body), questions) if step.status == 200 else None
        if form is not None and form.names() & questions:
            step_path = _local_path(base, step.url) or path
            headers = {"Cookie": step.cookie} if step.cookie else {}
            via = f"{method} {path}" if method == "POST" else f"link {path}"
            targets.append(Target("wizard first step", "GET", step_path, note=via, headers=headers))
            notes.append(f"first wizard step {step_path} reached by {via}")
            answer = _answer_target(base, step.url, form, headers)
            if answer is not None:
                targets.append(answer)
            break
    else:
        notes.append("no wizard step with a question found from the front page")
    return targets, notes


def discover_api(base: str) -> tuple[list[Target], str]:
    """``POST /api/v1/assessments`` (and ``GET`` of the assessment it saved), if there."""
    body = json.dumps(API_CASE)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    response = fetch(base + API_PATH, data=body.encode(), headers=headers)
    if response.status in (404, 405):
        return [], f"POST {API_PATH}: not available ({response.status}); the API has not landed"
    if response.status != 201:
        return [], (
            f"POST {API_PATH}: not measured: a valid case got {response.status}: "
            f"{response.body[:300]}"
        )
    targets = [Target("api create assessment", "POST", API_PATH, body=body, headers=headers)]
    with contextlib.suppress(ValueError, KeyError, TypeError):
        saved = json.loads(response.body)["id"]
        targets.append(
            Target(
                "api read assessment",
                "GET",
                f"{API_PATH}/{saved}",
                headers={"Accept": "application/json"},
            )
        )
    return targets, ""


# ---------------------------------------------------------------------------- wrk


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int
    cpu_ms_per_request: float = float("nan")  # server CPU (all workers) per request


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    def grab(pattern: str, default: str | None = None) -> str:
        match = re.search(pattern, output, re.MULTILINE)
        if match:
            return match.group(1)
        if default is None:
            raise ValueError(f"wrk output without {pattern!r}:\n{output}")
        return default

    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return WrkResult(
        rps=float(grab(r"^Requests/sec:\s+([\d.]+)")),
        p50_ms=_ms(grab(r"^\s+50%\s+(\S+)")),
        p99_ms=_ms(grab(r"^\s+99%\s+(\S+)")),
        requests=int(grab(r"^\s+(\d+) requests in")),
        non_2xx=int(grab(r"Non-2xx or 3xx responses: (\d+)", "0")),
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def lua_script(target: Target, workdir: Path) -> Path | None:
    if target.method == "GET" and not target.headers:
        return None
    lines = [f"wrk.method = {json.dumps(target.method)}"]
    if target.body is not None:
        lines.append(f"wrk.body = {json.dumps(target.body)}")
    for name, value in target.headers.items():
        lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    slug = re.sub(r"\W+", "-", target.label)
    path = workdir / f"wrk-{slug}.lua"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def server_cpu_seconds(master: int) -> float:
    """CPU seconds used by a gunicorn master and all its workers, dead ones included.

    Live processes: utime + stime from /proc; workers that exited (``max_requests``) and were
    reaped are in the master's cutime + cstime. Linux only; NaN elsewhere.
    """
    total = 0
    try:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                pid = int(stat.parent.name)
                if pid == master:
                    total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
                elif int(fields[1]) == master:
                    total += int(fields[11]) + int(fields[12])
    except OSError:
        return float("nan")
    return total / _TICKS


def run_wrk(
    url: str, script: Path | None, *, duration: float, connections: int, master: int | None = None
) -> WrkResult:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--latency", "--timeout", "5s"]
    if script is not None:
        command += ["-s", str(script)]
    cpu_before = server_cpu_seconds(master) if master else float("nan")
    result = subprocess.run(
        command + [url], capture_output=True, text=True, timeout=duration + 30, check=False
    )
    cpu_after = server_cpu_seconds(master) if master else float("nan")
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    measured = parse_wrk(result.stdout)
    if measured.requests:
        measured.cpu_ms_per_request = (cpu_after - cpu_before) * 1000 / measured.requests
    return measured


def fmt_line(
    label: str, target: Target, runs: list[WrkResult], bare: tuple[float, float] | None
) -> str:
    """One figure: req/s, p50/p99, share of the bare ceiling by throughput and by server CPU."""
    rps = statistics.median(r.rps for r in runs)
    p50 = statistics.median(r.p50_ms for r in runs)
    p99 = statistics.median(r.p99_ms for r in runs)
    cpu = statistics.median(r.cpu_ms_per_request for r in runs)
    failed = sum(r.non_2xx + r.socket_errors for r in runs)
    path = re.sub(r"/assessments/[^/?]+", "/assessments/<id>", target.path)
    path = re.sub(r"/[A-Za-z0-9_-]{20,}", "/<draft>", path)
    line = (
        f"web: {label:<22} {target.method:<4} {path:<40} {rps:7,.0f} req/s  "
        f"p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  cpu {cpu:5.2f} ms/req"
    )
    if bare is None:
        line += "  (bare ceiling)"
    else:
        bare_rps, bare_cpu = bare
        ratio = rps / bare_rps
        verdict = "ok" if ratio >= TARGET_RATIO else "MISSED"
        line += (
            f"  {ratio:4.0%} of bare (target >= {TARGET_RATIO:.0%}: {verdict});"
            f" by CPU {bare_cpu / cpu:4.0%}"
        )
    line += f"  [runs: {', '.join(f'{r.rps:,.0f}' for r in runs)} req/s]"
    if failed:
        line += f"  FAILED RESPONSES: {failed} non-2xx/socket errors"
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)

    if shutil.which("wrk") is None:
        print("web: wrk is not installed (apt-get install wrk); nothing measured: MISSED")
        return 0
    workers = os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1)))
    print(
        f"web: gunicorn.conf.py, {workers} sync workers, {os.cpu_count()} cores shared with wrk; "
        f"wrk -t1 -c{args.connections} -d{args.duration:g}s, {args.runs} runs, medians"
    )
    print(
        f"web: load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())} "
        "(other work on the machine makes the figures noisier; the ratios are from one run)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        workdir = Path(tmp)
        env = app_env(workdir)
        app_spec = "advisor:create_app({'RATELIMIT_ENABLED': False})"
        with (
            gunicorn_server(
                "bare", "bare_app:app", workdir=workdir, extra_args=("--pythonpath", str(BENCH))
            ) as bare,
            gunicorn_server("app", app_spec, env=env, workdir=workdir) as app,
        ):
            page_targets, notes = discover_wizard(app.url)
            api_targets, api_note = discover_api(app.url)
            targets: list[tuple[Server, Target]] = [
                (bare, Target("bare Flask+Jinja page", "GET", "/"))
            ]
            targets += [(app, target) for target in page_targets]
            targets += [(app, target) for target in api_targets]
            scripts = {id(t): lua_script(t, workdir) for _, t in targets}
            for server, target in targets:  # warm-up: templates compiled, caches filled
                run_wrk(
                    server.url + target.path,
                    scripts[id(target)],
                    duration=1,
                    connections=args.connections,
                )
            results: dict[int, list[WrkResult]] = {id(t): [] for _, t in targets}
            for _run in range(args.runs):
                for server, target in targets:
                    results[id(target)].append(
                        run_wrk(
                            server.url + target.path,
                            scripts[id(target)],
                            duration=args.duration,
                            connections=args.connections,
                            master=server.process.pid,
                        )
                    )
            bare_runs = results[id(targets[0][1])]
            bare = (
                statistics.median(r.rps for r in bare_runs),
                statistics.median(r.cpu_ms_per_request for r in bare_runs),
            )
            for index, (_server, target) in enumerate(targets):
                print(
                    fmt_line(
                        target.label, target, results[id(target)], None if index == 0 else bare
                    )
                )
            for note in notes:
                print(f"web: note: {note}")
            print(f"web: load average after: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
            if api_note:
                print(f"web: api: {api_note}")
            errors = [
                line
                for line in app.stderr().splitlines()
                if '"level": "ERROR"' in line or "Traceback" in line
            ]
            if errors:
                print(f"web: the app logged {len(errors)} error lines, e.g.: {errors[0][:300]}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as failure:  # a server did not start, wrk broke: no figures at all
        print(f"web: FAILED: {failure}")
        sys.exit(1)
