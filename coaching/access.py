"""Who may see and do what in coaching: views, services and templates ask here.

Built on ``boards.access``: outside the storyboard's team a coaching page does not exist (404);
a read-only role may look but not change (403). Each getter returns the object for a user who
may see it, asked for under the storyboard its address names and with that storyboard attached
(healthchecks' ``_get_check_for_user``).
"""

from __future__ import annotations

from django.http import Http404

from boards.access import can_edit, get_storyboard_for_user
from boards.models import Storyboard, User
from coaching.models import CoachingCycle, SecondCoachObservation, Session, SessionSeries


def get_series_for_user(
    user: User, pk: int, *, storyboard: int, write: bool = False
) -> SessionSeries:
    sb = get_storyboard_for_user(user, storyboard, write=write)
    series = (
        SessionSeries.objects.filter(pk=pk, storyboard=sb)
        .select_related("coach", "learner", "second_coach")
        .first()
    )
    if series is None:
        raise Http404("No such series on this storyboard.")
    series.storyboard = sb
    return series


def get_session_for_user(user: User, pk: int, *, storyboard: int, write: bool = False) -> Session:
    sb = get_storyboard_for_user(user, storyboard, write=write)
    session = (
        Session.objects.filter(pk=pk, storyboard=sb)
        .select_related("series__coach", "series__learner", "series__second_coach")
        .first()
    )
    if session is None:
        raise Http404("No such session on this storyboard.")
    session.storyboard = sb
    return session


def get_cycle_for_user(
    user: User, pk: int, *, storyboard: int, write: bool = False
) -> CoachingCycle:
    sb = get_storyboard_for_user(user, storyboard, write=write)
    return cycle_on(sb, pk)


def cycle_on(storyboard: Storyboard, cycle_pk: int) -> CoachingCycle:
    """The cycle on a storyboard the user was already let into (read again after a save)."""
    cycle = (
        CoachingCycle.objects.filter(pk=cycle_pk, storyboard=storyboard)
        .select_related("coach", "learner", "session__series", "next_session")
        .first()
    )
    if cycle is None:
        raise Http404("No such coaching cycle on this storyboard.")
    cycle.storyboard = storyboard
    return cycle


def may_answer(user: User, cycle: CoachingCycle) -> bool:
    """The cycle's coach and learner answer its questions, while their role may change boards."""
    return user.pk in (cycle.coach_id, cycle.learner_id) and can_edit(user, cycle.storyboard)


def may_observe(user: User, cycle: CoachingCycle) -> bool:
    """The scheduled second coach, any member who may change boards, or whoever observed it.

    Never the cycle's coach or learner. A read-only member (often a manager, the coach's own
    coach) observes when scheduled as second coach, and keeps their observation afterwards.
    """
    if user.pk in (cycle.coach_id, cycle.learner_id):
        return False
    session = cycle.session if cycle.session_id else None
    if session is not None and session.series.second_coach_id == user.pk:
        return True
    if can_edit(user, cycle.storyboard):
        return True
    return SecondCoachObservation.objects.filter(cycle=cycle, observer=user).exists()
