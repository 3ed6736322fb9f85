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

``gettext`` (``_``) and ``ngettext`` are Flask-Babel's; templates use Jinja's i18n extension
as Flask-Babel installs it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale, gettext, ngettext

from advisor.settings import REPO_ROOT

LANGUAGES: tuple[str, ...] = ("nb", "en")
DEFAULT_LANGUAGE = "nb"
LANGUAGE_NAMES = {"nb": "Norsk (bokmål)", "en": "English"}
SESSION_KEY = "lang"
# Norwegian in any written form is served in bokmål (the only Norwegian catalog).
ALIASES = {"no": "nb", "nb": "nb", "nn": "nb", "nob": "nb", "nno": "nb", "nor": "nb", "en": "en"}

babel = Babel()

__all__ = ["current_language", "gettext", "language_links", "ngettext", "normalize"]


def normalize(value: str | None) -> str | None:
    """``"nb-NO"``, ``"nn_NO"``, ``"no"`` → ``"nb"``; ``"en-GB"`` → ``"en"``; else ``None``."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return ALIASES.get(primary)


def select_locale() -> str:
    """The locale selector given to Flask-Babel: the request's language code."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    asked = normalize(request.args.get("lang"))
    if asked:
        return asked
    for remembered in (session.get(SESSION_KEY), request.cookies.get("lang")):
        language = normalize(remembered)
        if language:
            return language
    if request.path.startswith("/api/"):
        for value, _quality in request.accept_languages:  # best first
            language = normalize(value)
            if language:
                return language
    return DEFAULT_LANGUAGE


def remember_language() -> None:
    """``?lang=`` on a page is remembered in the session (the JSON API stays stateless)."""
    asked = normalize(request.args.get("lang"))
    if asked and not request.path.startswith("/api/") and session.get(SESSION_KEY) != asked:
        session[SESSION_KEY] = asked


def current_language() -> str:
    """``"nb"`` or ``"en"``: the language of the current request (``nb`` outside one)."""
    locale = get_locale()
    return (normalize(str(locale)) if locale is not None else None) or DEFAULT_LANGUAGE


def switch_url(language: str) -> str:
    """The current page's URL in ``language`` (the query string is kept)."""
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
    app.before_request(remember_language)
    app.jinja_env.globals.update(
        get_locale=get_locale,
        current_language=current_language,
        language_links=language_links,
    )
