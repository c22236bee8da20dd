"""A seized, sealed server yields none of the planted canaries.

Clients, letters, incidents, notes and tasks are created with canary strings; the app's pages
are used so logs are written; then the vault is sealed and every byte of the database file
(with its WAL and journal), the media directory and the logs is searched for the canaries in
the encodings an attacker would try.
"""

from __future__ import annotations

import base64
import logging
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from passage.cases import actions
from passage.cases.models import Institution
from tests.conftest import verified_client

CANARIES = ["CANARY-NAME-7Q2", "КАНАРЕЙКА-ПСЕВДОНИМ", "canary-contact-5551234", "CANARY-NARRATIVE-X9",
            "CANARY-LETTER-SUBJECT", "CANARY-LETTER-BODY", "CANARY-INCIDENT", "CANARY-NOTE", "CANARY-TASK"]


def _forms(canary: str) -> list[bytes]:
    raw = canary.encode()
    return [raw, canary.encode("utf-16-le"), base64.b64encode(raw), canary.lower().encode(), canary.encode("utf-8").hex().encode()]


def _files_to_search() -> list[Path]:
    files: list[Path] = []
    database = Path(connection.settings_dict["NAME"])
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = Path(str(database) + suffix)
        if candidate.exists():
            files.append(candidate)
    for folder in (settings.PASSAGE.media_dir, settings.PASSAGE.log_dir):
        if folder.exists():
            files.extend(path for path in folder.rglob("*") if path.is_file())
    return files


@pytest.mark.django_db(transaction=True)
def test_a_sealed_copy_of_the_data_reveals_no_canary(vault, django_user_model, client, tmp_path):
    from passage.accounts.models import Role

    assert connection.vendor != "sqlite" or Path(connection.settings_dict["NAME"]).exists(), "needs an on-disk database"
    log_file = settings.PASSAGE.log_dir / "seizure-test.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file)
    logging.getLogger().addHandler(handler)
    logging.getLogger("django").addHandler(handler)
    try:
        lawyer = django_user_model.objects.create_user("seizure-lawyer", password="a-long-test-password", role=Role.LAWYER)
        institution = Institution.objects.create(name="Embassy", kind="embassy", country="DE", located_in="KZ")
        case = actions.create_case(
            lawyer, true_name=CANARIES[0], aliases=[CANARIES[1]], contacts=CANARIES[2], narrative=CANARIES[3],
            facts={"citizenship": "RU", "current_country": "KZ", "arrived_on": "2026-10-01"},
        )
        actions.record_letter(lawyer, case, institution=institution, direction="out", channel="email", sent_on=date(2026, 10, 5), subject=CANARIES[4], body=CANARIES[5])
        actions.add_incident(lawyer, case, kind="threat", occurred_on=date(2026, 10, 6), country="KZ", description=CANARIES[6])
        actions.add_note(lawyer, case, text=CANARIES[7], is_contact=True)
        actions.add_task(lawyer, case, title=CANARIES[8], due_on=date(2026, 12, 1))
        actions.update_details(lawyer, case, narrative=CANARIES[3] + " updated")
        web = verified_client(client, lawyer)
        for path in ("/", "/cases/", f"/cases/{case.id}/", f"/cases/{case.id}/plan/", "/follow-ups/"):
            web.get(path)
        assert actions.reveal_true_name(lawyer, case) == CANARIES[0]
        vault.seal(reason="seizure test")
        connection.close()  # flush and checkpoint nothing: look at the files as they are
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger("django").removeHandler(handler)
        handler.close()

    files = _files_to_search()
    assert any(path.name.startswith(Path(connection.settings_dict["NAME"]).name) for path in files) or connection.vendor != "sqlite"
    found = []
    for path in files:
        data = path.read_bytes()
        for canary in CANARIES:
            for form in _forms(canary):
                if form in data:
                    found.append((str(path), canary))
    assert found == []
