"""Fixtures for the intake portal: a sealed office vault and a person driving the portal.

The portal is driven exactly as a browser would: GET a page, POST its form with the CSRF
token from the cookie. ``Person`` keeps nothing the server does not give back (the codename
is read from the page that shows it, once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# A deserter in Kazakhstan on the interstate wanted list, as the questionnaire asks it.
ANSWERS: list[tuple[str, dict[str, Any]]] = [
    ("where", {"current_country": "KZ", "arrived_on": "2026-09-01", "citizenship": "RU"}),
    ("documents", {"has_internal_passport": "yes", "has_foreign_passport": "yes"}),
    ("passport", {"foreign_passport_expires": "2030-01-15"}),
    ("situation", {"situation": "contract_left"}),
    (
        "legal",
        {"criminal_case": "yes", "wanted_federal": "yes", "wanted_interstate": "yes", "wanted_interpol": "unknown"},
    ),
    (
        "activity",
        {"public_antiwar_activity": "no", "prosecuted_for_antiwar": "unknown", "threatened_by_authorities": "yes"},
    ),
    ("ties", {"ties_to": ["DE"], "jewish_ancestry": "no"}),
    ("status", {"refugee_status_host": "applied", "unhcr_registered": "no"}),
    ("evidence", {"evidence": ["military_id", "wanted_list_entry"]}),
]


def words_on(page: str) -> list[str]:
    block = re.search(r'<ol class="codename" id="codename">(.*?)</ol>', page, re.S)
    assert block, "the codename page shows the words"
    return re.findall(r"<li>([a-z-]+)</li>", block.group(1))


@dataclass
class Person:
    """Someone using the portal through a Django test client."""

    client: Client
    codename: str = field(default="", repr=False)

    def csrf(self) -> str:
        if "csrftoken" not in self.client.cookies:
            self.client.get("/intake/")
        return self.client.cookies["csrftoken"].value

    def post(self, path: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
        payload = {"csrfmiddlewaretoken": self.csrf(), **(data or {})}
        return self.client.post(path, payload, **extra)

    def get_codename(self) -> Any:
        response = self.post("/intake/new/")
        assert response.status_code == 200
        self.codename = " ".join(words_on(response.content.decode()))
        return response

    def practise(self, typed: str | None = None) -> Any:
        return self.post("/intake/practice/", {"codename": self.codename if typed is None else typed})

    def answer_all(self, story: str = "", answers: list[tuple[str, dict[str, Any]]] | None = None) -> None:
        for name, data in answers or ANSWERS:
            response = self.post(f"/intake/q/{name}/", {**data, "go": "next"})
            assert response.status_code == 302, (name, response.content[:2000])
        response = self.post("/intake/q/story/", {"story": story, "go": "next"})
        assert response.status_code == 302
        assert response["Location"] == "/intake/files/"

    def upload(self, name: str, content: bytes) -> Any:
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.post("/intake/files/", {"document": SimpleUploadedFile(name, content, "application/octet-stream")})

    def send(self) -> Any:
        return self.post("/intake/send/")

    def log_in(self, typed: str | None = None) -> Any:
        return self.post("/intake/login/", {"codename": self.codename if typed is None else typed})


@pytest.fixture
def sealed_office(vault: Any) -> Any:
    """An office vault that exists but is sealed: the portal must work with the public key alone."""
    vault.seal(reason="intake test")
    return vault


@pytest.fixture
def person(db: Any) -> Person:
    return Person(Client())


@pytest.fixture
def portal_media(settings: Any, tmp_path: Any) -> Any:
    """A fresh media folder for the intake store, so tests can look at every byte in it."""
    from dataclasses import replace

    settings.PASSAGE = replace(settings.PASSAGE, data_dir=tmp_path / "data")
    (tmp_path / "data" / "media").mkdir(parents=True)
    return tmp_path / "data" / "media"
