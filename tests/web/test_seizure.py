"""A seized, sealed server yields none of the planted canaries, on SQLite and on PostgreSQL.

Clients, letters, incidents, notes and tasks are created with canary strings; the app's pages
are used so logs are written; then the vault is sealed and every byte of the database's files
(SQLite: the file, its WAL and journal; PostgreSQL: ``base/<oid>/`` and ``pg_wal`` after a
checkpoint), the media directory and the logs is searched for the canaries in the encodings an
attacker would try.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest
from django.conf import settings
from django.db import connection

from passage.cases import actions
from passage.cases.models import Institution
from tests.conftest import verified_client
from tests.web.disk import canary_forms, data_folder_files, find, searchable_database_files

CANARIES = [
    "CANARY-NAME-7Q2",
    "КАНАРЕЙКА-ПСЕВДОНИМ",
    "canary-contact-5551234",
    "CANARY-NARRATIVE-X9",
    "CANARY-LETTER-SUBJECT",
    "CANARY-LETTER-BODY",
    "CANARY-INCIDENT",
    "CANARY-NOTE",
    "CANARY-TASK",
]


@pytest.mark.django_db(transaction=True)
def test_a_sealed_copy_of_the_data_reveals_no_canary(vault, django_user_model, client):
    from passage.accounts.models import Role

    log_file = settings.PASSAGE.log_dir / "seizure-test.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file)
    logging.getLogger().addHandler(handler)
    logging.getLogger("django").addHandler(handler)
    try:
        lawyer = django_user_model.objects.create_user(
            "seizure-lawyer", password="a-long-test-password", role=Role.LAWYER
        )
        institution = Institution.objects.create(name="Embassy", kind="embassy", country="DE", located_in="KZ")
        case = actions.create_case(
            lawyer,
            true_name=CANARIES[0],
            aliases=[CANARIES[1]],
            contacts=CANARIES[2],
            narrative=CANARIES[3],
            facts={"citizenship": "RU", "current_country": "KZ", "arrived_on": "2026-10-01"},
        )
        actions.record_letter(
            lawyer, case, institution=institution, direction="out", channel="email", sent_on=date(2026, 10, 5),
            subject=CANARIES[4], body=CANARIES[5],
        )  # fmt: skip
        actions.add_incident(
            lawyer, case, kind="threat", occurred_on=date(2026, 10, 6), country="KZ", description=CANARIES[6]
        )
        actions.add_note(lawyer, case, text=CANARIES[7], is_contact=True)
        actions.add_task(lawyer, case, title=CANARIES[8], due_on=date(2026, 12, 1))
        actions.update_details(lawyer, case, narrative=CANARIES[3] + " updated")
        web = verified_client(client, lawyer)
        for path in ("/", "/cases/", f"/cases/{case.id}/", f"/cases/{case.id}/plan/", "/follow-ups/"):
            assert web.get(path).status_code == 200, path
        # Look-ups by name and alias go through the blind index, never plaintext.
        assert web.post("/cases/", {"by": "alias", "value": CANARIES[1]}).status_code == 200
        assert actions.reveal_true_name(lawyer, case) == CANARIES[0]
        vault.seal(reason="seizure test")
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger("django").removeHandler(handler)
        handler.close()

    files = searchable_database_files()
    if connection.vendor == "sqlite":
        # The connection stays open: closing it would checkpoint and delete the WAL, which a
        # server seized while running (or cut from power) still has on disk.
        assert any(path.name == connection.settings_dict["NAME"].rsplit("/", 1)[-1] for path in files)
    else:
        assert any("pg_wal" in str(path) for path in files) and any("/base/" in str(path) for path in files)
    files += data_folder_files()
    assert log_file in files
    assert find(files, {canary: canary_forms(canary) for canary in CANARIES}) == []


@pytest.mark.django_db(transaction=True)
def test_the_search_would_find_a_canary_stored_in_plaintext(vault):
    """The search itself works on this database: a plain column with a canary is found."""
    Institution.objects.create(name="CANARY-PLAIN-INSTITUTION", kind="ngo")
    files = searchable_database_files()
    found = find(files, {"plain": canary_forms("CANARY-PLAIN-INSTITUTION")})
    assert found, f"the canary in a plain column was not found in {len(files)} files"
