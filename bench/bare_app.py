"""The baseline for bench/bench_web.py: bare Flask + Jinja, nothing else.

One route (``GET /``) renders a page comparable to a wizard step: a base layout with template
inheritance (header, language links, footer), a form with a fieldset of radio buttons with hints,
a hidden field and a submit button, about the same size as a real wizard page. No Babel, no
CSRF, no security headers, no database, no rule base: the ceiling that Flask and Jinja alone
reach on the same gunicorn settings (gunicorn.conf.py).

Served by bench_web.py as ``gunicorn -c gunicorn.conf.py --chdir bench bare_app:app``.
``/healthz`` exists only so that the benchmark can wait for the server to answer.

Run on its own (``make bench`` runs every bench/*.py), it renders the page once and says so.
"""

from __future__ import annotations

from flask import Flask, render_template
from jinja2 import DictLoader

# gunicorn.conf.py's post_fork hook imports advisor.db in every new worker. Importing it here,
# in the preloaded master as the real app does, keeps that hook instant: otherwise each worker
# spends a second or more importing SQLAlchemy before it installs its signal handlers, and a
# SIGTERM in that window is lost.
import advisor.db  # noqa: F401

BASE = """<!doctype html>
<html lang="{{ lang }}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{% block title %}{% endblock %} – Inkluderende anskaffelser</title>
  <link rel="stylesheet" href="{{ url_for('static', filename='css/app.css') }}">
</head>
<body>
  <a class="skip-link" href="#main">Hopp til hovedinnholdet</a>
  <header class="site-header">
    <div class="container site-header__inner">
      <a class="site-name" href="/" lang="nb">Inkluderende anskaffelser</a>
      <nav class="language-switch" aria-label="Språk">
        <ul>
          {% for language in languages %}
          <li><a href="?lang={{ language.code }}" lang="{{ language.code }}"
                 {% if language.current %}aria-current="true"{% endif %}>{{ language.name }}</a></li>
          {% endfor %}
        </ul>
      </nav>
    </div>
  </header>
  <main id="main" class="container" tabindex="-1">
    {% block content %}{% endblock %}
  </main>
  <footer class="site-footer">
    <div class="container">
      <p>Veiledning for offentlige innkjøpere om å bruke sosiale entreprenører på lovlig vis.
         Dette er ikke juridisk rådgivning: sjekk kildene som er lenket fra hver konklusjon.</p>
    </div>
  </footer>
</body>
</html>
"""

PAGE = """{% extends "base.html" %}
{% block title %}{{ page.title }}{% endblock %}
{% block content %}
<p class="step">Steg {{ step }} av {{ steps }}</p>
<h1>{{ page.title }}</h1>
<form method="post" action="/" novalidate>
  <input type="hidden" name="csrf_token" value="{{ token }}">
  {% for question in page.questions %}
  <fieldset class="question" aria-describedby="{{ question.id }}-hint">
    <legend>{{ question.label }}</legend>
    <p class="hint" id="{{ question.id }}-hint">{{ question.hint }}</p>
    {% for option in question.options %}
    <div class="radio">
      <input type="radio" id="{{ question.id }}-{{ option.value }}" name="{{ question.id }}"
             value="{{ option.value }}"{% if option.value == question.answer %} checked{% endif %}>
      <label for="{{ question.id }}-{{ option.value }}">{{ option.label }}</label>
    </div>
    {% endfor %}
    <details class="help"><summary>Hvorfor spør vi om dette?</summary>
      <p>{{ question.help }}</p>
      <p>Rettslig grunnlag: {% for basis in question.legal_basis %}<a
         href="https://lovdata.no/forskrift/2016-08-12-974">{{ basis }}</a>{% if not loop.last %}, {% endif %}{% endfor %}</p>
    </details>
  </fieldset>
  {% endfor %}
  <div class="actions">
    <button type="submit" name="action" value="back" class="secondary">Tilbake</button>
    <button type="submit" name="action" value="next">Neste</button>
  </div>
</form>
{% endblock %}
"""

QUESTIONS = [
    {
        "id": "buyer_type",
        "label": "Hvem kjøper?",
        "hint": "Velg den typen oppdragsgiver som skal inngå kontrakten.",
        "help": "Terskelverdiene er lavere for statlige myndigheter enn for kommuner.",
        "legal_basis": ["FOA § 5-1", "FOA § 5-3"],
        "answer": "municipality",
        "options": [
            {"value": "municipality", "label": "En kommune"},
            {"value": "county", "label": "En fylkeskommune"},
            {"value": "state", "label": "En statlig myndighet"},
            {"value": "other_public_body", "label": "Et annet offentligrettslig organ"},
        ],
    },
    {
        "id": "arrangement",
        "label": "Hva slags avtale ser du for deg?",
        "hint": "En kontrakt, et tilskudd eller kjøp fra en enhet dere eier.",
        "help": "Anskaffelsesregelverket gjelder gjensidig bebyrdende kontrakter.",
        "legal_basis": ["FOA § 4-1", "FOA § 3-1"],
        "answer": None,
        "options": [
            {
                "value": "contract",
                "label": "En kontrakt (vi kjøper en vare, tjeneste eller et bygg)",
            },
            {"value": "grant", "label": "Et tilskudd til en organisasjon"},
            {"value": "in_house", "label": "Kjøp fra en enhet vi eier eller kontrollerer"},
            {"value": "unsure", "label": "Vet ikke"},
        ],
    },
]

app = Flask(__name__)
app.jinja_loader = DictLoader({"base.html": BASE, "page.html": PAGE})


@app.get("/")
def page() -> str:
    return render_template(
        "page.html",
        lang="nb",
        languages=[
            {"code": "nb", "name": "Norsk (bokmål)", "current": True},
            {"code": "en", "name": "English", "current": False},
        ],
        page={"title": "Om oppdragsgiveren", "questions": QUESTIONS},
        step=2,
        steps=8,
        token="0123456789abcdef" * 4,
    )


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


if __name__ == "__main__":
    with app.test_client() as client:
        body = client.get("/").data
    print(
        f"bare_app: the baseline page for bench_web.py renders ({len(body)} bytes); nothing to measure here"
    )
