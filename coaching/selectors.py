"""Reads about coaching that more than one view, service or command asks (HackSoft's selectors)."""

from __future__ import annotations

from datetime import datetime

from boards.models import Experiment, Storyboard, TargetCondition
from coaching.models import Session


def next_session(
    storyboard: Storyboard, *, now: datetime, exclude: Session | None = None
) -> Session | None:
    """The storyboard's next scheduled session that has not started yet."""
    sessions = Session.objects.upcoming(now).filter(storyboard=storyboard).select_related("series")
    if exclude is not None:
        sessions = sessions.exclude(pk=exclude.pk)
    return sessions.order_by("starts_at", "pk").first()


def last_step(target: TargetCondition | None) -> Experiment | None:
    """The step to reflect on: the one in progress, else the latest one."""
    if target is None:
        return None
    experiments = Experiment.objects.filter(target_condition=target).select_related("obstacle")
    return experiments.filter(result_recorded_at=None).order_by("-number").first() or (
        experiments.order_by("-number").first()
    )
