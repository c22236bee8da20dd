"""Turning written conditions and values into typed, checked engine objects.

Shared by the knowledge-base loader and the profile loader so that a fact has one meaning
everywhere: the same type checks, the same messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from passage.routes.conditions import OPERATORS, Cond, Leaf, Ref, all_of, any_of, negate
from passage.routes.schema import FactDef

Problem = Callable[[tuple[str | int, ...], str], None]

_TYPE_WORDS = {
    "bool": "yes/no (true or false)",
    "enum": "one of the listed values",
    "date": "a date YYYY-MM-DD",
    "country": "a two-letter country code",
    "countries": "a list of two-letter country codes",
    "int": "a whole number",
}

# Which operators make sense for which fact type.
_OPS_FOR = {
    "bool": {"eq", "ne"},
    "enum": {"eq", "ne", "in", "not_in"},
    "country": {"eq", "ne", "in", "not_in", "mission_of", "no_mission_of"},
    "countries": {"contains", "lacks"},
    "date": {"valid_for_days", "expires_within_days", "before", "not_before"},
    "int": {"eq", "ne", "gte", "lt", "lte", "gt"},
}


class Invalid(ValueError):
    """A value does not fit its fact; the message says what was expected."""


def parse_date(raw: object) -> date:
    if isinstance(raw, date):
        return raw
    text = str(raw)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"impossible or malformed date '{text}' (use YYYY-MM-DD)") from None


def convert_value(fact: FactDef, raw: object, countries: Mapping[str, object] | None) -> object:
    """The typed value of ``fact`` written as ``raw``; raises :class:`Invalid`."""
    kind = fact.type
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
    elif kind == "int":
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
    elif kind == "date":
        return parse_date(raw)
    elif kind == "enum":
        allowed = [value.id for value in fact.values or ()]
        if isinstance(raw, str) and raw in allowed:
            return raw
        raise Invalid(f"fact '{fact.id}' must be one of: {', '.join(allowed)} (got '{raw}')")
    elif kind == "country":
        return _country(raw, countries, fact.id)
    elif kind == "countries":
        if isinstance(raw, list):
            return frozenset(_country(item, countries, fact.id) for item in raw)
    raise Invalid(f"fact '{fact.id}' must be {_TYPE_WORDS[kind]} (got {raw!r})")


def _country(raw: object, countries: Mapping[str, object] | None, fact_id: str) -> str:
    if not (isinstance(raw, str) and len(raw) == 2 and raw.isalpha() and raw.isupper()):
        raise Invalid(f"fact '{fact_id}' needs a two-letter country code like KZ (got {raw!r})")
    if countries is not None and raw not in countries:
        raise Invalid(f"unknown country '{raw}' for fact '{fact_id}'")
    return raw


class ConditionCompiler:
    """Compiles the YAML form of a condition into :mod:`passage.routes.conditions` objects."""

    def __init__(
        self,
        facts: Mapping[str, FactDef],
        countries: Mapping[str, object],
        problem: Problem,
        expand_entry: Callable[[str], Cond | None] | None = None,
    ) -> None:
        self.facts = facts
        self.countries = countries
        self.problem = problem
        self.expand_entry = expand_entry

    def compile(self, raw: Any, path: tuple[str | int, ...], refs: Mapping[str, str]) -> Cond | None:
        """Compile ``raw`` at ``path``; report problems and return None when it is unusable."""
        if isinstance(raw, list):
            return self._group(raw, path, refs, all_of)
        if not isinstance(raw, dict):
            self.problem(path, "a condition must be a mapping (fact test, all, any, not)")
            return None
        if len(raw) == 1 and next(iter(raw)) in {"all", "any"}:
            key = next(iter(raw))
            if not isinstance(raw[key], list) or not raw[key]:
                self.problem((*path, key), f"'{key}' needs a non-empty list")
                return None
            return self._group(raw[key], (*path, key), refs, all_of if key == "all" else any_of)
        if len(raw) == 1 and "not" in raw:
            inner = self.compile(raw["not"], (*path, "not"), refs)
            return negate(inner) if inner is not None else None
        if len(raw) == 1 and "entry_allowed" in raw:
            return self._entry(raw["entry_allowed"], (*path, "entry_allowed"), refs)
        return self.leaf(raw, path, refs)

    def _group(
        self,
        items: list[Any],
        path: tuple[str | int, ...],
        refs: Mapping[str, str],
        join: Callable[[list[Cond]], Cond],
    ) -> Cond | None:
        compiled = [self.compile(item, (*path, index), refs) for index, item in enumerate(items)]
        if any(item is None for item in compiled):
            return None
        return join([item for item in compiled if item is not None])

    def _entry(self, raw: Any, path: tuple[str | int, ...], refs: Mapping[str, str]) -> Cond | None:
        code = refs.get(raw[1:], raw) if isinstance(raw, str) and raw.startswith("$") else raw
        if not isinstance(code, str) or code not in self.countries:
            self.problem(path, f"entry_allowed needs a known country (got {raw!r})")
            return None
        if self.expand_entry is None:
            self.problem(path, "entry_allowed cannot be used here")
            return None
        return self.expand_entry(code)

    def leaf(self, raw: dict[str, Any], path: tuple[str | int, ...], refs: Mapping[str, str]) -> Leaf | None:
        """Compile one ``{fact: NAME, OP: VALUE}`` test; ``raw`` may carry other keys."""
        fact_id = raw.get("fact")
        if not isinstance(fact_id, str):
            self.problem(path, "a test needs 'fact: NAME'")
            return None
        fact = self.facts.get(fact_id)
        if fact is None:
            self.problem((*path, "fact"), f"unknown fact '{fact_id}'")
            return None
        ops = [key for key in raw if key in OPERATORS]
        if len(ops) != 1:
            self.problem(
                path, f"a test on '{fact_id}' needs exactly one operator ({', '.join(sorted(_OPS_FOR[fact.type]))})"
            )
            return None
        op = ops[0]
        if op not in _OPS_FOR[fact.type]:
            self.problem((*path, op), f"'{op}' does not apply to {fact.type} fact '{fact_id}'")
            return None
        value = self._value(fact, op, raw[op], (*path, op), refs)
        if value is _BAD:
            return None
        return Leaf(fact_id, op, value)

    def _value(self, fact: FactDef, op: str, raw: Any, path: tuple[str | int, ...], refs: Mapping[str, str]) -> object:
        if isinstance(raw, str) and raw.startswith("$"):
            name = raw[1:]
            if name in refs:
                return refs[name]
            if name in self.facts and self.facts[name].type in {"country", fact.type}:
                return Ref(name)
            self.problem(path, f"unknown reference '{raw}'")
            return _BAD
        try:
            if op in {"in", "not_in"}:
                if not isinstance(raw, list) or not raw:
                    raise Invalid(f"'{op}' needs a non-empty list")
                return frozenset(convert_value(fact, item, None) for item in raw)
            if op in {"valid_for_days", "expires_within_days"}:
                if not isinstance(raw, int) or isinstance(raw, bool):
                    raise Invalid(f"'{op}' needs a number of days")
                return raw
            if op in {"mission_of", "no_mission_of", "contains", "lacks"}:
                return _country(raw, None, fact.id)
            return convert_value(fact, raw, None)
        except Invalid as error:
            self.problem(path, str(error))
            return _BAD


_BAD = object()
