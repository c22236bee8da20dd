"""The office's inbox: lawyers and admins only, unsealed only, every read audited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from passage.audit.chain import verify
from passage.audit.models import AuditEvent
from passage.intake import codename as codenames
from passage.intake import office as intake_office
from passage.intake.keys import reply_aad
from passage.intake.models import Account, Reply, Submission, SubmissionStatus, Upload
from passage.intake.uploads import IntakeStore
from passage.sealing import service
from passage.vault import PersonKeys, open_sealed
from tests.conftest import PASSPHRASE, verified_client
from tests.intake.conftest import PDF_BYTES, Person


@pytest.fixture
def arrived(office: Any, sealed_office: Any, portal_media: Path) -> Person:
    person = Person(Client())
    person.get_codename()
    person.practise()
    person.answer_all(story="Рассказ")
    person.upload("scan.pdf", PDF_BYTES)
    person.send()
    sealed_office.unseal_passphrase(PASSPHRASE)
    return person


def test_volunteers_and_strangers_never_see_the_inbox(arrived: Person, office: Any) -> None:
    account = Account.objects.get()
    upload = Upload.objects.get()
    volunteer = verified_client(Client(), office.volunteer)
    for path in ("/inbox/", f"/inbox/{account.public_id}/", f"/inbox/file/{upload.public_id}/"):
        assert volunteer.get(path).status_code == 403
        assert Client().get(path).status_code == 302  # to the staff login
    assert not AuditEvent.objects.filter(action__in=["read", "download"], target_type__startswith="intake").exists()


def test_a_sealed_office_shows_the_unseal_page(arrived: Person, office: Any) -> None:
    service.seal()
    lawyer = verified_client(Client(), office.lawyer)
    assert lawyer.get(f"/inbox/{Account.objects.get().public_id}/").status_code == 503


def test_admins_read_and_every_read_is_audited(arrived: Person, office: Any) -> None:
    admin = verified_client(Client(), office.admin)
    account = Account.objects.get()
    assert "1" in admin.get("/inbox/").content.decode()
    page = admin.get(f"/inbox/{account.public_id}/").content.decode()
    assert "Рассказ" in page and "scan.pdf" in page
    submission = Submission.objects.get()
    assert AuditEvent.objects.filter(actor=office.admin, action="read", target_id=str(submission.pk)).exists()
    assert Submission.objects.get().status == SubmissionStatus.READ
    assert verify() == []


def test_a_reply_is_sealed_for_the_person_and_for_the_office(arrived: Person, office: Any) -> None:
    account = Account.objects.get()
    lawyer = verified_client(Client(), office.lawyer)
    lawyer.post(f"/inbox/{account.public_id}/reply/", {"text": "Мы вам ответим подробнее."})
    reply = Reply.objects.get()
    assert "Мы".encode() not in bytes(reply.for_person) + bytes(reply.for_office)
    key = PersonKeys.open(
        codenames.canonical(arrived.codename), bytes(account.reply_key_salt), bytes(account.reply_private_key)
    )
    text = open_sealed(key, bytes(reply.for_person), aad=reply_aad(reply.public_id, "person")).decode()
    assert text == "Мы вам ответим подробнее."
    assert "Мы вам ответим подробнее." in lawyer.get(f"/inbox/{account.public_id}/").content.decode()
    assert AuditEvent.objects.filter(action="create", target_id=str(reply.pk)).exists()


def test_an_empty_or_long_reply_is_refused(arrived: Person, office: Any) -> None:
    account = Account.objects.get()
    lawyer = verified_client(Client(), office.lawyer)
    lawyer.post(f"/inbox/{account.public_id}/reply/", {"text": ""})
    lawyer.post(f"/inbox/{account.public_id}/reply/", {"text": "x" * 7000})
    assert Reply.objects.count() == 0


def test_a_questionnaire_becomes_a_case_once(arrived: Person, office: Any) -> None:
    from passage.cases import actions

    submission = Submission.objects.get()
    lawyer = verified_client(Client(), office.lawyer)
    first = lawyer.post(f"/inbox/submission/{submission.public_id}/case/")
    second = lawyer.post(f"/inbox/submission/{submission.public_id}/case/")
    submission.refresh_from_db()
    assert first["Location"] == second["Location"] == f"/cases/{submission.case_id}/"
    assert submission.status == SubmissionStatus.HANDLED
    assert Account.objects.get().case_id == submission.case_id
    profile = actions.case_profile(submission.case)
    assert profile.facts["current_country"] == "KZ"
    assert profile.facts["served_under_contract"] is True
    assert profile.evidence == {"military_id", "wanted_list_entry"}


def test_discarding_deletes_the_files(arrived: Person, office: Any) -> None:
    submission = Submission.objects.get()
    upload = Upload.objects.get()
    path = IntakeStore().path_for(upload.public_id)
    assert path.exists()
    lawyer = verified_client(Client(), office.lawyer)
    refused = lawyer.post(f"/inbox/submission/{submission.public_id}/discard/")
    assert Submission.objects.exists()
    assert refused.status_code == 302
    lawyer.post(f"/inbox/submission/{submission.public_id}/discard/", {"confirm": "on"})
    assert not Submission.objects.exists()
    assert not path.exists()
    assert AuditEvent.objects.filter(action="discard").exists()


def test_marking_handled_is_audited(arrived: Person, office: Any) -> None:
    submission = Submission.objects.get()
    lawyer = verified_client(Client(), office.lawyer)
    lawyer.post(f"/inbox/submission/{submission.public_id}/handled/")
    assert Submission.objects.get().status == SubmissionStatus.HANDLED
    assert AuditEvent.objects.filter(action="handle", target_id=str(submission.pk)).exists()


def test_unknown_ids_are_404(arrived: Person, office: Any) -> None:
    lawyer = verified_client(Client(), office.lawyer)
    assert lawyer.get("/inbox/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert lawyer.get("/inbox/file/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_office_reads_follow_up_messages(arrived: Person, office: Any) -> None:
    arrived.post("/intake/message/", {"text": "Я получил повестку."})
    items = intake_office.read_thread(office.lawyer, Account.objects.get())
    assert [item.text for item in items if item.kind == "message"] == ["Я получил повестку."]
