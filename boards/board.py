"""Everything a storyboard page shows, loaded in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from boards.charts import RunChart, run_chart
from boards.models import (
    Activity,
    ActualCondition,
    Experiment,
    Measurement,
    Metric,
    Obstacle,
    Storyboard,
    TargetCondition,
)

ACTUAL_HISTORY = 5
ACTIVITY_SHOWN = 20


@dataclass
class Board:
    storyboard: Storyboard
    can_edit: bool
    target: TargetCondition | None = None
    process_metric: Metric | None = None
    outcome_metric: Metric | None = None
    actual_conditions: list[ActualCondition] = field(default_factory=list)
    obstacles: list[Obstacle] = field(default_factory=list)
    experiments: list[Experiment] = field(default_factory=list)
    chart: RunChart | None = None
    latest_process: Measurement | None = None
    latest_outcome: Measurement | None = None
    past_targets: list[TargetCondition] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)

    @property
    def actual_now(self) -> ActualCondition | None:
        return self.actual_conditions[0] if self.actual_conditions else None

    @property
    def working_on(self) -> Obstacle | None:
        return next((o for o in self.obstacles if o.status == Obstacle.Status.WORKING_ON), None)

    @property
    def step_in_progress(self) -> Experiment | None:
        return next((e for e in reversed(self.experiments) if e.in_progress), None)


def load_board(storyboard: Storyboard, *, can_edit: bool) -> Board:
    board = Board(storyboard=storyboard, can_edit=can_edit)
    board.target = TargetCondition.objects.filter(storyboard=storyboard, status="active").first()
    board.actual_conditions = list(
        ActualCondition.objects.filter(storyboard=storyboard).select_related("recorded_by")[
            :ACTUAL_HISTORY
        ]
    )
    board.past_targets = list(
        TargetCondition.objects.filter(storyboard=storyboard)
        .exclude(status="active")
        .annotate(experiment_count=Count("experiments"))
        .order_by("-number")
    )
    board.activities = list(
        Activity.objects.filter(storyboard=storyboard).select_related("actor")[:ACTIVITY_SHOWN]
    )
    if board.target is not None:
        target = board.target
        metrics = {m.kind: m for m in Metric.objects.filter(target_condition=target)}
        board.process_metric = metrics.get(Metric.Kind.PROCESS)
        board.outcome_metric = metrics.get(Metric.Kind.OUTCOME)
        board.obstacles = list(Obstacle.objects.filter(target_condition=target))
        board.experiments = list(
            Experiment.objects.filter(target_condition=target).select_related("obstacle")
        )
        if board.process_metric:
            board.latest_process = _latest(board.process_metric)
            board.chart = run_chart(board.process_metric, target)
        if board.outcome_metric:
            board.latest_outcome = _latest(board.outcome_metric)
    return board


def _latest(metric: Metric) -> Measurement | None:
    return Measurement.objects.filter(metric=metric).order_by("-measured_at", "-pk").first()
