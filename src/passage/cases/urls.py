"""Staff pages of the office: dashboard, cases, correspondence. Ids in URLs are opaque UUIDs;
nothing sensitive (names, aliases) ever goes into a URL."""

from django.urls import path

from passage.cases.views import cases, dashboard, facts, letters, work

app_name = "cases"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("reminders/<int:reminder_id>/read/", dashboard.reminder_read, name="reminder_read"),
    path("reminders/read/", dashboard.reminders_read_all, name="reminders_read_all"),
    path("replan/", dashboard.replan, name="replan"),
    path("cases/", cases.case_list, name="list"),
    path("cases/new/", cases.case_new, name="new"),
    path("cases/<uuid:case_id>/", cases.case_detail, name="detail"),
    path("cases/<uuid:case_id>/reveal/", cases.reveal, name="reveal"),
    path("cases/<uuid:case_id>/details/", cases.details_edit, name="details"),
    path("cases/<uuid:case_id>/status/", cases.case_status, name="status"),
    path("cases/<uuid:case_id>/shred/", cases.shred, name="shred"),
    path("cases/<uuid:case_id>/facts/", facts.facts_edit, name="facts"),
    path("cases/<uuid:case_id>/plan/", facts.plan, name="plan"),
    path("cases/<uuid:case_id>/notes/", work.add_note, name="add_note"),
    path("cases/<uuid:case_id>/tasks/", work.add_task, name="add_task"),
    path("cases/<uuid:case_id>/incidents/", work.add_incident, name="add_incident"),
    path("cases/<uuid:case_id>/letters/new/", letters.letter_new, name="letter_new"),
    path("tasks/<uuid:task_id>/done/", work.task_done, name="task_done"),
    path("letters/<uuid:letter_id>/", letters.letter_detail, name="letter"),
    path("letters/<uuid:letter_id>/status/", letters.letter_status, name="letter_status"),
    path("follow-ups/", letters.overdue, name="overdue"),
    path("institutions/", letters.institutions, name="institutions"),
    path("institutions/new/", letters.institution_edit, name="institution_new"),
    path("institutions/<uuid:institution_id>/edit/", letters.institution_edit, name="institution_edit"),
    path("institutions/seed/", letters.institutions_seed, name="institutions_seed"),
    path("statistics/", letters.stats, name="stats"),
]
