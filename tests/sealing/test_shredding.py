"""A crypto-shredded case stays unreadable by every path, even to someone holding the master key.

The case is shredded through its page. Then every page and API endpoint that could show it is
tried by an admin and a lawyer; then, with the unsealed master key in hand, every wrapped key
left in the database is unwrapped and tried on the ciphertext the case left behind (its letter
bodies, notes, tasks and incidents stay in their tables, unreadable). Last, the database's
files are searched for the destroyed wrapped key itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from passage.cases import actions
from passage.cases.models import Case, Incident, Institution, Letter, Note, Task
from passage.sealing import service
from passage.sealing.models import CaseKey
from passage.vault import DataKey, TamperedError, VaultError, field_aad
from tests.api.conftest import Api, issue
from tests.conftest import verified_client
from tests.web.disk import find, searchable_database_files


@pytest.fixture
def shredded(client: Client, office: Any) -> dict[str, Any]:
    """The volunteer's case with a letter, task, note and incident, shredded from its page."""
    case = office.case
    institution = Institution.objects.order_by("name").first()
    made = {
        "letter": actions.record_letter(office.lawyer, case, institution=institution, direction="out", channel="email",
                                        sent_on=actions.today(), subject="Shredded subject", body="Shredded body"),
        "task": actions.add_task(office.lawyer, case, title="Shredded task", due_on=actions.today()),
        "note": actions.add_note(office.lawyer, case, text="Shredded note"),
        "incident": actions.add_incident(office.lawyer, case, kind="threat", occurred_on=actions.today(), country="KZ",
                                         description="Shredded incident"),
    }  # fmt: skip
    made["wrapped"] = bytes(CaseKey.objects.get(case_id=case.id).wrapped)
    lawyer = verified_client(client, office.lawyer)
    assert lawyer.post(f"/cases/{case.id}/shred/", {"code": case.code}).status_code == 302
    return made


def test_no_page_or_endpoint_shows_the_shredded_case(office: Any, shredded: dict[str, Any]) -> None:
    case = office.case
    pages = [f"/cases/{case.id}/{suffix}" for suffix in ("", "plan/", "facts/", "details/", "shred/", "letters/new/")]
    pages += [f"/letters/{shredded['letter'].id}/", f"/evidence/case/{case.id}/", f"/dossiers/case/{case.id}/"]
    endpoints = [f"/api/v1/clients/{case.id}{suffix}" for suffix in ("", "/plan", "/letters", "/tasks", "/evidence")]
    endpoints += [f"/api/v1/letters/{shredded['letter'].id}"]
    for person in (office.admin, office.lawyer):
        web = verified_client(Client(), person)
        for path in pages:
            assert web.get(path).status_code == 404, path
        for path in (f"/cases/{case.id}/reveal/", f"/tasks/{shredded['task'].id}/done/"):
            assert web.post(path).status_code == 404, path
        assert case.code not in web.get("/").content.decode()
        assert case.code not in web.get("/follow-ups/").content.decode()
        api = Api(Client(), issue(person, name=f"shred-{person.pk}"))
        for path in endpoints:
            assert api.get(path).status_code == 404, path
        assert case.code not in api.get("/api/v1/clients").content.decode()


def test_no_key_left_in_the_vault_opens_what_the_case_left_behind(office: Any, shredded: dict[str, Any]) -> None:
    case_id = office.case.id
    with pytest.raises(VaultError):
        service.case_cipher(case_id)
    leftovers = [
        (Letter, shredded["letter"].id, "body", Letter.objects.get(pk=shredded["letter"].id).body_enc),
        (Letter, shredded["letter"].id, "subject", Letter.objects.get(pk=shredded["letter"].id).subject_enc),
        (Task, shredded["task"].id, "title", Task.objects.get(pk=shredded["task"].id).title_enc),
        (Note, shredded["note"].id, "text", Note.objects.get(pk=shredded["note"].id).text_enc),
        (Incident, shredded["incident"].id, "description", Incident.objects.get(pk=shredded["incident"].id).description_enc),
    ]  # fmt: skip
    assert Case.objects.get(pk=case_id).narrative_enc is None
    master = service.holder().master()
    candidates = [DataKey(master.key_bytes())]
    for row in CaseKey.objects.all():
        candidates.append(
            master.unwrap_data_key(bytes(row.wrapped), aad=field_aad("sealing_casekey", str(row.case_id), "data_key"))
        )
        # A surviving case's wrapped key does not unwrap as the shredded case's key either.
        with pytest.raises(TamperedError):
            master.unwrap_data_key(bytes(row.wrapped), aad=field_aad("sealing_casekey", str(case_id), "data_key"))
    assert len(candidates) == 2  # the master key and the other case's key
    for model, row_id, field, blob in leftovers:
        aad = field_aad(model._meta.db_table, str(row_id), field)
        for key in candidates:
            with pytest.raises(TamperedError):
                key.decrypt_text(bytes(blob), aad=aad)


@pytest.mark.django_db(transaction=True)
def test_the_destroyed_wrapped_key_is_gone_from_the_database_files(vault: Any, django_user_model: Any) -> None:
    from passage.accounts.models import Role

    lawyer = django_user_model.objects.create_user("shred-lawyer", password="a-long-test-password", role=Role.LAWYER)
    case = actions.create_case(lawyer, true_name="Doomed Person", narrative="doomed narrative")
    keep = actions.create_case(lawyer, true_name="Kept Person")
    wrapped = bytes(CaseKey.objects.get(case_id=case.id).wrapped)
    kept = bytes(CaseKey.objects.get(case_id=keep.id).wrapped)
    actions.shred_case(case.id, actor=lawyer)
    files = searchable_database_files()
    assert find(files, {"kept": [kept]}), "the search must find a live wrapped key"
    residue = find(files, {"destroyed wrapped key": [wrapped]})
    if connection.vendor == "postgresql":
        # A known gap, documented in the README: VACUUM FULL after the shred clears the tables,
        # but the write-ahead log keeps the old bytes until the server recycles its segment, which
        # may or may not have happened by now (it was once a strict xfail, and passed by chance).
        residue = [(path, name) for path, name in residue if "/pg_wal/" not in path]
    assert residue == [], "\n".join(path for path, _name in residue)
