"""A complete plan for one person: every pathway's verdict, ranked routes and warnings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from passage.routes.conditions import TRUE, evaluate
from passage.routes.evaluator import (
    BLOCKED,
    CIRCULAR,
    MISSING,
    OPEN,
    Obstacle,
    PathwayResult,
    Reachability,
    evaluate_pathway,
)
from passage.routes.messages import Message
from passage.routes.model import KnowledgeBase, Step, cite
from passage.routes.planner import Ranking, Route, find_routes, stay_warnings
from passage.routes.profile import Profile

__all__ = ["Plan", "make_plan", "obstacle_messages"]

_RISK_NOTE_KINDS = {"detention", "handover", "deportation", "extradition", "entry_refusal", "expulsion"}


@dataclass(frozen=True)
class Plan:
    profile: Profile
    knowledge: KnowledgeBase
    pathways: tuple[PathwayResult, ...]
    routes: tuple[Route, ...]
    warnings: tuple[Message, ...]
    stale: tuple[str, ...]
    no_route: tuple[str, ...]


def _label(item: object, knowledge: KnowledgeBase, lang: str) -> str:
    if isinstance(item, Step):
        return str(getattr(item.label, lang))
    fact_id = getattr(item, "fact", "")
    fact = knowledge.facts.get(fact_id)
    if fact_id == "__entry_unknown__":
        return {"en": "entry rules unknown", "ru": "правила въезда неизвестны"}[lang]
    name = str(getattr(fact.label, lang)) if fact is not None else fact_id
    value = getattr(item, "value", "")
    op = getattr(item, "op", "")
    if isinstance(value, frozenset):
        value = ", ".join(sorted(str(v) for v in value))
    if isinstance(value, bool):
        value = {True: {"en": "yes", "ru": "да"}, False: {"en": "no", "ru": "нет"}}[value][lang]
    shown = getattr(value, "fact", None)
    if shown is not None:
        value = "$" + shown
    return f"{name} {_OP_WORDS[op][lang]} {value}".strip()


_OP_WORDS = {
    "eq": {"en": "=", "ru": "="},
    "ne": {"en": "≠", "ru": "≠"},
    "in": {"en": "in", "ru": "∈"},
    "not_in": {"en": "not in", "ru": "∉"},
    "contains": {"en": "includes", "ru": "включает"},
    "lacks": {"en": "excludes", "ru": "не включает"},
    "gte": {"en": "≥", "ru": "≥"},
    "lt": {"en": "<", "ru": "<"},
    "lte": {"en": "≤", "ru": "≤"},
    "gt": {"en": ">", "ru": ">"},
    "valid_for_days": {"en": "valid for at least (days)", "ru": "действителен ещё не менее (дн.)"},
    "expires_within_days": {"en": "expires within (days)", "ru": "истекает в течение (дн.)"},
    "before": {"en": "before", "ru": "до"},
    "not_before": {"en": "on or after", "ru": "не ранее"},
    "mission_of": {"en": "has an embassy/consulate of", "ru": "есть посольство/консульство"},
    "no_mission_of": {"en": "has no embassy/consulate of", "ru": "нет посольства/консульства"},
}


def chain_text(obstacle: Obstacle, knowledge: KnowledgeBase, lang: str = "en") -> str:
    """Who points to whom, e.g. «referral» ← US Embassy referral needs «case known» ← ..."""
    parts: list[str] = []
    for item in obstacle.chain:
        if isinstance(item, Step):
            needs = {"en": "is given only by", "ru": "даёт только"}[lang]
            parts.append(
                f"{needs} «{_label(item, knowledge, lang)}», {'which needs' if lang == 'en' else 'а для этого нужно'}"
            )
        else:
            parts.append(f"«{_label(item, knowledge, lang)}»")
    text = " ".join(parts)
    if obstacle.kind == "dead_end":
        text += " — " + {"en": "no known way to obtain it", "ru": "известного способа получить это нет"}[lang]
    if obstacle.kind == "cycle":
        text += (
            " — "
            + {
                "en": "which is what was needed in the first place",
                "ru": "то есть то, что и требовалось с самого начала",
            }[lang]
        )
    return text


def obstacle_messages(result: PathwayResult, knowledge: KnowledgeBase) -> list[Message]:
    """Explanations of a pathway's unobtainable requirements, each as one message."""
    messages: list[Message] = []
    name = result.pathway.name
    for requirement in result.requirements:
        for obstacle in requirement.obstacles:
            chain = {lang: chain_text(obstacle, knowledge, lang) for lang in ("en", "ru")}
            if obstacle.kind == "cycle":
                messages.append(Message("circle", {"pathway": name, "chain": chain}))
            elif obstacle.kind == "dead_end":
                messages.append(Message("dead_end", {"pathway": name, "chain": chain}))
            elif obstacle.kind == "not_met":
                label = {lang: _label(obstacle.chain[-1], knowledge, lang) for lang in ("en", "ru")}
                messages.append(
                    Message("not_met", {"pathway": name, "requirement": requirement.requirement.label, "test": label})
                )
            else:
                step = next(item for item in reversed(obstacle.chain) if isinstance(item, Step))
                other = obstacle.conflicts_with
                messages.append(
                    Message(
                        "trap",
                        {
                            "pathway": name,
                            "need": requirement.requirement.label,
                            "step": step.label,
                            "blocker": {lang: _label(obstacle.chain[-1], knowledge, lang) for lang in ("en", "ru")},
                            "other": other.label if other is not None else "",
                        },
                    )
                )
    return messages


def _situation_warnings(knowledge: KnowledgeBase, profile: Profile) -> list[Message]:
    warnings = stay_warnings(knowledge, profile)
    for name, fact in sorted(knowledge.facts.items()):
        value = profile.facts.get(name)
        if fact.group != "documents" or fact.type != "date" or not isinstance(value, date):
            continue
        left = (value - profile.as_of).days
        if left < 0:
            warnings.append(Message("document_expired", {"document": fact.label, "date": value.isoformat()}))
        elif left <= knowledge.meta.document_warning_days:
            warnings.append(
                Message("document_expires", {"document": fact.label, "date": value.isoformat(), "days": left})
            )
    code = profile.facts.get("current_country")
    country = knowledge.countries.get(code) if isinstance(code, str) else None
    if country is not None:
        state_rules = [rule for rule in knowledge.risk_rules if rule.event == "stay" and country.id in rule.countries]
        from passage.routes.evaluator import initial_state

        state = initial_state(profile, knowledge)
        for rule in state_rules:
            if evaluate(rule.when, state) == TRUE:
                warnings.append(
                    Message("risk_rule", {"risk": rule.risk, "reason": rule.reason, "citation": cite(rule.sources)})
                )
        notes = sorted(
            (n for n in country.risk_notes if n.kind in _RISK_NOTE_KINDS), key=lambda n: n.date, reverse=True
        )
        for note in notes:
            sources = tuple(knowledge.sources[s] for s in note.sources)
            warnings.append(
                Message(
                    "risk_note",
                    {"country": country.name, "date": note.date, "text": note.text, "citation": cite(sources)},
                )
            )
    return warnings


def make_plan(profile: Profile, knowledge: KnowledgeBase, ranking: Ranking | None = None) -> Plan:
    """Evaluate every pathway, plan routes to those within reach and gather the warnings.

    A pathway the relaxed analysis finds obtainable but for which the planner finds no concrete
    route (requirements that cannot hold at the same time, within the step limit) is reported
    as blocked, with a warning saying so.
    """
    ranking = ranking or Ranking()
    reach = Reachability(knowledge, profile)
    results = [evaluate_pathway(pathway, profile, knowledge, reach) for pathway in knowledge.pathways]
    goals = [result.pathway for result in results if result.status in {OPEN, MISSING}]
    routes = find_routes(knowledge, profile, goals, ranking)
    adjusted: list[PathwayResult] = []
    no_route: list[str] = []
    for result in results:
        if result.status in {OPEN, MISSING} and result.pathway.id not in routes:
            no_route.append(result.pathway.id)
            result = replace(result, status=BLOCKED)
        adjusted.append(result)
    ordered = sorted(routes.values(), key=lambda route: route.sort_key(ranking))
    warnings = _situation_warnings(knowledge, profile)
    for result in adjusted:
        if result.status in {BLOCKED, CIRCULAR}:
            seen: set[str] = set()
            for message in obstacle_messages(result, knowledge):
                text = message.render("en")
                if text not in seen:  # several branches can end in the same explanation
                    seen.add(text)
                    warnings.append(message)
        if result.pathway.id in no_route and profile.facts.get("current_country") is not None:
            warnings.append(Message("no_route", {"pathway": result.pathway.name, "steps": ranking.max_steps}))
    stale = knowledge.stale(profile.as_of)
    if stale:
        warnings.append(
            Message(
                "stale",
                {"count": len(stale), "days": knowledge.meta.review_max_age_days, "examples": ", ".join(stale[:3])},
            )
        )
    return Plan(profile, knowledge, tuple(adjusted), tuple(ordered), tuple(warnings), tuple(stale), tuple(no_route))
