"""Which evidence supports which requirement of a case's route plan, and what is still missing.

An item supports a requirement automatically when its kind is one of the kinds the knowledge
base says the requirement needs; a lawyer can also link an item to a requirement by hand
(:class:`~passage.evidence.models.EvidenceLink`). The plan page calls :func:`support_for_plan`
with the plan it already has; the evidence app's own page uses :func:`support_for_case`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from passage.audit.chain import record
from passage.cases import actions as case_actions
from passage.cases.models import Case
from passage.evidence.models import EvidenceItem, EvidenceLink, ItemStatus
from passage.routes import Plan
from passage.routes.evaluator import PathwayResult

__all__ = [
    "PathwaySupport",
    "RequirementSupport",
    "Support",
    "held_kinds",
    "record_held_kinds",
    "support_for_case",
    "support_for_plan",
]


@dataclass(frozen=True)
class Support:
    item: EvidenceItem
    by_kind: bool
    link: EvidenceLink | None


@dataclass
class RequirementSupport:
    requirement_id: str
    label: Any  # routes Text (en/ru)
    status: str  # the engine's requirement status
    kinds: tuple[str, ...]  # evidence kinds the knowledge base names for it
    supports: list[Support] = field(default_factory=list)
    missing_kinds: list[str] = field(default_factory=list)

    @property
    def supported(self) -> bool:
        return bool(self.supports)

    @property
    def needs_evidence(self) -> bool:
        return bool(self.kinds)


@dataclass
class PathwaySupport:
    pathway_id: str
    name: Any
    country: str
    status: str
    requirements: list[RequirementSupport] = field(default_factory=list)

    @property
    def missing_kinds(self) -> list[str]:
        seen: dict[str, None] = {}
        for requirement in self.requirements:
            for kind in requirement.missing_kinds:
                seen.setdefault(kind, None)
        return list(seen)

    @property
    def supported_count(self) -> int:
        return sum(1 for requirement in self.requirements if requirement.supported)


def _pathway_support(result: PathwayResult, items: list[EvidenceItem], links: list[EvidenceLink]) -> PathwaySupport:
    pathway = result.pathway
    support = PathwaySupport(pathway.id, pathway.name, pathway.country, result.status)
    for requirement_result in result.requirements:
        requirement = requirement_result.requirement
        kinds = tuple(requirement.evidence)
        linked = {
            link.item_id: link
            for link in links
            if link.pathway_id == pathway.id and link.requirement_id == requirement.id
        }
        supports = [
            Support(item, item.kind in kinds, linked.get(item.id))
            for item in items
            if item.kind in kinds or item.id in linked
        ]
        held = {entry.item.kind for entry in supports}
        support.requirements.append(RequirementSupport(
            requirement.id, requirement.label, requirement_result.status, kinds, supports,
            [kind for kind in kinds if kind not in held],
        ))  # fmt: skip
    return support


def support_for_plan(case: Case, plan: Plan, pathway_ids: Iterable[str] | None = None) -> list[PathwaySupport]:
    """Per pathway of ``plan`` (or only ``pathway_ids``), per requirement: supporting items, missing kinds.

    Plain columns only (kinds, links, numbers): nothing is decrypted, so nothing is audited.
    """
    wanted = set(pathway_ids) if pathway_ids is not None else None
    items = list(EvidenceItem.objects.filter(case=case, status=ItemStatus.ACTIVE).order_by("number"))
    links = list(EvidenceLink.objects.filter(item__case=case, item__status=ItemStatus.ACTIVE))
    return [
        _pathway_support(result, items, links)
        for result in plan.pathways
        if wanted is None or result.pathway.id in wanted
    ]


def support_for_case(
    actor: Any, case: Case, pathway_ids: Iterable[str] | None = None
) -> tuple[Plan, list[PathwaySupport]]:
    """The case's plan (audited as a read of its facts) and the evidence support for it."""
    plan = case_actions.case_plan(actor, case)
    return plan, support_for_plan(case, plan, pathway_ids)


def held_kinds(case: Case) -> list[str]:
    return sorted(set(EvidenceItem.objects.filter(case=case, status=ItemStatus.ACTIVE).values_list("kind", flat=True)))


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value


def record_held_kinds(actor: Any, case: Case) -> list[str]:
    """Add the kinds of the items in the locker to the evidence the case's facts say are held.

    The engine then stops reporting those requirements as missing evidence. Returns the kinds
    added (kinds already stated are kept; nothing is removed).
    """
    profile = case_actions.case_profile(case)
    held = set(profile.evidence)
    added = [kind for kind in held_kinds(case) if kind not in held]
    if added:
        facts = {name: _plain(value) for name, value in profile.facts.items()}
        case_actions.update_facts(actor, case, facts, sorted(held | set(added)))
        record(actor, "evidence_kinds_recorded", case, detail={"added": added})
    return added
