"""Domain actions of the staff pages beyond :mod:`passage.cases.actions`.

Who works on a case, closing and reopening it, exact look-up by true name, the institutions
directory and in-app reminders. Like every action, each change is audited (names of what
changed, never content) and nothing here decrypts more than it must.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from passage.accounts.access import can_manage_cases, can_reveal_true_names, require
from passage.accounts.models import Role, User
from passage.audit.chain import record
from passage.cases.access import cases_for_user, of_visible_cases
from passage.cases.models import Case, CaseStatus, Institution, Reminder
from passage.sealing import service

INSTITUTION_FIELDS = ("name", "name_ru", "kind", "country", "located_in", "contact", "notes")


def assignable_people() -> QuerySet[User]:
    """Active volunteers, the people a case can be assigned to (lawyers see every case anyway)."""
    return User.objects.filter(role=Role.VOLUNTEER, is_active=True).order_by("username")


@transaction.atomic
def assign_people(actor: Any, case: Case, people: Sequence[User]) -> None:
    """Set who is assigned to a case; only lawyers and admins decide it."""
    require(can_manage_cases(actor))
    before = set(case.assigned.values_list("pk", flat=True))
    after = {person.pk for person in people}
    if before == after:
        return
    case.assigned.set(people)
    record(actor, "assign", case, detail={"added": sorted(after - before), "removed": sorted(before - after)})


@transaction.atomic
def set_case_status(actor: Any, case: Case, status: str) -> None:
    """Close or reopen a case (shredding has its own action and cannot be undone)."""
    require(can_manage_cases(actor))
    if status not in (CaseStatus.ACTIVE, CaseStatus.CLOSED) or case.status == CaseStatus.SHREDDED:
        raise ValueError(f"a case cannot be set to {status!r} here")
    if case.status == status:
        return
    case.status = status
    case.save(update_fields=["status", "updated_at"])
    record(actor, "update", case, detail={"status": status})


def read_facts(actor: Any, case: Case) -> tuple[dict[str, Any], list[str]]:
    """Only the facts and evidence kinds of a case, for the facts form (audited as a read of facts)."""
    stored = json.loads(
        service.case_cipher(case.id).decrypt(Case._meta.db_table, case.id, "facts", case.facts_enc) or "{}"
    )
    record(actor, "read", case, fields=["facts"])
    return dict(stored.get("facts", {})), list(stored.get("evidence", []))


def find_cases_by_true_name(user: Any, name: str) -> list[Case]:
    """Exact look-up of a true name through its blind index; only for those who may see names."""
    require(can_reveal_true_names(user))
    wanted = service.blind_index(name, purpose="true_name")
    found = list(cases_for_user(user).filter(name_index=wanted))
    record(user, "search", target_type="cases.case", detail={"by": "true_name", "results": len(found)})
    return found


# -- institutions directory ----------------------------------------------------------------------


@transaction.atomic
def save_institution(actor: Any, institution: Institution | None, values: Mapping[str, Any]) -> Institution:
    """Add an institution to the directory or change one; only the given fields change."""
    require(can_manage_cases(actor))
    creating = institution is None
    target = Institution() if institution is None else institution
    changed = [name for name in INSTITUTION_FIELDS if name in values and getattr(target, name) != values[name]]
    for name in changed:
        setattr(target, name, values[name])
    if creating:
        target.save(force_insert=True)
        record(actor, "create", target, detail={"fields": changed})
    elif changed:
        target.save(update_fields=changed)
        record(actor, "update", target, detail={"fields": changed})
    return target


def seed_directory(actor: Any) -> int:
    """Add or update the knowledge base's institutions (audited); returns how many."""
    from passage.cases.actions import seed_institutions

    count = seed_institutions()
    record(actor, "seed", target_type="cases.institution", detail={"institutions": count})
    return count


# -- reminders -----------------------------------------------------------------------------------


# What the dashboard shows of a reminder.
REMINDER_COLUMNS = ("id", "kind", "due_on", "case_id", "case__code", "letter_id")


def unread_reminders(user: Any) -> QuerySet[Reminder]:
    """The user's unread reminders on cases they may still see (shredded cases drop out)."""
    unread = Reminder.objects.filter(user_id=user.pk, read=False)
    return of_visible_cases(user, unread).order_by("due_on", "pk")


def mark_reminders_read(user: Any, reminders: QuerySet[Reminder]) -> int:
    """Mark some of the user's reminders read; returns how many changed."""
    count = reminders.filter(user=user, read=False).update(read=True)
    if count:
        record(user, "update", target_type="cases.reminder", detail={"read": count})
    return count
