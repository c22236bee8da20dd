"""Tasks and deadlines, and reminders as a background job (django-tasks with the database backend)."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.cases.jobs import send_reminders
from passage.cases.models import Case, CaseStatus, Reminder, Task


def test_it_adds_a_task_encrypted_and_moves_the_next_deadline(as_volunteer, office):
    due = actions.today() + timedelta(days=5)
    response = as_volunteer.post(
        f"/cases/{office.case.id}/tasks/",
        {
            "task-title": "Canary: renew the registration",
            "task-kind": "deadline",
            "task-due_on": due.isoformat(),
            "task-assigned_to": office.volunteer.pk,
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#tasks")
    task = Task.objects.get()
    assert task.kind == "deadline" and task.due_on == due and task.assigned_to == office.volunteer
    assert b"Canary" not in bytes(task.title_enc)
    assert Case.objects.get(pk=office.case.pk).next_deadline == due
    assert AuditEvent.objects.get(action="create", target_id=str(task.pk)).fields == "title"
    page = as_volunteer.get(f"/cases/{office.case.id}/").content.decode()
    assert "Canary: renew the registration" in page


def test_it_only_offers_people_who_can_see_the_case(as_lawyer, office):
    page = as_lawyer.get(f"/cases/{office.other_case.id}/").content.decode()
    assert office.volunteer.username not in page.split('name="task-assigned_to"')[1].split("</select>")[0]


def test_it_refuses_a_task_for_someone_who_cannot_see_the_case(as_lawyer, office):
    response = as_lawyer.post(
        f"/cases/{office.other_case.id}/tasks/",
        {"task-title": "x", "task-kind": "task", "task-due_on": actions.today().isoformat(),
         "task-assigned_to": office.volunteer.pk},
    )  # fmt: skip
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not Task.objects.exists()


def test_it_refuses_a_task_without_a_due_date(as_lawyer, office):
    response = as_lawyer.post(
        f"/cases/{office.case.id}/tasks/", {"task-title": "x", "task-kind": "task", "task-due_on": ""}
    )
    assert response.status_code == 400
    assert not Task.objects.exists()


def test_it_marks_a_task_done_and_reopens_it(as_volunteer, office):
    task = actions.add_task(office.lawyer, office.case, title="t", due_on=actions.today())
    as_volunteer.post(f"/tasks/{task.id}/done/", {"done": "1"})
    task.refresh_from_db()
    assert task.done
    assert Case.objects.get(pk=office.case.pk).next_deadline is None
    assert AuditEvent.objects.get(action="update", target_id=str(task.pk)).detail == {"done": True}
    as_volunteer.post(f"/tasks/{task.id}/done/", {"done": "0"})
    task.refresh_from_db()
    assert not task.done


def test_it_refuses_to_touch_a_task_of_another_case(as_nobody, office):
    task = actions.add_task(office.lawyer, office.case, title="t", due_on=actions.today())
    assert as_nobody.post(f"/tasks/{task.id}/done/", {"done": "1"}).status_code == 404
    task.refresh_from_db()
    assert not task.done


# -- reminders -----------------------------------------------------------------------------------


def test_it_reminds_the_people_on_the_case_of_what_falls_due(office, institution):
    actions.add_task(office.lawyer, office.case, title="due tomorrow", due_on=actions.today() + timedelta(days=1))
    actions.add_task(office.lawyer, office.case, title="later", due_on=actions.today() + timedelta(days=10))
    actions.add_task(office.lawyer, office.other_case, title="unassigned case", due_on=actions.today())
    actions.record_letter(
        office.lawyer,
        office.case,
        institution=institution,
        direction="out",
        channel="email",
        sent_on=actions.today() - timedelta(days=30),
        subject="s",
        body="b",
    )
    assert send_reminders.call() == 4
    assert set(Reminder.objects.filter(user=office.volunteer).values_list("kind", flat=True)) == {"task", "follow_up"}
    # a case nobody is assigned to reminds the lawyers and admins
    assert set(
        Reminder.objects.filter(kind="task", case=office.other_case).values_list("user__username", flat=True)
    ) == {"alice-admin", "lena-lawyer"}
    assert send_reminders.call() == 0  # once per due date


def test_it_sends_no_reminders_for_closed_or_shredded_cases(office):
    actions.add_task(office.lawyer, office.case, title="x", due_on=actions.today())
    actions.add_task(office.lawyer, office.other_case, title="y", due_on=actions.today())
    Case.objects.filter(pk=office.other_case.pk).update(status=CaseStatus.CLOSED)
    actions.shred_case(office.case.id, actor=office.lawyer)
    assert actions.due_reminders() == 0


def test_it_queues_the_reminder_job_for_the_worker(office, monkeypatch):
    from django_tasks_db.management.commands import db_worker

    # The worker closes stale connections between jobs; in a test that would close the test database.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    actions.add_task(office.lawyer, office.case, title="x", due_on=actions.today())
    call_command("reminders")
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "passage.cases.jobs.send_reminders"
    assert not Reminder.objects.exists()
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "default", verbosity=0)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert Reminder.objects.filter(user=office.volunteer, kind="task").count() == 1


def test_it_runs_the_reminders_inline_with_now(office, capsys):
    actions.add_task(office.lawyer, office.case, title="x", due_on=actions.today())
    call_command("reminders", "--now")
    assert "1 new reminder(s)" in capsys.readouterr().out
    assert not DBTaskResult.objects.exists()
    assert Reminder.objects.count() == 1


def test_it_reminds_even_while_sealed(office, vault):
    actions.add_task(office.lawyer, office.case, title="x", due_on=actions.today())
    vault.seal()
    assert send_reminders.call() == 1  # plain dates only: no key needed
