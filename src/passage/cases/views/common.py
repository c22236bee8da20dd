"""Helpers shared by the case views."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from passage.accounts.access import LAWYERS
from passage.accounts.models import User
from passage.cases.models import Case
from passage.cases.statements import PreparedPages, PreparedRecords

PAGE_SIZE = 50


def paginate(request: HttpRequest, items: QuerySet[Any] | PreparedPages, size: int = PAGE_SIZE) -> Page:
    """The requested page (a bad or too-large number gives the nearest real page)."""
    return Paginator(items, size).get_page(request.GET.get("page"))


# Everyone who may see a case: one statement for every case.
PEOPLE_ON_CASE = PreparedRecords(
    lambda case_id: (
        User.objects.filter(Q(role__in=LAWYERS) | Q(assigned_cases=case_id), is_active=True)
        .distinct()
        .order_by("username")
        .only("username")
    )
)


def people_on_case(case: Case) -> list[User]:
    """Everyone who may see the case: lawyers, admins and its assigned volunteers (by name)."""
    return PEOPLE_ON_CASE.fetch(case.id)


def person_choices(people: list[User]) -> tuple[tuple[str, str], ...]:
    """(id, name) of each person, as a form offers them."""
    return tuple((str(person.pk), person.username) for person in people)
