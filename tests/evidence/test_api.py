"""The evidence endpoints of the JSON API: token auth, the same handler, the same permissions."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from passage.api.tokens import create_token
from passage.audit.models import AuditEvent
from passage.evidence.api import OPENAPI_PATHS, OPENAPI_SCHEMAS
from passage.evidence.models import EvidenceItem
from tests.evidence import files
from tests.evidence.conftest import add, store_files

SCOPES = ["cases:read", "cases:write"]


@pytest.fixture
def auth():
    """``auth(user, scopes)``: the Authorization header of a token (one per user and scopes)."""
    tokens: dict = {}

    def header(user, scopes=SCOPES):
        key = (user.pk, tuple(scopes))
        if key not in tokens:
            tokens[key] = create_token(user, name=f"evidence-{len(tokens)}", scopes=scopes, actor=user).secret
        return {"Authorization": f"Bearer {tokens[key]}"}

    return header


def test_a_token_uploads_and_a_lawyer_reads_back(client, auth, office, private_media):
    data = files.text_pdf("Повестка через API")
    response = client.post(f"/api/v1/clients/{office.case.id}/evidence", {
        "file": SimpleUploadedFile("p.pdf", data), "kind": "summons", "provenance": "messenger", "language": "ru", "title": "API",
    }, headers=auth(office.lawyer))  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    item = EvidenceItem.objects.get()
    assert (
        body["id"] == str(item.id)
        and body["media_type"] == "application/pdf"
        and response["Location"].endswith(str(item.id))
    )
    detail = client.get(f"/api/v1/evidence/{item.id}", headers=auth(office.lawyer)).json()
    assert detail["sha256"] == hashlib.sha256(data).hexdigest()
    content = client.get(f"/api/v1/evidence/{item.id}/content", headers=auth(office.lawyer))
    assert b"".join(content.streaming_content) == data
    assert AuditEvent.objects.filter(action="evidence_downloaded", target_id=str(item.id)).count() == 1
    listing = client.get(f"/api/v1/clients/{office.case.id}/evidence", headers=auth(office.lawyer)).json()
    assert listing["count"] == 1 and listing["results"][0]["title"] == "API"


def test_refusals_are_json_with_a_status_and_nothing_is_stored(client, auth, office, private_media):
    response = client.post(f"/api/v1/clients/{office.case.id}/evidence", {
        "file": SimpleUploadedFile("s.pdf", files.elf_executable()), "kind": "summons", "provenance": "client", "language": "ru",
    }, headers=auth(office.lawyer))  # fmt: skip
    assert response.status_code == 415 and "program" in response.json()["error"]
    assert store_files(private_media) == []
    assert client.post(f"/api/v1/clients/{office.case.id}/evidence", {"x": "1"}, headers=auth(office.lawyer),
                       content_type="application/json").status_code == 415  # fmt: skip


def test_volunteers_get_no_content_and_no_hash(client, auth, office):
    item = add(office, files.text_pdf("x"))
    detail = client.get(f"/api/v1/evidence/{item.id}", headers=auth(office.volunteer)).json()
    assert "sha256" not in detail and "text" not in detail
    assert client.get(f"/api/v1/evidence/{item.id}/content", headers=auth(office.volunteer)).status_code == 403
    assert client.get(f"/api/v1/evidence/{item.id}", headers=auth(office.volunteer_none)).status_code == 404


def test_no_token_no_upload(client, auth, office, private_media):
    response = client.post(
        f"/api/v1/clients/{office.case.id}/evidence", {"file": SimpleUploadedFile("p.pdf", files.text_pdf("x"))}
    )
    assert response.status_code == 401 and store_files(private_media) == []


def test_a_read_only_token_cannot_upload(client, auth, office):
    response = client.post(f"/api/v1/clients/{office.case.id}/evidence", {"file": SimpleUploadedFile("p.pdf", b"%PDF")},
                           headers=auth(office.lawyer, ["cases:read"]))  # fmt: skip
    assert response.status_code == 403


def test_the_openapi_fragment_names_every_route():
    assert set(OPENAPI_PATHS) == {
        "/clients/{client_id}/evidence",
        "/evidence/{evidence_id}",
        "/evidence/{evidence_id}/content",
    }
    refs = str(OPENAPI_PATHS)
    for name in OPENAPI_SCHEMAS:
        assert f"#/components/schemas/{name}" in refs
