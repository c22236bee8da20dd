"""Translations: language, translator, status, text and file, all encrypted and audited."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from passage.audit.models import AuditEvent
from passage.evidence import translations
from passage.evidence.models import Translation
from tests.evidence import files
from tests.evidence.conftest import add, store_files


def test_a_lawyer_adds_a_certified_translation_with_a_file(lawyer_client, office, private_media):
    item = add(office, files.text_pdf("Повестка"))
    response = lawyer_client.post(f"/evidence/item/{item.id}/translations/new/", {
        "language": "de", "status": "certified", "translator": "Canary Übersetzerin", "text": "Einberufungsbescheid CANARY-DE",
        "file": SimpleUploadedFile("uebersetzung.pdf", files.text_pdf("Beglaubigte Übersetzung")),
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    translation = Translation.objects.get()
    assert (translation.language, translation.status, translation.media_type) == ("de", "certified", "application/pdf")
    assert b"CANARY-DE" not in bytes(translation.text_enc) and b"Canary" not in bytes(translation.translator_enc)
    assert {path.name for path in store_files(private_media)} == {f"{item.id}.enc", f"{translation.file_id}.enc"}
    assert translations.read_translation(office.lawyer, translation).text == "Einberufungsbescheid CANARY-DE"
    download = lawyer_client.get(f"/evidence/translations/{translation.id}/download/")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    actions = list(AuditEvent.objects.filter(target_id=str(item.id)).values_list("action", flat=True))
    assert "translation_added" in actions and "translation_viewed" in actions and "translation_downloaded" in actions


def test_replacing_the_file_removes_the_old_one(office, private_media):
    item = add(office, files.text_pdf("Повестка"))
    first = translations.open_translation_ingest(item)
    first.write(files.text_pdf("first"))
    translation = translations.save_translation(
        office.lawyer, item, language="en", status="draft", text="v1", ingest=first
    )
    old = translation.file_id
    second = translations.open_translation_ingest(item)
    second.write(files.text_pdf("second"))
    translation = translations.save_translation(office.lawyer, item, language="en", status="certified", ingest=second)
    assert translation.file_id != old and translation.status == "certified"
    assert {path.name for path in store_files(private_media)} == {f"{item.id}.enc", f"{translation.file_id}.enc"}
    assert translations.read_translation(office.lawyer, translation).text == "v1"


def test_a_refused_translation_file_changes_nothing(lawyer_client, office, private_media):
    item = add(office, files.text_pdf("Повестка"))
    before = store_files(private_media)
    response = lawyer_client.post(
        f"/evidence/item/{item.id}/translations/new/",
        {"language": "de", "status": "certified", "file": SimpleUploadedFile("x.pdf", files.elf_executable())},
    )
    assert response.status_code == 400 and "This file is a program" in response.content.decode()
    assert not Translation.objects.exists() and store_files(private_media) == before


def test_volunteers_cannot_touch_translations(client, office):
    from tests.conftest import verified_client

    item = add(office, files.text_pdf("x"))
    volunteer = verified_client(client, office.volunteer)
    assert volunteer.get(f"/evidence/item/{item.id}/translations/new/").status_code == 403
