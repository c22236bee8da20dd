"""Seeded random worlds for the route engine, built in memory (no YAML), and matching profiles.

A world has countries with entry rules (some unknown), travel steps between them (some from
anywhere), obtain steps with boolean preconditions and effects, pathways whose requirement trees
test boolean and enum facts and where one must be, pathways that grant a visa (and so become
apply steps, as the loader does for ``grants:``), risk rules on exit, transit, entry and stay,
embassies and stay limits. The same seed and spec always give the same world.

The benchmarks use these worlds directly; the hypothesis strategies in
``tests/routes/strategies.py`` are built on them.
"""

from __future__ import annotations

import itertools
import random
import string
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from passage.routes.conditions import Cond, Leaf, Ref, all_of, any_of, negate
from passage.routes.model import (
    RISKS,
    Country,
    KnowledgeBase,
    Pathway,
    ReqAll,
    ReqAny,
    ReqNode,
    Requirement,
    RiskRule,
    Step,
    requirement_leaves,
)
from passage.routes.profile import Profile
from passage.routes.schema import EnumValue, EvidenceKind, FactDef, Meta, Risk, Source, StayRule, Text

__all__ = [
    "AS_OF",
    "ENTRY_UNKNOWN",
    "GeneratedWorld",
    "WorldSpec",
    "caseload",
    "generate_profile",
    "generate_world",
    "random_profile",
    "spec_for_countries",
]

AS_OF = date(2026, 1, 15)
# The loader's stand-in condition for "nobody recorded how one may enter" (see loader._steps).
ENTRY_UNKNOWN = "__entry_unknown__"

_SOURCE = Source(id="gen", title="Generated world", url="https://example.org/generated", date="2025-01-01")
_KINDS = ("asylum_inland", "asylum_visa", "humanitarian_visa", "resettlement", "residence")
_RISK_WEIGHTS = (70, 20, 7, 3)


@dataclass(frozen=True)
class WorldSpec:
    """The shape of a generated world; every count is an upper bound the generator fills."""

    countries: int = 8
    # Personal facts (status, wanted, endangered): no step changes them.
    bool_facts: int = 6
    enum_facts: int = 2
    enum_values: int = 3
    # Documents (a referral, a registration; yes/no) and procedures with a state (none, applied,
    # granted; an enum): what obtain steps produce.
    document_facts: int = 3
    procedure_facts: int = 1
    travel_out: int = 2
    star_travel: int = 2
    obtain_steps: int = 6
    pathways: int = 5
    grant_share: float = 0.4
    risk_rules: int = 4
    missions: int = 6
    unknown_entry_share: float = 0.15
    restricted_entry_share: float = 0.35
    stay_rule_share: float = 0.5
    evidence_kinds: int = 3
    max_days: int = 30
    max_cost: int = 500
    # Dates in conditions (a passport valid for N more days): off by default because they make
    # the state depend on the day, which the oracle encodes only for small worlds.
    passport_tests: bool = False


def spec_for_countries(countries: int) -> WorldSpec:
    """A benchmark-sized world: pathways, steps and embassies scale with the countries."""
    return WorldSpec(
        countries=countries,
        bool_facts=8,
        enum_facts=2,
        document_facts=4,
        procedure_facts=1,
        travel_out=3,
        star_travel=max(2, countries // 25),
        obtain_steps=max(6, countries // 5),
        pathways=max(5, countries // 5),
        risk_rules=max(4, countries // 10),
        missions=countries // 2,
    )


@dataclass(frozen=True)
class GeneratedWorld:
    """A knowledge base with the seed and spec that made it (shown when a property fails)."""

    knowledge: KnowledgeBase = field(repr=False)
    seed: int
    spec: WorldSpec
    origin: str = field(repr=False)
    bool_facts: tuple[str, ...] = field(repr=False)
    documents: tuple[str, ...] = field(repr=False)
    procedures: tuple[tuple[str, tuple[str, ...]], ...] = field(repr=False)
    enum_facts: tuple[tuple[str, tuple[str, ...]], ...] = field(repr=False)
    grant_facts: tuple[str, ...] = field(repr=False)


def _text(en: str) -> Text:
    return Text(en=en, ru=en)


def _risk(rng: random.Random) -> Risk:
    return rng.choices(RISKS, weights=_RISK_WEIGHTS)[0]


class _Generator:
    def __init__(self, seed: int, spec: WorldSpec) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.spec = spec
        codes = ["".join(pair) for pair in itertools.product(string.ascii_uppercase, repeat=2)]
        count = max(3, min(spec.countries, len(codes)))
        self.codes = self.rng.sample(codes, count)
        self.origin = self.codes[0]
        self.abroad = self.codes[1:]
        self.bools = tuple(f"b{i}" for i in range(spec.bool_facts))
        self.enums = tuple(
            (f"e{i}", tuple(f"v{j}" for j in range(max(2, spec.enum_values)))) for i in range(spec.enum_facts)
        )
        self.documents = tuple(f"d{i}" for i in range(spec.document_facts))
        self.procedures = tuple((f"s{i}", ("none", "applied", "granted")) for i in range(spec.procedure_facts))

    # -- conditions ----------------------------------------------------------------------------

    def leaf(self) -> Leaf:
        rng = self.rng
        enums = self.enums + self.procedures
        roll = rng.random()
        if enums and (roll < 0.3 or not (self.bools or self.documents)):
            fact, values = rng.choice(enums)
            op = rng.choice(("eq", "eq", "ne", "in", "not_in"))
            if op in {"in", "not_in"}:
                return Leaf(fact, op, frozenset(rng.sample(values, 2)))
            return Leaf(fact, op, rng.choice(values))
        if self.documents and (roll < 0.55 or not self.bools):
            return Leaf(rng.choice(self.documents), "eq", rng.random() < 0.8)
        return Leaf(rng.choice(self.bools), "eq", rng.random() < 0.75)

    def condition(self, depth: int = 2) -> Cond:
        rng = self.rng
        if depth == 0 or rng.random() < 0.5:
            return self.leaf()
        children = [self.condition(depth - 1) for _ in range(rng.randint(2, 3))]
        cond = all_of(children) if rng.random() < 0.5 else any_of(children)
        return negate(cond) if rng.random() < 0.15 else cond

    def place_leaf(self, country: str) -> Leaf:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45:
            return Leaf("current_country", "eq", country)
        if roll < 0.8:
            return Leaf("current_country", "mission_of", country)
        if roll < 0.9:
            return Leaf("current_country", "eq", Ref("citizenship"))
        return Leaf("current_country", "in", frozenset(rng.sample(self.abroad, min(3, len(self.abroad)))))

    # -- world ---------------------------------------------------------------------------------

    def build(self) -> GeneratedWorld:
        rng, spec = self.rng, self.spec
        missions = {(rng.choice(self.codes), rng.choice(self.abroad)) for _ in range(spec.missions)}
        missions = {(host, of) for host, of in missions if host != of}

        pathway_countries = [rng.choice(self.abroad) for _ in range(spec.pathways)]
        grants = [rng.random() < spec.grant_share for _ in pathway_countries]
        grant_facts = tuple(f"visa_p{index}" for index, granted in enumerate(grants) if granted)
        visas_for: dict[str, list[str]] = {}
        for index, (country, granted) in enumerate(zip(pathway_countries, grants, strict=True)):
            if granted:
                visas_for.setdefault(country, []).append(f"visa_p{index}")

        entry = {code: self.entry_condition(code, visas_for.get(code, [])) for code in self.codes}
        countries = {code: self.country(code) for code in self.codes}
        steps = self.travel_steps(entry) + self.obtain_steps(missions)
        pathways = [
            self.pathway(index, country, f"visa_p{index}" if granted else None)
            for index, (country, granted) in enumerate(zip(pathway_countries, grants, strict=True))
        ]
        steps += [self.grant_step(pathway, f"visa_p{index}") for index, pathway in enumerate(pathways) if grants[index]]
        facts = self.facts(grant_facts)
        evidence = {
            f"ev{i}": EvidenceKind(id=f"ev{i}", label=_text(f"Evidence {i}"), description=_text("generated"))
            for i in range(spec.evidence_kinds)
        }
        knowledge = KnowledgeBase(
            meta=Meta(schema_version=1, name=f"world-{self.seed}", compiled_from="bench.worlds"),
            version=f"world-{self.seed}",
            facts=facts,
            evidence=evidence,
            sources={_SOURCE.id: _SOURCE},
            countries=countries,
            pathways=tuple(pathways),
            steps=tuple(steps),
            institutions=(),
            risk_rules=tuple(self.risk_rules()),
            safety=(),
            missions=frozenset(missions),
        )
        return GeneratedWorld(
            knowledge=knowledge,
            seed=self.seed,
            spec=spec,
            origin=self.origin,
            bool_facts=self.bools,
            documents=self.documents,
            procedures=self.procedures,
            enum_facts=self.enums,
            grant_facts=grant_facts,
        )

    def facts(self, grant_facts: tuple[str, ...]) -> dict[str, FactDef]:
        defs = [
            FactDef(id="citizenship", type="country", label=_text("Citizenship"), description=_text("c")),
            FactDef(id="current_country", type="country", label=_text("Current country"), description=_text("c")),
            FactDef(id="arrived_on", type="date", label=_text("Arrived"), description=_text("c")),
            FactDef(
                id="passport_expires",
                type="date",
                group="documents",
                label=_text("Passport expires"),
                description=_text("c"),
            ),
        ]
        defs += [
            FactDef(id=name, type="bool", label=_text(name), description=_text("b"))
            for name in (*self.bools, *self.documents)
        ]
        defs += [FactDef(id=name, type="bool", label=_text(name), description=_text("v")) for name in grant_facts]
        defs += [
            FactDef(
                id=name,
                type="enum",
                label=_text(name),
                description=_text("e"),
                values=[EnumValue(id=value, label=_text(value)) for value in values],
            )
            for name, values in (*self.enums, *self.procedures)
        ]
        return {fact.id: fact for fact in defs}

    def entry_condition(self, code: str, visas: list[str]) -> Cond:
        rng, spec = self.rng, self.spec
        if code == self.origin:
            return Leaf("citizenship", "eq", self.origin)
        roll = rng.random()
        if not visas and roll < spec.unknown_entry_share:
            return Leaf(ENTRY_UNKNOWN, "eq", code)
        ways: list[Cond] = [Leaf(visa, "eq", True) for visa in visas]
        if not visas and roll < spec.unknown_entry_share + spec.restricted_entry_share:
            ways.append(self.leaf())
        if spec.passport_tests and rng.random() < 0.3:
            ways = [all_of([way, Leaf("passport_expires", "valid_for_days", rng.choice((0, 30)))]) for way in ways]
        if not ways or rng.random() < 0.3:
            ways.append(Leaf("citizenship", "in", frozenset({self.origin})))
        return any_of(ways)

    def country(self, code: str) -> Country:
        rng, spec = self.rng, self.spec
        stay: list[StayRule] = []
        if code != self.origin and rng.random() < spec.stay_rule_share:
            stay.append(
                StayRule(
                    id=f"stay-{code.lower()}",
                    citizenships=[self.origin],
                    days=rng.choice((30, 60, 90, 180, 365)),
                    text=_text("stay limit"),
                    sources=[_SOURCE.id],
                    confidence="verified",
                )
            )
        return Country(
            id=code,
            name=_text(f"Country {code}"),
            refugee_convention=None,
            shares_wanted_list=None,
            entry=(),
            stay_rules=tuple(stay),
            facts=(),
            risk_notes=(),
            unknowns=(),
        )

    def step(self, **fields: object) -> Step:
        rng, spec = self.rng, self.spec
        risk = _risk(rng)
        values: dict[str, object] = {
            "label": _text(str(fields["id"])),
            "requires": None,
            "effects": {},
            "from_": None,
            "to": None,
            "mode": None,
            "transit": (),
            "at": None,
            "risk": risk,
            "risk_reason": _text("generated risk") if risk != "low" else None,
            "days": rng.randint(1, max(1, spec.max_days // 10)),
            "wait_days": 0,
            "cost_eur": rng.randint(0, spec.max_cost),
            "estimate": rng.random() < 0.2,
            "note": None,
            "sources": (_SOURCE,),
            "confidence": rng.choice(("verified", "verified", "likely", "unverified")),
            "last_verified": None,
        }
        values.update(fields)
        return Step(**values)  # type: ignore[arg-type]

    def travel_steps(self, entry: dict[str, Cond]) -> list[Step]:
        rng, spec = self.rng, self.spec
        steps: list[Step] = []
        counter = itertools.count()
        for code in self.codes:
            others = [other for other in self.codes if other != code]
            for destination in rng.sample(others, min(spec.travel_out, len(others))):
                steps.append(self._travel(f"t{next(counter)}-{code}-{destination}", code, destination, entry))
        for _ in range(spec.star_travel):
            destination = rng.choice(self.codes)
            steps.append(self._travel(f"t{next(counter)}-any-{destination}", "*", destination, entry))
        return steps

    def _travel(self, step_id: str, origin: str, destination: str, entry: dict[str, Cond]) -> Step:
        rng = self.rng
        requires = entry[destination]
        if rng.random() < 0.15:
            requires = all_of([self.leaf(), requires])
        transit: tuple[str, ...] = ()
        if rng.random() < 0.25:
            transit = (rng.choice(self.codes),)
        return self.step(
            id=step_id,
            action="travel",
            requires=requires,
            from_=origin,
            to=destination,
            mode=rng.choice(("land", "air")),
            transit=transit,
        )

    def obtain_steps(self, missions: set[tuple[str, str]]) -> list[Step]:
        rng, spec = self.rng, self.spec
        steps: list[Step] = []
        for index in range(spec.obtain_steps):
            roll = rng.random()
            at: frozenset[str] | None = None
            if roll < 0.6:
                at = frozenset(rng.sample(self.codes, min(len(self.codes), rng.randint(1, 3))))
            elif roll < 0.8 and missions:
                of = rng.choice(sorted(missions))[1]
                at = frozenset(host for host, country in missions if country == of)
            requires = None if rng.random() < 0.25 else self.condition(1)
            effects: dict[str, object] = {}
            for _ in range(rng.randint(1, 2)):
                if self.procedures and (rng.random() < 0.25 or not self.documents):
                    fact, values = rng.choice(self.procedures)
                    effects[fact] = rng.choice(values[1:])
                elif self.documents:
                    effects[rng.choice(self.documents)] = rng.random() < 0.85
            steps.append(
                self.step(
                    id=f"o{index}",
                    action=rng.choice(("obtain", "obtain", "apply")),
                    requires=requires,
                    effects=effects,
                    at=at,
                    days=rng.randint(0, spec.max_days),
                    wait_days=rng.choice((0, 0, rng.randint(1, spec.max_days))),
                )
            )
        return steps

    def requirement(self, pathway_id: str, index: int, test: Leaf) -> Requirement:
        rng = self.rng
        evidence: tuple[str, ...] = ()
        if self.spec.evidence_kinds and rng.random() < 0.3:
            evidence = (f"ev{rng.randrange(self.spec.evidence_kinds)}",)
        return Requirement(
            id=f"{pathway_id}-r{index}",
            label=_text(f"requirement {index} of {pathway_id}"),
            test=test,
            evidence=evidence,
            sources=(_SOURCE,),
            confidence="verified",
            citation=f"Generated world, art. {index}",
            last_verified=None,
        )

    def pathway(self, index: int, country: str, grant: str | None) -> Pathway:
        rng, spec = self.rng, self.spec
        pathway_id = f"p{index}"
        counter = itertools.count()
        children: list[ReqNode] = []
        if rng.random() < 0.85:
            children.append(self.requirement(pathway_id, next(counter), self.place_leaf(country)))
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.3:
                options = [self.requirement(pathway_id, next(counter), self.leaf()) for _ in range(2)]
                children.append(ReqAny(tuple(options)))
            else:
                children.append(self.requirement(pathway_id, next(counter), self.leaf()))
        if spec.passport_tests and rng.random() < 0.4:
            test = Leaf("passport_expires", "valid_for_days", rng.choice((30, 90)))
            children.append(self.requirement(pathway_id, next(counter), test))
        tree = ReqAll(tuple(children))
        return Pathway(
            id=pathway_id,
            name=_text(f"Pathway {index} to {country}"),
            country=country,
            kind="asylum_visa" if grant else rng.choice(_KINDS),
            legal_basis=f"Art. {index} Generated Act",
            apply_where=_text("generated"),
            requirements=tree,
            leaves=tuple(requirement_leaves(tree)),
            outcome=_text("protection"),
            typical_days=rng.choice((None, rng.randint(0, 4 * spec.max_days))),
            cost_eur=rng.choice((None, rng.randint(0, spec.max_cost))),
            practice=(),
            notes=(),
            sources=(_SOURCE,),
            confidence=rng.choice(("verified", "likely", "unverified")),
            last_verified=None,
        )

    def grant_step(self, pathway: Pathway, visa: str) -> Step:
        """The application for a pathway that grants a visa, as the loader builds it."""
        return replace(
            self.step(id=f"{pathway.id}.apply", action="apply"),
            label=pathway.name,
            requires=_tree_condition(pathway.requirements),
            effects={visa: True},
            risk="low",
            risk_reason=None,
            days=0,
            wait_days=pathway.typical_days or 0,
            cost_eur=pathway.cost_eur or 0,
            estimate=False,
            confidence=pathway.confidence,
        )

    def risk_rules(self) -> list[RiskRule]:
        rng, spec = self.rng, self.spec
        rules = []
        for index in range(spec.risk_rules):
            event = rng.choice(("exit", "transit", "entry", "stay"))
            countries = frozenset(rng.sample(self.codes, min(len(self.codes), rng.randint(1, 4))))
            modes = rng.choice((frozenset({"land", "air"}), frozenset({"land"}), frozenset({"air"})))
            rules.append(
                RiskRule(
                    id=f"risk{index}",
                    event=event,
                    countries=countries,
                    modes=modes,
                    when=self.condition(1),
                    risk=rng.choice(RISKS[1:]),
                    reason=_text(f"risk rule {index}"),
                    sources=(_SOURCE,),
                    confidence="verified",
                )
            )
        return rules


def _tree_condition(node: ReqNode) -> Cond:
    if isinstance(node, Requirement):
        return node.test
    children = [_tree_condition(child) for child in node.children]
    return all_of(children) if isinstance(node, ReqAll) else any_of(children)


def generate_world(seed: int, spec: WorldSpec | None = None) -> GeneratedWorld:
    """The world for ``seed`` and ``spec`` (deterministic)."""
    return _Generator(seed, spec or WorldSpec()).build()


def generate_profile(
    world: GeneratedWorld,
    seed: int,
    *,
    stated: float = 0.7,
    as_of: date = AS_OF,
    profile_id: str | None = None,
) -> Profile:
    """A person in ``world``: a citizen of its origin somewhere abroad, some facts unstated.

    Args:
        world: the generated world.
        seed: what makes this person differ from the next.
        stated: the share of boolean and enum facts the profile states.
        as_of: the day the facts hold.
        profile_id: the profile's id (``person-SEED`` by default).
    """
    rng = random.Random(seed)
    facts: dict[str, object] = {
        "citizenship": world.origin,
        "current_country": rng.choice([code for code in world.knowledge.countries if code != world.origin]),
        "arrived_on": as_of - timedelta(days=rng.randint(0, 200)),
    }
    if rng.random() < 0.8:
        facts["passport_expires"] = as_of + timedelta(days=rng.randint(-30, 400))
    for name in world.bool_facts:
        if rng.random() < stated:
            facts[name] = rng.random() < 0.5
    for name, values in world.enum_facts:
        if rng.random() < stated:
            facts[name] = rng.choice(values)
    for name in (*world.grant_facts, *world.documents):
        if rng.random() < stated / 3:
            facts[name] = rng.random() < 0.3
    for name, values in world.procedures:
        if rng.random() < stated / 3:
            facts[name] = rng.choice(values)
    evidence = frozenset(kind for kind in world.knowledge.evidence if rng.random() < 0.5)
    return Profile(profile_id or f"person-{seed}", as_of, facts, evidence)


def _random_value(knowledge: KnowledgeBase, name: str, rng: random.Random, as_of: date) -> object:
    """A random value of fact ``name`` as its vocabulary allows (for any knowledge base)."""
    fact = knowledge.facts[name]
    countries = sorted(knowledge.countries)
    if fact.type == "bool":
        return rng.random() < 0.5
    if fact.type == "enum":
        return rng.choice([value.id for value in fact.values or ()])
    if fact.type == "country":
        return rng.choice(countries)
    if fact.type == "countries":
        return frozenset(rng.sample(countries, rng.choice((0, 0, 1, 2))))
    if fact.type == "int":
        return rng.randint(0, 10)
    if name == "arrived_on":
        return as_of - timedelta(days=rng.randint(0, 400))
    return as_of + timedelta(days=rng.randint(-200, 900))


def random_profile(knowledge: KnowledgeBase, seed: int, *, stated: float = 0.8, as_of: date = AS_OF) -> Profile:
    """A person drawn uniformly from ``knowledge``'s vocabulary: the worst case for sharing work.

    Citizenship and the current country are always stated (someone the office helps is somewhere);
    every other fact is stated with probability ``stated``, with a uniformly random value.
    """
    rng = random.Random(seed)
    facts: dict[str, object] = {}
    for name in sorted(knowledge.facts):
        if name in {"citizenship", "current_country"} or rng.random() < stated:
            facts[name] = _random_value(knowledge, name, rng, as_of)
    evidence = frozenset(kind for kind in sorted(knowledge.evidence) if rng.random() < 0.4)
    return Profile(f"random-{seed}", as_of, facts, evidence)


def caseload(
    knowledge: KnowledgeBase,
    personas: list[Profile],
    count: int,
    seed: int,
    *,
    change: float = 0.15,
    as_of: date = AS_OF,
) -> list[Profile]:
    """An office's clients: each a persona with some facts changed, forgotten or learned.

    Every fact of a persona is, with probability ``change``, replaced by a random value of its
    type or made unknown; evidence items are likewise added or dropped. This is what a caseload
    looks like: many people in similar, not identical, situations.
    """
    rng = random.Random(seed)
    names = sorted(knowledge.facts)
    kinds = sorted(knowledge.evidence)
    clients = []
    for number in range(count):
        persona = rng.choice(personas)
        facts = dict(persona.facts)
        for name in names:
            if rng.random() >= change:
                continue
            if name in facts and name not in {"citizenship", "current_country"} and rng.random() < 0.3:
                del facts[name]
            else:
                facts[name] = _random_value(knowledge, name, rng, as_of)
        evidence = set(persona.evidence)
        for kind in kinds:
            if rng.random() < change / 2:
                evidence.symmetric_difference_update({kind})
        clients.append(Profile(f"client-{number}", as_of, facts, frozenset(evidence)))
    return clients
