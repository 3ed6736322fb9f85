"""Languages: bokmål (``nb``, the default) and English (``en``) with Flask-Babel.

The locale is chosen, in this order, from ``?lang=`` (remembered in the session for pages),
the session, a ``lang`` cookie, then bokmål. Pages are bokmål by default whatever the browser
says (many Norwegian officials run English-language browsers); English is a choice made with
the language switch. The JSON API (``/api/``) is stateless and honours Accept-Language (``no``,
``nn``, ``nb-NO``, ``nn-NO`` count as bokmål). Outside a request (CLI, background jobs) it is
``nb``; use ``flask_babel.force_locale("en")`` there.

Jinja globals: ``get_locale()`` (``<html lang="{{ get_locale() }}">``), ``current_language()``
(``"nb"``/``"en"``) and ``language_links()`` (the language switch, plain links: works without
JavaScript). Message ids are English; the nb catalog translates every one of them.

``gettext`` (``_``) here is Flask-Babel's, made cheap: a page calls it dozens of times (``_()`` and
``local()`` in templates), and Flask-Babel looks the request's locale and catalog up again on
every call. This module keeps both, per request, on Flask-Babel's own request state, keyed by
the locale object: ``force_locale`` and ``refresh`` (which replace it) still take effect. The
templates' ``_()`` goes through the same lookup.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from babel import Locale
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from advisor.settings import REPO_ROOT

LANGUAGES: tuple[str, ...] = ("nb", "en")
DEFAULT_LANGUAGE = "nb"
LANGUAGE_NAMES = {"nb": "Norsk (bokmål)", "en": "English"}
SESSION_KEY = "lang"
# Norwegian in any written form is served in bokmål (the only Norwegian catalog).
ALIASES = {"no": "nb", "nb": "nb", "nn": "nb", "nob": "nb", "nno": "nb", "nor": "nb", "en": "en"}

babel = Babel()
LOCALES: dict[str, Locale] = {code: Locale.parse(code) for code in LANGUAGES}


def normalize(value: str | None) -> str | None:
    """``"nb-NO"``, ``"nn_NO"``, ``"no"`` → ``"nb"``; ``"en-GB"`` → ``"en"``; else ``None``."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return ALIASES.get(primary)


def select_locale() -> Locale:
    """The locale selector given to Flask-Babel. It returns ready ``Locale`` objects: Flask-Babel
    passes the selector's answer through ``Locale.parse``, which takes one as it is but parses a
    string anew on every request."""
    return LOCALES[_selected_language()]


def _selected_language() -> str:
    if not has_request_context():
        return DEFAULT_LANGUAGE
    # ``request`` and ``session`` are context-local proxies: each attribute looks the context up.
    req = request._get_current_object()  # type: ignore[attr-defined]
    asked = normalize(req.args.get("lang"))
    if asked:
        return asked
    for remembered in (session.get(SESSION_KEY), req.cookies.get("lang")):
        language = normalize(remembered)
        if language:
            return language
    if req.path.startswith("/api/"):
        for value, _quality in req.accept_languages:  # best first
            language = normalize(value)
            if language:
                return language
    return DEFAULT_LANGUAGE


def remember_language() -> None:
    """``?lang=`` on a page is remembered in the session (the JSON API stays stateless)."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    if "lang" not in req.args:  # the usual case: no need to look at the session
        return
    asked = normalize(req.args.get("lang"))
    if asked and not req.path.startswith("/api/") and session.get(SESSION_KEY) != asked:
        session[SESSION_KEY] = asked


def _current() -> tuple[NullTranslations, str, Locale | None]:
    """The request's catalog, language (``"nb"``/``"en"``) and locale, looked up once per locale.

    Called for every text on a page: ``g`` is resolved with ``_get_current_object()`` (an
    attribute read through the proxy costs ten times as much).
    """
    try:
        state = getattr(g._get_current_object(), "_flask_babel", None)  # type: ignore[attr-defined]
    except RuntimeError:  # no app context
        state = None
    if state is not None:
        locale = getattr(state, "babel_locale", None)
        cached = getattr(state, "advisor_i18n", None)
        if cached is not None and locale is not None and cached[0] is locale:
            return cached[1], cached[2], locale
    locale = get_locale()  # runs the locale selector once, creates the state in a request
    language = (normalize(str(locale)) if locale is not None else None) or DEFAULT_LANGUAGE
    translations = _translations(locale)
    if locale is not None:
        g._flask_babel.advisor_i18n = (locale, translations, language)
    return translations, language, locale


def _translations(locale: Locale | None) -> NullTranslations:
    """Flask-Babel's catalog for ``locale``, kept per app and locale after the first request.

    Flask-Babel finds it again on every request in its own cache (keyed by the locale's name,
    made anew each time, after looking up the request's domain and locale once more: about
    10 µs of a page); the object is the same every time, as Flask-Babel loads a catalog once
    and never reloads it."""
    if locale is None or not has_request_context():
        return get_translations()
    extensions = current_app._get_current_object().extensions  # type: ignore[attr-defined]
    kept: dict[Locale, NullTranslations] | None = extensions.get("advisor_translations")
    if kept is None:
        kept = extensions["advisor_translations"] = {}
    translations = kept.get(locale)
    if translations is None:
        translations = kept[locale] = get_translations()
    return translations


def template_locale() -> Locale | None:
    """``get_locale()`` in templates: Flask-Babel's locale, from the per-request cache."""
    return _current()[2]


def current_language() -> str:
    """``"nb"`` or ``"en"``: the language of the current request."""
    return _current()[1]


def gettext(string: str, **variables: Any) -> str:
    """Flask-Babel's ``gettext``: the translation, ``%(name)s`` filled in from ``variables``."""
    text = _current()[0].ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """Flask-Babel's ``ngettext``: singular or plural by ``num`` (also ``%(num)d``)."""
    variables.setdefault("num", num)
    return _current()[0].ungettext(singular, plural, num) % variables


_ = gettext


@pass_context
def template_gettext(context: Context, string: str, /, **variables: Any) -> str:
    """``_("...")`` in a template, as Jinja's newstyle gettext does it: the translation is
    always a format string (``%%`` is a percent sign) and, with autoescape, the variables are
    escaped. A text with no variables and no ``%`` is what formatting would give back, so it
    is not formatted (``Markup % {}`` goes through markupsafe's escaping helper: a few µs for
    each of a page's ``_()``)."""
    text = _current()[0].ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    if not variables and "%" not in text:
        return text
    return text % variables


def switch_url(language: str) -> str:
    """The current page's URL in ``language`` (the query string is kept)."""
    if not request.args:  # the usual case; the same URL as urlencode gives
        return f"{request.script_root}{request.path}?lang={language}"
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    args.append(("lang", language))
    return f"{request.script_root}{request.path}?{urlencode(args)}"


def language_links() -> list[dict[str, Any]]:
    """The language switch: ``[{code, name, url, current}]`` for every language."""
    current = current_language()
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "url": switch_url(code),
            "current": code == current,
        }
        for code in LANGUAGES
    ]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Oslo")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(REPO_ROOT / "translations"))
    babel.init_app(app, locale_selector=select_locale)
    # Replaces the callables Flask-Babel installed: the same translations, looked up once.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda string: _current()[0].ugettext(string),
        ngettext=lambda s, p, n: _current()[0].ungettext(s, p, n),
        pgettext=lambda c, s: _current()[0].upgettext(c, s),
        npgettext=lambda c, s, p, n: _current()[0].unpgettext(c, s, p, n),
        newstyle=True,
    )
    # ``_()`` and ``gettext()`` in templates: Jinja's newstyle gettext in one call (Jinja's own
    # goes through two context calls and a name lookup per text).
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
    app.before_request(remember_language)
    app.jinja_env.globals.update(
        get_locale=template_locale,
        current_language=current_language,
        language_links=language_links,
    )
