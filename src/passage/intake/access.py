"""The only ways staff views fetch intake data.

The intake inbox is for lawyers and admins (their views say so with ``staff_view(*LAWYERS)``);
these helpers check the role again, one condition per line, and answer 404 for anything a
user may not see, the same as for what does not exist.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from passage.accounts.access import LAWYERS
from passage.cases.access import id_or_404
from passage.intake.models import Account, Submission, Upload


def can_read_intake(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active:
        return False
    return getattr(user, "role", None) in LAWYERS


def get_account_for_user(user: Any, public_id: Any) -> Account:
    if not can_read_intake(user):
        raise Http404
    try:
        return Account.objects.select_related("case").get(public_id=id_or_404(public_id))
    except Account.DoesNotExist:
        raise Http404 from None


def get_submission_for_user(user: Any, public_id: Any) -> Submission:
    if not can_read_intake(user):
        raise Http404
    try:
        return Submission.objects.select_related("account").get(public_id=id_or_404(public_id))
    except Submission.DoesNotExist:
        raise Http404 from None


def get_upload_for_user(user: Any, public_id: Any) -> Upload:
    if not can_read_intake(user):
        raise Http404
    try:
        return Upload.objects.select_related("submission").get(public_id=id_or_404(public_id), submission__isnull=False)
    except Upload.DoesNotExist:
        raise Http404 from None
