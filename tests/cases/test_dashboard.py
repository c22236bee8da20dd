"""The limbo dashboard: plain columns only, urgency first, constant queries, reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult

from passage.audit.models import AuditEvent
from passage.cases import actions
from passage.cases.models import Case, CaseStatus, Reminder
from passage.cases.presenters import stay_warning


def _set_stay_end(case: Case, days_from_now: int | None) -> None:
    ends = actions.today() + timedelta(days=days_from_now) if days_from_now is not None else None
    Case.objects.filter(pk=case.pk).update(permitted_stay_ends=ends)


def test_it_shows_each_case_with_its_plain_summary(as_lawyer, office):
    page = as_lawyer.get("/").content.decode()
    assert office.case.code in page
    assert office.other_case.code in page
    assert "Kazakhstan" in page and "Armenia" in page
    arrived = actions.today() - office.case.arrived_on
    assert f"<td>{arrived.days}</td>" in page
    assert office.case.permitted_stay_ends.isoformat() in page
    assert "CIS interstate list" in page
    best = actions.knowledge().pathway(office.case.best_route_goal)
    assert escape(best.name.en) in page


def test_it_names_countries_and_routes_in_the_users_language(as_lawyer, office):
    as_lawyer.post("/i18n/setlang/", {"language": "ru"})
    page = as_lawyer.get("/").content.decode()
    assert "Казахстан" in page
    best = actions.knowledge().pathway(office.case.best_route_goal)
    assert escape(best.name.ru) in page


def test_it_never_decrypts_or_shows_a_true_name(as_lawyer, office):
    before = AuditEvent.objects.count()
    page = as_lawyer.get("/").content.decode()
    assert "Ivan" not in page and "Vanya" not in page and "signal" not in page
    assert AuditEvent.objects.count() == before  # nothing sensitive was read


def test_it_shows_a_volunteer_only_the_assigned_case(as_volunteer, office):
    page = as_volunteer.get("/").content.decode()
    assert office.case.code in page
    assert office.other_case.code not in page


def test_it_shows_the_volunteer_with_no_case_nothing(as_nobody, office):
    page = as_nobody.get("/").content.decode()
    assert office.case.code not in page and office.other_case.code not in page
    assert "No active cases you can see." in page


def test_it_leaves_closed_cases_out(as_lawyer, office):
    Case.objects.filter(pk=office.other_case.pk).update(status=CaseStatus.CLOSED)
    assert office.other_case.code not in as_lawyer.get("/").content.decode()


@pytest.mark.parametrize(
    ("days_left", "level"),
    [
        (-3, "overstayed"),
        (0, "urgent"),
        (7, "urgent"),
        (8, "warning"),
        (14, "warning"),
        (30, "notice"),
        (31, None),
        (None, None),
    ],
)
def test_it_grades_the_stay_warning_at_the_thresholds(days_left, level):
    warning = stay_warning(days_left, [30, 14, 7])
    assert (warning.level if warning else None) == level


def test_it_marks_an_overstay_in_red(as_lawyer, office, thresholds):
    _set_stay_end(office.case, -4)
    page = as_lawyer.get("/").content.decode()
    assert 'class="row-overstayed"' in page
    assert "Overstayed by 4 days" in page


def test_it_uses_the_configured_thresholds(as_lawyer, office, thresholds):
    _set_stay_end(office.case, 20)
    assert "20 days left (under 30)" in as_lawyer.get("/").content.decode()
    thresholds(10, 5)
    page = as_lawyer.get("/").content.decode()
    assert "under 30" not in page
    assert "20 days left" in page  # still shown, without a warning


def test_it_sorts_by_stay_left_then_next_deadline(as_lawyer, office, make_cases):
    late, soon, no_stay_deadline, nothing = make_cases(4)
    _set_stay_end(late, 60)
    _set_stay_end(soon, 3)
    _set_stay_end(office.case, 10)
    _set_stay_end(no_stay_deadline, None)
    _set_stay_end(nothing, None)
    Case.objects.filter(pk=office.other_case.pk).update(permitted_stay_ends=None, next_deadline=None)
    Case.objects.filter(pk=no_stay_deadline.pk).update(next_deadline=actions.today() + timedelta(days=2))
    Case.objects.filter(pk=nothing.pk).update(next_deadline=None)
    page = as_lawyer.get("/").content.decode()
    positions = [page.index(case.code) for case in (soon, office.case, late, no_stay_deadline)]
    assert positions == sorted(positions)
    assert page.index(no_stay_deadline.code) < page.index(nothing.code)


def test_it_pages_fifty_cases_at_a_time(as_lawyer, office, make_cases):
    make_cases(50)
    first = as_lawyer.get("/").content.decode()
    second = as_lawyer.get("/?page=2").content.decode()
    assert first.count('<th scope="row">') == 50
    assert second.count('<th scope="row">') == 2
    assert "Page 2 of 2" in second


def test_it_keeps_the_query_count_constant(as_lawyer, office, make_cases, django_assert_max_num_queries):
    make_cases(3)  # 5 cases in all
    actions.due_reminders()
    with CaptureQueriesContext(connection) as five:
        assert as_lawyer.get("/").status_code == 200
    make_cases(45)  # 50 cases
    with django_assert_max_num_queries(len(five.captured_queries)):
        page = as_lawyer.get("/")
    assert page.content.decode().count('<th scope="row">') == 50


def test_it_shows_unread_reminders_and_marks_them_read(as_volunteer, office):
    actions.add_task(office.lawyer, office.case, title="Renew registration", due_on=actions.today())
    assert actions.due_reminders() == 1
    page = as_volunteer.get("/").content.decode()
    assert "Task due" in page
    assert "Renew registration" not in page  # reminders carry no text
    reminder = Reminder.objects.get(user=office.volunteer)
    response = as_volunteer.post(f"/reminders/{reminder.pk}/read/")
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert reminder.read
    assert "No unread reminders." in as_volunteer.get("/").content.decode()
    assert AuditEvent.objects.filter(action="update", target_type="cases.reminder").exists()


def test_it_marks_all_reminders_read(as_volunteer, office):
    actions.add_task(office.lawyer, office.case, title="one", due_on=actions.today())
    actions.add_task(office.lawyer, office.case, title="two", due_on=actions.today() - timedelta(days=1))
    actions.due_reminders()
    as_volunteer.post("/reminders/read/")
    assert not Reminder.objects.filter(user=office.volunteer, read=False).exists()


def test_it_refuses_to_mark_someone_elses_reminder(client, office):
    from tests.conftest import verified_client

    actions.add_task(office.lawyer, office.case, title="x", due_on=actions.today())
    actions.due_reminders()
    reminder = Reminder.objects.get(user=office.volunteer)
    verified_client(client, office.volunteer_none).post(f"/reminders/{reminder.pk}/read/")
    reminder.refresh_from_db()
    assert not reminder.read


@pytest.mark.parametrize("person", ["lawyer", "volunteer"])
def test_it_drops_reminders_of_shredded_cases(client, office, person):
    from tests.conftest import verified_client

    user = getattr(office, person)
    actions.add_task(office.lawyer, office.case, title="x", due_on=actions.today(), assigned_to=user)
    actions.due_reminders()
    viewer = verified_client(client, user)
    assert Reminder.objects.filter(user=user).exists() and office.case.code in viewer.get("/").content.decode()
    actions.shred_case(office.case.id, actor=office.lawyer)
    page = viewer.get("/").content.decode()
    assert office.case.code not in page and "No unread reminders." in page


def test_it_tells_of_cases_planned_with_an_older_knowledge_base(as_lawyer, office):
    Case.objects.filter(pk=office.case.pk).update(plan_kb_version="old")
    page = as_lawyer.get("/").content.decode()
    assert "1 case was planned with an older version of the knowledge base" in page
    response = as_lawyer.post("/replan/")
    assert response.status_code == 302
    assert DBTaskResult.objects.filter(task_path="passage.cases.jobs.replan_cases").count() == 1


def test_it_refuses_a_volunteer_the_replan_button(as_volunteer, office):
    Case.objects.filter(pk=office.case.pk).update(plan_kb_version="old")
    page = as_volunteer.get("/").content.decode()
    assert 'action="/replan/"' not in page
    assert as_volunteer.post("/replan/").status_code == 403
    assert not DBTaskResult.objects.exists()
