"""A seized, sealed server yields none of the canaries planted in evidence and dossiers.

Files containing canary strings are uploaded (through the real form and handler), their text is
read (OCR of a scan with a canary, a text layer, a plain text file), metadata is extracted
(a canary in EXIF), translations and a dossier are made with canaries in them; the pages are
used so logs are written; then the vault is sealed and every byte of the database file (with
its WAL and journal), the media directory, the logs — and every file that appeared in the
system's temporary folder meanwhile — is searched for the canaries as an attacker would.
"""

from __future__ import annotations

import base64
import io
import logging
import os
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from PIL import Image, ImageDraw, ImageFont

from passage.evidence import actions as evidence_actions
from passage.evidence import translations
from passage.evidence.jobs import run_ocr
from passage.evidence.models import EvidenceItem
from tests.conftest import verified_client
from tests.dossier.conftest import run
from tests.evidence import files
from tests.evidence.conftest import upload

CANARIES = ["CANARY-PDF-TEXT-4411", "CANARY-TXT-FILE-2207", "CANARYOCRSCAN", "CANARY-EXIF-MAKE", "CANARY-TITLE-88",
            "КАНАРЕЙКА-ПРОИСХОЖДЕНИЕ", "CANARY-TRANSLATION-55", "CANARY-TRANSLATOR", "CANARY-DOSSIER-STATEMENT",
            "CANARY-FILENAME-31"]  # fmt: skip


def _forms(canary: str) -> list[bytes]:
    raw = canary.encode()
    return [raw, canary.encode("utf-16-le"), canary.encode("utf-16-be"), base64.b64encode(raw), canary.lower().encode(),
            raw.hex().encode()]  # fmt: skip


def _scan_with(text: str) -> bytes:
    image = Image.new("L", (1400, 300), 255)
    ImageDraw.Draw(image).text((60, 100), text, font=ImageFont.truetype(str(files.FONT), 64), fill=0)
    return files.png_bytes(image)


def _jpeg_with_make(make: str) -> bytes:
    image = Image.new("RGB", (320, 200), (180, 180, 180))
    exif = Image.Exif()
    exif[0x010F] = make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _temporary_files() -> set[Path]:
    """Every file under the temporary folder now. Other test workers (a browser, say) create and
    remove folders there while this walks, so a folder that vanishes mid-walk is skipped."""
    found = set()
    for folder, _dirs, names in os.walk(tempfile.gettempdir(), onerror=lambda _error: None):
        if "pytest-of-" in folder:
            continue
        for name in names:
            path = Path(folder) / name
            if path.is_file():
                found.add(path)
    return found


@pytest.mark.django_db(transaction=True)
def test_a_sealed_copy_of_the_data_reveals_no_evidence_canary(vault, django_user_model, client, private_media):
    from passage.accounts.models import Role
    from passage.cases import actions as case_actions
    from passage.dossier import actions as dossier_actions

    temporary_before = _temporary_files()
    log_file = settings.PASSAGE.log_dir / "seizure-evidence.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file)
    for name in ("", "django", "passage", "weasyprint"):
        logging.getLogger(name).addHandler(handler)
    try:
        lawyer = django_user_model.objects.create_user(
            "seizure-evidence", password="a-long-test-password", role=Role.LAWYER
        )
        case = case_actions.create_case(
            lawyer, true_name="Seized", facts={"citizenship": "RU", "current_country": "KZ"}
        )
        web = verified_client(client, lawyer)
        uploads = [
            (files.text_pdf(f"Протокол {CANARIES[0]}"), f"{CANARIES[9]}.pdf", "criminal_case_notice"),
            (f"Сообщение: {CANARIES[1]}\n".encode() * 50, "message.txt", "proof_of_threats"),
            (_scan_with(CANARIES[2]), "scan.png", "summons"),
            (_jpeg_with_make(CANARIES[3]), "photo.jpg", "proof_of_threats"),
        ]
        for data, name, kind in uploads:
            response = upload(
                web, case, data, name, kind=kind, title=CANARIES[4], provenance_note=CANARIES[5], strip_metadata=""
            )
            assert response.status_code == 302, response.content.decode()[:500]
        items = list(EvidenceItem.objects.filter(case=case).order_by("number"))
        for item in items:
            assert run_ocr(item.id) in ("done", "skipped")
        items = list(EvidenceItem.objects.filter(case=case).order_by("number"))
        ocr = case_actions.service.case_cipher(case.id).decrypt(
            "evidence_evidenceitem", items[2].id, "ocr_text", items[2].ocr_text_enc
        )
        assert CANARIES[2] in ocr.replace(" ", ""), "the scan's canary was really read"
        german = translations.open_translation_ingest(items[0])
        german.write(files.text_pdf(f"Übersetzung {CANARIES[6]}"))
        translations.save_translation(lawyer, items[0], language="de", status="certified", translator=CANARIES[7],
                                      text=CANARIES[6], ingest=german)  # fmt: skip
        for path in (f"/evidence/case/{case.id}/", f"/evidence/item/{items[0].id}/", f"/evidence/item/{items[0].id}/history/",
                     f"/evidence/case/{case.id}/requirements/"):  # fmt: skip
            assert web.get(path).status_code == 200
        web.post(f"/evidence/case/{case.id}/search/", {"q": CANARIES[1]})
        b"".join(web.get(f"/evidence/item/{items[0].id}/download/").streaming_content)
        dossier = dossier_actions.generate(lawyer, case, pathway_id="de-22-2-aufenthg", language="de",
                                           item_ids=[item.id for item in items], letter="Brief", statement=CANARIES[8])  # fmt: skip
        pdf = b"".join(web.get(f"/dossiers/{dossier.id}/download/").streaming_content)
        printed = " ".join(run("pdftotext", "-", "-", data=pdf).split())
        assert CANARIES[8] in printed and CANARIES[3] in printed, "the dossier really holds canaries"
        assert ["Camera make", CANARIES[3]] in evidence_actions.item_text(lawyer, items[3]).metadata
        vault.seal(reason="seizure test")
        connection.close()
    finally:
        for name in ("", "django", "passage", "weasyprint"):
            logging.getLogger(name).removeHandler(handler)
        handler.close()

    searched: list[Path] = []
    database = Path(connection.settings_dict["NAME"])
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = Path(str(database) + suffix)
        if candidate.exists():
            searched.append(candidate)
    assert searched or connection.vendor != "sqlite", "needs an on-disk database"
    for folder in (settings.PASSAGE.media_dir, settings.PASSAGE.log_dir):
        searched.extend(path for path in folder.rglob("*") if path.is_file())
    searched.extend(_temporary_files() - temporary_before)
    assert any(path.suffix == ".enc" for path in searched)
    found = []
    for path in searched:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for canary in CANARIES:
            for form in _forms(canary):
                if form in data:
                    found.append((str(path), canary))
    assert found == []
