"""Events recorded in a batch land in the chain together, in order, and the chain still verifies."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from passage.audit.chain import batched, record, verify
from passage.audit.models import AuditEvent, AuditHead


def _tail(count: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("-seq")[:count])[::-1]


def test_a_batch_is_written_when_it_ends_in_order_and_signed(office: Any) -> None:
    before = AuditEvent.objects.count()
    with batched():
        record(office.lawyer, "read", target_type="cases.case", target_id="one", fields=["narrative"])
        record(office.lawyer, "read", target_type="cases.note", target_id="one", fields=["text"])
        record(office.lawyer, "read", target_type="cases.letter", target_id="one", fields=["subject"])
        assert AuditEvent.objects.count() == before  # nothing yet
    events = _tail(3)
    assert AuditEvent.objects.count() == before + 3
    assert [event.target_type for event in events] == ["cases.case", "cases.note", "cases.letter"]
    assert [event.seq for event in events] == list(range(events[0].seq, events[0].seq + 3))
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert all(event.mac for event in events)
    assert AuditHead.objects.get(pk=1).signed_seq == events[-1].seq
    assert verify() == []


def test_a_batch_costs_one_append_however_many_events(office: Any) -> None:
    with CaptureQueriesContext(connection) as one:
        with batched():
            record(office.lawyer, "read", target_type="cases.case", target_id="x")
    with CaptureQueriesContext(connection) as five:
        with batched():
            for number in range(5):
                record(office.lawyer, "read", target_type="cases.case", target_id=str(number))
    assert len(five.captured_queries) == len(one.captured_queries)
    assert verify() == []


def test_reads_recorded_before_an_error_are_still_written(office: Any) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ZeroDivisionError), batched():
        record(office.lawyer, "read", target_type="cases.case", target_id="before-the-error")
        _ = 1 / 0
    assert AuditEvent.objects.count() == before + 1
    assert _tail(1)[0].target_id == "before-the-error"
    assert verify() == []


def test_a_batch_inside_a_batch_is_written_once_by_the_outer_one(office: Any) -> None:
    before = AuditEvent.objects.count()
    with batched():
        record(office.lawyer, "read", target_type="cases.case", target_id="outer")
        with batched():
            record(office.lawyer, "read", target_type="cases.case", target_id="inner")
        assert AuditEvent.objects.count() == before
    assert [event.target_id for event in _tail(2)] == ["outer", "inner"]
    assert verify() == []


def test_the_case_page_records_every_read_as_before(client: Any, office: Any) -> None:
    from passage.cases import actions
    from passage.cases.models import Institution
    from tests.conftest import verified_client

    case = office.case
    actions.add_note(office.lawyer, case, text="a note")
    actions.add_task(office.lawyer, case, title="a task", kind="task", due_on=actions.today())
    actions.record_letter(office.lawyer, case, institution=Institution.objects.order_by("name").first(),
                          direction="out", channel="email", sent_on=actions.today(), subject="s", body="b")  # fmt: skip
    seen = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    response = verified_client(client, office.lawyer).get(f"/cases/{case.id}/")
    assert response.status_code == 200
    reads = {(event.target_type, event.fields) for event in AuditEvent.objects.filter(seq__gt=seen, action="read")}
    assert reads == {
        ("cases.case", "aliases,contacts,facts,narrative"),
        ("cases.note", "text"),
        ("cases.task", "title"),
        ("cases.letter", "subject"),
    }
    assert verify() == []
