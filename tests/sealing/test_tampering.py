"""Tampered or moved ciphertext is refused through the app: a clear 409, audited, never garbage.

Every sensitive field is bound to its table, row and field by the AEAD's associated data. A
flipped byte, or a ciphertext copied from another row (another case's narrative, another
letter's body), must fail decryption. The office sees a page saying the record failed its
integrity check — not a 500, not a traceback, not the other row's text — and the failure is in
the audit chain with the view and the ids, never content.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.cases.models import Case, Institution, Letter
from passage.vault import TamperedError
from tests.api.conftest import Api, issue
from tests.conftest import verified_client


def _flip(blob: bytes, position: int = -5) -> bytes:
    data = bytearray(blob)
    data[position] ^= 0x01
    return bytes(data)


@pytest.fixture
def letters(office: Any) -> tuple[Letter, Letter]:
    institution = Institution.objects.order_by("name").first()

    def write(case: Any, body: str) -> Letter:
        return actions.record_letter(office.lawyer, case, institution=institution, direction="out", channel="email",
                                     sent_on=actions.today(), subject=f"Subject {body}", body=body)  # fmt: skip

    return write(office.case, "BODY-OF-LETTER-ONE"), write(office.case, "BODY-OF-LETTER-TWO")


def _assert_integrity_page(response: Any, *, hidden: list[str]) -> None:
    page = response.content.decode()
    assert response.status_code == 409, page[:500]
    assert "Integrity check failed" in page
    assert "Traceback" not in page and "TamperedError" not in page
    for text in hidden:
        assert text not in page


def test_a_flipped_byte_in_a_case_field_gives_the_integrity_page(client: Client, office: Any) -> None:
    stored = Case.objects.get(pk=office.case.pk)
    Case.objects.filter(pk=stored.pk).update(narrative_enc=_flip(bytes(stored.narrative_enc)))
    lawyer = verified_client(client, office.lawyer)
    _assert_integrity_page(lawyer.get(f"/cases/{office.case.id}/"), hidden=["Left the unit"])
    failure = AuditEvent.objects.filter(action="integrity_failed").get()
    assert failure.actor == office.lawyer
    assert failure.detail == {"view": "cases:detail", "case_id": str(office.case.id)}
    with pytest.raises(TamperedError):
        actions.read_case(office.lawyer, Case.objects.get(pk=office.case.pk))


def test_a_narrative_copied_from_another_case_is_refused(client: Client, office: Any) -> None:
    source = Case.objects.get(pk=office.case.pk)
    Case.objects.filter(pk=office.other_case.pk).update(narrative_enc=bytes(source.narrative_enc))
    lawyer = verified_client(client, office.lawyer)
    _assert_integrity_page(lawyer.get(f"/cases/{office.other_case.id}/"), hidden=["Left the unit"])
    # The case the ciphertext came from still reads as before.
    assert lawyer.get(f"/cases/{office.case.id}/").status_code == 200


def test_a_field_moved_to_another_field_of_the_same_case_is_refused(client: Client, office: Any) -> None:
    stored = Case.objects.get(pk=office.case.pk)
    Case.objects.filter(pk=stored.pk).update(contacts_enc=bytes(stored.true_name_enc))
    lawyer = verified_client(client, office.lawyer)
    _assert_integrity_page(lawyer.get(f"/cases/{office.case.id}/"), hidden=["Ivan Testov"])


def test_letter_bodies_swapped_between_letters_are_refused(client: Client, office: Any, letters: Any) -> None:
    one, two = (Letter.objects.get(pk=letter.pk) for letter in letters)
    Letter.objects.filter(pk=one.pk).update(body_enc=bytes(two.body_enc))
    Letter.objects.filter(pk=two.pk).update(body_enc=bytes(one.body_enc))
    volunteer = verified_client(client, office.volunteer)
    for letter in (one, two):
        _assert_integrity_page(
            volunteer.get(f"/letters/{letter.id}/"), hidden=["BODY-OF-LETTER-ONE", "BODY-OF-LETTER-TWO"]
        )
    assert AuditEvent.objects.filter(action="integrity_failed", detail__view="cases:letter").count() == 2


def test_the_api_answers_a_tampered_record_with_json(client: Client, office: Any, letters: Any) -> None:
    one, two = letters
    Letter.objects.filter(pk=one.pk).update(subject_enc=bytes(Letter.objects.get(pk=two.pk).subject_enc))
    api = Api(client, issue(office.lawyer))
    response = api.get(f"/api/v1/letters/{one.id}")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert "integrity check failed" in response.json()["error"]
    assert "Subject" not in response.content.decode()
    assert AuditEvent.objects.filter(action="integrity_failed", detail__view="api:letter").exists()


def test_a_truncated_or_emptied_ciphertext_is_refused(client: Client, office: Any) -> None:
    stored = Case.objects.get(pk=office.case.pk)
    lawyer = verified_client(client, office.lawyer)
    for broken in (bytes(stored.facts_enc)[:20], b"\x01" + bytes(40)):
        Case.objects.filter(pk=stored.pk).update(facts_enc=broken)
        _assert_integrity_page(lawyer.get(f"/cases/{office.case.id}/plan/"), hidden=["deserter"])


def test_the_dashboard_still_works_beside_a_tampered_case(client: Client, office: Any) -> None:
    """The dashboard reads only plain summary columns: one bad record does not take it down."""
    stored = Case.objects.get(pk=office.case.pk)
    Case.objects.filter(pk=stored.pk).update(narrative_enc=_flip(bytes(stored.narrative_enc)))
    lawyer = verified_client(client, office.lawyer)
    page = lawyer.get("/")
    assert page.status_code == 200 and office.case.code in page.content.decode()
