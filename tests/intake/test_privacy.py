"""No network identity reaches the portal's code, logs or tables; no plaintext reaches a temp file."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client, RequestFactory

from passage.intake.middleware import IDENTITY_KEYS, strip_identity
from passage.intake.models import Upload
from passage.intake.uploads import IntakeStore, SealingUploadHandler
from tests.intake.conftest import Person

IDENTITY = {
    "REMOTE_ADDR": "203.0.113.9",
    "HTTP_X_FORWARDED_FOR": "198.51.100.4",
    "HTTP_X_REAL_IP": "198.51.100.5",
    "HTTP_FORWARDED": "for=198.51.100.6",
    "HTTP_USER_AGENT": "Mozilla/5.0 (canary)",
    "HTTP_REFERER": "http://elsewhere.example/",
}


def seen_meta(path: str) -> dict[str, Any]:
    captured: dict[str, Any] = {}

    def view(request: Any) -> HttpResponse:
        captured.update(request.META)
        return HttpResponse("ok")

    strip_identity(view)(RequestFactory().get(path, **IDENTITY))
    return captured


def test_portal_requests_lose_address_agent_and_referrer() -> None:
    meta = seen_meta("/intake/q/where/")
    assert not set(IDENTITY) & set(meta)
    assert {"REMOTE_ADDR", "HTTP_USER_AGENT", "HTTP_REFERER"} <= set(IDENTITY_KEYS)


def test_staff_requests_keep_the_address_for_login_throttling() -> None:
    assert seen_meta("/accounts/login/")["REMOTE_ADDR"] == "203.0.113.9"


def test_an_intake_process_strips_every_request(settings: Any) -> None:
    settings.PASSAGE = replace(settings.PASSAGE, serve="intake")
    assert "REMOTE_ADDR" not in seen_meta("/static/intake/portal.css")


def test_the_stripping_middleware_runs_first(settings: Any) -> None:
    assert settings.MIDDLEWARE[0] == "passage.intake.middleware.strip_identity"


def test_the_portal_leaves_no_trace_in_logs_sessions_or_lockouts(
    db: Any, sealed_office: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from axes.models import AccessAttempt, AccessLog

    caplog.set_level(logging.DEBUG)
    person = Person(Client(**IDENTITY))
    person.get_codename()
    person.practise("wrong words entirely")
    person.practise()
    person.answer_all(story="story")
    person.log_in("abacus abdomen")
    person.client.get("/intake/nowhere/")
    person.send()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for value in IDENTITY.values():
        assert value not in logged
    assert Session.objects.count() == 0  # the portal keeps no Django session
    assert AccessAttempt.objects.count() == 0
    assert AccessLog.objects.count() == 0


def test_uploads_never_touch_a_temporary_file_or_sit_whole_in_memory(
    db: Any, sealed_office: Any, portal_media: Path
) -> None:
    person = Person(Client())
    person.get_codename()
    person.practise()
    person.answer_all()
    big = b"%PDF-1.7\n" + bytes(range(256)) * (3 * 4096)  # 3 MiB
    chunks: list[int] = []
    original = SealingUploadHandler.receive_data_chunk

    def spy(self: Any, raw_data: bytes, start: int) -> Any:
        chunks.append(len(raw_data))
        return original(self, raw_data, start)

    payload = {"csrfmiddlewaretoken": person.csrf(), "document": SimpleUploadedFile("big.pdf", big)}
    with (
        mock.patch(
            "django.core.files.uploadedfile.TemporaryUploadedFile.__init__", side_effect=AssertionError("temp file")
        ),
        mock.patch(
            "django.core.files.uploadedfile.InMemoryUploadedFile.__init__", side_effect=AssertionError("in memory")
        ),
        mock.patch("tempfile.NamedTemporaryFile", side_effect=AssertionError("temp file")),
        mock.patch.object(SealingUploadHandler, "receive_data_chunk", spy),
    ):
        response = person.client.post("/intake/files/", payload)
    assert response.status_code == 302
    assert len(chunks) > 40 and max(chunks) <= 64 * 1024
    upload = Upload.objects.get()
    stored = IntakeStore().path_for(upload.public_id).read_bytes()
    assert big[:4096] not in stored
    assert len(stored) > len(big)


def test_too_large_files_are_refused_and_removed(
    db: Any, sealed_office: Any, portal_media: Path, settings: Any
) -> None:
    settings.PASSAGE = replace(settings.PASSAGE, intake_upload_mb=1)
    person = Person(Client())
    person.get_codename()
    person.practise()
    person.answer_all()
    response = person.upload("scan.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10))
    assert response.status_code == 400
    assert Upload.objects.count() == 0
    assert not IntakeStore().root.exists() or list(IntakeStore().root.iterdir()) == []


def test_an_oversized_body_is_not_even_read(db: Any, sealed_office: Any, portal_media: Path, settings: Any) -> None:
    settings.PASSAGE = replace(settings.PASSAGE, intake_upload_mb=1)
    person = Person(Client())
    person.get_codename()
    person.practise()
    with mock.patch.object(SealingUploadHandler, "new_file", side_effect=AssertionError("body was parsed")):
        response = person.client.post(
            "/intake/files/",
            {
                "csrfmiddlewaretoken": person.csrf(),
                "document": SimpleUploadedFile("a.pdf", b"%PDF-" + b"0" * (12 * 1024 * 1024)),
            },
        )
    assert response.status_code == 400
