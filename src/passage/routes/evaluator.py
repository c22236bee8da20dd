"""Evaluating a profile against a pathway, with a trace a lawyer can check line by line.

Two questions per requirement: does it hold *now* (three-valued: a fact the profile does not state
is unknown), and if not, *can it be obtained* through the knowledge base's steps? The second uses a
relaxed reachability analysis (steps never undo anything), which is enough to prove a requirement
unobtainable. Unobtainable requirements are then explained by walking who points to whom:

- a **dead end**: nothing in the knowledge base produces what is needed;
- a **vicious circle**: what is needed can only come from a step that needs it back;
- a **trap**: the only way to meet one requirement needs the opposite of another requirement
  of the same pathway (e.g. "be endangered in your home country" and "be in your home country
  to apply" for someone whose return would be the danger).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from passage.routes.conditions import FALSE, HOLDS_WHEN_ABSENT, TRUE, UNKNOWN, All, Cond, Leaf, Ref, State
from passage.routes.model import KnowledgeBase, Pathway, ReqAll, ReqAny, ReqNode, Requirement, Step
from passage.routes.profile import Profile

__all__ = [
    "Obstacle",
    "PathwayResult",
    "Reachability",
    "RequirementResult",
    "evaluate_all",
    "evaluate_pathway",
    "initial_state",
]

OPEN, MISSING, BLOCKED, CIRCULAR = "open", "missing", "blocked", "circular"
HOLDS, FAILS, MISSING_EVIDENCE, UNKNOWN_STATUS = "holds", "fails", "missing_evidence", "unknown"

# How bad a requirement's situation is, for combining a tree: all = worst, any = best.
_OK, _EVIDENCE, _OBTAINABLE, _UNSURE, _CIRCLE, _DEAD = range(6)
_PATHWAY_STATUS = {
    _OK: OPEN,
    _EVIDENCE: MISSING,
    _OBTAINABLE: MISSING,
    _UNSURE: MISSING,
    _CIRCLE: CIRCULAR,
    _DEAD: BLOCKED,
}
_MAX_EXPLAIN_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Obstacle:
    """Why something cannot be obtained, as a chain of who points to whom.

    ``chain`` alternates tests and steps: ``(test, step, test, step, ..., test)``. For a cycle the
    last test equals the first; for a dead end the last test has no producer; for a trap the last
    test is the opposite of ``conflicts_with``.
    """

    kind: str  # "not_met" | "dead_end" | "cycle" | "trap"
    chain: tuple[Leaf | Step, ...]
    conflicts_with: Requirement | None = None

    def ids(self) -> list[str]:
        return [item.id if isinstance(item, Step) else item.fact for item in self.chain]


@dataclass(frozen=True, slots=True)
class RequirementResult:
    requirement: Requirement
    status: str
    now: int
    obtainable: int
    evidence_needed: tuple[str, ...]
    obstacles: tuple[Obstacle, ...]

    @property
    def cycle(self) -> list[str]:
        for obstacle in self.obstacles:
            if obstacle.kind == "cycle":
                return obstacle.ids()
        return []

    @property
    def severity(self) -> int:
        if self.status == HOLDS:
            return _OK
        if self.status == MISSING_EVIDENCE:
            return _EVIDENCE
        if self.status == UNKNOWN_STATUS:
            return _UNSURE
        if self.status == "circular":
            return _CIRCLE
        if self.obtainable == TRUE:
            return _OBTAINABLE
        if self.obtainable == UNKNOWN:
            return _UNSURE
        return _DEAD


@dataclass(frozen=True, slots=True)
class PathwayResult:
    pathway: Pathway
    status: str
    requirements: tuple[RequirementResult, ...]
    unknown_facts: tuple[str, ...]

    @property
    def traps(self) -> list[Obstacle]:
        return [o for r in self.requirements for o in r.obstacles if o.kind == "trap"]

    @property
    def evidence_needed(self) -> list[str]:
        seen: dict[str, None] = {}
        for result in self.requirements:
            for kind in result.evidence_needed:
                seen.setdefault(kind, None)
        return list(seen)


def initial_state(profile: Profile, knowledge: KnowledgeBase, today: date | None = None) -> State:
    return State(profile.facts, today or profile.as_of, knowledge.missions)


class _Unstated:
    """The value of a fact the profile does not state (a test on it is unknown)."""

    def __repr__(self) -> str:
        return "unknown"


UNSTATED = _Unstated()


class _NotObtained:
    """The value of a fact a step could produce but the profile does not state (not yet obtained)."""

    def __repr__(self) -> str:
        return "not obtained"


NOT_OBTAINED = _NotObtained()


class Reachability:
    """Relaxed reachability for one profile: which fact values any sequence of steps could give.

    Steps are assumed never to undo anything, so this over-approximates what a real route can do:
    if a test is unreachable here, no route can make it true. Each reachable value carries TRUE, or
    UNKNOWN when reaching it relies on facts the profile does not state.
    """

    def __init__(self, knowledge: KnowledgeBase, profile: Profile) -> None:
        self.knowledge = knowledge
        self.profile = profile
        self.state = initial_state(profile, knowledge)
        self.values: dict[str, dict[object, int]] = {name: {value: TRUE} for name, value in profile.facts.items()}
        # A fact a step can produce (a visa, a referral) and the profile does not state counts as
        # not yet obtained, exactly as the planner treats it; other unstated facts stay unknown.
        self.producible = frozenset(
            name for step in knowledge.steps for name in step.sets() if name != "current_country"
        )
        # Tests are asked again and again while the fixpoint runs and explanations walk: their
        # values are remembered until their fact gains a value (its generation moves on).
        self._generations: dict[str, int] = {}
        self._truths: dict[int, tuple[int, Leaf, int]] = {}
        self._places: dict[str, tuple[int, int]] = {}
        self._outcomes: dict[tuple[int, object], tuple[Leaf, int]] = {}
        self._producers: dict[int, tuple[Leaf, list[Step]]] = {}
        self._fixpoint()

    def _fixpoint(self) -> None:
        fired: dict[str, int] = {}
        changed = True
        while changed:
            changed = False
            for step in self.knowledge.steps:
                truth = self.step_truth(step)
                if truth == FALSE or fired.get(step.id, FALSE) >= truth:
                    continue
                fired[step.id] = truth
                for name, value in step.sets().items():
                    known = self.values.setdefault(name, {})
                    if known.get(value, FALSE) < truth:
                        known[value] = truth
                        changed = True
                        self._generations[name] = self._generations.get(name, 0) + 1

    def step_truth(self, step: Step) -> int:
        """Could ``step`` ever be taken (TRUE), perhaps (UNKNOWN), or never (FALSE)?"""
        place = self._place_truth(step)
        if place == FALSE or step.requires is None:
            return place
        return min(place, self.truth(step.requires))

    def _place_truth(self, step: Step) -> int:
        generation = self._generations.get("current_country", 0)
        cached = self._places.get(step.id)
        if cached is not None and cached[0] == generation:
            return cached[1]
        best = self._place_truth_now(step)
        self._places[step.id] = (generation, best)
        return best

    def _place_truth_now(self, step: Step) -> int:
        countries = self._values_of("current_country")
        best = FALSE
        for country, truth in countries.items():
            if country is UNSTATED:
                best = max(best, UNKNOWN)
            elif step.available_in(str(country)):
                best = max(best, truth)
        return best

    def _values_of(self, fact: str) -> Mapping[object, int]:
        known = self.values.get(fact)
        if fact in self.profile.facts:
            return known or {}
        if fact in self.producible:
            # Not obtained yet, as the planner reads it: false for a yes/no fact, and otherwise
            # no value at all (tests asking for one fail, their opposites hold).
            start: object = False if self._is_yes_no(fact) else NOT_OBTAINED
            return {start: TRUE, **{value: truth for value, truth in (known or {}).items() if value != start}}
        # An unstated fact may still take values from steps, but its starting value is unknown.
        return {UNSTATED: UNKNOWN, **(known or {})}

    def _is_yes_no(self, fact: str) -> bool:
        definition = self.knowledge.facts.get(fact)
        return definition is not None and definition.type == "bool"

    def leaf_truth(self, leaf: Leaf) -> int:
        """Could ``leaf`` hold after some steps (TRUE), perhaps (UNKNOWN), or never (FALSE)?"""
        generation = self._generations.get(leaf.fact, 0)
        cached = self._truths.get(id(leaf))
        if cached is not None and cached[1] is leaf and cached[0] == generation:
            return cached[2]
        best = self._leaf_truth(leaf)
        self._truths[id(leaf)] = (generation, leaf, best)
        return best

    def _outcome(self, leaf: Leaf, expected: object, value: object) -> int:
        key = (id(leaf), value)
        cached = self._outcomes.get(key)
        if cached is not None and cached[0] is leaf:
            return cached[1]
        probe = Leaf(leaf.fact, leaf.op, expected)
        outcome = probe.evaluate(State({leaf.fact: value}, self.state.today, self.state.missions))
        self._outcomes[key] = (leaf, outcome)
        return outcome

    def _leaf_truth(self, leaf: Leaf) -> int:
        expected = leaf.value
        if isinstance(expected, Ref):
            expected = self.profile.facts.get(expected.fact)
            if expected is None:
                return UNKNOWN
        best = FALSE
        for value, truth in self._values_of(leaf.fact).items():
            if value is UNSTATED:
                outcome = UNKNOWN
            elif value is NOT_OBTAINED:
                outcome = TRUE if leaf.op in HOLDS_WHEN_ABSENT else FALSE
            else:
                outcome = self._outcome(leaf, expected, value)
            best = max(best, min(truth, outcome))
            if best == TRUE:
                break
        return best

    def truth(self, cond: Cond) -> int:
        if isinstance(cond, Leaf):
            return self.leaf_truth(cond)
        if isinstance(cond, All):
            return min((self.truth(child) for child in cond.children), default=TRUE)
        return max((self.truth(child) for child in cond.children), default=FALSE)

    # -- explanations --------------------------------------------------------------------------

    def producers(self, leaf: Leaf) -> list[Step]:
        """Steps whose effects would make ``leaf`` true."""
        cached = self._producers.get(id(leaf))
        if cached is not None and cached[0] is leaf:
            return cached[1]
        found = self._producers_of(leaf)
        self._producers[id(leaf)] = (leaf, found)
        return found

    def _producers_of(self, leaf: Leaf) -> list[Step]:
        found = []
        for step in self.knowledge.steps:
            sets = step.sets()
            if leaf.fact not in sets:
                continue
            facts = {**self.profile.facts, leaf.fact: sets[leaf.fact]}
            if leaf.evaluate(State(facts, self.state.today, self.state.missions)) == TRUE:
                found.append(step)
        return found

    def blockers(self, step: Step) -> list[Leaf]:
        """The tests that keep ``step`` from ever being taken."""
        blocking: list[Leaf] = []
        if self._place_truth(step) == FALSE:
            if step.action == "travel":
                blocking.append(
                    Leaf(
                        "current_country",
                        "eq" if step.from_ != "*" else "ne",
                        step.from_ if step.from_ != "*" else step.to,
                    )
                )
            else:
                blocking.append(Leaf("current_country", "in", step.at or frozenset()))
        if step.requires is not None:
            blocking.extend(self._blocking(step.requires))
        return blocking

    def _blocking(self, cond: Cond) -> list[Leaf]:
        if self.truth(cond) != FALSE:
            return []
        if isinstance(cond, Leaf):
            return [cond]
        if isinstance(cond, All):
            for child in cond.children:
                if self.truth(child) == FALSE:
                    return self._blocking(child)
            return []  # pragma: no cover - an All is FALSE only through a FALSE child
        found: list[Leaf] = []
        for child in cond.children:
            found.extend(self._blocking(child))
        return found

    def explain(self, leaf: Leaf, others: Iterable[Requirement] = ()) -> list[Obstacle]:
        """Why ``leaf`` (unreachable) cannot be obtained: dead ends, cycles and traps."""
        obstacles: list[Obstacle] = []
        self._explain(leaf, (), list(others), obstacles, set())
        return obstacles

    def _explain(
        self,
        leaf: Leaf,
        chain: tuple[Leaf | Step, ...],
        others: list[Requirement],
        out: list[Obstacle],
        done: set[tuple[str, str, object]],
    ) -> None:
        here = (*chain, leaf)
        if len(here) > 2 * _MAX_EXPLAIN_DEPTH or leaf.key() in done:
            return
        done.add(leaf.key())
        producers = self.producers(leaf)
        if not producers:
            # A fact no step can change is the person's own situation: "not met", not a dead end.
            personal = not chain and leaf.fact not in self.producible and leaf.fact != "current_country"
            out.append(Obstacle("not_met" if personal else "dead_end", here))
            return
        for step in producers:
            for blocker in self.blockers(step):
                path = (*here, step)
                earlier = [i for i, item in enumerate(path) if isinstance(item, Leaf) and item.key() == blocker.key()]
                if earlier:
                    out.append(Obstacle("cycle", (*path[earlier[0] :], blocker)))
                    continue
                conflict = self._conflicting_requirement(blocker, others)
                if conflict is not None:
                    out.append(Obstacle("trap", (*path, blocker), conflicts_with=conflict))
                    continue
                self._explain(blocker, path, others, out, done)

    def _conflicting_requirement(self, blocker: Leaf, others: list[Requirement]) -> Requirement | None:
        for requirement in others:
            if requirement.fact != blocker.fact:
                continue
            if self.leaf_truth(requirement.test) == FALSE:
                continue  # a requirement that fails anyway is not what traps the person
            if _exclusive(blocker, requirement.test, self):
                return requirement
        return None


def _exclusive(first: Leaf, second: Leaf, reach: Reachability) -> bool:
    """True when no value of the fact satisfies both tests (checked over the fact's domain)."""
    fact = reach.knowledge.facts.get(first.fact)
    if fact is None:
        return False
    if fact.type == "bool":
        domain: list[object] = [True, False]
    elif fact.type == "enum":
        domain = [value.id for value in fact.values or ()]
    elif fact.type == "country":
        domain = list(
            sorted(set(reach.knowledge.countries) | {str(v) for v in (first.value, second.value) if isinstance(v, str)})
        )
        domain += [
            v
            for v in (reach.profile.facts.get(r.fact) for r in (first.value, second.value) if isinstance(r, Ref))
            if v is not None
        ]
    else:
        return False
    for value in domain:
        facts = {**reach.profile.facts, first.fact: value}
        state = State(facts, reach.state.today, reach.state.missions)
        if first.evaluate(state) == TRUE and second.evaluate(state) == TRUE:
            return False
    return True


def _requirement_result(
    requirement: Requirement, state: State, profile: Profile, reach: Reachability, pathway: Pathway
) -> RequirementResult:
    now = requirement.test.evaluate(state)
    evidence_needed = tuple(kind for kind in requirement.evidence if kind not in profile.evidence)
    if now == TRUE:
        status = MISSING_EVIDENCE if evidence_needed else HOLDS
        return RequirementResult(requirement, status, now, TRUE, evidence_needed, ())
    if now == UNKNOWN:
        obtainable = reach.leaf_truth(requirement.test)
        return RequirementResult(requirement, UNKNOWN_STATUS, now, obtainable, evidence_needed, ())
    obtainable = reach.leaf_truth(requirement.test)
    if obtainable != FALSE:
        return RequirementResult(requirement, FAILS, now, obtainable, evidence_needed, ())
    others = [other for other in pathway.leaves if other is not requirement]
    obstacles = tuple(reach.explain(requirement.test, others))
    status = "circular" if any(o.kind == "cycle" for o in obstacles) else FAILS
    return RequirementResult(requirement, status, now, FALSE, evidence_needed, obstacles)


def _severity(node: ReqNode, results: Mapping[int, RequirementResult]) -> int:
    if isinstance(node, Requirement):
        return results[id(node)].severity
    values = [_severity(child, results) for child in node.children]
    return max(values) if isinstance(node, ReqAll) else min(values)


def evaluate_pathway(
    pathway: Pathway,
    profile: Profile,
    knowledge: KnowledgeBase,
    reach: Reachability | None = None,
) -> PathwayResult:
    """Evaluate one pathway for one profile, with the full requirement trace.

    Args:
        pathway: the pathway to evaluate.
        profile: the person's facts.
        knowledge: the knowledge base the pathway belongs to.
        reach: a precomputed :class:`Reachability` for this profile (shared across pathways).

    Returns:
        A :class:`PathwayResult`: ``open`` (every requirement holds now), ``missing`` (what lacks
        can be obtained or is not yet known), ``blocked`` (a dead end or trap) or ``circular``.
    """
    reach = reach or Reachability(knowledge, profile)
    state = initial_state(profile, knowledge)
    results = tuple(_requirement_result(req, state, profile, reach, pathway) for req in pathway.leaves)
    by_node = {id(result.requirement): result for result in results}
    status = _PATHWAY_STATUS[_severity(pathway.requirements, by_node)]
    unknown = tuple(sorted({r.requirement.fact for r in results if r.now == UNKNOWN}))
    return PathwayResult(pathway, status, results, unknown)


def evaluate_all(profile: Profile, knowledge: KnowledgeBase) -> list[PathwayResult]:
    """Every pathway of the knowledge base for one profile, in knowledge-base order."""
    reach = Reachability(knowledge, profile)
    return [evaluate_pathway(pathway, profile, knowledge, reach) for pathway in knowledge.pathways]


ReqAny_ = ReqAny  # re-exported for type checkers of callers that walk trees
