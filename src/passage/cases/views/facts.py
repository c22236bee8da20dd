"""The facts form and the route plan of a case."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from passage.accounts.access import CASE_WORKERS, staff_view
from passage.cases import actions
from passage.cases.access import get_case_for_user
from passage.cases.actions_office import read_facts
from passage.cases.facts_form import FactsForm
from passage.cases.presenters import lang_of, plan_view


@staff_view(*CASE_WORKERS)
@require_http_methods(["GET", "POST"])
def facts_edit(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Edit the facts; saving re-plans the case. Bad input saves nothing."""
    user = request.user
    case = get_case_for_user(user, case_id)
    lang = lang_of(request)
    facts, evidence = read_facts(user, case)
    form = FactsForm(request.POST or None, lang=lang, facts=facts, evidence=evidence)
    if request.method == "POST" and form.is_valid():
        actions.update_facts(user, case, form.facts(), form.evidence())
        messages.success(request, _("Facts saved; the route plan was computed again."))
        return redirect("cases:plan", case_id=case.id)
    return render(request, "cases/facts_edit.html", {"case": case, "form": form}, status=400 if form.errors else 200)


@staff_view(*CASE_WORKERS)
@require_GET
def plan(request: HttpRequest, case_id: Any) -> HttpResponse:
    """The engine's plan, computed afresh; the dashboard summary is refreshed when it is out of date."""
    user = request.user
    case = get_case_for_user(user, case_id)
    knowledge = actions.knowledge()
    computed = timezone.localdate(case.plan_computed_at) if case.plan_computed_at else None
    if case.plan_kb_version != knowledge.version or computed != actions.today():
        actions.refresh_summary(case)
    result = actions.case_plan(user, case)
    context = {"case": case, "plan": plan_view(result, lang_of(request)), "facts_known": len(result.profile.facts)}
    return render(request, "cases/plan.html", context)
