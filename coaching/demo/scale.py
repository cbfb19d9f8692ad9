"""Bulk coaching for the scale boards: far too many rows for the services one by one.

Every active scale storyboard with a coach gets a daily 09:30 coaching series in its coach's
time zone, its sessions from a few weeks back to the usual 60 days ahead, and ``cycles``
finished coaching cycles in all, held at most of the past sessions (some were missed, as in
life).
"""

from __future__ import annotations

import math
import random
import time as stopwatch
import zoneinfo
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from boards.demo.constants import BATCH, SCALE_SLUG_PATTERN
from boards.models import Storyboard, User
from coaching import recurrence
from coaching.models import CoachingCycle, Session, SessionSeries
from coaching.services.scheduling import HORIZON
from coaching.steps import FINISHED

# Share of past sessions that had a coaching cycle.
HELD = 0.8
ALREADY_PRESENT = "Scale coaching already present: nothing added."


def seed(cycles: int) -> str | None:
    """Scale coaching with ``cycles`` coaching cycles in all, in one transaction.

    Returns what was created, as a line to print, or None when the scale boards have coaching
    already (it is written once). Raises ValueError for a negative count or no scale boards.
    """
    if cycles < 0:
        raise ValueError("--cycles cannot be negative.")
    boards = list(
        Storyboard.objects.filter(
            team__slug__regex=SCALE_SLUG_PATTERN, is_active=True, coach__isnull=False
        )
        .select_related("coach")
        .order_by("pk")
    )
    if not boards:
        raise ValueError("No scale storyboards: run seed_demo --teams ... first.")
    if SessionSeries.objects.filter(storyboard__in=boards).exists():
        return None
    started = stopwatch.perf_counter()
    with transaction.atomic():
        counts = ScaleCoaching(boards, cycles).run()
    elapsed = stopwatch.perf_counter() - started
    summary = ", ".join(f"{count} {name}" for name, count in counts.items())
    return f"Scale coaching created in {elapsed:.1f} s: {summary}."


class ScaleCoaching:
    def __init__(self, boards: list[Storyboard], cycles: int):
        self.boards = boards
        self.cycles = cycles
        # seed() chose boards with a coach.
        self.coaches: dict[int, User] = {
            board.pk: board.coach for board in boards if board.coach is not None
        }
        self.rng = random.Random(2026)
        self.now = timezone.now()
        self.until = self.now + HORIZON
        per_board = math.ceil(cycles / len(boards))
        # Enough past days that about HELD of their sessions carry the cycles.
        self.past_days = max(1, math.ceil(per_board / HELD))
        self.session_count = 0

    def run(self) -> dict[str, int]:
        series = self.create_series()
        past = self.create_sessions(series)
        held = self.create_cycles(past)
        return {
            "series": len(series),
            "sessions": self.session_count,
            "coaching cycles": held,
        }

    def create_series(self) -> list[SessionSeries]:
        start_date = (self.now - timedelta(days=self.past_days)).date()
        rows = [
            SessionSeries(
                storyboard=board,
                coach=self.coaches[board.pk],
                learner_id=board.learner_id,
                time_zone=self.coaches[board.pk].time_zone,
                start_date=start_date,
                start_time=time(9, 30),
                duration_minutes=20,
                rrule="FREQ=DAILY",
                generated_until=self.until,
                created_by=self.coaches[board.pk],
                created_at=self.now - timedelta(days=self.past_days + 1),
            )
            for board in self.boards
        ]
        SessionSeries.objects.bulk_create(rows, batch_size=BATCH)
        return rows

    def create_sessions(self, series: list[SessionSeries]) -> list[Session]:
        """Every occurrence up to the horizon; returns the past ones, oldest first per board."""
        self.session_count = 0
        past: list[Session] = []
        batch: list[Session] = []
        first = datetime.combine(series[0].start_date, time.min, tzinfo=zoneinfo.ZoneInfo("UTC"))
        for row in series:
            for start in recurrence.occurrences(row, first - timedelta(days=1), self.until):
                session = Session(
                    series=row,
                    storyboard_id=row.storyboard_id,
                    original_start=start,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=row.duration_minutes),
                    updated_at=row.created_at,
                )
                batch.append(session)
                if start < self.now - timedelta(minutes=row.duration_minutes):
                    past.append(session)
            if len(batch) >= BATCH:
                Session.objects.bulk_create(batch, batch_size=BATCH)
                self.session_count += len(batch)
                batch = []
        Session.objects.bulk_create(batch, batch_size=BATCH)
        self.session_count += len(batch)
        return past

    def create_cycles(self, past: list[Session]) -> int:
        chosen = sorted(self.rng.sample(range(len(past)), min(self.cycles, len(past))))
        owners = {board.pk: board for board in self.boards}
        rows = []
        for index in chosen:
            session = past[index]
            board = owners[session.storyboard_id]
            started = session.starts_at + timedelta(minutes=self.rng.randint(0, 6))
            rows.append(
                CoachingCycle(
                    storyboard_id=board.pk,
                    session=session,
                    coach=self.coaches[board.pk],
                    learner_id=board.learner_id,
                    started_at=started,
                    finished_at=started + timedelta(minutes=self.rng.randint(12, 25)),
                    step=FINISHED,
                    coach_notes="Generated for load tests.",
                )
            )
        CoachingCycle.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)
