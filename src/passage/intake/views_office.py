"""Staff pages of the intake: the inbox, a person's thread, replies, files, opening a case.

Lawyers and admins only (volunteers never see intake material). Every page that shows content
decrypts with the office private key, so it works only while the vault is unsealed (the sealed
gate shows the unseal page otherwise), and every decryption is audited by
:mod:`passage.intake.office`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from passage.accounts.access import LAWYERS, staff_view
from passage.cases.presenters import lang_of
from passage.intake import office
from passage.intake.access import get_account_for_user, get_submission_for_user, get_upload_for_user
from passage.intake.limits import REPLY_MAX_CHARS, pending_usage
from passage.intake.models import SubmissionKind


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Reply"),
        max_length=REPLY_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "Sealed to this person's codename key: only someone who types the codename can read it. "
            "Write nothing that would harm them if their codename were taken from them."
        ),
    )


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=gettext_lazy("Yes, delete this submission and its files for good"))


@staff_view(*LAWYERS)
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    count, size = pending_usage()
    context = {
        "rows": office.inbox_rows(),
        "unread": count,
        "pending_mb": round(size / (1024 * 1024), 1),
        "quota": settings.PASSAGE.intake_quota,
        "quota_mb": settings.PASSAGE.intake_quota_mb,
    }
    return render(request, "intake/office/inbox.html", context)


@staff_view(*LAWYERS)
@require_GET
def thread(request: HttpRequest, account_id: str) -> HttpResponse:
    account = get_account_for_user(request.user, account_id)
    items = office.read_thread(request.user, account, lang=lang_of(request))
    context = {
        "account": account,
        "items": items,
        "form": ReplyForm(),
        "confirm": ConfirmForm(),
        "questionnaire": SubmissionKind.QUESTIONNAIRE,
    }
    return render(request, "intake/office/thread.html", context)


@staff_view(*LAWYERS)
@require_POST
def reply(request: HttpRequest, account_id: str) -> HttpResponse:
    account = get_account_for_user(request.user, account_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reply is empty or too long."))
        return redirect("inbox:thread", account_id=account.public_id)
    office.reply(request.user, account, form.cleaned_data["text"])
    messages.success(request, _("Reply sealed. The person will see it after entering their codename on the portal."))
    return redirect("inbox:thread", account_id=account.public_id)


@staff_view(*LAWYERS)
@require_POST
def to_case(request: HttpRequest, submission_id: str) -> HttpResponse:
    submission = get_submission_for_user(request.user, submission_id)
    if submission.case_id is not None:
        return redirect("cases:detail", case_id=submission.case_id)
    case = office.to_case(request.user, submission)
    messages.success(
        request,
        _("Case %(code)s opened from the intake; its facts are pre-filled from the answers.") % {"code": case.code},
    )
    return redirect("cases:detail", case_id=case.id)


@staff_view(*LAWYERS)
@require_POST
def mark_handled(request: HttpRequest, submission_id: str) -> HttpResponse:
    submission = get_submission_for_user(request.user, submission_id)
    office.mark_handled(request.user, submission)
    return redirect("inbox:thread", account_id=submission.account.public_id)


@staff_view(*LAWYERS)
@require_POST
def discard(request: HttpRequest, submission_id: str) -> HttpResponse:
    submission = get_submission_for_user(request.user, submission_id)
    account_id = submission.account.public_id
    if not ConfirmForm(request.POST).is_valid():
        messages.error(request, _("Tick the box to confirm the deletion."))
        return redirect("inbox:thread", account_id=account_id)
    office.discard(request.user, submission)
    messages.success(request, _("The submission and its files were deleted."))
    return redirect("inbox:list")


@staff_view(*LAWYERS)
@require_GET
def download(request: HttpRequest, upload_id: str) -> StreamingHttpResponse:
    upload = get_upload_for_user(request.user, upload_id)
    opened = office.download(request.user, upload)
    response = StreamingHttpResponse(opened.chunks, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, opened.name)
    response["Content-Length"] = str(opened.size)
    return response
