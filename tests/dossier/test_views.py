"""The dossier pages: build with JavaScript off, download (audited), lawyers and admins only."""

from __future__ import annotations

from passage.audit.models import AuditEvent
from passage.dossier.models import CoverLetterTemplate, Dossier
from tests.conftest import verified_client
from tests.dossier.conftest import PATHWAY, run


def test_a_lawyer_builds_and_downloads_a_dossier(lawyer_client, office, evidence):
    page = lawyer_client.get(f"/dossiers/case/{office.case.id}/new/", {"pathway": PATHWAY})
    content = page.content.decode()
    assert page.status_code == 200 and "An die Embassy of Germany" in content and "{applicant}" in content
    assert f'value="{evidence.statement.id}"' in content
    response = lawyer_client.post(f"/dossiers/case/{office.case.id}/new/", {
        "pathway": PATHWAY, "language": "de", "items": [str(evidence.statement.id), str(evidence.photo.id)],
        "letter": "Sehr geehrte Damen und Herren, {applicant} bittet um Aufnahme.", "statement": "",
    })  # fmt: skip
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.item_count == 2 and dossier.language == "de"
    listing = lawyer_client.get(f"/dossiers/case/{office.case.id}/").content.decode()
    assert f"/dossiers/{dossier.id}/download/" in listing
    download = lawyer_client.get(f"/dossiers/{dossier.id}/download/")
    pdf = b"".join(download.streaming_content)
    assert download["Content-Type"] == "application/pdf" and pdf.startswith(b"%PDF")
    text = run("pdftotext", "-", "-", data=pdf)
    assert f"{office.case.code} bittet um Aufnahme" in text  # no true name asked for: the case code
    assert AuditEvent.objects.filter(action="dossier_downloaded", target_id=str(dossier.id)).count() == 1


def test_volunteers_and_strangers_cannot_see_dossiers(client, office, evidence):
    from passage.dossier import actions

    dossier = actions.generate(office.lawyer, office.case, pathway_id=PATHWAY, language="en", item_ids=[], letter="x")
    volunteer = verified_client(client, office.volunteer)
    assert volunteer.get(f"/dossiers/case/{office.case.id}/").status_code == 403
    assert volunteer.get(f"/dossiers/{dossier.id}/download/").status_code == 403
    client.logout()
    admin = verified_client(client, office.admin)
    assert admin.get(f"/dossiers/{dossier.id}/download/").status_code == 200


def test_the_office_edits_its_cover_letter(lawyer_client, office):
    page = lawyer_client.get("/dossiers/letters/de/")
    assert "Sehr geehrte Damen und Herren" in page.content.decode()
    lawyer_client.post("/dossiers/letters/de/", {"body": "Unser eigener Brief an die {embassy} für {applicant}."})
    assert CoverLetterTemplate.objects.get(language="de").body.startswith("Unser eigener Brief")
    draft = lawyer_client.get(f"/dossiers/case/{office.case.id}/new/", {"pathway": PATHWAY}).content.decode()
    assert "Unser eigener Brief an die Embassy of Germany in Kazakhstan für {applicant}." in draft
    lawyer_client.post("/dossiers/letters/de/", {"reset": "1"})
    assert not CoverLetterTemplate.objects.exists()
    assert lawyer_client.get("/dossiers/letters/xx/").status_code == 404


def test_a_tampered_dossier_is_refused(lawyer_client, office, evidence, private_media):
    from passage.dossier import actions

    dossier = actions.generate(office.lawyer, office.case, pathway_id=PATHWAY, language="en", item_ids=[], letter="x")
    path = private_media / "dossiers" / f"{dossier.id}.enc"
    data = bytearray(path.read_bytes())
    data[100] ^= 1
    path.write_bytes(bytes(data))
    assert lawyer_client.get(f"/dossiers/{dossier.id}/download/").status_code == 409
    assert AuditEvent.objects.filter(action="dossier_tampered", target_id=str(dossier.id)).exists()
