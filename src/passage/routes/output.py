"""Plans as the JSON contract of DESIGN.md, and as readable text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from passage.routes.evaluator import PathwayResult
from passage.routes.messages import Message
from passage.routes.model import KnowledgeBase
from passage.routes.plan import Plan, obstacle_messages
from passage.routes.planner import Route
from passage.routes.schema import Source

__all__ = ["pathway_json", "plan_json", "text_label"]


def text_label(text: object, lang: str) -> str:
    """The ``lang`` version of an en/ru text (a model Text or a plain mapping)."""
    value = text.get(lang) if isinstance(text, Mapping) else getattr(text, lang, None)
    return value if isinstance(value, str) else str(text)


def _sources(sources: tuple[Source, ...]) -> list[dict[str, str]]:
    return [{"title": s.title, "url": s.url, "date": s.date} for s in sources]


def pathway_json(result: PathwayResult, lang: str = "en") -> dict[str, Any]:
    """One pathway's verdict and requirement trace, exactly as the contract names them."""
    pathway = result.pathway
    return {
        "id": pathway.id,
        "name": text_label(pathway.name, lang),
        "country": pathway.country,
        "legal_basis": pathway.legal_basis,
        "status": result.status,
        "verified": pathway.verified,
        "sources": _sources(pathway.sources),
        "requirements": [
            {
                "fact": r.requirement.fact,
                "label": text_label(r.requirement.label, lang),
                "status": r.status,
                "citation": r.requirement.citation,
                "evidence_needed": list(r.evidence_needed),
                "cycle": r.cycle,
            }
            for r in result.requirements
        ],
    }


def _route_json(rank: int, route: Route, lang: str) -> dict[str, Any]:
    return {
        "rank": rank,
        "goal": route.goal.id,
        "risk": route.risk,
        "days": route.days,
        "cost_eur": route.cost_eur,
        "steps": [
            {
                "action": step.action,
                "id": step.id,
                "label": text_label(step.label, lang),
                "country": step.step.to if step.step is not None and step.step.to else step.country,
                "risk": step.risk,
                "days": step.days,
                "cost_eur": step.cost_eur,
                "citation": step.citation,
                "warnings": [warning.render(lang) for warning in step.warnings],
            }
            for step in route.steps
        ],
        "warnings": [warning.render(lang) for warning in route.warnings],
    }


def plan_json(plan: Plan, lang: str = "en") -> dict[str, Any]:
    """The ``passage plan --json`` object (DESIGN.md, "Engine contracts")."""
    return {
        "profile": plan.profile.id,
        "as_of": plan.profile.as_of.isoformat(),
        "knowledge": {"version": plan.knowledge.version, "stale": list(plan.stale)},
        "pathways": [pathway_json(result, lang) for result in plan.pathways],
        "routes": [_route_json(rank, route, lang) for rank, route in enumerate(plan.routes, start=1)],
        "warnings": [warning.render(lang) for warning in plan.warnings],
    }


def explanations(result: PathwayResult, knowledge: KnowledgeBase, lang: str = "en") -> list[str]:
    """Dead ends, circles and traps of one pathway, as sentences."""
    return [message.render(lang) for message in obstacle_messages(result, knowledge)]


def render_all(messages: tuple[Message, ...] | list[Message], lang: str) -> list[str]:
    return [message.render(lang) for message in messages]
