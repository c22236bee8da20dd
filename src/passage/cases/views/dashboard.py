"""The limbo dashboard: where every active case stands, most urgent first."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from passage.accounts.access import CASE_WORKERS, LAWYERS, staff_view
from passage.cases import actions
from passage.cases.access import cases_for_user
from passage.cases.actions_office import mark_reminders_read, unread_reminders
from passage.cases.limbo_html import limbo_rows_html
from passage.cases.models import Case, CaseStatus, Reminder
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


def _stale_plans(active: QuerySet[Case], version: str) -> int:
    """How many cases were planned with an older knowledge base.

    Almost always none (the re-plan job follows every change), so two index look-ups — the
    smallest and the largest version stored — settle it before anything is counted.
    """
    versions = active.order_by("plan_kb_version").values_list("plan_kb_version", flat=True)
    lowest = versions.first()
    if lowest is None or (lowest == version and versions.order_by("-plan_kb_version").first() == version):
        return 0
    return active.exclude(plan_kb_version=version).count()


@staff_view(*CASE_WORKERS)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    active = cases_for_user(request.user).filter(status=CaseStatus.ACTIVE)
    # Plain values, not model instances: building 50 instances per request was a fifth of the page.
    ordered = active.values(*SUMMARY_FIELDS).order_by(
        F("permitted_stay_ends").asc(nulls_last=True), F("next_deadline").asc(nulls_last=True), "code"
    )
    page = paginate(request, ordered)
    on = actions.today()
    rows = limbo_rows([SimpleNamespace(**values) for values in page.object_list], lang_of(request), on)
    context = {
        "page": page,
        "rows": rows,
        "rows_html": limbo_rows_html(rows),
        "today": on,
        "reminders": list(unread_reminders(request.user)[:100]),
        "stale_plans": _stale_plans(active, actions.knowledge().version),
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
