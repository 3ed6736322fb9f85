"""The base layout (``templates/base.html``) on every page: the page's language, the language's
skip link, switch label and footer, and links under the app's mount point."""

from __future__ import annotations

import re

from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_babel import force_locale

NB = ("Hopp til hovedinnhold", 'aria-label="Språk"', "Veiledning for offentlige")
EN = ("Skip to main content", 'aria-label="Language"', "Guidance for public buyers")


def layout_texts(html: str) -> tuple[str, ...]:
    lang = re.search(r'<html lang="(\w+)">', html)
    assert lang is not None
    return (lang.group(1), *(text for text in NB + EN if text in html))


def test_the_layout_follows_the_language_back_and_forth(client: FlaskClient):
    assert layout_texts(client.get("/?lang=nb").get_data(as_text=True)) == ("nb", *NB)
    assert layout_texts(client.get("/?lang=en").get_data(as_text=True)) == ("en", *EN)
    assert layout_texts(client.get("/").get_data(as_text=True)) == ("en", *EN)  # remembered
    assert layout_texts(client.get("/?lang=nb").get_data(as_text=True)) == ("nb", *NB)
    assert layout_texts(client.get("/no-such-page").get_data(as_text=True)) == ("nb", *NB)


def test_force_locale_gets_the_other_languages_layout(app: Flask):
    page = (
        '{% extends "base.html" %}{% block title %}T{% endblock %}'
        '{% block content %}{{ _("Continue") }}{% endblock %}'
    )
    with app.test_request_context("/?lang=nb"):
        assert layout_texts(render_template_string(page)) == ("nb", *NB)
        with force_locale("en"):
            html = render_template_string(page)
            assert layout_texts(html) == ("en", *EN) and "Continue" in html
        assert layout_texts(render_template_string(page)) == ("nb", *NB)


def test_the_layout_follows_the_mount_point(client: FlaskClient):
    mounted = client.get("/", environ_overrides={"SCRIPT_NAME": "/anskaffelser"})
    html = mounted.get_data(as_text=True)
    assert 'href="/anskaffelser/static/css/app.css"' in html
    assert '<a class="site-name" href="/anskaffelser/"' in html
    plain = client.get("/").get_data(as_text=True)
    assert 'href="/static/css/app.css"' in plain and '<a class="site-name" href="/"' in plain
