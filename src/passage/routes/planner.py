"""Multi-step routes from where a person is to a protection pathway.

A route is a sequence of steps (travel, apply, obtain, wait) after which every requirement of a
pathway holds, followed by the application itself. Routes are ranked by risk (the worst step),
then days, then cost — the order is configurable. Because risk is a maximum and days and cost are
sums, one best label per state is not enough; the search keeps, per state, every label not
dominated on (risk, days, cost, assumptions), which makes it exact. The result is deterministic:
ties are broken by step ids.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from passage.routes.conditions import FALSE, TRUE, UNKNOWN, State, evaluate, unknown_facts
from passage.routes.messages import Message
from passage.routes.model import RISKS, KnowledgeBase, Pathway, ReqAll, ReqNode, Requirement, RiskRule, Step, cite
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
    label: object  # Text (en/ru)
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


@dataclass
class _Label:
    rank: tuple[int, int, int]
    tiebreak: tuple[str, ...]
    risk: int = field(compare=False)
    days: int = field(compare=False)
    cost: int = field(compare=False)
    assumptions: frozenset[str] = field(compare=False)
    country: str = field(compare=False)
    changed: tuple[tuple[str, object], ...] = field(compare=False)
    arrived_day: int | None = field(compare=False)
    steps: tuple[RouteStep, ...] = field(compare=False)
    depth: int = field(default=0, compare=False)


class _Search:
    def __init__(self, knowledge: KnowledgeBase, profile: Profile, ranking: Ranking) -> None:
        self.knowledge = knowledge
        self.profile = profile
        self.ranking = ranking
        self.from_country: dict[str, list[Step]] = {}
        self.anywhere: list[Step] = []
        for step in knowledge.steps:
            if step.action == "travel" and step.from_ != "*":
                self.from_country.setdefault(str(step.from_), []).append(step)
            else:
                self.anywhere.append(step)
        producible = frozenset(
            name for step in knowledge.steps for name in step.sets() if name != "current_country"
        ) - frozenset(profile.facts)
        # What a step can produce and the profile does not state counts as not obtained: false
        # for a yes/no fact (so `visa eq false` holds), no value for anything else.
        self.not_obtained: dict[str, object] = {
            name: False for name in sorted(producible) if _fact_type(knowledge, name) == "bool"
        }
        self.producible = producible - frozenset(self.not_obtained)
        self.rules_on: dict[str, list[RiskRule]] = {}
        for rule in knowledge.risk_rules:
            self.rules_on.setdefault(rule.event, []).append(rule)

    def state(self, label: _Label) -> State:
        facts = {**self.not_obtained, **self.profile.facts}
        facts.update(label.changed)
        facts["current_country"] = label.country
        if label.arrived_day is not None:
            facts["arrived_on"] = self.profile.as_of + timedelta(days=label.arrived_day)
        return State(facts, self.profile.as_of + timedelta(days=label.days), self.knowledge.missions, self.producible)

    def stay_end(self, label: _Label, state: State) -> date | None:
        country = self.knowledge.countries.get(label.country)
        arrived = state.facts.get("arrived_on")
        if country is None or not isinstance(arrived, date):
            return None
        found = country.permitted_stay_ends(self.profile.facts.get("citizenship"), arrived)
        return found[0] if found else None

    def risk_of(self, step_like: Step | None, label: _Label, state: State) -> tuple[int, list[Message]]:
        """The risk of doing ``step_like`` (None = the final application) from ``label``."""
        risk = RISKS.index(step_like.risk) if step_like is not None else 0
        reasons: list[Message] = []
        if step_like is not None and step_like.risk_reason is not None and risk > 0:
            reasons.append(
                Message(
                    "risk_rule",
                    {"risk": step_like.risk, "reason": step_like.risk_reason, "citation": step_like.citation},
                )
            )
        for rule, applies in self._rules_for(step_like, label.country):
            if not applies:
                continue
            truth = evaluate(rule.when, state)
            if truth == FALSE:
                continue
            risk = max(risk, RISKS.index(rule.risk))
            if truth == TRUE:
                reasons.append(
                    Message("risk_rule", {"risk": rule.risk, "reason": rule.reason, "citation": cite(rule.sources)})
                )
            else:
                facts = ", ".join(unknown_facts(rule.when, state))
                reasons.append(
                    Message(
                        "risk_rule_assumed",
                        {"risk": rule.risk, "facts": facts, "reason": rule.reason, "citation": cite(rule.sources)},
                    )
                )
        return risk, reasons

    def _rules_for(self, step: Step | None, country: str) -> Iterable[tuple[RiskRule, bool]]:
        if step is None or step.action != "travel":
            for rule in self.rules_on.get("stay", ()):
                yield rule, country in rule.countries
            return
        mode = step.mode or ""
        for rule in self.rules_on.get("exit", ()):
            yield rule, country in rule.countries and mode in rule.modes
        for rule in self.rules_on.get("transit", ()):
            yield rule, mode in rule.modes and any(stop in rule.countries for stop in step.transit)
        for rule in self.rules_on.get("entry", ()):
            yield rule, step.to in rule.countries and mode in rule.modes

    def candidates(self, country: str) -> Iterable[Step]:
        yield from self.from_country.get(country, ())
        for step in self.anywhere:
            if step.available_in(country):
                yield step

    def expand(self, label: _Label) -> Iterable[_Label]:
        state = self.state(label)
        stay_end = self.stay_end(label, state)
        for step in self.candidates(label.country):
            assumptions = label.assumptions
            if step.requires is not None:
                truth = evaluate(step.requires, state)
                if truth == FALSE:
                    continue
                if truth == UNKNOWN:
                    assumptions = assumptions | set(unknown_facts(step.requires, state))
            risk, reasons = self.risk_of(step, label, state)
            duration = step.days + step.wait_days
            days = label.days + duration
            if days > self.ranking.horizon_days:
                continue
            warnings = list(reasons)
            if stay_end is not None and self.profile.as_of + timedelta(days=days) > stay_end:
                warnings.append(
                    Message(
                        "overstay_on_route",
                        {"country": self.knowledge.country_name(label.country), "date": stay_end.isoformat()},
                    )
                )
            if step.confidence != "verified":
                warnings.append(Message("unverified_step", {"step": step.label, "confidence": step.confidence}))
            if step.estimate:
                warnings.append(Message("estimate", {"step": step.label}))
            changed = dict(label.changed)
            changed.update(step.effects)
            route_steps = _with_wait(
                RouteStep(
                    action=step.action,
                    id=step.id,
                    label=step.label,
                    country=label.country,
                    risk=RISKS[risk],
                    days=step.days,
                    cost_eur=step.cost_eur,
                    citation=step.citation,
                    warnings=tuple(warnings),
                    start_day=label.days,
                    step=step,
                ),
                step.wait_days,
            )
            new_risk = max(label.risk, risk)
            cost = label.cost + step.cost_eur
            yield _Label(
                rank=self.ranking.key(new_risk, days, cost),
                tiebreak=(*label.tiebreak, step.id),
                risk=new_risk,
                days=days,
                cost=cost,
                assumptions=frozenset(assumptions),
                country=step.to or label.country,
                changed=tuple(sorted(changed.items(), key=lambda item: item[0])),
                arrived_day=days if step.to is not None else label.arrived_day,
                steps=(*label.steps, *route_steps),
                depth=label.depth + 1,
            )

    def finish(self, label: _Label, pathway: Pathway, truth: int, state: State) -> Route:
        assumptions = set(label.assumptions)
        if truth == UNKNOWN:
            assumptions |= {r.fact for r in pathway.leaves if r.test.evaluate(state) == UNKNOWN}
        risk, reasons = self.risk_of(None, label, state)
        days = pathway.typical_days or 0
        warnings: list[Message] = list(reasons)
        if pathway.typical_days is None:
            warnings.append(Message("duration_unknown", {"pathway": pathway.name}))
        final = _with_wait(
            RouteStep(
                action="apply",
                id=pathway.id,
                label=pathway.name,
                country=label.country,
                risk=RISKS[risk],
                days=0,
                cost_eur=pathway.cost_eur or 0,
                citation=cite(pathway.sources),
                warnings=tuple(warnings),
                start_day=label.days,
            ),
            days,
        )
        route_warnings: list[Message] = []
        if assumptions:
            route_warnings.append(Message("assumes", {"facts": ", ".join(sorted(assumptions))}))
        return Route(
            goal=pathway,
            risk=RISKS[max(label.risk, risk)],
            days=label.days + days,
            cost_eur=label.cost + (pathway.cost_eur or 0),
            steps=(*label.steps, *final),
            warnings=tuple(route_warnings),
            assumptions=tuple(sorted(assumptions)),
        )

    def run(self, goals: list[Pathway]) -> dict[str, Route]:
        country = self.profile.facts.get("current_country")
        if not isinstance(country, str) or not goals:
            return {}
        start = _Label(self.ranking.key(0, 0, 0), (), 0, 0, 0, frozenset(), country, (), None, ())
        # Entries are labels to expand or finished routes. A finished route's key includes the
        # application itself (its risk depends on where one applies), so a goal is settled only
        # when its finished route leaves the queue: keys never decrease along a route, hence
        # the first one out is the best.
        counter = itertools.count()
        # Ties on the ranking are broken by fewer assumed facts, then fewer steps, then step ids.
        frontier: list[tuple[tuple[int, int, int], int, int, tuple[str, ...], int, _Label | Route]] = [
            (start.rank, 0, 0, start.tiebreak, next(counter), start)
        ]
        settled: dict[tuple[str, tuple[tuple[str, object], ...]], list[_Label]] = {}
        found: dict[str, Route] = {}
        pending = {pathway.id: pathway for pathway in goals}
        while frontier and pending:
            _rank, _assumed, _depth, tiebreak, _seq, item = heapq.heappop(frontier)
            if isinstance(item, Route):
                if item.goal.id in pending:
                    del pending[item.goal.id]
                    found[item.goal.id] = item
                continue
            label = item
            node = (label.country, label.changed)
            kept = settled.setdefault(node, [])
            if any(_dominates(other, label) for other in kept):
                continue
            kept.append(label)
            state = self.state(label)
            for pathway in pending.values():
                truth = requirement_truth(pathway.requirements, state)
                if truth == FALSE:
                    continue
                route = self.finish(label, pathway, truth, state)
                key = self.ranking.key(RISKS.index(route.risk), route.days, route.cost_eur)
                heapq.heappush(
                    frontier,
                    (key, len(route.assumptions), label.depth, (*tiebreak, "~" + pathway.id), next(counter), route),
                )
            if label.depth >= self.ranking.max_steps:
                continue
            for child in self.expand(label):
                child_node = (child.country, child.changed)
                if any(_dominates(other, child) for other in settled.get(child_node, ())):
                    continue
                heapq.heappush(
                    frontier,
                    (child.rank, len(child.assumptions), child.depth, child.tiebreak, next(counter), child),
                )
        return found


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


def _dominates(first: _Label, second: _Label) -> bool:
    # Depth matters because routes are limited to ``max_steps``: a cheaper label that used more
    # steps to get here may have too few left to reach a goal the dearer one can still reach.
    return (
        first.depth <= second.depth
        and first.risk <= second.risk
        and first.days <= second.days
        and first.cost <= second.cost
        and first.assumptions <= second.assumptions
    )


def _fact_type(knowledge: KnowledgeBase, name: str) -> str | None:
    definition = knowledge.facts.get(name)
    return definition.type if definition is not None else None


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
    return _Search(knowledge, profile, ranking or Ranking()).run(list(goals))


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
