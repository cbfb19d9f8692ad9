"""Every write to coaching data goes through these functions.

Scheduling materialises occurrences a rolling horizon ahead and, in the same transaction, drops
the reminders not yet claimed for any occurrence it moves or cancels, so the next scan computes
them afresh. A coaching cycle's steps write to the storyboard through ``boards.services`` (so
the board's activity log and live updates see them) in one transaction with the cycle's
progress: a step is saved whole or not at all, and a second submission of the same step is
refused by the cycle's version.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from boards.models import (
    EDITING_ROLES,
    Experiment,
    Membership,
    Metric,
    Obstacle,
    Storyboard,
    TargetCondition,
    User,
    validate_time_zone,
)
from boards.services.base import Conflict, save_versioned
from boards.services.experiments import experiment_plan, experiment_record_result
from boards.services.obstacles import obstacle_add, obstacle_work_on
from boards.services.targets import actual_condition_record, measurement_add
from coaching import recurrence
from coaching.models import (
    REMINDER_CHOICES,
    CoachingCycle,
    CoachingPreferences,
    Reminder,
    SecondCoachObservation,
    Session,
    SessionSeries,
    new_calendar_token,
)
from coaching.steps import OBSERVED_PARTS, STEP_INDEX

HORIZON = timedelta(days=60)
# An unfinished ad hoc cycle this recent is resumed rather than started again.
RESUME_WITHIN = timedelta(hours=12)
MAX_COUNT = 500

__all__ = ["Conflict"]


def _roles(team_id: int, users: list[User | None]) -> dict[int, str]:
    ids = [u.pk for u in users if u is not None]
    return dict(
        Membership.objects.filter(team_id=team_id, user_id__in=ids).values_list("user_id", "role")
    )


def drop_pending_reminders(session_ids: list[int]) -> int:
    """Forget reminders no worker has claimed yet; the scan recomputes what is still due.

    A reminder already claimed is left to its worker, which checks the session again before
    sending and skips it when the start time it was computed for no longer holds.
    """
    deleted, _ = Reminder.objects.filter(
        session_id__in=session_ids, sent_at=None, skipped_at=None, claimed_at=None
    ).delete()
    return deleted


# Preferences -----------------------------------------------------------------------------------


def preferences_for(user: User) -> CoachingPreferences:
    preferences, _ = CoachingPreferences.objects.get_or_create(user=user)
    return preferences


@transaction.atomic
def preferences_update(
    *, user: User, time_zone: str, reminder_minutes: int, missed_notice: bool
) -> CoachingPreferences:
    """Set a person's time zone (shown times, reminders) and how early they are reminded."""
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        raise ValidationError({"time_zone": error.messages}) from None
    if reminder_minutes not in {minutes for minutes, _ in REMINDER_CHOICES}:
        raise ValidationError({"reminder_minutes": "Choose one of the offered reminder times."})
    if user.time_zone != time_zone:
        user.time_zone = time_zone
        User.objects.filter(pk=user.pk).update(time_zone=time_zone)
    preferences = preferences_for(user)
    preferences.reminder_minutes = reminder_minutes
    preferences.missed_notice = missed_notice
    preferences.save(update_fields=["reminder_minutes", "missed_notice"])
    return preferences


@transaction.atomic
def calendar_token_reset(*, user: User) -> CoachingPreferences:
    """Give the user a new secret calendar address; the old one stops working at once."""
    preferences = preferences_for(user)
    preferences.calendar_token = new_calendar_token()
    preferences.save(update_fields=["calendar_token"])
    return preferences


# Scheduling ------------------------------------------------------------------------------------


def _check_people(
    storyboard: Storyboard, coach: User, learner: User, second_coach: User | None
) -> None:
    roles = _roles(storyboard.team_id, [coach, learner, second_coach])
    if roles.get(coach.pk) not in EDITING_ROLES:
        raise ValidationError(
            {"coach": f"{coach} cannot coach here: a coach needs a role that can change boards."}
        )
    if learner.pk not in roles:
        raise ValidationError({"learner": f"{learner} is not a member of {storyboard.team}."})
    if coach.pk == learner.pk:
        raise ValidationError({"learner": "The coach and the learner are two people."})
    if second_coach is not None:
        if second_coach.pk not in roles:
            raise ValidationError(
                {"second_coach": f"{second_coach} is not a member of {storyboard.team}."}
            )
        if second_coach.pk in (coach.pk, learner.pk):
            raise ValidationError(
                {"second_coach": "The second coach observes: neither the coach nor the learner."}
            )


def _check_schedule(
    *, rrule: str, duration_minutes: int, until: date | None, count: int | None, start_date: date
) -> None:
    if not 5 <= duration_minutes <= 240:
        raise ValidationError({"duration_minutes": "A session lasts 5 to 240 minutes."})
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
    _check_schedule(
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
    due = SessionSeries.objects.filter(cancelled_at=None).exclude(rrule="")
    due = due.filter(
        models.Q(generated_until__isnull=True)
        | models.Q(generated_until__lt=now + HORIZON - timedelta(hours=1))
    )
    return sum(series_extend(series=series, now=now) for series in due)


@transaction.atomic
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
    _check_schedule(
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
    save_versioned(series, version=version, changes=changes)

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


@transaction.atomic
def series_cancel(
    *, series: SessionSeries, version: int, by: User | None, now: datetime | None = None
) -> SessionSeries:
    """Cancel every session of the series from now on; past ones stay as history."""
    now = now or timezone.now()
    if series.is_cancelled:
        raise ValidationError("This series is already cancelled.")
    save_versioned(series, version=version, changes={"cancelled_at": now})
    future = list(
        series.sessions.filter(starts_at__gt=now, status=Session.Status.SCHEDULED).values_list(
            "pk", flat=True
        )
    )
    Session.objects.filter(pk__in=future).update(
        status=Session.Status.CANCELLED, updated_at=now, version=F("version") + 1
    )
    drop_pending_reminders(future)
    return series


@transaction.atomic
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
    if session.is_cancelled:
        raise ValidationError("This session is cancelled.")
    if session.ends_at <= now:
        raise ValidationError("This session is over; schedule a new one instead.")
    if starts_at <= now:
        raise ValidationError({"starts_at": "Choose a time in the future."})
    if not 5 <= duration_minutes <= 240:
        raise ValidationError({"duration_minutes": "A session lasts 5 to 240 minutes."})
    starts_at = starts_at.replace(second=0, microsecond=0)
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
    return session


@transaction.atomic
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
    return session


def next_session(
    storyboard: Storyboard, *, now: datetime, exclude: Session | None = None
) -> Session | None:
    """The storyboard's next scheduled session that has not started yet."""
    sessions = Session.objects.filter(
        storyboard=storyboard, status=Session.Status.SCHEDULED, starts_at__gt=now
    ).select_related("series")
    if exclude is not None:
        sessions = sessions.exclude(pk=exclude.pk)
    return sessions.order_by("starts_at", "pk").first()


# The coaching cycle ----------------------------------------------------------------------------


@transaction.atomic
def cycle_start(
    *,
    storyboard: Storyboard,
    coach: User,
    session: Session | None = None,
    now: datetime | None = None,
) -> CoachingCycle:
    """Start a cycle from a session or ad hoc; an interrupted one is resumed instead."""
    now = now or timezone.now()
    if _roles(storyboard.team_id, [coach]).get(coach.pk) not in EDITING_ROLES:
        raise ValidationError("Coaching writes to the board: your role here can only read it.")
    if session is not None:
        if session.storyboard_id != storyboard.pk:
            raise ValidationError("That session belongs to another storyboard.")
        existing = CoachingCycle.objects.filter(session=session).first()
        if existing is not None:
            return existing
        if session.is_cancelled:
            raise ValidationError("This session is cancelled.")
        learner = session.series.learner
    else:
        learner = storyboard.learner
        existing = (
            CoachingCycle.objects.filter(
                storyboard=storyboard,
                coach=coach,
                finished_at=None,
                started_at__gte=now - RESUME_WITHIN,
            )
            .order_by("-started_at")
            .first()
        )
        if existing is not None:
            return existing
    if learner.pk == coach.pk:
        raise ValidationError(
            "A learner does not coach their own board: ask your coach to run the cycle."
        )
    try:
        with transaction.atomic():
            return CoachingCycle.objects.create(
                storyboard=storyboard, session=session, coach=coach, learner=learner, started_at=now
            )
    except IntegrityError:
        # Someone started the same session's cycle a moment ago: join it.
        return CoachingCycle.objects.get(session=session)


def _advance(
    cycle: CoachingCycle,
    *,
    version: int,
    key: str,
    coach_notes: str | None,
    answer: dict[str, Any],
    now: datetime,
    **fields: Any,
) -> None:
    """Move the cycle past step ``key`` if it is still at that step and version."""
    index = STEP_INDEX[key]
    answers = {**cycle.answers, key: {**answer, "saved_at": now.isoformat()}}
    changes = {"step": index + 1, "answers": answers, **fields}
    if coach_notes is not None:  # None: the learner saved the step; the coach's notes stay
        changes["coach_notes"] = coach_notes.strip()
    updated = CoachingCycle.objects.filter(
        pk=cycle.pk, version=version, step=index, finished_at=None
    ).update(**changes, version=F("version") + 1)
    if not updated:
        raise Conflict(CoachingCycle.objects.get(pk=cycle.pk))
    for name, value in changes.items():
        setattr(cycle, name, value)
    cycle.version = version + 1


def _claim_step(cycle: CoachingCycle, *, version: int, key: str) -> None:
    """Refuse at once, before any board write, a step that is not the cycle's current one.

    The final conditional UPDATE in ``_advance`` is what holds under concurrency (the board
    writes roll back with it); this early check only keeps the common case cheap and clear.
    """
    if cycle.version != version or cycle.step != STEP_INDEX[key] or cycle.is_finished:
        raise Conflict(CoachingCycle.objects.get(pk=cycle.pk))


def active_target(storyboard: Storyboard) -> TargetCondition | None:
    return TargetCondition.objects.filter(storyboard=storyboard, status="active").first()


def _require_target(cycle: CoachingCycle) -> TargetCondition:
    target = active_target(cycle.storyboard)
    if target is None:
        raise ValidationError(
            "This storyboard has no active target condition: set the next one on the board, "
            "then continue the cycle."
        )
    return target


def last_step(target: TargetCondition | None) -> Experiment | None:
    """The step to reflect on: the one in progress, else the latest one."""
    if target is None:
        return None
    experiments = Experiment.objects.filter(target_condition=target).select_related("obstacle")
    return experiments.filter(result_recorded_at=None).order_by("-number").first() or (
        experiments.order_by("-number").first()
    )


@transaction.atomic
def cycle_record_target(
    *,
    cycle: CoachingCycle,
    version: int,
    said: str = "",
    coach_notes: str | None = None,
    by: User,
    now: datetime | None = None,
) -> CoachingCycle:
    """Question 1: the target condition, read from the board; what the learner said, if noted."""
    now = now or timezone.now()
    _claim_step(cycle, version=version, key="target")
    target = _require_target(cycle)
    metrics = [
        {"kind": m.kind, "name": m.name, "target": m.target_label}
        for m in Metric.objects.filter(target_condition=target)
    ]
    answer = {
        "target_condition": target.pk,
        "number": target.number,
        "operating_pattern": target.operating_pattern,
        "achieve_by": target.achieve_by.isoformat(),
        "metrics": metrics,
        "said": said.strip(),
    }
    _advance(cycle, version=version, key="target", coach_notes=coach_notes, answer=answer, now=now)
    return cycle


@transaction.atomic
def cycle_record_actual(
    *,
    cycle: CoachingCycle,
    version: int,
    operating_pattern: str = "",
    process_value: Any = None,
    outcome_value: Any = None,
    coach_notes: str | None = None,
    by: User,
    now: datetime | None = None,
) -> CoachingCycle:
    """Question 2: record an actual-condition observation and/or measurements on the board."""
    now = now or timezone.now()
    _claim_step(cycle, version=version, key="actual")
    target = _require_target(cycle)
    operating_pattern = (operating_pattern or "").strip()
    values = {
        Metric.Kind.PROCESS: process_value,
        Metric.Kind.OUTCOME: outcome_value,
    }
    values = {kind: value for kind, value in values.items() if value not in (None, "")}
    if not operating_pattern and not values:
        raise ValidationError(
            "Record what the learner observes now, a measurement, or both: how do you know?"
        )
    answer: dict[str, Any] = {"actual_condition": None, "operating_pattern": operating_pattern}
    if operating_pattern:
        observation = actual_condition_record(
            storyboard=cycle.storyboard, operating_pattern=operating_pattern, observed_at=now, by=by
        )
        answer["actual_condition"] = observation.pk
    metrics = {m.kind: m for m in Metric.objects.filter(target_condition=target)}
    measurements = []
    for kind, value in values.items():
        metric = metrics.get(kind)
        if metric is None:
            field = f"{kind}_value"
            raise ValidationError({field: "This target condition has no such metric."})
        measurement = measurement_add(
            metric=metric, value=value, measured_at=now, note="In a coaching cycle", by=by
        )
        measurements.append(
            {
                "measurement": measurement.pk,
                "kind": kind,
                "name": metric.name,
                "value": metric.format_value(measurement.value),
            }
        )
    answer["measurements"] = measurements
    _advance(cycle, version=version, key="actual", coach_notes=coach_notes, answer=answer, now=now)
    return cycle


def experiment_snapshot(experiment: Experiment) -> dict[str, Any]:
    return {
        "experiment": experiment.pk,
        "number": experiment.number,
        "step": experiment.step,
        "expected": experiment.expected,
        "happened": experiment.happened,
        "learned": experiment.learned,
        "threshold_of_knowledge": experiment.threshold_of_knowledge,
        "obstacle": experiment.obstacle.description if experiment.obstacle else "",
    }


@transaction.atomic
def cycle_record_reflection(
    *,
    cycle: CoachingCycle,
    version: int,
    experiment: Experiment | None,
    experiment_version: int | None = None,
    happened: str = "",
    learned: str = "",
    threshold_of_knowledge: bool = False,
    coach_notes: str | None = None,
    by: User,
    now: datetime | None = None,
) -> CoachingCycle:
    """The back of the card: what happened and what we learned, written into the last step.

    ``experiment`` is the step the page showed; if its result is already on the board (recorded
    before the cycle), the reflection reads it and writes nothing.
    """
    now = now or timezone.now()
    _claim_step(cycle, version=version, key="reflect")
    target = _require_target(cycle)
    if experiment is None:
        if last_step(target) is not None:
            raise Conflict(CoachingCycle.objects.get(pk=cycle.pk))
        answer: dict[str, Any] = {"experiment": None}
    else:
        if experiment.target_condition_id != target.pk:
            raise ValidationError("That step belongs to another target condition.")
        already = not experiment.in_progress
        if not already:
            experiment_record_result(
                experiment=experiment,
                version=experiment_version or experiment.version,
                happened=happened,
                learned=learned,
                threshold_of_knowledge=threshold_of_knowledge,
                by=by,
            )
        answer = {**experiment_snapshot(experiment), "already_recorded": already}
    _advance(
        cycle,
        version=version,
        key="reflect",
        coach_notes=coach_notes,
        answer=answer,
        now=now,
        reflected_experiment=experiment,
    )
    return cycle


@transaction.atomic
def cycle_record_obstacle(
    *,
    cycle: CoachingCycle,
    version: int,
    working_on: Obstacle | None,
    new_obstacle: str = "",
    work_on_new: bool = False,
    coach_notes: str | None = None,
    by: User,
    now: datetime | None = None,
) -> CoachingCycle:
    """Question 3: the parking lot; the obstacle addressed now is confirmed or changed."""
    now = now or timezone.now()
    _claim_step(cycle, version=version, key="obstacles")
    target = _require_target(cycle)
    added = None
    if new_obstacle.strip():
        added = obstacle_add(target_condition=target, description=new_obstacle, by=by)
    chosen = added if work_on_new else working_on
    if chosen is None:
        raise ValidationError(
            {"working_on": "Which one obstacle is the learner addressing now? Choose one."}
        )
    if chosen.target_condition_id != target.pk:
        raise ValidationError({"working_on": "That obstacle belongs to another target condition."})
    chosen.refresh_from_db()
    changed = chosen.status != Obstacle.Status.WORKING_ON
    if changed:
        obstacle_work_on(obstacle=chosen, version=chosen.version, by=by)
    answer = {
        "obstacle": chosen.pk,
        "description": chosen.description,
        "changed": changed,
        "added": added.pk if added else None,
        "added_description": added.description if added else "",
    }
    _advance(
        cycle,
        version=version,
        key="obstacles",
        coach_notes=coach_notes,
        answer=answer,
        now=now,
        obstacle=chosen,
    )
    return cycle


@transaction.atomic
def cycle_record_next_step(
    *,
    cycle: CoachingCycle,
    version: int,
    step: str,
    expected: str,
    obstacle: Obstacle | None = None,
    coach_notes: str | None = None,
    by: User,
    now: datetime | None = None,
) -> CoachingCycle:
    """Question 4: the next step goes into the PDCA record, with what we expect, before it."""
    now = now or timezone.now()
    _claim_step(cycle, version=version, key="next")
    target = _require_target(cycle)
    experiment = experiment_plan(
        target_condition=target,
        step=step,
        expected=expected,
        obstacle=obstacle,
        planned_for=timezone.localdate(now),
        by=by,
    )
    _advance(
        cycle,
        version=version,
        key="next",
        coach_notes=coach_notes,
        answer=experiment_snapshot(experiment),
        now=now,
        next_experiment=experiment,
    )
    return cycle


@transaction.atomic
def cycle_record_next_session(
    *,
    cycle: CoachingCycle,
    version: int,
    when: datetime,
    duration_minutes: int = 20,
    coach_notes: str | None = None,
    by: User,
    now: datetime | None = None,
) -> CoachingCycle:
    """Question 5: confirm the next session, move it to the time agreed, or schedule one."""
    now = now or timezone.now()
    _claim_step(cycle, version=version, key="when")
    if when <= now:
        raise ValidationError({"when": "Choose a time in the future."})
    when = when.replace(second=0, microsecond=0)
    upcoming = next_session(cycle.storyboard, now=now, exclude=cycle.session)
    if upcoming is not None and upcoming.starts_at == when:
        action, session = "confirmed", upcoming
    elif upcoming is not None:
        action = "moved"
        session = session_reschedule(
            session=upcoming,
            version=upcoming.version,
            starts_at=when,
            duration_minutes=duration_minutes,
            by=by,
            now=now,
        )
    else:
        action = "scheduled"
        zone = zoneinfo.ZoneInfo(cycle.coach.time_zone)
        local = when.astimezone(zone)
        series = series_create(
            storyboard=cycle.storyboard,
            coach=cycle.coach,
            learner=cycle.learner,
            start_date=local.date(),
            start_time=local.time(),
            duration_minutes=duration_minutes,
            time_zone=cycle.coach.time_zone,
            by=by,
            now=now,
        )
        session = series.sessions.get()
    answer = {"session": session.pk, "starts_at": session.starts_at.isoformat(), "action": action}
    _advance(
        cycle,
        version=version,
        key="when",
        coach_notes=coach_notes,
        answer=answer,
        now=now,
        next_session=session,
    )
    return cycle


@transaction.atomic
def cycle_finish(
    *,
    cycle: CoachingCycle,
    version: int,
    coach_notes: str | None = None,
    by: User,
    now: datetime | None = None,
) -> CoachingCycle:
    """The coach's notes, and the cycle is done."""
    now = now or timezone.now()
    _claim_step(cycle, version=version, key="notes")
    _advance(
        cycle,
        version=version,
        key="notes",
        coach_notes=coach_notes,
        answer={},
        now=now,
        finished_at=now,
    )
    return cycle


# Second coach ----------------------------------------------------------------------------------


@transaction.atomic
def observation_save(
    *,
    cycle: CoachingCycle,
    observer: User,
    notes: dict[str, str],
    seconds: dict[str, int | None],
    feedback: str,
    now: datetime | None = None,
) -> SecondCoachObservation:
    """A second coach's notes per question, time spent per part and feedback for the coach."""
    now = now or timezone.now()
    if observer.pk in (cycle.coach_id, cycle.learner_id):
        raise ValidationError("The second coach observes the cycle: not its coach or learner.")
    keys = {part.key for part in OBSERVED_PARTS}
    clean_notes = {k: v.strip() for k, v in notes.items() if k in keys and v and v.strip()}
    clean_seconds = {}
    for key, value in seconds.items():
        if key in keys and value not in (None, ""):
            value = int(value)
            if not 0 <= value <= 4 * 3600:
                raise ValidationError({f"seconds_{key}": "Between 0 and 4 hours."})
            clean_seconds[key] = value
    observation, created = SecondCoachObservation.objects.get_or_create(
        cycle=cycle,
        observer=observer,
        defaults={
            "notes": clean_notes,
            "seconds": clean_seconds,
            "feedback": feedback.strip(),
            "created_at": now,
            "updated_at": now,
        },
    )
    if not created:
        SecondCoachObservation.objects.filter(pk=observation.pk).update(
            notes=clean_notes,
            seconds=clean_seconds,
            feedback=feedback.strip(),
            updated_at=now,
            version=F("version") + 1,
        )
        observation.refresh_from_db()
    return observation
