"""Evaluating many profiles at once, with the same verdicts and traces as ``evaluate_pathway``.

An office re-evaluates every client when the knowledge base changes. Doing that one profile at a
time repeats the same work: most people share a situation (where they are, which documents they
hold, their status), and a verdict depends on a profile only through a few things. This module
finds those things and computes each distinct one once:

1. **Columns.** For each test in the knowledge base, its value on every profile (a table look-up
   per distinct fact value).
2. **Reachability.** The relaxed fixpoint of ``Reachability`` depends on a profile only through
   where the person is and the value of each test in a step's precondition. It is computed once
   per distinct such vector, by a compiled worklist over (fact, value) atoms.
3. **Explanations.** Why something cannot be obtained depends only on which tests and places are
   unreachable, and the explanation asks about few of them. Each requirement keeps a decision
   tree of the questions the explanation asked and the answers given; a profile whose answers
   follow a known branch reuses its explanation.
4. **Verdicts.** A requirement's result depends on its test's value now, whether it can be
   obtained, the evidence missing and the explanation; a pathway's on its requirements'. Both are
   interned, so alike profiles share the very same result objects.

Every cache key is exactly what the result depends on, so the results are identical to
``evaluate_pathway`` (a property test checks it on generated knowledge bases).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from passage.routes.conditions import FALSE, HOLDS_WHEN_ABSENT, TRUE, UNKNOWN, All, Cond, Leaf, Ref, State, leaves
from passage.routes.evaluator import (
    _PATHWAY_STATUS,
    FAILS,
    HOLDS,
    MISSING_EVIDENCE,
    UNKNOWN_STATUS,
    Obstacle,
    PathwayResult,
    Reachability,
    RequirementResult,
)
from passage.routes.model import KnowledgeBase, Pathway, ReqAll, ReqNode, Requirement, Step
from passage.routes.profile import Profile

__all__ = ["BatchEvaluator", "BatchStats", "evaluate_batch"]

_MISSING = object()  # a fact the profile does not state
_UNEXPLORED = object()  # a decision-tree node no explanation has reached yet

Truths = Sequence[int]


class _Indexed(Protocol):
    """What compiled conditions read starting values from: a tuple, or a recording reader."""

    def __getitem__(self, index: int, /) -> int: ...


_CondFn = Callable[[_Indexed, Truths], int]


@dataclass
class BatchStats:
    """How much work alike profiles shared (for benchmarks and curiosity)."""

    profiles: int = 0
    fixpoints: int = 0
    explanations: int = 0
    requirement_results: int = 0
    pathway_results: int = 0


class _LeafInfo:
    """A test as seen from one context (day and referenced values)."""

    __slots__ = ("absent", "fact", "memo", "missing", "now_of", "probe", "produced", "ref_unknown", "sat", "start_of")

    def __init__(self, leaf: Leaf, context: _Context) -> None:
        self.fact = leaf.fact
        self.memo: dict[object, int] = {}
        expected = leaf.value
        self.ref_unknown = False
        if isinstance(expected, Ref):
            resolved = context.refs.get(expected.fact, _MISSING)
            self.ref_unknown = resolved is _MISSING
            expected = resolved
        self.probe = Leaf(leaf.fact, leaf.op, expected)
        # A test on a fact a step produces and the profile does not state: not obtained yet.
        self.absent = TRUE if leaf.op in HOLDS_WHEN_ABSENT else FALSE
        if leaf.fact in context.compiled.yes_no and not self.ref_unknown:
            self.absent = self.outcome(False, context)
        # Atoms (produced values) that make the test true; a test on an unknown reference is
        # unknown whatever happens, as in ``Reachability.leaf_truth``.
        self.sat: tuple[int, ...] = ()
        if not self.ref_unknown:
            self.sat = tuple(
                index
                for index, value in context.compiled.atoms_of.get(leaf.fact, ())
                if self.outcome(value, context) == TRUE
            )
        # The test's value now, by the fact's value (unstated: unknown).
        self.now_of: dict[object, int] = {_MISSING: UNKNOWN}
        # What an unstated fact gives the test before any step: not obtained, or unknown.
        self.missing = UNKNOWN
        if not self.ref_unknown and leaf.fact in context.compiled.producible:
            self.missing = self.absent
        # What the fact's value (or its absence) gives the test before any step.
        self.start_of: dict[object, int] = {_MISSING: self.missing}
        # The best any step can give the test, by fixpoint result.
        self.produced: list[int] = []

    def outcome(self, value: object, context: _Context) -> int:
        """The test on ``value`` (a stated or produced value of its fact)."""
        found = self.memo.get(value)
        if found is None:
            state = State({self.fact: value}, context.today, context.compiled.knowledge.missions)
            found = self.memo[value] = self.probe.evaluate(state)
        return found


class _Context:
    """What the outcome of a test depends on besides the fact itself: the day and referenced facts."""

    def __init__(self, compiled: _Compiled, today: date, refs: Mapping[str, object]) -> None:
        self.compiled = compiled
        self.today = today
        self.refs = refs
        self.infos: dict[Leaf, _LeafInfo] = {}
        self.step_conditions: list[_CondFn | None] = [
            None if step.requires is None else self._compile(step.requires) for step in compiled.steps
        ]
        # Which steps to look at again when an atom becomes more reachable.
        dependents: dict[int, set[int]] = {}
        for position, step in enumerate(compiled.steps):
            watched = set(compiled.place_atoms[position])
            if step.requires is not None:
                for leaf in leaves(step.requires):
                    watched.update(self.info(leaf).sat)
            for atom in watched:
                dependents.setdefault(atom, set()).add(position)
        self.dependents = {atom: tuple(sorted(steps)) for atom, steps in dependents.items()}
        self.step_infos = tuple(self.info(leaf) for leaf in compiled.step_leaves)
        self.fixpoint_trees: dict[object, _Node] = {}
        # A situation: where one is and the starting value of every step test. Reachability
        # depends on nothing else, so each distinct situation gets an id and one fixpoint.
        self.situations: dict[tuple[object, ...], int] = {}
        self.situation_fixpoint: list[int] = []
        # Explanations that asked only about the situation, by requirement and situation.
        self.explained: dict[tuple[int, int], dict[int, tuple[Obstacle, ...]]] = {}
        self.explain_trees: dict[tuple[int, int], _Node] = {}
        self.producers: dict[Leaf, list[Step]] = {}

    def info(self, leaf: Leaf) -> _LeafInfo:
        found = self.infos.get(leaf)
        if found is None:
            found = self.infos[leaf] = _LeafInfo(leaf, self)
        return found

    def _compile(self, cond: Cond) -> _CondFn:
        if isinstance(cond, Leaf):
            info = self.info(cond)
            index = self.compiled.step_leaf_index[cond]
            if info.ref_unknown:
                return lambda contrib, atoms: UNKNOWN
            sat = info.sat
            if not sat:
                return lambda contrib, atoms: contrib[index]

            def leaf_truth(contrib: _Indexed, atoms: Truths) -> int:
                best = contrib[index]
                if best == TRUE:
                    return TRUE
                for atom in sat:
                    if atoms[atom] > best:
                        best = atoms[atom]
                return best

            return leaf_truth
        children = tuple(self._compile(child) for child in cond.children)
        if isinstance(cond, All):

            def all_truth(contrib: _Indexed, atoms: Truths) -> int:
                result = TRUE
                for child in children:
                    value = child(contrib, atoms)
                    if value == FALSE:
                        return FALSE
                    if value < result:
                        result = value
                return result

            return all_truth

        def any_truth(contrib: _Indexed, atoms: Truths) -> int:
            result = FALSE
            for child in children:
                value = child(contrib, atoms)
                if value == TRUE:
                    return TRUE
                if value > result:
                    result = value
            return result

        return any_truth

    def now_table(self, info: _LeafInfo, values: Iterable[object]) -> dict[object, int]:
        """``info.now_of``, completed for ``values``."""
        table = info.now_of
        for value in values:
            if value not in table:
                table[value] = UNKNOWN if info.ref_unknown else info.outcome(value, self)
        return table

    def start_table(self, info: _LeafInfo, values: Iterable[object]) -> dict[object, int]:
        """``info.start_of``, completed for ``values``."""
        table = info.start_of
        for value in values:
            if value not in table:
                table[value] = UNKNOWN if info.ref_unknown else info.outcome(value, self)
        return table

    def produced(self, info: _LeafInfo, results: Sequence[tuple[int, ...]]) -> list[int]:
        """``info.produced``, completed for every fixpoint result so far."""
        table = info.produced
        for atoms in results[len(table) :]:
            best = FALSE
            for atom in info.sat:
                if atoms[atom] > best:
                    best = atoms[atom]
            table.append(best)
        return table

    def fixpoint(self, country: object, contrib: _Indexed) -> tuple[int, ...]:
        """How reachable each atom is (the ``Reachability`` fixpoint, compiled)."""
        compiled = self.compiled
        start_place = compiled.start_place(country)
        atoms = [FALSE] * len(compiled.atoms)
        fired = [FALSE] * len(compiled.steps)
        queued = [True] * len(compiled.steps)
        work = list(range(len(compiled.steps) - 1, -1, -1))
        place_atoms, effect_atoms, conditions = compiled.place_atoms, compiled.effect_atoms, self.step_conditions
        while work:
            position = work.pop()
            queued[position] = False
            place = start_place[position]
            if place != TRUE:
                for atom in place_atoms[position]:
                    if atoms[atom] > place:
                        place = atoms[atom]
            if place == FALSE:
                continue
            condition = conditions[position]
            truth = place if condition is None else min(place, condition(contrib, atoms))
            if truth <= fired[position]:
                continue
            fired[position] = truth
            for atom in effect_atoms[position]:
                if atoms[atom] < truth:
                    atoms[atom] = truth
                    # A step can only rise to what this atom now is; one that has fired that
                    # high already gains nothing from looking again.
                    for dependent in self.dependents.get(atom, ()):
                        if not queued[dependent] and fired[dependent] < truth:
                            queued[dependent] = True
                            work.append(dependent)
        return tuple(atoms)


class _Node:
    """A decision-tree node: ask ``query`` and follow the answer, or (at a leaf) the result."""

    __slots__ = ("children", "query", "result")

    def __init__(self) -> None:
        self.query: Any = None
        self.children: dict[object, _Node] = {}
        self.result: object = _UNEXPLORED


def _follow(root: _Node, answer: Callable[[Any], object]) -> _Node:
    """Walk from ``root`` answering each node's question; stop at a result or an unknown branch."""
    node = root
    while node.result is _UNEXPLORED and node.query is not None:
        child = node.children.get(answer(node.query))
        if child is None:
            return node
        node = child
    return node


def _learn(root: _Node, asked: Iterable[tuple[object, object]], result: object) -> None:
    """Record a computation's questions and answers, in the order asked, and what it gave."""
    node = root
    for query, answer in asked:
        if node.query is None:
            node.query = query
        if node.query != query:  # pragma: no cover - the computations are deterministic
            raise RuntimeError("a replayed computation asked a different question")
        node = node.children.setdefault(answer, _Node())
    node.result = result


class _Reader:
    """Starting values of step tests, recording which the fixpoint reads and in what order."""

    __slots__ = ("asked", "values")

    def __init__(self, values: Sequence[int]) -> None:
        self.values = values
        self.asked: dict[int, int] = {}

    def __getitem__(self, index: int) -> int:
        found = self.values[index]
        self.asked.setdefault(index, found)
        return found


class _Replayed(Reachability):
    """A ``Reachability`` answered from the batch's compiled state, recording what is asked.

    ``explain`` only ever asks whether a test or a step's place is unreachable (FALSE), so those
    answers are all an explanation depends on (with the context: the day and referenced facts).
    """

    def __init__(self, knowledge: KnowledgeBase, person: _Person) -> None:
        self._person = person
        self.asked: dict[tuple[str, object], bool] = {}
        super().__init__(knowledge, person.profile)

    def _fixpoint(self) -> None:
        for (name, value), truth in zip(self._person.context.compiled.atoms, self._person.atoms, strict=True):
            if truth != FALSE:
                known = self.values.setdefault(name, {})
                if known.get(value, FALSE) < truth:
                    known[value] = truth

    def leaf_truth(self, leaf: Leaf) -> int:
        truth = self._person.leaf_truth(leaf)
        self.asked.setdefault(("leaf", leaf), truth == FALSE)
        return truth

    def _place_truth(self, step: Step) -> int:
        truth = self._person.place_truth(step.id)
        self.asked.setdefault(("place", step.id), truth == FALSE)
        return truth

    def producers(self, leaf: Leaf) -> list[Step]:
        memo = self._person.context.producers
        found = memo.get(leaf)
        if found is None:
            found = memo[leaf] = super().producers(leaf)
        return found


class _Compiled:
    """The knowledge base, indexed once for every batch."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge
        self.steps = knowledge.steps
        self.yes_no = frozenset(name for name, fact in knowledge.facts.items() if fact.type == "bool")
        self.producible = frozenset(
            name for step in knowledge.steps for name in step.sets() if name != "current_country"
        )
        atoms: dict[tuple[str, object], int] = {}
        for step in knowledge.steps:
            for name, value in step.sets().items():
                atoms.setdefault((name, value), len(atoms))
        self.atoms = tuple(atoms)
        self.atoms_of: dict[str, list[tuple[int, object]]] = {}
        for (name, value), index in atoms.items():
            self.atoms_of.setdefault(name, []).append((index, value))
        self.effect_atoms = tuple(
            tuple(atoms[(name, value)] for name, value in step.sets().items()) for step in knowledge.steps
        )
        countries = self.atoms_of.get("current_country", [])
        self.place_atoms = tuple(
            tuple(index for index, country in countries if step.available_in(str(country))) for step in knowledge.steps
        )
        step_leaves: dict[Leaf, int] = {}
        for step in knowledge.steps:
            if step.requires is not None:
                for leaf in leaves(step.requires):
                    step_leaves.setdefault(leaf, len(step_leaves))
        self.step_leaf_index = step_leaves
        self.step_leaves = tuple(step_leaves)
        self.ref_facts = tuple(
            sorted(
                {
                    leaf.value.fact
                    for cond in _all_conditions(knowledge)
                    for leaf in leaves(cond)
                    if isinstance(leaf.value, Ref)
                }
            )
        )
        self._start_places: dict[object, tuple[int, ...]] = {}
        self.step_position = {step.id: position for position, step in enumerate(knowledge.steps)}

    def start_place(self, country: object) -> tuple[int, ...]:
        """Whether each step can start where the person is now (before any step is taken)."""
        found = self._start_places.get(country)
        if found is None:
            if country is _MISSING:
                found = tuple(UNKNOWN for _ in self.steps)
            else:
                found = tuple(TRUE if step.available_in(str(country)) else FALSE for step in self.steps)
            self._start_places[country] = found
        return found


def _all_conditions(knowledge: KnowledgeBase) -> Iterable[Cond]:
    for step in knowledge.steps:
        if step.requires is not None:
            yield step.requires
    for pathway in knowledge.pathways:
        for requirement in pathway.leaves:
            yield requirement.test


def _severity(node: ReqNode, results: Mapping[int, RequirementResult]) -> int:
    if isinstance(node, Requirement):
        return results[id(node)].severity
    values = [_severity(child, results) for child in node.children]
    return max(values) if isinstance(node, ReqAll) else min(values)


def _needed(kinds: tuple[str, ...], held: frozenset[str]) -> tuple[str, ...]:
    if not kinds:
        return kinds
    if len(kinds) == 1:
        return () if kinds[0] in held else kinds
    return tuple(kind for kind in kinds if kind not in held)


class _Person:
    """One profile inside a batch: its facts read through the context's tables."""

    __slots__ = ("answers", "atoms", "context", "country", "facts", "profile", "step_values")

    def __init__(self, profile: Profile, context: _Context) -> None:
        self.profile = profile
        self.facts = profile.facts
        self.context = context
        self.country = profile.facts.get("current_country", _MISSING)
        self.atoms: tuple[int, ...] = ()
        self.step_values: dict[int, int] = {}
        self.answers: dict[object, bool] = {}

    def contribution(self, info: _LeafInfo) -> int:
        """What the person's own starting value gives a test (before any step)."""
        value = self.facts.get(info.fact, _MISSING)
        if value is _MISSING:
            return info.missing
        if info.ref_unknown:
            return UNKNOWN
        return info.outcome(value, self.context)

    def step_contribution(self, index: int) -> int:
        found = self.step_values.get(index)
        if found is None:
            found = self.step_values[index] = self.contribution(self.context.step_infos[index])
        return found

    def leaf_truth(self, leaf: Leaf) -> int:
        """``Reachability.leaf_truth``: the best of the starting value and what steps produce."""
        info = self.context.info(leaf)
        if info.ref_unknown:
            return UNKNOWN
        best = self.contribution(info)
        if best != TRUE:
            atoms = self.atoms
            for atom in info.sat:
                if atoms[atom] > best:
                    best = atoms[atom]
        return best

    def place_truth(self, step_id: str) -> int:
        """``Reachability._place_truth``: could the step start somewhere the person can be?"""
        compiled = self.context.compiled
        position = compiled.step_position[step_id]
        best = compiled.start_place(self.country)[position]
        if best != TRUE:
            atoms = self.atoms
            for atom in compiled.place_atoms[position]:
                if atoms[atom] > best:
                    best = atoms[atom]
        return best

    def answer(self, query: Any) -> bool:
        """What an explanation's question gets for this person: is the test or place unreachable?"""
        found = self.answers.get(query)
        if found is None:
            kind, subject = query
            truth = self.leaf_truth(subject) if kind == "leaf" else self.place_truth(subject)
            found = self.answers[query] = truth == FALSE
        return found


class BatchEvaluator:
    """Evaluates many profiles against one knowledge base, sharing the work of alike situations.

    The evaluator keeps what it learned between calls, so evaluating the same office again (or
    one more client) is cheaper still. Results are exactly those of ``evaluate_pathway``.
    """

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge
        self._compiled = _Compiled(knowledge)
        self._contexts: dict[tuple[object, ...], _Context] = {}
        self._fixpoint_results: list[tuple[int, ...]] = []
        self._fixpoint_ids: dict[tuple[int, ...], int] = {}
        self._requirements: dict[tuple[int, int], dict[tuple[object, ...], RequirementResult]] = {}
        self._pathways: dict[int, dict[tuple[int, ...], PathwayResult]] = {}
        self._obstacles: dict[tuple[object, ...], tuple[Obstacle, ...]] = {}
        self.stats = BatchStats()

    def _context(self, profile: Profile) -> _Context:
        refs = tuple(profile.facts.get(name, _MISSING) for name in self._compiled.ref_facts)
        key = (profile.as_of, *refs)
        found = self._contexts.get(key)
        if found is None:
            stated = {
                name: value for name, value in zip(self._compiled.ref_facts, refs, strict=True) if value is not _MISSING
            }
            found = self._contexts[key] = _Context(self._compiled, profile.as_of, stated)
        return found

    def evaluate(self, profiles: Iterable[Profile]) -> list[list[PathwayResult]]:
        """Every pathway for every profile: ``result[i][j]`` is profile i, pathway j (KB order).

        Args:
            profiles: the people to evaluate (any number, in any order).

        Returns:
            For each profile, one :class:`PathwayResult` per pathway of the knowledge base,
            equal to ``evaluate_pathway(pathway, profile, knowledge)``. Alike profiles share
            result objects; treat them as read-only.
        """
        people = list(profiles)
        # Evaluation allocates many small objects and creates no reference cycles, so the cyclic
        # garbage collector would only re-scan everything alive (a third of the time on a
        # large caseload); reference counting frees what it must.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._evaluate(people)
        finally:
            if collecting:
                gc.enable()

    def _evaluate(self, people: list[Profile]) -> list[list[PathwayResult]]:
        results: list[list[PathwayResult]] = [[] for _ in people]
        groups: dict[int, tuple[_Context, list[int]]] = {}
        for index, profile in enumerate(people):
            context = self._context(profile)
            groups.setdefault(id(context), (context, []))[1].append(index)
        for context, indices in groups.values():
            rows = self._evaluate_group(context, [people[index] for index in indices])
            for index, row in zip(indices, rows, strict=True):
                results[index] = row
        self.stats.profiles += len(people)
        return results

    def _evaluate_group(self, context: _Context, profiles: list[Profile]) -> list[list[PathwayResult]]:
        columns: dict[str, list[object]] = {}

        def column(fact: str) -> list[object]:
            found = columns.get(fact)
            if found is None:
                found = columns[fact] = [profile.facts.get(fact, _MISSING) for profile in profiles]
            return found

        situations = self._situations(context, column)
        fixpoints = [context.situation_fixpoint[situation] for situation in situations]
        persons: list[_Person | None] = [None] * len(profiles)

        def person(row: int) -> _Person:
            found = persons[row]
            if found is None:
                found = persons[row] = _Person(profiles[row], context)
                found.atoms = self._fixpoint_results[fixpoints[row]]
            return found

        evidence = [profile.evidence for profile in profiles]
        by_pathway: list[list[PathwayResult]] = []
        for index, pathway in enumerate(self.knowledge.pathways):
            requirement_columns = [
                self._requirement_column(
                    context,
                    index,
                    position,
                    pathway,
                    column(requirement.test.fact),
                    evidence,
                    (situations, fixpoints),
                    person,
                )
                for position, requirement in enumerate(pathway.leaves)
            ]
            by_pathway.append(self._pathway_column(index, pathway, requirement_columns, len(profiles)))
        if not by_pathway:
            return [[] for _ in profiles]
        return [list(row) for row in zip(*by_pathway, strict=True)]

    def _situations(self, context: _Context, column: Callable[[str], list[object]]) -> list[int]:
        """The situation id of every profile; a new situation gets its fixpoint."""
        starts = []
        for info in context.step_infos:
            values = column(info.fact)
            table = context.start_table(info, set(values))
            starts.append(list(map(table.__getitem__, values)))
        situations = context.situations
        found: list[int] = []
        for key in zip(column("current_country"), *starts, strict=True):
            situation = situations.get(key)
            if situation is None:
                situation = situations[key] = len(context.situation_fixpoint)
                context.situation_fixpoint.append(self._fixpoint(context, key[0], key[1:]))
            found.append(situation)
        return found

    def _fixpoint(self, context: _Context, country: object, starts: tuple[int, ...]) -> int:
        """A new situation: replay the decision tree of earlier fixpoints, or compute and learn."""
        root = context.fixpoint_trees.get(country)
        if root is None:
            root = context.fixpoint_trees[country] = _Node()
        node = _follow(root, starts.__getitem__)
        if node.result is not _UNEXPLORED:
            assert isinstance(node.result, int)  # noqa: S101 - fixpoint trees hold result ids
            return node.result
        self.stats.fixpoints += 1
        reader = _Reader(starts)
        atoms = context.fixpoint(country, reader)
        result = self._fixpoint_ids.get(atoms)
        if result is None:
            result = self._fixpoint_ids[atoms] = len(self._fixpoint_results)
            self._fixpoint_results.append(atoms)
        _learn(root, reader.asked.items(), result)
        return result

    def _requirement_column(
        self,
        context: _Context,
        index: int,
        position: int,
        pathway: Pathway,
        values: list[object],
        evidence: list[frozenset[str]],
        situated: tuple[list[int], list[int]],
        person: Callable[[int], _Person],
    ) -> list[RequirementResult]:
        situations, fixpoints = situated
        requirement = pathway.leaves[position]
        info = context.info(requirement.test)
        distinct = set(values)
        now_of = context.now_table(info, distinct)
        start_of = context.start_table(info, distinct)
        produced = context.produced(info, self._fixpoint_results)
        kinds = requirement.evidence
        cache = self._requirements.setdefault((index, position), {})
        tree = context.explain_trees.get((index, position))
        if tree is None:
            tree = context.explain_trees[(index, position)] = _Node()
        explained = context.explained.setdefault((index, position), {})
        column: list[RequirementResult] = []
        needs: dict[frozenset[str], tuple[str, ...]] = {}
        for row, value in enumerate(values):
            now = now_of[value]
            needed = kinds
            if kinds:
                held = evidence[row]
                cached = needs.get(held)
                needed = cached if cached is not None else needs.setdefault(held, _needed(kinds, held))
            obtainable = TRUE
            obstacles: tuple[Obstacle, ...] = ()
            if now != TRUE:
                start, best = start_of[value], produced[fixpoints[row]]
                obtainable = start if start >= best else best
                if now == FALSE and obtainable == FALSE:
                    if tree.query is None and tree.result is not _UNEXPLORED:
                        obstacles = tree.result  # type: ignore[assignment]
                    else:
                        situation = situations[row]
                        known = explained.get(situation)
                        if known is None:
                            known, pure = self._explain(tree, pathway, position, person(row))
                            if pure:
                                explained[situation] = known
                        obstacles = known
            key = (now, obtainable, needed, id(obstacles))
            found = cache.get(key)
            if found is None:
                found = cache[key] = self._requirement_result(requirement, now, obtainable, needed, obstacles)
            column.append(found)
        return column

    def _requirement_result(
        self,
        requirement: Requirement,
        now: int,
        obtainable: int,
        needed: tuple[str, ...],
        obstacles: tuple[Obstacle, ...],
    ) -> RequirementResult:
        self.stats.requirement_results += 1
        if now == TRUE:
            status = MISSING_EVIDENCE if needed else HOLDS
        elif now == UNKNOWN:
            status = UNKNOWN_STATUS
        elif any(obstacle.kind == "cycle" for obstacle in obstacles):
            status = "circular"
        else:
            status = FAILS
        return RequirementResult(requirement, status, now, obtainable, needed, obstacles)

    def _pathway_column(
        self, index: int, pathway: Pathway, requirement_columns: list[list[RequirementResult]], rows: int
    ) -> list[PathwayResult]:
        cache = self._pathways.setdefault(index, {})
        column: list[PathwayResult] = []
        for results in zip(*requirement_columns, strict=True):
            key = tuple(map(id, results))
            found = cache.get(key)
            if found is None:
                self.stats.pathway_results += 1
                by_node = {id(result.requirement): result for result in results}
                status = _PATHWAY_STATUS[_severity(pathway.requirements, by_node)]
                unknown = tuple(sorted({r.requirement.fact for r in results if r.now == UNKNOWN}))
                found = cache[key] = PathwayResult(pathway, status, results, unknown)
            column.append(found)
        return column

    def _explain(
        self, tree: _Node, pathway: Pathway, position: int, person: _Person
    ) -> tuple[tuple[Obstacle, ...], bool]:
        """The explanation for ``person``, and whether it asked only about their situation."""
        situational = self._compiled.step_leaf_index
        pure = True
        node = tree
        while node.result is _UNEXPLORED and node.query is not None:
            kind, subject = node.query
            pure = pure and (kind == "place" or subject in situational)
            child = node.children.get(person.answer(node.query))
            if child is None:
                break
            node = child
        if node.result is not _UNEXPLORED:
            return node.result, pure  # type: ignore[return-value]
        self.stats.explanations += 1
        requirement = pathway.leaves[position]
        reach = _Replayed(self.knowledge, person)
        others = [other for other in pathway.leaves if other is not requirement]
        obstacles = self._intern(tuple(reach.explain(requirement.test, others)))
        _learn(tree, reach.asked.items(), obstacles)
        pure = all(kind == "place" or subject in situational for kind, subject in reach.asked)
        return obstacles, pure

    def _intern(self, obstacles: tuple[Obstacle, ...]) -> tuple[Obstacle, ...]:
        key = tuple(
            (
                obstacle.kind,
                tuple(item.key() if isinstance(item, Leaf) else item.id for item in obstacle.chain),
                obstacle.conflicts_with.id if obstacle.conflicts_with is not None else None,
            )
            for obstacle in obstacles
        )
        return self._obstacles.setdefault(key, obstacles)


def evaluate_batch(profiles: Iterable[Profile], knowledge: KnowledgeBase) -> list[list[PathwayResult]]:
    """Every pathway for every profile, as ``evaluate_pathway`` would give it, computed together.

    Args:
        profiles: the people to evaluate.
        knowledge: the knowledge base.

    Returns:
        ``result[i][j]``: profile i, pathway j in knowledge-base order.
    """
    return BatchEvaluator(knowledge).evaluate(profiles)
