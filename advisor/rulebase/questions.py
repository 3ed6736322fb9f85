"""The wizard's decision tree (``rules/<jurisdiction>/questions.yaml``) as plain objects.

``questions_yaml.parse_tree(data, located)`` turns the YAML into a ``Tree``. The tree knows which pages and questions are shown for a set of
answers (``Tree.walk``), drops answers to questions no longer shown (stale answers), and maps the
answers to Case fields (``Tree.case_data``). The web wizard (``advisor/wizard/``) and the checks
(``questions_check.py``) both use it; it imports nothing from the web layer.

Answers are stored by question id in a canonical, JSON-friendly form:

| type | stored as | Case value |
|---|---|---|
| ``choice`` | the option's ``value`` | the option's ``case_value`` if given, else ``value`` |
| ``yes_no`` | ``"yes"`` / ``"no"`` | ``True`` / ``False`` |
| ``yes_no_unknown`` | ``"yes"`` / ``"no"`` / ``"unknown"`` | the same (``Answer``) |
| ``amount``, ``months`` | int | int |
| ``date`` | ``"YYYY-MM-DD"`` | the date |
| ``cpv``, ``text`` | str | str |
| ``flags`` | list of option values | each option's own bool ``field`` |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from advisor.rulebase import conditions
from advisor.rulebase.yamlsrc import Located

QUESTION_TYPES = (
    "choice",
    "yes_no",
    "yes_no_unknown",
    "amount",
    "months",
    "date",
    "cpv",
    "text",
    "flags",
)
YES_NO = ("yes", "no")
YES_NO_UNKNOWN = ("yes", "no", "unknown")
MISSING: Any = object()


@dataclass
class Option:
    value: str
    label: dict[str, str]
    hint: dict[str, str] | None = None
    case_value: Any = MISSING
    field: str | None = None  # flags: the bool Case field this box fills
    path: tuple[Any, ...] = ()


@dataclass
class Question:
    id: str
    type: str
    field: str | None
    required: bool
    label: dict[str, str]
    hint: dict[str, str] | None = None
    help: dict[str, str] | None = None
    legal_basis: list[str] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    show_if: conditions.Node | None = None
    default: Any = None
    helper: str | None = None
    path: tuple[Any, ...] = ()

    def option(self, value: Any) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    def domain(self) -> tuple[str, ...] | None:
        """The finite set of stored values, or ``None`` for open answers."""
        if self.type == "choice":
            return tuple(o.value for o in self.options)
        if self.type == "yes_no":
            return YES_NO
        if self.type == "yes_no_unknown":
            return YES_NO_UNKNOWN
        return None

    def fields(self) -> list[str]:
        """The Case fields this question fills."""
        if self.type == "flags":
            return [o.field for o in self.options if o.field]
        return [self.field] if self.field else []


@dataclass
class Page:
    id: str
    title: dict[str, str]
    questions: list[Question]
    intro: dict[str, str] | None = None
    show_if: conditions.Node | None = None
    path: tuple[Any, ...] = ()


@dataclass
class Walk:
    """What a set of answers shows: the pages in order and the answers still in force."""

    pages: list[Page]
    questions: dict[str, list[Question]]  # page id -> shown questions
    answers: dict[str, Any]  # only answers to shown questions (stale ones dropped)

    def page_ids(self) -> list[str]:
        return [page.id for page in self.pages]

    def missing(self) -> list[tuple[Page, Question]]:
        """Shown, required questions without an answer, in order."""
        return [
            (page, question)
            for page in self.pages
            for question in self.questions[page.id]
            if question.required and question.id not in self.answers
        ]


@dataclass
class Tree:
    pages: list[Page]
    located: Located | None = None

    def __post_init__(self) -> None:
        self._questions = {q.id: q for page in self.pages for q in page.questions}
        self._pages = {page.id: page for page in self.pages}
        self._page_of = {q.id: page for page in self.pages for q in page.questions}
        self._flags = [q for q in self._questions.values() if q.type == "flags"]

    def question(self, question_id: str) -> Question | None:
        return self._questions.get(question_id)

    def page(self, page_id: str) -> Page | None:
        return self._pages.get(page_id)

    def page_of(self, question_id: str) -> Page | None:
        return self._page_of.get(question_id)

    def questions(self) -> list[Question]:
        return list(self._questions.values())

    def facts(self, answers: dict[str, Any]) -> dict[str, Any]:
        """The facts conditions read: the answers, plus ``<flags id>.<option>`` = ``"yes"`` or
        ``"no"`` for each box of an answered flags question (``wishes.criteria: "yes"``)."""
        facts = dict(answers)
        for question in self._flags:
            if question.id in answers:
                _box_facts(facts, question, answers[question.id])
        return facts

    def holds(self, node: conditions.Node | None, answers: dict[str, Any]) -> bool:
        """Whether ``node`` holds for ``answers`` (always, when there is no condition)."""
        return node is None or holds(node, self.facts(answers))

    def walk(self, answers: dict[str, Any]) -> Walk:
        """Pages and questions shown for ``answers``; answers to hidden questions are dropped.

        Conditions only refer to earlier pages, so one pass in order decides everything: each
        page's conditions are evaluated on the facts of the answers kept on the pages before.
        """
        kept: dict[str, Any] = {}
        facts: dict[str, Any] = {}
        pages: list[Page] = []
        shown: dict[str, list[Question]] = {}
        for page in self.pages:
            if not holds(page.show_if, facts):
                continue
            questions = [q for q in page.questions if holds(q.show_if, facts)]
            if not questions:  # never an empty page (the checks report it as a dead end)
                continue
            for question in questions:
                if answers.get(question.id) is not None:
                    kept[question.id] = answers[question.id]
            facts = self.facts(kept)
            pages.append(page)
            shown[page.id] = questions
        return Walk(pages=pages, questions=shown, answers=kept)

    def case_data(self, answers: dict[str, Any]) -> dict[str, Any]:
        """The Case fields the shown answers give (unanswered fields keep the Case default)."""
        walk = self.walk(answers)
        data: dict[str, Any] = {}
        for page in walk.pages:
            for question in walk.questions[page.id]:
                if question.id not in walk.answers:
                    continue
                data.update(case_values(question, walk.answers[question.id]))
        return data


def _box_facts(facts: dict[str, Any], question: Question, value: Any) -> None:
    """Add a flags question's ``<id>.<option>`` = ``"yes"``/``"no"`` facts for ``value``."""
    chosen = set(value or ())
    for option in question.options:
        facts[f"{question.id}.{option.value}"] = "yes" if option.value in chosen else "no"


def case_values(question: Question, value: Any) -> dict[str, Any]:
    """The Case fields and values one stored answer gives."""
    if question.type == "flags":
        chosen = set(value or ())
        return {o.field: o.value in chosen for o in question.options if o.field}
    if question.field is None:
        return {}
    if question.type == "choice":
        option = question.option(value)
        if option is not None and option.case_value is not MISSING:
            return {question.field: option.case_value}
        return {question.field: value}
    if question.type == "yes_no":
        return {question.field: value == "yes"}
    if question.type in ("text", "cpv") and value == "":
        return {}
    return {question.field: value}


def holds(node: conditions.Node | None, answers: dict[str, Any]) -> bool:
    if node is None:
        return True
    return conditions.evaluate(node, answers, {})
