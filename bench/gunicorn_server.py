"""The app under gunicorn as production runs it, for the benchmarks that measure it from outside.

``production_env`` makes the environment ``make serve-prod`` would have: ``ADVISOR_ENV=production``,
a generated ``SECRET_KEY``, and a temporary instance folder whose SQLite database is migrated
with ``alembic upgrade head`` (as ``make install`` does). ``gunicorn_server`` runs
``gunicorn -c gunicorn.conf.py wsgi:app`` on a free 127.0.0.1 port until its block ends, and
stops master and workers with it. Nothing listens on any other address.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
APP_SPEC = "wsgi:app"  # what make serve-prod serves


def tool(name: str) -> str:
    """A console script of this virtualenv (else from PATH)."""
    candidate = VENV_BIN / name
    return str(candidate) if candidate.exists() else (shutil.which(name) or name)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(workdir: Path, **overrides: str) -> dict[str, str]:
    """The variables the app reads in production, with a fresh, migrated SQLite database."""
    instance = workdir / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{instance / 'advisor.db'}"
    migrated = subprocess.run(
        [tool("alembic"), "upgrade", "head"],
        cwd=REPO,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if migrated.returncode != 0:
        raise RuntimeError(f"alembic upgrade head failed:\n{migrated.stderr[-2000:]}")
    return {
        "ADVISOR_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        **overrides,
    }


@dataclass
class Server:
    """A running gunicorn master (``process``) answering on ``url``."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def logged_errors(self) -> list[str]:
        """Lines of the server's log that report an error (the app logs JSON lines)."""
        return [
            line
            for line in self.log().splitlines()
            if '"level": "ERROR"' in line
            or '"level": "CRITICAL"' in line
            or "Traceback" in line
            or "[CRITICAL]" in line
        ]


def start(env: dict[str, str], workdir: Path, *, workers: int | None = None) -> Server:
    """Start ``gunicorn -c gunicorn.conf.py wsgi:app`` on a free loopback port; do not wait."""
    port = free_port()
    log_path = workdir / f"gunicorn-{port}.log"
    full_env = {
        **os.environ,
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESSLOG": str(workdir / f"access-{port}.log"),
        "PYTHONUNBUFFERED": "1",
    }
    if workers is not None:
        full_env["GUNICORN_WORKERS"] = str(workers)
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [tool("gunicorn"), "-c", str(REPO / "gunicorn.conf.py"), APP_SPEC],
            cwd=REPO,
            env=full_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() signals master and workers
        )
    return Server(f"http://127.0.0.1:{port}", process, log_path)


def wait_answered(server: Server, path: str = "/", timeout: float = 90.0) -> float:
    """Poll ``path`` until it answers 200; return the monotonic time the answer arrived."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with {server.process.returncode}:\n{server.log()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(server.url + path, timeout=timeout) as response:
                response.read()
                if response.status == 200:
                    return time.monotonic()
        except (OSError, urllib.error.URLError):
            time.sleep(0.01)
    raise RuntimeError(f"gunicorn did not answer {path} within {timeout:.0f} s:\n{server.log()}")


def stop(server: Server, timeout: float = 30.0) -> None:
    """SIGTERM to the server's process group (as systemd stops it), then SIGKILL if needed."""
    process = server.process
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


@contextlib.contextmanager
def running(env: dict[str, str], workdir: Path, *, workers: int | None = None) -> Iterator[Server]:
    """A started server that answers ``GET /``, stopped when the block ends."""
    server = start(env, workdir, workers=workers)
    try:
        wait_answered(server)
        yield server
    finally:
        stop(server)


def worker_pids(master: int) -> list[int]:
    """The live worker processes of a gunicorn master (Linux /proc)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
    return pids


_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) one process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def cpu_seconds(master: int) -> float:
    """CPU seconds used so far by a gunicorn master and its workers, exited workers included."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            if pid == master:
                total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
            elif int(fields[1]) == master:
                total += int(fields[11]) + int(fields[12])
    return total / _TICKS
