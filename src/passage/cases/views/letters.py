"""Correspondence: letters per case, overdue follow-ups, the institutions directory, statistics."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from passage.accounts.access import CASE_WORKERS, LAWYERS, can_manage_cases, staff_view
from passage.cases import actions
from passage.cases.access import get_case_for_user, get_letter_for_user, hidden_case_ids, viewer_of
from passage.cases.actions_office import INSTITUTION_FIELDS, save_institution, seed_directory
from passage.cases.charts import OUTCOMES, answer_chart
from passage.cases.forms import InstitutionForm, LetterForm, ReplyStatusForm
from passage.cases.letters_html import OVERDUE_COLUMNS, overdue_rows_html
from passage.cases.models import Institution, ReplyStatus
from passage.cases.presenters import lang_of
from passage.cases.statements import PreparedPages, PreparedQuery
from passage.cases.views.common import paginate_with


@staff_view(*CASE_WORKERS)
@require_http_methods(["GET", "POST"])
def letter_new(request: HttpRequest, case_id: Any) -> HttpResponse:
    case = get_case_for_user(request.user, case_id)
    initial = {"sent_on": actions.today(), "institution": request.GET.get("institution") or None}
    form = LetterForm(request.POST or None, initial=initial, lang=lang_of(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        letter = actions.record_letter(
            request.user,
            case,
            institution=data["institution"],
            direction=data["direction"],
            channel=data["channel"],
            sent_on=data["sent_on"],
            subject=data["subject"],
            body=data["body"],
            reply_status=data["reply_status"],
            answered_on=data["answered_on"] if data["reply_status"] != ReplyStatus.AWAITING else None,
        )
        messages.success(request, _("Letter recorded."))
        return redirect("cases:letter", letter_id=letter.id)
    if not Institution.objects.exists():
        messages.info(request, _("The institutions directory is empty: add an institution first."))
    return render(request, "cases/letter_new.html", {"case": case, "form": form}, status=400 if form.errors else 200)


def _letter_page(
    request: HttpRequest, letter: Any, form: ReplyStatusForm | None = None, status: int = 200
) -> HttpResponse:
    subject, body = actions.read_letter(request.user, letter)
    form = form or ReplyStatusForm(
        initial={"reply_status": letter.reply_status, "answered_on": letter.answered_on}, sent_on=letter.date
    )
    context = {
        "letter": letter,
        "case": letter.case,
        "subject": subject,
        "body": body,
        "form": form,
        "today": actions.today(),
    }
    return render(request, "cases/letter_detail.html", context, status=status)


@staff_view(*CASE_WORKERS)
@require_GET
def letter_detail(request: HttpRequest, letter_id: Any) -> HttpResponse:
    return _letter_page(request, get_letter_for_user(request.user, letter_id))


@staff_view(*CASE_WORKERS)
@require_POST
def letter_status(request: HttpRequest, letter_id: Any) -> HttpResponse:
    letter = get_letter_for_user(request.user, letter_id)
    form = ReplyStatusForm(request.POST, sent_on=letter.date)
    if not form.is_valid():
        return _letter_page(request, letter, form, status=400)
    actions.set_reply_status(request.user, letter, form.cleaned_data["reply_status"], form.cleaned_data["answered_on"])
    messages.success(request, _("Reply status saved."))
    return redirect("cases:letter", letter_id=letter.id)


# Counted on the plain letters, listed with their case's code and institution's names.
_OVERDUE = PreparedQuery(actions.overdue_followups, columns=OVERDUE_COLUMNS, count_parts=actions.overdue_count_parts)


@staff_view(*CASE_WORKERS)
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """Letters awaiting an answer whose follow-up date has come, oldest first."""
    on = actions.today()
    viewer = viewer_of(request.user)
    # The count and the page in one round trip on PostgreSQL.
    page, _none = paginate_with(request, PreparedPages(_OVERDUE, viewer, on, count_inputs=(hidden_case_ids(viewer),)))
    context = {"page": page, "rows": overdue_rows_html(page.object_list, on), "today": on}
    return render(request, "cases/overdue.html", context)


# -- institutions --------------------------------------------------------------------------------


@staff_view(*CASE_WORKERS)
@require_GET
def institutions(request: HttpRequest) -> HttpResponse:
    context = {
        "institutions": Institution.objects.order_by("located_in", "name"),
        "can_manage": can_manage_cases(request.user),
    }
    return render(request, "cases/institutions.html", context)


@staff_view(*LAWYERS)
@require_http_methods(["GET", "POST"])
def institution_edit(request: HttpRequest, institution_id: Any = None) -> HttpResponse:
    institution = None
    if institution_id is not None:
        institution = Institution.objects.filter(pk=institution_id).first()
        if institution is None:
            raise Http404
    initial = {name: getattr(institution, name) for name in INSTITUTION_FIELDS} if institution else {}
    form = InstitutionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        save_institution(request.user, institution, form.cleaned_data)
        messages.success(request, _("Institution saved."))
        return redirect("cases:institutions")
    context = {"form": form, "institution": institution}
    return render(request, "cases/institution_edit.html", context, status=400 if form.errors else 200)


@staff_view(*LAWYERS)
@require_POST
def institutions_seed(request: HttpRequest) -> HttpResponse:
    count = seed_directory(request.user)
    messages.success(request, _("%(count)d institutions from the knowledge base added or updated.") % {"count": count})
    return redirect("cases:institutions")


@staff_view(*LAWYERS)
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    """How institutions answer, across all cases: no case data, only counts and delays."""
    lang = lang_of(request)
    rows = actions.institution_stats()
    names = [
        (item.institution.name_ru if lang == "ru" and item.institution.name_ru else item.institution.name)
        for item in rows
    ]
    labels = dict(ReplyStatus.choices)
    table = [
        (item, name, [item.outcomes.get(status, 0) for status in OUTCOMES])
        for item, name in zip(rows, names, strict=True)
    ]
    context = {
        "table": table,
        "outcome_labels": [labels[status] for status in OUTCOMES],
        "chart": answer_chart(rows, names) if rows else None,
    }
    return render(request, "cases/stats.html", context)
