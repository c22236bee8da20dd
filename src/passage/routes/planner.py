"""Multi-step routes from where a person is to a protection pathway.

A route is a sequence of steps (travel, apply, obtain, wait) after which every requirement of a
pathway holds, followed by the application itself. Routes are ranked by risk (the worst step),
then days, then cost — the order is configurable. Because risk is a maximum and days and cost are
sums, one best label per state is not enough; the search (``passage.routes._search``) keeps, per
state, every label that no other makes useless, which makes it exact. The result is
deterministic: ties are broken by fewer assumed facts, fewer steps, then step ids.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from passage.routes.conditions import State, Value
from passage.routes.messages import Message
from passage.routes.model import RISKS, KnowledgeBase, Pathway, ReqAll, ReqNode, Requirement, Step, cite
from passage.routes.profile import Profile

__all__ = ["Ranking", "Route", "RouteStep", "find_routes", "requirement_truth"]


@dataclass(frozen=True)
class Ranking:
    """How routes are ordered and how far the search looks.

    ``order`` is a permutation of ``("risk", "days", "cost")``: the first key decides, the next
    breaks ties. Risk is the worst step's risk; days and cost add up.
    """

    order: tuple[str, ...] = ("risk", "days", "cost")
    max_steps: int = 5
    horizon_days: int = 3650

    def __post_init__(self) -> None:
        if sorted(self.order) != ["cost", "days", "risk"]:
            raise ValueError("ranking order must be a permutation of risk, days, cost")

    def key(self, risk: int, days: int, cost: int) -> tuple[int, int, int]:
        values = {"risk": risk, "days": days, "cost": cost}
        first, second, third = (values[name] for name in self.order)
        return (first, second, third)


@dataclass(frozen=True, slots=True)
class RouteStep:
    action: str
    id: str
    label: Value  # Text (en/ru)
    country: str
    risk: str
    days: int
    cost_eur: int
    citation: str
    warnings: tuple[Message, ...]
    start_day: int
    step: Step | None = None


@dataclass(frozen=True)
class Route:
    goal: Pathway
    risk: str
    days: int
    cost_eur: int
    steps: tuple[RouteStep, ...]
    warnings: tuple[Message, ...]
    assumptions: tuple[str, ...]

    def sort_key(self, ranking: Ranking) -> tuple[object, ...]:
        """Order among routes to different pathways: at equal risk, routes that rest on facts
        the profile does not state come after those that do not; then the ranking's keys."""
        risk_first = ranking.order[0] == "risk"
        certainty = (RISKS.index(self.risk), bool(self.assumptions)) if risk_first else (bool(self.assumptions),)
        return (
            *certainty,
            *ranking.key(RISKS.index(self.risk), self.days, self.cost_eur),
            len(self.assumptions),
            self.goal.id,
        )


def requirement_truth(node: ReqNode, state: State) -> int:
    """Kleene value of a requirement tree on ``state`` (evidence does not matter here)."""
    if isinstance(node, Requirement):
        return node.test.evaluate(state)
    values = [requirement_truth(child, state) for child in node.children]
    return min(values) if isinstance(node, ReqAll) else max(values)


_WAIT_LABEL = {"en": "Wait for the decision", "ru": "Ждать решения"}


def _with_wait(step: RouteStep, wait_days: int) -> tuple[RouteStep, ...]:
    """An application followed by the wait for its decision, as the contract's ``wait`` step."""
    if wait_days <= 0:
        return (step,)
    wait = RouteStep(
        action="wait",
        id=f"{step.id}.wait",
        label=_WAIT_LABEL,
        country=step.country,
        risk=step.risk,
        days=wait_days,
        cost_eur=0,
        citation=step.citation,
        warnings=(),
        start_day=step.start_day + step.days,
        step=None,
    )
    return (step, wait)


def find_routes(
    knowledge: KnowledgeBase,
    profile: Profile,
    goals: Iterable[Pathway],
    ranking: Ranking | None = None,
) -> dict[str, Route]:
    """The best route to each goal pathway that can be reached, keyed by pathway id.

    Goals are reached in the ranking's order, so the first route found for a pathway is the best
    one. Pathways that cannot be reached are simply absent.
    """
    # The search needs this module's types; importing it here keeps them defined in one place.
    from passage.routes._search import Search

    # The search allocates many short-lived labels; the cyclic garbage collector would keep
    # re-scanning them (a fifth of the time on large worlds). What few cycles the search leaves
    # (its interned change records) are collected once it is switched back on.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return Search(knowledge, profile, ranking or Ranking()).run(list(goals))
    finally:
        if collecting:
            gc.enable()


def stay_warnings(knowledge: KnowledgeBase, profile: Profile) -> list[Message]:
    """The stay limit of the current country as a warning when it ends soon (or has ended)."""
    code = profile.facts.get("current_country")
    arrived = profile.facts.get("arrived_on")
    if not isinstance(code, str):
        return [Message("current_country_unknown")]
    country = knowledge.countries.get(code)
    if country is None:
        return []
    name = country.name
    if not isinstance(arrived, date):
        return []
    found = country.permitted_stay_ends(profile.facts.get("citizenship"), arrived)
    if found is None:
        texts = [unknown.text for unknown in country.unknowns if unknown.topic == "stay_limit"]
        if texts:
            return [Message("stay_unknown", {"country": name, "text": texts[0]})]
        return []
    ends, rule = found
    left = (ends - profile.as_of).days
    sources = tuple(knowledge.sources[source_id] for source_id in rule.sources)
    params: Mapping[str, object] = {
        "country": name,
        "date": ends.isoformat(),
        "rule": rule.text,
        "citation": cite(sources),
    }
    if left < 0:
        return [Message("stay_over", {**params, "days": -left})]
    if left <= knowledge.meta.stay_warning_days:
        return [Message("stay_ends", {**params, "days": left})]
    return []


def _country_text(knowledge: KnowledgeBase, code: str) -> object:
    """The country's en/ru name for a message (the code itself if the country is not described)."""
    country = knowledge.countries.get(code)
    return country.name if country is not None else code
