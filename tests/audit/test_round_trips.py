"""The append on PostgreSQL: its statements share round trips (pipeline mode), and a row that
another writer slipped in still makes it retry on top, as outside the pipeline.

``transaction=True``: the other writer is a second connection, which sees only committed rows.
"""

from __future__ import annotations

import os
from itertools import pairwise
from typing import Any

import pytest
from django.db import connection

from passage.audit import chain
from passage.audit.chain import GENESIS, record, verify
from passage.audit.models import AuditEvent, AuditHead
from tests.conftest import statements_piped

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_append_sends_its_statements_in_a_pipeline_on_postgresql(office: Any) -> None:
    with statements_piped() as piped:
        event = record(office.lawyer, "read", target_type="cases.case", target_id="x", fields=["narrative"])
    # PostgreSQL: lock, last row, insert and head all in the pipeline; SQLite never pipes.
    assert len(piped) >= 3
    assert all(piped) if connection.vendor == "postgresql" else not any(piped)
    assert AuditHead.objects.get(pk=1).signed_seq == event.seq
    assert verify() == []


_POSTGRES_ONLY = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="PostgreSQL only: SQLite has no pipeline, and its write lock keeps a second writer out",
)


def _round_trips(trace: str) -> int:
    """How many times the client sent messages and then waited for the server's (libpq's trace)."""
    senders = [line.split("\t")[0] for line in trace.splitlines() if line]
    return sum(1 for pair in pairwise(senders) if pair == ("F", "B"))


@_POSTGRES_ONLY
def test_an_append_of_its_own_takes_two_round_trips_on_postgresql(office: Any, tmp_path: Any) -> None:
    """[BEGIN, lock, last row] and [rows, head, COMMIT]: Django's atomic would add two more."""
    from psycopg import pq

    record(office.lawyer, "read", target_type="cases.case", target_id="warm", fields=["narrative"])
    traced = tmp_path / "libpq.trace"
    pgconn = connection.connection.pgconn
    with traced.open("w") as out:
        pgconn.trace(out.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            event = record(office.lawyer, "read", target_type="cases.case", target_id="x", fields=["narrative"])
        finally:
            pgconn.untrace()
    trace = traced.read_text()
    assert _round_trips(trace) == 2, trace
    assert '"BEGIN"' in trace and '"COMMIT"' in trace
    assert connection.connection.info.transaction_status == pq.TransactionStatus.IDLE
    assert AuditEvent.objects.get(seq=event.seq).target_id == "x"
    assert verify() == []


@_POSTGRES_ONLY
def test_an_append_that_fails_on_postgresql_leaves_no_transaction_open(office: Any, monkeypatch: Any) -> None:
    from psycopg import pq

    before = AuditEvent.objects.count()

    def broken_signer(row_hash: str) -> str | None:
        raise RuntimeError("signing failed")

    monkeypatch.setattr(chain, "_vault_signer", broken_signer)
    with pytest.raises(RuntimeError, match="signing failed"):
        record(office.lawyer, "read", target_type="cases.case", target_id="lost", fields=["narrative"])
    assert connection.connection.info.transaction_status == pq.TransactionStatus.IDLE  # rolled back
    monkeypatch.undo()
    assert AuditEvent.objects.count() == before
    record(office.lawyer, "read", target_type="cases.case", target_id="next", fields=["narrative"])
    assert AuditEvent.objects.count() == before + 1 and verify() == []


@_POSTGRES_ONLY
def test_a_row_slipped_in_by_another_writer_makes_the_append_retry_on_top(office: Any, monkeypatch: Any) -> None:
    """Someone writing without the lock takes the sequence number the append is about to use: the
    insert fails when the pipeline ends, as Django's IntegrityError, and the append goes again."""
    import psycopg

    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"], autocommit=True
    )
    sign = chain._vault_signer
    slipped: list[int] = []

    def sign_after_a_rogue_insert(row_hash: str) -> str | None:
        if not slipped:  # after the append read the last row, before it inserts
            slipped.append(last.seq + 1)
            other.execute(
                f"INSERT INTO {AuditEvent._meta.db_table} (seq, at, actor_label, action, target_type, target_id, "  # noqa: S608
                "fields, detail, prev_hash, hash, mac) VALUES (%s, now(), 'rogue', 'x', '', '', '', '{}', %s, %s, '')",
                [last.seq + 1, last.hash, GENESIS],
            )
        return sign(row_hash)

    monkeypatch.setattr(chain, "_vault_signer", sign_after_a_rogue_insert)
    try:
        event = record(office.lawyer, "read", target_type="cases.case", target_id="after", fields=["narrative"])
    finally:
        other.close()
    assert slipped == [last.seq + 1]
    assert event.seq == last.seq + 2  # on top of the row slipped in
    assert AuditEvent.objects.get(seq=last.seq + 2).target_id == "after"
    assert [(problem.seq, problem.kind) for problem in verify()] == [(last.seq + 1, "changed")]  # the rogue row
