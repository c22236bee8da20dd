"""Fixtures for the evidence locker: a private data folder per test, uploads, the named people."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from passage.evidence.models import EvidenceItem
from tests.conftest import verified_client


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings: Any) -> None:
    # The named people are created for every test; production-cost hashing would dominate.
    settings.PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media(settings: Any, tmp_path: Path) -> Path:
    """Each test gets its own data folder, so stores and sweeps never see another test's files."""
    settings.PASSAGE = dataclasses.replace(settings.PASSAGE, data_dir=tmp_path / "data")
    (tmp_path / "data" / "media").mkdir(parents=True)
    return tmp_path / "data" / "media"


def store_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


def upload(client: Any, case: Any, data: bytes, name: str = "document.pdf", **fields: Any) -> Any:
    """POST a file through the staff form (the real multipart parser and upload handler)."""
    payload = {"kind": "summons", "provenance": "client", "language": "ru", "title": "", "provenance_note": "",
               "strip_metadata": "on", **fields, "file": SimpleUploadedFile(name, data, content_type="application/pdf")}  # fmt: skip
    return client.post(f"/evidence/case/{case.id}/upload/", payload)


@pytest.fixture
def lawyer_client(client: Any, office: Any) -> Any:
    return verified_client(client, office.lawyer)


def add(
    office: Any,
    data: bytes,
    *,
    case: Any = None,
    kind: str = "summons",
    title: str = "",
    actor: Any = None,
    **fields: Any,
) -> EvidenceItem:
    """Add an item through the domain action (the same ingest path as the upload handler)."""
    from passage.evidence import actions, locker

    case = case or office.case
    ingest = locker.open_ingest(case.id)
    view = memoryview(data)
    try:
        for start in range(0, len(view), 65536):
            ingest.write(view[start : start + 65536])
    except BaseException:
        ingest.discard()
        raise
    defaults = {"provenance": "client", "language": "ru", "filename": "file.bin"}
    return actions.add_item(actor or office.lawyer, case, ingest, kind=kind, title=title, **{**defaults, **fields})
