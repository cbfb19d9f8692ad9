"""Reads about boards that more than one view, service or app asks (HackSoft's selectors).

Each names one thing a board has at most one of now; the querysets behind them
(``TargetCondition.objects.active()``, ``Experiment.objects.in_progress()``...) are the filters
to use where a list is wanted instead.
"""

from __future__ import annotations

from boards.models import Experiment, Metric, Obstacle, Storyboard, TargetCondition


def active_target_condition(storyboard: Storyboard | int) -> TargetCondition | None:
    """The target condition the board works toward now, or None between target conditions."""
    return TargetCondition.objects.filter(storyboard=storyboard).active().first()


def step_in_progress(target_condition: TargetCondition | int) -> Experiment | None:
    """The step planned whose result is not recorded yet; the next one waits for it."""
    return (
        Experiment.objects.filter(target_condition=target_condition)
        .in_progress()
        .order_by("-number")
        .first()
    )


def obstacle_worked_on(target_condition: TargetCondition | int) -> Obstacle | None:
    """The one obstacle the learner addresses now, or None while all are parked or cleared."""
    return Obstacle.objects.filter(target_condition=target_condition).working_on().first()


def process_metric(target_condition: TargetCondition | int) -> Metric | None:
    """The metric a step's result is measured by, and the run chart plots; None if not set."""
    return Metric.objects.filter(target_condition=target_condition).process().first()
