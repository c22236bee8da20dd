"""An independent oracle for the route planner: the same instance in ASP, solved by clingo.

The planner searches labels with dominance pruning; this module states the problem declaratively
and lets clingo's optimiser find the best route to each pathway, so that the two can be checked
against each other (``tests/routes/test_oracle.py``) and timed side by side (``bench/routes.py``).

What is encoded, following ``passage.routes.planner`` (and DESIGN.md's ranking):

- time-indexed states ``0..K`` for a route of ``K <= max_steps`` steps, one step per time point;
- where a step can start (travel from a country or from anywhere but the destination; other steps
  wherever their ``at`` allows), its precondition in Kleene's three-valued logic (a step may be
  taken when its precondition is not false), its effects (inertia for everything else), travel;
- a fact the profile does not state is unknown, except a fact some step can produce: that one is
  *not obtained* — false for a yes/no fact, and no value otherwise (tests that ask for a value
  fail, their opposites hold);
- risk: the step's own risk, exit/transit/entry rules on travel, stay rules on every other step
  and on the final application, applied whenever their condition is not false; the route's risk
  is the worst of them;
- the final application where the person stands after step ``K``: the pathway's requirement tree
  must not be false there;
- lexicographic optimisation with clingo priorities: worst risk, then days, then cost (in the
  ranking's order).

Leaf tests are evaluated here by a small table of their own (not by ``passage.routes``), so a
mistake in the engine's test semantics shows up as a disagreement.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import clingo

from passage.routes.conditions import All, Any, Cond, Leaf, Ref
from passage.routes.model import RISKS, KnowledgeBase, Pathway, ReqAll, ReqNode, Requirement
from passage.routes.planner import Ranking
from passage.routes.profile import Profile

__all__ = ["Optimum", "OracleResult", "Unsupported", "solve"]

Optimum = tuple[int, int, int]  # (worst risk index, days, cost in euros)

_UNKNOWN = object()  # a fact the profile does not state and no step produces
_ABSENT = object()  # a fact the profile does not state that some step produces: not obtained
_DAY_OPS = frozenset({"valid_for_days", "expires_within_days"})
# When a value is absent (not obtained), these tests hold and their opposites fail.
_HOLD_WHEN_ABSENT = frozenset({"ne", "not_in", "lacks", "lt", "lte", "expires_within_days", "before", "no_mission_of"})


class Unsupported(ValueError):
    """The instance uses something this encoding does not cover (said in the message)."""


@dataclass(frozen=True)
class OracleResult:
    optimum: dict[str, Optimum | None]  # per pathway id; None when no route exists
    ground_s: float
    solve_s: float

    @property
    def seconds(self) -> float:
        return self.ground_s + self.solve_s


def _holds(op: str, actual: object, expected: object, today: date, missions: frozenset[tuple[str, str]]) -> bool:
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if op == "in":
        return actual in expected  # type: ignore[operator]
    if op == "not_in":
        return actual not in expected  # type: ignore[operator]
    if op == "contains":
        return expected in actual  # type: ignore[operator]
    if op == "lacks":
        return expected not in actual  # type: ignore[operator]
    if op in {"gte", "not_before"}:
        return actual >= expected  # type: ignore[operator]
    if op in {"lt", "before"}:
        return actual < expected  # type: ignore[operator]
    if op == "lte":
        return actual <= expected  # type: ignore[operator]
    if op == "gt":
        return actual > expected  # type: ignore[operator]
    if op == "valid_for_days":
        return (actual - today).days >= expected  # type: ignore[operator]
    if op == "expires_within_days":
        return (actual - today).days < expected  # type: ignore[operator]
    if op == "mission_of":
        return (actual, expected) in missions
    if op == "no_mission_of":
        return (actual, expected) not in missions
    raise Unsupported(f"operator {op}")


def _q(value: object) -> str:
    """An ASP term for an id or value (always a quoted string, so any id is safe)."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _tree_condition(node: ReqNode) -> Cond:
    if isinstance(node, Requirement):
        return node.test
    children = tuple(_tree_condition(child) for child in node.children)
    if len(children) == 1:
        return children[0]
    return All(children) if isinstance(node, ReqAll) else Any(children)


_RULES = """
time(0..n).
{ len(K) : time(K) } = 1.
reached(T) :- len(K), time(T), T <= K.
active(T) :- len(K), time(T), T < K.
1 { do(S,T) : step(S) } 1 :- active(T).

here(C,T+1) :- do(S,T), to(S,C).
here(C,T+1) :- here(C,T), do(S,T), not travel(S).

ok(S,T) :- do(S,T), from(S,C), here(C,T).
ok(S,T) :- do(S,T), fromany(S), to(S,D), here(C,T), C != D.
ok(S,T) :- do(S,T), anywhere(S).
ok(S,T) :- do(S,T), place(S,C), here(C,T).
:- do(S,T), not ok(S,T).
:- do(S,T), req(S,N), truth(N,T,0).

sets(S,F) :- eff(S,F,_).
val(F,X,T+1) :- do(S,T), eff(S,F,X).
val(F,X,T+1) :- val(F,X,T), do(S,T), not sets(S,F).
hasval(F,T) :- val(F,_,T).
absent(F,T) :- absentable(F), reached(T), not hasval(F,T).

elapsed(0,0) :- days_matter.
elapsed(T+1,E+D) :- elapsed(T,E), do(S,T), dur(S,D), days_matter.

truth(N,T,V) :- lcountry(N,C,V), here(C,T).
truth(N,T,V) :- lconst(N,V), reached(T).
truth(N,T,V) :- lday(N,E,V), elapsed(T,E).
truth(N,T,V) :- lval(N,F,X,V), val(F,X,T).
truth(N,T,V) :- labsent(N,F,V), absent(F,T).
truth(N,T,0) :- all(N), child(N,M), truth(M,T,0).
truth(N,T,2) :- all(N), reached(T), truth(M,T,2) : child(N,M).
truth(N,T,2) :- any(N), child(N,M), truth(M,T,2).
truth(N,T,0) :- any(N), reached(T), truth(M,T,0) : child(N,M).
truth(N,T,1) :- node(N), reached(T), not truth(N,T,0), not truth(N,T,2).

applies(Q,T) :- rwhen(Q,N), reached(T), not truth(N,T,0).
risk(T,R) :- do(S,T), srisk(S,R).
risk(T,R) :- do(S,T), mode(S,M), here(C,T), rule(Q,exit,R), rc(Q,C), rmode(Q,M), applies(Q,T).
risk(T,R) :- do(S,T), mode(S,M), transit(S,X), rule(Q,transit,R), rc(Q,X), rmode(Q,M), applies(Q,T).
risk(T,R) :- do(S,T), mode(S,M), to(S,D), rule(Q,entry,R), rc(Q,D), rmode(Q,M), applies(Q,T).
risk(T,R) :- do(S,T), not travel(S), here(C,T), rule(Q,stay,R), rc(Q,C), applies(Q,T).
risk(K,R) :- len(K), here(C,K), rule(Q,stay,R), rc(Q,C), applies(Q,K).
worst(L) :- risk(_,R), L = 1..R.

#show do/2.
#show worst/1.
#external goal(P) : pathway(P).
:- goal(P), len(K), goalreq(P,N), truth(N,K,0).
"""


class _Encoder:
    def __init__(self, knowledge: KnowledgeBase, profile: Profile, ranking: Ranking) -> None:
        self.knowledge = knowledge
        self.profile = profile
        self.ranking = ranking
        self.lines: list[str] = []
        self.nodes: dict[Cond, int] = {}
        self.changeable: dict[str, set[object]] = {}
        for step in knowledge.steps:
            for name, value in step.effects.items():
                if name in {"current_country", "arrived_on"}:
                    raise Unsupported(f"step {step.id} sets {name}")
                self.changeable.setdefault(name, set()).add(value)
        self.countries = sorted(knowledge.countries)
        self.days_matter = False
        longest = max((step.days + step.wait_days for step in knowledge.steps), default=0)
        self.max_elapsed = longest * ranking.max_steps
        if self.max_elapsed > ranking.horizon_days:
            raise Unsupported("routes could pass the planner's horizon, which is not encoded")

    def fact(self, text: str) -> None:
        self.lines.append(text + ".")

    def start_value(self, name: str) -> object:
        if name in self.profile.facts:
            return self.profile.facts[name]
        if name not in self.changeable:
            return _UNKNOWN
        definition = self.knowledge.facts.get(name)
        if definition is not None and definition.type == "bool":
            return False
        return _ABSENT

    def leaf_truth(self, leaf: Leaf, actual: object, today: date) -> int:
        expected = leaf.value
        if isinstance(expected, Ref):
            if expected.fact in self.changeable or expected.fact == "current_country":
                raise Unsupported(f"reference to a changing fact {expected.fact}")
            expected = self.profile.facts.get(expected.fact, _UNKNOWN)
        if actual is _UNKNOWN or expected is _UNKNOWN:
            return 1
        if actual is _ABSENT:
            return 2 if leaf.op in _HOLD_WHEN_ABSENT else 0
        return 2 if _holds(leaf.op, actual, expected, today, self.knowledge.missions) else 0

    def node(self, cond: Cond) -> int:
        found = self.nodes.get(cond)
        if found is not None:
            return found
        number = len(self.nodes)
        self.nodes[cond] = number
        self.fact(f"node({number})")
        if isinstance(cond, Leaf):
            self.leaf(number, cond)
            return number
        self.fact(f"{'all' if isinstance(cond, All) else 'any'}({number})")
        for child in cond.children:
            self.fact(f"child({number},{self.node(child)})")
        return number

    def leaf(self, number: int, leaf: Leaf) -> None:
        as_of = self.profile.as_of
        if leaf.fact == "arrived_on":
            raise Unsupported("tests on arrived_on")
        if leaf.fact == "current_country":
            if leaf.op in _DAY_OPS:
                raise Unsupported("day-dependent test on the current country")
            for country in self.countries:
                self.fact(f"lcountry({number},{_q(country)},{self.leaf_truth(leaf, country, as_of)})")
            return
        if leaf.fact in self.changeable:
            if leaf.op in _DAY_OPS:
                raise Unsupported(f"day-dependent test on a changing fact {leaf.fact}")
            start = self.start_value(leaf.fact)
            values = set(self.changeable[leaf.fact])
            if start is _ABSENT:
                self.fact(f"labsent({number},{_q(leaf.fact)},{self.leaf_truth(leaf, _ABSENT, as_of)})")
            else:
                values.add(start)
            for value in sorted(values, key=repr):
                truth = self.leaf_truth(leaf, value, as_of)
                self.fact(f"lval({number},{_q(leaf.fact)},{_q(repr(value))},{truth})")
            return
        actual = self.start_value(leaf.fact)
        if leaf.op in _DAY_OPS and actual is not _UNKNOWN:
            self.days_matter = True
            for elapsed in range(self.max_elapsed + 1):
                truth = self.leaf_truth(leaf, actual, as_of + timedelta(days=elapsed))
                self.fact(f"lday({number},{elapsed},{truth})")
            return
        self.fact(f"lconst({number},{self.leaf_truth(leaf, actual, as_of)})")

    def encode(self, goals: Iterable[Pathway]) -> str:
        knowledge, profile = self.knowledge, self.profile
        start = profile.facts.get("current_country")
        if not isinstance(start, str):
            raise Unsupported("no current country")
        self.fact(f"here({_q(start)},0)")
        for name in sorted(self.changeable):
            value = self.start_value(name)
            if value is _ABSENT:
                self.fact(f"absentable({_q(name)})")
            else:
                self.fact(f"val({_q(name)},{_q(repr(value))},0)")
        for step in knowledge.steps:
            sid = _q(step.id)
            self.fact(f"step({sid})")
            self.fact(f"dur({sid},{step.days + step.wait_days})")
            self.fact(f"cost({sid},{step.cost_eur})")
            self.fact(f"srisk({sid},{RISKS.index(step.risk)})")
            if step.action == "travel":
                self.fact(f"travel({sid})")
                self.fact(f"to({sid},{_q(step.to)})")
                self.fact(f"mode({sid},{_q(step.mode)})")
                if step.from_ == "*":
                    self.fact(f"fromany({sid})")
                else:
                    self.fact(f"from({sid},{_q(step.from_)})")
                for stop in step.transit:
                    self.fact(f"transit({sid},{_q(stop)})")
            elif step.at is None:
                self.fact(f"anywhere({sid})")
            else:
                for country in sorted(step.at):
                    self.fact(f"place({sid},{_q(country)})")
            if step.requires is not None:
                self.fact(f"req({sid},{self.node(step.requires)})")
            for name, value in step.effects.items():
                self.fact(f"eff({sid},{_q(name)},{_q(repr(value))})")
        for rule in knowledge.risk_rules:
            rid = _q(rule.id)
            self.fact(f"rule({rid},{rule.event},{RISKS.index(rule.risk)})")
            self.fact(f"rwhen({rid},{self.node(rule.when)})")
            for country in sorted(rule.countries):
                self.fact(f"rc({rid},{_q(country)})")
            for mode in sorted(rule.modes):
                self.fact(f"rmode({rid},{_q(mode)})")
        for pathway in goals:
            self.fact(f"pathway({_q(pathway.id)})")
            self.fact(f"goalreq({_q(pathway.id)},{self.node(_tree_condition(pathway.requirements))})")
        if self.days_matter:
            self.fact("days_matter")
        levels = {name: 3 - position for position, name in enumerate(self.ranking.order)}
        optimise = [
            f"#minimize {{ 1@{levels['risk']},L : worst(L) }}.",
            f"#minimize {{ D@{levels['days']},T : do(S,T), dur(S,D) }}.",
            f"#minimize {{ K@{levels['cost']},T : do(S,T), cost(S,K) }}.",
        ]
        return "\n".join([f"#const n={self.ranking.max_steps}.", _RULES, *optimise, *self.lines])


def encode(knowledge: KnowledgeBase, profile: Profile, ranking: Ranking | None = None) -> str:
    """The ASP program for routes from ``profile`` to every pathway of ``knowledge``."""
    return _Encoder(knowledge, profile, ranking or Ranking()).encode(knowledge.pathways)


def solve(
    knowledge: KnowledgeBase,
    profile: Profile,
    ranking: Ranking | None = None,
    goals: Iterable[Pathway] | None = None,
) -> OracleResult:
    """The optimal (risk, days, cost) of a route to each goal pathway, or None if there is none.

    The program is grounded once; each goal is then solved by switching its external atom on.

    Raises:
        Unsupported: the instance uses a feature the encoding does not cover.
    """
    ranking = ranking or Ranking()
    targets = list(goals if goals is not None else knowledge.pathways)
    started = time.perf_counter()
    program = _Encoder(knowledge, profile, ranking).encode(targets)
    control = clingo.Control(["--opt-mode=opt", "--warn=none", "--models=0"])
    control.add("base", [], program)
    control.ground([("base", [])])
    grounded = time.perf_counter()
    optimum: dict[str, Optimum | None] = {}
    durations = {step.id: step.days + step.wait_days for step in knowledge.steps}
    costs = {step.id: step.cost_eur for step in knowledge.steps}
    for pathway in targets:
        for other in targets:
            control.assign_external(clingo.Function("goal", [clingo.String(other.id)]), other is pathway)
        shown = _best_model(control)
        if shown is None:
            optimum[pathway.id] = None
            continue
        taken = [str(symbol.arguments[0].string) for symbol in shown if symbol.name == "do"]
        optimum[pathway.id] = (
            sum(1 for symbol in shown if symbol.name == "worst"),
            sum(durations[step_id] for step_id in taken) + (pathway.typical_days or 0),
            sum(costs[step_id] for step_id in taken) + (pathway.cost_eur or 0),
        )
    return OracleResult(optimum, grounded - started, time.perf_counter() - grounded)


def _best_model(control: clingo.Control) -> list[clingo.Symbol] | None:
    """The shown atoms of an optimal model, or None when there is no model at all."""
    best: list[clingo.Symbol] | None = None

    def keep(model: clingo.Model) -> None:
        nonlocal best
        best = list(model.symbols(shown=True))

    result = control.solve(on_model=keep)
    if not result.exhausted:  # pragma: no cover - solve runs to the end without a limit
        raise RuntimeError("clingo stopped before proving optimality")
    return best


def planner_optimum(routes: Mapping[str, object]) -> dict[str, Optimum]:
    """The planner's (risk, days, cost) per pathway, from ``find_routes``' result."""
    found: dict[str, Optimum] = {}
    for pathway_id, route in routes.items():
        found[pathway_id] = (
            RISKS.index(route.risk),  # type: ignore[attr-defined]
            route.days,  # type: ignore[attr-defined]
            route.cost_eur,  # type: ignore[attr-defined]
        )
    return found
