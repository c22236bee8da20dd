"""Blank forms kept as HTML give exactly what rendering them gives, in the right language, with the
current choices; a form with the user's input and errors is never taken from the kept HTML.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from passage.accounts.models import Role
from passage.cases import actions
from passage.cases.forms import IncidentForm, NoteForm, TaskForm
from passage.cases.views.common import people_on_case, person_choices
from passage.web.blank_forms import blank_form_html, form_html


def _people(case: Any) -> tuple[tuple[str, str], ...]:
    return person_choices(people_on_case(case))


def test_kept_html_equals_a_fresh_rendering(office: Any) -> None:
    today = actions.today()
    for form_class, arguments in (
        (NoteForm, {"prefix": "note", "initial": {"on": today}}),
        (TaskForm, {"prefix": "task", "people": _people(office.case)}),
        (IncidentForm, {"prefix": "incident", "lang": "en"}),
    ):
        first, second = blank_form_html(form_class, **arguments), blank_form_html(form_class, **arguments)
        assert first == second == form_class(**arguments).as_div()


def test_each_language_gets_its_own_html(office: Any) -> None:
    with translation.override("en"):
        english = blank_form_html(NoteForm, prefix="note")
    with translation.override("ru"):
        russian = blank_form_html(NoteForm, prefix="note")
        assert russian == NoteForm(prefix="note").as_div()
    assert "Note" in english and "Заметка" in russian and english != russian


def test_a_new_or_renamed_person_on_the_case_appears_in_the_kept_task_form(office: Any, django_user_model: Any) -> None:
    before = blank_form_html(TaskForm, prefix="task", people=_people(office.case))
    assert "newcomer-lawyer" not in before
    newcomer = django_user_model.objects.create_user(
        "newcomer-lawyer", password="a-long-test-password-9", role=Role.LAWYER
    )
    after = blank_form_html(TaskForm, prefix="task", people=_people(office.case))
    assert "newcomer-lawyer" in after and after == TaskForm(prefix="task", people=_people(office.case)).as_div()
    newcomer.username = "renamed-lawyer"
    newcomer.save()
    renamed = blank_form_html(TaskForm, prefix="task", people=_people(office.case))
    assert "renamed-lawyer" in renamed and "newcomer-lawyer" not in renamed


def test_a_kept_form_is_not_built_again(office: Any) -> None:
    built = []

    class CountedNoteForm(NoteForm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append(1)
            super().__init__(*args, **kwargs)

    first = blank_form_html(CountedNoteForm, prefix="note")
    assert blank_form_html(CountedNoteForm, prefix="note") == first and len(built) == 1
    blank_form_html(CountedNoteForm, prefix="other")
    assert len(built) == 2


def test_an_input_that_cannot_be_a_key_is_refused(office: Any) -> None:
    with pytest.raises(TypeError):
        blank_form_html(TaskForm, prefix="task", people=list(_people(office.case)))


def test_a_form_with_input_and_errors_is_rendered_afresh(office: Any) -> None:
    blank_form_html(NoteForm, prefix="note")
    bound = NoteForm({"note-text": "", "note-on": "not a date"}, prefix="note")
    assert not bound.is_valid()
    html = form_html(bound)
    assert html == bound.as_div() and "errorlist" in html
