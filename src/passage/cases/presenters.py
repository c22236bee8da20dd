"""What the staff pages show, prepared in the user's language from plain columns and the engine.

Nothing here reads the database or decrypts: callers hand in cases (plain summary columns only),
decrypted facts or an engine plan, and get back small rows ready for a template.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from passage.cases.actions import knowledge
from passage.cases.models import Case
from passage.routes import Plan
from passage.routes.output import explanations, text_label

_PLACEHOLDER = uuid.UUID(int=0)
# Warnings shown beside their pathway rather than in the list of general warnings.
_PATHWAY_CODES = {"circle", "dead_end", "not_met", "trap"}


def lang_of(request: HttpRequest) -> str:
    """``ru`` or ``en``: the knowledge base speaks these two."""
    return "ru" if str(getattr(request, "LANGUAGE_CODE", "en")).startswith("ru") else "en"


def country_name(code: str, lang: str) -> str:
    return knowledge().country_name(code, lang) if code else ""


# -- the limbo dashboard -------------------------------------------------------------------------


@dataclass(frozen=True)
class StayWarning:
    """How close the end of the permitted stay is: ``level`` is a CSS class, ``text`` says why."""

    level: str
    text: str


def stay_warning(days_left: int | None, thresholds: Sequence[int] | None = None) -> StayWarning | None:
    """The warning for ``days_left`` under the configured thresholds (e.g. 30/14/7)."""
    if days_left is None:
        return None
    limits = sorted(thresholds if thresholds is not None else settings.PASSAGE.stay_warning_days)
    if days_left < 0:
        return StayWarning("overstayed", _("overstayed by %(days)d days") % {"days": -days_left})
    for position, limit in enumerate(limits):
        if days_left <= limit:
            level = ("urgent", "warning", "notice")[min(position, 2)]
            return StayWarning(level, _("%(days)d days left (under %(limit)d)") % {"days": days_left, "limit": limit})
    return None


class LimboRow(NamedTuple):
    """One case's line on the dashboard (a named tuple: built 50 times a page, half a dataclass's cost)."""

    case: Case
    detail_url: str
    plan_url: str
    country: str
    days_there: int | None
    stay_ends: date | None
    days_left: int | None
    warning: StayWarning | None
    wanted: list[str]
    wanted_unknown: bool
    last_contact: date | None
    next_deadline: date | None
    deadline_passed: bool
    route_name: str
    route_status: str
    route_risk: str


def url_for_id(name: str) -> Callable[[Any], str]:
    """``record id -> URL`` for a page that takes one id, reversed once per process, not once per row.

    A page of 50 rows would otherwise call ``reverse`` a hundred times: a tenth of the dashboard.
    """
    before, after = _around_id(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    return lambda record_id: f"{before}{record_id}{after}"


@lru_cache(maxsize=128)
def _around_id(name: str, urlconf: Any, prefix: str) -> tuple[str, str]:
    """What comes before and after the id in the page's URL (the URL configuration and prefix are the key)."""
    before, after = reverse(name, args=[_PLACEHOLDER], urlconf=urlconf).split(str(_PLACEHOLDER))
    return before, after


# The case page's links to the pages of the same case: its own, and other apps' where installed.
_CASE_LINKS = (
    "plan",
    "reveal",
    "details",
    "facts",
    "add_note",
    "add_task",
    "add_incident",
    "letter_new",
    "status",
    "shred",
)
_OTHER_APPS_LINKS = {"evidence": "evidence:case", "dossiers": "dossier:case"}


def case_links(case_id: Any) -> dict[str, str]:
    """The URLs of the case's pages by name, without a ``reverse`` per link.

    ``cases:<name>`` for the case's own pages; ``evidence`` and ``dossiers`` only when those apps'
    pages are installed.
    """
    links = {name: url_for_id(f"cases:{name}")(case_id) for name in _CASE_LINKS}
    for name, page in _OTHER_APPS_LINKS.items():
        try:
            links[name] = url_for_id(page)(case_id)
        except NoReverseMatch:
            continue
    return links


def limbo_rows(cases: Iterable[Case], lang: str, on: date) -> list[LimboRow]:
    """One row per case from its plain summary columns (never its ciphertext)."""
    pathways = {pathway.id: pathway for pathway in knowledge().pathways}
    detail_url, plan_url = url_for_id("cases:detail"), url_for_id("cases:plan")
    # Translated once per page, not once per row: gettext is a visible share of the dashboard.
    federal, interstate, interpol = _("Russian federal list"), _("CIS interstate list"), _("Interpol")
    thresholds = sorted(settings.PASSAGE.stay_warning_days)
    countries: dict[str, str] = {}
    names: dict[str, str] = {}
    warnings: dict[int, StayWarning | None] = {}  # by days left: one translation per distinct count
    rows: list[LimboRow] = []
    for case in cases:
        days_left = (case.permitted_stay_ends - on).days if case.permitted_stay_ends else None
        if days_left is not None and days_left not in warnings:
            warnings[days_left] = stay_warning(days_left, thresholds) if days_left <= thresholds[-1] else None
        flags = ((case.wanted_federal, federal), (case.wanted_interstate, interstate), (case.wanted_interpol, interpol))
        code = case.current_country
        if code not in countries:
            countries[code] = country_name(code, lang)
        goal = case.best_route_goal
        if goal not in names:
            pathway = pathways.get(goal)
            names[goal] = text_label(pathway.name, lang) if pathway else goal
        rows.append(
            LimboRow(
                case=case,
                detail_url=detail_url(case.id),
                plan_url=plan_url(case.id),
                country=countries[code],
                days_there=(on - case.arrived_on).days if case.arrived_on else None,
                stay_ends=case.permitted_stay_ends,
                days_left=days_left,
                warning=warnings[days_left] if days_left is not None else None,
                wanted=[label for flag, label in flags if flag],
                wanted_unknown=any(flag is None for flag, _label in flags),
                last_contact=case.last_contact,
                next_deadline=case.next_deadline,
                deadline_passed=case.next_deadline is not None and case.next_deadline < on,
                route_name=names[goal],
                route_status=case.best_route_status,
                route_risk=case.best_route_risk,
            )
        )
    return rows


# -- facts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactLine:
    label: str
    value: str


def fact_lines(facts: Mapping[str, Any], lang: str) -> list[FactLine]:
    """Known facts as label and value in ``lang``, in the vocabulary's order."""
    lines: list[FactLine] = []
    for fact in knowledge().facts.values():
        if fact.id not in facts:
            continue
        lines.append(FactLine(text_label(fact.label, lang), _fact_value(fact, facts[fact.id], lang)))
    return lines


def fact_rows_html(lines: Iterable[FactLine]) -> SafeString:
    """The ``<dt>``/``<dd>`` pair of each fact, escaped as the template escapes a value.

    A case knows a dozen or more facts; through the template's loop they cost a quarter of the
    case page's rendering.
    """
    return SafeString(
        "".join(f"<dt>{conditional_escape(line.label)}</dt><dd>{conditional_escape(line.value)}</dd>" for line in lines)
    )


def _fact_value(fact: Any, value: Any, lang: str) -> str:
    if fact.type == "bool":
        return _("yes") if value else _("no")
    if fact.type == "enum":
        labels = {v.id: text_label(v.label, lang) for v in fact.values or ()}
        return labels.get(value, str(value))
    if fact.type == "country":
        return country_name(str(value), lang)
    if fact.type == "countries":
        return ", ".join(country_name(str(code), lang) for code in value) or _("none")
    return str(value)


def evidence_labels(kinds: Iterable[str], lang: str) -> list[str]:
    known = knowledge().evidence
    return [text_label(known[kind].label, lang) if kind in known else kind for kind in kinds]


# -- the route plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementLine:
    status: str
    label: str
    citation: str
    evidence_needed: list[str]
    cycle: list[str]


@dataclass(frozen=True)
class SourceLine:
    title: str
    url: str
    date: str


@dataclass(frozen=True)
class PathwayBlock:
    id: str
    name: str
    country: str
    status: str
    verified: bool
    legal_basis: str
    sources: list[SourceLine]
    requirements: list[RequirementLine]
    explanations: list[str]
    route_rank: int | None


@dataclass(frozen=True)
class StepLine:
    action: str
    label: str
    country: str
    risk: str
    days: int
    cost_eur: int
    citation: str
    warnings: list[str]


@dataclass(frozen=True)
class RouteBlock:
    rank: int
    goal: str
    risk: str
    days: int
    cost_eur: int
    steps: list[StepLine]
    warnings: list[str]


@dataclass(frozen=True)
class PlanView:
    as_of: date
    knowledge_version: str
    pathways: list[PathwayBlock]
    routes: list[RouteBlock]
    warnings: list[str]
    stale: list[str] = field(default_factory=list)
    stale_notice: str = ""


def plan_view(plan: Plan, lang: str) -> PlanView:
    """The whole plan in ``lang``: routes first (what to do), then every pathway's trace."""
    kb = plan.knowledge
    ranks = {route.goal.id: rank for rank, route in enumerate(plan.routes, start=1)}
    routes = [
        RouteBlock(
            rank=rank,
            goal=text_label(route.goal.name, lang),
            risk=route.risk,
            days=route.days,
            cost_eur=route.cost_eur,
            steps=[
                StepLine(
                    action=step.action,
                    label=text_label(step.label, lang),
                    country=country_name(
                        step.step.to if step.step is not None and step.step.to else step.country, lang
                    ),
                    risk=step.risk,
                    days=step.days,
                    cost_eur=step.cost_eur,
                    citation=step.citation,
                    warnings=[warning.render(lang) for warning in step.warnings],
                )
                for step in route.steps
            ],
            warnings=[warning.render(lang) for warning in route.warnings],
        )
        for rank, route in enumerate(plan.routes, start=1)
    ]
    pathways = [
        PathwayBlock(
            id=result.pathway.id,
            name=text_label(result.pathway.name, lang),
            country=country_name(result.pathway.country, lang),
            status=result.status,
            verified=result.pathway.verified,
            legal_basis=result.pathway.legal_basis,
            sources=[SourceLine(s.title, s.url, s.date) for s in result.pathway.sources],
            requirements=[
                RequirementLine(
                    status=r.status,
                    label=text_label(r.requirement.label, lang),
                    citation=r.requirement.citation,
                    evidence_needed=evidence_labels(r.evidence_needed, lang),
                    cycle=_cycle_names(r.cycle, lang),
                )
                for r in result.requirements
            ],
            explanations=_unique(explanations(result, kb, lang)),
            route_rank=ranks.get(result.pathway.id),
        )
        for result in plan.pathways
    ]
    general = _unique(w.render(lang) for w in plan.warnings if w.code not in _PATHWAY_CODES and w.code != "stale")
    stale_notice = next((w.render(lang) for w in plan.warnings if w.code == "stale"), "")
    return PlanView(plan.profile.as_of, kb.version, pathways, routes, general, list(plan.stale), stale_notice)


def _cycle_names(ids: Sequence[str], lang: str) -> list[str]:
    """A cycle's fact ids as labels, its step ids as step labels."""
    kb = knowledge()
    steps = {step.id: step for step in kb.steps}
    names: list[str] = []
    for item in ids:
        if item in kb.facts:
            names.append(text_label(kb.facts[item].label, lang))
        elif item in steps:
            names.append(text_label(steps[item].label, lang))
        else:
            names.append(item)
    return names


def _unique(texts: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(texts))
