"""The limbo cells and the case page's summary built in Python show what their templates showed, in both languages."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.template import engines
from django.utils import timezone, translation

from passage.cases import actions
from passage.cases.limbo_html import case_summary_html
from passage.cases.models import Case
from passage.cases.presenters import limbo_rows

pytestmark = pytest.mark.django_db

# The case page's summary as its template wrote it before it was built in Python (the stay and
# wanted-list cells through the templates the case list still uses): the reference.
_SUMMARY_TEMPLATE = """{% load passage_i18n passage_cases %}
<dt>{% translate "Current country" %}</dt><dd>{{ summary.country|default:_("not known") }}{% if summary.days_there is not None %} — {% blocktranslate count days=summary.days_there %}{{ days }} day there{% plural %}{{ days }} days there{% endblocktranslate %}{% endif %}</dd>
<dt>{% translate "Permitted stay ends" %}</dt><dd>{% include "cases/_stay.html" with row=summary %}</dd>
<dt>{% translate "Wanted lists" %}</dt><dd>{% include "cases/_wanted.html" with row=summary %}</dd>
<dt>{% translate "Last contact" %}</dt><dd>{{ summary.last_contact.isoformat|default:"—" }}</dd>
<dt>{% translate "Next deadline" %}</dt><dd>{{ summary.next_deadline.isoformat|default:"—" }}{% if summary.deadline_passed %} <strong class="bad">{% translate "passed" %}</strong>{% endif %}</dd>
<dt>{% translate "Best route" %}</dt><dd>{% if summary.route_name %}{{ summary.route_name }} · <span class="status status-{{ summary.route_status }}">{{ summary.route_status|word }}</span>{% if summary.route_risk %} · <span class="risk-{{ summary.route_risk }}">{% blocktranslate with risk=summary.route_risk|word %}risk: {{ risk }}{% endblocktranslate %}</span>{% endif %}{% else %}{% translate "no route found" %}{% endif %} — <a href="{{ plan_url }}">{% translate "see the route plan" %}</a></dd>
<dt>{% translate "Volunteers" %}</dt><dd>{% for person in assigned %}{{ person.username }}{% if not forloop.last %}, {% endif %}{% empty %}{% translate "none assigned" %}{% endfor %}</dd>
<dt>{% translate "Opened" %}</dt><dd>{{ opened|date:"Y-m-d" }}</dd>
"""


def _words(html: str) -> str:
    # The templates' line breaks between elements, and the included files' last one, do not show.
    return re.sub(r" </dd>", "</dd>", " ".join(html.split()))


def _cases(case_id: Any) -> list[Case]:
    """Every kind of stay, wanted-list flags, deadline, route and risk, in turn."""
    today = actions.today()
    cases = []
    kinds = (
        # stay days, wanted lists, days there, deadline in days, route goal, status, risk
        (None, (None, None, None), None, None, "", "", ""),
        (3, (True, False, None), 1, -1, "de-22-2-aufenthg", "open", "high"),
        (-2, (False, False, False), 12, 0, "fr-visa-asile", "blocked", ""),
        (200, (True, True, True), 400, 30, "no_such_pathway", "missing", "low"),
        (1, (None, True, False), 0, 5, "", "", ""),
    )
    for stay, wanted, there, deadline, goal, status, risk in kinds:
        cases.append(Case(
            id=case_id, code="X", current_country="KZ" if there is not None else "", best_route_goal=goal,
            best_route_status=status, best_route_risk=risk,
            permitted_stay_ends=today + timedelta(days=stay) if stay is not None else None,
            arrived_on=today - timedelta(days=there) if there is not None else None,
            next_deadline=today + timedelta(days=deadline) if deadline is not None else None,
            last_contact=today - timedelta(days=3) if deadline else None,
            wanted_federal=wanted[0], wanted_interstate=wanted[1], wanted_interpol=wanted[2],
        ))  # fmt: skip
    return cases


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_summary_matches_its_template(office: Any, language: str) -> None:
    reference = engines["django"].from_string(_SUMMARY_TEMPLATE)
    opened = timezone.now() - timedelta(days=40)
    people_sets = (
        [],
        [SimpleNamespace(username="vova<b>")],
        [SimpleNamespace(username="a"), SimpleNamespace(username="b")],
    )
    shown = set()
    with translation.override(language):
        rows = limbo_rows(_cases(office.case.id), language, actions.today())
        for number, row in enumerate(rows):
            people = people_sets[number % len(people_sets)]
            built = _words(case_summary_html(row, opened, people, row.plan_url))
            context = {"summary": row, "assigned": people, "plan_url": row.plan_url, "opened": opened}
            assert built == _words(reference.render(context))
            shown.add(built)
    assert len(shown) == len(rows)  # every kind of row looked different
    assert "vova&lt;b&gt;" in " ".join(shown)  # names are escaped
