"""Abuse limits without tracking anyone: per session, per codename, per portal; never per address.

Tor users share exit addresses and the portal never sees them anyway. Limits count in database
rows (django-ratelimit needs Redis or Memcached), keyed by a portal-session id, an account id
or the whole portal, in fixed windows. A flood cannot fill the disk: once the unread
submissions reach ``PASSAGE_INTAKE_QUOTA`` items or ``PASSAGE_INTAKE_QUOTA_MB``, the portal says
"try later" until the office has read them. Argon2id runs in a bounded number of slots per
process, so a burst of logins queues instead of exhausting memory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum

from passage.intake.models import Counter, Submission, SubmissionStatus, Upload

__all__ = ["LIMITS", "Busy", "Limit", "QuotaFull", "argon2_slot", "check_quota", "hit", "prune_counters"]

HOUR = 3600
DAY = 24 * HOUR


class Busy(Exception):
    """A limit or the quota is reached: show the "try later" page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class QuotaFull(Busy):
    pass


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    window_seconds: int


LIMITS = {
    # Per portal session (one browser visit).
    "new_codename": Limit("new_codename", 5, HOUR),
    "practice": Limit("practice", 20, HOUR),
    "login": Limit("login", 10, HOUR),
    "upload": Limit("upload", 20, HOUR),
    # Per codename.
    "questionnaire": Limit("questionnaire", 3, DAY),
    "message": Limit("message", 20, DAY),
    "account_upload": Limit("account_upload", 40, DAY),
    # The whole portal: creating accounts costs two Argon2id runs and a row each.
    "portal_new_codename": Limit("portal_new_codename", 300, HOUR),
}

STORY_MAX_CHARS = 20_000
MESSAGE_MAX_CHARS = 10_000
REPLY_MAX_CHARS = 6_000  # the office's replies: several must fit on one light page
FILES_PER_DRAFT = 10
FILES_PER_MESSAGE = 3


def hit(limit_name: str, scope: str) -> None:
    """Count one use of ``limit_name`` by ``scope`` (e.g. ``"session:12"``).

    Raises:
        Busy: the limit for the current window is already used up.
    """
    limit = LIMITS[limit_name]
    window = int(time.time()) // limit.window_seconds
    key = f"{limit.name}:{scope}"[:100]
    with transaction.atomic():
        updated = Counter.objects.filter(scope=key, window=window, count__lt=limit.count).update(count=F("count") + 1)
        if updated:
            return
        if Counter.objects.filter(scope=key, window=window).exists():
            raise Busy(limit.name)
        try:
            with transaction.atomic():
                Counter.objects.create(scope=key, window=window, count=1)
        except IntegrityError:  # created by a concurrent request: count on it
            if not Counter.objects.filter(scope=key, window=window, count__lt=limit.count).update(count=F("count") + 1):
                raise Busy(limit.name) from None


def prune_counters() -> int:
    """Delete counters of windows that have ended; returns how many."""
    now = int(time.time())
    removed = 0
    for limit in {limit.window_seconds for limit in LIMITS.values()}:
        names = [item.name for item in LIMITS.values() if item.window_seconds == limit]
        query = Q()
        for name in names:
            query |= Q(scope__startswith=f"{name}:")
        removed += Counter.objects.filter(query, window__lt=now // limit).delete()[0]
    return removed


def pending_usage() -> tuple[int, int]:
    """Unread submissions, and bytes of unread submissions plus files not yet sent or read."""
    unread = Submission.objects.filter(status=SubmissionStatus.UNREAD)
    count = unread.count()
    submitted = unread.aggregate(total=Sum("size_bytes"))["total"] or 0
    drafts = Upload.objects.filter(submission__isnull=True).aggregate(total=Sum("size_bytes"))["total"] or 0
    return count, int(submitted) + int(drafts)


def check_quota(extra_bytes: int = 0) -> None:
    """Refuse new material once the unread backlog reaches the configured quota.

    Raises:
        QuotaFull: too many unread submissions or bytes waiting.
    """
    count, size = pending_usage()
    config = settings.PASSAGE
    if count >= config.intake_quota:
        raise QuotaFull("items")
    if size + extra_bytes > config.intake_quota_mb * 1024 * 1024:
        raise QuotaFull("bytes")


_ARGON2_SLOTS = threading.BoundedSemaphore(2)
_ARGON2_WAIT_SECONDS = 20


@contextmanager
def argon2_slot() -> Iterator[None]:
    """Run one memory-hard hash at a time per slot; wait in line, or give up with Busy."""
    if not _ARGON2_SLOTS.acquire(timeout=_ARGON2_WAIT_SECONDS):
        raise Busy("argon2")
    try:
        yield
    finally:
        _ARGON2_SLOTS.release()
