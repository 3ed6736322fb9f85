"""Filling in the wizard as a user would, from the HTML it serves: for the load test's clients.

``read_forms`` finds a page's forms and their fields (stdlib ``html.parser``); ``wizard_form``
picks the one asking questions; ``Answerer.fill`` answers it: hidden fields (the CSRF token) kept,
a random option of each question chosen, typed answers in Norwegian formats, and the button that
moves on pressed. Which field is which question comes from rules/no/questions.yaml, so the walk
follows the wizard wherever its answers lead.
"""

from __future__ import annotations

import collections
import html.parser
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

QUESTIONS_FILE = Path(__file__).resolve().parent.parent / "rules" / "no" / "questions.yaml"

#: Typed answers by question type, in the formats the wizard accepts.
TYPED_ANSWERS: dict[str, list[str]] = {
    "amount": ["3 600 000", "450000", "2,4 mill.", "12 000 000", "1 500 000"],
    "months": ["12", "24", "48"],
    "date": ["01.03.2026", "15.09.2025", "01.01.2026", "01.09.2026"],
    "cpv": ["98310000", "90910000-9", "85311000", "79530000", ""],
    "text": ["Vaskeritjenester 2027", "Kantinedrift", "Arbeidstrening <b>&amp;</b> «test»", ""],
}

#: Buttons that do not move the wizard on.
_NOT_FORWARD = re.compile(
    r"back|tilbake|forrige|previous|cancel|avbryt|delete|slett|later|senere|helper|"
    r"search|søk|add|legg til|remove|fjern",
    re.IGNORECASE,
)


@dataclass
class Field:
    tag: str  # input | select | textarea | button
    type: str  # text, radio, checkbox, hidden, submit, date, ... ("select" for a select)
    name: str
    value: str = ""
    checked: bool = False
    label: str = ""  # a button's text
    options: list[str] = field(default_factory=list)  # a select's option values


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)

    def names(self) -> set[str]:
        return {f.name for f in self.fields if f.type not in ("submit", "button", "hidden")}


class _FormParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._button: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            self._form.fields.append(
                Field("input", kind, a["name"], a.get("value", ""), "checked" in a)
            )
        elif tag == "button":
            self._button = Field(
                "button", (a.get("type") or "submit").lower(), a.get("name", ""), a.get("value", "")
            )
            self._form.fields.append(self._button)
        elif tag == "select" and a.get("name"):
            self._select = Field("select", "select", a["name"])
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self._textarea = Field("textarea", "textarea", a["name"])
            self._form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button.label += data
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "button" and self._button is not None:
            self._button.label = " ".join(self._button.label.split())
            self._button = None
        elif tag == "textarea":
            self._textarea = None


def read_forms(page: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(page)
    parser.close()
    return parser.forms


def forward_button(form: Form) -> Field | None:
    """The submit button that moves on (not back, save for later, search, the value helper)."""
    for item in form.fields:
        if item.type == "submit" and not _NOT_FORWARD.search(
            f"{item.value} {item.label} {item.name}"
        ):
            return item
    return None


@dataclass
class Question:
    id: str
    type: str
    field: str
    options: list[str] = field(default_factory=list)


def load_questions(path: Path = QUESTIONS_FILE) -> dict[str, Question]:
    """The wizard's questions by every name a form field may have: id, Case field, flag field."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: dict[str, Question] = {}
    for page in data.get("pages", []):
        for item in page.get("questions", []):
            options = item.get("options") or []
            question = Question(
                item["id"],
                item.get("type", "text"),
                item.get("field", item["id"]),
                [str(option.get("value")) for option in options],
            )
            found[question.id] = question
            found.setdefault(question.field, question)
            for option in options:
                if question.type == "flags":
                    found.setdefault(option.get("field", str(option.get("value"))), question)
    return found


def wizard_form(forms: list[Form], questions: dict[str, Question]) -> Form | None:
    """The page's wizard form: the POST form asking the most known questions (else the largest)."""
    posted = [form for form in forms if form.method == "post"]
    if not posted:
        return None
    return max(posted, key=lambda form: (len(form.names() & questions.keys()), len(form.fields)))


class Answerer:
    """Answers the wizard's forms at random (seeded), the way a user could."""

    def __init__(self, questions: dict[str, Question], rng: random.Random) -> None:
        self.questions = questions
        self.rng = rng

    def fill(self, form: Form) -> list[tuple[str, str]]:
        """Form data: hidden fields kept, each question answered, the forward button pressed."""
        data: list[tuple[str, str]] = []
        radios: dict[str, list[Field]] = collections.defaultdict(list)
        for item in form.fields:
            if item.type == "radio":
                radios[item.name].append(item)
            elif item.type == "checkbox":
                if self.rng.random() < 0.3:
                    data.append((item.name, item.value or "on"))
            elif item.type == "hidden":
                data.append((item.name, item.value))
            elif item.type == "select":
                values = [value for value in item.options if value]
                data.append((item.name, self.rng.choice(values) if values else ""))
            elif item.tag in ("input", "textarea") and item.type not in (
                "submit",
                "button",
                "reset",
                "image",
                "file",
            ):
                data.append((item.name, self.typed(item)))
        for name, group in radios.items():
            data.append((name, self.rng.choice(group).value))
        button = forward_button(form)
        if button is not None and button.name:
            data.append((button.name, button.value))
        return data

    def typed(self, item: Field) -> str:
        question = self.questions.get(item.name) or self.questions.get(item.name.split("-")[0])
        kind = question.type if question else {"date": "date", "number": "months"}.get(item.type)
        if kind in TYPED_ANSWERS:
            return self.rng.choice(TYPED_ANSWERS[kind])
        return item.value
