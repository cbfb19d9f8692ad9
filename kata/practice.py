"""A team's practice over the last weeks, week by week, drawn as SVG bar charts on the server.

It counts what the team did (PDCA cycles, coaching cycles, target conditions achieved), never
who did how much: there is no per-learner figure here on purpose. Reads the team's PDCA cycles,
target conditions achieved, coaching cycles and scheduled sessions, counted by week in the
database, and draws them on the scale and axes of ``boards.charts``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from boards.charts import Axes, Bands, Frame, Tick, nice_step
from boards.models import Experiment, TargetCondition, Team
from coaching.models import CoachingCycle, Session

WEEKS = 12
FRAME = Frame(720, 240, left=40, right=12, top=16, bottom=40)


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
    axes: Axes
    frame: Frame = FRAME


def bar_chart(
    chart_id: str, title: str, summary: str, weeks: list[date], series: list[Series]
) -> BarChart:
    """Bars side by side for each week, one per series, on a shared scale from zero."""
    high = max([1, *(v for s in series for v in s.values)])
    step = int(nice_step(high, 5, whole=True))
    y = FRAME.y_scale(0, -(-high // step) * step)
    bottom = FRAME.plot_bottom
    weekly = Bands(len(weeks), FRAME.plot_left, FRAME.plot_width, bars=len(series))
    for index, s in enumerate(series):
        for week_no, (week, value) in enumerate(zip(weeks, s.values, strict=True)):
            top = y(value)
            s.bars.append(
                Bar(
                    x=round(weekly.bar_x(week_no, index), 1),
                    y=top,
                    width=round(weekly.bar_width, 1),
                    height=round(bottom - top, 1),
                    value=value,
                    title=f"Week of {week:%d %b}: {value} {s.name.lower()}",
                )
            )
    axes = Axes(
        FRAME,
        y_ticks=[Tick(y(v), str(int(v))) for v in y.ticks(step)],
        x_ticks=[Tick(weekly.centre(n), f"{week.day} {week:%b}") for n, week in enumerate(weeks)],
        x_label_gap=18,
    )
    return BarChart(chart_id, title, summary, series, axes)


def _by_week(rows: QuerySet, weeks: list[date]) -> list[int]:
    counts: dict[date, int] = {}
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

    def charts(self) -> dict[str, object]:
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
