"""Plain-language wording of conditions, in bokmål and English, for explanations.

"Reservert konkurranse for ideelle krever: anslått verdi er minst EØS-terskelverdien for helse-
og sosialtjenester (7 800 000 kr). I din sak: anslått verdi er 5 000 000 kr."
"""

from __future__ import annotations

from typing import Any

from advisor.assessment import LocalText
from advisor.money import format_money
from advisor.rulebase import conditions
from advisor.rulebase.compiler import ParamValue
from advisor.rulebase.loader import RuleBase

PHRASES = {
    "nb": {
        "eq": "{fact} er {value}",
        "ne": "{fact} er ikke {value}",
        "gt": "{fact} er over {value}",
        "gte": "{fact} er minst {value}",
        "lt": "{fact} er under {value}",
        "lte": "{fact} er høyst {value}",
        "in": "{fact} er {value}",
        "not_in": "{fact} er ikke {value}",
        "between": "{fact} er mellom {value}",
        "in_table": "{fact} hører til {value}",
        "not_in_table": "{fact} hører ikke til {value}",
        "known_true": "{fact} er oppgitt",
        "known_false": "{fact} er ikke oppgitt",
        "or": " eller ",
        "and": " og ",
        "not_given": "ikke oppgitt",
        "yes": "ja",
        "no": "nei",
        "all": "alle disse:",
        "any": "minst én av:",
        "not": "ikke dette:",
        "always": "alltid",
    },
    "en": {
        "eq": "{fact} is {value}",
        "ne": "{fact} is not {value}",
        "gt": "{fact} is above {value}",
        "gte": "{fact} is at least {value}",
        "lt": "{fact} is below {value}",
        "lte": "{fact} is at most {value}",
        "in": "{fact} is {value}",
        "not_in": "{fact} is not {value}",
        "between": "{fact} is between {value}",
        "in_table": "{fact} belongs to {value}",
        "not_in_table": "{fact} does not belong to {value}",
        "known_true": "{fact} is given",
        "known_false": "{fact} is not given",
        "or": " or ",
        "and": " and ",
        "not_given": "not given",
        "yes": "yes",
        "no": "no",
        "all": "all of these:",
        "any": "at least one of:",
        "not": "not this:",
        "always": "always",
    },
}


class Wording:
    """Words for facts, values and conditions of one rule base."""

    def __init__(self, rulebase: RuleBase) -> None:
        self.rulebase = rulebase

    def fact(self, name: str, lang: str) -> str:
        label = self.rulebase.fact_label(name)
        return label.get(lang) if label else name

    def value(self, fact: str, value: Any, lang: str) -> str:
        words = PHRASES[lang]
        if isinstance(value, bool):
            return words["yes"] if value else words["no"]
        label = self.rulebase.value_label(fact, value)
        if label is not None:
            return label.get(lang)
        spec = self.rulebase.facts.inputs.get(fact)
        if spec is not None and spec.type == "amount" and isinstance(value, (int, float)):
            return format_money(value, lang)
        if fact == "cpv_num" and isinstance(value, int):
            return f"{value:08d}"
        return str(value)

    def operand(self, leaf: conditions.Leaf, params: dict[str, ParamValue], lang: str) -> str:
        words = PHRASES[lang]

        def one(item: Any) -> str:
            if isinstance(item, conditions.ParamRef):
                bound = params.get(item.name)
                parameter = self.rulebase.parameters.get(item.name)
                label = parameter.label.get(lang) if parameter else item.name
                if bound is None:
                    return label
                shown = (
                    format_money(bound.value, lang)
                    if parameter and parameter.unit == "NOK"
                    else self.value(leaf.fact, bound.value, lang)
                )
                return f"{label} ({shown})"
            return self.value(leaf.fact, item, lang)

        if leaf.op in ("in_table", "not_in_table"):
            table = self.rulebase.facts.tables.get(leaf.operand)
            return table.label.get(lang) if table else str(leaf.operand)
        if leaf.op == "between":
            return words["and"].join(one(item) for item in leaf.operand)
        if isinstance(leaf.operand, tuple):
            items = [one(item) for item in leaf.operand]
            joiner = words["or"]
            return items[0] if len(items) == 1 else ", ".join(items[:-1]) + joiner + items[-1]
        return one(leaf.operand)

    def condition(self, leaf: conditions.Leaf, params: dict[str, ParamValue], lang: str) -> str:
        words = PHRASES[lang]
        fact = self.fact(leaf.fact, lang)
        if leaf.op == "known":
            return words["known_true" if leaf.operand else "known_false"].format(fact=fact)
        return words[leaf.op].format(fact=fact, value=self.operand(leaf, params, lang))

    def actual(self, fact: str, facts: dict[str, Any], lang: str) -> str:
        words = PHRASES[lang]
        if fact not in facts or (fact == "cpv_num" and not facts.get("cpv_given")):
            return words["eq"].format(fact=self.fact(fact, lang), value=words["not_given"])
        return words["eq"].format(
            fact=self.fact(fact, lang), value=self.value(fact, facts[fact], lang)
        )

    def tree(
        self, node: conditions.Node, lang: str, params: dict[str, ParamValue] | None = None
    ) -> dict[str, Any]:
        """A condition as written, in words: ``{"text": ...}`` for a comparison, or
        ``{"text": "alle disse:" | "minst én av:" | "ikke dette:", "parts": [...]}``."""
        words = PHRASES[lang]
        params = params or {}
        if isinstance(node, conditions.Leaf):
            return {"text": self.condition(node, params, lang)}
        if isinstance(node, conditions.Not):
            return {"text": words["not"], "parts": [self.tree(node.item, lang, params)]}
        if not node.items:
            return {"text": words["always"]}
        if len(node.items) == 1:
            return self.tree(node.items[0], lang, params)
        key = "all" if isinstance(node, conditions.All) else "any"
        return {"text": words[key], "parts": [self.tree(item, lang, params) for item in node.items]}

    def sentence(
        self, node: conditions.Node, lang: str, params: dict[str, ParamValue] | None = None
    ) -> str:
        """The same on one line: ``alle disse: (a; b; minst én av: (c; d))``."""
        return flatten(self.tree(node, lang, params))

    def both(self, build: Any) -> LocalText:
        return LocalText(nb=build("nb"), en=build("en"))


def flatten(tree: dict[str, Any]) -> str:
    """A worded condition tree (``Wording.tree``) on one line."""
    if "parts" not in tree:
        return tree["text"]
    return f"{tree['text']} (" + "; ".join(flatten(item) for item in tree["parts"]) + ")"


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
