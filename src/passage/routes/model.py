"""The knowledge base as the engine uses it: validated, cross-linked, immutable."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeAlias

from passage.routes.conditions import Cond
from passage.routes.conditions import Leaf as Test
from passage.routes.schema import (
    Confidence,
    CountryFlag,
    EntryRule,
    EvidenceKind,
    FactDef,
    Institution,
    Meta,
    Practice,
    Risk,
    RiskNote,
    SafetyNote,
    Source,
    StayRule,
    Text,
    Unknown,
)

__all__ = [
    "RISKS",
    "Country",
    "KnowledgeBase",
    "Pathway",
    "ReqAll",
    "ReqAny",
    "ReqNode",
    "Requirement",
    "RiskRule",
    "Step",
    "cite",
    "risk_index",
]

RISKS: tuple[Risk, ...] = ("low", "medium", "high", "severe")


def risk_index(risk: Risk) -> int:
    return RISKS.index(risk)


def cite(sources: tuple[Source, ...]) -> str:
    """A short human citation: titles with their publication dates."""
    return "; ".join(f"{source.title} ({source.date})" for source in sources)


@dataclass(frozen=True, slots=True)
class Requirement:
    """A leaf of a pathway's requirement tree: one test on one fact, with its legal source."""

    id: str
    label: Text
    test: Test
    evidence: tuple[str, ...]
    sources: tuple[Source, ...]
    confidence: Confidence
    citation: str
    last_verified: date | None

    @property
    def fact(self) -> str:
        return self.test.fact


@dataclass(frozen=True, slots=True)
class ReqAll:
    children: tuple[ReqNode, ...]


@dataclass(frozen=True, slots=True)
class ReqAny:
    children: tuple[ReqNode, ...]


ReqNode: TypeAlias = "Requirement | ReqAll | ReqAny"


def requirement_leaves(node: ReqNode) -> Iterator[Requirement]:
    if isinstance(node, Requirement):
        yield node
        return
    for child in node.children:
        yield from requirement_leaves(child)


@dataclass(frozen=True, slots=True)
class Pathway:
    id: str
    name: Text
    country: str
    kind: str
    legal_basis: str
    apply_where: Text
    requirements: ReqNode
    leaves: tuple[Requirement, ...]
    outcome: Text
    typical_days: int | None
    cost_eur: int | None
    practice: tuple[Practice, ...]
    notes: tuple[Text, ...]
    sources: tuple[Source, ...]
    confidence: Confidence
    last_verified: date | None

    @property
    def verified(self) -> bool:
        return self.confidence == "verified"


@dataclass(frozen=True, slots=True)
class Step:
    """A step one instance of which can be taken in a given country.

    ``requires`` already includes the destination's entry rules for travel, so the planner and
    the evaluator see one condition.
    """

    id: str
    action: str
    label: Text
    requires: Cond | None
    effects: Mapping[str, object]
    from_: str | None
    to: str | None
    mode: str | None
    transit: tuple[str, ...]
    at: frozenset[str] | None
    risk: Risk
    risk_reason: Text | None
    days: int
    wait_days: int
    cost_eur: int
    estimate: bool
    note: Text | None
    sources: tuple[Source, ...]
    confidence: Confidence
    last_verified: date | None

    @property
    def citation(self) -> str:
        return cite(self.sources)

    def available_in(self, country: str | None) -> bool:
        """Whether this step can start in ``country``."""
        if self.action == "travel":
            if self.from_ == "*":
                return country != self.to
            return country == self.from_
        return self.at is None or country in self.at

    def sets(self) -> Mapping[str, object]:
        """Facts this step changes (travel moves the person)."""
        if self.to is not None:
            return {**self.effects, "current_country": self.to}
        return self.effects


@dataclass(frozen=True, slots=True)
class RiskRule:
    id: str
    event: str
    countries: frozenset[str]
    modes: frozenset[str]
    when: Cond
    risk: Risk
    reason: Text
    sources: tuple[Source, ...]
    confidence: Confidence


@dataclass(frozen=True, slots=True)
class Country:
    id: str
    name: Text
    refugee_convention: CountryFlag | None
    shares_wanted_list: CountryFlag | None
    entry: tuple[EntryRule, ...]
    stay_rules: tuple[StayRule, ...]
    facts: tuple[CountryFlag, ...]
    risk_notes: tuple[RiskNote, ...]
    unknowns: tuple[Unknown, ...]

    def stay_rule(self, citizenship: object, on: date) -> StayRule | None:
        """The stay rule in force on ``on`` for a citizen of ``citizenship``, if known."""
        best: StayRule | None = None
        for rule in self.stay_rules:
            if citizenship not in rule.citizenships:
                continue
            if rule.effective_from is not None and rule.effective_from > on:
                continue
            if rule.effective_until is not None and rule.effective_until < on:
                continue
            if best is None or (rule.effective_from or date.min) > (best.effective_from or date.min):
                best = rule
        return best

    def permitted_stay_ends(self, citizenship: object, arrived: date) -> tuple[date, StayRule] | None:
        """Last permitted day of a continuous stay that began on ``arrived``."""
        rule = self.stay_rule(citizenship, arrived)
        if rule is None:
            return None
        return arrived + timedelta(days=rule.days - 1), rule


@dataclass(frozen=True)
class KnowledgeBase:
    meta: Meta
    version: str
    facts: Mapping[str, FactDef]
    evidence: Mapping[str, EvidenceKind]
    sources: Mapping[str, Source]
    countries: Mapping[str, Country]
    pathways: tuple[Pathway, ...]
    steps: tuple[Step, ...]
    institutions: tuple[Institution, ...]
    risk_rules: tuple[RiskRule, ...]
    safety: tuple[SafetyNote, ...]
    missions: frozenset[tuple[str, str]]
    # Every dated claim with its id and last check, for the staleness report.
    reviewable: tuple[tuple[str, date | None], ...] = field(default=())

    def pathway(self, pathway_id: str) -> Pathway:
        for pathway in self.pathways:
            if pathway.id == pathway_id:
                return pathway
        raise KeyError(pathway_id)

    def stale(self, today: date, max_age_days: int | None = None) -> list[str]:
        """Ids never checked by a person, or checked longer ago than the review age."""
        age = timedelta(days=max_age_days if max_age_days is not None else self.meta.review_max_age_days)
        return sorted(item_id for item_id, checked in self.reviewable if checked is None or today - checked > age)

    def country_name(self, code: str, lang: str = "en") -> str:
        country = self.countries.get(code)
        if country is None:
            return code
        return str(getattr(country.name, lang))
