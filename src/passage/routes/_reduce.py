"""Conditions reduced for one route search: what can be decided at once is decided.

Most tests in a knowledge base look at facts no step changes (citizenship, military status, a
wanted-list entry). For one person they have one value for the whole search, so every condition
is reduced once to what is left: a decided truth value, or a function of the few facts that do
change (where one is, what has been obtained) and of the day.
"""

from __future__ import annotations

from collections.abc import Callable

from passage.routes.conditions import FALSE, TRUE, State

__all__ = ["DAY_OPS", "Check", "Order", "Residual", "combine", "order_function", "truth"]

DAY_OPS = frozenset({"valid_for_days", "expires_within_days"})

# A condition reduced for one search: a decided truth value, or what is left to evaluate on a
# state (tests on facts that steps change, on where one is, and on the day).
Residual = int | Callable[[State], int]


class Check:
    """A reduced condition and its values so far, by (country if it looks at it,) changes, day."""

    __slots__ = ("by_country", "by_day", "memo", "residual", "support", "unknown")

    def __init__(self, residual: Residual, by_country: bool, by_day: bool, support: tuple[str, ...]) -> None:
        self.residual = residual
        self.by_country = by_country
        self.by_day = by_day
        # The changing facts it reads: its value depends on the state through these alone.
        self.support = support
        self.memo: dict[tuple[object, ...], int] = {}
        self.unknown: dict[tuple[object, ...], frozenset[str]] = {}


# A label's or route's place in the priority queue: its ranking key (three ints, in ranking
# order), the number of facts it assumes, its depth and its step ids.
Order = tuple[int, int, int, int, int, tuple[str, ...]]


def order_function(order: tuple[str, ...]) -> Callable[[int, int, int, int, int, tuple[str, ...]], Order]:
    """The queue order for the ranking ``order`` as one flat tuple, from (risk, days, cost, ...).

    Flat, so the heap compares plain ints instead of a nested key tuple first; and built by one
    call, without a mapping.
    """
    if order == ("risk", "days", "cost"):

        def usual(risk: int, days: int, cost: int, assumed: int, depth: int, steps: tuple[str, ...]) -> Order:
            return (risk, days, cost, assumed, depth, steps)

        return usual
    first, second, third = (("risk", "days", "cost").index(name) for name in order)

    def general(risk: int, days: int, cost: int, assumed: int, depth: int, steps: tuple[str, ...]) -> Order:
        values = (risk, days, cost)
        return (values[first], values[second], values[third], assumed, depth, steps)

    return general


def truth(residual: Residual, state: State) -> int:
    return residual if isinstance(residual, int) else residual(state)


def combine(parts: list[Residual], conjunction: bool) -> Residual:
    """``all``/``any`` of reduced parts in Kleene's logic, deciding what can be decided."""
    decided = [part for part in parts if isinstance(part, int)]
    open_ = [part for part in parts if not isinstance(part, int)]
    if conjunction:
        if FALSE in decided:
            return FALSE
        floor = min(decided, default=TRUE)
        if not open_:
            return floor
        if floor == TRUE and len(open_) == 1:
            return open_[0]

        def all_(state: State) -> int:
            result = floor
            for part in open_:
                value = part(state)
                if value == FALSE:
                    return FALSE
                if value < result:
                    result = value
            return result

        return all_
    if TRUE in decided:
        return TRUE
    ceiling = max(decided, default=FALSE)
    if not open_:
        return ceiling
    if ceiling == FALSE and len(open_) == 1:
        return open_[0]

    def any_(state: State) -> int:
        result = ceiling
        for part in open_:
            value = part(state)
            if value == TRUE:
                return TRUE
            if value > result:
                result = value
        return result

    return any_
