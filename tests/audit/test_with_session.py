"""A request's batched reads wait for the end of the request and are committed with its session.

``transaction=True``: what is counted are real commits, and a failing statement must not leave
a test's own transaction broken.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from passage.audit.chain import append_waiting, batched, record, until_response, verify, waiting_events
from passage.audit.models import AuditEvent
from passage.sealing import service
from passage.vault import LocalKeyHolder
from passage.web.sessions import SessionStore
from tests.conftest import PASSPHRASE, verified_client

pytestmark = pytest.mark.django_db(transaction=True)


def _read(office: Any, target_id: str) -> None:
    with batched():
        record(office.lawyer, "read", target_type="cases.case", target_id=target_id, fields=["narrative"])


def _ids() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("target_id", flat=True))


def test_the_case_page_commits_its_reads_and_its_session_once(client: Any, office: Any) -> None:
    web = verified_client(client, office.lawyer)
    key = web.session.session_key
    before_expiry = Session.objects.get(session_key=key).expire_date
    seen = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as captured:
        response = web.get(f"/cases/{office.case.id}/")
    assert response.status_code == 200
    statements = [query["sql"] for query in captured.captured_queries]
    commits = [number for number, sql in enumerate(statements) if sql == "COMMIT"]
    assert len(commits) == 1, statements
    written = [number for number, sql in enumerate(statements) if "audit_auditevent" in sql and "INSERT" in sql]
    session_update = [number for number, sql in enumerate(statements) if sql.startswith('UPDATE "django_session"')]
    assert written and session_update and max(written + session_update) < commits[0]
    assert AuditEvent.objects.filter(seq__gt=seen, action="read", target_id=str(office.case.id)).exists()
    assert Session.objects.get(session_key=key).expire_date >= before_expiry
    assert verify() == []


def test_reads_wait_for_the_end_of_the_request_without_a_session(office: Any) -> None:
    with until_response():
        _read(office, "waits")
        assert waiting_events()
        assert "waits" not in _ids()
    assert not waiting_events()
    assert _ids()[-1] == "waits"
    assert verify() == []


def test_a_session_deleted_meanwhile_does_not_lose_the_reads(office: Any) -> None:
    session = SessionStore()
    session["something"] = "kept"
    session.create()
    with until_response():
        _read(office, "logged-out-elsewhere")
        Session.objects.filter(session_key=session.session_key).delete()
        with pytest.raises(UpdateError):
            session.save()
        assert not waiting_events()
    assert _ids()[-1] == "logged-out-elsewhere"
    assert verify() == []


def test_a_session_save_that_fails_keeps_the_reads_for_the_end_of_the_request(office: Any) -> None:
    with until_response():
        _read(office, "survives")
        with pytest.raises(DatabaseError):
            append_waiting(also=("UPDATE no_such_table SET nothing = 1", []))
        assert "survives" not in _ids()  # rolled back with the failing statement ...
        assert waiting_events()  # ... and still waiting
    assert _ids()[-1] == "survives"
    assert verify() == []


def test_waiting_reads_are_signed_with_the_key_in_hand_when_they_were_recorded(office: Any) -> None:
    held = service.holder()
    with until_response():
        with service.request_scope():
            _read(office, "signed-in-scope")
        # After the request's key scope, this process holds no key at all (a sealed holder):
        # asked now, the rows could not be signed.
        service.use_holder(LocalKeyHolder())
    service.use_holder(held)
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.target_id == "signed-in-scope" and event.mac
    assert verify() == []


def test_sealing_writes_the_waiting_reads_first_while_they_can_still_be_signed(office: Any) -> None:
    with until_response():
        _read(office, "before-the-seal")
        service.seal(actor=office.lawyer)
        assert _ids()[-2:] == ["before-the-seal", ""]  # the read, then the seal
    service.unseal_passphrase(PASSPHRASE)
    assert verify() == []


def test_rotating_the_master_key_writes_the_waiting_reads_first(office: Any) -> None:
    with until_response():
        _read(office, "before-the-rotation")
        service.rotate("a new office passphrase for the rotation test", actor=office.lawyer)
        assert _ids()[-2:] == ["before-the-rotation", ""]  # the read, then the rotation
    assert verify() == []
