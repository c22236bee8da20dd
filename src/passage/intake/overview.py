"""The self-service overview: the engine's verdicts in plain language, each with its source and date.

What looks open, what is missing, what is blocked and why, the warnings (stay limit, documents,
risks where the person is, risky borders and airports), and the safety briefing from the
knowledge base as reports ("reported by whom, when"), never as guarantees. Built from the
profile only; nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from passage.cases.actions import knowledge
from passage.routes import Profile, make_plan
from passage.routes.conditions import FALSE, TRUE, evaluate
from passage.routes.evaluator import BLOCKED, CIRCULAR, HOLDS, MISSING, MISSING_EVIDENCE, OPEN, initial_state
from passage.routes.messages import Message
from passage.routes.model import KnowledgeBase, cite
from passage.routes.output import text_label
from passage.routes.plan import obstacle_messages

__all__ = ["Overview", "build_overview"]

# Engine warnings a person can act on; the office-only ones (stale entries, "ask the person")
# stay on the staff side.
_PERSON_WARNINGS = {
    "stay_ends",
    "stay_over",
    "stay_unknown",
    "document_expires",
    "document_expired",
    "risk_rule",
    "risk_note",
    "current_country_unknown",
}


# Warnings on a route's steps worth a person's attention (the rest are notes for the office).
_STEP_WARNINGS = {"risk_rule", "risk_rule_assumed", "overstay_on_route"}
_RISK_WORDS = {
    "low": {"en": "low", "ru": "низкий"},
    "medium": {"en": "medium", "ru": "средний"},
    "high": {"en": "high", "ru": "высокий"},
    "severe": {"en": "very high", "ru": "очень высокий"},
}


def _say(message: Message, lang: str) -> str:
    """The engine's sentence, with the risk level in words rather than as a code."""
    risk = message.params.get("risk")
    if isinstance(risk, str) and risk in _RISK_WORDS:
        message = Message(message.code, {**message.params, "risk": _RISK_WORDS[risk]})
    return message.render(lang)


def _risk_word(risk: str) -> str:
    return {
        "low": _("low risk"),
        "medium": _("medium risk"),
        "high": _("high risk"),
        "severe": _("very high risk"),
    }.get(risk, risk)


def _event_word(event: str) -> str:
    return {"exit": _("Leaving"), "transit": _("Transit"), "entry": _("Entering")}.get(event, event)


@dataclass
class StepLine:
    label: str
    risk: str
    warnings: list[str]


@dataclass
class Card:
    name: str
    country: str
    status: str
    outcome: str
    apply_where: str
    verified: bool
    steps: list[StepLine] = field(default_factory=list)
    route_risk: str = ""
    needs: list[str] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class SafetyLine:
    reported_by: str
    date: str
    text: str
    sources: list[str]


@dataclass
class Overview:
    as_of: str
    knowledge_version: str
    warnings: list[str]
    borders: list[str]
    open: list[Card]
    missing: list[Card]
    blocked: list[Card]
    unknown: list[str]
    safety_here: list[SafetyLine]
    safety_other: list[SafetyLine]


def _sources(kb: KnowledgeBase, ids: list[str] | tuple[str, ...]) -> list[str]:
    return [f"{kb.sources[i].title} ({kb.sources[i].date})" for i in ids if i in kb.sources]


def _borders(kb: KnowledgeBase, profile: Profile, lang: str) -> list[str]:
    state = initial_state(profile, kb)
    lines = []
    for rule in kb.risk_rules:
        if rule.event not in {"exit", "transit", "entry"}:
            continue
        truth = evaluate(rule.when, state)
        if truth == FALSE:
            continue
        countries = ", ".join(sorted(kb.country_name(code, lang) for code in rule.countries))
        modes = {"land": _("land borders"), "air": _("airports")}
        how = " / ".join(modes[mode] for mode in sorted(rule.modes) if mode in modes)
        text = f"{_event_word(rule.event)}: {countries} ({how}) — {_risk_word(rule.risk)}. {text_label(rule.reason, lang)} — {cite(rule.sources)}"
        if truth != TRUE:
            text = _("If this applies to you (your answers do not say): %(text)s") % {"text": text}
        lines.append(text)
    return lines


def _needs(kb: KnowledgeBase, result: object, lang: str) -> list[str]:
    needs: list[str] = []
    for requirement in result.requirements:  # type: ignore[attr-defined]
        label = text_label(requirement.requirement.label, lang)
        if requirement.status == HOLDS:
            continue
        if requirement.status == MISSING_EVIDENCE:
            kinds = ", ".join(
                text_label(kb.evidence[k].label, lang) for k in requirement.evidence_needed if k in kb.evidence
            )
            needs.append(_("%(requirement)s — proof needed: %(evidence)s") % {"requirement": label, "evidence": kinds})
        elif requirement.status == "unknown":
            needs.append(_("%(requirement)s — not known from your answers") % {"requirement": label})
        else:
            needs.append(_("%(requirement)s — not met yet; the steps below may lead there") % {"requirement": label})
    return needs


def build_overview(profile: Profile, lang: str) -> Overview:
    """Plan for ``profile`` and turn the result into plain sentences in ``lang`` (``ru``/``en``)."""
    kb = knowledge()
    plan = make_plan(profile, kb)
    routes = {route.goal.id: route for route in plan.routes}
    warnings = list(dict.fromkeys(_say(m, lang) for m in plan.warnings if m.code in _PERSON_WARNINGS))
    said = set(warnings)
    cards: dict[str, list[Card]] = {OPEN: [], MISSING: [], BLOCKED: []}
    unknown: dict[str, None] = {}
    for result in plan.pathways:
        pathway = result.pathway
        card = Card(
            name=text_label(pathway.name, lang),
            country=kb.country_name(pathway.country, lang),
            status=result.status,
            outcome=text_label(pathway.outcome, lang),
            apply_where=text_label(pathway.apply_where, lang),
            verified=pathway.verified,
            sources=[cite((source,)) for source in pathway.sources[:3]],
        )
        route = routes.get(pathway.id)
        if route is not None:
            card.route_risk = _risk_word(route.risk)
            card.steps = [
                StepLine(
                    text_label(step.label, lang),
                    _risk_word(step.risk),
                    [text for w in step.warnings if w.code in _STEP_WARNINGS and (text := _say(w, lang)) not in said],
                )
                for step in route.steps
            ]
        if result.status in {BLOCKED, CIRCULAR}:
            seen: dict[str, None] = {}
            for message in obstacle_messages(result, kb):
                seen.setdefault(message.render(lang), None)
            card.why = list(seen)
            if pathway.id in plan.no_route:
                card.why.append(_("No way was found to meet every requirement at the same time."))
            cards[BLOCKED].append(card)
        else:
            card.needs = _needs(kb, result, lang)
            cards[OPEN if result.status == OPEN else MISSING].append(card)
        for fact in result.unknown_facts:
            definition = kb.facts.get(fact)
            if definition is not None:
                unknown.setdefault(text_label(definition.label, lang), None)
    here = profile.facts.get("current_country")
    safety_here, safety_other = [], []
    for note in kb.safety:
        line = SafetyLine(note.reported_by, note.date, text_label(note.text, lang), _sources(kb, note.sources))
        if not note.countries or here is None or here in note.countries or "RU" in note.countries:
            safety_here.append(line)
        else:
            safety_other.append(line)
    return Overview(
        as_of=profile.as_of.isoformat(),
        knowledge_version=kb.version,
        warnings=warnings,
        borders=_borders(kb, profile, lang),
        open=cards[OPEN],
        missing=cards[MISSING],
        blocked=cards[BLOCKED],
        unknown=sorted(unknown),
        safety_here=safety_here,
        safety_other=safety_other,
    )
