"""The office's side of the intake: inbox, reading (audited), files, replies, turning into a case.

Only an unsealed office process can do any of this: the office private key comes from the
master key (``SealedError`` while sealed), and the intake process never has either. Every
decryption is recorded in the audit chain (who, which submission or file, never the content).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from passage.audit.chain import record
from passage.cases.actions import create_case, knowledge
from passage.intake.keys import reply_aad, submission_aad, upload_key_aad, upload_meta_aad
from passage.intake.limits import REPLY_MAX_CHARS
from passage.intake.models import Account, Reply, Submission, SubmissionKind, SubmissionStatus, Upload
from passage.intake.uploads import IntakeStore
from passage.routes.output import text_label
from passage.sealing import service
from passage.vault import StreamReader, open_sealed, seal_to, unwrap_key_with

__all__ = [
    "FileInfo",
    "OfficeItem",
    "discard",
    "download",
    "inbox_rows",
    "mark_handled",
    "read_thread",
    "reply",
    "to_case",
]


def _office_private_key() -> X25519PrivateKey:
    """Raises ``SealedError`` while sealed: nothing here works without the unsealed vault."""
    return service.holder().master().office_private_key(service.load_header())


def inbox_rows() -> list[dict[str, Any]]:
    """One row per codename account with something sent, newest activity first (no decryption)."""
    accounts = (
        Account.objects.annotate(
            unread=Count("submissions", filter=Q(submissions__status=SubmissionStatus.UNREAD), distinct=True),
            sent=Count("submissions", distinct=True),
            last=Max("submissions__received_at"),
            replies_count=Count("replies", distinct=True),
        )
        .filter(sent__gt=0)
        .select_related("case")
        .order_by("-unread", "-last", "-id")
    )
    return [
        {
            "account": account,
            "unread": account.unread,  # type: ignore[attr-defined]
            "sent": account.sent,  # type: ignore[attr-defined]
            "last": account.last,  # type: ignore[attr-defined]
            "replies": account.replies_count,  # type: ignore[attr-defined]
        }
        for account in accounts
    ]


@dataclass
class FileInfo:
    public_id: str
    name: str
    kind: str
    size: int


@dataclass
class OfficeItem:
    kind: str  # questionnaire | message | reply
    when: Any
    submission: Submission | None = None
    text: str = ""
    story: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    other_answers: list[tuple[str, str]] = field(default_factory=list)
    files: list[FileInfo] = field(default_factory=list)
    author: str = ""
    language: str = ""


def _fact_rows(facts: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    kb = knowledge()
    rows = []
    yes_no = {True: {"en": "yes", "ru": "да"}, False: {"en": "no", "ru": "нет"}}
    for name, value in facts.items():
        definition = kb.facts.get(name)
        if definition is None:
            continue
        if isinstance(value, bool):
            shown = yes_no[value][lang]
        elif isinstance(value, list):
            shown = ", ".join(kb.country_name(code, lang) for code in value) or "—"
        elif definition.type == "enum":
            labels = {item.id: text_label(item.label, lang) for item in definition.values or []}
            shown = labels.get(str(value), str(value))
        elif definition.type == "country":
            shown = kb.country_name(str(value), lang)
        else:
            shown = str(value)
        rows.append((text_label(definition.label, lang), shown))
    return rows


def _files(private_key: X25519PrivateKey, uploads: list[Upload]) -> list[FileInfo]:
    infos = []
    for upload in uploads:
        meta = json.loads(open_sealed(private_key, bytes(upload.meta), aad=upload_meta_aad(upload.public_id)))
        infos.append(FileInfo(str(upload.public_id), str(meta["name"]), str(meta["kind"]), int(meta["size"])))
    return infos


@transaction.atomic
def read_thread(actor: Any, account: Account, *, lang: str = "en") -> list[OfficeItem]:
    """Decrypt everything one codename sent and the office replied; audited, marks unread as read."""
    private_key = _office_private_key()
    items: list[OfficeItem] = []
    submissions = list(Submission.objects.filter(account=account).prefetch_related("uploads").order_by("id"))
    for submission in submissions:
        body = json.loads(open_sealed(private_key, bytes(submission.payload), aad=submission_aad(submission.public_id)))
        item = OfficeItem(
            kind=submission.kind,
            when=submission.received_at,
            submission=submission,
            files=_files(private_key, list(submission.uploads.all())),
            language=str(body.get("lang", "")),
        )
        if submission.kind == SubmissionKind.QUESTIONNAIRE:
            item.story = str(body.get("story", ""))
            item.facts = _fact_rows(body.get("facts", {}), lang)
            kb = knowledge()
            item.evidence = [
                text_label(kb.evidence[k].label, lang) for k in body.get("evidence", []) if k in kb.evidence
            ]
            answers = body.get("answers", {})
            if answers.get("current_country") == "other":
                item.other_answers.append(("current_country", _("Current country: one not in the knowledge base")))
        else:
            item.text = str(body.get("text", ""))
        items.append(item)
        record(actor, "read", submission, fields=["payload"])
        if submission.status == SubmissionStatus.UNREAD:
            submission.status = SubmissionStatus.READ
            submission.read_at = timezone.now()
            submission.save(update_fields=["status", "read_at"])
    for answer in Reply.objects.filter(account=account).select_related("author"):
        text = open_sealed(private_key, bytes(answer.for_office), aad=reply_aad(answer.public_id, "office")).decode(
            "utf-8"
        )
        author = answer.author.get_username() if answer.author is not None else ""
        items.append(OfficeItem(kind="reply", when=answer.created_at, text=text, author=author))
        record(actor, "read", answer, fields=["for_office"])
    return sorted(items, key=lambda item: item.when)


@dataclass
class Download:
    name: str
    kind: str
    size: int
    chunks: Iterator[bytes]


def download(actor: Any, upload: Upload) -> Download:
    """Open a sent file for download (audited); the content is decrypted chunk by chunk."""
    private_key = _office_private_key()
    meta = json.loads(open_sealed(private_key, bytes(upload.meta), aad=upload_meta_aad(upload.public_id)))
    file_key = unwrap_key_with(private_key, bytes(upload.wrapped_key), aad=upload_key_aad(upload.public_id))
    record(actor, "download", upload, fields=["content"])

    def chunks() -> Iterator[bytes]:
        with IntakeStore().open(upload.public_id) as source:
            yield from StreamReader(file_key, source, aad=upload_key_aad(upload.public_id))

    return Download(str(meta["name"]), str(meta["kind"]), int(meta["size"]), chunks())


def reply(actor: Any, account: Account, text: str) -> Reply:
    """Answer a person: sealed to their reply key (only the codename opens it), copy to the office."""
    if not text.strip() or len(text) > REPLY_MAX_CHARS:
        raise ValueError(f"a reply has 1 to {REPLY_MAX_CHARS} characters")
    _office_private_key()  # only an unsealed office replies (and keeps a readable copy)
    office_public: X25519PublicKey = service.load_header().office_public()
    person_public = X25519PublicKey.from_public_bytes(bytes(account.reply_public_key))
    answer = Reply(account=account, author=actor if getattr(actor, "pk", None) else None, created_at=timezone.now())
    plain = text.encode("utf-8")
    answer.for_person = seal_to(person_public, plain, aad=reply_aad(answer.public_id, "person"))
    answer.for_office = seal_to(office_public, plain, aad=reply_aad(answer.public_id, "office"))
    answer.save(force_insert=True)
    record(actor, "create", answer, fields=["for_person", "for_office"], detail={"account": str(account.public_id)})
    return answer


@transaction.atomic
def to_case(actor: Any, submission: Submission) -> Any:
    """Open a client case from a questionnaire, its profile pre-filled; the submission is handled."""
    if submission.kind != SubmissionKind.QUESTIONNAIRE:
        raise ValueError("only a questionnaire can open a case")
    private_key = _office_private_key()
    body = json.loads(open_sealed(private_key, bytes(submission.payload), aad=submission_aad(submission.public_id)))
    record(actor, "read", submission, fields=["payload"])
    as_of = date.fromisoformat(str(body.get("as_of") or timezone.localdate().isoformat()))
    facts = dict(body.get("facts", {}))
    arrived = facts.get("arrived_on")
    if isinstance(arrived, str) and arrived > timezone.localdate().isoformat():
        facts.pop("arrived_on")
    narrative = str(body.get("story", ""))
    case = create_case(
        actor,
        narrative=narrative,
        contacts=f"Intake portal (codename account {submission.account.public_id}); reply through the intake inbox. Answers as of {as_of}.",
        facts=facts,
        evidence=list(body.get("evidence", [])),
    )
    submission.status = SubmissionStatus.HANDLED
    submission.handled_at = timezone.now()
    submission.handled_by = actor if getattr(actor, "pk", None) else None
    submission.case = case
    submission.save(update_fields=["status", "handled_at", "handled_by", "case"])
    account = submission.account
    account.case = case
    account.save(update_fields=["case"])
    record(actor, "handle", submission, detail={"case": case.code})
    return case


def mark_handled(actor: Any, submission: Submission) -> None:
    """The office has dealt with this submission (e.g. a message answered); audited."""
    submission.status = SubmissionStatus.HANDLED
    submission.handled_at = timezone.now()
    submission.handled_by = actor if getattr(actor, "pk", None) else None
    submission.save(update_fields=["status", "handled_at", "handled_by"])
    record(actor, "handle", submission)


@transaction.atomic
def discard(actor: Any, submission: Submission) -> None:
    """Delete a submission and its files for good (spam, floods); audited."""
    store = IntakeStore()
    for upload in submission.uploads.all():
        store.delete(upload.public_id)
    record(actor, "discard", submission, detail={"kind": submission.kind})
    submission.delete()
