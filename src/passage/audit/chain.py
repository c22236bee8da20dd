"""Recording and verifying audit events."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from passage.audit.models import AuditEvent

GENESIS = "0" * 64
_RETRIES = 20


def _digest(
    prev_hash: str,
    seq: int,
    at: str,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    fields: str,
    detail: dict[str, Any],
) -> str:
    payload = json.dumps(
        [prev_hash, seq, at, actor_label, action, target_type, target_id, fields, detail],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _event_digest(event: AuditEvent) -> str:
    return _digest(
        event.prev_hash,
        event.seq,
        event.at.isoformat(),
        event.actor_label,
        event.action,
        event.target_type,
        event.target_id,
        event.fields,
        event.detail,
    )


def record(
    actor: Any,
    action: str,
    target: Any = None,
    *,
    target_type: str = "",
    target_id: str = "",
    fields: Iterable[str] = (),
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain.

    Args:
        actor: the user (or None for the system, an anonymous unseal, the intake portal).
        action: what happened, e.g. ``read``, ``update``, ``login``, ``unseal``.
        target: a model instance (its table and primary key are recorded), or use
            ``target_type``/``target_id``.
        fields: names of the sensitive fields read or changed (names only, never values).
        detail: small non-sensitive facts (e.g. a status change); never content.

    Concurrent writers from several processes are serialised by the unique sequence number:
    a writer that loses the race retries on top of the new last row.
    """
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    actor_label = actor_user.get_username() if actor_user is not None else (actor if isinstance(actor, str) else "")
    field_text = ",".join(sorted(set(fields)))
    for _attempt in range(_RETRIES):
        try:
            with transaction.atomic():
                last = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
                seq = (last.seq + 1) if last else 1
                prev_hash = last.hash if last else GENESIS
                now = timezone.now()
                event = AuditEvent(
                    seq=seq,
                    at=now,
                    actor=actor_user,
                    actor_label=actor_label,
                    action=action,
                    target_type=target_type,
                    target_id=target_id,
                    fields=field_text,
                    detail=detail or {},
                    prev_hash=prev_hash,
                )
                event.hash = _event_digest(event)
                event.save(force_insert=True)
                return event
        except IntegrityError:
            continue
    raise RuntimeError("could not append to the audit chain (too much contention)")


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str  # changed | inserted | deleted | reordered
    message: str

    def __str__(self) -> str:
        return f"row {self.seq}: {self.message}"


def verify() -> list[Problem]:
    """Walk the whole chain; return every problem found (an empty list means intact).

    A changed row fails its own hash; a deleted row leaves a gap in the sequence and a broken
    link; an inserted row breaks the link of the row after it (and usually the sequence).
    """
    problems: list[Problem] = []
    expected_prev = GENESIS
    expected_seq = 1
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq > expected_seq:
            problems.append(Problem(event.seq, "deleted", f"rows {expected_seq}–{event.seq - 1} are missing (deleted)"))
        elif event.prev_hash != expected_prev:
            problems.append(
                Problem(
                    event.seq,
                    "inserted",
                    "does not follow the row before it (a row was inserted, deleted or reordered)",
                )
            )
        if _event_digest(event) != event.hash:
            problems.append(Problem(event.seq, "changed", "content does not match its hash (the row was changed)"))
        expected_prev = event.hash
        expected_seq = event.seq + 1
    return problems
