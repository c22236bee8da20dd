"""Readable terminal output of plans, traces and knowledge-base reports (rich tables)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from rich.console import Console
from rich.table import Table
from rich.text import Text

from passage.routes import KnowledgeBase, Plan
from passage.routes.evaluator import PathwayResult
from passage.routes.output import explanations, text_label
from passage.routes.planner import Route

_STATUS_STYLE = {
    "open": "bold green",
    "missing": "yellow",
    "blocked": "bold red",
    "circular": "bold magenta",
    "holds": "green",
    "fails": "red",
    "missing_evidence": "yellow",
    "unknown": "cyan",
}
_RISK_STYLE = {"low": "green", "medium": "yellow", "high": "red", "severe": "bold white on red"}

_WORDS = {
    "en": {
        "profile": "Profile",
        "as_of": "as of",
        "knowledge": "knowledge",
        "warnings": "Warnings",
        "pathways": "Pathways",
        "routes": "Routes",
        "status": "status",
        "pathway": "pathway",
        "country": "country",
        "basis": "legal basis",
        "checked": "source",
        "verified": "verified",
        "unverified": "unverified",
        "no_routes": "No route found to any pathway.",
        "risk": "risk",
        "days": "days",
        "cost": "cost €",
        "step": "step",
        "requirement": "requirement",
        "citation": "citation",
        "evidence": "evidence to collect",
        "cycle": "cycle",
        "obstacles": "Why not",
        "practice": "Known practice",
        "notes": "Notes",
        "route": "Best route",
        "apply_where": "Where to apply",
        "outcome": "Outcome",
        "stale": "Never checked by a person or past review age",
        "kb_ok": "Knowledge base is valid",
        "sources": "Sources",
        "disclaimer": "Not legal advice: every verdict rests on the cited sources, which a person must check.",
    },
    "ru": {
        "profile": "Профиль",
        "as_of": "на дату",
        "knowledge": "база знаний",
        "warnings": "Предупреждения",
        "pathways": "Программы",
        "routes": "Маршруты",
        "status": "статус",
        "pathway": "программа",
        "country": "страна",
        "basis": "правовое основание",
        "checked": "источник",
        "verified": "проверено",
        "unverified": "не проверено",
        "no_routes": "Маршрут ни к одной программе не найден.",
        "risk": "риск",
        "days": "дней",
        "cost": "€",
        "step": "шаг",
        "requirement": "требование",
        "citation": "источник",
        "evidence": "собрать доказательства",
        "cycle": "круг",
        "obstacles": "Почему нет",
        "practice": "Известная практика",
        "notes": "Примечания",
        "route": "Лучший маршрут",
        "apply_where": "Где подавать",
        "outcome": "Результат",
        "stale": "Не проверено человеком или устарело",
        "kb_ok": "База знаний корректна",
        "sources": "Источники",
        "disclaimer": "Это не юридическая консультация: каждый вывод опирается на указанные источники, которые должен проверить человек.",
    },
}


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _status(status: str) -> Text:
    return Text(status, style=_STATUS_STYLE.get(status, ""))


def _risk(risk: str) -> Text:
    return Text(risk, style=_RISK_STYLE.get(risk, ""))


def _route_table(route: Route, lang: str, knowledge: KnowledgeBase) -> Table:
    words = _WORDS[lang]
    table = Table(show_lines=False, expand=False)
    table.add_column("#", justify="right")
    table.add_column(words["step"])
    table.add_column(words["country"])
    table.add_column(words["risk"])
    table.add_column(words["days"], justify="right")
    table.add_column(words["cost"], justify="right")
    for number, step in enumerate(route.steps, start=1):
        where = step.step.to if step.step is not None and step.step.to else step.country
        label = Text(f"{step.action}: {text_label(step.label, lang)}")
        for warning in step.warnings:
            label.append(f"\n  ⚠ {warning.render(lang)}", style="dim")
        label.append(f"\n  ↳ {step.citation}", style="dim italic")
        table.add_row(
            str(number),
            label,
            knowledge.country_name(where, lang),
            _risk(step.risk),
            str(step.days),
            str(step.cost_eur),
        )
    return table


def print_plan(plan: Plan, lang: str = "en") -> None:
    console = _console()
    words = _WORDS[lang]
    console.print(
        Text(
            f"{words['profile']} {plan.profile.id} · {words['as_of']} {plan.profile.as_of} · "
            f"{words['knowledge']} {plan.knowledge.version}",
            style="bold",
        )
    )
    console.print(Text(words["disclaimer"], style="italic"))
    if plan.warnings:
        console.print(Text(f"\n{words['warnings']}", style="bold"))
        for warning in plan.warnings:
            console.print(Text(f"  ⚠ {warning.render(lang)}"))
    table = Table(title=words["pathways"], title_justify="left")
    table.add_column(words["status"])
    table.add_column(words["pathway"])
    table.add_column(words["basis"])
    table.add_column(words["checked"])
    for result in plan.pathways:
        table.add_row(
            _status(result.status),
            f"{text_label(result.pathway.name, lang)}\n[dim]{result.pathway.id}[/dim]",
            result.pathway.legal_basis,
            words["verified"] if result.pathway.verified else words["unverified"],
        )
    console.print(table)
    console.print(Text(words["routes"], style="bold"))
    if not plan.routes:
        console.print(words["no_routes"])
    for rank, route in enumerate(plan.routes, start=1):
        header = Text(f"#{rank} → {text_label(route.goal.name, lang)} · ")
        header.append_text(_risk(route.risk))
        header.append(f" · {route.days} {words['days']} · €{route.cost_eur}")
        console.print(header)
        for warning in route.warnings:
            console.print(Text(f"  ⚠ {warning.render(lang)}", style="yellow"))
        console.print(_route_table(route, lang, plan.knowledge))


def print_explanation(plan: Plan, result: PathwayResult, route: Route | None, lang: str = "en") -> None:
    console = _console()
    words = _WORDS[lang]
    pathway = result.pathway
    header = Text(f"{text_label(pathway.name, lang)} ({pathway.id}) — ", style="bold")
    header.append_text(_status(result.status))
    console.print(header)
    console.print(f"{words['basis']}: {pathway.legal_basis}")
    console.print(f"{words['apply_where']}: {text_label(pathway.apply_where, lang)}")
    console.print(f"{words['outcome']}: {text_label(pathway.outcome, lang)}")
    console.print(f"{words['verified'] if pathway.verified else words['unverified']} · {words['sources']}:")
    for source in pathway.sources:
        console.print(Text(f"  - {source.title} ({source.date}) {source.url}", style="dim"))
    table = Table(title=words["requirement"], title_justify="left", show_lines=True)
    table.add_column(words["status"])
    table.add_column(words["requirement"])
    table.add_column(words["citation"])
    table.add_column(words["evidence"])
    for item in result.requirements:
        evidence = ", ".join(text_label(plan.knowledge.evidence[kind].label, lang) for kind in item.evidence_needed)
        label = Text(text_label(item.requirement.label, lang))
        label.append(f"\n{item.requirement.fact} · {item.requirement.confidence}", style="dim")
        if item.cycle:
            label.append(f"\n{words['cycle']}: {' → '.join(item.cycle)}", style="magenta")
        table.add_row(_status(item.status), label, item.requirement.citation, evidence)
    console.print(table)
    reasons = explanations(result, plan.knowledge, lang)
    if reasons:
        console.print(Text(words["obstacles"], style="bold"))
        for reason in reasons:
            console.print(f"  • {reason}")
    if pathway.practice:
        console.print(Text(words["practice"], style="bold"))
        for practice in pathway.practice:
            console.print(f"  • {practice.date}: {text_label(practice.text, lang)} [{practice.confidence}]")
    if pathway.notes:
        console.print(Text(words["notes"], style="bold"))
        for note in pathway.notes:
            console.print(f"  • {text_label(note, lang)}")
    if route is not None:
        console.print(Text(words["route"], style="bold"))
        for warning in route.warnings:
            console.print(Text(f"  ⚠ {warning.render(lang)}", style="yellow"))
        console.print(_route_table(route, lang, plan.knowledge))


def print_kb_report(knowledge: KnowledgeBase, today: date, max_age_days: int | None) -> None:
    console = _console()
    words = _WORDS["en"]
    console.print(Text(f"{words['kb_ok']}: {knowledge.version}", style="bold green"))
    console.print(
        f"{len(knowledge.facts)} facts, {len(knowledge.evidence)} evidence kinds, {len(knowledge.countries)} countries, "
        f"{len(knowledge.pathways)} pathways, {len(knowledge.steps)} steps, {len(knowledge.institutions)} institutions, "
        f"{len(knowledge.risk_rules)} risk rules, {len(knowledge.safety)} safety notes, {len(knowledge.sources)} sources"
    )
    confidence = Counter(p.confidence for p in knowledge.pathways)
    console.print("pathways by confidence: " + ", ".join(f"{k} {v}" for k, v in sorted(confidence.items())))
    age = max_age_days if max_age_days is not None else knowledge.meta.review_max_age_days
    stale = knowledge.stale(today, age)
    console.print(
        Text(
            f"stale: {len(stale)} of {len(knowledge.reviewable)} entries "
            f"(never checked by a person, or checked more than {age} days before {today})",
            style="yellow" if stale else "green",
        )
    )
    for item_id in stale:
        console.print(f"  {item_id}")
