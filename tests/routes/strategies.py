"""Hypothesis strategies for the route engine, all in one place (STYLE.md, "attrs").

Worlds come from the seeded generator in ``bench/worlds.py`` (the benchmarks use the same one):
a strategy draws the world's shape and seed, so a failing example prints as
``GeneratedWorld(seed=..., spec=WorldSpec(...))`` and can be rebuilt with ``generate_world``.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from bench.worlds import AS_OF, GeneratedWorld, WorldSpec, generate_profile, generate_world
from passage.routes import Profile
from passage.routes.conditions import Cond, Leaf, State, all_of, any_of, negate

__all__ = [
    "conditions",
    "fact_states",
    "profiles",
    "situations",
    "unstated_fact",
    "world_specs",
    "worlds",
]

SEEDS = st.integers(min_value=0, max_value=2**31 - 1)


def world_specs(max_countries: int = 8, passport_tests: bool | None = None) -> st.SearchStrategy[WorldSpec]:
    """Small world shapes: a handful of countries, facts, steps and pathways."""
    return st.builds(
        WorldSpec,
        countries=st.integers(3, max_countries),
        bool_facts=st.integers(1, 5),
        enum_facts=st.integers(0, 2),
        document_facts=st.integers(0, 3),
        procedure_facts=st.integers(0, 1),
        travel_out=st.integers(1, 3),
        star_travel=st.integers(0, 2),
        obtain_steps=st.integers(0, 8),
        pathways=st.integers(1, 6),
        grant_share=st.sampled_from([0.0, 0.4, 0.8]),
        risk_rules=st.integers(0, 5),
        missions=st.integers(0, 6),
        passport_tests=st.booleans() if passport_tests is None else st.just(passport_tests),
    )


def worlds(specs: st.SearchStrategy[WorldSpec] | None = None) -> st.SearchStrategy[GeneratedWorld]:
    """Generated knowledge bases (see ``bench.worlds.generate_world``)."""
    return st.builds(generate_world, seed=SEEDS, spec=specs if specs is not None else world_specs())


def profiles(world: GeneratedWorld) -> st.SearchStrategy[Profile]:
    """People in ``world``, from those who state nearly nothing to those who state everything."""
    return st.builds(
        lambda seed, stated: generate_profile(world, seed, stated=stated),
        SEEDS,
        st.sampled_from([0.0, 0.3, 0.7, 1.0]),
    )


@st.composite
def situations(draw: st.DrawFn, specs: st.SearchStrategy[WorldSpec] | None = None) -> tuple[GeneratedWorld, Profile]:
    """A world and one person in it."""
    world = draw(worlds(specs))
    return world, draw(profiles(world))


@st.composite
def unstated_fact(draw: st.DrawFn, world: GeneratedWorld, profile: Profile) -> tuple[str, object] | None:
    """A fact ``profile`` leaves unknown, with a value for it (None when it states everything)."""
    candidates: list[tuple[str, tuple[object, ...]]] = [
        (name, (True, False)) for name in (*world.bool_facts, *world.grant_facts, *world.documents)
    ]
    candidates += [(name, values) for name, values in (*world.enum_facts, *world.procedures)]
    candidates.append(("passport_expires", tuple(AS_OF + timedelta(days=d) for d in (-10, 20, 60, 200))))
    open_ = [(name, values) for name, values in candidates if name not in profile.facts]
    if not open_:
        return None
    name, values = draw(st.sampled_from(open_))
    return name, draw(st.sampled_from(values))


# -- conditions on their own ------------------------------------------------------------------

_BOOL, _ENUM, _DATE, _COUNTRY, _COUNTRIES, _INT = "flag", "kind", "expires", "where", "ties", "count"
_ENUM_VALUES = ("a", "b", "c")
_COUNTRY_CODES = ("AA", "BB", "CC")


def _leaves() -> st.SearchStrategy[Leaf]:
    return st.one_of(
        st.builds(Leaf, st.just(_BOOL), st.sampled_from(["eq", "ne"]), st.booleans()),
        st.builds(Leaf, st.just(_ENUM), st.sampled_from(["eq", "ne"]), st.sampled_from(_ENUM_VALUES)),
        st.builds(
            Leaf,
            st.just(_ENUM),
            st.sampled_from(["in", "not_in"]),
            st.frozensets(st.sampled_from(_ENUM_VALUES), min_size=1),
        ),
        st.builds(
            Leaf,
            st.just(_DATE),
            st.sampled_from(["valid_for_days", "expires_within_days"]),
            st.integers(-5, 60),
        ),
        st.builds(
            Leaf,
            st.just(_DATE),
            st.sampled_from(["before", "not_before"]),
            st.dates(date(2025, 12, 1), date(2026, 3, 1)),
        ),
        st.builds(
            Leaf, st.just(_COUNTRY), st.sampled_from(["mission_of", "no_mission_of"]), st.sampled_from(_COUNTRY_CODES)
        ),
        st.builds(Leaf, st.just(_COUNTRIES), st.sampled_from(["contains", "lacks"]), st.sampled_from(_COUNTRY_CODES)),
        st.builds(Leaf, st.just(_INT), st.sampled_from(["gte", "lt", "lte", "gt", "eq", "ne"]), st.integers(0, 4)),
    )


def conditions() -> st.SearchStrategy[Cond]:
    """Condition trees over a small vocabulary of every fact type and operator."""
    return st.recursive(
        _leaves(),
        lambda children: st.one_of(
            st.builds(all_of, st.lists(children, min_size=1, max_size=3)),
            st.builds(any_of, st.lists(children, min_size=1, max_size=3)),
            st.builds(negate, children),
        ),
        max_leaves=8,
    )


@st.composite
def fact_states(draw: st.DrawFn) -> State:
    """What a condition looks at: each fact stated, unknown, or not obtained."""
    values = {
        _BOOL: st.booleans(),
        _ENUM: st.sampled_from(_ENUM_VALUES),
        _DATE: st.dates(date(2025, 12, 1), date(2026, 3, 1)),
        _COUNTRY: st.sampled_from(_COUNTRY_CODES),
        _COUNTRIES: st.frozensets(st.sampled_from(_COUNTRY_CODES)),
        _INT: st.integers(0, 4),
    }
    facts: dict[str, object] = {}
    absent: set[str] = set()
    for name, strategy in values.items():
        how = draw(st.sampled_from(["stated", "unknown", "absent"]))
        if how == "stated":
            facts[name] = draw(strategy)
        elif how == "absent":
            absent.add(name)
    missions = draw(st.frozensets(st.tuples(st.sampled_from(_COUNTRY_CODES), st.sampled_from(_COUNTRY_CODES))))
    return State(facts, AS_OF, missions, frozenset(absent))
