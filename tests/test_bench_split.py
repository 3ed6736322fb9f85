"""bench/bench_web_split.py: the middleware that splits a request's CPU time."""

from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import bench_web_split


def test_timed_passes_responses_through_and_counts_requests(tmp_path: Path) -> None:
    app = Flask(__name__)

    @app.get("/")
    def index() -> str:
        return "x" * 1000

    counter = tmp_path / "counter"
    app.wsgi_app = bench_web_split.Timed(app.wsgi_app, counter)  # type: ignore[method-assign]
    client = app.test_client()
    for _ in range(bench_web_split.WRITE_EVERY - 1):
        assert client.get("/").data == b"x" * 1000
    assert not counter.exists()  # written every WRITE_EVERY requests, not on each
    assert client.get("/").status_code == 200
    requests, seconds = counter.read_text(encoding="utf-8").split()
    assert int(requests) == bench_web_split.WRITE_EVERY
    assert 0 < float(seconds) < 5


def test_the_served_app_stays_a_flask_app(monkeypatch, tmp_path: Path) -> None:
    """gunicorn.conf.py warms a Flask app before forking: the wrapper must not hide it."""
    monkeypatch.setenv(bench_web_split.INNER_ENV, "bare")
    monkeypatch.setenv(bench_web_split.COUNTER_ENV, str(tmp_path / "counter"))
    served = bench_web_split.served_app()
    assert isinstance(served, Flask)
    assert isinstance(served.wsgi_app, bench_web_split.Timed)
