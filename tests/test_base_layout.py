"""advisor/web/templating.py: the base layout's language-wide parts, rendered once per language
(``page_layout``), never show another language's texts, another mount point's links or an
outdated template."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from advisor.web.templating import LAYOUT, page_layout
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_babel import force_locale
from jinja2 import ChoiceLoader, FileSystemLoader

from advisor.settings import REPO_ROOT

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


def test_the_layout_is_kept_per_locale_and_equals_a_fresh_rendering(app: Flask):
    kept = {}
    for lang in ("nb", "en", "nb"):
        with app.test_request_context(f"/?lang={lang}"):
            layout = page_layout()
            assert page_layout() is layout  # kept, not rendered again
            kept.setdefault(lang, layout)
            assert kept[lang] is layout
            fresh = app.jinja_env.get_template(LAYOUT).make_module()
            names = ("lang", "home_url", "stylesheets", "skip_link", "language_label", "footer")
            for name in names:
                assert str(getattr(layout, name)) == str(getattr(fresh, name)), name
    assert kept["nb"] is not kept["en"]
    assert len(app.extensions["advisor_layouts"]) == 2


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


def test_an_edited_layout_shows_at_once_while_templates_auto_reload(
    make_app: Callable[..., Flask], tmp_path: Path
):
    app = make_app(TEMPLATES_AUTO_RELOAD=True)
    assert app.jinja_env.auto_reload
    edited = tmp_path / LAYOUT
    shutil.copy(REPO_ROOT / "templates" / LAYOUT, edited)
    app.jinja_env.loader = ChoiceLoader([FileSystemLoader(tmp_path), app.jinja_env.loader])
    client = app.test_client()
    assert "Hopp til hovedinnhold" in client.get("/").get_data(as_text=True)
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace('_("Skip to main content")', '"Til innholdet"'), "utf-8")
    later = edited.stat().st_mtime + 5  # a new mtime even on a coarse-grained file system
    os.utime(edited, (later, later))
    html = client.get("/").get_data(as_text=True)
    assert "Til innholdet" in html and "Hopp til hovedinnhold" not in html
    assert "advisor_layouts" not in app.extensions  # nothing kept while templates reload
