"""Logs (``advisor.logs``): JSON lines on stderr, a request id on every request and response,
one access-log line per request."""

from __future__ import annotations

import datetime as dt
import json
import logging

from advisor import logs

PAGE = "/no-such-page"


def request_lines(stderr: str) -> list[dict]:
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("logger") == "advisor.request"]


def test_request_log_line_has_every_field_operators_rely_on(client, capsys):
    capsys.readouterr()
    client.get(PAGE, headers={"X-Request-ID": "log-fields-1234"})
    stderr = capsys.readouterr().err
    (line,) = request_lines(stderr)
    assert list(line) == [
        "time",
        "level",
        "logger",
        "message",
        "method",
        "path",
        "status",
        "duration_ms",
        "request_id",
        "env",
    ]
    assert line["level"] == "INFO" and line["message"] == "request"
    assert (line["method"], line["path"], line["status"]) == ("GET", PAGE, 404)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == "log-fields-1234"
    assert line["env"] == "development"
    parsed = dt.datetime.fromisoformat(line["time"])
    assert parsed.utcoffset() == dt.timedelta(0)
    assert abs((dt.datetime.now(dt.UTC) - parsed).total_seconds()) < 60
    # json.dumps's separators: the benchmarks grep the logs for '"level": "ERROR"'.
    raw = next(text for text in stderr.splitlines() if '"advisor.request"' in text)
    assert '"level": "INFO", "logger": "advisor.request"' in raw


def test_request_log_line_honours_levels_and_disabled_loggers(client, capsys):
    capsys.readouterr()
    request_log = logging.getLogger("advisor.request")
    try:
        request_log.setLevel(logging.WARNING)
        client.get(PAGE)
        assert request_lines(capsys.readouterr().err) == []
        request_log.setLevel(logging.NOTSET)
        request_log.disabled = True
        client.get(PAGE)
        assert request_lines(capsys.readouterr().err) == []
    finally:
        request_log.setLevel(logging.NOTSET)
        request_log.disabled = False
    client.get(PAGE)
    assert len(request_lines(capsys.readouterr().err)) == 1


def test_other_log_lines_keep_request_id_and_env(client, capsys):
    capsys.readouterr()
    client.get(PAGE, headers={"X-Request-ID": "other-line-1234"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    error_line = next(line for line in lines if line["message"] == "error response")
    assert error_line["request_id"] == "other-line-1234"
    assert error_line["env"] == "development"
    assert error_line["status"] == 404


def test_json_formatter_output_is_json_dumps_output():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "héllo %s", ("wörld",), None)
    record.request_id = None
    record.path = "/æ"
    record.obj = object()  # not JSON: written as str()
    line = logs.JsonFormatter().format(record)
    data = json.loads(line)
    assert line == json.dumps(data, ensure_ascii=False)
    assert data["message"] == "héllo wörld" and data["path"] == "/æ"
    assert data["obj"].startswith("<object object")


def test_request_ids_are_new_random_hex_unless_the_proxy_sent_a_good_one(client):
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(50)}
    assert len(ids) == 50
    assert all(len(rid) == 32 and int(rid, 16) >= 0 for rid in ids)
    for good in ("abcd.EFGH-12_34", "x" * 128):
        assert (
            client.get("/healthz", headers={"X-Request-ID": good}).headers["X-Request-ID"] == good
        )
    # A trailing newline cannot be sent through the test client's headers, only the environ.
    for bad in ("short", "x" * 129, "abcdefgh\n", "abc defgh", "abcdefgh,ijklmnop"):
        sent = {"HTTP_X_REQUEST_ID": bad}
        echoed = client.get("/healthz", environ_overrides=sent).headers["X-Request-ID"]
        assert echoed != bad and len(echoed) == 32, bad


def test_a_views_own_request_id_header_is_replaced(make_app):
    app = make_app()
    app.add_url_rule("/_test/rid", "rid", lambda: ("x", 200, {"X-Request-ID": "from-the-view"}))
    response = app.test_client().get("/_test/rid", headers={"X-Request-ID": "from-the-proxy"})
    assert response.headers.getlist("X-Request-ID") == ["from-the-proxy"]
