"""Tables of letters as HTML rows, built in Python: the overdue follow-ups and a case's letters.

The overdue list shows 50 letters on every request; through the template each row cost two URL
reversals, a plural translation, a choice label and three filters, together more than the page's
queries. A case's letters table cost as much per row, with three choice labels that Django
rebuilds a dictionary for on every call. This builds the same rows with the same message ids:
every value is escaped, every word translated once per page. The overdue rows are plain column
values (``OVERDUE_COLUMNS``), not model instances: building a letter, its case and its
institution for each row cost more than the query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from html import escape
from typing import Any

from django.db.models import TextChoices
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from passage.cases.models import Channel, Direction, Letter, ReplyStatus
from passage.cases.presenters import url_for_id
from passage.cases.templatetags.passage_cases import institution_name, localized_name

# What the overdue list shows: not the letters' encrypted subjects and bodies.
OVERDUE_COLUMNS = (
    "id", "case_id", "case__code", "institution__name", "institution__name_ru", "date", "channel", "followup_due",
)  # fmt: skip


def _labels(choices: type[TextChoices]) -> dict[str, str]:
    """Each choice's label, translated and escaped once per page."""
    return {value: escape(str(label)) for value, label in choices.choices}


def overdue_rows_html(letters: Iterable[Mapping[str, Any]], on: date) -> SafeString:
    """Every ``<tr>`` of the overdue list: due date, days overdue, case, institution, sent, link.

    Args:
        letters: one mapping per letter with the ``OVERDUE_COLUMNS``.
        on: today, to count the days overdue.
    """
    case_link, letter_link = url_for_id("cases:detail"), url_for_id("cases:letter")
    open_word = escape(pgettext("link to a letter", "open"))
    channels = _labels(Channel)
    overdue_by: dict[int, str] = {}
    lines = []
    for letter in letters:
        due = letter["followup_due"]
        days = (on - due).days if due else 0
        if days not in overdue_by:
            overdue_by[days] = escape(ngettext("%(days)s day", "%(days)s days", days) % {"days": days})
        institution = localized_name(letter["institution__name"], letter["institution__name_ru"])
        channel = letter["channel"]
        lines.append(
            f"<tr>\n<td>{due.isoformat() if due else ''}</td>\n"
            f"<td>{overdue_by[days]}</td>\n"
            f'<td><a href="{escape(case_link(letter["case_id"]))}">{escape(letter["case__code"])}</a></td>\n'
            f"<td>{escape(institution)}</td>\n"
            f"<td>{letter['date'].isoformat()} · {channels.get(channel) or escape(channel)}</td>\n"
            f'<td><a href="{escape(letter_link(letter["id"]))}">{open_word}</a></td>\n</tr>'
        )
    # Every value above went through escape(); the rest is fixed markup.
    return mark_safe("\n".join(lines))  # noqa: S308 - built from escaped parts only


def case_letters_html(letters: Iterable[tuple[Letter, str]], on: date) -> SafeString:
    """Every ``<tr>`` of a case's letters: date, direction and channel, institution, subject, reply, follow-up.

    Args:
        letters: each letter (its institution loaded with it) and its decrypted subject.
        on: today, to mark the follow-ups that are due.
    """
    letter_link = url_for_id("cases:letter")
    directions, channels, replies = _labels(Direction), _labels(Channel), _labels(ReplyStatus)
    no_subject, due_word = escape(_("(no subject)")), escape(_("due"))
    lines = []
    for letter, subject in letters:
        answered = f" {letter.answered_on.isoformat()}" if letter.answered_on else ""
        followup = "—"
        if letter.followup_due:
            followup = letter.followup_due.isoformat()
            if letter.followup_due <= on:
                followup += f' <strong class="bad">{due_word}</strong>'
        reply = letter.reply_status
        lines.append(
            f"<tr>\n<td>{letter.date.isoformat()}</td>\n"
            f"<td>{directions.get(letter.direction) or escape(letter.direction)} · "
            f"{channels.get(letter.channel) or escape(letter.channel)}</td>\n"
            f"<td>{escape(institution_name(letter.institution))}</td>\n"
            f'<td><a href="{escape(letter_link(letter.id))}">{escape(subject) if subject else no_subject}</a></td>\n'
            f'<td><span class="reply reply-{escape(reply)}">{replies.get(reply) or escape(reply)}</span>{answered}</td>\n'
            f"<td>{followup}</td>\n</tr>"
        )
    # Every value above went through escape(); the rest is fixed markup.
    return mark_safe("\n".join(lines))  # noqa: S308 - built from escaped parts only
