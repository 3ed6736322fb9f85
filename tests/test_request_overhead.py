"""The per-request framework work made cheap (issue #7) still does everything it did.

Request log line, security headers, request id, session cookie, CSRF token and rate-limit
bookkeeping: each fast path is checked against what the slower, general code gave.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import re
import time

import pytest
from flask import Blueprint, Flask, session
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import generate_csrf
from itsdangerous import URLSafeTimedSerializer

from advisor import security

PAGE = "/no-such-page"


def request_lines(stderr: str) -> list[dict]:
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("logger") == "advisor.request"]


# ------------------------------------------------------------------------------ request log line


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


def test_utc_timestamp_matches_datetime_isoformat():
    values = [random.uniform(0, 4e9) for _ in range(20_000)]
    values += [1.9999995, 2.0000005, 1.0004995, 1.9999994999, 1_700_000_000.9999996, 0.0]
    for value in values:
        expected = dt.datetime.fromtimestamp(value, dt.UTC).isoformat(timespec="milliseconds")
        assert security.utc_timestamp(value) == expected, value


def test_json_formatter_output_is_json_dumps_output():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "héllo %s", ("wörld",), None)
    record.request_id = None
    record.path = "/æ"
    record.obj = object()  # not JSON: written as str()
    line = security.JsonFormatter().format(record)
    data = json.loads(line)
    assert line == json.dumps(data, ensure_ascii=False)
    assert data["message"] == "héllo wörld" and data["path"] == "/æ"
    assert data["obj"].startswith("<object object")


# ------------------------------------------------------------------------------ session cookie


def stock_serializer(app, secret_key=None):
    """What Flask's own session interface signs and verifies with."""
    from flask.sessions import SecureCookieSessionInterface

    stock = SecureCookieSessionInterface()
    if secret_key is None:
        return stock.get_signing_serializer(app)
    saved = app.secret_key
    app.secret_key = secret_key
    try:
        return stock.get_signing_serializer(app)
    finally:
        app.secret_key = saved


def test_session_serializer_is_built_once_per_key_set(app):
    interface = app.session_interface
    assert isinstance(interface, security.SessionInterface)
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    app.config["SECRET_KEY_FALLBACKS"] = ["old-key"]
    rotated = interface.get_signing_serializer(app)
    assert rotated is not first
    assert interface.get_signing_serializer(app) is rotated


def test_session_cookies_are_flasks_own(app):
    """Cookies signed by Flask's stock interface are read, and ours verify with it: a rolling
    deploy mixes both, and nobody is signed out."""
    client = app.test_client()
    stock = stock_serializer(app)
    client.set_cookie("advisor_session", stock.dumps({"lang": "en"}))
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    ours = client.get_cookie("advisor_session").value
    assert stock.loads(ours)["lang"] == "en"
    assert app.session_interface.get_signing_serializer(app).dumps({"a": 1}) == stock.dumps(
        {"a": 1}
    )


def test_session_key_rotation_and_forged_cookies(app):
    client = app.test_client()
    client.set_cookie("advisor_session", stock_serializer(app, "old-key").dumps({"lang": "en"}))
    assert '<html lang="nb">' in client.get("/").get_data(as_text=True)  # unknown key: ignored
    app.config["SECRET_KEY_FALLBACKS"] = ["old-key"]
    client.set_cookie("advisor_session", stock_serializer(app, "old-key").dumps({"lang": "en"}))
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    signed, signature = stock_serializer(app).dumps({"lang": "en"}).rsplit(".", 1)
    forged = f"{signed}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
    client.set_cookie("advisor_session", forged)
    assert '<html lang="nb">' in client.get("/").get_data(as_text=True)


def opened(app, cookie: str) -> dict:
    """What the app's session interface opens from ``cookie``, as a plain dict."""
    with app.test_request_context("/", headers={"Cookie": f"advisor_session={cookie}"}):
        from flask import request

        return dict(app.session_interface.open_session(app, request))


def test_a_checked_session_cookie_opens_again_without_the_hmac_until_it_expires(app, monkeypatch):
    interface = app.session_interface
    serializer = interface.get_signing_serializer(app)
    calls = []
    loads = serializer.loads
    monkeypatch.setattr(serializer, "loads", lambda *a, **k: calls.append(1) or loads(*a, **k))
    clock = [time.time()]
    monkeypatch.setattr(security.time, "time", lambda: clock[0])  # itsdangerous's clock too
    cookie = serializer.dumps({"lang": "en", "csrf_token": "x" * 40})
    assert opened(app, cookie) == {"lang": "en", "csrf_token": "x" * 40}
    assert opened(app, cookie) == {"lang": "en", "csrf_token": "x" * 40}
    assert len(calls) == 1  # the second time from the kept result
    clock[0] += app.permanent_session_lifetime.total_seconds() - 1
    assert opened(app, cookie)["lang"] == "en"
    clock[0] += 2  # past PERMANENT_SESSION_LIFETIME: expired, kept or not
    assert opened(app, cookie) == {}
    forged = cookie[:-1] + ("A" if cookie[-1] != "A" else "B")
    assert opened(app, forged) == {}


def test_kept_session_cookies_are_isolated_bounded_and_dropped_on_key_rotation(app, monkeypatch):
    serializer = app.session_interface.get_signing_serializer(app)
    plain = serializer.dumps({"lang": "en"})
    first = opened(app, plain)
    first["lang"] = "nb"  # what one request changes does not reach the next
    assert opened(app, plain) == {"lang": "en"}
    with_list = serializer.dumps({"_flashes": [["info", "Lagret"]]})
    opened(app, with_list)
    assert with_list not in app.session_interface._opened  # mutable values are never kept
    monkeypatch.setattr(security, "SESSION_COOKIES_KEPT", 3)
    for number in range(7):
        assert opened(app, serializer.dumps({"n": number})) == {"n": number}
    assert len(app.session_interface._opened) <= 3
    assert opened(app, plain) == {"lang": "en"}  # kept again
    app.secret_key = "a-new-key"  # rotated without the old key as a fallback
    assert opened(app, plain) == {}


# ------------------------------------------------------------------------- headers, request id


def check_security_headers(response, what: str, *, https: bool, static: bool = False) -> None:
    for name, value in security.SECURITY_HEADERS.items():
        assert response.headers.getlist(name) == [value], (what, name)
    assert response.headers.getlist("Strict-Transport-Security") == (
        [security.HSTS] if https else []
    ), what
    rid = response.headers.getlist("X-Request-ID")
    assert len(rid) == 1 and len(rid[0]) >= 8, what
    vary = {v.strip() for v in response.headers.get("Vary", "").split(",")}
    assert ("Accept-Language" in vary) is not static, what


def test_security_headers_on_every_kind_of_response(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def crash() -> str:
        raise RuntimeError("boom")

    def limited() -> str:
        return "ok"

    app.add_url_rule("/_test/crash", "crash", crash)
    app.add_url_rule("/api/_test/crash", "api_crash", crash)
    app.add_url_rule("/_test/limited", "limited", security.limiter.limit("1/minute")(limited))
    for https in (False, True):
        client = app.test_client()
        base_url = "https://localhost" if https else "http://localhost"
        client.get("/_test/limited", base_url=base_url)
        responses = {
            "page": client.get("/", base_url=base_url),
            "json": client.get("/healthz", base_url=base_url),
            "404": client.get(PAGE, base_url=base_url),
            "405": client.post("/healthz", base_url=base_url),
            "500 page": client.get("/_test/crash", base_url=base_url),
            "500 problem+json": client.get("/api/_test/crash", base_url=base_url),
            "csrf 400": client.post("/ny", data={}, base_url=base_url),
            "429": client.get("/_test/limited", base_url=base_url),
            "api 404": client.get("/api/v1/assessments/nothing", base_url=base_url),
        }
        for what, response in responses.items():
            check_security_headers(response, what, https=https)
        assert responses["429"].status_code == 429
        assert responses["csrf 400"].status_code == 400
        assert "boom" not in responses["500 page"].get_data(as_text=True)
        static = client.get("/static/css/app.css", base_url=base_url)
        check_security_headers(static, "static", https=https, static=True)
        static.close()


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


# ------------------------------------------------------------------------------------ CSRF token


def page_token(client, path: str = "/") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_csrf_still_refuses_missing_forged_foreign_and_expired_tokens(make_app, monkeypatch):
    app = make_app()
    client = app.test_client()
    token = page_token(client)
    assert client.post("/ny", data={}).status_code == 400
    signed, signature = token.rsplit(".", 1)
    forged = f"{signed}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
    assert client.post("/ny", data={"csrf_token": forged}).status_code == 400
    other = app.test_client()
    assert other.post("/ny", data={"csrf_token": token}).status_code == 400  # not its session
    assert other.post("/ny", data={"csrf_token": page_token(other)}).status_code == 303
    assert client.post("/ny", data={"csrf_token": token}).status_code == 303
    # A token older than WTF_CSRF_TIME_LIMIT is refused.
    import itsdangerous.timed

    class Later:
        @staticmethod
        def time() -> float:
            return time.time() + app.config["WTF_CSRF_TIME_LIMIT"] + 5

    monkeypatch.setattr(itsdangerous.timed, "time", Later)
    assert client.post("/ny", data={"csrf_token": token}).status_code == 400


def test_a_pages_csrf_token_is_reused_for_its_session_for_a_few_minutes_only(make_app, monkeypatch):
    app = make_app()
    client = app.test_client()
    clock = [time.time()]
    monkeypatch.setattr(security.time, "time", lambda: clock[0])  # itsdangerous's clock too
    first = page_token(client)
    clock[0] += 60
    assert page_token(client, "/") == first  # the same session, a minute later: signed once
    other = app.test_client()
    assert page_token(other) != first  # never given to another session
    clock[0] += security.CSRF_TOKEN_REUSE_SECONDS
    renewed = page_token(client)
    assert renewed != first  # signed anew once the reuse window has passed
    assert page_token(client) == renewed
    # Both are Flask-WTF tokens of this session: the older one is still within its time limit.
    assert client.post("/ny", data={"csrf_token": first}).status_code == 303
    assert client.post("/ny", data={"csrf_token": renewed}).status_code == 303
    assert other.post("/ny", data={"csrf_token": renewed}).status_code == 400


def test_csrf_token_reuse_is_shorter_under_a_short_time_limit_and_bounded(make_app, monkeypatch):
    app = make_app(WTF_CSRF_TIME_LIMIT=20)  # reused for at most a tenth of it: 2 seconds
    client = app.test_client()
    clock = [time.time()]
    monkeypatch.setattr(security.time, "time", lambda: clock[0])
    first = page_token(client)
    clock[0] += 1
    assert page_token(client) == first
    clock[0] += 2
    assert page_token(client) != first
    monkeypatch.setattr(security, "CSRF_TOKENS_KEPT", 3)
    clients = [app.test_client() for _ in range(7)]
    tokens = [page_token(each) for each in clients]
    assert len(security._signed_tokens) <= 3
    for each, token in zip(clients, tokens, strict=True):
        assert each.post("/ny", data={"csrf_token": token}).status_code == 303


def test_csrf_token_uses_the_csrf_secret_key_when_set(make_app):
    app = make_app(WTF_CSRF_SECRET_KEY="a-separate-csrf-secret")
    client = app.test_client()
    token = page_token(client)
    assert client.post("/ny", data={"csrf_token": token}).status_code == 303
    with app.test_request_context():
        raw = "0" * 40
        session["csrf_token"] = raw
        ours = generate_csrf()
    with_secret = URLSafeTimedSerializer("a-separate-csrf-secret", salt="wtf-csrf-token")
    assert with_secret.loads(ours) == raw


def test_csrf_checked_for_every_unsafe_method_and_only_when_enabled(make_app):
    for enabled in (True, False):
        app = make_app(WTF_CSRF_ENABLED=enabled)
        app.add_url_rule(
            "/_test/form",
            "test_form",
            lambda: "done",
            methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        )
        client = app.test_client()
        assert client.get("/_test/form").status_code == 200
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = client.open("/_test/form", method=method, data={"x": "1"})
            assert response.status_code == (400 if enabled else 200), (method, enabled)
        token = page_token(client)
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            sent = client.open("/_test/form", method=method, data={"csrf_token": token})
            assert sent.status_code == 200, method
        header = client.post("/_test/form", headers={"X-CSRFToken": token})
        assert header.status_code == 200


# ---------------------------------------------------------------------------------- rate limits


def limited_view() -> str:
    return "limited"


def open_view() -> str:
    return "open"


def blueprint_view() -> str:
    return "blueprint"


def limited_app(**limiter_args) -> tuple[Flask, security.RouteLimiter]:
    """A small app with its own limiter (the app's limiter is shared by every test). Views are
    named functions: Flask-Limiter tells views apart by their qualified names."""
    app = Flask(__name__)
    app.config.update(RATELIMIT_STORAGE_URI="memory://", RATELIMIT_HEADERS_ENABLED=True)
    app.config.update(limiter_args.pop("config", {}))
    limiter = security.RouteLimiter(key_func=get_remote_address, **limiter_args)
    limiter.init_app(app)
    app.add_url_rule("/limited", "limited", limiter.limit("2/minute")(limited_view))
    app.add_url_rule("/open", "open", open_view)
    return app, limiter


def test_view_limits_still_count_and_send_headers_without_the_before_request_pass(monkeypatch):
    app, limiter = limited_app()
    assert not limiter.has_request_wide_limits()
    resolved = []
    original = limiter.limit_manager.resolve_limits
    monkeypatch.setattr(
        limiter.limit_manager,
        "resolve_limits",
        lambda *args, **kwargs: (
            resolved.append(kwargs.get("in_middleware", args[4:5])) or original(*args, **kwargs)
        ),
    )
    client = app.test_client()
    for _ in range(5):
        assert client.get("/open").status_code == 200
    assert resolved == []  # nothing was looked up for a view without limits
    first = client.get("/limited")
    assert first.status_code == 200 and first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert client.get("/limited").status_code == 200
    refused = client.get("/limited")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert len(resolved) == 3  # the view's own pass, once per request


@pytest.mark.parametrize(
    "kind", ["default_limits", "application_limits", "blueprint", "meta_limits"]
)
def test_request_wide_limits_bring_the_before_request_pass_back(kind):
    if kind == "blueprint":
        app, limiter = limited_app()
        blueprint = Blueprint("limited_bp", __name__)
        blueprint.add_url_rule("/bp", "bp", blueprint_view)
        limiter.limit("1/minute")(blueprint)
        app.register_blueprint(blueprint)
        path, allowed = "/bp", 1
    elif kind == "meta_limits":
        # A meta limit counts breaches of other limits and then refuses every request.
        app, limiter = limited_app(meta_limits=["1/minute"])
        client = app.test_client()
        assert [client.get("/limited").status_code for _ in range(3)] == [200, 200, 429]
        assert client.get("/open").status_code == 429
        return
    else:
        app, limiter = limited_app(**{kind: ["1/minute"]})
        path, allowed = "/open", 1
    assert limiter.has_request_wide_limits()
    client = app.test_client()
    assert [client.get(path).status_code for _ in range(allowed + 1)] == [200] * allowed + [429]


def test_switched_off_limits_count_nothing():
    app, _limiter = limited_app(config={"RATELIMIT_ENABLED": False})
    client = app.test_client()
    assert [client.get("/limited").status_code for _ in range(4)] == [200] * 4


# ------------------------------------------------------------------------------------- language


def test_template_locale_is_the_cached_flask_babel_locale(app):
    from flask import render_template_string
    from flask_babel import force_locale, get_locale

    from advisor import i18n

    assert app.jinja_env.globals["get_locale"] is i18n.template_locale
    with app.test_request_context("/?lang=en"):
        assert render_template_string("{{ get_locale() }}") == "en"
        assert i18n.template_locale() is get_locale()
        with force_locale("nb"):
            assert render_template_string("{{ get_locale() }}") == "nb"
        assert render_template_string("{{ get_locale() }}") == "en"
    with app.test_request_context("/"):
        assert render_template_string("{{ get_locale() }}") == "nb"


def test_language_choice_is_remembered_only_when_asked(client):
    assert '<html lang="en">' in client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    assert '<html lang="nb">' in client.get("/?lang=nb").get_data(as_text=True)
    assert '<html lang="nb">' in client.get("/").get_data(as_text=True)
    fresh = client.application.test_client()
    response = fresh.get("/healthz")
    assert not any("advisor_session=" in c for c in response.headers.getlist("Set-Cookie"))
    api = fresh.get("/api/v1/assessments/nothing?lang=en")
    assert not any("advisor_session=" in c for c in api.headers.getlist("Set-Cookie"))


def test_locale_selector_hands_flask_babel_ready_locales(app):
    """The selector returns one shared ``Locale`` per language, which Flask-Babel uses as it is
    (a string would be parsed again on every request); the language rules are unchanged."""
    from flask_babel import get_locale

    from advisor.i18n import LOCALES, select_locale

    for path, expected in (("/?lang=en", "en"), ("/?lang=nn", "nb"), ("/", "nb")):
        with app.test_request_context(path):
            assert select_locale() is LOCALES[expected]
            assert get_locale() is LOCALES[expected]
            assert str(get_locale()) == expected
    with app.test_request_context("/api/v1/assessments", headers={"Accept-Language": "en-GB"}):
        assert get_locale() is LOCALES["en"]


def test_catalogs_kept_per_locale_are_flask_babels_own(app):
    """Each request's catalog is the one Flask-Babel gives for its locale, also under
    force_locale; it is looked up in Flask-Babel once per locale and then kept."""
    from flask_babel import force_locale, get_translations

    from advisor import i18n

    for path, word in (("/?lang=en", "Continue"), ("/", "Fortsett")):
        with app.test_request_context(path):
            assert i18n.gettext("Continue") == word
            assert i18n._current()[0] is get_translations()
            with force_locale("en" if word != "Continue" else "nb"):
                assert i18n.gettext("Continue") != word
                assert i18n._current()[0] is get_translations()
    kept = app.extensions["advisor_translations"]
    assert {str(locale) for locale in kept} == {"en", "nb"}
    assert kept[i18n.LOCALES["nb"]].ugettext("Continue") == "Fortsett"


def test_saving_an_unchanged_session_gives_flasks_headers(make_app, monkeypatch):
    """The cheap path of SessionInterface.save_session: the same Vary and Set-Cookie headers as
    Flask's own, for sessions read, changed, emptied and never touched."""
    from flask.sessions import SecureCookieSessionInterface

    app = make_app()
    app.add_url_rule("/_test/vary", "own_vary", lambda: ("x", 200, {"Vary": "Origin"}))

    def flash_and_read() -> str:
        from flask import flash

        flash("saved")
        return "x"

    app.add_url_rule("/_test/flash", "flash", flash_and_read)
    requests = [
        ("GET", "/"),
        ("GET", "/?lang=en"),  # the session changes: Set-Cookie
        ("GET", "/"),
        ("GET", "/no-such-page"),
        ("GET", "/static/css/app.css"),
        ("GET", "/healthz"),
        ("GET", "/api/v1/assessments/none"),
        ("GET", "/_test/vary"),
        ("GET", "/_test/flash"),
        ("GET", "/"),  # the flash is read and removed: the session changes again
    ]

    def headers_of(save) -> list[list[tuple[str, str]]]:
        monkeypatch.setattr(app.session_interface, "save_session", save)
        security.limiter.reset()  # the API's X-RateLimit-Remaining starts from the top
        client = app.test_client()
        seen = []
        for method, path in requests:
            response = client.open(path, method=method, headers={"X-Request-ID": "same-id-1234"})
            response.close()
            seen.append(
                [
                    (name, value.split("=", 1)[0] if name == "Set-Cookie" else value)
                    for name, value in response.headers
                ]
            )
        return seen

    ours = headers_of(security.SessionInterface.save_session.__get__(app.session_interface))
    flasks = headers_of(SecureCookieSessionInterface.save_session.__get__(app.session_interface))
    for index, (mine, theirs) in enumerate(zip(ours, flasks, strict=True)):
        assert mine == theirs, (requests[index], set(mine) ^ set(theirs))
    assert any(("Vary", "Accept-Language, Cookie") in response for response in ours)
    assert any(name == "Set-Cookie" for response in ours for name, _value in response)
