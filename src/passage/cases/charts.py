"""Geometry of the server-drawn SVG chart of institution statistics (no script, no library).

The template draws what this computes; every number also appears as text in the chart and in
the table beside it, so colour is never the only carrier of meaning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from passage.cases.actions import InstitutionStats
from passage.cases.models import ReplyStatus

WIDTH = 820
LABEL_WIDTH = 270
BAR_X = 280
BAR_WIDTH = 340
ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 56  # room for the legend
NAME_CHARS = 38

# Outcomes left to right: answers first, then silence, then what is still open.
OUTCOMES = (
    ReplyStatus.ANSWERED,
    ReplyStatus.REFUSED,
    ReplyStatus.NOT_RESPONSIBLE,
    ReplyStatus.NO_ANSWER,
    ReplyStatus.AWAITING,
)


@dataclass(frozen=True)
class Segment:
    outcome: str
    label: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class ChartRow:
    name: str
    full_name: str
    y: int
    text_y: int
    segments: list[Segment]
    summary: str


@dataclass(frozen=True)
class LegendItem:
    outcome: str
    label: str
    x: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bar_x: int
    bar_width: int
    bar_height: int
    summary_x: int
    legend: list[LegendItem]
    rows: list[ChartRow]


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1].rstrip() + "…"


def answer_chart(stats: Sequence[InstitutionStats], names: Sequence[str]) -> Chart:
    """One stacked bar per institution: the share of its letters in each outcome."""
    labels = dict(ReplyStatus.choices)
    legend = [
        LegendItem(str(outcome), str(labels[outcome]), 10 + index * 150) for index, outcome in enumerate(OUTCOMES)
    ]
    rows: list[ChartRow] = []
    for index, (item, name) in enumerate(zip(stats, names, strict=True)):
        y = TOP + index * ROW_HEIGHT
        x = float(BAR_X)
        segments: list[Segment] = []
        for outcome in OUTCOMES:
            count = item.outcomes.get(outcome, 0)
            if not count:
                continue
            width = BAR_WIDTH * count / item.sent
            segments.append(Segment(str(outcome), str(labels[outcome]), count, round(x, 2), round(width, 2)))
            x += width
        summary = _("%(share)d%% replied (%(answered)d of %(sent)d)") % {
            "share": round(item.share_answered * 100),
            "answered": item.answered,
            "sent": item.sent,
        }
        rows.append(ChartRow(_short(name), name, y, y + 13, segments, summary))
    height = TOP + len(rows) * ROW_HEIGHT + 8
    return Chart(WIDTH, height, BAR_X, BAR_WIDTH, BAR_HEIGHT, BAR_X + BAR_WIDTH + 10, legend, rows)
