"""Storyboards with a practice to show: targets, measurements, steps, obstacles, coaching.

Rows are built directly (as tests/factories.py does); the dashboard and the practice page only
read them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from boards.models import Obstacle, Storyboard
from coaching.models import CoachingCycle, Session, SessionSeries
from coaching.steps import FINISHED
from tests.factories import (
    ExperimentFactory,
    MeasurementFactory,
    MetricFactory,
    ObstacleFactory,
    StoryboardFactory,
    TargetConditionFactory,
    UserFactory,
)


def board(
    team,
    focus: str,
    *,
    learner=None,
    coach=None,
    achieve_in: int | None = 14,
    values: tuple = (),
    steps_ago: tuple[int, ...] = (),
    working: str = "",
    parked: int = 0,
    cycles_ago: tuple[int, ...] = (),
    sessions_in: tuple[int, ...] = (),
) -> Storyboard:
    """A storyboard with an active target (unless achieve_in is None) and what is on it.

    ``values`` are the process metric's readings, oldest first, an hour apart up to now;
    ``steps_ago``, ``cycles_ago`` and ``sessions_in`` are days from today.
    """
    sb = StoryboardFactory(
        team=team, focus_process=focus, learner=learner or UserFactory(), coach=coach
    )
    for days in cycles_ago:
        cycle(sb, timezone.now() - timedelta(days=days))
    for days in sessions_in:
        session(sb, timezone.now() + timedelta(days=days))
    if achieve_in is None:
        return sb
    target = TargetConditionFactory(
        storyboard=sb, achieve_by=timezone.localdate() + timedelta(days=achieve_in)
    )
    metric = MetricFactory(target_condition=target)
    MetricFactory(target_condition=target, outcome=True)
    for hours_ago, value in enumerate(reversed(values)):
        MeasurementFactory(
            metric=metric,
            value=Decimal(value),
            measured_at=timezone.now() - timedelta(hours=hours_ago),
        )
    for days in steps_ago:
        ExperimentFactory(
            target_condition=target,
            planned_for=timezone.localdate() - timedelta(days=days),
            recorded=True,
        )
    if working:
        ObstacleFactory(
            target_condition=target, description=working, status=Obstacle.Status.WORKING_ON
        )
    for _ in range(parked):
        ObstacleFactory(target_condition=target)
    return sb


def _series(sb: Storyboard) -> SessionSeries:
    series = SessionSeries.objects.filter(storyboard=sb).first()
    if series is None:
        coach = sb.coach or sb.learner
        series = SessionSeries.objects.create(
            storyboard=sb,
            coach=coach,
            learner=sb.learner,
            time_zone="UTC",
            start_date=timezone.localdate() - timedelta(days=120),
            start_time=timezone.now().time(),
            rrule="FREQ=DAILY",
        )
    return series


def session(sb: Storyboard, starts_at: datetime, *, cancelled: bool = False) -> Session:
    return Session.objects.create(
        series=_series(sb),
        storyboard=sb,
        original_start=starts_at,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=20),
        status=Session.Status.CANCELLED if cancelled else Session.Status.SCHEDULED,
    )


def cycle(sb: Storyboard, started_at: datetime) -> CoachingCycle:
    return CoachingCycle.objects.create(
        storyboard=sb,
        session=session(sb, started_at),
        coach=sb.coach or sb.learner,
        learner=sb.learner,
        started_at=started_at,
        finished_at=started_at + timedelta(minutes=18),
        step=FINISHED,
    )
