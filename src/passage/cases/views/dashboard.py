"""The limbo dashboard: where every active case stands, most urgent first."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from passage.accounts.access import CASE_WORKERS, LAWYERS, staff_view
from passage.cases import actions
from passage.cases.access import cases_for_user
from passage.cases.actions_office import mark_reminders_read, unread_reminders
from passage.cases.models import CaseStatus, Reminder
from passage.cases.presenters import lang_of, limbo_rows
from passage.cases.views.common import paginate

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


@staff_view(*CASE_WORKERS)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    active = cases_for_user(request.user).filter(status=CaseStatus.ACTIVE)
    ordered = active.only(*SUMMARY_FIELDS).order_by(
        F("permitted_stay_ends").asc(nulls_last=True), F("next_deadline").asc(nulls_last=True), "code"
    )
    page = paginate(request, ordered)
    on = actions.today()
    context = {
        "page": page,
        "rows": limbo_rows(page.object_list, lang_of(request), on),
        "today": on,
        "reminders": list(unread_reminders(request.user)[:100]),
        "stale_plans": active.exclude(plan_kb_version=actions.knowledge().version).count(),
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
