"""The stay and wanted-list cells built in Python show what their templates show, in both languages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from passage.cases import actions
from passage.cases.limbo_html import stay_html, wanted_html
from passage.cases.models import Case
from passage.cases.presenters import limbo_rows

pytestmark = pytest.mark.django_db


def _words(html: str) -> str:
    return " ".join(html.split())  # the templates' line breaks between elements do not show


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_cells_match_the_templates(office: Any, language: str) -> None:
    today = actions.today()
    cases = []
    for stay, wanted in ((None, (None, None, None)), (3, (True, False, None)), (-2, (False, False, False)),
                         (200, (True, True, True)), (1, (None, True, False))):  # fmt: skip
        case = Case(id=office.case.id, code="X", current_country="KZ", best_route_goal="",
                    permitted_stay_ends=today + timedelta(days=stay) if stay is not None else None,
                    wanted_federal=wanted[0], wanted_interstate=wanted[1], wanted_interpol=wanted[2])  # fmt: skip
        cases.append(case)
    with translation.override(language):
        rows = limbo_rows(cases, language, today)
        for row in rows:
            assert _words(stay_html(row)) == _words(render_to_string("cases/_stay.html", {"row": row}))
            assert _words(wanted_html(row)) == _words(render_to_string("cases/_wanted.html", {"row": row}))
    assert len({_words(stay_html(row)) for row in rows}) == len(rows)  # every kind of stay was shown
