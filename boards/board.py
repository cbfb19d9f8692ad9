"""Everything a storyboard page shows, each part loaded once, only when a template asks for it.

A full page reads every part in a fixed number of queries; a section fragment reads only its
own. Nothing here loops over rows to query, so the count never grows with the data.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import Count, OuterRef, Subquery

from boards.charts import RunChart, run_charts
from boards.models import (
    Activity,
    ActualCondition,
    Experiment,
    Figure,
    Measurement,
    Metric,
    Obstacle,
    Storyboard,
    TargetCondition,
)
from boards.selectors import active_target_condition

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

ACTUAL_HISTORY = 6
ACTIVITY_SHOWN = 15
NEXT_STEPS = ("current", "target", "obstacle", "step")
SECTIONS = [
    "head",
    "target",
    "actual",
    "step",
    "chart",
    "obstacles",
    "record",
    "history",
    "activity",
]


def _metric_order(metric: Metric) -> tuple[bool, bool, datetime | None, int]:
    retired = metric.retired_at
    return (metric.kind != Metric.Kind.PROCESS, retired is not None, retired, metric.pk)


class LatestMeasurement(TypedDict):
    latest_value: Decimal
    latest_at: datetime | None  # None when the metric has no measurement yet


class Board:
    def __init__(
        self,
        storyboard: Storyboard,
        *,
        can_edit: bool,
        target: TargetCondition | None = None,
        mode: str = "",
        can_manage: bool = False,
        can_delete: bool = False,
    ):
        self.storyboard = storyboard
        self.mode = mode  # "", "wall" or "print": the same page with a class, no edit controls
        self.can_edit = can_edit and not mode
        # The board itself (the head, never cached): restore it when archived, delete it.
        self.can_manage = can_manage and not mode
        self.can_delete = can_delete and not mode
        self.notice = ""  # why the last action was refused, shown in the section
        self.past_target = target is not None
        if target is not None:
            self.__dict__["target"] = target
            self.can_edit = False

    @cached_property
    def target(self) -> TargetCondition | None:
        return active_target_condition(self.storyboard)

    @property
    def is_current(self) -> bool:
        return self.target is not None and self.target.is_active

    @cached_property
    def all_metrics(self) -> list[WithAnnotations[Metric, LatestMeasurement]]:
        """Every metric of the target, retired ones too, each with its latest measurement's
        value and time: the process metric first, then the outcome metric, current before
        retired."""
        if self.target is None:
            return []
        newest = Measurement.objects.filter(metric=OuterRef("pk")).order_by("-measured_at", "-pk")
        metrics = Metric.objects.filter(target_condition=self.target).annotate(
            latest_value=Subquery(newest.values("value")[:1]),
            latest_at=Subquery(newest.values("measured_at")[:1]),
        )
        # The plugin types the annotations as Any; LatestMeasurement says what they hold.
        found = [cast("WithAnnotations[Metric, LatestMeasurement]", m) for m in metrics]
        return sorted(found, key=_metric_order)

    @property
    def metrics(self) -> dict[str, WithAnnotations[Metric, LatestMeasurement]]:
        """The target's current metrics by kind (at most one of each)."""
        return {m.kind: m for m in self.all_metrics if not m.is_retired}

    @property
    def process_metric(self) -> Metric | None:
        return self.metrics.get(Metric.Kind.PROCESS)

    @property
    def outcome_metric(self) -> Metric | None:
        return self.metrics.get(Metric.Kind.OUTCOME)

    @property
    def metric_list(self) -> list[Metric]:
        """The current metrics, process first."""
        return [m for m in self.all_metrics if not m.is_retired]

    @property
    def retired_metrics(self) -> list[Metric]:
        return [m for m in self.all_metrics if m.is_retired]

    @property
    def missing_kinds(self) -> list[tuple[str, str]]:
        """The kinds of metric the target has no current one of, as (kind, label)."""
        have = self.metrics
        return [(kind, label) for kind, label in Metric.Kind.choices if kind not in have]

    @cached_property
    def latest_measurements(self) -> dict[int, Measurement]:
        """The latest measurement of each metric (its value and time), read with the metrics."""
        return {
            metric.pk: Measurement(
                metric=metric, value=metric.latest_value, measured_at=metric.latest_at
            )
            for metric in self.metrics.values()
            if metric.latest_at is not None
        }

    def _latest(self, metric: Metric | None) -> Measurement | None:
        return None if metric is None else self.latest_measurements.get(metric.pk)

    @property
    def latest_process(self) -> Measurement | None:
        return self._latest(self.process_metric)

    @property
    def latest_outcome(self) -> Measurement | None:
        return self._latest(self.outcome_metric)

    @cached_property
    def actual_conditions(self) -> list[ActualCondition]:
        return list(
            ActualCondition.objects.filter(storyboard=self.storyboard).select_related(
                "recorded_by"
            )[:ACTUAL_HISTORY]
        )

    @property
    def actual_now(self) -> ActualCondition | None:
        return self.actual_conditions[0] if self.actual_conditions else None

    @cached_property
    def obstacles(self) -> list[Obstacle]:
        if self.target is None:
            return []
        return list(Obstacle.objects.filter(target_condition=self.target))

    @property
    def open_obstacles(self) -> list[Obstacle]:
        return [o for o in self.obstacles if o.status != Obstacle.Status.CLEARED]

    @property
    def cleared_obstacles(self) -> list[Obstacle]:
        return [o for o in self.obstacles if o.status == Obstacle.Status.CLEARED]

    @property
    def working_on(self) -> Obstacle | None:
        return next((o for o in self.obstacles if o.status == Obstacle.Status.WORKING_ON), None)

    @cached_property
    def experiments(self) -> list[Experiment]:
        if self.target is None:
            return []
        return list(
            Experiment.objects.filter(target_condition=self.target).select_related("obstacle")
        )

    @cached_property
    def step_in_progress(self) -> Experiment | None:
        return next((e for e in reversed(self.experiments) if e.in_progress), None)

    @cached_property
    def last_step(self) -> Experiment | None:
        return self.experiments[-1] if self.experiments else None

    @cached_property
    def charts(self) -> list[RunChart]:
        """A run chart per metric, process first. The board charts the current metrics; a
        target condition's own page (``past_target``) its retired ones too."""
        if self.target is None:
            return []
        shown = self.all_metrics if self.past_target else self.metric_list
        return run_charts(shown, self.target)

    @cached_property
    def past_targets(self) -> list[TargetCondition]:
        return list(
            TargetCondition.objects.filter(storyboard=self.storyboard)
            .exclude(status=TargetCondition.Status.ACTIVE)
            .annotate(experiment_count=Count("experiments"))
            .order_by("-number")
        )

    @property
    def figures(self) -> list[Figure]:
        """The latest observation's figures while no target condition has taken them up yet
        (``boards.selectors.latest_figures`` asks the same, for the services)."""
        now = self.actual_now
        if self.target is not None or now is None or not now.figure_list:
            return []
        if any(t.created_at > now.observed_at for t in self.past_targets):
            return []
        return now.figure_list

    @cached_property
    def next_step(self) -> str:
        """Where the board stands in the Improvement Kata's order, while it is new.

        The challenge (in the head), then the current condition, the first target condition,
        the first obstacle and the first step: one of ``NEXT_STEPS``, or "" once steps are
        being taken. The section it names offers the board's one primary action; the sections
        after it say what they wait for.
        """
        if self.target is None:
            if self.actual_now is None and not self.past_targets:
                return "current"
            return "target"
        if not self.target.is_active or self.experiments:
            return ""
        return "step" if self.obstacles else "obstacle"

    @cached_property
    def activities(self) -> list[Activity]:
        return list(
            Activity.objects.filter(storyboard=self.storyboard).select_related("actor")[
                :ACTIVITY_SHOWN
            ]
        )
