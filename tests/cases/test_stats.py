"""Per-institution statistics across all cases: a table and a server-drawn SVG chart."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from passage.cases import actions
from passage.cases.charts import BAR_WIDTH, answer_chart
from passage.cases.models import Institution


@pytest.fixture
def letters(office, institution):
    """Four letters to the German embassy (answered in 10 and 20 days, refused, awaiting), one to UNHCR."""
    unhcr = Institution.objects.get(kb_id="unhcr")
    today = actions.today()

    def send(case, to, days_ago, status=None, answered_after=None):
        letter = actions.record_letter(
            office.lawyer,
            case,
            institution=to,
            direction="out",
            channel="email",
            sent_on=today - timedelta(days=days_ago),
            subject="Canary subject",
            body="Canary body",
        )
        if status:
            actions.set_reply_status(office.lawyer, letter, status, letter.date + timedelta(days=answered_after or 0))
        return letter

    send(office.case, institution, 60, "answered", 10)
    send(office.other_case, institution, 50, "answered", 20)
    send(office.case, institution, 40, "refused", 5)
    send(office.case, institution, 3)
    send(office.other_case, unhcr, 30, "no_answer")
    return institution, unhcr


def test_it_counts_answers_shares_and_median_delays(as_lawyer, office, letters):
    embassy, unhcr = letters
    page = as_lawyer.get("/statistics/").content.decode()
    stats = {item.institution: item for item in actions.institution_stats()}
    assert stats[embassy].sent == 4 and stats[embassy].answered == 3 and stats[embassy].median_days == 10
    assert stats[unhcr].answered == 0
    assert "<td>75%</td>" in page
    assert "<td>0%</td>" in page
    assert "<td>10</td>" in page  # median days


def test_it_draws_an_accessible_svg_chart_with_text_labels(as_lawyer, office, letters):
    page = as_lawyer.get("/statistics/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">' in svg and '<desc id="chart-desc">' in svg
    assert "Embassy of Germany in Kazakhstan" in svg
    assert "75% replied (3 of 4)" in svg
    assert "style=" not in svg and "<script" not in page


def test_it_shows_no_case_data(as_lawyer, office, letters):
    page = as_lawyer.get("/statistics/").content.decode()
    assert office.case.code not in page and office.other_case.code not in page
    assert "Canary" not in page


def test_it_keeps_the_statistics_from_volunteers(as_volunteer, office, letters):
    assert as_volunteer.get("/statistics/").status_code == 403
    assert 'href="/statistics/"' not in as_volunteer.get("/").content.decode()


def test_it_says_so_when_nothing_was_sent(as_admin, office):
    page = as_admin.get("/statistics/").content.decode()
    assert "No letters have been sent yet." in page and "<svg" not in page


def test_it_fills_each_bar_with_its_outcomes(office, letters):
    stats = actions.institution_stats()
    chart = answer_chart(stats, [item.institution.name for item in stats])
    for row, item in zip(chart.rows, stats, strict=True):
        assert sum(segment.count for segment in row.segments) == item.sent
        assert sum(segment.width for segment in row.segments) == pytest.approx(BAR_WIDTH, abs=0.05)


def test_it_renders_numbers_in_the_chart_the_same_in_russian(as_lawyer, office, letters):
    as_lawyer.post("/i18n/setlang/", {"language": "ru"})
    page = as_lawyer.get("/statistics/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    coordinates = re.findall(r'\b(?:x|y|width|height)="([^"]*)"', svg)
    assert coordinates and all(re.fullmatch(r"\d+(\.\d+)?", value) for value in coordinates)  # no decimal commas
    assert "Посольство Германии в Казахстане" in svg
