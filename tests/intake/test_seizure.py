"""The seizure test for the intake: a sealed copy of the disk shows nothing a person sent.

A person (with a tell-tale address, user agent and referrer) fills the questionnaire with
canaries in the story, the file's name and content, a follow-up message; the office replies
with a canary. Then the vault is sealed and every byte of the database file (with its WAL and
journal), the media folder and the logs is searched for the canaries, the codename and the
person's network identity, in the encodings an attacker would try.
"""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from passage.intake import codename as codenames
from passage.intake.models import Account
from tests.conftest import PASSPHRASE
from tests.intake.conftest import Person

CANARIES = [
    "CANARY-INTAKE-STORY-5Y",
    "КАНАРЕЙКА-РАССКАЗ-ПОРТАЛ",
    "CANARY-INTAKE-FILENAME",
    "CANARY-INTAKE-FILE-BODY",
    "CANARY-INTAKE-MESSAGE",
    "CANARY-INTAKE-REPLY",
    "CANARY-AGENT/7.1",
    "203.0.113.77",
    "198.51.100.23",
    "canary-referer.example",
]
# What the answers look like in the sealed payload: none of it may be on disk in plaintext.
ANSWER_FRAGMENTS = ['"situation":"contract_left"', '"wanted_interstate":"yes"', '"military_status":"deserter"']


def forms_of(text: str) -> list[bytes]:
    raw = text.encode()
    return [raw, text.encode("utf-16-le"), base64.b64encode(raw), text.lower().encode(), raw.hex().encode()]


def files_to_search() -> list[Path]:
    found: list[Path] = []
    if connection.vendor == "sqlite":
        database = Path(connection.settings_dict["NAME"])
        found += [
            Path(f"{database}{suffix}")
            for suffix in ("", "-wal", "-shm", "-journal")
            if Path(f"{database}{suffix}").exists()
        ]
    for folder in (settings.PASSAGE.media_dir, settings.PASSAGE.log_dir):
        if folder.exists():
            found += [path for path in folder.rglob("*") if path.is_file()]
    return found


@pytest.mark.django_db(transaction=True)
def test_a_sealed_copy_reveals_nothing_sent_through_the_portal(office: Any, vault: Any, client: Client) -> None:
    from tests.conftest import verified_client

    if connection.vendor == "sqlite":
        assert Path(connection.settings_dict["NAME"]).exists(), "needs an on-disk database"
    log_file = settings.PASSAGE.log_dir / "intake-seizure-test.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file)
    loggers = [
        logging.getLogger(),
        logging.getLogger("django"),
        logging.getLogger("django.request"),
        logging.getLogger("passage"),
    ]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        vault.seal(reason="intake seizure test")
        identity = {
            "REMOTE_ADDR": "203.0.113.77",
            "HTTP_X_FORWARDED_FOR": "198.51.100.23",
            "HTTP_USER_AGENT": "CANARY-AGENT/7.1",
            "HTTP_REFERER": "http://canary-referer.example/page",
        }
        person = Person(Client(**identity))
        person.get_codename()
        person.practise()
        person.answer_all(story=f"{CANARIES[0]} {CANARIES[1]}")
        body = b"%PDF-1.4\n" + CANARIES[3].encode() + b"\n%%EOF\n"
        assert person.upload(f"{CANARIES[2]}.pdf", body).status_code == 302
        person.client.get("/intake/overview/")
        person.client.get("/intake/nowhere/")
        assert person.send().status_code == 302
        assert person.post("/intake/message/", {"text": CANARIES[4]}).status_code == 200

        vault.unseal_passphrase(PASSPHRASE)
        lawyer = verified_client(client, office.lawyer)
        account = Account.objects.get()
        lawyer.get(f"/inbox/{account.public_id}/")
        lawyer.post(f"/inbox/{account.public_id}/reply/", {"text": CANARIES[5]})
        assert CANARIES[5] in person.log_in().content.decode()
        vault.seal(reason="seizure")
        connection.close()
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        handler.close()

    searched = files_to_search()
    if connection.vendor == "sqlite":  # the right database was searched: it holds the intake tables
        assert any(b"intake_submission" in path.read_bytes() for path in searched)
    assert any(path.suffix == ".psg" for path in searched)  # and the encrypted file
    secrets_on_disk = [*CANARIES, *ANSWER_FRAGMENTS, person.codename, codenames.canonical(person.codename)]
    found = []
    for path in searched:
        data = path.read_bytes()
        for secret in secrets_on_disk:
            if any(form in data for form in forms_of(secret)):
                found.append((str(path), secret))
    assert found == []
