"""The guidance PDF: an Assessment rendered as an accessible A4 memo (PDF/UA-1) in nb or en.

The renderer decides nothing; it prints the Assessment, naming the answers and their values in
the rule base's words. Rendering needs no Flask app:

    html = render_html(assessment, "en", rulebase=rulebase)
    pdf = render_pdf(assessment, "nb", rulebase=rulebase)

What is shared across renders (stack-notes section 2): the compiled Jinja templates, one
``FontConfiguration``, the pre-parsed stylesheets and the local-only URL fetcher. WeasyPrint
(Pango/GLib) is not safe with concurrent renders sharing a font configuration, so every
``write_pdf`` runs under one process-wide lock. Call ``warm_up()`` at app start so the first
user does not pay for importing fonts.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from advisor import vocabulary
from advisor.assessment import Assessment
from advisor.guidance import content, labels
from advisor.guidance.fetcher import LocalOnlyFetcher
from advisor.money import format_money
from advisor.rulebase.loader import RuleBase

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIR = REPO_ROOT / "templates" / "guidance"
STATIC_DIR = REPO_ROOT / "static" / "guidance"
STYLESHEET = STATIC_DIR / "guidance.css"
TEMPLATE = "document.html"
PDF_VARIANT = "pdf/ua-1"
LANGS = ("nb", "en")

RENDER_LOCK = threading.Lock()  # one WeasyPrint render at a time per process
_resources_lock = threading.Lock()

__all__ = ["LocalOnlyFetcher", "render_html", "render_pdf", "warm_up"]


def _check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; use one of {', '.join(LANGS)}")
    return lang


def pdf_environment(template_dir: Path) -> Environment:
    """A Jinja environment for a PDF's templates (the guidance, the plan-screening summary):
    autoescaped, strict about undefined names, no template reloading."""
    return Environment(
        loader=FileSystemLoader(template_dir),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


@functools.cache
def jinja_env() -> Environment:
    """The guidance PDF's Jinja environment, compiled once per process."""
    env = pdf_environment(TEMPLATE_DIR)
    env.filters.update(
        money=format_money,
        date=vocabulary.long_date,
        timestamp=content.timestamp,
        capfirst=vocabulary.capfirst,
        safe_url=content.safe_url,
    )
    return env


def render_html(assessment: Assessment, lang: str = "nb", *, rulebase: RuleBase) -> str:
    """The guidance document as an HTML string (the input to WeasyPrint)."""
    lang = _check_lang(lang)
    text_kinds = rulebase.catalog.text_kinds

    def tr(key: str) -> str:
        return labels.t(lang, key)

    title = content.procurement_title(assessment, lang)
    context: dict[str, Any] = {
        "a": assessment,
        "lang": lang,
        "t": tr,
        "title": title,
        "short_title": content.short(title),
        "recommendation": content.recommendation(assessment, lang),
        "answers": vocabulary.answer_rows(assessment.case, lang, rulebase),
        "open_questions": content.question_views(assessment.open_questions, lang, rulebase),
        "not_stated": content.question_views(assessment.not_stated, lang, rulebase),
        "open_questions_note": content.open_questions_note(assessment, lang),
        "citations": content.all_citations(assessment),
        "text_label": lambda key: text_kinds[key].get(lang) if key in text_kinds else key,
        "fact_value": lambda name, value: content.derived_value(
            name, value, assessment, lang, rulebase
        ),
        "quantity": lambda value, unit: vocabulary.quantity(value, unit, lang),
        "conclusion": lambda entry: content.trail_conclusion(entry, assessment, lang),
        "buyer": vocabulary.answer_value("buyer_type", assessment.case.buyer_type, lang, rulebase),
        "answer_title": lambda name: vocabulary.answer_label(name, lang, rulebase),
    }
    return jinja_env().get_template(TEMPLATE).render(context)


@dataclass
class Resources:
    """What WeasyPrint reuses across renders: fonts, parsed CSS, the fetcher, an image cache."""

    fetcher: Any
    font_config: Any
    stylesheets: dict[str, list[Any]]
    image_cache: dict = field(default_factory=dict)


def page_css(lang: str) -> str:
    """The footer's "Side X av Y" in ``lang`` (the only language-dependent CSS)."""
    page, of = labels.t(lang, "page_word"), labels.t(lang, "of_word")
    return (
        f'@page {{ @bottom-right {{ content: "{page} " counter(page) " {of} " counter(pages); }} }}'
    )


def build_resources() -> Resources:
    """A fresh set of WeasyPrint resources (the shared set is built once by ``resources()``)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fetcher = LocalOnlyFetcher(STATIC_DIR)
    fonts = FontConfiguration()
    main = CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=fetcher)
    sheets = {
        lang: [main, CSS(string=page_css(lang), font_config=fonts, url_fetcher=fetcher)]
        for lang in LANGS
    }
    return Resources(fetcher=fetcher, font_config=fonts, stylesheets=sheets)


_shared: Resources | None = None


def resources() -> Resources:
    global _shared
    if _shared is None:
        with _resources_lock:
            if _shared is None:
                _shared = build_resources()
    return _shared


def write_pdf(html: str, lang: str, res: Resources, url_fetcher: Any = None) -> bytes:
    """HTML → PDF/UA-1 with the given resources, under the render lock."""
    from weasyprint import HTML

    document = HTML(
        string=html,
        base_url=STATIC_DIR.as_uri() + "/",
        url_fetcher=url_fetcher or res.fetcher,
    )
    with RENDER_LOCK:
        return document.write_pdf(
            stylesheets=res.stylesheets[lang],
            font_config=res.font_config,
            cache=res.image_cache,
            pdf_variant=PDF_VARIANT,
        )


def render_pdf(
    assessment: Assessment, lang: str = "nb", *, rulebase: RuleBase, url_fetcher: Any = None
) -> bytes:
    """The guidance PDF (PDF/UA-1, A4) for ``assessment`` in ``lang``; ``rulebase`` names the
    answers (the app's current one: the words, not the conclusions, come from it).

    ``url_fetcher`` replaces the local-only fetcher (tests use it to watch every fetch).
    """
    html = render_html(assessment, lang, rulebase=rulebase)
    return write_pdf(html, lang, resources(), url_fetcher)


def warm_up() -> None:
    """Import WeasyPrint, load fonts, parse the CSS and compile the template; call at start."""
    jinja_env().get_template(TEMPLATE)
    res = resources()
    sample = (
        '<html lang="nb"><head><title>warm-up</title></head>'
        "<body><h1>Æ ø å §</h1><p>Side <em>1</em> <strong>av</strong> 1 ☐</p>"
        "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>b</td></tr></tbody></table>"
        "</body></html>"
    )
    write_pdf(sample, "nb", res)
