"""Tasks: list with titles (audited), add, mark done."""

from __future__ import annotations

from datetime import date

import pytest

from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.cases.models import Task


@pytest.fixture
def task(office):
    return actions.add_task(office.lawyer, office.case, title="Call the embassy CANARY-T", due_on=date(2026, 12, 1))


def test_the_list_has_titles_and_is_audited(api_as, office, task):
    response = api_as("volunteer").get(f"/api/v1/clients/{office.case.id}/tasks")
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item == {
        "id": str(task.id), "client": str(office.case.id), "client_code": office.case.code, "kind": "task",
        "due_on": "2026-12-01", "done": False, "assigned_to": None, "created_at": item["created_at"],
        "title": "Call the embassy CANARY-T",
    }  # fmt: skip
    event = AuditEvent.objects.get(action="read", target_type="cases.task")
    assert event.actor == office.volunteer
    assert event.fields == "title"


def test_a_task_is_added_encrypted_and_sets_the_next_deadline(as_lawyer_api, office):
    response = as_lawyer_api.post(
        f"/api/v1/clients/{office.case.id}/tasks",
        {"title": "Renew registration CANARY-R", "due_on": "2026-12-24", "kind": "deadline"},
    )
    assert response.status_code == 201
    data = response.json()
    assert "title" not in data
    assert data["kind"] == "deadline"
    task = Task.objects.get(pk=data["id"])
    assert b"CANARY-R" not in bytes(task.title_enc)
    office.case.refresh_from_db()
    assert office.case.next_deadline == date(2026, 12, 24)
    event = AuditEvent.objects.get(action="create", target_id=str(task.id))
    assert event.fields == "title"


def test_a_task_is_marked_done_and_audited(api_as, office, task):
    response = api_as("volunteer").patch(f"/api/v1/tasks/{task.id}", {"done": True})
    assert response.status_code == 200
    assert response.json()["done"] is True
    task.refresh_from_db()
    assert task.done
    office.case.refresh_from_db()
    assert office.case.next_deadline is None
    event = AuditEvent.objects.get(action="update", target_id=str(task.id))
    assert event.detail == {"done": True}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "due_on": "2026-12-01"}, "title"),
        ({"title": "T"}, "due_on"),
        ({"title": "T", "due_on": "2026-12-01", "kind": "chore"}, "kind"),
    ],
)
def test_a_bad_task_is_a_400(as_lawyer_api, office, body, field):
    response = as_lawyer_api.post(f"/api/v1/clients/{office.case.id}/tasks", body)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert not Task.objects.exists()


def test_done_must_be_a_boolean(as_lawyer_api, task):
    response = as_lawyer_api.patch(f"/api/v1/tasks/{task.id}", {"done": "yes"})
    assert response.status_code == 400
    assert response.json() == {"error": "done must be true or false", "field": "done"}


def test_tasks_of_a_case_one_may_not_see_are_404(api_as, office, task):
    api = api_as("volunteer_none")
    assert api.get(f"/api/v1/clients/{office.case.id}/tasks").status_code == 404
    assert (
        api.post(f"/api/v1/clients/{office.case.id}/tasks", {"title": "T", "due_on": "2026-12-01"}).status_code == 404
    )
    assert api.patch(f"/api/v1/tasks/{task.id}", {"done": True}).status_code == 404
    task.refresh_from_db()
    assert not task.done
    assert Task.objects.count() == 1
