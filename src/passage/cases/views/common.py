"""Helpers shared by the case views."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from passage.accounts.access import LAWYERS
from passage.accounts.models import User
from passage.cases.models import Case

PAGE_SIZE = 50


def paginate(
    request: HttpRequest, items: QuerySet[Any], size: int = PAGE_SIZE, *, values: tuple[str, ...] = ()
) -> Page:
    """The requested page (a bad or too-large number gives the nearest real page).

    With ``values``, the page's rows are plain mappings of those columns rather than model
    instances, while the rows are still counted on ``items``: a column of a related table would
    otherwise put its join into the count as well.
    """
    page = Paginator(items, size).get_page(request.GET.get("page"))
    if values:
        start = (page.number - 1) * size
        page.object_list = items.values(*values)[start : start + size]
    return page


def people_on_case(case: Case) -> QuerySet[User]:
    """Everyone who may see the case: lawyers, admins and its assigned volunteers."""
    return (
        User.objects.filter(Q(role__in=LAWYERS) | Q(assigned_cases=case), is_active=True)
        .distinct()
        .order_by("username")
    )
