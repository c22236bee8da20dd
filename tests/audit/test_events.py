"""What the audit chain records: every login, failed login, seal, unseal, reveal, read and change,
with who, what, which record and which fields — and never the content (canaries are searched for).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from passage.audit.chain import verify
from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.cases.models import Institution
from passage.sealing import service
from tests.conftest import PASSPHRASE, verified_client

CANARIES = {
    "name": "CANARY-AUDIT-NAME",
    "alias": "CANARY-AUDIT-ALIAS",
    "contacts": "CANARY-AUDIT-CONTACT",
    "narrative": "CANARY-AUDIT-NARRATIVE",
    "subject": "CANARY-AUDIT-SUBJECT",
    "body": "CANARY-AUDIT-BODY",
    "note": "CANARY-AUDIT-NOTE",
    "task": "CANARY-AUDIT-TASK",
    "incident": "CANARY-AUDIT-INCIDENT",
    "password": "CANARY-AUDIT-PASSWORD-123",
    "passphrase": "CANARY-AUDIT-PASSPHRASE-456",
}


def _every_audit_value() -> str:
    """Every column of every audit row, as text (what a reader of the audit table sees)."""
    rows = AuditEvent.objects.values_list(
        "actor_label", "action", "target_type", "target_id", "fields", "detail", "prev_hash", "hash"
    )
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def _events(action: str, **filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("seq"))


def test_logins_and_failed_logins_are_recorded_without_the_password(client: Client, office: Any) -> None:
    client.post("/accounts/login/", {"username": office.lawyer.username, "password": CANARIES["password"]})
    client.post("/accounts/login/", {"username": office.lawyer.username, "password": "a-long-test-password-2"})
    [failed] = _events("login_failed")
    assert failed.actor is None and failed.detail == {"username": office.lawyer.username}
    [login] = _events("login")
    assert login.actor == office.lawyer and login.target_id == str(office.lawyer.pk)
    client.post("/accounts/logout/")
    assert _events("logout", actor=office.lawyer)
    assert CANARIES["password"] not in _every_audit_value()
    assert verify() == []


def test_seal_unseal_and_failed_unseal_are_recorded_without_the_passphrase(client: Client, office: Any) -> None:
    verified_client(client, office.lawyer).post("/vault/seal/")
    anonymous = Client()
    anonymous.post("/unseal/", {"method": "passphrase", "passphrase": CANARIES["passphrase"]})
    anonymous.post("/unseal/", {"method": "passphrase", "passphrase": PASSPHRASE})
    [seal] = _events("seal")
    assert seal.actor == office.lawyer and seal.target_type == "sealing.vault"
    [failed] = _events("unseal_failed")
    assert failed.detail == {"method": "passphrase"}
    assert _events("unseal", detail__method="passphrase")
    values = _every_audit_value()
    assert CANARIES["passphrase"] not in values and PASSPHRASE not in values
    assert verify() == []


def test_reads_reveals_and_changes_name_the_record_and_fields_never_the_content(client: Client, office: Any) -> None:
    lawyer = verified_client(client, office.lawyer)
    institution = Institution.objects.order_by("name").first()
    case = actions.create_case(
        office.lawyer, true_name=CANARIES["name"], aliases=[CANARIES["alias"]], contacts=CANARIES["contacts"],
        narrative=CANARIES["narrative"], facts={"citizenship": "RU", "current_country": "KZ"},
    )  # fmt: skip
    created = _events("create", target_id=str(case.id))
    assert created[0].fields == "aliases,contacts,facts,narrative,true_name"
    letter = actions.record_letter(office.lawyer, case, institution=institution, direction="out", channel="email",
                                   sent_on=actions.today(), subject=CANARIES["subject"], body=CANARIES["body"])  # fmt: skip
    actions.add_note(office.lawyer, case, text=CANARIES["note"])
    actions.add_task(office.lawyer, case, title=CANARIES["task"], due_on=actions.today())
    actions.add_incident(office.lawyer, case, kind="threat", occurred_on=actions.today(), country="KZ",
                         description=CANARIES["incident"])  # fmt: skip
    AuditEvent.objects.filter(action="read").delete()  # only what the pages below read
    start = AuditEvent.objects.order_by("-seq").first().seq

    assert CANARIES["narrative"] in lawyer.get(f"/cases/{case.id}/").content.decode()
    reads = AuditEvent.objects.filter(action="read", seq__gt=start, actor=office.lawyer)
    assert reads.filter(target_type="cases.case", target_id=str(case.id), fields="aliases,contacts,facts,narrative")
    assert reads.filter(target_type="cases.note", fields="text") and reads.filter(
        target_type="cases.task", fields="title"
    )
    assert reads.filter(target_type="cases.incident", fields="description")
    assert reads.filter(target_type="cases.letter", fields="subject")

    assert CANARIES["body"] in lawyer.get(f"/letters/{letter.id}/").content.decode()
    assert reads.filter(target_type="cases.letter", target_id=str(letter.id), fields="body,subject")

    assert CANARIES["name"] in lawyer.post(f"/cases/{case.id}/reveal/").content.decode()
    [reveal] = _events("reveal", target_id=str(case.id))
    assert reveal.actor == office.lawyer and reveal.fields == "true_name"

    lawyer.get(f"/cases/{case.id}/plan/")
    assert _events("read", target_id=str(case.id), detail__view="plan")

    lawyer.post(f"/cases/{case.id}/details/", {"aliases": "", "contacts": "changed", "narrative": "changed"})
    [change] = _events("update", target_id=str(case.id), fields__contains="narrative")
    assert change.actor == office.lawyer and change.fields == "aliases,contacts,narrative"
    lawyer.post(
        f"/letters/{letter.id}/status/", {"reply_status": "refused", "answered_on": actions.today().isoformat()}
    )
    assert _events("update", target_id=str(letter.id), detail={"reply_status": "refused"})
    lawyer.post("/cases/", {"by": "alias", "value": CANARIES["alias"]})
    assert _events("search", detail__by="alias")

    values = _every_audit_value()
    leaked = [name for name, canary in CANARIES.items() if canary in values or canary.lower() in values.lower()]
    assert leaked == []
    assert verify() == []


def test_every_audit_row_names_who_acted(client: Client, office: Any) -> None:
    verified_client(client, office.volunteer).get(f"/cases/{office.case.id}/")
    read = AuditEvent.objects.filter(action="read", actor=office.volunteer).first()
    assert read is not None and read.actor_label == office.volunteer.username
    assert read.at is not None and read.target_type == "cases.case"


@pytest.mark.parametrize("method", ["passphrase", "shares"])
def test_a_refused_unseal_is_recorded_even_without_an_account(client: Client, office: Any, method: str) -> None:
    service.seal()
    field = {"passphrase": {"passphrase": "nope nope nope nope"}, "shares": {"shares": "word " * 20}}[method]
    client.post("/unseal/", {"method": method, **field})
    assert [event.detail["method"] for event in _events("unseal_failed")] == [method]
