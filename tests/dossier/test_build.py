"""A dossier end to end: text extractable (Cyrillic too), fonts embedded, annexes stamped, hashes right."""

from __future__ import annotations

import hashlib
import re

from passage.audit.chain import verify
from passage.audit.models import AuditEvent
from passage.dossier import actions
from passage.dossier.models import Dossier
from tests.dossier.conftest import PATHWAY, run, save_artifacts


def _generate(office, evidence, **options):
    items = [evidence.photo.id, evidence.statement.id, evidence.helvetica.id, evidence.voice.id]
    letter = actions.letter_draft(office.lawyer, office.case, PATHWAY, options.get("language", "de"), len(items))
    defaults = {"pathway_id": PATHWAY, "language": "de", "item_ids": items, "letter": letter,
                "statement": "Я дезертировал в 2025 году. Мне угрожают.", "include_true_name": True}  # fmt: skip
    dossier = actions.generate(office.lawyer, office.case, **{**defaults, **options})
    return dossier, actions.dossier_bytes(office.lawyer, dossier)


def test_a_german_dossier_reads_right_and_embeds_every_font(office, evidence, private_media):
    dossier, pdf = _generate(office, evidence)
    path = save_artifacts("german-dossier", pdf)
    text = run("pdftotext", "-layout", str(path), "-")
    assert "Antragsunterlagen" in text and "Anschreiben" in text and "Ivan Testov" in text
    assert "Я дезертировал в 2025 году. Мне угрожают." in " ".join(text.split())
    assert "Фото угрозы у двери" in text and "Заявление о протесте" in text
    assert "Заявление: я публично выступал против войны." in text  # the annexed PDF's own text layer
    assert "Erklärung: Ich habe mich öffentlich gegen den Krieg gestellt." in text
    assert "Botschaft" in text or "Embassy of Germany" in text
    for number in (2, 3):
        assert f"Anlage {number} · Seite 1/1" in text
    assert "Anlage 2 (Übersetzung) · Seite 1/1" in text
    flat = re.sub(r"\s+", "", text)
    for _item_id, original in evidence.originals.items():
        assert hashlib.sha256(original).hexdigest() in flat
    fonts = run("pdffonts", str(path)).splitlines()[2:]
    assert fonts, "the dossier has fonts"
    for line in fonts:
        assert line.split()[-5] == "yes", f"font not embedded: {line}"
    assert "Helvetica" not in "\n".join(fonts)  # the page using it was printed as an image
    assert dossier.page_count == int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(path))).group(1))
    assert sorted(path.parent.glob("german-dossier-*.png"))


def test_missing_translations_are_listed_and_certified_ones_used(office, evidence):
    dossier, pdf = _generate(office, evidence)
    text = run("pdftotext", "-", "-", data=pdf)
    section = text.split("Noch fehlende Übersetzungen")[1].split("Anlage 1 —")[0]
    assert "Anlage 1" in section and "Entwurf" in section  # the photo: a draft only
    assert "Anlage 3" in section and "Anlage 4" in section  # English and audio: no German translation
    assert "Anlage 2" not in section  # a certified German translation exists
    assert dossier.missing_translations == 3
    _english, pdf = _generate(office, evidence, language="en", include_true_name=False)
    section = run("pdftotext", "-", "-", data=pdf).split("Translations still missing")[1].split("Annex 1 —")[0]
    assert "Annex 3" not in section  # written in English


def test_metadata_is_stripped_from_the_dossier_copy_unless_kept(office, evidence):
    _dossier, pdf = _generate(office, evidence, include_true_name=False)
    assert b"CanaryPhone" not in pdf and "CanaryPhone" not in run("pdftotext", "-", "-", data=pdf)
    assert AuditEvent.objects.filter(action="metadata_stripped", target_id=str(evidence.photo.id)).exists()
    type(evidence.photo).objects.filter(pk=evidence.photo.pk).update(strip_metadata=False)
    _dossier, kept = _generate(office, evidence, include_true_name=False)
    assert "Camera make: CanaryPhone" in run("pdftotext", "-", "-", data=kept)  # printed on the annex instead


def test_generation_and_download_are_audited_on_the_dossier_and_every_item(office, evidence):
    dossier, _pdf = _generate(office, evidence)
    generated = AuditEvent.objects.get(action="dossier_generated", target_id=str(dossier.id))
    assert generated.detail["items"] == 4 and generated.detail["language"] == "de" and "true_name" in generated.fields
    included = AuditEvent.objects.filter(action="dossier_included").values_list("target_id", flat=True)
    assert set(included) == {
        str(item.id) for item in (evidence.photo, evidence.statement, evidence.helvetica, evidence.voice)
    }
    assert AuditEvent.objects.filter(action="reveal", target_id=str(office.case.id)).exists()
    assert AuditEvent.objects.filter(action="dossier_downloaded", target_id=str(dossier.id)).count() == 1
    assert verify() == []


def test_english_and_french_dossiers(office, evidence):
    for language, title, stamp in (
        ("en", "Application dossier", "Annex 2 · page 1/1"),
        ("fr", "Dossier de demande", "Pièce 2 · page 1/1"),
    ):
        _dossier, pdf = _generate(office, evidence, language=language, include_true_name=False)
        text = run("pdftotext", "-", "-", data=pdf)
        assert title in text and stamp in text and office.case.code in text
        save_artifacts(f"{language}-dossier", pdf)


def test_the_dossier_is_stored_encrypted(office, evidence, private_media):
    dossier, pdf = _generate(office, evidence)
    stored = (private_media / "dossiers" / f"{dossier.id}.enc").read_bytes()
    assert b"%PDF" not in stored and b"Antragsunterlagen" not in stored and len(stored) > len(pdf)
    assert Dossier.objects.get().size == len(pdf)
