"""Bad input: one clear message, nothing half-written left behind, nothing already stored lost."""

from __future__ import annotations

import dataclasses

import pytest
from django.test import override_settings

from passage.evidence.models import EvidenceItem
from tests.evidence import files
from tests.evidence.conftest import add, store_files, upload


@pytest.fixture
def kept(office, private_media):
    """One item already in the locker: every refusal must leave it (and only it) in place."""
    item = add(office, files.text_pdf("already stored"))
    return item, store_files(private_media)


def _assert_refused(response, kept, private_media, message):
    item, before = kept
    assert response.status_code in (400, 413)
    assert message in response.content.decode()
    assert list(EvidenceItem.objects.values_list("id", flat=True)) == [item.id]
    assert store_files(private_media) == before
    assert not list(private_media.rglob("*.part"))


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (lambda: b"", "empty.pdf", "The file is empty"),
        (files.elf_executable, "summons.pdf", "This file is a program"),
        (files.windows_executable, "scan.jpg", "This file is a program"),
        (lambda: b"#!/bin/sh\nrm -rf /\n", "notes.txt", "This file is a program"),
        (lambda: b"PK\x03\x04" + b"\x00" * 100 + b"evil.exe", "docs.zip", "Archives"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "letter.doc", "Old Office files"),
        (lambda: bytes(range(1, 256)) * 40, "mystery.bin", "could not be recognised"),
        (lambda: b"looks like text " * 600 + b"\x00\x01\x02", "late-binary.txt", "could not be recognised"),
        (files.corrupt_pdf, "broken.pdf", "damaged"),
        (files.truncated_png, "broken.png", "damaged"),
        (files.page_count_bomb, "bomb.pdf", "safety limits"),
        (files.deflate_bomb, "zip-bomb.pdf", "safety limits"),
        (files.pixel_bomb_png, "huge.png", "safety limits"),
    ],
    ids=[
        "empty",
        "elf-as-pdf",
        "pe-as-jpg",
        "script",
        "zip",
        "ole",
        "unknown",
        "late-binary",
        "corrupt-pdf",
        "truncated-png",
        "page-bomb",
        "deflate-bomb",
        "pixel-bomb",
    ],
)
def test_it_refuses_bad_files_with_one_clear_message(lawyer_client, office, kept, private_media, make, name, message):
    _assert_refused(upload(lawyer_client, office.case, make(), name), kept, private_media, message)


def test_it_refuses_an_oversized_body_before_reading_it(lawyer_client, office, kept, private_media, settings):
    settings.PASSAGE = dataclasses.replace(settings.PASSAGE, max_upload_mb=1)
    response = upload(lawyer_client, office.case, b"%PDF-1.7\n" + b"0" * (2 << 20), "big.pdf")
    assert response.status_code == 413
    _assert_refused(response, kept, private_media, "larger than the limit of 1 MB")


def test_it_stops_writing_as_soon_as_the_stream_passes_the_limit(office, kept, private_media, settings):
    """The Content-Length check can be fooled by form overhead; the streamed check cannot."""
    from passage.evidence import locker
    from passage.evidence.intake import IntakeRefusedError

    settings.PASSAGE = dataclasses.replace(settings.PASSAGE, max_upload_mb=1)
    ingest = locker.open_ingest(office.case.id)
    ingest.write(b"%PDF-1.7\n" + b"0" * ((1 << 20) - 100))
    with pytest.raises(IntakeRefusedError) as refused:
        ingest.write(b"0" * 200)
    assert refused.value.code == "too_large"
    ingest.discard()
    assert store_files(private_media) == kept[1]


def test_an_interrupted_upload_leaves_nothing(lawyer_client, office, kept, private_media):
    """The body ends in the middle of the file: Django calls upload_interrupted, we discard."""
    boundary = "XyZ"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nsummons\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode()  # fmt: skip
    body = head + files.text_pdf("cut short")[:2000]
    response = lawyer_client.post(f"/evidence/case/{office.case.id}/upload/", data=body,
                                  content_type=f"multipart/form-data; boundary={boundary}")  # fmt: skip
    _assert_refused(response, kept, private_media, "interrupted")


@override_settings(DATA_UPLOAD_MAX_NUMBER_FILES=5)
def test_it_takes_one_file_per_upload(lawyer_client, office, kept, private_media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = lawyer_client.post(f"/evidence/case/{office.case.id}/upload/", {
        "kind": "summons", "provenance": "client", "language": "ru",
        "file": [SimpleUploadedFile("a.pdf", files.text_pdf("a")), SimpleUploadedFile("b.pdf", files.text_pdf("b"))],
    })  # fmt: skip
    _assert_refused(response, kept, private_media, "one file at a time")


def test_a_missing_csrf_token_stores_nothing(client, office, kept, private_media):
    from django.test import Client

    from tests.conftest import verified_client

    strict = verified_client(Client(enforce_csrf_checks=True), office.lawyer)
    response = upload(strict, office.case, files.text_pdf("no token"))
    assert response.status_code == 403
    assert store_files(private_media) == kept[1]
