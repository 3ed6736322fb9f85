"""The wizard's decision tree (``rules/<jurisdiction>/questions.yaml``) as plain objects.

``parse_tree(data, located)`` turns the YAML into a ``Tree`` and collects structural problems as
``SourceError`` (file:line:col). The tree knows which pages and questions are shown for a set of
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
from advisor.rulebase.yamlsrc import Located, SourceError

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

PAGE_KEYS = {"id", "title", "intro", "show_if", "questions"}
QUESTION_KEYS = {
    "id",
    "type",
    "field",
    "required",
    "label",
    "hint",
    "help",
    "legal_basis",
    "options",
    "show_if",
    "default",
    "helper",
}
OPTION_KEYS = {"value", "label", "hint", "case_value", "field"}
HELPERS = ("value",)


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


def _text(
    raw: Any,
    path: tuple,
    located: Located,
    errors: list[SourceError],
    what: str,
    required: bool = True,
) -> dict[str, str] | None:
    if raw is None:
        if required:
            errors.append(located.error(path, f"missing {what} (give it in nb and en)"))
        return None
    if isinstance(raw, str):
        errors.append(located.error(path, f"{what} must be given as {{nb: ..., en: ...}}"))
        return {"nb": raw, "en": raw}
    if not isinstance(raw, dict):
        errors.append(located.error(path, f"{what} must be a mapping {{nb: ..., en: ...}}"))
        return None
    for language in ("nb", "en"):
        if not isinstance(raw.get(language), str) or not raw[language].strip():
            errors.append(located.error(path, f"{what} is missing its '{language}' text"))
    for key in raw:
        if key not in ("nb", "en"):
            errors.append(located.error((*path, key), f"unknown language '{key}' (use nb and en)"))
    return {lang: str(raw.get(lang) or "") for lang in ("nb", "en")}


def _condition(raw: Any, path: tuple, located: Located, errors: list[SourceError]) -> Any:
    if raw is None:
        return None
    try:
        return conditions.parse(raw, path, located)
    except SourceError as error:
        errors.append(error)
        return None


def _unknown_keys(
    raw: dict, allowed: set[str], path: tuple, located: Located, errors: list[SourceError]
) -> None:
    for key in raw:
        if key not in allowed:
            hint = conditions.did_you_mean(str(key), allowed)
            errors.append(located.error((*path, key), f"unknown key '{key}'{hint}"))


def parse_tree(data: Any, located: Located | None = None) -> tuple[Tree, list[SourceError]]:
    """Build the tree; structural problems come back as errors (the tree skips bad parts)."""
    located = located or Located("questions.yaml")
    errors: list[SourceError] = []
    pages: list[Page] = []
    if not isinstance(data, dict) or not isinstance(data.get("pages"), list):
        errors.append(located.error((), "questions.yaml needs 'pages:', a list of pages"))
        return Tree([], located), errors
    _unknown_keys(data, {"version", "pages"}, (), located, errors)
    seen_pages: set[str] = set()
    seen_questions: set[str] = set()
    for p_index, raw_page in enumerate(data["pages"]):
        p_path = ("pages", p_index)
        if not isinstance(raw_page, dict):
            errors.append(located.error(p_path, "a page is a mapping with id, title, questions"))
            continue
        _unknown_keys(raw_page, PAGE_KEYS, p_path, located, errors)
        page_id = raw_page.get("id")
        if not isinstance(page_id, str) or not page_id:
            errors.append(located.error(p_path, "a page needs an 'id'"))
            continue
        if page_id in seen_pages:
            errors.append(located.error((*p_path, "id"), f"duplicate page id '{page_id}'"))
        seen_pages.add(page_id)
        questions: list[Question] = []
        raw_questions = raw_page.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            errors.append(located.error(p_path, f"dead end: page '{page_id}' has no questions"))
            raw_questions = []
        for q_index, raw in enumerate(raw_questions):
            q_path = (*p_path, "questions", q_index)
            question = _parse_question(raw, q_path, located, errors)
            if question is None:
                continue
            if question.id in seen_questions:
                errors.append(
                    located.error((*q_path, "id"), f"duplicate question id '{question.id}'")
                )
                continue
            seen_questions.add(question.id)
            questions.append(question)
        pages.append(
            Page(
                id=page_id,
                title=_text(raw_page.get("title"), (*p_path, "title"), located, errors, "title")
                or {"nb": page_id, "en": page_id},
                intro=_text(
                    raw_page.get("intro"),
                    (*p_path, "intro"),
                    located,
                    errors,
                    "intro",
                    required=False,
                ),
                questions=questions,
                show_if=_condition(raw_page.get("show_if"), (*p_path, "show_if"), located, errors),
                path=p_path,
            )
        )
    return Tree(pages, located), errors


def _parse_question(
    raw: Any, path: tuple, located: Located, errors: list[SourceError]
) -> Question | None:
    if not isinstance(raw, dict):
        errors.append(located.error(path, "a question is a mapping with id, type, label"))
        return None
    _unknown_keys(raw, QUESTION_KEYS, path, located, errors)
    question_id = raw.get("id")
    if not isinstance(question_id, str) or not question_id:
        errors.append(located.error(path, "a question needs an 'id'"))
        return None
    kind = raw.get("type")
    if kind not in QUESTION_TYPES:
        hint = conditions.did_you_mean(str(kind), QUESTION_TYPES)
        errors.append(
            located.error(
                (*path, "type"),
                f"unknown question type '{kind}'{hint}; use one of " + ", ".join(QUESTION_TYPES),
            )
        )
        return None
    required = raw.get("required", True)
    if not isinstance(required, bool):
        errors.append(located.error((*path, "required"), "'required' is true or false"))
        required = True
    field_name = raw.get("field", None if kind == "flags" else question_id)
    if kind == "flags" and "field" in raw:
        errors.append(located.error((*path, "field"), "a flags question sets 'field' per option"))
        field_name = None
    legal_basis = raw.get("legal_basis") or []
    if not isinstance(legal_basis, list) or not all(isinstance(i, str) for i in legal_basis):
        errors.append(located.error((*path, "legal_basis"), "'legal_basis' is a list of citations"))
        legal_basis = []
    helper = raw.get("helper")
    if helper is not None and (helper not in HELPERS or kind != "amount"):
        errors.append(
            located.error((*path, "helper"), "only an amount question can have 'helper: value'")
        )
        helper = None
    options: list[Option] = []
    raw_options = raw.get("options")
    if kind in ("choice", "flags"):
        if not isinstance(raw_options, list) or not raw_options:
            errors.append(
                located.error(path, f"dead end: {kind} question '{question_id}' has no options")
            )
            raw_options = []
        values: set[str] = set()
        for o_index, raw_option in enumerate(raw_options):
            o_path = (*path, "options", o_index)
            if not isinstance(raw_option, dict) or not isinstance(raw_option.get("value"), str):
                errors.append(located.error(o_path, "an option needs a text 'value' and a 'label'"))
                continue
            _unknown_keys(raw_option, OPTION_KEYS, o_path, located, errors)
            value = raw_option["value"]
            if value in values:
                errors.append(located.error((*o_path, "value"), f"duplicate option '{value}'"))
            values.add(value)
            if kind == "flags" and not raw_option.get("field"):
                errors.append(located.error(o_path, "each flags option needs its own 'field'"))
            if kind == "choice" and "field" in raw_option:
                errors.append(located.error((*o_path, "field"), "only flags options have a field"))
            options.append(
                Option(
                    value=value,
                    label=_text(
                        raw_option.get("label"), (*o_path, "label"), located, errors, "label"
                    )
                    or {"nb": value, "en": value},
                    hint=_text(
                        raw_option.get("hint"),
                        (*o_path, "hint"),
                        located,
                        errors,
                        "hint",
                        required=False,
                    ),
                    case_value=raw_option.get("case_value", MISSING),
                    field=raw_option.get("field") if kind == "flags" else None,
                    path=o_path,
                )
            )
    elif raw_options is not None:
        errors.append(located.error((*path, "options"), f"a {kind} question has no options"))
    return Question(
        id=question_id,
        type=kind,
        field=field_name,
        required=required,
        label=_text(raw.get("label"), (*path, "label"), located, errors, "label")
        or {"nb": question_id, "en": question_id},
        hint=_text(raw.get("hint"), (*path, "hint"), located, errors, "hint", required=False),
        help=_text(raw.get("help"), (*path, "help"), located, errors, "help", required=False),
        legal_basis=legal_basis,
        options=options,
        show_if=_condition(raw.get("show_if"), (*path, "show_if"), located, errors),
        default=raw.get("default"),
        helper=helper,
        path=path,
    )
