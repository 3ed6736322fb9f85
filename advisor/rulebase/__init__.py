"""The rule base: YAML files under ``rules/<jurisdiction>/``, loaded, validated and compiled."""

from advisor.rulebase.loader import RuleBase, RuleBaseInvalid, load_rulebase

__all__ = ["RuleBase", "RuleBaseInvalid", "load_rulebase"]
