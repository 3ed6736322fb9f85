"""Checks of the wizard's decision tree (``questions.yaml``), run by ``advisor rules check``.

``check(rulebase)`` returns ``SourceError``s (``file:line:col: message``) for:

- the structure (unknown keys or types, missing nb/en texts, duplicate ids, options);
- every answer maps to a Case field of the right type (each option's value is a valid value of
  that field), and no Case field is filled by two questions;
- every condition refers to known answers, asked on an earlier page, with values those answers
  can take;
- legal references in the citation form of the rule base;
- no dead ends and every path reaches the result: the tree is walked through every combination
  of the answers that conditions use; a page shown without a question, a page or question never
  shown, or a path on which a required Case field is never asked is an error.
"""

from __future__ import annotations

import itertools
from typing import Any

from pydantic import TypeAdapter, ValidationError

from advisor.case import Case
from advisor.rulebase import citations, conditions
from advisor.rulebase.questions import MISSING, Question, Tree, case_values
from advisor.rulebase.questions_yaml import parse_tree
from advisor.rulebase.yamlsrc import Located, SourceError

SAMPLES: dict[str, list[Any]] = {
    "yes_no": ["yes", "no"],
    "yes_no_unknown": ["yes", "no", "unknown"],
    "amount": [2_400_000],
    "months": [24],
    "date": ["2026-03-01"],
    "cpv": ["98310000"],
    "text": ["Vaskeritjenester"],
}
MAX_PATHS = 20_000
ORDER_OPS = ("gt", "gte", "lt", "lte", "between")


def check(rulebase: Any) -> list[SourceError]:
    located: Located = rulebase.questions_located or Located(str(rulebase.root / "questions.yaml"))
    tree, errors = parse_tree(rulebase.questions, located)
    errors.extend(_check_fields(tree, located))
    errors.extend(_check_conditions(tree, located))
    errors.extend(_check_citations(tree, located, rulebase))
    if not any(e.message.startswith("unknown answer") for e in errors):
        errors.extend(_check_paths(tree, located))
    return errors


# ---------------------------------------------------------------------------- Case fields


def _adapter(name: str) -> TypeAdapter[Any]:
    return TypeAdapter(Case.model_fields[name].annotation)


def _valid_for(name: str, value: Any) -> str | None:
    try:
        _adapter(name).validate_python(value)
    except ValidationError as error:
        return error.errors()[0]["msg"]
    return None


def _check_fields(tree: Tree, located: Located) -> list[SourceError]:
    errors: list[SourceError] = []
    case_fields = Case.model_fields
    filled_by: dict[str, str] = {}

    def known_field(name: str, path: tuple) -> bool:
        if name in case_fields:
            return True
        hint = conditions.did_you_mean(name, case_fields)
        errors.append(located.error(path, f"unknown Case field '{name}'{hint} (advisor/case.py)"))
        return False

    def claim(name: str, question: Question, path: tuple) -> None:
        if name in filled_by:
            errors.append(
                located.error(
                    path,
                    f"Case field '{name}' is filled by both '{filled_by[name]}' and "
                    f"'{question.id}'",
                )
            )
        filled_by[name] = question.id

    for question in tree.questions():
        if question.type == "flags":
            for option in question.options:
                if not option.field:
                    continue
                path = (*option.path, "field")
                if known_field(option.field, path):
                    claim(option.field, question, path)
                    problem = _valid_for(option.field, True)
                    if problem or _adapter(option.field).validate_python("no") is not False:
                        errors.append(
                            located.error(
                                path,
                                f"Case field '{option.field}' is not yes/no "
                                "(true/false); a flags option needs one",
                            )
                        )
            continue
        path = (
            (*question.path, "field")
            if located.positions.get((*question.path, "field"))
            else (*question.path, "id")
        )
        if question.field is None or not known_field(question.field, path):
            continue
        claim(question.field, question, path)
        name = question.field
        if question.type == "choice":
            for option in question.options:
                value = case_values(question, option.value)[name]
                problem = _valid_for(name, value)
                if problem:
                    where = "case_value" if option.case_value is not MISSING else "value"
                    errors.append(
                        located.error(
                            (*option.path, where),
                            f"'{value}' is not a valid value of Case field '{name}': {problem}",
                        )
                    )
            continue
        for sample in SAMPLES[question.type]:
            value = case_values(question, sample).get(name, sample)
            problem = _valid_for(name, value)
            if (
                problem is None
                and question.type == "yes_no"
                and _adapter(name).validate_python(value) is not value
            ):
                problem = "it is not a true/false field"
            if (
                problem is None
                and question.type == "yes_no_unknown"
                and _valid_for(name, "unknown") is not None
            ):
                problem = "it has no 'unknown' value"
            if problem:
                errors.append(
                    located.error(
                        (*question.path, "type"),
                        f"a {question.type} answer does not fit Case field '{name}': {problem}",
                    )
                )
                break
    return errors


# ---------------------------------------------------------------------------- conditions


def _check_conditions(tree: Tree, located: Located) -> list[SourceError]:
    errors: list[SourceError] = []
    earlier: dict[str, Question] = {}
    for page in tree.pages:
        errors.extend(_check_node(page.show_if, earlier, tree, located))
        for question in page.questions:
            errors.extend(_check_node(question.show_if, earlier, tree, located))
        earlier.update({q.id: q for q in page.questions})
    return errors


def _check_node(
    node: conditions.Node | None, earlier: dict[str, Question], tree: Tree, located: Located
) -> list[SourceError]:
    if node is None:
        return []
    errors: list[SourceError] = []
    for leaf in conditions.leaves(node):
        base, _, box = leaf.fact.partition(".")
        question = earlier.get(base)
        if question is None:
            if tree.question(base) is not None:
                errors.append(
                    located.error(
                        leaf.path,
                        f"condition uses the answer '{leaf.fact}', which is asked on the same "
                        "page or later; a condition can only use answers from earlier pages",
                    )
                )
            else:
                names = [q.id for q in tree.questions()]
                names += [
                    f"{q.id}.{o.value}"
                    for q in tree.questions()
                    if q.type == "flags"
                    for o in q.options
                ]
                hint = conditions.did_you_mean(leaf.fact, names)
                errors.append(located.error(leaf.path, f"unknown answer '{leaf.fact}'{hint}"))
            continue
        if question.type == "flags":
            if not box:
                errors.append(
                    located.error(
                        leaf.path,
                        f"a condition on the flags answer '{base}' names one box: "
                        f"'{base}.<option>: \"yes\"'",
                    )
                )
                continue
            if question.option(box) is None:
                hint = conditions.did_you_mean(box, [o.value for o in question.options])
                errors.append(
                    located.error(
                        leaf.path,
                        f"unknown answer '{leaf.fact}': '{base}' has no option '{box}'{hint}",
                    )
                )
                continue
            domain: tuple[str, ...] | None = ("yes", "no")
        elif box:
            errors.append(located.error(leaf.path, f"unknown answer '{leaf.fact}'"))
            continue
        else:
            domain = question.domain()
        if leaf.op in ("in_table", "not_in_table"):
            errors.append(located.error(leaf.path, f"'{leaf.op}' is not available in questions"))
            continue
        if leaf.op == "known":
            continue
        operands = leaf.operand if isinstance(leaf.operand, tuple) else (leaf.operand,)
        for operand in operands:
            if isinstance(operand, conditions.ParamRef):
                errors.append(
                    located.error(leaf.path, "parameters ($name) are not available in questions")
                )
            elif domain is not None:
                if leaf.op in ORDER_OPS:
                    errors.append(
                        located.error(leaf.path, f"'{leaf.fact}' is a choice; use = or in")
                    )
                elif not isinstance(operand, str) or operand not in domain:
                    hint = conditions.did_you_mean(str(operand), domain)
                    errors.append(
                        located.error(
                            leaf.path,
                            f"'{operand}' is not an answer to '{leaf.fact}'{hint} "
                            f"(answers: {', '.join(domain)})",
                        )
                    )
            elif question.type in ("amount", "months") and (
                not isinstance(operand, (int, float)) or isinstance(operand, bool)
            ):
                errors.append(located.error(leaf.path, f"'{leaf.fact}' compares with numbers"))
    return errors


def _check_citations(tree: Tree, located: Located, rulebase: Any) -> list[SourceError]:
    errors: list[SourceError] = []
    for question in tree.questions():
        for index, text in enumerate(question.legal_basis):
            problem = citations.problem(text, rulebase)
            if problem:
                errors.append(located.error((*question.path, "legal_basis", index), problem))
    return errors


# ---------------------------------------------------------------------------- paths


def _conditions(page: Any) -> list[conditions.Node]:
    return [node for node in [page.show_if, *(q.show_if for q in page.questions)] if node]


def _referenced(tree: Tree) -> set[str]:
    return {
        leaf.fact
        for page in tree.pages
        for node in _conditions(page)
        for leaf in conditions.leaves(node)
    }


def _operands(tree: Tree) -> dict[str, list[Any]]:
    """For open answers (amounts, CPV codes, ...): one value that makes each comparison in a
    condition hold, so the walk also takes the branch where it does."""
    values: dict[str, list[Any]] = {}
    for page in tree.pages:
        for node in _conditions(page):
            for leaf in conditions.leaves(node):
                operand = leaf.operand
                if leaf.op == "known" or isinstance(operand, conditions.ParamRef):
                    continue
                if isinstance(operand, tuple):
                    operand = operand[0] if operand else None
                if leaf.op == "gt" and isinstance(operand, int):
                    operand += 1
                elif leaf.op == "lt" and isinstance(operand, int):
                    operand -= 1
                if operand is not None and operand not in values.setdefault(leaf.fact, []):
                    values[leaf.fact].append(operand)
    return values


def _branches(
    question: Question, referenced: set[str], operands: dict[str, list[Any]]
) -> list[Any]:
    """The answers to try for ``question`` (``None``: left unanswered)."""
    if question.type == "flags":
        boxes = [o.value for o in question.options if f"{question.id}.{o.value}" in referenced]
        if not boxes:
            return [[]]
        return [
            [box for box, on in zip(boxes, pattern, strict=True) if on]
            for pattern in itertools.product((False, True), repeat=len(boxes))
        ]
    if question.id in referenced:
        domain = question.domain()
        values: list[Any] = list(domain or SAMPLES.get(question.type, ["x"]))
        if domain is None:
            values += [v for v in operands.get(question.id, []) if v not in values]
        if not question.required:  # a required answer is never left out
            values.append(None)
        return values
    if not question.required:
        return [None]
    if question.type == "choice":
        return [question.options[0].value] if question.options else [None]
    return [SAMPLES[question.type][0]]


def _describe(answers: dict[str, Any], referenced: set[str]) -> str:
    bases = {name.partition(".")[0] for name in referenced}
    shown = [f"{k}={v}" for k, v in answers.items() if k in bases and v is not None]
    return ", ".join(shown) or "no answers that conditions use"


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _check_paths(tree: Tree, located: Located) -> list[SourceError]:
    """Walk every combination of the answers conditions use, page by page. States that agree
    on everything later pages can still look at are walked once (memoised), so this stays fast
    however many pages there are."""
    errors: list[SourceError] = []
    referenced = _referenced(tree)
    operands = _operands(tree)
    required = {name for name, info in Case.model_fields.items() if info.is_required()}
    pages = tree.pages
    live: list[set[str]] = [set() for _ in range(len(pages) + 1)]
    for index in range(len(pages) - 1, -1, -1):
        used = {
            leaf.fact.partition(".")[0]
            for node in _conditions(pages[index])
            for leaf in conditions.leaves(node)
        }
        live[index] = live[index + 1] | used
    seen_pages: set[str] = set()
    seen_questions: set[str] = set()
    dead_ends: dict[str, str] = {}
    missing_fields: dict[str, str] = {}
    visited: set[Any] = set()

    def walk(index: int, answers: dict[str, Any], covered: frozenset[str]) -> None:
        if len(visited) > MAX_PATHS:
            return
        if index == len(pages):
            for name in sorted(required - covered):
                missing_fields.setdefault(name, _describe(answers, referenced))
            return
        key = (
            index,
            tuple(sorted((k, _frozen(v)) for k, v in answers.items() if k in live[index])),
            covered,
        )
        if key in visited:
            return
        visited.add(key)
        page = pages[index]
        if not tree.holds(page.show_if, answers):
            walk(index + 1, answers, covered)
            return
        shown = [q for q in page.questions if tree.holds(q.show_if, answers)]
        if not shown:
            if page.questions:
                dead_ends.setdefault(page.id, _describe(answers, referenced))
            walk(index + 1, answers, covered)
            return
        seen_pages.add(page.id)
        seen_questions.update(q.id for q in shown)
        choices = [_branches(q, referenced, operands) for q in shown]
        for combo in itertools.product(*choices):
            following = dict(answers)
            now_covered = set(covered)
            for question, value in zip(shown, combo, strict=True):
                if value is not None:
                    following[question.id] = value
                    now_covered.update(question.fields())
            walk(index + 1, following, frozenset(now_covered & required))

    walk(0, {}, frozenset())
    if len(visited) > MAX_PATHS:
        errors.append(
            located.error(("pages",), f"the tree has more than {MAX_PATHS} paths; simplify it")
        )
        return errors
    by_id = {page.id: page for page in tree.pages}
    for page_id, when in dead_ends.items():
        errors.append(
            located.error(
                by_id[page_id].path,
                f"dead end: page '{page_id}' is shown but none of its questions is ({when})",
            )
        )
    for page in tree.pages:
        if page.id not in seen_pages and page.id not in dead_ends and page.questions:
            errors.append(
                located.error(
                    (*page.path, "show_if") if page.show_if is not None else page.path,
                    f"dead end: page '{page.id}' is never shown (its conditions never hold)",
                )
            )
            continue
        for question in page.questions:
            if page.id in seen_pages and question.id not in seen_questions:
                errors.append(
                    located.error(
                        (*question.path, "show_if"),
                        f"dead end: question '{question.id}' is never shown "
                        "(its conditions never hold)",
                    )
                )
    for name, when in missing_fields.items():
        asking = [q for q in tree.questions() if name in q.fields()]
        path = (*asking[0].path, "show_if") if asking else ("pages",)
        why = (
            f"'{asking[0].id}' is not asked or not required there"
            if asking
            else "no question fills it"
        )
        errors.append(
            located.error(
                path,
                f"a path does not reach the result: the required Case field '{name}' has no "
                f"answer when {when} ({why})",
            )
        )
    return errors
