"""Recording and verifying audit events.

Each row carries the SHA-256 of its predecessor and of its own content (the chain), and — when
written while the vault is unsealed — an HMAC of that hash under a key derived from the master
key. The chain shows which row was changed, inserted or deleted; the HMAC shows rows forged by
someone who can write to the database but does not hold the vault's key, including rows
appended after the last real one. Only refused unseal attempts happen while sealed, so they are
the only rows allowed without an HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from passage.audit.models import AuditEvent, AuditHead
from passage.round_trips import joined_round_trips

GENESIS = "0" * 64
_RETRIES = 20
# Rows that can only be written while the vault is sealed, hence without an HMAC.
SEALED_ACTIONS = frozenset({"unseal_failed"})
_HEAD_PK = 1  # the one AuditHead row
_HEAD_FIELDS = ("signed_seq", "signed_hash", "signed_mac")
_ADVISORY_LOCK = 0x70617373  # "pass": serialises appends on PostgreSQL
# Events waiting for the end of a batch (see batched), or None when every event is written at once.
_batch: ContextVar[list[AuditEvent] | None] = ContextVar("passage_audit_batch", default=None)


Signer = Callable[[str], "str | None"]


@dataclass
class _Waiting:
    """A request's ended batches, kept for the commit that ends the request (see until_response),
    with the signer that was in hand when they were recorded."""

    events: list[AuditEvent]
    signer: Signer | None = None


# Inside until_response: the request's waiting events; None elsewhere (a batch is appended when it ends).
_waiting: ContextVar[_Waiting | None] = ContextVar("passage_audit_waiting", default=None)


def _head_text(seq: int, row_hash: str) -> str:
    return f"head|{seq}|{row_hash}"


def _head_mac(seq: int, row_hash: str, signer: Signer | None = None) -> str | None:
    return (signer or _vault_signer)(_head_text(seq, row_hash))


def _vault_signer(row_hash: str) -> str | None:
    """The row's HMAC under the vault's audit key, or None while sealed."""
    from passage.sealing.service import audit_mac

    return audit_mac(row_hash)


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
    """Append one event to the chain (inside :func:`batched`, when the batch ends).

    Args:
        actor: the user (or None for the system, an anonymous unseal, the intake portal).
        action: what happened, e.g. ``read``, ``update``, ``login``, ``unseal``.
        target: a model instance (its table and primary key are recorded), or use
            ``target_type``/``target_id``.
        fields: names of the sensitive fields read or changed (names only, never values).
        detail: small non-sensitive facts (e.g. a status change); never content.

    Returns:
        The event; inside a batch it has no sequence number or hash until the batch ends.

    Concurrent writers from several processes are serialised by the unique sequence number:
    a writer that loses the race retries on top of the new last row.
    """
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(target.pk)
    actor_user = actor if getattr(actor, "is_authenticated", False) else None
    actor_label = actor_user.get_username() if actor_user is not None else (actor if isinstance(actor, str) else "")
    event = AuditEvent(
        at=timezone.now(),
        actor=actor_user,
        actor_label=actor_label,
        action=action,
        target_type=target_type,
        target_id=target_id,
        fields=",".join(sorted(set(fields))),
        detail=detail or {},
    )
    pending = _batch.get()
    if pending is not None:
        pending.append(event)
    else:
        _append([event])
    return event


@contextmanager
def batched() -> Iterator[None]:
    """Events recorded inside the block are appended together when it ends, even by an error.

    A page that decrypts a case, its letters, notes, tasks and incidents records a read of each;
    appending them one by one costs a transaction, a look-up of the last row and a new signed
    head for every event. The events, their order and their content are the same either way.
    Use it around reads: an event recorded inside is written even if a transaction in the block
    rolls back. Inside a request (:func:`until_response`) the ended batch waits and is committed
    with the request's session, before the response leaves.
    """
    outer = _batch.get()
    if outer is not None:  # already batching: the outer block writes them
        yield
        return
    pending: list[AuditEvent] = []
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
        if pending:
            waiting = _waiting.get()
            if waiting is None:
                _append(pending)
            else:
                waiting.events.extend(pending)
                waiting.signer = _signer_in_hand()


@contextmanager
def until_response() -> Iterator[None]:
    """Within the block (one request), ended batches wait to be committed with the session.

    Every staff page saves its session when it is done (the expiry slides with activity), and a
    page that reads a case commits its audit rows too: two transactions, each waiting for the
    disk, and on PostgreSQL five round trips. Inside this block a batch that ends is kept
    instead, and the session store's save (``passage.web.sessions``) appends it in the same
    transaction as the session's row: one commit. Whatever is still waiting when the block ends
    (no session to save, an error page) is appended then, so the response never leaves before
    its reads are in the chain. The events, their order in the batch and their signatures are
    the same as when appended at once; they are signed with the key in hand when the batch
    ended, as the request's key scope is over by the time the session is saved.
    """
    waiting = _Waiting([])
    token = _waiting.set(waiting)
    try:
        yield
    finally:
        try:
            append_waiting()
        finally:
            _waiting.reset(token)


def waiting_events() -> bool:
    """Whether this request has batched events that are not in the chain yet."""
    waiting = _waiting.get()
    return waiting is not None and bool(waiting.events)


def append_waiting(also: tuple[str, list[Any]] | None = None) -> int:
    """Append the request's waiting events now, with ``also`` (one more statement) in the same transaction.

    Returns the number of rows ``also`` changed (0 without it). The events stop waiting only once
    committed: on an error they are still there for the next try, and the error goes on.
    """
    waiting = _waiting.get()
    if waiting is None or not waiting.events:
        return 0
    changed = _append(waiting.events, waiting.signer, also)
    waiting.events = []
    return changed


def _signer_in_hand() -> Signer:
    from passage.sealing.service import audit_signer

    return audit_signer()


@dataclass(frozen=True)
class _Statements:
    """The append's SQL for one backend, written once from the models' own table and column names.

    Django's ORM builds a statement's SQL anew on every call, which cost an append more than
    the database did; these three are plain, fixed SQL with bound parameters.
    """

    last: str
    insert: str
    insert_fields: tuple[Any, ...]
    set_head: str


@lru_cache(maxsize=4)
def _statements_for(vendor: str) -> _Statements:
    quote = connection.ops.quote_name
    events, head = AuditEvent._meta, AuditHead._meta
    seq, row_hash = (quote(events.get_field(name).column) for name in ("seq", "hash"))
    fields = tuple(field for field in events.concrete_fields if not field.primary_key)
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))  # one bound parameter per column
    head_pk = quote(head.pk.column)
    head_columns = [quote(head.get_field(name).column) for name in _HEAD_FIELDS]
    moved = ", ".join(f"{column} = excluded.{column}" for column in head_columns)
    # Only the models' own quoted table and column names go into the text; values are bound.
    return _Statements(
        last=f"SELECT {seq}, {row_hash} FROM {quote(events.db_table)} ORDER BY {seq} DESC LIMIT 1",  # noqa: S608
        insert=f"INSERT INTO {quote(events.db_table)} ({columns}) VALUES ({placeholders})",  # noqa: S608
        insert_fields=fields,
        # One statement whether or not the head exists yet (SQLite and PostgreSQL both upsert).
        set_head=(
            f"INSERT INTO {quote(head.db_table)} ({head_pk}, {', '.join(head_columns)}) VALUES (%s, %s, %s, %s) "  # noqa: S608
            f"ON CONFLICT ({head_pk}) DO UPDATE SET {moved}"
        ),
    )


def _append(events: list[AuditEvent], signer: Signer | None = None, also: tuple[str, list[Any]] | None = None) -> int:
    """Chain ``events`` after the last row, in one transaction, and sign the new head.

    ``signer`` signs the rows (the vault's key as it is now, by default); ``also`` is one more
    statement committed with them, whose changed row count is returned (0 without it).
    Concurrent writers from several processes are serialised (SQLite's write lock, an advisory
    lock on PostgreSQL); a row slipped in without the lock fails the unique sequence number, and
    the append goes again on top of it.
    """
    statements = _statements_for(connection.vendor)
    for _attempt in range(_RETRIES):
        try:
            if connection.vendor == "postgresql" and not connection.in_atomic_block and connection.get_autocommit():
                return _append_piped(statements, events, signer, also)
            # Inside a caller's transaction (a change and its record commit together), or on SQLite.
            with transaction.atomic(), connection.cursor() as cursor:
                with joined_round_trips(connection):
                    _write(cursor, statements, events, signer)
                    if also is not None:
                        cursor.execute(*also)
                return 0 if also is None else int(cursor.rowcount)  # known once a pipeline has ended
        except IntegrityError:
            continue
    raise RuntimeError("could not append to the audit chain (too much contention)")


def _append_piped(
    statements: _Statements, events: list[AuditEvent], signer: Signer | None, also: tuple[str, list[Any]] | None
) -> int:
    """The append as its own transaction on PostgreSQL, in two round trips.

    In psycopg's pipeline mode the transaction's start, the lock and the look-up of the last row
    travel together; then the new rows, the head, ``also`` and the commit. Django's ``atomic``
    would add two more: psycopg sends its BEGIN on its own, and the commit after the pipeline has
    ended.
    Each statement still runs after the one before it, so the last row is read only once the lock
    is held. On any error the open transaction is rolled back before the error goes on.
    """
    try:
        with connection.cursor() as cursor, connection.cursor() as other:
            with joined_round_trips(connection):
                cursor.execute("BEGIN")
                _write(cursor, statements, events, signer)
                if also is not None:  # on a cursor of its own, whose row count is known once the pipeline ends
                    other.execute(*also)
                cursor.execute("COMMIT")
            return 0 if also is None else int(other.rowcount)
    except BaseException:
        _roll_back()
        raise


def _roll_back() -> None:
    """End a transaction that ``_append_piped`` left open, as Django's ``atomic`` would."""
    try:
        with connection.wrap_database_errors:
            connection.connection.rollback()  # psycopg: only when a transaction is open
    except Exception:  # a connection that cannot roll back is not used again
        connection.close()


def _write(cursor: Any, statements: _Statements, events: list[AuditEvent], signer: Signer | None) -> None:
    """Under the lock: read the last row, chain and sign the events after it, insert them, move the head."""
    sign = signer or _vault_signer
    if connection.vendor == "postgresql":
        # Writers from several processes queue here instead of racing for the next sequence
        # number (SQLite already serialises writers).
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])
    cursor.execute(statements.last)
    last = cursor.fetchone()
    seq, prev_hash = (int(last[0]), str(last[1])) if last else (0, GENESIS)
    for event in events:
        seq += 1
        event.seq, event.prev_hash = seq, prev_hash
        event.hash = prev_hash = _event_digest(event)
        event.mac = sign(event.hash) or ""
    cursor.executemany(
        statements.insert,
        [[field.get_db_prep_save(field.pre_save(event, True), connection) for field in statements.insert_fields]
         for event in events],
    )  # fmt: skip
    signed = [event for event in events if event.mac]
    if signed:
        head = signed[-1]
        cursor.execute(statements.set_head, [_HEAD_PK, head.seq, head.hash, _head_mac(head.seq, head.hash, sign) or ""])


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str  # changed | inserted | deleted | forged
    message: str

    def __str__(self) -> str:
        return f"row {self.seq}: {self.message}"


def verify(signer: Signer | None = _vault_signer) -> list[Problem]:
    """Walk the whole chain; return every problem found (an empty list means intact).

    A changed row fails its own hash; a deleted row leaves a gap in the sequence; an inserted
    or reordered row breaks the link of the row after it. With the vault unsealed, every row's
    HMAC is checked too: a row without one (other than a refused unseal) or with a wrong one was
    not written by Passage — this catches rows forged at the end of the chain.

    Args:
        signer: computes a row's HMAC (None, or a signer returning None while sealed, skips it).
    """
    check_macs = signer is not None and signer(GENESIS) is not None
    problems: list[Problem] = []
    expected_prev = GENESIS
    expected_seq = 1
    last_signed: tuple[int, str] | None = None
    seen: dict[int, str] = {}
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        seen[event.seq] = event.hash
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
        elif check_macs and signer is not None:
            if not event.mac and event.action not in SEALED_ACTIONS:
                problems.append(Problem(event.seq, "forged", "has no HMAC: it was not written by Passage (forged)"))
            elif event.mac and not hmac.compare_digest(event.mac, signer(event.hash) or ""):
                problems.append(
                    Problem(event.seq, "forged", "HMAC does not match: it was not written by Passage (forged)")
                )
        expected_prev = event.hash
        expected_seq = event.seq + 1
        if event.mac:
            last_signed = (event.seq, event.hash)
    if check_macs and signer is not None:
        problems.extend(_check_head(signer, last_signed, seen))
    return problems


def _check_head(signer: Signer, last_signed: tuple[int, str] | None, seen: dict[int, str]) -> list[Problem]:
    """The signed head must name a row that is still there, and no later signed row may exist."""
    head = AuditHead.objects.filter(pk=_HEAD_PK).first()
    if head is None:
        if last_signed is None:
            return []
        return [Problem(last_signed[0], "deleted", "the signed end of the chain is missing (its record was deleted)")]
    if not hmac.compare_digest(head.signed_mac, _head_mac(head.signed_seq, head.signed_hash, signer) or ""):
        return [Problem(head.signed_seq, "forged", "the record of where the chain ends was not written by Passage")]
    if seen.get(head.signed_seq) != head.signed_hash:
        return [
            Problem(
                head.signed_seq,
                "deleted",
                f"the chain should reach row {head.signed_seq}, which is missing or changed (the last rows were deleted)",
            )
        ]
    if last_signed is not None and last_signed[0] > head.signed_seq:
        return [Problem(last_signed[0], "forged", "rows after the recorded end of the chain (the end was rolled back)")]
    return []
