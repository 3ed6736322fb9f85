"""Bokmål is the default language: every translatable string must have an nb translation."""

from __future__ import annotations

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from advisor.settings import REPO_ROOT

CATALOGS = {
    lang: REPO_ROOT / f"translations/{lang}/LC_MESSAGES/messages.po" for lang in ("nb", "en")
}


def extracted_msgids() -> set[str]:
    with (REPO_ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    ids: set[str] = set()
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO_ROOT), method_map, options_map, keywords=keywords
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def read_catalog(lang: str):
    with CATALOGS[lang].open("rb") as po_file:
        return read_po(po_file, locale=lang)


def test_every_string_has_a_bokmal_translation():
    catalog = read_catalog("nb")
    missing = sorted(
        msgid for msgid in extracted_msgids() if msgid not in catalog or not catalog[msgid].string
    )
    assert not missing, (
        "Strings without a bokmål translation (run `make messages`, then translate them in "
        "translations/nb/LC_MESSAGES/messages.po):\n  " + "\n  ".join(missing)
    )


def test_catalogs_are_well_formed():
    for lang in CATALOGS:
        problems = [
            f"{lang}: {message.id!r}: {error}"
            for message, errors in read_catalog(lang).check()
            for error in errors
        ]
        assert not problems, "\n".join(problems)  # e.g. a %(placeholder)s lost in translation


# ---------------------------------------------------------------------------- switching language


def test_a_wizard_step_follows_the_language_switch_back_and_forth(client, csrf_token):
    """Every text on the page (template ``_()``, question texts, Python-side labels) switches
    together, and the choice is remembered for the next page."""
    started = client.post("/ny", data={"csrf_token": csrf_token(client)})
    step = started.location
    nb = client.get(step).get_data(as_text=True)
    assert '<html lang="nb">' in nb and "Steg 1 av" in nb and ">Fortsett<" in nb
    en = client.get(step + "?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in en and "Step 1 of" in en and ">Continue<" in en
    assert "Steg 1 av" not in en and "Fortsett" not in en
    again = client.get(step).get_data(as_text=True)  # no ?lang=: remembered in the session
    assert '<html lang="en">' in again and "Step 1 of" in again
    back = client.get(step + "?lang=nb").get_data(as_text=True)
    assert '<html lang="nb">' in back and "Steg 1 av" in back and "Step 1 of" not in back
    # the question texts (kept per language once built) follow too
    assert "Når starter anskaffelsen?" in nb and "Når starter anskaffelsen?" in back
    assert "When does the procurement start?" in en and "Når starter" not in en
    assert "The date you publish the notice" in en and "Datoen dere kunngjør" in back


def test_force_locale_still_switches_the_language_inside_a_request(app):
    from flask import render_template_string
    from flask_babel import force_locale

    from advisor.i18n import current_language, gettext

    page = '{{ _("Continue") }} {{ _("Step %(number)d of %(count)d", number=1, count=2) }}'
    with app.test_request_context("/?lang=nb"):
        assert gettext("Continue") == "Fortsett"
        assert render_template_string(page) == "Fortsett Steg 1 av 2"
        with force_locale("en"):
            assert current_language() == "en"
            assert gettext("Step %(number)d of %(count)d", number=1, count=2) == "Step 1 of 2"
            assert render_template_string(page) == "Continue Step 1 of 2"
        assert current_language() == "nb"
        assert render_template_string(page) == "Fortsett Steg 1 av 2"
    with app.app_context():  # outside a request: bokmål
        assert gettext("Continue") == "Fortsett"


def test_template_texts_escape_their_variables_and_keep_percent_signs(app):
    from flask import render_template_string

    with app.test_request_context("/?lang=en"):
        html = render_template_string(
            '{{ _("Up to %(share)s%% of %(what)s", share=30, what=w) }}', w="<b>x</b>"
        )
    assert html == "Up to 30% of &lt;b&gt;x&lt;/b&gt;"
    with app.test_request_context("/?lang=en"):
        texts = render_template_string(
            '{{ _("100%% sure") }}|{{ _("Continue") }}|{{ _("a <b>") }}|{% autoescape false %}'
            '{{ _("a <b>") }}|{{ _("100%% sure") }}{% endautoescape %}'
        )
    # without variables: still a format string ("%%" is "%"), escaped as a translation is not
    assert texts == "100% sure|Continue|a <b>|a <b>|100% sure"
    with app.test_request_context("/?lang=nb"):
        assert render_template_string('{{ _("Continue") }}') == "Fortsett"
