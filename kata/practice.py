"""A team's practice over the last weeks, week by week, drawn as SVG bar charts on the server.

It counts what the team did (PDCA cycles, coaching cycles, target conditions achieved), never
who did how much: there is no per-learner figure here on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from boards.models import Experiment, TargetCondition, Team
from coaching.models import CoachingCycle, Session

WEEKS = 12
WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 16, 40


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    title: str

    @property
    def cx(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def label_y(self) -> float:
        return round(self.y - 4, 1)


@dataclass
class Series:
    name: str
    css: str
    values: list[int]
    bars: list[Bar] = field(default_factory=list)


@dataclass
class BarChart:
    id: str
    title: str
    summary: str
    series: list[Series]
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, int]]
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM


def _tick_step(high: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if high / step <= 5:
            return step
    return max(1, high // 5)


def bar_chart(chart_id: str, title: str, summary: str, weeks: list[date], series: list[Series]):
    """Bars side by side for each week, one per series, on a shared scale from zero."""
    high = max([1, *(v for s in series for v in s.values)])
    step = _tick_step(high)
    top_value = -(-high // step) * step
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / len(weeks)
    gap = slot * 0.2
    bar_w = (slot - gap) / len(series)

    def y_of(value: float) -> float:
        return round(TOP + plot_h - value / top_value * plot_h, 1)

    for index, s in enumerate(series):
        for week_no, (week, value) in enumerate(zip(weeks, s.values, strict=True)):
            x = LEFT + week_no * slot + gap / 2 + index * bar_w
            y = y_of(value)
            s.bars.append(
                Bar(
                    x=round(x, 1),
                    y=y,
                    width=round(bar_w, 1),
                    height=round(TOP + plot_h - y, 1),
                    value=value,
                    title=f"Week of {week:%d %b}: {value} {s.name.lower()}",
                )
            )
    x_labels = [
        (round(LEFT + n * slot + slot / 2, 1), f"{week.day} {week:%b}")
        for n, week in enumerate(weeks)
    ]
    y_ticks = [(y_of(v), v) for v in range(0, top_value + 1, step)]
    return BarChart(chart_id, title, summary, series, x_labels, y_ticks)


def _by_week(rows: QuerySet, weeks: list[date]) -> list[int]:
    counts = {}
    for week, n in rows.values_list("week", "n"):
        day = week.date() if isinstance(week, datetime) else week
        counts[day] = counts.get(day, 0) + n
    return [counts.get(week, 0) for week in weeks]


class Practice:
    """Weekly counts for one team over the last WEEKS weeks (Monday to Sunday, local time)."""

    def __init__(self, team: Team):
        self.team = team
        today = timezone.localdate()
        this_week = today - timedelta(days=today.weekday())
        self.weeks = [this_week - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
        self.first_day = self.weeks[0]
        self.end_day = this_week + timedelta(weeks=1)
        tz = timezone.get_current_timezone()
        self.tz = tz
        self.start = datetime.combine(self.first_day, time.min, tzinfo=tz)
        self.end = datetime.combine(self.end_day, time.min, tzinfo=tz)

    def pdca_cycles(self) -> list[int]:
        rows = (
            Experiment.objects.filter(
                target_condition__storyboard__team=self.team,
                planned_for__gte=self.first_day,
                planned_for__lt=self.end_day,
            )
            .annotate(week=TruncWeek("planned_for"))
            .order_by()
            .values("week")
            .annotate(n=Count("*"))
        )
        return _by_week(rows, self.weeks)

    def targets_achieved(self) -> list[int]:
        rows = (
            TargetCondition.objects.filter(
                storyboard__team=self.team,
                status=TargetCondition.Status.ACHIEVED,
                closed_at__gte=self.start,
                closed_at__lt=self.end,
            )
            .annotate(week=TruncWeek("closed_at", tzinfo=self.tz))
            .order_by()
            .values("week")
            .annotate(n=Count("*"))
        )
        return _by_week(rows, self.weeks)

    def coaching_cycles(self) -> list[int]:
        rows = (
            CoachingCycle.objects.filter(
                storyboard__team=self.team, started_at__gte=self.start, started_at__lt=self.end
            )
            .annotate(week=TruncWeek("started_at", tzinfo=self.tz))
            .order_by()
            .values("week")
            .annotate(n=Count("*"))
        )
        return _by_week(rows, self.weeks)

    def sessions_scheduled(self) -> list[int]:
        rows = (
            Session.objects.filter(
                storyboard__team=self.team,
                status=Session.Status.SCHEDULED,
                starts_at__gte=self.start,
                starts_at__lt=self.end,
            )
            .annotate(week=TruncWeek("starts_at", tzinfo=self.tz))
            .order_by()
            .values("week")
            .annotate(n=Count("*"))
        )
        return _by_week(rows, self.weeks)

    def charts(self) -> dict:
        pdca = self.pdca_cycles()
        achieved = self.targets_achieved()
        held = self.coaching_cycles()
        scheduled = self.sessions_scheduled()
        weeks = self.weeks
        practice = bar_chart(
            "pdca",
            "PDCA cycles and target conditions achieved per week",
            f"{sum(pdca)} PDCA cycles and {sum(achieved)} target conditions achieved in the "
            f"last {WEEKS} weeks; most PDCA cycles in one week: {max(pdca)}.",
            weeks,
            [
                Series("PDCA cycles", "bar-pdca", pdca),
                Series("Target conditions achieved", "bar-achieved", achieved),
            ],
        )
        coaching = bar_chart(
            "coaching",
            "Coaching cycles held against sessions scheduled per week",
            f"{sum(held)} coaching cycles held and {sum(scheduled)} sessions scheduled in the "
            f"last {WEEKS} weeks (this week's sessions include those still ahead).",
            weeks,
            [
                Series("Sessions scheduled", "bar-scheduled", scheduled),
                Series("Coaching cycles held", "bar-held", held),
            ],
        )
        rows = [
            {"week": week, "pdca": p, "achieved": a, "held": h, "scheduled": s}
            for week, p, a, h, s in zip(weeks, pdca, achieved, held, scheduled, strict=True)
        ]
        return {"charts": [practice, coaching], "rows": rows, "weeks": WEEKS}
