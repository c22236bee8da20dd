"""The limbo table's rows as HTML, built in Python.

The dashboard shows 50 rows on every request; rendering each row through template includes and
filters cost more than all of the page's queries together. These functions produce what
``cases/_stay.html`` and ``cases/_wanted.html`` produce for the case list, and the case page's
summary: every value is escaped, and every word is translated once per page with the same message
ids. The escaping is the standard library's, which Django's ``escape`` wraps: it gives the same
text without the wrapper's check for lazy strings on each of a page's 600 values (every value here
is a ``str``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from passage.cases.presenters import LimboRow
from passage.cases.templatetags.passage_cases import word

_DASH = "—"


@dataclass(frozen=True)
class _Words:
    """The page's fixed words, translated once."""

    not_known: str
    none: str
    no_route: str
    passed: str

    @classmethod
    def now(cls) -> _Words:
        return cls(escape(_("not known")), escape(_("none")), escape(_("no route found")), escape(_("passed")))


def _stay(row: LimboRow, words: _Words) -> str:
    if not row.stay_ends:
        return f'<span class="muted">{words.not_known}</span>'
    ends = row.stay_ends.isoformat()
    if row.warning:
        return f'{ends}\n<br><strong class="stay stay-{escape(row.warning.level)}">{escape(capfirst(row.warning.text))}</strong>\n'
    if row.days_left is not None:
        left = ngettext("%(days)s day left", "%(days)s days left", row.days_left) % {"days": row.days_left}
        return f'{ends}\n<br><span class="muted">{escape(left)}</span>'
    return f"{ends}\n"


def _wanted(row: LimboRow, words: _Words) -> str:
    if row.wanted:
        return "".join(f'<span class="flag">{escape(flag)}</span> ' for flag in row.wanted)
    return f'<span class="muted">{words.not_known}</span>' if row.wanted_unknown else words.none


def _word(code: str, cache: dict[str, str]) -> str:
    """An engine code as an escaped word, translated once per page."""
    if code not in cache:
        cache[code] = escape(word(code))
    return cache[code]


def _status(row: LimboRow, cache: dict[str, str]) -> str:
    """The best route's status as a labelled span."""
    return f'<span class="status status-{escape(row.route_status)}">{_word(row.route_status, cache)}</span>'


def _risk(row: LimboRow, cache: dict[str, str]) -> str:
    """The best route's risk as a labelled span ("" when there is none), translated once per page."""
    if not row.route_risk:
        return ""
    label = "risk:" + row.route_risk
    if label not in cache:
        cache[label] = escape(_("risk: %(risk)s") % {"risk": word(row.route_risk)})
    return f'<span class="risk-{escape(row.route_risk)}">{cache[label]}</span>'


def _route(row: LimboRow, words: _Words, risk_words: dict[str, str]) -> str:
    plan_url = escape(row.plan_url)
    if not row.route_name:
        return f'<a href="{plan_url}">{words.no_route}</a>'
    return (
        f'<a href="{plan_url}">{escape(row.route_name)}</a><br>\n{_status(row, risk_words)}\n{_risk(row, risk_words)}'
    )


def _deadline(row: LimboRow, words: _Words) -> str:
    if not row.next_deadline:
        return _DASH
    passed = f' <strong class="bad">{words.passed}</strong>' if row.deadline_passed else ""
    return row.next_deadline.isoformat() + passed


def case_summary_html(row: LimboRow, opened: Any, people: Iterable[Any], plan_url: str) -> SafeString:
    """The ``<dt>``/``<dd>`` pairs of a case page's summary: where the person is and since when,
    the stay, the wanted lists, last contact, next deadline, best route, volunteers, opened.

    Through the template these eight lines were some forty nodes, three plural or formatted
    translations and five filters: 0.2-0.3 ms of the case page, a tenth of its rendering.

    Args:
        row: the case's limbo row (``limbo_rows``).
        opened: when the case was opened (an aware datetime), shown as its date here.
        people: the volunteers assigned (anything with ``username``).
        plan_url: the case's route plan.
    """
    words = _Words.now()
    country = escape(row.country) if row.country else words.not_known
    if row.days_there is not None:
        there = ngettext("%(days)s day there", "%(days)s days there", row.days_there) % {"days": row.days_there}
        country += f" — {escape(there)}"
    route = words.no_route
    if row.route_name:
        cache: dict[str, str] = {}
        route = f"{escape(row.route_name)} · {_status(row, cache)}"
        if row.route_risk:
            route += f" · {_risk(row, cache)}"
    names = ", ".join(escape(person.username) for person in people) or escape(_("none assigned"))
    lines = (
        (_("Current country"), country),
        (_("Permitted stay ends"), _stay(row, words)),
        (_("Wanted lists"), _wanted(row, words)),
        (_("Last contact"), row.last_contact.isoformat() if row.last_contact else _DASH),
        (_("Next deadline"), _deadline(row, words)),
        (_("Best route"), f'{route} — <a href="{escape(plan_url)}">{escape(_("see the route plan"))}</a>'),
        (_("Volunteers"), names),
        (_("Opened"), localtime(opened).date().isoformat()),
    )
    # Every value above went through escape(); the rest is fixed markup.
    return mark_safe("\n".join(f"<dt>{escape(label)}</dt><dd>{value}</dd>" for label, value in lines))  # noqa: S308


def limbo_rows_html(rows: Iterable[LimboRow]) -> SafeString:
    """Every ``<tr>`` of the limbo table."""
    words = _Words.now()
    risk_words: dict[str, str] = {}
    lines = []
    for row in rows:
        warning = f' class="row-{escape(row.warning.level)}"' if row.warning else ""
        days_there = row.days_there if row.days_there is not None else _DASH
        lines.append(
            f'<tr{warning}>\n<th scope="row"><a href="{escape(row.detail_url)}">{escape(row.case.code)}</a></th>\n'
            f"<td>{escape(row.country or _DASH)}</td>\n<td>{days_there}</td>\n<td>{_stay(row, words)}</td>\n"
            f"<td>{_wanted(row, words)}</td>\n"
            f"<td>{row.last_contact.isoformat() if row.last_contact else _DASH}</td>\n"
            f"<td>{_deadline(row, words)}</td>\n<td>{_route(row, words, risk_words)}</td>\n</tr>"
        )
    # Every value above went through escape(); the rest is fixed markup.
    return mark_safe("\n".join(lines))  # noqa: S308 - built from escaped parts only
