"""Notes, tasks and deadlines, incidents: small forms on the case page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from passage.accounts.access import CASE_WORKERS, staff_view
from passage.cases import actions
from passage.cases.access import get_case_for_user, get_task_for_user
from passage.cases.forms import IncidentForm, NoteForm, TaskForm
from passage.cases.presenters import lang_of
from passage.cases.views.cases import render_case_page
from passage.cases.views.common import people_on_case, person_choices


def _back(case_id: Any, anchor: str) -> HttpResponse:
    response = redirect("cases:detail", case_id=case_id)
    response["Location"] += f"#{anchor}"
    return response


@staff_view(*CASE_WORKERS)
@require_POST
def add_note(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)
    form = NoteForm(request.POST, prefix="note")
    if not form.is_valid():
        return render_case_page(request, case, note_form=form, status=400)
    data = form.cleaned_data
    actions.add_note(request.user, case, text=data["text"], is_contact=data["is_contact"], on=data["on"])
    messages.success(request, _("Note added."))
    return _back(case.id, "notes")


@staff_view(*CASE_WORKERS)
@require_POST
def add_task(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)
    people = people_on_case(case)
    form = TaskForm(request.POST, people=person_choices(people), prefix="task")
    if not form.is_valid():
        return render_case_page(request, case, task_form=form, status=400)
    data = form.cleaned_data
    actions.add_task(
        request.user,
        case,
        title=data["title"],
        due_on=data["due_on"],
        kind=data["kind"],
        assigned_to={str(person.pk): person for person in people}.get(data["assigned_to"]),
    )
    messages.success(request, _("Task added."))
    return _back(case.id, "tasks")


@staff_view(*CASE_WORKERS)
@require_POST
def task_done(request: HttpRequest, task_id: Any) -> HttpResponse:
    task = get_task_for_user(request.user, task_id)
    actions.complete_task(request.user, task, done=request.POST.get("done") == "1")
    return _back(task.case_id, "tasks")


@staff_view(*CASE_WORKERS)
@require_POST
def add_incident(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)
    form = IncidentForm(request.POST, lang=lang_of(request), prefix="incident")
    if not form.is_valid():
        return render_case_page(request, case, incident_form=form, status=400)
    data = form.cleaned_data
    actions.add_incident(
        request.user,
        case,
        kind=data["kind"],
        occurred_on=data["occurred_on"],
        country=data["country"],
        description=data["description"],
    )
    messages.success(request, _("Incident recorded."))
    return _back(case.id, "incidents")
