"""Scheduling: series of coaching sessions and their occurrences.

Occurrences are materialised a rolling horizon ahead and, in the same transaction, the
reminders not yet claimed for any occurrence moved or cancelled are dropped, so the next scan
computes them afresh. Changing or cancelling what was scheduled is logged on the board.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from boards.access import can_edit, role_in
from boards.models import Activity, Storyboard, User, validate_time_zone
from boards.services.base import board_write, log_activity, save_versioned
from boards.validators import check_sensible_date
from coaching import recurrence
from coaching.models import Reminder, Session, SessionSeries

HORIZON = timedelta(days=60)
MAX_COUNT = 500


def drop_pending_reminders(session_ids: list[int]) -> int:
    """Forget reminders no worker has claimed yet; the scan recomputes what is still due.

    A reminder already claimed is left to its worker, which checks the session again before
    sending and skips it when the start time it was computed for no longer holds.
    """
    deleted, _ = Reminder.objects.filter(
        session_id__in=session_ids, sent_at=None, skipped_at=None, claimed_at=None
    ).delete()
    return deleted


def _check_people(
    storyboard: Storyboard, coach: User, learner: User, second_coach: User | None
) -> None:
    """Whom a session may name: a coach who may edit the board, members of its team."""
    if not can_edit(coach, storyboard):
        raise ValidationError(
            {"coach": f"{coach} cannot coach here: a coach needs a role that can change boards."}
        )
    if role_in(learner, storyboard.team_id) is None:
        raise ValidationError({"learner": f"{learner} is not a member of {storyboard.team}."})
    if coach.pk == learner.pk:
        raise ValidationError({"learner": "The coach and the learner are two people."})
    if second_coach is not None:
        if role_in(second_coach, storyboard.team_id) is None:
            raise ValidationError(
                {"second_coach": f"{second_coach} is not a member of {storyboard.team}."}
            )
        if second_coach.pk in (coach.pk, learner.pk):
            raise ValidationError(
                {"second_coach": "The second coach observes: neither the coach nor the learner."}
            )


def check_duration(minutes: int) -> None:
    if not 5 <= minutes <= 240:
        raise ValidationError({"duration_minutes": "A session lasts 5 to 240 minutes."})


def check_schedule(
    *, rrule: str, duration_minutes: int, until: date | None, count: int | None, start_date: date
) -> None:
    check_sensible_date(start_date, "start_date")
    if until is not None:
        check_sensible_date(until, "until")
    check_duration(duration_minutes)
    if until is not None and count is not None:
        raise ValidationError("End the series on a date or after a number of sessions, not both.")
    if count is not None and not 1 <= count <= MAX_COUNT:
        raise ValidationError({"count": f"Between 1 and {MAX_COUNT} sessions."})
    if until is not None and until < start_date:
        raise ValidationError({"until": "The last day cannot be before the first."})
    if not rrule and (until or count):
        raise ValidationError("A single session has no end date or count.")


def _first_future(series: SessionSeries, now: datetime) -> datetime | None:
    # Look a year ahead: a rule whose next occurrence is further away is almost surely a mistake.
    try:
        found = recurrence.occurrences(series, now, now + timedelta(days=366))
    except recurrence.InvalidRule as error:
        raise ValidationError(str(error)) from None
    return found[0] if found else None


@transaction.atomic
def series_create(
    *,
    storyboard: Storyboard,
    coach: User,
    learner: User,
    start_date: date,
    start_time: time,
    duration_minutes: int = 20,
    rrule: str = "",
    until: date | None = None,
    count: int | None = None,
    second_coach: User | None = None,
    time_zone: str | None = None,
    by: User | None,
    now: datetime | None = None,
) -> SessionSeries:
    """Schedule coaching sessions: once, or by a recurrence rule in the coach's time zone."""
    now = now or timezone.now()
    _check_people(storyboard, coach, learner, second_coach)
    check_schedule(
        rrule=rrule,
        duration_minutes=duration_minutes,
        until=until,
        count=count,
        start_date=start_date,
    )
    time_zone = time_zone or coach.time_zone
    validate_time_zone(time_zone)
    series = SessionSeries(
        storyboard=storyboard,
        coach=coach,
        learner=learner,
        second_coach=second_coach,
        time_zone=time_zone,
        start_date=start_date,
        start_time=start_time.replace(second=0, microsecond=0),
        duration_minutes=duration_minutes,
        rrule=rrule,
        until=until,
        count=count,
        created_by=by,
    )
    if _first_future(series, now) is None:
        raise ValidationError(
            "This schedule has no session in the future: check the date, the time and the days."
        )
    series.save()
    series_extend(series=series, now=now)
    return series


def _session_rows(series: SessionSeries, starts: list[datetime]) -> list[Session]:
    duration = timedelta(minutes=series.duration_minutes)
    return [
        Session(
            series=series,
            storyboard_id=series.storyboard_id,
            original_start=start,
            starts_at=start,
            ends_at=start + duration,
        )
        for start in starts
    ]


@transaction.atomic
def series_extend(*, series: SessionSeries, now: datetime | None = None) -> int:
    """Materialise the series' occurrences up to the horizon; safe to run any number of times.

    The unique (series, original_start) constraint makes a second run, or two at once, add
    nothing. Returns the number of occurrences in the window (new or already there).
    """
    now = now or timezone.now()
    if series.is_cancelled:
        return 0
    end = now + HORIZON
    start = max(series.generated_until or now, now)
    if start >= end:
        return 0
    starts = recurrence.occurrences(series, start, end)
    Session.objects.bulk_create(_session_rows(series, starts), ignore_conflicts=True)
    SessionSeries.objects.filter(pk=series.pk).filter(
        models.Q(generated_until__isnull=True) | models.Q(generated_until__lt=end)
    ).update(generated_until=end)
    series.generated_until = end
    return len(starts)


def sessions_extend_all(*, now: datetime | None = None) -> int:
    """Carry every running recurring series to the horizon (the hourly beat task)."""
    now = now or timezone.now()
    due = SessionSeries.objects.running().exclude(rrule="")
    due = due.filter(
        models.Q(generated_until__isnull=True)
        | models.Q(generated_until__lt=now + HORIZON - timedelta(hours=1))
    )
    return sum(series_extend(series=series, now=now) for series in due)


@board_write
def series_update(
    *,
    series: SessionSeries,
    version: int,
    start_date: date,
    start_time: time,
    duration_minutes: int,
    rrule: str,
    until: date | None = None,
    count: int | None = None,
    second_coach: User | None = None,
    by: User | None,
    now: datetime | None = None,
) -> SessionSeries:
    """Reschedule the whole series from now on.

    Future occurrences are matched to the new rule by their local date and keep their UID (a
    subscribed calendar updates the entry); a moved occurrence keeps its new time and a
    cancelled one stays cancelled. Occurrences on days the rule no longer has are removed
    unless a cycle was recorded in them; past ones are history and stay as they were.
    """
    now = now or timezone.now()
    if series.is_cancelled:
        raise ValidationError("This series is cancelled.")
    _check_people(series.storyboard, series.coach, series.learner, second_coach)
    check_schedule(
        rrule=rrule,
        duration_minutes=duration_minutes,
        until=until,
        count=count,
        start_date=start_date,
    )
    changes = {
        "start_date": start_date,
        "start_time": start_time.replace(second=0, microsecond=0),
        "duration_minutes": duration_minutes,
        "rrule": rrule,
        "until": until,
        "count": count,
        "second_coach": second_coach,
    }
    candidate = SessionSeries(**{**_fields(series), **changes})
    if _first_future(candidate, now) is None:
        raise ValidationError(
            "This schedule has no session in the future: check the date, the time and the days."
        )
    before = series.description
    save_versioned(series, version=version, changes=changes)
    log_activity(
        storyboard=series.storyboard,
        by=by,
        action=Activity.Action.SESSION_SERIES_UPDATED,
        obj=series,
        summary=f"Rescheduled the coaching sessions of {_people(series)}: {series.description}",
        before={"schedule": before},
        after={"schedule": series.description},
    )

    end = now + HORIZON
    new_starts = {
        recurrence.local_date(start, series.time_zone): start
        for start in recurrence.occurrences(series, now, end)
    }
    duration = timedelta(minutes=duration_minutes)
    recent = series.sessions.filter(original_start__gt=now - timedelta(days=2)).select_related(
        "cycle"
    )
    touched, removed = [], []
    for session in recent:
        day = recurrence.local_date(session.original_start, series.time_zone)
        if session.original_start <= now or session.starts_at <= now:
            # Today's session already began: the new time applies from the next day.
            new_starts.pop(day, None)
            continue
        new_start = new_starts.pop(day, None)
        if new_start is None:
            if session._cycle() is None:
                removed.append(session.pk)
            continue
        moved = session.is_moved
        session.starts_at = session.starts_at if moved else new_start
        Session.objects.filter(pk=session.pk).update(
            original_start=new_start,
            starts_at=session.starts_at,
            ends_at=session.starts_at + duration,
            updated_at=now,
            version=F("version") + 1,
        )
        touched.append(session.pk)
    drop_pending_reminders(touched)
    Session.objects.filter(pk__in=removed).delete()
    Session.objects.bulk_create(
        _session_rows(series, sorted(new_starts.values())), ignore_conflicts=True
    )
    SessionSeries.objects.filter(pk=series.pk).update(generated_until=end)
    series.generated_until = end
    return series


def _fields(series: SessionSeries) -> dict[str, Any]:
    return {
        f.attname: getattr(series, f.attname)
        for f in SessionSeries._meta.concrete_fields
        if not f.primary_key
    }


@board_write
def series_cancel(
    *, series: SessionSeries, version: int, by: User | None, now: datetime | None = None
) -> SessionSeries:
    """Cancel every session of the series from now on; past ones stay as history."""
    now = now or timezone.now()
    if series.is_cancelled:
        raise ValidationError("This series is already cancelled.")
    save_versioned(series, version=version, changes={"cancelled_at": now})
    future = list(series.sessions.upcoming(now).values_list("pk", flat=True))
    Session.objects.filter(pk__in=future).update(
        status=Session.Status.CANCELLED, updated_at=now, version=F("version") + 1
    )
    drop_pending_reminders(future)
    log_activity(
        storyboard=series.storyboard,
        by=by,
        action=Activity.Action.SESSION_SERIES_CANCELLED,
        obj=series,
        summary=f"Cancelled the coaching sessions of {_people(series)} from now on: "
        f"{series.description}",
    )
    return series


@board_write
def session_reschedule(
    *,
    session: Session,
    version: int,
    starts_at: datetime,
    duration_minutes: int,
    by: User | None,
    now: datetime | None = None,
) -> Session:
    """Move one occurrence; it keeps its calendar UID and its reminders follow the new time."""
    now = now or timezone.now()
    check_sensible_date(starts_at, "starts_at")
    if session.is_cancelled:
        raise ValidationError("This session is cancelled.")
    if session.ends_at <= now:
        raise ValidationError("This session is over; schedule a new one instead.")
    if starts_at <= now:
        raise ValidationError({"starts_at": "Choose a time in the future."})
    if not 5 <= duration_minutes <= 240:
        raise ValidationError({"duration_minutes": "A session lasts 5 to 240 minutes."})
    starts_at = starts_at.replace(second=0, microsecond=0)
    before = _local(session, session.starts_at)
    save_versioned(
        session,
        version=version,
        changes={
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=duration_minutes),
            "updated_at": now,
        },
    )
    drop_pending_reminders([session.pk])
    after = _local(session, starts_at)
    to = f"{after:%H:%M}" if after.date() == before.date() else f"{after:%a %-d %b, %H:%M}"
    log_activity(
        storyboard=session.storyboard,
        by=by,
        action=Activity.Action.SESSION_RESCHEDULED,
        obj=session,
        summary=f"Moved the coaching session of {before:%a %-d %b} to {to}",
        before={"starts": f"{before:%a %-d %b %Y, %H:%M}"},
        after={"starts": f"{after:%a %-d %b %Y, %H:%M}", "minutes": duration_minutes},
    )
    return session


@board_write
def session_cancel(
    *, session: Session, version: int, by: User | None, now: datetime | None = None
) -> Session:
    """Cancel one occurrence; the rest of the series goes on."""
    now = now or timezone.now()
    if session.is_cancelled:
        raise ValidationError("This session is already cancelled.")
    if session.ends_at <= now:
        raise ValidationError("This session is over.")
    save_versioned(
        session, version=version, changes={"status": Session.Status.CANCELLED, "updated_at": now}
    )
    drop_pending_reminders([session.pk])
    log_activity(
        storyboard=session.storyboard,
        by=by,
        action=Activity.Action.SESSION_CANCELLED,
        obj=session,
        summary=f"Cancelled the coaching session of "
        f"{_local(session, session.starts_at):%a %-d %b, %H:%M}",
    )
    return session


def _people(series: SessionSeries) -> str:
    return f"{series.learner.display_name} with {series.coach.display_name}"


def _local(session: Session, moment: datetime) -> datetime:
    """A session's time as its series tells it: in the series' own time zone."""
    return moment.astimezone(zoneinfo.ZoneInfo(session.series.time_zone))
