"""Template plumbing shared by every page: ``url_for`` in templates with cached static URLs.

A page links 3-5 stylesheets and scripts with ``url_for('static', filename=...)``; Flask builds
each through the URL map (about 20 µs each, a tenth of a wizard step's rendering). Those URLs
depend only on the file name and the request's script root, so they are built once and kept.
Every other ``url_for`` call goes to Flask unchanged.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request

#: More distinct (script root, file) pairs than this are built every time, not kept.
MAX_CACHED = 512


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
