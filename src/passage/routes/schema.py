"""The shape of knowledge-base files, checked with pydantic (unknown keys are errors).

These models describe files as people write them. Cross-references (fact names, source ids,
countries, evidence kinds), dates in the future and conditions are checked afterwards by
:mod:`passage.routes.loader`, which also turns every problem into ``file:line: message``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Confidence = Literal["verified", "likely", "unverified"]
Risk = Literal["low", "medium", "high", "severe"]
Action = Literal["travel", "apply", "obtain", "wait"]
FactType = Literal["bool", "enum", "date", "country", "countries", "int"]

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]

_PUBLISHED = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A user-facing text in both shipped languages."""

    en: Annotated[str, Field(min_length=1)]
    ru: Annotated[str, Field(min_length=1)]


def _check_published(value: object) -> str:
    text = str(value).strip()
    if text in {"undated", "current"}:
        return text
    match = _PUBLISHED.match(text)
    if not match:
        raise ValueError("must be YYYY, YYYY-MM, YYYY-MM-DD, 'undated' or 'current'")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        date(year or 1, month or 1, day or 1)
    except ValueError:
        raise ValueError(f"impossible date '{text}'") from None
    return text


class Source(Strict):
    """A published source: title, URL exactly as published, publication date."""

    id: Id
    title: Annotated[str, Field(min_length=1)]
    url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    date: str
    note: str | None = None

    _date = field_validator("date", mode="before")(_check_published)


class Sourced(Strict):
    """Anything that makes a claim: it cites sources and says how sure we are."""

    sources: Annotated[list[Id], Field(min_length=1)]
    confidence: Confidence
    last_verified: date | None = None
    verified_by: str | None = None


class EnumValue(Strict):
    id: Id
    label: Text


class FactDef(Strict):
    """One word of the profile vocabulary."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    type: FactType
    label: Text
    description: Text
    values: list[EnumValue] | None = None
    group: Id = "situation"
    sensitive: bool = False


class EvidenceKind(Strict):
    id: Id
    label: Text
    description: Text


class Meta(Strict):
    schema_version: Literal[1]
    name: str
    compiled_from: str
    review_max_age_days: Annotated[int, Field(gt=0)] = 180
    stay_warning_days: Annotated[int, Field(ge=0)] = 21
    document_warning_days: Annotated[int, Field(ge=0)] = 90


class CountryFlag(Sourced):
    """A yes/no fact about a country (party to the 1951 Convention, shares wanted lists, ...)."""

    id: Id
    value: bool
    text: Text


class StayRule(Sourced):
    id: Id
    citizenships: Annotated[list[CountryCode], Field(min_length=1)]
    days: Annotated[int, Field(gt=0)]
    window_days: Annotated[int, Field(gt=0)] | None = None
    effective_from: date | None = None
    effective_until: date | None = None
    text: Text


class EntryRule(Sourced):
    """One way in: which document (stated as a condition) lets a person enter the country."""

    id: Id
    requires: Any
    text: Text


class RiskNote(Sourced):
    """A dated, sourced event or practice: a detention, a hand-over, an entry refusal."""

    id: Id
    date: str
    kind: Literal[
        "detention",
        "handover",
        "deportation",
        "extradition",
        "entry_refusal",
        "expulsion",
        "refusal",
        "surveillance",
        "practice",
        "policy",
    ]
    text: Text

    _date = field_validator("date", mode="before")(_check_published)


class Unknown(Strict):
    """Something looked for and not found: shown as unknown, never guessed."""

    topic: Id
    text: Text


class Country(Strict):
    id: CountryCode
    name: Text
    refugee_convention: CountryFlag | None = None
    shares_wanted_list: CountryFlag | None = None
    entry: list[EntryRule] = []
    stay_rules: list[StayRule] = []
    facts: list[CountryFlag] = []
    risk_notes: list[RiskNote] = []
    unknowns: list[Unknown] = []


class Practice(Sourced):
    id: Id
    date: str
    text: Text

    _date = field_validator("date", mode="before")(_check_published)


class Pathway(Sourced):
    id: Id
    name: Text
    country: CountryCode
    kind: Literal[
        "asylum_inland",
        "asylum_visa",
        "humanitarian_visa",
        "humanitarian_admission",
        "resettlement",
        "immigration",
        "residence",
    ]
    legal_basis: Annotated[str, Field(min_length=1)]
    apply_where: Text
    requirements: Any
    outcome: Text
    typical_days: Annotated[int, Field(ge=0)] | None = None
    cost_eur: Annotated[int, Field(ge=0)] | None = None
    duration_sources: list[Id] = []
    practice: list[Practice] = []
    notes: list[Text] = []
    # Facts a granted application sets (a visa, an admission): the application then also serves
    # as a step on routes to other pathways (apply for the asylum visa, then travel on it).
    grants: dict[str, Any] = {}


class Step(Sourced):
    id: Id
    action: Action
    label: Text
    requires: Any = None
    effects: dict[str, Any] = {}
    # Travel: where from and to; ``from: "*"`` means from any country but the destination.
    from_: str | None = Field(default=None, alias="from")
    to: CountryCode | None = None
    mode: Literal["land", "air"] | None = None
    transit: list[CountryCode] = []
    # Apply/obtain: in which countries this can be done; ``missions_of`` = wherever that
    # country has an embassy or consulate in the knowledge base.
    at: list[CountryCode] | None = None
    missions_of: CountryCode | None = None
    risk: Risk = "low"
    risk_reason: Text | None = None
    days: Annotated[int, Field(ge=0)]
    wait_days: Annotated[int, Field(ge=0)] = 0
    cost_eur: Annotated[int, Field(ge=0)]
    estimate: bool = False
    note: Text | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Institution(Sourced):
    id: Id
    kind: Literal["embassy", "consulate", "ngo", "unhcr", "foundation", "authority", "court"]
    name: Text
    of: CountryCode | None = None
    located_in: list[CountryCode] = []
    role: Text
    contact: str | None = None


class RiskRule(Sourced):
    """Raises the risk of crossing a border for people a condition describes."""

    id: Id
    event: Literal["exit", "transit", "entry", "stay"]
    countries: list[CountryCode] | Literal["shares_wanted_list"]
    modes: list[Literal["land", "air"]] = ["land", "air"]
    when: Any
    risk: Risk
    reason: Text


class SafetyNote(Sourced):
    """A reported practice for the safety briefing: who reported it, when; never a guarantee."""

    id: Id
    reported_by: str
    date: str
    countries: list[CountryCode] = []
    text: Text

    _date = field_validator("date", mode="before")(_check_published)


class KnowledgeFile(Strict):
    """Any file of the knowledge base; each section is optional so data can be split freely."""

    meta: Meta | None = None
    sources: list[Source] = []
    facts: list[FactDef] = []
    evidence: list[EvidenceKind] = []
    countries: list[Country] = []
    pathways: list[Pathway] = []
    steps: list[Step] = []
    institutions: list[Institution] = []
    risk_rules: list[RiskRule] = []
    safety: list[SafetyNote] = []
