"""The planner against an independent oracle: the same instance in ASP, optimised by clingo.

``bench/oracle.py`` encodes the planning problem declaratively (time-indexed states, three-valued
preconditions, effects, travel, entry and risk rules, the final application, lexicographic
optimisation with priorities). Here we check, per pathway, that the planner reaches exactly the
pathways clingo can reach, with the same optimal (risk, days, cost).
"""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from bench.oracle import Optimum, planner_optimum, solve
from bench.worlds import WorldSpec, generate_profile, generate_world
from passage.routes import KnowledgeBase, Profile, Ranking, find_routes, load_knowledge, load_profile, make_plan
from tests.routes.conftest import EXAMPLES

TODAY = date(2026, 11, 24)


def _agree(knowledge: KnowledgeBase, profile: Profile, ranking: Ranking) -> dict[str, Optimum]:
    ours = planner_optimum(find_routes(knowledge, profile, knowledge.pathways, ranking))
    oracle = solve(knowledge, profile, ranking).optimum
    assert ours == {pathway_id: best for pathway_id, best in oracle.items() if best is not None}
    return ours


_SHAPES = [
    WorldSpec(),
    WorldSpec(countries=5, obtain_steps=10, travel_out=2),
    WorldSpec(countries=10, travel_out=3, pathways=6, passport_tests=True),
    WorldSpec(countries=6, bool_facts=3, enum_facts=2, obtain_steps=8, grant_share=0.8, risk_rules=6),
]


@pytest.mark.parametrize("shape", range(len(_SHAPES)))
def test_the_planner_matches_clingo_on_generated_worlds(shape: int) -> None:
    reached = 0
    for seed in range(15):  # 4 shapes x 15 seeds x 2 step limits = 120 instances
        world = generate_world(1000 * shape + seed, _SHAPES[shape])
        profile = generate_profile(world, seed, stated=(0.3, 0.7, 1.0)[seed % 3])
        for max_steps in (3, 5):
            reached += len(_agree(world.knowledge, profile, Ranking(max_steps=max_steps)))
    assert reached > 15  # the instances are not trivially unreachable


def test_the_planner_matches_clingo_in_other_ranking_orders() -> None:
    for seed in range(10):
        world = generate_world(seed)
        profile = generate_profile(world, seed)
        for order in (("days", "risk", "cost"), ("cost", "days", "risk")):
            _agree(world.knowledge, profile, Ranking(order=order, max_steps=4))


@pytest.mark.parametrize("max_steps", [1, 2, 3, 5])
def test_the_planner_matches_clingo_on_the_fixture(mini: KnowledgeBase, deserter: Profile, max_steps: int) -> None:
    ranking = Ranking(max_steps=max_steps)
    for person in (deserter, deserter.with_facts(wanted=None), deserter.with_facts(endangered=False, wanted=False)):
        _agree(mini, person, ranking)


def test_the_oracle_finds_the_hand_checked_fixture_optimum(mini: KnowledgeBase, deserter: Profile) -> None:
    # Fly TA->TB (severe: leaving a wanted-list state while wanted; 1 day, 300 EUR), apply for the
    # DS visa at the DS embassy in TB (30 days' wait), fly to DS (1 day, 400 EUR), apply.
    optimum = solve(mini, deserter).optimum
    assert optimum["ds-asylum"] == (3, 32, 700)
    assert optimum["ds-resettle"] is None and optimum["ds-dead"] is None


def test_grounding_once_and_switching_goals_equals_solving_each_goal_alone() -> None:
    for seed in range(5):
        world = generate_world(seed)
        profile = generate_profile(world, seed)
        together = solve(world.knowledge, profile).optimum
        for pathway in world.knowledge.pathways:
            assert solve(world.knowledge, profile, goals=[pathway]).optimum == {pathway.id: together[pathway.id]}


def test_the_planner_matches_clingo_on_the_shipped_knowledge_base() -> None:
    knowledge = load_knowledge(today=TODAY)
    for path in sorted(EXAMPLES.glob("*.yaml")):
        profile = load_profile(path, knowledge)
        for max_steps in (2, 5):
            _agree(knowledge, profile, Ranking(max_steps=max_steps))


# -- regressions found by the oracle ----------------------------------------------------------

_HEAD = """
meta: {schema_version: 1, name: regression, compiled_from: test}
sources:
  - {id: s, title: "Source", url: "https://example.org/s", date: "2024-01-01"}
facts:
  - {id: citizenship, type: country, label: {en: c, ru: c}, description: {en: c, ru: c}}
  - {id: current_country, type: country, label: {en: c, ru: c}, description: {en: c, ru: c}}
  - {id: visa_g, type: bool, label: {en: v, ru: v}, description: {en: v, ru: v}}
countries:
  - {id: AA, name: {en: A, ru: A}}
  - {id: BB, name: {en: B, ru: B}}
  - {id: CC, name: {en: C, ru: C}}
  - {id: GG, name: {en: G, ru: G}}
"""
_PATHWAY = """
  - id: goal
    name: {en: Goal, ru: Goal}
    country: GG
    kind: asylum_inland
    legal_basis: "Art. 1"
    apply_where: {en: in G, ru: in G}
    outcome: {en: o, ru: o}
    sources: [s]
    confidence: verified
    requirements:
      all:
        - {id: in-g, fact: current_country, eq: GG, label: {en: in G, ru: in G}, sources: [s], confidence: verified}
"""


def _knowledge(tmp_path: Path, steps: str, extra: str = "") -> KnowledgeBase:
    (tmp_path / "kb.yaml").write_text(
        _HEAD + "steps:\n" + textwrap.dedent(steps) + "pathways:" + _PATHWAY + textwrap.dedent(extra)
    )
    return load_knowledge(tmp_path, today=TODAY)


def _person(**facts: object) -> Profile:
    return Profile("p", TODAY, {"citizenship": "AA", "current_country": "AA", **facts})


def _travel(step_id: str, origin: str, to: str, days: int, cost: int, requires: str = "") -> str:
    condition = f", requires: {requires}" if requires else ""
    return (
        f"  - {{id: {step_id}, action: travel, from: '{origin}', to: {to}, mode: land, label: {{en: x, ru: x}}, "
        f"days: {days}, cost_eur: {cost}, sources: [s], confidence: verified{condition}}}\n"
    )


def test_a_cheaper_way_that_used_more_steps_does_not_hide_a_route_within_the_step_limit(tmp_path: Path) -> None:
    # A->C->B is cheaper and quicker than A->B, but uses both allowed steps; only A->B->G fits.
    # The planner used to keep the cheaper label at B and drop the one that could still go on.
    steps = (
        _travel("a-b", "AA", "BB", 3, 500) + _travel("a-c", "AA", "CC", 1, 10) + _travel("c-b", "CC", "BB", 1, 10)
    ) + _travel("b-g", "BB", "GG", 1, 10)
    knowledge = _knowledge(tmp_path, steps)
    ranking = Ranking(max_steps=2)
    routes = find_routes(knowledge, _person(), knowledge.pathways, ranking)
    assert [step.id for step in routes["goal"].steps] == ["a-b", "b-g", "goal"]
    assert _agree(knowledge, _person(), ranking) == {"goal": (0, 4, 510)}


def test_a_step_for_people_without_a_visa_is_open_to_someone_who_has_not_obtained_one(tmp_path: Path) -> None:
    # visa_g is not stated and a step produces it, so the person has not obtained it yet: a step
    # that asks for "no visa" (here: the visa application itself) must be possible. The planner
    # used to fail *every* test on such a fact, `visa_g eq false` and its opposite alike.
    steps = (
        "  - {id: get-visa, action: obtain, requires: {not: {fact: visa_g, eq: true}}, effects: {visa_g: true},"
        " label: {en: v, ru: v}, days: 10, cost_eur: 80, sources: [s], confidence: verified}\n"
    ) + _travel("a-g", "AA", "GG", 1, 100, requires="{fact: visa_g, eq: true}")
    knowledge = _knowledge(tmp_path, steps)
    plan = make_plan(_person(), knowledge)
    assert [route.goal.id for route in plan.routes] == ["goal"]
    assert [step.id for step in plan.routes[0].steps] == ["get-visa", "a-g", "goal"]
    assert {result.pathway.id: result.status for result in plan.pathways} == {"goal": "missing"}
    assert _agree(knowledge, _person(), Ranking()) == {"goal": (0, 11, 180)}


def test_a_risk_rule_on_not_holding_a_document_applies_before_it_is_obtained(tmp_path: Path) -> None:
    # "Crossing without a visa is high risk" must apply to someone who has not obtained one; the
    # planner used to evaluate the rule as false (and so the crossing as low risk).
    steps = (
        "  - {id: get-visa, action: obtain, at: [GG], effects: {visa_g: true},"
        " label: {en: v, ru: v}, days: 10, cost_eur: 80, sources: [s], confidence: verified}\n"
    ) + _travel("a-g", "AA", "GG", 1, 100)
    rules = """
    risk_rules:
      - {id: no-visa, event: entry, countries: [GG], when: {fact: visa_g, eq: false}, risk: high,
         reason: {en: r, ru: r}, sources: [s], confidence: verified}
    """
    knowledge = _knowledge(tmp_path, steps, rules)
    route = find_routes(knowledge, _person(), knowledge.pathways)["goal"]
    assert route.risk == "high"
    assert _agree(knowledge, _person(), Ranking()) == {"goal": (2, 1, 100)}
