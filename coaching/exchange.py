"""Coaching's part of a team's exported document (see ``boards.exchange``).

Found by ``boards.exchange`` the way the admin finds ``admin.py``: boards never imports
coaching. Exported: session series, their sessions, coaching cycles with their answers, and
second-coach observations. Left out: people's coaching preferences (personal, and the calendar
address is a secret), reminder bookkeeping, and the sessions' calendar UIDs: the importing
installation gives its sessions new ones, and subscribers take its own calendar addresses.
"""

from __future__ import annotations

from typing import Any

from boards.exchange import USERS, ExportContext, ImportContext, Table, map_keys, register
from coaching.models import CoachingCycle, SecondCoachObservation, Session, SessionSeries

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
        ),
        Table(
            "coaching_sessions",
            Session,
            "storyboard__team",
            ("original_start", "starts_at", "ends_at", "status", "updated_at", "version"),
            {"series": "coaching_series", "storyboard": "storyboards"},
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
        ),
        Table(
            "coaching_observations",
            SecondCoachObservation,
            "cycle__storyboard__team",
            ("notes", "seconds", "feedback", "created_at", "updated_at", "version"),
            {"cycle": "coaching_cycles", "observer": USERS},
        ),
    ],
)
