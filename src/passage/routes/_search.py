"""The route search: label-setting over states, exact for the ranking, with a step limit.

A *state* is where the person is, the facts changed so far and the value of the tests that look
at the day. A *label* is one way of getting there: its worst risk, days, cost, the facts it had
to assume and the steps taken. Labels leave a priority queue in ranking order; a route to a goal
is queued with its full key (the application's own risk depends on where one applies), so the
first route to a pathway that leaves the queue is its best.

What keeps it fast without giving up exactness:

- conditions are reduced once per search (``passage.routes._reduce``) and their values remembered
  by the few changing facts they read, so states that differ elsewhere share the work;
- a label is dropped when another at the same state makes it useless (``_dominance``), or when no
  pending goal can be reached from it within the step limit (a lower bound on the steps left);
- the steps of a route and their warnings are only written out for the routes returned.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta

from passage.routes._reduce import DAY_OPS, Check, Order, Residual, combine, order_function, truth
from passage.routes.conditions import FALSE, TRUE, UNKNOWN, All, Cond, Leaf, Ref, State, evaluate, leaves, unknown_facts
from passage.routes.messages import Message
from passage.routes.model import (
    RISKS,
    KnowledgeBase,
    Pathway,
    ReqAll,
    ReqAny,
    ReqNode,
    Requirement,
    RiskRule,
    Step,
    cite,
    requirement_leaves,
)
from passage.routes.planner import Ranking, Route, RouteStep, _country_text, _with_wait
from passage.routes.profile import Profile

__all__ = ["Search"]


# The search's own records are plain classes with ``__slots__`` rather than dataclasses: compiled
# (``passage.routes._native``), a dataclass's generated ``__init__`` would still run interpreted.


class _Label:
    """A partial route: what it has cost so far, where it leads, and the step that led here.

    ``order`` is its place in the queue (``order_function``); it ends with the step ids taken.
    ``settled``: taken out of the queue and expanded (not beaten by one before it).
    """

    __slots__ = (
        "arrived_day", "assumptions", "changed", "cost", "country", "days", "depth", "order", "parent", "risk",
        "settled", "step",
    )  # fmt: skip

    def __init__(
        self,
        order: Order,
        risk: int,
        days: int,
        cost: int,
        assumptions: frozenset[str],
        country: str,
        changed: _Changes,
        arrived_day: int | None,
        depth: int,
        parent: _Label | None,
        step: Step | None,
    ) -> None:
        self.order = order
        self.risk = risk
        self.days = days
        self.cost = cost
        self.assumptions = assumptions
        self.country = country
        self.changed = changed
        self.arrived_day = arrived_day
        self.depth = depth
        self.parent = parent
        self.step = step
        self.settled = False


class _Goal:
    """A route to a pathway, built only if it leaves the queue before any other to that pathway."""

    __slots__ = ("label", "pathway", "unknown")

    def __init__(self, label: _Label, pathway: Pathway, unknown: frozenset[str]) -> None:
        self.label = label
        self.pathway = pathway
        self.unknown = unknown


class _Node:
    """What one state allows, worked out once however many labels reach it.

    ``moves``: each step that can be taken (``_Move``), worked out only when a label here may
    still take a step. ``goals``: the pathways whose requirements do not fail here, with the
    requirement facts to assume. ``stay_risk``: the risk of applying here. ``state``: the
    state's facts, made when a test needs them.
    """

    __slots__ = ("changed", "country", "day", "goals", "moves", "state", "stay_risk")

    def __init__(self, country: str, changed: _Changes, day: tuple[int, ...], state: State | None) -> None:
        self.goals: list[tuple[Pathway, frozenset[str]]] = []
        self.stay_risk = 0
        self.moves: list[_Move] | None = None
        self.country = country
        self.changed = changed
        self.day = day
        self.state = state


class _Changes:
    """The facts a route has changed so far, interned: equal changes are the same object.

    States are looked up by these millions of times; an interned object hashes by identity at
    once, where a tuple of pairs would be hashed anew each time.
    """

    __slots__ = ("after", "items", "values")

    def __init__(self, items: tuple[tuple[str, object], ...], values: dict[str, object]) -> None:
        self.items = items  # sorted by fact
        self.values = values  # every changing fact's value in this state (None: not obtained)
        self.after: dict[str, _Changes] = {}  # by step id: the changes after that step


_NOTHING: frozenset[str] = frozenset()


class _Move:
    """A step that can be taken from a state: the step, its risk there, the facts it must assume,
    where it leads, and its days (waiting included) and cost, read once here rather than per label.

    A class rather than a tuple: compiled, a tuple taken out of one list and put in another is
    unpacked and packed anew, where an object is only referred to.
    """

    __slots__ = ("assumed", "cost", "days", "risk", "step", "to")

    def __init__(self, step: Step, risk: int, assumed: frozenset[str], to: str, days: int, cost: int) -> None:
        self.step = step
        self.risk = risk
        self.assumed = assumed
        self.to = to
        self.days = days
        self.cost = cost


# A step that can start in a country: its move when its precondition holds and no risk rule
# applies, its precondition (None when its value is the same in every state) and the risk rules
# whose value differs between states (highest risk first). With neither, the move is the same
# from every state in the country.
_Template = tuple[_Move, "Check | None", tuple[tuple[int, "Check"], ...]]


class _Group:
    """A country's steps whose moves read the same changing facts (and the day, or not).

    Their moves are remembered by the values of just these facts, so states that differ in what
    other steps of the country read share them.
    """

    __slots__ = ("by_day", "made", "support", "templates")

    def __init__(self, support: tuple[str, ...], by_day: bool, templates: list[_Template]) -> None:
        self.support = support
        self.by_day = by_day
        self.templates = templates
        self.made: dict[tuple[object, ...], list[_Move]] = {}


_FAR = 1 << 30  # more steps than any route may take
_LOOKAHEAD = 2  # how many steps before the limit labels look ahead for a goal


class Search:
    """One person's route search in one knowledge base; ``run`` finds the best route to each goal."""

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
        changeable = frozenset(name for step in knowledge.steps for name in step.sets())
        producible = changeable - {"current_country"} - frozenset(profile.facts)
        # What a step can produce and the profile does not state counts as not obtained: false
        # for a yes/no fact (so `visa eq false` holds), no value for anything else.
        self.not_obtained: dict[str, object] = {
            name: False for name in sorted(producible) if _fact_type(knowledge, name) == "bool"
        }
        self.producible = producible - frozenset(self.not_obtained)
        self.changeable = changeable | {"arrived_on"}
        self.rules_on: dict[str, list[RiskRule]] = {}
        for rule in knowledge.risk_rules:
            self.rules_on.setdefault(rule.event, []).append(rule)
        # Tests whose value changes with the day (documents expiring, time since arrival): a
        # state is the country, the facts changed so far and the value of each of these tests.
        conditions = [step.requires for step in knowledge.steps if step.requires is not None]
        conditions += [rule.when for rule in knowledge.risk_rules]
        conditions += [req.test for pathway in knowledge.pathways for req in pathway.leaves]
        day_tests: dict[tuple[str, str, object], Leaf] = {}
        for cond in conditions:
            for leaf in leaves(cond):
                refers = leaf.value.fact if isinstance(leaf.value, Ref) else None
                if leaf.op in DAY_OPS or "arrived_on" in {leaf.fact, refers}:
                    day_tests.setdefault(leaf.key(), leaf)
        self.day_tests = tuple(day_tests.values())
        self.nodes: dict[tuple[object, ...], _Node] = {}
        # Most tests look at facts no step changes: they are decided once, and each condition is
        # reduced to what can differ between states (``Residual``).
        self.dynamic = self.changeable | {"current_country"}
        self.base = State({**self.not_obtained, **profile.facts}, profile.as_of, knowledge.missions, self.producible)
        self.dynamic_base = {name: self.base.facts.get(name) for name in sorted(self.changeable)}
        self._residuals: dict[int, Residual] = {}
        self._checks: dict[int, Check] = {}
        self._templates: dict[str, tuple[list[_Move], tuple[_Group, ...], tuple[str, ...], bool]] = {}
        self._moves: dict[tuple[object, ...], list[_Move]] = {}
        self._nearby: dict[tuple[int, int], list[_Move]] = {}  # see ``within``
        self._touches: dict[str, bool] = {}  # by step id: see ``touches_needed``
        self._reach: dict[str, int] = {}  # see ``limits``
        self._anywhere_goals: tuple[Pathway, ...] = ()
        # States (with the steps left) from which a pending goal can, or cannot, be reached: see
        # ``leads_to_goal``.
        self._leads: set[tuple[str, _Changes, int]] = set()
        self._dead_ends: set[tuple[str, _Changes, int]] = set()
        self._onward: dict[tuple[int, int], list[tuple[_Move, _Changes]]] = {}  # see ``onward``
        # Near the step limit, look ahead: a move after which no goal can be reached within the
        # steps left is not taken. (Not when tests look at the day: states then differ by it.)
        self.lookahead = 0 if self.day_tests else _LOOKAHEAD
        self._arrivals: dict[
            str, tuple[list[tuple[Pathway, Check]], tuple[tuple[int, Check], ...], tuple[str, ...], bool]
        ] = {}
        self._outcomes: dict[tuple[object, ...], tuple[list[tuple[Pathway, frozenset[str]]], int]] = {}
        self._finals: dict[str, tuple[tuple[int, Check], ...]] = {}
        self.order = order_function(ranking.order)
        self._changes: dict[tuple[tuple[str, object], ...], _Changes] = {}
        self._candidates: dict[str, tuple[Step, ...]] = {}
        self._rules_in: dict[tuple[str, str], tuple[RiskRule, ...]] | None = None
        self._rule_checks: dict[tuple[str, ...], tuple[tuple[int, Check], ...]] = {}
        self._basics: dict[str, tuple[Check | None, frozenset[str], int]] = {}
        self._folded: dict[tuple[int, int], tuple[tuple[tuple[int, Check], ...], int]] = {}
        self._reads: dict[tuple[int, int], tuple[tuple[str, ...], bool]] = {}
        self._goals_in: dict[str, tuple[Pathway, ...]] = {}
        self.goals: tuple[Pathway, ...] = ()
        self.places: dict[str, frozenset[str] | None] = {}
        self._places_of: dict[tuple[str, str, object], frozenset[str] | None] = {}
        self._anywhere: list[tuple[Step, frozenset[str] | None]] | None = None  # see ``candidates``
        self.countries = frozenset(knowledge.countries) | {
            str(code) for step in knowledge.steps for code in (step.from_, step.to) if code not in {None, "*"}
        }
        self._bounds: tuple[dict[str, int], dict[str, int], tuple[Pathway, ...]] | None = None
        self._holds_anywhere: dict[_Changes, bool] = {}
        self._holds_alike: dict[tuple[object, ...], bool] = {}  # by the values of ``_needed``
        self._unsettled: set[str] = set()
        self._needed: frozenset[str] = frozenset()  # facts that goals which hold anywhere read
        self._into: dict[str, list[str]] | None = None
        self._distances: dict[frozenset[str], dict[str, int]] = {}  # by targets
        # Where the steps that set each fact can be taken (None: anywhere, or by travel).
        self._producers: dict[str, frozenset[str] | None] | None = None
        self._to_anywhere: set[str] = set()
        self.dominates = _dominance(ranking.order)

    def state(self, label: _Label) -> State:
        facts = {**self.not_obtained, **self.profile.facts}
        facts.update(label.changed.items)
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
        for rule in self.rules_for(step_like, label.country):
            truth = evaluate(rule.when, state)
            if truth == FALSE:
                continue
            risk = max(risk, RISKS.index(rule.risk))
            if truth == TRUE:
                reasons.append(
                    Message("risk_rule", {"risk": rule.risk, "reason": rule.reason, "citation": cite(rule.sources)})
                )
            else:
                facts = fact_labels(self.knowledge, unknown_facts(rule.when, state))
                reasons.append(
                    Message(
                        "risk_rule_assumed",
                        {"risk": rule.risk, "facts": facts, "reason": rule.reason, "citation": cite(rule.sources)},
                    )
                )
        return risk, reasons

    def rule_checks(self, step: Step | None, country: str) -> tuple[tuple[int, Check], ...]:
        """The risk rules for ``step`` (None = applying) in ``country``, highest risk first.

        Travel is checked against the rules on leaving ``country`` by its mode and against those
        on its transit and entry, which are the step's own; every other step, and applying,
        against the country's stay rules. Each part is worked out once and the two joined.
        """
        if step is None or step.action != "travel":
            return self.sorted_checks(("stay", country), lambda: self.rules_in("stay", country))
        leaving = self.sorted_checks(("exit", country, step.mode or ""), lambda: self.leaving(step, country))
        crossing = self.sorted_checks(("travel", step.id), lambda: self.crossing(step))
        if not leaving or not crossing:
            return leaving or crossing
        return self.sorted_checks(("travel", step.id, country), lambda: self.rules_for(step, country))

    def sorted_checks(
        self, key: tuple[str, ...], rules: Callable[[], tuple[RiskRule, ...]]
    ) -> tuple[tuple[int, Check], ...]:
        """The checks of ``rules()`` with their risk, highest first, remembered by ``key``.

        Kept for the whole search, so each answer is one object for as long as it is used (see
        ``folded``).
        """
        found = self._rule_checks.get(key)
        if found is None:
            found = self._rule_checks[key] = tuple(
                sorted(((RISKS.index(r.risk), self.check(r.when)) for r in rules()), key=lambda item: -item[0])
            )
        return found

    def templates(self, country: str) -> tuple[list[_Move], tuple[_Group, ...], tuple[str, ...], bool]:
        """For each step that can start in ``country``: what decides whether and at what risk.

        What is decided for the whole search is settled here: a precondition whose value is the
        same in every state is dropped (with the facts it assumes if unknown), and a risk rule
        that always applies (or never does) is folded into the step's own risk; the risk is the
        highest of the step's and of the rules that do not fail. With the templates come the
        changing facts the rest reads and whether it looks at the day: the steps' moves depend
        on the state through these alone. The moves that are the same from every state come
        apart; the other steps come in groups by what they read (``_Group``).
        """
        found = self._templates.get(country)
        if found is None:
            stay = self.rule_checks(None, country)
            fixed: list[_Move] = []
            groups: dict[tuple[tuple[str, ...], bool], list[_Template]] = {}
            for step in self.candidates(country):
                requires, assumed, risk = self.basics(step)
                rules = self.rule_checks(step, country) if step.action == "travel" else stay
                if rules:
                    rules, risk = self.folded(rules, risk)
                move = _Move(step, risk, assumed, step.to or country, step.days + step.wait_days, step.cost_eur)
                if requires is None and not rules:
                    fixed.append(move)
                    continue
                groups.setdefault(self.reads(requires, rules), []).append((move, requires, rules))
            support = tuple(sorted({fact for reads, _ in groups for fact in reads}))
            by_day = any(day for _, day in groups)
            made = tuple(_Group(reads, day, templates) for (reads, day), templates in groups.items())
            found = self._templates[country] = (fixed, made, support, by_day)
        return found

    def reads(self, requires: Check | None, rules: tuple[tuple[int, Check], ...]) -> tuple[tuple[str, ...], bool]:
        """The changing facts a precondition and risk rules read, and whether they look at the day.

        Remembered by identity: checks, and the rules from ``folded``, last the whole search.
        """
        key = (id(requires), id(rules))
        found = self._reads.get(key)
        if found is None:
            checks = [check for check in (requires, *(c for _, c in rules)) if check is not None]
            reads = tuple(sorted({fact for check in checks for fact in check.support}))
            found = self._reads[key] = (reads, any(check.by_day for check in checks))
        return found

    def basics(self, step: Step) -> tuple[Check | None, frozenset[str], int]:
        """The precondition of ``step``, the facts it always assumes, and the step's own risk.

        A precondition that reads nothing that changes is decided here: None for it, with the
        facts whose tests are unknown when it is unknown. (One that always fails never makes
        ``step`` a candidate.)
        """
        found = self._basics.get(step.id)
        if found is None:
            requires = None if step.requires is None else self.check(step.requires)
            assumed = _NOTHING
            if requires is not None and isinstance(requires.residual, int):
                assert step.requires is not None and requires.residual != FALSE  # noqa: S101 - see candidates
                if requires.residual == UNKNOWN:
                    # Every test in it is then decided on the facts no step changes.
                    state = self.base
                    assumed = frozenset(test.fact for test in leaves(step.requires) if test.evaluate(state) == UNKNOWN)
                requires = None
            found = self._basics[step.id] = (requires, assumed, RISKS.index(step.risk))
        return found

    def folded(self, rules: tuple[tuple[int, Check], ...], risk: int) -> tuple[tuple[tuple[int, Check], ...], int]:
        """Risk rules (highest first) over a step of ``risk``: those still to check, and the risk.

        The risk is the highest of ``risk`` and of the rules that do not fail, so a rule that
        never fails raises it for good, one that always fails is dropped, and so is any rule
        no higher than the risk. ``rules`` comes from ``rule_checks``, which keeps every answer
        alive, so its identity names it.
        """
        key = (id(rules), risk)
        found = self._folded.get(key)
        if found is None:
            open_: list[tuple[int, Check]] = []
            for level, check in rules:
                if level <= risk:
                    break
                if not isinstance(check.residual, int):
                    open_.append((level, check))
                elif check.residual != FALSE:
                    risk = level
                    break
            found = self._folded[key] = (tuple(open_), risk)
        return found

    def residual(self, cond: Cond) -> Residual:
        """``cond`` with every test on an unchanging fact decided (see ``Residual``)."""
        found = self._residuals.get(id(cond))
        if found is None:
            found = self._residuals[id(cond)] = self._reduce(cond)
        return found

    def _reduce(self, cond: Cond) -> Residual:
        if isinstance(cond, Leaf):
            refers = cond.value.fact if isinstance(cond.value, Ref) else None
            if cond.fact in self.dynamic or refers in self.dynamic or cond.op in DAY_OPS:
                return cond.evaluate
            return cond.evaluate(self.base)
        return combine([self._reduce(child) for child in cond.children], isinstance(cond, All))

    def check(self, cond: Cond | ReqNode) -> Check:
        """``cond`` (a condition or requirement tree) reduced, with a memo of its values."""
        found = self._checks.get(id(cond))
        if found is None:
            if isinstance(cond, ReqAll | ReqAny | Requirement):
                residual = self.goal_residual(cond)
                tests = [requirement.test for requirement in requirement_leaves(cond)]
            else:
                residual = self.residual(cond)
                tests = leaves(cond)
            read: set[str] = set()
            by_day = False
            for test in tests:
                read.add(test.fact)
                if isinstance(test.value, Ref):
                    read.add(test.value.fact)
                by_day = by_day or test.op in DAY_OPS
            by_day = by_day or "arrived_on" in read
            support = tuple(sorted(read & self.changeable - {"current_country", "arrived_on"}))
            found = self._checks[id(cond)] = Check(residual, "current_country" in read, by_day, support)
        return found

    def goal_residual(self, node: ReqNode) -> Residual:
        found = self._residuals.get(id(node))
        if found is None:
            found = self._residuals[id(node)] = self._reduce_goal(node)
        return found

    def _reduce_goal(self, node: ReqNode) -> Residual:
        if isinstance(node, Requirement):
            return self._reduce(node.test)
        return combine([self._reduce_goal(child) for child in node.children], isinstance(node, ReqAll))

    def merged(self, changed: _Changes, step: Step) -> _Changes:
        """The facts changed so far, after ``step``'s effects."""
        found = changed.after.get(step.id)
        if found is None:
            merged = dict(changed.items)
            merged.update(step.effects)
            found = changed.after[step.id] = self.changes(tuple(sorted(merged.items(), key=lambda item: item[0])))
        return found

    def changes(self, items: tuple[tuple[str, object], ...]) -> _Changes:
        found = self._changes.get(items)
        if found is None:
            found = self._changes[items] = _Changes(items, {**self.dynamic_base, **dict(items)})
        return found

    def rules_for(self, step: Step | None, country: str) -> tuple[RiskRule, ...]:
        """The risk rules that apply to ``step`` (None = applying) started in ``country``."""
        if step is None or step.action != "travel":
            return self.rules_in("stay", country)
        return (*self.leaving(step, country), *self.crossing(step))

    def leaving(self, step: Step, country: str) -> tuple[RiskRule, ...]:
        """The rules on leaving ``country`` by the mode of the travel ``step``."""
        mode = step.mode or ""
        return tuple(r for r in self.rules_in("exit", country) if mode in r.modes)

    def crossing(self, step: Step) -> tuple[RiskRule, ...]:
        """The rules on the transit and entry of the travel ``step``, wherever it starts."""
        mode = step.mode or ""
        transit = self.rules_on.get("transit", ()) if step.transit else ()
        return (
            *(r for r in transit if mode in r.modes and any(stop in r.countries for stop in step.transit)),
            *(r for r in self.rules_in("entry", str(step.to)) if mode in r.modes),
        )

    def rules_in(self, event: str, country: str) -> tuple[RiskRule, ...]:
        """The risk rules on ``event`` that name ``country``, in the knowledge base's order."""
        if self._rules_in is None:
            index: dict[tuple[str, str], list[RiskRule]] = {}
            for rule in self.knowledge.risk_rules:
                for code in rule.countries:
                    index.setdefault((rule.event, code), []).append(rule)
            self._rules_in = {key: tuple(rules) for key, rules in index.items()}
        return self._rules_in.get((event, country), ())

    def candidates(self, country: str) -> tuple[Step, ...]:
        """Steps that can start in ``country`` and whose preconditions do not fail there for good."""
        found = self._candidates.get(country)
        if found is None:
            if self._anywhere is None:
                self._anywhere = [(step, self.startable(step)) for step in self.anywhere]
            steps = [(step, self.startable(step)) for step in self.from_country.get(country, ())]
            steps += [(step, where) for step, where in self._anywhere if step.available_in(country)]
            found = self._candidates[country] = tuple(
                step for step, where in steps if where is None or country in where
            )
        return found

    def startable(self, step: Step) -> frozenset[str] | None:
        """Where the precondition of ``step`` does not fail for good (None: anywhere).

        Nowhere when it fails for every state; otherwise where its tests on the place can hold.
        An application for a pathway that grants a visa, for one, can only be made where the
        pathway's tests on the place hold.
        """
        if step.requires is None:
            return None
        if self.residual(step.requires) == FALSE:
            return frozenset()
        return self.place_of(step.requires)

    def goals_in(self, country: str) -> tuple[Pathway, ...]:
        """The goals whose tests on where one is do not rule out ``country``."""
        found = self._goals_in.get(country)
        if found is None:
            found = self._goals_in[country] = tuple(
                goal for goal in self.goals if (where := self.places[goal.id]) is None or country in where
            )
        return found

    def place_of(self, node: ReqNode | Cond) -> frozenset[str] | None:
        """Countries where a requirement tree's or condition's tests on where one is can hold.

        None: anywhere (no such test, or one whose value is not known).
        """
        if isinstance(node, Requirement | Leaf):
            test = node.test if isinstance(node, Requirement) else node
            refers = test.value.fact if isinstance(test.value, Ref) else None
            if test.fact != "current_country" or refers in self.dynamic:
                return None
            key = test.key()
            if key not in self._places_of:
                self._places_of[key] = self.where(test)
            return self._places_of[key]
        parts = [self.place_of(child) for child in node.children]
        if isinstance(node, ReqAll | All):
            known = [part for part in parts if part is not None]
            return frozenset.intersection(*known) if known else None
        if any(part is None for part in parts):
            return None
        return frozenset().union(*[part for part in parts if part is not None])

    def where(self, test: Leaf) -> frozenset[str] | None:
        """The countries where a test on where one is holds (None: unknown somewhere)."""
        # Where one is is always known: a test against listed countries holds in just those.
        if test.op == "eq" and not isinstance(test.value, Ref):
            return self.countries & {test.value}
        if test.op == "in" and isinstance(test.value, frozenset):
            return self.countries & test.value
        # One state whose country is moved from place to place: the test reads nothing else.
        facts = {**self.profile.facts}
        state = State(facts, self.profile.as_of, self.knowledge.missions)
        places = set()
        for country in sorted(self.countries):
            facts["current_country"] = country
            truth = test.evaluate(state)
            if truth == UNKNOWN:
                return None
            if truth == TRUE:
                places.add(country)
        return frozenset(places)

    def distances(self, targets: Iterable[str]) -> dict[str, int]:
        """The fewest travel steps from each country into ``targets`` (preconditions ignored)."""
        if self._into is None:
            self._into, self._to_anywhere = {}, set()
            for step in self.knowledge.steps:
                if step.action != "travel" or step.to is None:
                    continue
                if step.requires is not None and self.residual(step.requires) == FALSE:
                    continue
                if step.from_ == "*":
                    self._to_anywhere.add(step.to)
                else:
                    self._into.setdefault(step.to, []).append(str(step.from_))
        distance = dict.fromkeys(targets, 0)
        key = frozenset(distance)
        found = self._distances.get(key)
        if found is not None:
            return found
        layer = sorted(distance)
        level = 0
        everywhere = sorted(self.countries)
        spread = False  # whether every country is one step from the layers so far
        while layer:
            following: list[str] = []
            for country in layer:
                if country in self._to_anywhere:
                    if spread:
                        continue
                    spread = True
                    sources = everywhere
                else:
                    sources = self._into.get(country, [])
                for source in sources:
                    if source not in distance:
                        distance[source] = level + 1
                        following.append(source)
            layer = following
            level += 1
        self._distances[key] = distance
        return distance

    def holds_anywhere(self, changed: _Changes) -> bool:
        """Whether a pending goal that may hold anywhere could hold with these changes.

        Such a goal reads no changing fact but those in ``_needed`` (or it holds by itself as
        time passes, ``_unsettled``), so changes alike in these share the answer.
        """
        holds = self._holds_anywhere.get(changed)
        if holds is None:
            alike = _read(changed.values, sorted(self._needed))
            holds = self._holds_alike.get(alike)
            if holds is None:
                assert self._bounds is not None  # noqa: S101 - set when the search starts
                facts = {**self.not_obtained, **self.profile.facts, **dict(changed.items)}
                state = State(facts, self.profile.as_of, self.knowledge.missions, self.producible)
                holds = self._holds_alike[alike] = any(
                    goal.id in self._unsettled or truth(self.goal_residual(goal.requirements), state) != FALSE
                    for goal in self._bounds[2]
                )
            self._holds_anywhere[changed] = holds
        return holds

    def bounds(self, pending: set[str]) -> tuple[dict[str, int], dict[str, int], tuple[Pathway, ...]]:
        """Distances to places of pending goals, and for goals that hold anywhere, to what they need."""
        located: set[str] = set()
        goals: list[Pathway] = []
        needed: set[str] = set()
        self._unsettled = set()
        for goal in self.goals:
            if goal.id not in pending:
                continue
            where = self.places[goal.id]
            if where is not None:
                located |= where
                continue
            goals.append(goal)
            facts = {leaf.fact for req in goal.leaves for leaf in leaves(req.test)}
            refers = {req.test.value.fact for req in goal.leaves if isinstance(req.test.value, Ref)}
            if (facts | refers) & {"current_country", "arrived_on"} or any(
                req.test.op in DAY_OPS for req in goal.leaves
            ):
                self._unsettled.add(goal.id)  # may hold by itself as time passes: no bound
            needed |= (facts | refers) & self.changeable
        self._needed = frozenset(needed)
        if self._producers is None:
            self._producers = {}
            for step in self.knowledge.steps:
                for fact in step.effects:
                    if step.action == "travel" or step.at is None:
                        self._producers[fact] = None
                    elif (places := self._producers.get(fact, frozenset())) is not None:
                        self._producers[fact] = places | step.at
        producers: set[str] = set()
        anywhere_producer = False
        for fact in needed & set(self._producers):
            places = self._producers[fact]
            if places is None:
                anywhere_producer = True
            else:
                producers |= places
        if anywhere_producer:
            beyond: dict[str, int] = dict.fromkeys(self.countries, 1)
        else:
            beyond = {country: left + 1 for country, left in self.distances(producers).items()}
        return self.distances(located), beyond, tuple(goals)

    def limits(self, pending: set[str]) -> tuple[dict[str, int], frozenset[str], tuple[Pathway, ...]]:
        """The bounds for the goals still pending, and what the search filters moves by.

        Per country, the fewest steps a route from there needs to travel to a goal's place or to
        change what a goal that holds anywhere reads (``reach``); those facts; and the goals that
        hold anywhere. The caches that depend on them start afresh.

        A goal tied to places needs the travel there. A goal that may hold anywhere but does not
        hold yet needs a step that changes what it looks at, taken where that step can be taken
        (and the travel there). So, from a state where no goal that holds anywhere could hold
        (``holds_anywhere``), any route needs at least the country's ``reach`` in steps: a label
        that cannot reach a goal within the step limit is dropped. Preconditions are ignored, so
        the bound never overestimates.
        """
        self._bounds = self.bounds(pending)
        self._holds_anywhere.clear()
        self._holds_alike.clear()
        self._nearby.clear()
        self._leads.clear()
        self._onward.clear()
        self._touches.clear()
        located, beyond, goals = self._bounds
        reach = {country: min(located.get(country, _FAR), beyond.get(country, _FAR)) for country in {*located, *beyond}}
        self._reach, self._anywhere_goals = reach, goals
        return reach, self._needed, goals

    def within(self, moves: list[_Move], spare: int, changed: _Changes) -> list[_Move]:
        """The ``moves`` from a state with ``changed`` after which a goal may be reached in ``spare`` steps.

        Known per destination (``reach``), except for steps that change what a goal that holds
        anywhere reads (they may make it hold), which the caller checks one by one; all of them
        when such a goal could hold already. Remembered by the moves (their id: ``_moves``
        keeps them) and ``spare``, for the bounds in force.
        """
        if self._anywhere_goals and self.holds_anywhere(changed):
            return moves
        key = (id(moves), spare)
        found = self._nearby.get(key)
        if found is None:
            reach = self._reach
            found = self._nearby[key] = [
                move
                for move in moves
                if ((near := reach.get(move.to)) is not None and near <= spare) or self.touches_needed(move.step)
            ]
        return found

    def touches_needed(self, step: Step) -> bool:
        """Whether ``step`` changes a fact that a goal that holds anywhere reads (``limits``)."""
        found = self._touches.get(step.id)
        if found is None:
            found = self._touches[step.id] = not self._needed.isdisjoint(step.effects)
        return found

    def leads_to_goal(self, country: str, changed: _Changes, steps: int, pending: set[str]) -> bool:
        """Whether a pending goal holds in this state or within ``steps`` more steps from it.

        Costs, the horizon and the day are ignored (used only when no test looks at the day), so
        "no" is certain: no route through this state reaches a goal within the step limit. A
        "no" stays true as goals are found; a "yes" may not (the goal it saw may be found), so
        ``limits`` forgets them.
        """
        key = (country, changed, steps)
        if key in self._leads:
            return True
        if key in self._dead_ends:
            return False
        probe = _Label(self.order(0, 0, 0, 0, 0, ()), 0, 0, 0, _NOTHING, country, changed, None, 0, None, None)
        node = self.node(probe)
        found = any(goal.id in pending for goal, _ in node.goals) or (
            steps > 0 and bool(self.onward(probe, node, steps, pending))
        )
        (self._leads if found else self._dead_ends).add(key)
        return found

    def onward(self, label: _Label, node: _Node, steps: int, pending: set[str]) -> list[tuple[_Move, _Changes]]:
        """The moves from ``node`` (the state of ``label``) worth taking with ``steps`` steps left.

        Each with the facts changed after it. A move is kept when a pending goal may still be
        reached after it within the steps then left: by the bounds (``within``, ``reach``) and,
        in the last steps, by looking ahead (``leads_to_goal``). A step whose effects change
        nothing (back to this very state) is of no use either. Worked out once per state and
        steps for the goals pending (``limits`` forgets them), however many labels reach the
        state: the search and the look-ahead both follow these moves.
        """
        key = (id(node), steps)  # nodes are kept for the whole search, so the id names one
        found = self._onward.get(key)
        if found is not None:
            return found
        found = self._onward[key] = []
        spare = steps - 1  # steps left after the move
        country, here = node.country, node.changed
        reach, anywhere_goals, look = self._reach, self._anywhere_goals, spare < self.lookahead
        for move in self.within(self.moves(label, node), spare, here):
            step, to = move.step, move.to
            if step.effects:
                changed = here.after.get(step.id) or self.merged(here, step)
                if changed is here and to == country:
                    continue
                near = reach.get(to)
                if (near is None or near > spare) and not (anywhere_goals and self.holds_anywhere(changed)):
                    continue
            else:
                changed = here
            if look and not self.leads_to_goal(to, changed, spare, pending):
                continue
            found.append((move, changed))
        return found

    def node(self, label: _Label) -> _Node:
        """What the state of ``label`` allows (computed once per state): goals and stay risk.

        Like the moves, these depend on the state only through the changing facts that the
        country's goals and stay rules look at (and the day), so alike states share them.
        """
        state: State | None = None
        if self.day_tests:
            state = self.state(label)
            key: tuple[object, ...] = (
                label.country,
                label.changed,
                tuple(test.evaluate(state) for test in self.day_tests),
            )
        else:
            key = (label.country, label.changed)
        found = self.nodes.get(key)
        if found is not None:
            return found
        country = label.country
        node = _Node(country, label.changed, key[2] if self.day_tests else (), state)  # type: ignore[arg-type]
        values = label.changed.values
        bundle = self._arrivals.get(country)
        if bundle is None:
            bundle = self._arrivals[country] = self.arrivals(country)
        checks, finals, support, by_day = bundle
        here = (country, _read(values, support), node.day if by_day else None)
        known = self._outcomes.get(here)
        if known is None:
            goals = []
            for goal, check in checks:
                truth = self.value(check, label, node)
                if truth == FALSE:
                    continue
                unknown = _NOTHING
                if truth == UNKNOWN:
                    unknown = self.unknown(check, label, node, [r.test for r in goal.leaves])
                goals.append((goal, unknown))
            stay = 0
            for level, check in finals:
                if level <= stay:
                    break
                if self.value(check, label, node) != FALSE:
                    stay = level
                    break
            known = self._outcomes[here] = (goals, stay)
        node.goals, node.stay_risk = known
        self.nodes[key] = node
        return node

    def arrivals(
        self, country: str
    ) -> tuple[list[tuple[Pathway, Check]], tuple[tuple[int, Check], ...], tuple[str, ...], bool]:
        """The goals that may hold in ``country`` and its stay rules, with what they read."""
        checks = [(goal, self.check(goal.requirements)) for goal in self.goals_in(country)]
        finals = self.rule_checks(None, country)
        every = [check for _, check in checks] + [check for _, check in finals]
        support = tuple(sorted({fact for check in every for fact in check.support}))
        return checks, finals, support, any(check.by_day for check in every)

    def moves(self, label: _Label, node: _Node) -> list[_Move]:
        """The steps that can be taken from the state of ``label``, with their risk and assumptions.

        They depend on the state only through the changing facts the country's steps and risk
        rules look at (and the day, if they look at it), so states that differ elsewhere share
        them; and each group of steps (``_Group``) only through what it reads.
        """
        if node.moves is not None:
            return node.moves
        country = label.country
        fixed, groups, support, by_day = self.templates(country)
        values = node.changed.values
        key = (country, _read(values, support), node.day if by_day else None)
        moves = self._moves.get(key)
        if moves is None:
            moves = [*fixed]
            for group in groups:
                moves += self.group_moves(group, label, node)
            self._moves[key] = moves
        node.moves = moves
        return moves

    def group_moves(self, group: _Group, label: _Label, node: _Node) -> list[_Move]:
        """The moves of ``group``'s steps from the state of ``label``, remembered by what they read."""
        key: tuple[object, ...] = _read(node.changed.values, group.support)
        if group.by_day:
            key = (*key, node.day)
        moves = group.made.get(key)
        if moves is None:
            moves = group.made[key] = []
            for move, requires, rules in group.templates:
                step, risk, assumed = move.step, move.risk, move.assumed
                if requires is not None:
                    truth = self.value(requires, label, node)
                    if truth == FALSE:
                        continue
                    if truth == UNKNOWN:
                        assert step.requires is not None  # noqa: S101 - a check exists only for a condition
                        assumed = self.unknown(requires, label, node, leaves(step.requires))
                for level, check in rules:
                    if level <= risk:
                        break
                    if self.value(check, label, node) != FALSE:
                        risk = level
                        break
                moves.append(
                    move
                    if risk == move.risk and assumed is move.assumed
                    else _Move(step, risk, assumed, move.to, move.days, move.cost)
                )
        return moves

    def memo_key(self, check: Check, node: _Node) -> tuple[object, ...]:
        """What ``check`` reads in ``node``: its changing facts, and the country and day if it looks."""
        key: tuple[object, ...] = _read(node.changed.values, check.support)
        if check.by_country:
            key = (*key, node.country)
        if check.by_day:
            key = (*key, node.day)
        return key

    def value(self, check: Check, label: _Label, node: _Node) -> int:
        """The value of ``check`` in the state of ``label`` (remembered by what it reads)."""
        residual = check.residual
        if isinstance(residual, int):
            return residual
        key = self.memo_key(check, node)
        truth = check.memo.get(key)
        if truth is None:
            if node.state is None:
                node.state = self.state(label)
            truth = check.memo[key] = residual(node.state)
        return truth

    def unknown(self, check: Check, label: _Label, node: _Node, tests: list[Leaf]) -> frozenset[str]:
        """The facts whose tests are unknown in the state of ``label`` (what a route assumes)."""
        key = self.memo_key(check, node)
        found = check.unknown.get(key)
        if found is None:
            if node.state is None:
                node.state = self.state(label)
            state = node.state
            found = check.unknown[key] = frozenset(test.fact for test in tests if test.evaluate(state) == UNKNOWN)
        return found

    def route(self, goal: _Goal) -> Route:
        """The route of ``goal`` with every step's risk reasons and warnings."""
        chain: list[_Label] = []
        label = goal.label
        while label.parent is not None:
            chain.append(label)
            label = label.parent
        steps: list[RouteStep] = []
        for child in reversed(chain):
            parent, step = child.parent, child.step
            assert parent is not None and step is not None  # noqa: S101 - only the start has no parent
            steps.extend(self.route_step(parent, step))
        label = goal.label
        pathway = goal.pathway
        state = self.state(label)
        assumptions = set(label.assumptions) | goal.unknown
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
            route_warnings.append(Message("assumes", {"facts": fact_labels(self.knowledge, sorted(assumptions))}))
        return Route(
            goal=pathway,
            risk=RISKS[max(label.risk, risk)],
            days=label.days + days,
            cost_eur=label.cost + (pathway.cost_eur or 0),
            steps=(*steps, *final),
            warnings=tuple(route_warnings),
            assumptions=tuple(sorted(assumptions)),
        )

    def route_step(self, label: _Label, step: Step) -> tuple[RouteStep, ...]:
        """Taking ``step`` from ``label``, with its risk reasons and warnings."""
        state = self.state(label)
        stay_end = self.stay_end(label, state)
        risk, reasons = self.risk_of(step, label, state)
        days = label.days + step.days + step.wait_days
        warnings = list(reasons)
        if stay_end is not None and self.profile.as_of + timedelta(days=days) > stay_end:
            warnings.append(
                Message(
                    "overstay_on_route",
                    {"country": _country_text(self.knowledge, label.country), "date": stay_end.isoformat()},
                )
            )
        if step.confidence != "verified":
            warnings.append(Message("unverified_step", {"step": step.label, "confidence": step.confidence}))
        if step.estimate:
            warnings.append(Message("estimate", {"step": step.label}))
        return _with_wait(
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

    def run(self, goals: list[Pathway]) -> dict[str, Route]:
        country = self.profile.facts.get("current_country")
        if not isinstance(country, str) or not goals:
            return {}
        self.goals = tuple(goals)
        for goal in goals:
            possible = self.goal_residual(goal.requirements) != FALSE
            self.places[goal.id] = self.place_of(goal.requirements) if possible else frozenset()
        ranking, beats = self.ranking, self.dominates
        limit = ranking.max_steps
        queue_order = self.order
        nothing = self.changes(())
        start = _Label(queue_order(0, 0, 0, 0, 0, ()), 0, 0, 0, _NOTHING, country, nothing, None, 0, None, None)
        # Entries are labels to expand or routes to goals. A route's key includes the
        # application itself (its risk depends on where one applies), so a goal is settled only
        # when its route leaves the queue: keys never decrease along a route, hence the first
        # one out is the best. Ties are broken by fewer assumed facts, then fewer steps, then
        # step ids (see ``order_function``).
        counter = itertools.count()
        frontier: list[tuple[int, int, int, int, int, tuple[str, ...], int, _Label | _Goal]] = [
            (*start.order, next(counter), start)
        ]
        # Every label queued at each state, and the settled ones apart: they beat any later one
        # they dominate, and are all a label leaving the queue is compared with.
        at: dict[tuple[str, _Changes], list[_Label]] = {(country, nothing): [start]}
        settled_at: dict[tuple[str, _Changes], list[_Label]] = {}
        found: dict[str, Route] = {}
        pending = {pathway.id for pathway in goals}
        push, pop, horizon = heapq.heappush, heapq.heappop, ranking.horizon_days
        reach, _, anywhere_goals = self.limits(pending)
        while frontier and pending:
            item = pop(frontier)[-1]
            if isinstance(item, _Goal):
                if item.pathway.id in pending:
                    pending.discard(item.pathway.id)
                    found[item.pathway.id] = self.route(item)
                    reach, _, anywhere_goals = self.limits(pending)
                continue
            label = item
            country, here, depth = label.country, label.changed, label.depth
            near = reach.get(country)
            if (near is None or depth + near > limit) and not (anywhere_goals and self.holds_anywhere(here)):
                continue
            base_risk, base_days, base_cost, base_assumed = label.risk, label.days, label.cost, label.assumptions
            settled = settled_at.get((country, here))
            if settled is None:
                settled = settled_at[(country, here)] = []
            elif any(beats(other, depth, base_risk, base_days, base_cost, base_assumed) for other in settled):
                continue
            label.settled = True
            settled.append(label)
            steps_here = label.order[-1]
            node = self.node(label)
            for pathway, unknown in node.goals:
                if pathway.id not in pending:
                    continue
                risk = max(base_risk, node.stay_risk)
                assumed = len(base_assumed | unknown) if unknown else len(base_assumed)
                entry = queue_order(
                    risk,
                    base_days + (pathway.typical_days or 0),
                    base_cost + (pathway.cost_eur or 0),
                    assumed,
                    depth,
                    (*steps_here, "~" + pathway.id),
                )
                push(frontier, (*entry, next(counter), _Goal(label, pathway, unknown)))
            depth += 1
            if depth > limit:
                continue
            spare = limit - depth  # steps still allowed after the next one
            for move, changed in self.onward(label, node, spare + 1, pending):
                step, step_risk, assumed_here, to = move.step, move.risk, move.assumed, move.to
                days = base_days + move.days
                if days > horizon:
                    continue
                risk = step_risk if step_risk > base_risk else base_risk
                cost = base_cost + move.cost
                assumptions = base_assumed | assumed_here if assumed_here else base_assumed
                # A settled label that beats this one, or a queued one that leaves the queue
                # first and beats it, would make it useless when its turn came: skip it now.
                state_key = (to, changed)
                queued = at.get(state_key)
                order: Order | None = None
                if queued is None:
                    queued = at[state_key] = []
                else:
                    useless = False
                    for other in queued:
                        if not beats(other, depth, risk, days, cost, assumptions):
                            continue
                        if other.settled:
                            useless = True
                            break
                        if order is None:
                            order = queue_order(risk, days, cost, len(assumptions), depth, (*steps_here, step.id))
                        if other.order < order:
                            useless = True
                            break
                    if useless:
                        continue
                if order is None:
                    order = queue_order(risk, days, cost, len(assumptions), depth, (*steps_here, step.id))
                child = _Label(
                    order,
                    risk,
                    days,
                    cost,
                    assumptions,
                    to,
                    changed,
                    days if step.to is not None else label.arrived_day,
                    depth,
                    label,
                    step,
                )
                queued.append(child)
                push(frontier, (*order, next(counter), child))
        return found


def _read(values: dict[str, object], facts: Sequence[str]) -> tuple[object, ...]:
    """The values of ``facts`` (None: not stated), as a key for what reads just these facts."""
    return tuple([values.get(fact) for fact in facts])


_Beats = Callable[[_Label, int, int, int, int, frozenset[str]], bool]


def _dominance(order: tuple[str, ...]) -> _Beats:
    """Whether a label makes another at the same state useless, for the ranking ``order``.

    ``first`` beats a label of (depth, risk, days, cost, assumptions) when every way on from
    that label is at least as good from ``first``: no more steps used (routes have a step limit),
    no more facts assumed, no more days (days also decide what has expired and the horizon), and
    a key at least as good however the route goes on. Risk is a maximum, so a lower risk may be
    evened out later; days and cost add up, so a strictly smaller sum stays smaller: compared in
    ranking order, an additive key that is strictly better settles it, and a worse one (or a
    higher risk) rules it out.
    """
    if order == ("risk", "days", "cost"):

        def usual(first: _Label, depth: int, risk: int, days: int, cost: int, assumptions: frozenset[str]) -> bool:
            return (
                first.depth <= depth
                and first.risk <= risk
                and (first.days < days or (first.days == days and first.cost <= cost))
                and first.assumptions <= assumptions
            )

        return usual

    def general(first: _Label, depth: int, risk: int, days: int, cost: int, assumptions: frozenset[str]) -> bool:
        if first.depth > depth or first.days > days or not first.assumptions <= assumptions:
            return False
        theirs = {"risk": risk, "days": days, "cost": cost}
        for name in order:
            mine, other = getattr(first, name), theirs[name]
            if mine > other:
                return False
            if name != "risk" and mine < other:
                return True
        return True

    return general


def _fact_type(knowledge: KnowledgeBase, name: str) -> str | None:
    definition = knowledge.facts.get(name)
    return definition.type if definition is not None else None


def fact_labels(knowledge: KnowledgeBase, names: Iterable[str]) -> dict[str, str]:
    """Fact names as the vocabulary's labels, joined, in both languages (the id if unknown)."""
    listed = list(names)
    facts = [knowledge.facts.get(name) for name in listed]
    return {
        lang: ", ".join(
            str(getattr(fact.label, lang)) if fact is not None else name
            for fact, name in zip(facts, listed, strict=True)
        )
        for lang in ("en", "ru")
    }
