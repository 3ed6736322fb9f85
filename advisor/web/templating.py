"""Template plumbing shared by every page: ``url_for`` in templates with cached static URLs,
and the base layout's language-wide parts rendered once per language (``page_layout``).

A page links 3-5 stylesheets and scripts with ``url_for('static', filename=...)``; Flask builds
each through the URL map (about 20 µs each, a tenth of a wizard step's rendering). Those URLs
depend only on the file name and the request's script root, so they are built once and kept.
Every other ``url_for`` call goes to Flask unchanged.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, has_request_context, request
from jinja2.environment import TemplateModule

from advisor.i18n import template_locale

#: More distinct (script root, file) pairs than this are built every time, not kept.
MAX_CACHED = 512
#: The parts of base.html that depend only on the language and the script root.
LAYOUT = "_layout.html"


def init_app(app: Flask) -> None:
    build = app.url_for
    cache: dict[tuple[str, str], str] = {}

    def url_for(endpoint: str, /, **values: Any) -> str:
        if (
            endpoint == "static"
            and len(values) == 1
            and "filename" in values
            and has_request_context()  # outside a request Flask builds external URLs
        ):
            key = (request.script_root, values["filename"])
            url = cache.get(key)
            if url is None:
                url = build(endpoint, **values)
                if len(cache) < MAX_CACHED and not app.url_default_functions.get(None):
                    cache[key] = url
            return url
        return build(endpoint, **values)

    app.jinja_env.globals["url_for"] = url_for
    app.jinja_env.globals["page_layout"] = page_layout


def page_layout() -> TemplateModule:
    """The variables of ``templates/_layout.html`` for the current request: what ``base.html``
    shows on every page that depends only on the locale and the script root (``layout.lang``,
    ``layout.stylesheets``, the translated skip link, language label and footer). Rendered once
    per locale and script root and kept, instead of five translation and URL lookups on every
    page; rendered anew each time while templates auto-reload (development), so an edited
    template shows at once, and when the app has URL defaults that could change static URLs."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    env = app.jinja_env
    if env.auto_reload or not has_request_context() or app.url_default_functions.get(None):
        return env.get_template(LAYOUT).make_module()
    cache: dict[tuple[Any, str], TemplateModule] = app.extensions.setdefault("advisor_layouts", {})
    key = (template_locale(), request.script_root)
    found = cache.get(key)
    if found is None:
        found = env.get_template(LAYOUT).make_module()
        if len(cache) < MAX_CACHED:
            cache[key] = found
    return found
