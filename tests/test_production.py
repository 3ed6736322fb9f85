"""The production server: gunicorn with gunicorn.conf.py, as ``make serve-prod`` runs it.

- A graceful reload (SIGHUP to the master) while API requests are in flight: every request
  succeeds, the workers are replaced, and every saved assessment is still there afterwards.
- ``ADVISOR_ENV=production`` without ``SECRET_KEY``: gunicorn exits non-zero, saying why.
- An invalid rule base (``RULES_DIR``): gunicorn does not boot; stderr names each error as
  ``path:line:col: message``.

Each server binds a free 127.0.0.1 port and is stopped at the end (SIGTERM to its process group,
then SIGKILL to it). Skips only when gunicorn cannot run here at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from advisor.settings import REPO_ROOT

WORKERS = 2
BOOT_TIMEOUT = 45.0
CASE = {
    "law_as_of": "2026-03-01",
    "title": "Vaskeritjenester (reload-test)",
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
OWN_SETTINGS = ("ADVISOR_ENV", "SECRET_KEY", "DATABASE_URL", "RULES_DIR", "INSTANCE_PATH")


def gunicorn_command() -> list[str]:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        pytest.skip("gunicorn is not installed in this environment")
    script = Path(sys.executable).parent / "gunicorn"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "gunicorn"]


def free_port() -> int:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    except OSError as error:
        pytest.skip(f"cannot bind a loopback port here: {error}")


def server_env(tmp_path: Path, database_url: str, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OWN_SETTINGS}
    env.update(
        INSTANCE_PATH=str(tmp_path / "instance"),
        DATABASE_URL=database_url,
        GUNICORN_WORKERS=str(WORKERS),
        GUNICORN_ACCESSLOG=str(tmp_path / "access.log"),
        API_RATE_LIMIT="100000/minute",  # all requests come from one address
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


def start(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*gunicorn_command(), "-c", str(REPO_ROOT / "gunicorn.conf.py"), "wsgi:app"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process, f"http://127.0.0.1:{port}"


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (as systemd does), then SIGKILL to it.

    A worker still in gunicorn's ``post_fork`` hook ignores the master's SIGTERM until
    ``graceful_timeout``; the group signal reaches it directly.
    """
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def run_to_exit(env: dict[str, str], log: Path) -> tuple[int, str]:
    """Start gunicorn expecting it to refuse; its exit status and output."""
    process, _url = start(env, log)
    try:
        status = process.wait(BOOT_TIMEOUT)
    except subprocess.TimeoutExpired:
        stop(process)
        pytest.fail(f"gunicorn kept running; it should have refused to start:\n{log.read_text()}")
    return status, log.read_text(encoding="utf-8", errors="replace")


def call(method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read()[:300]


def wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + BOOT_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError):
            if call("GET", url + "/readyz")[0] == 200:
                return
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not become ready in {BOOT_TIMEOUT:.0f} s:\n{log.read_text()}")


def workers_of(master: int) -> set[int]:
    """Live child processes of ``master`` (Linux /proc)."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == master and fields[0] != "Z":
                children.add(int(stat.parent.name))
    return children


def wait_for(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def production_db(tmp_path: Path, migrated_sqlite_template: Path) -> str:
    (tmp_path / "instance").mkdir()
    path = tmp_path / "instance" / "advisor.db"
    shutil.copyfile(migrated_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def production_server(tmp_path: Path, production_db: str) -> Iterator[tuple[int, str, Path]]:
    env = server_env(
        tmp_path, production_db, ADVISOR_ENV="production", SECRET_KEY="production-test-" + "5" * 48
    )
    log = tmp_path / "gunicorn.log"
    process, url = start(env, log)
    try:
        wait_ready(process, url, log)
        yield process.pid, url, log
    finally:
        stop(process)


def test_graceful_reload_loses_no_request_and_no_assessment(production_server):
    master, url, log = production_server
    assert call("GET", url + "/healthz") == (200, {"status": "ok"})
    wait_for(lambda: len(workers_of(master)) == WORKERS, 20, f"{WORKERS} workers")
    before = workers_of(master)

    saved: list[str] = []
    failures: list[str] = []
    spans: list[tuple[float, float]] = []  # (sent, answered) of every successful request
    hup_sent: list[float] = []
    stop_sending = threading.Event()
    lock = threading.Lock()

    def client(number: int) -> None:
        sent = 0
        while not stop_sending.is_set() and sent < 200:
            sent += 1
            started = time.monotonic()
            try:
                status, body = call(
                    "POST",
                    url + "/api/v1/assessments",
                    {**CASE, "title": f"reload-test {number}-{sent}"},
                )
            except OSError as error:  # connection refused/reset: a request lost by the reload
                with lock:
                    failures.append(f"client {number}: {type(error).__name__}: {error}")
                continue
            with lock:
                if status == 201 and isinstance(body, dict) and body.get("id"):
                    saved.append(body["id"])
                    spans.append((started, time.monotonic()))
                else:
                    failures.append(f"client {number}: {status} {body!r}")

    clients = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(4)]
    for thread in clients:
        thread.start()
    wait_for(lambda: len(saved) >= 8 or failures, 20, "the first assessments")
    hup_sent.append(time.monotonic())
    os.kill(master, signal.SIGHUP)  # graceful reload: new workers, old ones finish first

    def replaced() -> bool:
        now = workers_of(master)
        return len(now) == WORKERS and not now & before

    wait_for(replaced, 25, "the workers to be replaced after SIGHUP")
    count_at_replacement = len(saved)
    wait_for(
        lambda: len(saved) >= count_at_replacement + 8 or failures,
        20,
        "assessments from the new workers",
    )
    stop_sending.set()
    for thread in clients:
        thread.join(30)

    assert not failures, failures[:5]
    assert len(saved) == len(set(saved)) >= 16
    in_flight = [span for span in spans if span[0] < hup_sent[0] < span[1]]
    assert in_flight, "no request was in flight when SIGHUP was sent"
    for assessment_id in saved:
        status, body = call("GET", f"{url}/api/v1/assessments/{assessment_id}")
        assert status == 200, (assessment_id, status, body)
        assert body["id"] == assessment_id
        assert body["regime"]["code"]
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "handling signal: hup" in text.lower(), text[-2000:]
    assert "Traceback" not in text, text[-3000:]
    # The master warmed the app once before forking (advisor/warmup.py), in both languages.
    warmed = [json.loads(line) for line in text.splitlines() if "warmed before fork" in line]
    assert len(warmed) == 1, text[-3000:]
    assert warmed[0]["warmed"]["languages"] == 2
    assert warmed[0]["warmed"]["templates"] >= 10


def test_production_without_secret_key_refuses_to_start(tmp_path, production_db):
    env = server_env(tmp_path, production_db, ADVISOR_ENV="production")
    status, output = run_to_exit(env, tmp_path / "gunicorn.log")
    assert status != 0
    assert "advisor: cannot start: SECRET_KEY is not set" in output, output
    assert "ADVISOR_ENV=production" in output
    assert "Booting worker" not in output  # preload: no worker ever started


def test_invalid_rule_base_stops_gunicorn_with_path_line_col(tmp_path, production_db):
    rules = tmp_path / "rules"
    shutil.copytree(REPO_ROOT / "rules" / "no", rules)
    broken = rules / "zz_broken.yaml"
    broken.write_text(
        "# a rule with an unknown fact and without its required keys\n"
        "- id: broken.example\n"
        "  when: {regim: part_ii}\n"
        "  then: {route: reserved_wise}\n",
        encoding="utf-8",
    )
    env = server_env(
        tmp_path,
        production_db,
        ADVISOR_ENV="production",
        SECRET_KEY="production-test-" + "5" * 48,
        RULES_DIR=str(rules),
    )
    status, output = run_to_exit(env, tmp_path / "gunicorn.log")
    assert status != 0
    assert "advisor: cannot start: the rule base in" in output, output
    located = re.findall(rf"^{re.escape(str(broken))}:(\d+):(\d+): \S.*$", output, re.MULTILINE)
    assert located, output
    assert all(int(line) >= 2 and int(column) >= 1 for line, column in located)
    assert "Booting worker" not in output
