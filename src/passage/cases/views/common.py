"""Helpers shared by the case views."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from passage.accounts.access import LAWYERS
from passage.accounts.models import User
from passage.cases.models import Case
from passage.cases.statements import Asked, PreparedPages, PreparedRecords

PAGE_SIZE = 50


def paginate(request: HttpRequest, items: QuerySet[Any] | PreparedPages, size: int = PAGE_SIZE) -> Page:
    """The requested page (a bad or too-large number gives the nearest real page)."""
    return Paginator(items, size).get_page(request.GET.get("page"))


def paginate_with(
    request: HttpRequest, items: PreparedPages, *others: Asked, size: int = PAGE_SIZE
) -> tuple[Page, list[Any]]:
    """``paginate``, with the count, the requested page's rows and ``others`` asked together (one
    round trip on PostgreSQL); returns the page and the answers to ``others``.

    A number past either end is asked as given (below one: as page one), then the paginator asks
    for the page it gives instead.
    """
    try:
        number = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        number = 1
    answers = items.ask_window(((number - 1) * size, number * size), *others)
    return paginate(request, items, size), answers


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
