"""Dossier fixtures: the evidence fixtures, and a case with evidence of every kind of file."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.evidence.conftest import _quick_password_hashing, lawyer_client, private_media  # noqa: F401

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "dossier"
PATHWAY = "de-22-2-aufenthg"


@dataclass
class Evidence:
    photo: Any  # JPEG with GPS, proof of threats
    statement: Any  # Cyrillic text PDF, proof of anti-war activity
    helvetica: Any  # a PDF whose font is not embedded, proof of ties
    voice: Any  # an audio file: indexed, not attached
    originals: dict[Any, bytes]


@pytest.fixture
def evidence(office: Any) -> Evidence:
    from passage.evidence import translations
    from tests.evidence import files
    from tests.evidence.conftest import add

    originals = {
        "photo": files.jpeg_with_gps("УГРОЗА"),
        "statement": files.text_pdf("Заявление: я публично выступал против войны.\nПодпись: Иван"),
        "helvetica": files.helvetica_pdf("Letter from my brother in Berlin"),
        "voice": b"OggS\x00\x02" + bytes(range(256)) * 8,
    }
    photo = add(office, originals["photo"], kind="proof_of_threats", title="Фото угрозы у двери")
    statement = add(office, originals["statement"], kind="proof_antiwar_activity", title="Заявление о протесте")
    helvetica = add(
        office, originals["helvetica"], kind="proof_of_ties", title="Letter from the brother", language="en"
    )
    voice = add(office, originals["voice"], kind="proof_of_threats", title="Голосовое сообщение с угрозой")
    german = translations.open_translation_ingest(statement)
    german.write(files.text_pdf("Beglaubigte Übersetzung: Erklärung über meinen Protest gegen den Krieg."))
    translations.save_translation(office.lawyer, statement, language="de", status="certified", translator="Anna Übersetzerin",
                                  text="Erklärung: Ich habe mich öffentlich gegen den Krieg gestellt.", ingest=german)  # fmt: skip
    translations.save_translation(office.lawyer, photo, language="de", status="draft", text="Entwurf")
    items = {"photo": photo, "statement": statement, "helvetica": helvetica, "voice": voice}
    return Evidence(photo, statement, helvetica, voice, {items[name].id: data for name, data in originals.items()})


def run(*argv: str, data: bytes | None = None) -> str:
    return subprocess.run(list(argv), input=data, capture_output=True, check=True, timeout=120).stdout.decode(
        "utf-8", "replace"
    )


def save_artifacts(name: str, pdf: bytes) -> Path:
    """The PDF and a PNG of every page under artifacts/dossier/ (for a person to look at)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(ARTIFACTS / name)], check=True, timeout=300)
    return path
