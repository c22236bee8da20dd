"""The portal end to end through the test client: codename, practice, questions, files, sending."""

from __future__ import annotations

from pathlib import Path

import pytest

from passage.audit.models import AuditEvent
from passage.intake import office as intake_office
from passage.intake.models import Account, PortalSession, Reply, Submission, SubmissionStatus, Upload
from passage.intake.uploads import IntakeStore
from passage.vault import SealedError
from tests.conftest import verified_client
from tests.intake.conftest import PDF_BYTES, Person


def test_it_refuses_the_questionnaire_without_a_codename(person: Person, sealed_office):
    response = person.client.get("/intake/q/where/")
    assert response.status_code == 302
    assert response["Location"].startswith("/intake/?expired=1")


def test_it_needs_the_practice_to_match(person: Person, sealed_office):
    person.get_codename()
    wrong = person.practise("abacus abdomen abdominal abide abiding ability ablaze")
    assert wrong.status_code == 400
    assert not Account.objects.get().confirmed
    right = person.practise(person.codename.upper().replace(" ", "-"))
    assert right.status_code == 302
    assert right["Location"] == "/intake/q/where/"
    assert Account.objects.get().confirmed


def test_it_asks_for_the_practice_before_the_questions(person: Person, sealed_office):
    person.get_codename()
    response = person.client.get("/intake/q/where/")
    assert response["Location"] == "/intake/practice/"


def test_it_points_out_words_that_are_not_in_the_list(person: Person, sealed_office):
    person.get_codename()
    response = person.practise("abacus abdomn")
    assert "abdomn" in response.content.decode()


def test_a_whole_intake_is_sealed_and_reaches_the_office(
    office, client, person: Person, sealed_office, portal_media: Path
):
    person.get_codename()
    person.practise()
    person.answer_all(story="Я ушёл из части в сентябре.")
    uploaded = person.upload("повестка.pdf", PDF_BYTES)
    assert uploaded.status_code == 302
    files_page = person.client.get("/intake/files/").content.decode()
    assert "повестка.pdf" in files_page
    overview = person.client.get("/intake/overview/")
    assert overview.status_code == 200
    sent = person.send()
    assert sent["Location"] == "/intake/sent/"

    submission = Submission.objects.get()
    upload = Upload.objects.get()
    assert upload.submission == submission
    assert b"\xd0\xa3\xd1\x88\xd1\x91\xd0\xbb" not in bytes(submission.payload)
    assert PortalSession.objects.get().draft is None  # the draft is forgotten once sent
    stored = (portal_media / "intake" / f"{upload.public_id.hex}.psg").read_bytes()
    assert b"%PDF" not in stored

    sealed_office.unseal_passphrase("correct horse battery staple office")
    lawyer = verified_client(client, office.lawyer)
    inbox = lawyer.get("/inbox/")
    assert inbox.status_code == 200
    page = lawyer.get(f"/inbox/{submission.account.public_id}/").content.decode()
    assert "Я ушёл из части в сентябре." in page
    assert "повестка.pdf" in page
    assert AuditEvent.objects.filter(action="read", target_id=str(submission.pk)).exists()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.READ

    download = lawyer.get(f"/inbox/file/{upload.public_id}/")
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert AuditEvent.objects.filter(action="download", target_id=str(upload.pk)).exists()

    case_response = lawyer.post(f"/inbox/submission/{submission.public_id}/case/")
    assert case_response.status_code == 302
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.HANDLED
    from passage.cases import actions

    text = actions.read_case(office.lawyer, submission.case)
    assert text.facts["military_status"] == "deserter"
    assert text.facts["wanted_interstate"] is True
    assert text.narrative == "Я ушёл из части в сентябре."

    lawyer.post(f"/inbox/{submission.account.public_id}/reply/", {"text": "Ответ офиса: напишите нам подробнее."})
    assert Reply.objects.count() == 1

    person.client.post("/intake/leave/", {"csrfmiddlewaretoken": person.csrf()})
    thread = person.log_in()
    assert thread.status_code == 200
    assert "Ответ офиса: напишите нам подробнее." in thread.content.decode()


def test_the_office_cannot_read_while_sealed(office, person: Person, sealed_office, portal_media: Path):
    person.get_codename()
    person.practise()
    person.answer_all(story="story")
    person.send()
    sealed_office.seal()
    with pytest.raises(SealedError):
        intake_office.read_thread(office.lawyer, Account.objects.get())


def test_a_wrong_codename_is_refused(person: Person, sealed_office):
    person.get_codename()
    person.practise()
    response = person.log_in("abacus abdomen abdominal abide abiding ability ablaze")
    assert response.status_code == 400
    assert "thread" not in response.content.decode()


def test_a_disguised_file_is_refused_and_nothing_is_kept(person: Person, sealed_office, portal_media: Path):
    person.get_codename()
    person.practise()
    person.answer_all()
    response = person.upload("photo.jpg", PDF_BYTES)  # a PDF calling itself a photo
    assert response.status_code == 400
    response = person.upload("tool.pdf", b"MZ\x90\x00" + b"\x00" * 100)  # a program calling itself a PDF
    assert response.status_code == 400
    assert Upload.objects.count() == 0
    store = IntakeStore()
    assert not store.root.exists() or list(store.root.iterdir()) == []


def test_leaving_erases_the_draft_and_unsent_files(person: Person, sealed_office, portal_media: Path):
    person.get_codename()
    person.practise()
    person.answer_all(story="draft")
    person.upload("unsent.pdf", PDF_BYTES)
    upload = Upload.objects.get()
    response = person.post("/intake/leave/")
    assert response.status_code == 200
    assert response.cookies["passage_portal"].value == ""
    assert PortalSession.objects.count() == 0
    assert Upload.objects.count() == 0
    assert not IntakeStore().path_for(upload.public_id).exists()
    assert Account.objects.count() == 1  # the codename still works for later logins


def test_old_long_replies_are_named_but_not_shown(office, person: Person, sealed_office, portal_media: Path):
    person.get_codename()
    person.practise()
    sealed_office.unseal_passphrase("correct horse battery staple office")
    account = Account.objects.get()
    for number in range(5):
        intake_office.reply(office.lawyer, account, f"ответ {number} " + "слово " * 900)
    page = person.log_in().content.decode()
    assert "ответ 4" in page and "ответ 0" not in page
    assert "Более старый ответ" in page
