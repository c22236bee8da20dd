"""The overdue follow-ups table's rows as HTML, built in Python.

The list shows 50 letters on every request; through the template each row cost two URL
reversals, a plural translation, a choice label and three filters, together more than the page's
queries. This builds the same rows with the same message ids: every value is escaped, every word
translated once per page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext, pgettext

from passage.cases.models import Channel, Letter
from passage.cases.presenters import url_for_id
from passage.cases.templatetags.passage_cases import institution_name


def overdue_rows_html(letters: Iterable[Letter], on: date) -> SafeString:
    """Every ``<tr>`` of the overdue list: due date, days overdue, case, institution, sent, link."""
    case_link, letter_link = url_for_id("cases:detail"), url_for_id("cases:letter")
    open_word = escape(pgettext("link to a letter", "open"))
    channels = {value: escape(str(label)) for value, label in Channel.choices}
    overdue_by: dict[int, str] = {}
    lines = []
    for letter in letters:
        days = (on - letter.followup_due).days if letter.followup_due else 0
        if days not in overdue_by:
            overdue_by[days] = escape(ngettext("%(days)s day", "%(days)s days", days) % {"days": days})
        lines.append(
            f"<tr>\n<td>{letter.followup_due.isoformat() if letter.followup_due else ''}</td>\n"
            f"<td>{overdue_by[days]}</td>\n"
            f'<td><a href="{escape(case_link(letter.case_id))}">{escape(letter.case.code)}</a></td>\n'
            f"<td>{escape(institution_name(letter.institution))}</td>\n"
            f"<td>{letter.date.isoformat()} · {channels.get(letter.channel, escape(letter.channel))}</td>\n"
            f'<td><a href="{escape(letter_link(letter.id))}">{open_word}</a></td>\n</tr>'
        )
    # Every value above went through escape(); the rest is fixed markup.
    return mark_safe("\n".join(lines))  # noqa: S308 - built from escaped parts only
