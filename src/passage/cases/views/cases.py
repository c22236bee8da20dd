"""Finding, opening, reading and changing cases; revealing a true name; crypto-shredding."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from passage.accounts.access import CASE_WORKERS, LAWYERS, can_manage_cases, can_reveal_true_names, require, staff_view
from passage.accounts.models import User
from passage.audit.chain import batched
from passage.cases import actions
from passage.cases.access import cases_for_user, get_case_for_user
from passage.cases.actions_office import assign_people, assignable_people, find_cases_by_true_name, set_case_status
from passage.cases.forms import (
    CodeFilterForm,
    DetailsForm,
    IncidentForm,
    LookupForm,
    NewCaseForm,
    NoteForm,
    ShredForm,
    TaskForm,
)
from passage.cases.letters_html import case_letters_html
from passage.cases.limbo_html import case_summary_html
from passage.cases.models import Case, CaseStatus, Letter, Task
from passage.cases.presenters import (
    case_links,
    evidence_labels,
    fact_lines,
    fact_rows_html,
    lang_of,
    limbo_rows,
)
from passage.cases.statements import PreparedRecords, fetch_together
from passage.cases.views.common import PEOPLE_ON_CASE, paginate, person_choices
from passage.cases.views.dashboard import SUMMARY_FIELDS
from passage.sealing.service import case_key_ask
from passage.web.blank_forms import blank_form_html, form_html


@staff_view(*CASE_WORKERS)
@require_http_methods(["GET", "POST"])
def case_list(request: HttpRequest) -> HttpResponse:
    """Every visible case, filtered by code; exact look-up by alias (or true name) by POST."""
    user = request.user
    names_allowed = can_reveal_true_names(user)
    code_form = CodeFilterForm(request.GET or None)
    visible = cases_for_user(user)
    if code_form.is_valid():
        if code_form.cleaned_data["code"]:
            visible = visible.filter(code__icontains=code_form.cleaned_data["code"].strip())
        if not code_form.cleaned_data["closed"]:
            visible = visible.filter(status=CaseStatus.ACTIVE)
    else:
        visible = visible.filter(status=CaseStatus.ACTIVE)
    found: list[Case] | None = None
    lookup = LookupForm(request.POST if request.method == "POST" else None, names_allowed=names_allowed)
    if request.method == "POST" and lookup.is_valid():
        value = lookup.cleaned_data["value"]
        if lookup.cleaned_data["by"] == "true_name":
            found = find_cases_by_true_name(user, value)
        else:
            found = actions.find_cases_by_alias(user, value)
        lookup = LookupForm(names_allowed=names_allowed)  # the typed value is not echoed back
    page = paginate(request, visible.only(*SUMMARY_FIELDS, "created_at").order_by("code"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "extra_query": query.urlencode(),
        "code_form": code_form,
        "lookup": lookup,
        "found": found,
        "page": page,
        "rows": limbo_rows(page.object_list, lang_of(request), actions.today()),
    }
    return render(request, "cases/case_list.html", context, status=400 if lookup.errors else 200)


@staff_view(*LAWYERS)
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    form = NewCaseForm(request.POST or None, people=assignable_people())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = actions.create_case(
            request.user,
            true_name=data["true_name"],
            aliases=form.alias_list(),
            contacts=data["contacts"],
            narrative=data["narrative"],
            assigned=list(data["assigned"]),
        )
        messages.success(
            request,
            _("Case %(code)s opened. Now record what is known about the person's situation.") % {"code": case.code},
        )
        return redirect("cases:facts", case_id=case.id)
    return render(request, "cases/case_new.html", {"form": form}, status=400 if form.errors else 200)


# What a case page lists: compiled once, asked for every case page.
_TASKS = PreparedRecords(lambda case_id: Task.objects.filter(case_id=case_id).select_related("assigned_to"))
_LETTERS = PreparedRecords(lambda case_id: Letter.objects.filter(case_id=case_id).select_related("institution"))
_ASSIGNED = PreparedRecords(
    lambda case_id: User.objects.filter(assigned_cases=case_id).order_by("username").only("username")
)


def render_case_page(
    request: HttpRequest,
    case: Case,
    *,
    status: int = 200,
    note_form: NoteForm | None = None,
    task_form: TaskForm | None = None,
    incident_form: IncidentForm | None = None,
    **context: Any,
) -> HttpResponse:
    """The case page; pass a form with errors (``note_form=...``) to show it where it belongs.

    Every read on the page is audited, as one batch appended to the chain when the reads are done.
    """
    user = request.user
    lang = lang_of(request)
    today = actions.today()
    # Six lists about the case and its key, asked together: one round trip on PostgreSQL.
    tasks, letters, notes, incidents, assigned, people, _key = fetch_together(
        *(
            (query, case.id)
            for query in (_TASKS, _LETTERS, actions.NOTES, actions.INCIDENTS, _ASSIGNED, PEOPLE_ON_CASE)
        ),
        also=(case_key_ask(case.id),),
    )
    with batched():
        text = actions.read_case(user, case)
        notes = actions.read_notes(user, case, notes)
        incidents = actions.read_incidents(user, case, incidents)
        task_titles = actions.task_titles(user, tasks) if tasks else {}
        subjects = actions.letter_subjects(user, letters) if letters else {}
    summary = limbo_rows([case], lang, today)[0]
    page = {
        "case": case,
        "links": case_links(case.id),
        "summary_html": case_summary_html(summary, case.created_at, assigned, summary.plan_url),
        "text": text,
        "fact_rows_html": fact_rows_html(fact_lines(text.facts, lang)),
        "unknown_facts": len(actions.knowledge().facts) - len(text.facts),
        "evidence": evidence_labels(text.evidence, lang),
        "assigned": assigned,
        "notes": notes,
        "tasks": _with_text(tasks, task_titles),
        "incidents": incidents,
        "letters_html": case_letters_html(_with_text(letters, subjects), today),
        "can_manage": can_manage_cases(user),
        "can_reveal": can_reveal_true_names(user),
        # The three forms, blank unless given with errors; prefixes keep their ids apart.
        "note_form_html": form_html(note_form)
        if note_form is not None
        else blank_form_html(NoteForm, prefix="note", initial={"on": today}),
        "task_form_html": form_html(task_form)
        if task_form is not None
        else blank_form_html(TaskForm, prefix="task", people=person_choices(people)),
        "incident_form_html": form_html(incident_form)
        if incident_form is not None
        else blank_form_html(IncidentForm, prefix="incident", lang=lang),
        "today": today,
    }
    page.update(context)
    return render(request, "cases/case_detail.html", page, status=status)


def _with_text(items: list[Any], texts: dict[Any, str]) -> list[tuple[Any, str]]:
    return [(item, texts.get(item.id, "")) for item in items]


@staff_view(*CASE_WORKERS)
@require_http_methods(["GET"])
def case_detail(request: HttpRequest, case_id: Any) -> HttpResponse:
    return render_case_page(request, get_case_for_user(request.user, case_id))


@staff_view(*LAWYERS)
@require_POST
def reveal(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Show the true name on this response only (never stored in the session, never redirected)."""
    case = get_case_for_user(request.user, case_id)
    require(can_reveal_true_names(request.user))
    return render_case_page(request, case, true_name=actions.reveal_true_name(request.user, case))


@staff_view(*CASE_WORKERS)
@require_http_methods(["GET", "POST"])
def details_edit(request: HttpRequest, case_id: Any) -> HttpResponse:
    user = request.user
    case = get_case_for_user(user, case_id)
    manage = can_manage_cases(user)
    if request.method == "POST":
        form = DetailsForm(request.POST, people=assignable_people(), manage=manage)
        if form.is_valid():
            data = form.cleaned_data
            actions.update_details(
                user,
                case,
                aliases=form.alias_list(),
                contacts=data["contacts"],
                narrative=data["narrative"],
                true_name=data.get("new_true_name") or None,
            )
            if manage:
                assign_people(user, case, list(data["assigned"]))
            messages.success(request, _("Details saved."))
            return redirect("cases:detail", case_id=case.id)
    else:
        text = actions.read_case(user, case)
        initial = {"aliases": "\n".join(text.aliases), "contacts": text.contacts, "narrative": text.narrative}
        if manage:
            initial["assigned"] = list(case.assigned.all())
        form = DetailsForm(initial=initial, people=assignable_people(), manage=manage)
    return render(request, "cases/details_edit.html", {"case": case, "form": form}, status=400 if form.errors else 200)


@staff_view(*LAWYERS)
@require_POST
def case_status(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)
    wanted = request.POST.get("status", "")
    if wanted not in (CaseStatus.ACTIVE, CaseStatus.CLOSED):
        messages.error(request, _("Unknown case status."))
    else:
        set_case_status(request.user, case, wanted)
        messages.success(request, _("Case closed.") if wanted == CaseStatus.CLOSED else _("Case reopened."))
    return redirect("cases:detail", case_id=case.id)


@staff_view(*LAWYERS)
@require_http_methods(["GET", "POST"])
def shred(request: HttpRequest, case_id: Any) -> HttpResponse:
    """Crypto-shred after the user types the case code; there is no undo."""
    case = get_case_for_user(request.user, case_id)
    require(can_manage_cases(request.user))
    form = ShredForm(request.POST or None, expected=case.code)
    if request.method == "POST" and form.is_valid():
        actions.shred_case(case.id, actor=request.user)
        messages.success(
            request,
            _("Case %(code)s was crypto-shredded: its data can no longer be read by anyone.") % {"code": case.code},
        )
        return redirect("cases:dashboard")
    return render(request, "cases/shred.html", {"case": case, "form": form}, status=400 if form.errors else 200)
