"""Reading the wizard's decision tree (``rules/<jurisdiction>/questions.yaml``) into a
``questions.Tree``, collecting structural problems as ``SourceError`` (file:line:col).

Which keys a page, a question and an option may have, which types and helpers exist, and what
each needs (options for choices and flags, a Case field, texts in bokmål and English) are
checked here; whether the answers lead anywhere is ``questions_check``'s job.
"""

from __future__ import annotations

from typing import Any

from advisor.rulebase import conditions
from advisor.rulebase.questions import (
    MISSING,
    QUESTION_TYPES,
    Option,
    Page,
    Question,
    Tree,
)
from advisor.rulebase.yamlsrc import Located, SourceError

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
