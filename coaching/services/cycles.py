"""The coaching cycle, step by step.

A step writes to the storyboard through the boards services (so the board's activity log and
live updates see it) in one transaction with the cycle's progress: a step is saved whole or not
at all, and a second submission of the same step is refused by the cycle's version. The cycle's
own moments, its first question and its end, are logged on the board as well, so the activity
log tells who coached when.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from boards.access import can_edit
from boards.models import (
    Activity,
    Experiment,
    Metric,
    Obstacle,
    Storyboard,
    TargetCondition,
    User,
)
from boards.selectors import active_target_condition
from boards.services.base import Conflict, board_write, log_activity
from boards.services.experiments import experiment_plan, experiment_record_result
from boards.services.obstacles import obstacle_add, obstacle_work_on
from boards.services.targets import actual_condition_record, measurement_add
from boards.validators import check_sensible_date
from coaching.models import CoachingCycle, Session
from coaching.selectors import due_sessions, last_step, next_session
from coaching.services.scheduling import series_create, session_reschedule
from coaching.steps import STEP_INDEX

# An unfinished ad hoc cycle this recent is resumed rather than started again.
RESUME_WITHIN = timedelta(hours=12)


@transaction.atomic
def cycle_start(
    *,
    storyboard: Storyboard,
    coach: User,
    session: Session | None = None,
    ad_hoc: bool = False,
    now: datetime | None = None,
) -> CoachingCycle:
    """Start a cycle from a session or ad hoc; an interrupted one is resumed instead.

    Without a session, a cycle started while one of the board's sessions is due belongs to
    that session (the nearest), so the session is recorded as held; ``ad_hoc`` says the coach
    chose no session.
    """
    now = now or timezone.now()
    if not can_edit(coach, storyboard):
        raise ValidationError("Coaching writes to the board: your role here can only read it.")
    if session is None and not ad_hoc and not _resumable(storyboard, coach, now):
        session = next(iter(due_sessions(storyboard, now=now)), None)
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
        existing = _resumable(storyboard, coach, now)
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


def _resumable(storyboard: Storyboard, coach: User, now: datetime) -> CoachingCycle | None:
    """The cycle this coach left unfinished on this board lately, to resume."""
    return (
        CoachingCycle.objects.filter(
            storyboard=storyboard,
            coach=coach,
            finished_at=None,
            started_at__gte=now - RESUME_WITHIN,
        )
        .order_by("-started_at")
        .first()
    )


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


def _require_target(cycle: CoachingCycle) -> TargetCondition:
    target = active_target_condition(cycle.storyboard)
    if target is None:
        raise ValidationError(
            "This storyboard has no active target condition: set the next one on the board, "
            "then continue the cycle."
        )
    return target


@board_write
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
        for m in Metric.objects.filter(target_condition=target).current()
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
    log_activity(
        storyboard=cycle.storyboard,
        by=by,
        action=Activity.Action.COACHING_CYCLE_TARGET_RECORDED,
        obj=cycle,
        summary=f"Coaching cycle with {cycle.learner.display_name}: question 1, "
        f"target condition {target.number}",
    )
    return cycle


@board_write
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
    metrics = {m.kind: m for m in Metric.objects.filter(target_condition=target).current()}
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


@board_write
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


@board_write
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


@board_write
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


@board_write
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
    check_sensible_date(when, "when")
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


@board_write
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
    minutes = cycle.duration_minutes
    log_activity(
        storyboard=cycle.storyboard,
        by=by,
        action=Activity.Action.COACHING_CYCLE_FINISHED,
        obj=cycle,
        summary=f"Finished the coaching cycle with {cycle.learner.display_name} "
        f"({minutes} minute{'' if minutes == 1 else 's'})",
    )
    return cycle
