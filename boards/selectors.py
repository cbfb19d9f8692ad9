"""Reads about boards that more than one view, service or app asks (HackSoft's selectors).

Each names one thing a board has at most one of now; the querysets behind them
(``TargetCondition.objects.active()``, ``Experiment.objects.in_progress()``...) are the filters
to use where a list is wanted instead.
"""

from __future__ import annotations

from django.db.models import Max

from boards.models import ActualCondition, Experiment, Metric, Obstacle, Storyboard, TargetCondition


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
    return Metric.objects.filter(target_condition=target_condition).current().process().first()


def latest_figures(storyboard: Storyboard | int) -> ActualCondition | None:
    """The latest observation if it holds figures no target condition has taken up yet.

    Figures are recorded while no target condition is active; the next one set takes them up
    as its metrics' first measurements (and its form starts from their names and units).
    """
    observation = ActualCondition.objects.filter(storyboard=storyboard).first()
    if observation is None or not observation.figure_list:
        return None
    last_set = TargetCondition.objects.filter(storyboard=storyboard).aggregate(at=Max("created_at"))
    if last_set["at"] is not None and last_set["at"] > observation.observed_at:
        return None
    return observation
