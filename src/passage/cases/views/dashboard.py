"""The limbo dashboard: where every active case stands, most urgent first."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from passage.accounts.access import CASE_WORKERS, LAWYERS, staff_view
from passage.cases import actions
from passage.cases.access import Viewer, cases_for_user, viewer_of
from passage.cases.actions_office import REMINDER_COLUMNS, mark_reminders_read, unread_reminders
from passage.cases.limbo_html import limbo_rows_html
from passage.cases.models import Case, CaseStatus, Reminder
from passage.cases.presenters import lang_of, limbo_rows
from passage.cases.statements import PreparedPages, PreparedQuery
from passage.cases.views.common import paginate_with

# The plain summary columns: the dashboard never loads a case's ciphertext.
SUMMARY_FIELDS = (
    "id",
    "code",
    "status",
    "current_country",
    "arrived_on",
    "permitted_stay_ends",
    "wanted_federal",
    "wanted_interstate",
    "wanted_interpol",
    "best_route_goal",
    "best_route_status",
    "best_route_risk",
    "last_contact",
    "next_deadline",
)


def _active(viewer: Viewer) -> QuerySet[Case]:
    return cases_for_user(viewer).filter(status=CaseStatus.ACTIVE)


# Most urgent first: the end of the permitted stay, then the next deadline.
_LIMBO = PreparedQuery(
    lambda viewer: (
        _active(viewer)
        .values(*SUMMARY_FIELDS)
        .order_by(F("permitted_stay_ends").asc(nulls_last=True), F("next_deadline").asc(nulls_last=True), "code")
    )
)
_REMINDERS = PreparedQuery(lambda viewer: unread_reminders(viewer).values(*REMINDER_COLUMNS)[:100])
# The smallest and the largest knowledge-base version a visible case was planned with.
_PLAN_VERSION = PreparedQuery(lambda viewer, order: _active(viewer).order_by(order).values("plan_kb_version")[:1])


def _stale_plans(viewer: Viewer, version: str, lowest: list[dict[str, Any]], highest: list[dict[str, Any]]) -> int:
    """How many cases were planned with an older knowledge base.

    Almost always none (the re-plan job follows every change), so two index look-ups — the
    smallest and the largest version stored, ``lowest`` and ``highest`` — settle it before
    anything is counted.
    """
    if not lowest:
        return 0
    if lowest[0]["plan_kb_version"] == version == highest[0]["plan_kb_version"]:
        return 0
    return _active(viewer).exclude(plan_kb_version=version).count()


@staff_view(*CASE_WORKERS)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request.user)
    # Plain values, not model instances: building 50 instances per request was a fifth of the page.
    # The count, the page, the reminders and the plan versions: one round trip on PostgreSQL.
    page, (reminders, lowest, highest) = paginate_with(
        request,
        PreparedPages(_LIMBO, viewer),
        _REMINDERS.rows_ask(viewer),
        _PLAN_VERSION.rows_ask(viewer, "plan_kb_version"),
        _PLAN_VERSION.rows_ask(viewer, "-plan_kb_version"),
    )
    on = actions.today()
    rows = limbo_rows([SimpleNamespace(**values) for values in page.object_list], lang_of(request), on)
    context = {
        "page": page,
        "rows": rows,
        "rows_html": limbo_rows_html(rows),
        "today": on,
        "reminders": reminders,
        "stale_plans": _stale_plans(viewer, actions.knowledge().version, lowest, highest),
    }
    return render(request, "cases/dashboard.html", context)


@staff_view(*CASE_WORKERS)
@require_POST
def reminder_read(request: HttpRequest, reminder_id: int) -> HttpResponse:
    mark_reminders_read(request.user, unread_reminders(request.user).filter(pk=reminder_id))
    return redirect("cases:dashboard")


@staff_view(*CASE_WORKERS)
@require_POST
def reminders_read_all(request: HttpRequest) -> HttpResponse:
    count = mark_reminders_read(request.user, Reminder.objects.filter(user=request.user))
    if count:
        messages.info(request, _("All reminders marked as read."))
    return redirect("cases:dashboard")


@staff_view(*LAWYERS)
@require_POST
def replan(request: HttpRequest) -> HttpResponse:
    """Queue a re-plan of the cases planned with an older knowledge base (the worker runs it)."""
    from passage.cases.jobs import replan_cases

    replan_cases.enqueue()
    messages.info(request, _("Re-planning was queued; the dashboard shows the new summaries once the worker has run."))
    return redirect("cases:dashboard")
