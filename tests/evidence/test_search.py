"""Searching a case's evidence text while unsealed: in memory, case-scoped, audited without the query."""

from __future__ import annotations

from passage.audit.models import AuditEvent
from passage.evidence.jobs import run_ocr
from tests.evidence import files
from tests.evidence.conftest import add


def test_it_finds_read_text_in_this_case_only(lawyer_client, office):
    mine = add(office, files.png_bytes(files.scan_of()), kind="summons", title="Повестка")
    run_ocr(mine.id)
    theirs = add(office, files.text_pdf("военный комиссариат в другом деле"), case=office.other_case)
    run_ocr(theirs.id)
    response = lawyer_client.post(f"/evidence/case/{office.case.id}/search/", {"q": "Военный КОМИССАРИАТ"})
    page = response.content.decode()
    assert response.status_code == 200 and "1 match" in page and mine.label in page
    assert "другом деле" not in page
    event = AuditEvent.objects.get(action="search")
    assert event.detail == {"scope": "evidence", "items": 1} and "КОМИССАРИАТ" not in str(event.detail)


def test_volunteers_cannot_search_evidence_text(client, office):
    from tests.conftest import verified_client

    volunteer = verified_client(client, office.volunteer)
    assert volunteer.post(f"/evidence/case/{office.case.id}/search/", {"q": "x"}).status_code == 403
