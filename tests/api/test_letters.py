"""Letters: list, record, read (body decrypted, audited), reply status; and the institutions."""

from __future__ import annotations

from datetime import date

import pytest

from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.cases.models import Institution, Letter


@pytest.fixture
def institution(office):
    return Institution.objects.order_by("name").first()


@pytest.fixture
def letter(office, institution):
    return actions.record_letter(
        office.lawyer, office.case, institution=institution, direction="out", channel="email",
        sent_on=date(2026, 11, 1), subject="Humanitarian visa request", body="Dear consul, CANARY-BODY",
    )  # fmt: skip


def test_the_list_has_subjects_not_bodies_and_is_audited(api_as, office, letter):
    response = api_as("volunteer").get(f"/api/v1/clients/{office.case.id}/letters")
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["id"] == str(letter.id)
    assert item["subject"] == "Humanitarian visa request"
    assert "body" not in item
    assert item["followup_due"] == letter.followup_due.isoformat()
    event = AuditEvent.objects.get(action="read", target_type="cases.letter")
    assert event.actor == office.volunteer
    assert event.fields == "subject"


def test_a_lawyer_records_a_letter_encrypted_with_a_follow_up(as_lawyer_api, office, institution):
    body = {
        "institution": str(institution.id), "direction": "out", "channel": "post", "date": "2026-11-10",
        "subject": "Asylum visa", "body": "Please find attached CANARY-7",
    }  # fmt: skip
    response = as_lawyer_api.post(f"/api/v1/clients/{office.case.id}/letters", body)
    assert response.status_code == 201
    data = response.json()
    assert "subject" not in data
    assert "body" not in data
    assert data["reply_status"] == "awaiting"
    assert data["followup_due"] is not None
    letter = Letter.objects.get(pk=data["id"])
    assert b"CANARY-7" not in bytes(letter.body_enc)
    assert actions.read_letter(office.lawyer, letter) == ("Asylum visa", "Please find attached CANARY-7")
    created = AuditEvent.objects.get(action="create", target_id=str(letter.id))
    assert created.fields == "body,subject"
    assert "CANARY" not in repr(list(AuditEvent.objects.values_list("fields", "detail")))
    office.case.refresh_from_db()
    assert office.case.next_deadline == letter.followup_due


def test_a_letter_is_read_with_its_body_and_audited(api_as, office, letter):
    response = api_as("volunteer").get(f"/api/v1/letters/{letter.id}")
    assert response.status_code == 200
    assert response.json()["body"] == "Dear consul, CANARY-BODY"
    assert response.json()["subject"] == "Humanitarian visa request"
    event = AuditEvent.objects.get(action="read", target_id=str(letter.id))
    assert event.actor == office.volunteer
    assert event.fields == "body,subject"


def test_the_reply_status_is_recorded_and_audited(as_lawyer_api, office, letter):
    response = as_lawyer_api.patch(
        f"/api/v1/letters/{letter.id}", {"reply_status": "answered", "answered_on": "2026-11-20"}
    )
    assert response.status_code == 200
    data = response.json()
    assert data["reply_status"] == "answered"
    assert data["answered_on"] == "2026-11-20"
    assert data["followup_due"] is None
    letter.refresh_from_db()
    assert letter.reply_status == "answered"
    event = AuditEvent.objects.get(action="update", target_id=str(letter.id))
    assert event.detail == {"reply_status": "answered"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reply_status": "awaiting", "answered_on": "2026-11-20"}, "answered_on"),
        ({"reply_status": "answered", "answered_on": "2026-10-01"}, "answered_on"),
        ({"reply_status": "lost"}, "reply_status"),
        ({}, "reply_status"),
    ],
)
def test_a_bad_reply_is_a_400_and_nothing_changes(as_lawyer_api, letter, body, field):
    response = as_lawyer_api.patch(f"/api/v1/letters/{letter.id}", body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    letter.refresh_from_db()
    assert letter.reply_status == "awaiting"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"institution": "00000000-0000-4000-8000-000000000000"}, "institution"),
        ({"institution": "embassy"}, "institution"),
        ({"date": "01.11.2026"}, "date"),
        ({"direction": "sideways"}, "direction"),
        ({"subject": None}, "subject"),
    ],
)
def test_a_bad_letter_is_a_400_and_nothing_is_saved(as_lawyer_api, office, institution, change, field):
    body = {"institution": str(institution.id), "date": "2026-11-10", "subject": "S"} | change
    response = as_lawyer_api.post(f"/api/v1/clients/{office.case.id}/letters", body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert not Letter.objects.exists()


def test_letters_of_a_case_one_may_not_see_are_404(api_as, office, letter, institution):
    api = api_as("volunteer_none")
    assert api.get(f"/api/v1/clients/{office.case.id}/letters").status_code == 404
    assert api.get(f"/api/v1/letters/{letter.id}").status_code == 404
    assert api.patch(f"/api/v1/letters/{letter.id}", {"reply_status": "refused"}).status_code == 404
    body = {"institution": str(institution.id), "date": "2026-11-10", "subject": "S"}
    assert api.post(f"/api/v1/clients/{office.case.id}/letters", body).status_code == 404
    letter.refresh_from_db()
    assert letter.reply_status == "awaiting"
    assert Letter.objects.count() == 1
    assert not AuditEvent.objects.filter(action="read").exists()


def test_the_institutions_directory_lists_ids_for_letters(api_as, institution):
    response = api_as("volunteer_none", ["letters:read"]).get("/api/v1/institutions")
    assert response.status_code == 200
    assert str(institution.id) in {item["id"] for item in response.json()["results"]}
