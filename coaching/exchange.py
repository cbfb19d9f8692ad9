"""Coaching's part of a team's exported document (see ``boards.exchange``).

Found by ``boards.exchange`` the way the admin finds ``admin.py``: boards never imports
coaching. Exported: session series, their sessions, coaching cycles with their answers, and
second-coach observations. Left out: people's coaching preferences (personal, and the calendar
address is a secret), reminder bookkeeping, and the sessions' calendar UIDs: the importing
installation gives its sessions new ones, and subscribers take its own calendar addresses.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from boards.exchange import USERS, ExportContext, ImportContext, Table, map_keys, register
from boards.exchange_values import datetime_value, whole
from coaching import recurrence
from coaching.models import CoachingCycle, SecondCoachObservation, Session, SessionSeries
from coaching.services.observations import check_observer, clean_observation
from coaching.services.scheduling import check_duration, check_schedule
from coaching.steps import FINISHED, STEP_INDEX

# Keys in a cycle's answers that hold a row's key (see coaching.services.cycles).
ANSWER_REFS = {
    "target_condition": "target_conditions",
    "actual_condition": "actual_conditions",
    "measurement": "measurements",
    "experiment": "experiments",
    "obstacle": "obstacles",
    "added": "obstacles",
    "session": "coaching_sessions",
}


def _answers_export(row: dict[str, Any], ctx: ExportContext) -> None:
    row["answers"] = map_keys(row["answers"], ANSWER_REFS, ctx.ref)


def _answers_import(row: dict[str, Any], ctx: ImportContext) -> None:
    row["answers"] = map_keys(row.get("answers"), ANSWER_REFS, ctx.pk)


# Rules on a row, as the services apply them ------------------------------------------------------


def _check_series(series: SessionSeries) -> None:
    try:
        recurrence.check_rule(series.rrule)
    except recurrence.InvalidRule as error:
        raise ValidationError({"rrule": str(error)}) from None
    check_schedule(
        rrule=series.rrule,
        duration_minutes=series.duration_minutes,
        until=series.until,
        count=series.count,
        start_date=series.start_date,
    )


def _check_session(session: Session) -> None:
    try:
        check_duration(session.duration_minutes)
    except ValidationError as error:
        raise ValidationError({"ends_at": error.messages}) from None


# Answers hold the moments a step was saved and the next session starts, which the cycle's page
# reads as dates (coaching.steps.step_seconds, coaching.cycle.WhenStep).
ANSWER_MOMENTS = ("saved_at", "starts_at")


def _check_cycle(cycle: CoachingCycle) -> None:
    if cycle.step > FINISHED:
        raise ValidationError({"step": f"A cycle has {FINISHED} steps: give 0 to {FINISHED}."})
    if (cycle.finished_at is None) != (cycle.step < FINISHED):
        message = f"A cycle has a finish time when its step is {FINISHED} (done), and only then."
        raise ValidationError({"finished_at": message})
    answers = cycle.answers
    if not isinstance(answers, dict):
        raise ValidationError({"answers": "Give the answers as an object by step."})
    for key, answer in answers.items():
        if key not in STEP_INDEX or not isinstance(answer, dict):
            steps = ", ".join(STEP_INDEX)
            message = f"Give each step's answer as an object under its key ({steps})."
            raise ValidationError({"answers": message})
        for moment in ANSWER_MOMENTS:
            if answer.get(moment):  # the page reads an empty one as not set
                datetime_value(answer[moment], "answers")


def _check_observation(observation: SecondCoachObservation) -> None:
    notes, seconds = observation.notes, observation.seconds
    if not isinstance(notes, dict) or not all(isinstance(text, str) for text in notes.values()):
        raise ValidationError({"notes": "Give the notes as an object of texts by part."})
    if not isinstance(seconds, dict) or not all(
        value is None or whole(value) for value in seconds.values()
    ):
        raise ValidationError({"seconds": "Give the times as an object of seconds by part."})
    try:
        observation.notes, observation.seconds = clean_observation(notes, seconds)
    except ValidationError as error:
        raise ValidationError({"seconds": error.messages}) from None
    cycle = CoachingCycle.objects.only("coach", "learner").get(pk=observation.cycle_id)
    try:
        check_observer(cycle, observation.observer_id)
    except ValidationError as error:
        raise ValidationError({"observer": error.messages}) from None


register(
    "coaching",
    [
        Table(
            "coaching_series",
            SessionSeries,
            "storyboard__team",
            (
                "time_zone",
                "start_date",
                "start_time",
                "duration_minutes",
                "rrule",
                "until",
                "count",
                "generated_until",
                "cancelled_at",
                "created_at",
                "version",
            ),
            {
                "storyboard": "storyboards",
                "coach": USERS,
                "learner": USERS,
                "second_coach": USERS,
                "created_by": USERS,
            },
            check=_check_series,
        ),
        Table(
            "coaching_sessions",
            Session,
            "storyboard__team",
            ("original_start", "starts_at", "ends_at", "status", "updated_at", "version"),
            {"series": "coaching_series", "storyboard": "storyboards"},
            check=_check_session,
        ),
        Table(
            "coaching_cycles",
            CoachingCycle,
            "storyboard__team",
            ("started_at", "finished_at", "step", "coach_notes", "answers", "version"),
            {
                "storyboard": "storyboards",
                "session": "coaching_sessions",
                "coach": USERS,
                "learner": USERS,
                "reflected_experiment": "experiments",
                "obstacle": "obstacles",
                "next_experiment": "experiments",
                "next_session": "coaching_sessions",
            },
            export_row=_answers_export,
            import_row=_answers_import,
            check=_check_cycle,
            forms=("coaching.cycle.StepForm",),
        ),
        Table(
            "coaching_observations",
            SecondCoachObservation,
            "cycle__storyboard__team",
            ("notes", "seconds", "feedback", "created_at", "updated_at", "version"),
            {"cycle": "coaching_cycles", "observer": USERS},
            check=_check_observation,
            forms=("coaching.forms.ObservationForm",),
        ),
    ],
)
