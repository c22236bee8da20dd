"""JSON representations of cases, letters, tasks and institutions (shapes in openapi.py).

Sensitive text appears only when the caller passes it in, already decrypted (and audited) by
:mod:`passage.cases.actions`; these functions never decrypt anything themselves.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from passage.cases.actions import CaseText
from passage.cases.models import Case, Institution, Letter, Task


def plain(value: Any) -> Any:
    """A fact's value as JSON: dates as YYYY-MM-DD, sets of countries as sorted lists."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: datetime) -> str:
    return value.isoformat()


def client_summary(case: Case) -> dict[str, Any]:
    """The plain columns of the limbo dashboard: no encrypted field is read."""
    best_route = None
    if case.best_route_goal:
        best_route = {
            "goal": case.best_route_goal,
            "status": case.best_route_status or None,
            "risk": case.best_route_risk or None,
        }
    return {
        "id": str(case.id),
        "code": case.code,
        "status": case.status,
        "current_country": case.current_country or None,
        "arrived_on": _day(case.arrived_on),
        "permitted_stay_ends": _day(case.permitted_stay_ends),
        "wanted": {
            "federal": case.wanted_federal,
            "interstate": case.wanted_interstate,
            "interpol": case.wanted_interpol,
        },
        "best_route": best_route,
        "next_deadline": _day(case.next_deadline),
        "last_contact": _day(case.last_contact),
        "updated_at": _moment(case.updated_at),
    }


def client_detail(case: Case, text: CaseText) -> dict[str, Any]:
    """The summary with the decrypted text; never the true name."""
    return {
        **client_summary(case),
        "created_at": _moment(case.created_at),
        "aliases": list(text.aliases),
        "contacts": text.contacts,
        "narrative": text.narrative,
        "facts": {name: plain(value) for name, value in sorted(text.facts.items())},
        "evidence": sorted(text.evidence),
    }


def institution(item: Institution) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "kb_id": item.kb_id,
        "name": item.name,
        "name_ru": item.name_ru,
        "kind": item.kind,
        "country": item.country,
        "located_in": item.located_in,
    }


def letter(item: Letter, *, subject: str | None = None, body: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(item.id),
        "client": str(item.case_id),
        "client_code": item.case.code,
        "institution": institution(item.institution),
        "direction": item.direction,
        "channel": item.channel,
        "date": item.date.isoformat(),
        "reply_status": item.reply_status,
        "answered_on": _day(item.answered_on),
        "followup_due": _day(item.followup_due),
        "created_at": _moment(item.created_at),
    }
    if subject is not None:
        data["subject"] = subject
    if body is not None:
        data["body"] = body
    return data


def task(item: Task, *, title: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(item.id),
        "client": str(item.case_id),
        "client_code": item.case.code,
        "kind": item.kind,
        "due_on": item.due_on.isoformat(),
        "done": item.done,
        "assigned_to": item.assigned_to.get_username() if item.assigned_to is not None else None,
        "created_at": _moment(item.created_at),
    }
    if title is not None:
        data["title"] = title
    return data
