"""Metadata a lawyer must know about before a file leaves the office."""

from __future__ import annotations

from passage.evidence import actions
from passage.evidence.models import EvidenceItem
from tests.evidence import files
from tests.evidence.conftest import add


def test_gps_and_camera_from_exif_are_reported(office, lawyer_client):
    item = add(office, files.jpeg_with_gps(latitude=51.1694, longitude=71.4491), kind="proof_of_threats")
    assert set(item.metadata_flags.split()) >= {"gps", "device"}
    text = actions.item_text(office.lawyer, item)
    found = dict((label, value) for label, value in text.metadata)
    assert found["Camera make"] == "CanaryPhone"
    lat, lon = (float(part) for part in found["GPS position"].split(","))
    assert abs(lat - 51.1694) < 0.001 and abs(lon - 71.4491) < 0.001
    page = lawyer_client.get(f"/evidence/item/{item.id}/").content.decode()
    assert "GPS position" in page and "stripped from the copy" in page


def test_pdf_author_and_office_author_are_reported(office):
    pdf_item = add(office, files.text_pdf("statement", author="Canary Author", title="Draft"))
    assert "person" in pdf_item.metadata_flags.split()
    assert ["Author", "Canary Author"] in actions.item_text(office.lawyer, pdf_item).metadata
    docx_item = add(office, files.docx_bytes("Docx Author"), kind="personal_statement")
    assert docx_item.media_type.endswith("wordprocessingml.document")
    assert ["Author", "Docx Author"] in actions.item_text(office.lawyer, docx_item).metadata


def test_metadata_is_stored_encrypted(office):
    item = add(office, files.jpeg_with_gps())
    raw = bytes(EvidenceItem.objects.get(pk=item.pk).metadata_enc)
    assert b"CanaryPhone" not in raw and b"GPS" not in raw
