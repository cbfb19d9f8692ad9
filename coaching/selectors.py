"""Reads about coaching that more than one view, service or command asks (HackSoft's selectors)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from boards.models import Experiment, Membership, Storyboard, TargetCondition, User
from coaching.models import CoachingCycle, Session, SessionQuerySet


def _member_teams(user: User) -> QuerySet[Membership, int]:
    return Membership.objects.filter(user=user).values_list("team_id", flat=True)


def sessions_taking_part(user: User) -> SessionQuerySet:
    """The sessions the user coaches, learns in or observes, on the boards of their teams
    (archived teams' aside)."""
    return Session.objects.filter(
        Q(series__coach=user) | Q(series__learner=user) | Q(series__second_coach=user),
        storyboard__team_id__in=_member_teams(user),
        storyboard__team__archived_at__isnull=True,
    )


def cycles_coached_by(user: User) -> QuerySet[CoachingCycle]:
    """The coaching cycles the user ran, on the boards of their teams."""
    return CoachingCycle.objects.filter(coach=user, storyboard__team_id__in=_member_teams(user))


def next_session(
    storyboard: Storyboard, *, now: datetime, exclude: Session | None = None
) -> Session | None:
    """The session question 5 may confirm or move: still to be held, never one that is due
    now (about to be held, or being held) or already held."""
    sessions = Session.objects.ahead(now).filter(storyboard=storyboard).select_related("series")
    if exclude is not None:
        sessions = sessions.exclude(pk=exclude.pk)
    return sessions.order_by("starts_at", "pk").first()


def due_sessions(storyboard: Storyboard, *, now: datetime) -> list[Session]:
    """The board's sessions due now, nearest first: a cycle started now belongs to one."""
    sessions = Session.objects.due(now).filter(storyboard=storyboard).select_related("series")
    return sorted(sessions, key=lambda s: (abs(s.starts_at - now), s.pk))


def last_step(target: TargetCondition | None) -> Experiment | None:
    """The step to reflect on: the one in progress, else the latest one."""
    if target is None:
        return None
    experiments = Experiment.objects.filter(target_condition=target).select_related("obstacle")
    return experiments.filter(result_recorded_at=None).order_by("-number").first() or (
        experiments.order_by("-number").first()
    )
