"""Conditions over profile facts, evaluated in three-valued logic.

A fact the profile does not state is *unknown*, and a test on it is unknown too: never silently
true or false. Conditions are compiled once into negation normal form (``not`` pushed down to the
tests), so a test and its opposite are both plain leaves — which is what lets the evaluator name
traps (one requirement needs the opposite of another).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, TypeAlias

__all__ = [
    "FALSE",
    "TRUE",
    "UNKNOWN",
    "All",
    "Any",
    "Cond",
    "Leaf",
    "Ref",
    "State",
    "all_of",
    "any_of",
    "evaluate",
    "leaves",
    "negate",
]

TRUE: Final = 2
UNKNOWN: Final = 1
FALSE: Final = 0
Truth: TypeAlias = int
# Any fact value (a name the compiled dataclasses can look up: see ``passage.routes._native``).
Value: TypeAlias = object

# Each operator with its opposite; negating a leaf swaps them.
OPPOSITE: Final[dict[str, str]] = {
    "eq": "ne",
    "ne": "eq",
    "in": "not_in",
    "not_in": "in",
    "contains": "lacks",
    "lacks": "contains",
    "gte": "lt",
    "lt": "gte",
    "lte": "gt",
    "gt": "lte",
    "valid_for_days": "expires_within_days",
    "expires_within_days": "valid_for_days",
    "before": "not_before",
    "not_before": "before",
    "mission_of": "no_mission_of",
    "no_mission_of": "mission_of",
}
OPERATORS: Final = frozenset(OPPOSITE)
# A fact that is *not obtained* (see ``State.unstated_false``) has no value: a test asking for a
# value fails and its opposite holds, as if a date were long past, a number below any bound and a
# set empty. This keeps ``negate`` exact: a test and its opposite never both fail.
HOLDS_WHEN_ABSENT: Final = frozenset(
    {"ne", "not_in", "lacks", "lt", "lte", "expires_within_days", "before", "no_mission_of"}
)


@dataclass(frozen=True, slots=True)
class Ref:
    """A value taken from the profile when evaluated, e.g. ``$citizenship``."""

    fact: str


@dataclass(frozen=True, slots=True)
class State:
    """What a condition looks at: the facts as they stand on ``today``."""

    facts: Mapping[str, object]
    today: date
    # (country hosting, country represented) pairs with a known embassy or consulate.
    missions: frozenset[tuple[str, str]] = frozenset()
    # Facts that, when not stated, count as not obtained rather than unknown. The planner uses
    # this for facts a step can produce (a visa, a referral): it plans how to obtain them instead
    # of assuming the person already has them. A test on such a fact asks for a value it does
    # not have, so it fails, and its opposite holds (see ``HOLDS_WHEN_ABSENT``). The planner
    # states yes/no facts of this kind as false instead, which is what "not obtained" means there.
    unstated_false: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Leaf:
    """One test on one fact."""

    fact: str
    op: str
    value: Value

    def evaluate(self, state: State) -> Truth:
        actual = state.facts.get(self.fact)
        if actual is None:
            if self.fact in state.unstated_false:
                return TRUE if self.op in HOLDS_WHEN_ABSENT else FALSE
            return UNKNOWN
        expected = self.value
        if isinstance(expected, Ref):
            expected = state.facts.get(expected.fact)
            if expected is None:
                return UNKNOWN
        return TRUE if _TESTS[self.op](actual, expected, state) else FALSE

    def key(self) -> tuple[str, str, object]:
        """Identity of the test, used to match a test with its opposite."""
        return (self.fact, self.op, self.value)


@dataclass(frozen=True, slots=True)
class All:
    children: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class Any:
    children: tuple[Cond, ...]


Cond: TypeAlias = "Leaf | All | Any"


def _days_left(actual: object, state: State) -> int:
    assert isinstance(actual, date)  # noqa: S101 - types are checked when profiles load
    return (actual - state.today).days


def _mission(actual: object, expected: object, state: State) -> bool:
    return (str(actual), str(expected)) in state.missions


_TESTS: Final[dict[str, Callable[[object, object, State], bool]]] = {
    "eq": lambda a, e, s: a == e,
    "ne": lambda a, e, s: a != e,
    "in": lambda a, e, s: a in e,  # type: ignore[operator]
    "not_in": lambda a, e, s: a not in e,  # type: ignore[operator]
    "contains": lambda a, e, s: e in a,  # type: ignore[operator]
    "lacks": lambda a, e, s: e not in a,  # type: ignore[operator]
    "gte": lambda a, e, s: a >= e,  # type: ignore[operator]
    "lt": lambda a, e, s: a < e,  # type: ignore[operator]
    "lte": lambda a, e, s: a <= e,  # type: ignore[operator]
    "gt": lambda a, e, s: a > e,  # type: ignore[operator]
    # A document is valid for N more days when its expiry lies at least N days after today.
    "valid_for_days": lambda a, e, s: _days_left(a, s) >= e,  # type: ignore[operator]
    "expires_within_days": lambda a, e, s: _days_left(a, s) < e,  # type: ignore[operator]
    "before": lambda a, e, s: a < e,  # type: ignore[operator]
    "not_before": lambda a, e, s: a >= e,  # type: ignore[operator]
    "mission_of": _mission,
    "no_mission_of": lambda a, e, s: not _mission(a, e, s),
}


def all_of(children: list[Cond]) -> Cond:
    """Conjunction, flattened; a single child stands for itself."""
    flat: list[Cond] = []
    for child in children:
        flat.extend(child.children if isinstance(child, All) else (child,))
    return flat[0] if len(flat) == 1 else All(tuple(flat))


def any_of(children: list[Cond]) -> Cond:
    """Disjunction, flattened; a single child stands for itself."""
    flat: list[Cond] = []
    for child in children:
        flat.extend(child.children if isinstance(child, Any) else (child,))
    return flat[0] if len(flat) == 1 else Any(tuple(flat))


def negate(cond: Cond) -> Cond:
    """The opposite condition, still in negation normal form (De Morgan)."""
    if isinstance(cond, Leaf):
        return Leaf(cond.fact, OPPOSITE[cond.op], cond.value)
    if isinstance(cond, All):
        return any_of([negate(child) for child in cond.children])
    return all_of([negate(child) for child in cond.children])


def evaluate(cond: Cond, state: State) -> Truth:
    """Kleene's three-valued value of ``cond``: TRUE, FALSE or UNKNOWN."""
    if isinstance(cond, Leaf):
        return cond.evaluate(state)
    if isinstance(cond, All):
        result = TRUE
        for child in cond.children:
            value = evaluate(child, state)
            if value == FALSE:
                return FALSE
            result = min(result, value)
        return result
    result = FALSE
    for child in cond.children:
        value = evaluate(child, state)
        if value == TRUE:
            return TRUE
        result = max(result, value)
    return result


def leaves(cond: Cond) -> list[Leaf]:
    """Every test in ``cond``, in order."""
    if isinstance(cond, Leaf):
        return [cond]
    found: list[Leaf] = []
    for child in cond.children:
        found.extend(leaves(child))
    return found


def unknown_facts(cond: Cond, state: State) -> list[str]:
    """Facts whose absence makes ``cond`` unknown (what to ask the person)."""
    return sorted({leaf.fact for leaf in leaves(cond) if leaf.evaluate(state) == UNKNOWN})


def shift(state: State, days: int) -> State:
    """The same facts, ``days`` later."""
    return State(state.facts, state.today + timedelta(days=days), state.missions, state.unstated_false)
