"""The storyboard's coaching page, the coach's day and the cycles a coach ran."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from boards.access import can_edit, get_storyboard_for_user
from boards.http import AuthenticatedHttpRequest
from boards.models import User
from coaching.models import CoachingCycle, Session, SessionSeries
from coaching.selectors import cycles_coached_by, due_sessions, sessions_taking_part
from coaching.steps import STEPS

UPCOMING_SHOWN = 12
CYCLES_SHOWN = 20


@login_required
@require_GET
def storyboard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The storyboard's coaching: upcoming sessions, the schedules, and its coaching cycles."""
    sb = get_storyboard_for_user(request.user, pk)
    now = timezone.now()
    upcoming = list(
        Session.objects.filter(storyboard=sb, ends_at__gt=now - timedelta(hours=12))
        .select_related("series__coach", "series__learner", "series__second_coach", "cycle")
        .order_by("starts_at", "pk")[:UPCOMING_SHOWN]
    )
    series = list(
        SessionSeries.objects.running()
        .filter(storyboard=sb)
        .select_related("coach", "learner", "second_coach")
        .order_by("start_date", "start_time", "pk")
    )
    cycles = list(
        CoachingCycle.objects.filter(storyboard=sb)
        .select_related("coach", "learner", "session")
        .order_by("-started_at", "-pk")[:CYCLES_SHOWN]
    )
    context = {
        "sb": sb,
        "can_edit": can_edit(request.user, sb),
        "upcoming": upcoming,
        "series_list": series,
        "cycles": cycles,
        "due": due_sessions(sb, now=now),
        "now": now,
    }
    return render(request, "coaching/storyboard.html", context)


def _local_day_bounds(now: datetime) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    day = now.astimezone(zone).date()
    start = datetime.combine(day, time.min).replace(tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min).replace(tzinfo=zone)
    return start, end


@login_required
@require_GET
def today(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Today's sessions across all the user's learners, in time order, with their state."""
    now = timezone.now()
    start, end = _local_day_bounds(now)
    user = request.user
    sessions = list(
        sessions_taking_part(user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related(
            "series__coach",
            "series__learner",
            "series__second_coach",
            "storyboard__team",
            "cycle",
        )
        .order_by("starts_at", "pk")
    )
    unfinished = list(
        cycles_coached_by(user)
        .filter(finished_at=None, session__isnull=True)
        .select_related("storyboard", "learner")
        .order_by("-started_at")[:10]
    )
    rows = [(s, s.state(now), _role(user, s.series)) for s in sessions]
    context = {"rows": rows, "day": start, "now": now, "unfinished": unfinished}
    return render(request, "coaching/today.html", context)


def _role(user: User, series: SessionSeries) -> str:
    if series.coach_id == user.pk:
        return "coach"
    if series.learner_id == user.pk:
        return "learner"
    return "second coach"


@login_required
@require_GET
def my_cycles(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The cycles this user coached, across learners, with how long each took."""
    cycles = (
        cycles_coached_by(request.user)
        .select_related("storyboard__team", "learner", "session")
        .order_by("-started_at", "-pk")
    )
    page = Paginator(cycles, 50).get_page(request.GET.get("page"))
    return render(request, "coaching/my_cycles.html", {"page": page, "steps_total": len(STEPS)})
