"""What a person can do on the portal: get a codename, practise it, send, log in, read replies.

Plain functions the views call. Everything a person says is sealed to the office public key
here, before it is saved; the portal holds no private key. Replies are opened with the
person's private key, recovered from the codename they just typed and dropped when the
request ends: the codename and keys derived from it are never stored, in the session or
anywhere else.
"""

from __future__ import annotations

import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from django.db import transaction
from django.utils import timezone

from passage.intake import codename as codenames
from passage.intake.keys import (
    codename_kdf,
    lookup_hash,
    office_public_key,
    reply_aad,
    submission_aad,
    upload_meta_aad,
)
from passage.intake.limits import Busy, argon2_slot, check_quota, hit
from passage.intake.models import Account, Reply, Submission, SubmissionKind, Upload
from passage.intake.questionnaire import facts_of, lang, profile_of
from passage.intake.uploads import IntakeStore, ReceivedFile
from passage.intake.visits import Visit
from passage.vault import PersonKeys, TamperedError, WrongSecretError, open_sealed, seal_to

__all__ = [
    "CodenameRefused",
    "ThreadItem",
    "create_account",
    "discard_unsent",
    "log_in",
    "practise",
    "remove_draft_upload",
    "send_message",
    "store_upload",
    "submit_questionnaire",
]


class CodenameRefused(Exception):
    """The codename typed matches no account (or not this session's account)."""


def hour(moment: datetime | None = None) -> datetime:
    """Times the portal stores are cut to the hour: enough to sort, too coarse to match traffic."""
    return (moment or timezone.now()).replace(minute=0, second=0, microsecond=0)


def create_account(visit: Visit) -> tuple[Account, str]:
    """A new codename account, bound to this visit. Returns the codename to show, once.

    Raises:
        Busy: too many new codenames from this session or on the whole portal this hour.
    """
    hit("new_codename", f"session:{visit.row.pk}")
    hit("portal_new_codename", "portal")
    codename = codenames.generate()
    canonical = codenames.canonical(codename)
    with argon2_slot():
        lookup = lookup_hash(canonical)
        public, salt, encrypted = PersonKeys.create(canonical, codename_kdf())
    account = Account.objects.create(
        lookup=lookup,
        reply_public_key=public,
        reply_key_salt=salt,
        reply_private_key=encrypted,
        created_on=timezone.localdate(),
    )
    visit.bind(account)
    return account, codename


def _matches(typed: str) -> tuple[str, str]:
    canonical = codenames.canonical(typed)
    if not canonical:
        raise CodenameRefused
    with argon2_slot():
        return canonical, lookup_hash(canonical)


def practise(visit: Visit, typed: str) -> bool:
    """Whether ``typed`` is this visit's codename (a constant-time comparison of the hashes)."""
    account = visit.account
    if account is None:
        raise CodenameRefused
    hit("practice", f"session:{visit.row.pk}")
    try:
        _canonical, computed = _matches(typed)
    except CodenameRefused:
        return False
    if not hmac.compare_digest(computed, account.lookup):
        return False
    if not account.confirmed:
        account.confirmed = True
        account.save(update_fields=["confirmed"])
    return True


@dataclass
class ThreadItem:
    """One entry of the person's conversation with the office."""

    kind: str  # "questionnaire" | "message" | "reply"
    when: datetime
    text: str = ""  # replies only: the person's own messages are sealed to the office alone
    files: int = 0
    hidden: bool = False  # an older reply left out to keep the page within its weight


# The thread page must stay light (≤ 50 KB with everything else): the newest replies are shown
# whole up to this many bytes of text, older ones only by date; and only the newest own items.
THREAD_TEXT_BUDGET = 28_000
THREAD_OWN_ITEMS = 20


def log_in(typed: str, visit: Visit | None) -> tuple[Account, list[ThreadItem]]:
    """Find the account for ``typed`` and open the office's replies to it.

    The private key exists only inside this call. A browser that already has a portal session
    is limited per session; one without a session gets none created for a failed attempt (no
    row per guess), and is slowed only by the queue for Argon2id slots. Guessing 90 bits at a
    few hashes per second is not a threat; the limits protect the server, not the codenames.

    Raises:
        CodenameRefused: no account has this codename.
        Busy: too many attempts from this session, or the hashing queue is full.
    """
    if visit is not None:
        hit("login", f"session:{visit.row.pk}")
    canonical, computed = _matches(typed)
    account = Account.objects.filter(lookup=computed).first()
    if account is None or not hmac.compare_digest(account.lookup, computed):
        raise CodenameRefused
    try:
        with argon2_slot():
            private_key = PersonKeys.open(canonical, bytes(account.reply_key_salt), bytes(account.reply_private_key))
    except (WrongSecretError, TamperedError):
        raise CodenameRefused from None
    if not account.confirmed:
        account.confirmed = True
        account.save(update_fields=["confirmed"])
    items: list[ThreadItem] = []
    budget = THREAD_TEXT_BUDGET
    for reply in Reply.objects.filter(account=account).order_by("-id"):  # newest first
        if budget <= 0:
            items.append(ThreadItem("reply", reply.created_at, hidden=True))
            continue
        aad = reply_aad(reply.public_id, "person")
        try:
            text = open_sealed(private_key, bytes(reply.for_person), aad=aad).decode("utf-8")
        except (TamperedError, UnicodeDecodeError):
            continue
        budget -= len(text.encode("utf-8"))
        items.append(ThreadItem("reply", reply.created_at, text if budget >= 0 else "", hidden=budget < 0))
    del private_key
    return account, _with_own(account, items)


def _with_own(account: Account, replies: list[ThreadItem]) -> list[ThreadItem]:
    own = [
        ThreadItem(submission.kind, submission.received_at, files=submission.file_count)
        for submission in _submissions_with_counts(account)[:THREAD_OWN_ITEMS]
    ]
    return sorted(own + replies, key=lambda item: item.when)


def _submissions_with_counts(account: Account) -> Any:
    from django.db.models import Count

    return Submission.objects.filter(account=account).annotate(file_count=Count("uploads")).order_by("-id")


def sent_items(account: Account) -> list[ThreadItem]:
    """What this account has sent, without content (the portal cannot read it back)."""
    return _with_own(account, [])


def store_upload(visit: Visit, received: ReceivedFile, public_key: X25519PublicKey, *, message: bool = False) -> Upload:
    """Record a file the upload handler stored encrypted; its description is sealed to the office.

    Raises:
        Busy: the per-codename upload limit or the quota is reached.
    """
    account = visit.account
    if account is None:
        raise CodenameRefused
    hit("upload", f"session:{visit.row.pk}")
    hit("account_upload", f"account:{account.pk}")
    check_quota(received.stored_size)
    meta = json.dumps(
        {"name": received.name, "kind": received.kind, "size": received.size, "sha256": received.sha256},
        ensure_ascii=False,
    ).encode("utf-8")
    upload = Upload(
        public_id=received.public_id,
        account=account,
        session=visit.row,
        size_bytes=received.stored_size,
        wrapped_key=received.wrapped_key,
        created_at=hour(),
    )
    upload.meta = seal_to(public_key, meta, aad=upload_meta_aad(upload.public_id))
    upload.save(force_insert=True)
    if not message:
        draft = visit.draft()
        draft.setdefault("files", []).append(
            {"id": str(upload.public_id), "name": received.name, "kind": received.kind, "size": received.size}
        )
        visit.save_draft(draft)
    return upload


def remove_draft_upload(visit: Visit, public_id: str) -> None:
    """Delete a file of this visit's draft that has not been sent yet."""
    draft = visit.draft()
    files = [item for item in draft.get("files", []) if item.get("id") != public_id]
    try:
        wanted = uuid.UUID(public_id)
    except ValueError:
        return
    upload = Upload.objects.filter(public_id=wanted, session=visit.row, submission__isnull=True).first()
    if upload is not None:
        IntakeStore().delete(upload.public_id)
        upload.delete()
    draft["files"] = files
    visit.save_draft(draft)


def discard_unsent(visit: Visit) -> int:
    """Delete the files this visit uploaded but never sent (the person is leaving)."""
    store = IntakeStore()
    unsent = list(Upload.objects.filter(session=visit.row, submission__isnull=True))
    for upload in unsent:
        store.delete(upload.public_id)
        upload.delete()
    return len(unsent)


def _seal_submission(public_key: X25519PublicKey, public_id: uuid.UUID, body: dict[str, Any]) -> bytes:
    plain = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return seal_to(public_key, plain, aad=submission_aad(public_id))


@transaction.atomic
def submit_questionnaire(visit: Visit) -> Submission:
    """Seal the draft's answers, story and file list to the office and forget the draft.

    Raises:
        Busy: this codename sent too many questionnaires today, or the quota is full.
        OfficeKeyUnavailable: no office key to seal to.
    """
    account = visit.account
    if account is None:
        raise CodenameRefused
    public_key = office_public_key()
    draft = visit.draft()
    answers = draft.get("answers", {})
    profile = profile_of(answers)
    facts, evidence = facts_of(answers)
    facts = {name: value for name, value in facts.items() if name in profile.facts}  # as the engine accepted them
    uploads = list(Upload.objects.filter(session=visit.row, account=account, submission__isnull=True))
    public_id = uuid.uuid4()
    payload = _seal_submission(
        public_key,
        public_id,
        {
            "v": 1,
            "kind": SubmissionKind.QUESTIONNAIRE,
            "lang": lang(),
            "as_of": profile.as_of.isoformat(),
            "answers": answers,
            "facts": facts,
            "evidence": evidence,
            "story": str(draft.get("story", "")),
            "files": [str(upload.public_id) for upload in uploads],
        },
    )
    check_quota(len(payload))
    hit("questionnaire", f"account:{account.pk}")
    submission = Submission.objects.create(
        public_id=public_id,
        account=account,
        kind=SubmissionKind.QUESTIONNAIRE,
        received_at=hour(),
        payload=payload,
        size_bytes=len(payload) + sum(upload.size_bytes for upload in uploads),
    )
    Upload.objects.filter(pk__in=[upload.pk for upload in uploads]).update(submission=submission, session=None)
    visit.clear_draft()
    return submission


@transaction.atomic
def send_message(visit: Visit, text: str, uploads: list[Upload]) -> Submission:
    """A follow-up message (and files) from the person to the office, sealed on arrival.

    Raises:
        Busy: too many messages from this codename today, or the quota is full.
    """
    account = visit.account
    if account is None:
        raise CodenameRefused
    public_key = office_public_key()
    public_id = uuid.uuid4()
    payload = _seal_submission(
        public_key,
        public_id,
        {
            "v": 1,
            "kind": SubmissionKind.MESSAGE,
            "lang": lang(),
            "text": text,
            "files": [str(u.public_id) for u in uploads],
        },
    )
    check_quota(len(payload))
    hit("message", f"account:{account.pk}")
    submission = Submission.objects.create(
        public_id=public_id,
        account=account,
        kind=SubmissionKind.MESSAGE,
        received_at=hour(),
        payload=payload,
        size_bytes=len(payload) + sum(upload.size_bytes for upload in uploads),
    )
    Upload.objects.filter(pk__in=[upload.pk for upload in uploads]).update(submission=submission, session=None)
    return submission


__all__ += ["Busy", "hour", "sent_items"]


def clean_up(*, now: datetime | None = None) -> dict[str, int]:
    """Remove what nobody will send: expired sessions, unsent files, never-confirmed codenames.

    Run regularly (``manage.py intake cleanup`` from a timer). Unsent files are kept as long as
    the longest session could still send them; accounts are removed only if their codename was
    never practised or used and they have nothing sent.
    """
    from datetime import timedelta

    from passage.intake.limits import prune_counters
    from passage.intake.models import PortalSession
    from passage.intake.visits import LIFETIME

    now = now or timezone.now()
    sessions = PortalSession.objects.filter(expires_at__lte=now).delete()[0]
    store = IntakeStore()
    stale_uploads = Upload.objects.filter(submission__isnull=True, created_at__lt=now - LIFETIME - timedelta(hours=1))
    files = 0
    for upload in stale_uploads.filter(session__isnull=True):
        store.delete(upload.public_id)
        upload.delete()
        files += 1
    accounts = (
        Account.objects.filter(
            confirmed=False, created_on__lt=(now - timedelta(days=2)).date(), submissions__isnull=True
        )
        .distinct()
        .delete()[0]
    )
    return {"sessions": sessions, "files": files, "accounts": accounts, "counters": prune_counters()}
