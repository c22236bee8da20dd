"""Blank forms kept as HTML give exactly what rendering them gives, in the right language, with the
current choices; a form with the user's input and errors is never taken from the kept HTML.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

from passage.accounts.models import Role
from passage.cases import actions
from passage.cases.forms import IncidentForm, NoteForm, TaskForm
from passage.cases.views.common import people_on_case
from passage.web.blank_forms import blank_form_html


def _task_form(case: Any) -> TaskForm:
    return TaskForm(people=people_on_case(case), prefix="task")


def test_kept_html_equals_a_fresh_rendering(office: Any) -> None:
    for make in (
        lambda: NoteForm(initial={"on": actions.today()}, prefix="note"),
        lambda: _task_form(office.case),
        lambda: IncidentForm(lang="en", prefix="incident"),
    ):
        first, second = blank_form_html(make()), blank_form_html(make())
        assert first == second == make().as_div()


def test_each_language_gets_its_own_html(office: Any) -> None:
    with translation.override("en"):
        english = blank_form_html(NoteForm(prefix="note"))
    with translation.override("ru"):
        russian = blank_form_html(NoteForm(prefix="note"))
        assert russian == NoteForm(prefix="note").as_div()
    assert "Note" in english and "Заметка" in russian and english != russian


def test_a_new_person_on_the_case_appears_in_the_kept_task_form(office: Any, django_user_model: Any) -> None:
    before = blank_form_html(_task_form(office.case))
    assert "newcomer-lawyer" not in before
    django_user_model.objects.create_user("newcomer-lawyer", password="a-long-test-password-9", role=Role.LAWYER)
    after = blank_form_html(_task_form(office.case))
    assert "newcomer-lawyer" in after and after == _task_form(office.case).as_div()


def test_a_form_with_input_and_errors_is_rendered_afresh(office: Any) -> None:
    blank_form_html(NoteForm(prefix="note"))
    bound = NoteForm({"note-text": "", "note-on": "not a date"}, prefix="note")
    assert not bound.is_valid()
    html = blank_form_html(bound)
    assert html == bound.as_div() and "errorlist" in html
