"""Coaching sessions and their schedule, coaching cycles, second-coach observations, reminders.

A ``SessionSeries`` is what a coach schedules (once, or a recurrence rule in the coach's time
zone); its ``Session`` rows are the occurrences, materialised a rolling horizon ahead so that a
single occurrence can be moved or cancelled and keep a stable calendar UID. A ``Reminder`` row is
one email to one person about one session at one start time; the unique constraint and the
conditional UPDATEs in ``coaching.reminders`` make each one go out at most once.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from boards.models import Experiment, Obstacle, Storyboard, validate_time_zone

REMINDER_CHOICES = [
    (0, "No reminder"),
    (5, "5 minutes before"),
    (10, "10 minutes before"),
    (15, "15 minutes before"),
    (30, "30 minutes before"),
    (60, "1 hour before"),
    (120, "2 hours before"),
    (1440, "1 day before"),
]
REMINDER_MAX_MINUTES = max(minutes for minutes, _ in REMINDER_CHOICES)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


def new_uid() -> str:
    return f"{uuid.uuid4()}@kata"


def default_reminder_minutes() -> int:
    # A callable, so that changing the setting does not call for a migration.
    return settings.KATA_REMINDER_LEAD_DEFAULT


class CoachingPreferences(models.Model):
    """A person's reminder lead time and private calendar link (their time zone is on User)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="coaching_preferences"
    )
    reminder_minutes = models.PositiveIntegerField(
        choices=REMINDER_CHOICES, default=default_reminder_minutes
    )
    missed_notice = models.BooleanField(
        default=True, help_text="Email me when a session I coach ended with no cycle recorded."
    )
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    class Meta:
        verbose_name_plural = "coaching preferences"

    def __str__(self) -> str:
        return f"Coaching preferences of {self.user}"


def reminder_minutes_for(user) -> int:
    """The user's lead time, from a preloaded ``coaching_preferences`` when there is one."""
    try:
        return user.coaching_preferences.reminder_minutes
    except CoachingPreferences.DoesNotExist:
        return settings.KATA_REMINDER_LEAD_DEFAULT


def wants_missed_notice(user) -> bool:
    try:
        return user.coaching_preferences.missed_notice
    except CoachingPreferences.DoesNotExist:
        return True


class SessionSeriesQuerySet(models.QuerySet["SessionSeries"]):
    def running(self) -> SessionSeriesQuerySet:
        """Not cancelled: its sessions from now on still take place."""
        return self.filter(cancelled_at=None)


class SessionSeries(models.Model):
    """Coaching sessions as scheduled: once, or by an RFC 5545 rule in the coach's time zone."""

    storyboard = models.ForeignKey(Storyboard, models.CASCADE, related_name="session_series")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    second_coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    start_date = models.DateField()
    start_time = models.TimeField(help_text="Local time in the series' time zone.")
    duration_minutes = models.PositiveIntegerField(default=20)
    # The RRULE value without DTSTART, COUNT or UNTIL ("FREQ=WEEKLY;BYDAY=MO,TH"); empty: once.
    rrule = models.CharField(max_length=200, blank=True)
    until = models.DateField(null=True, blank=True, help_text="Last day, inclusive.")
    count = models.PositiveIntegerField(null=True, blank=True)
    # Occurrences exist up to here; the hourly extension carries it forward.
    generated_until = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = SessionSeriesQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "session series"
        ordering = ["storyboard", "start_date", "start_time", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=240),
                name="series_duration_sensible",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(count__isnull=True),
                name="series_until_or_count",
            ),
        ]
        indexes = [models.Index(fields=["cancelled_at", "generated_until"])]

    def __str__(self) -> str:
        return f"Coaching {self.learner} by {self.coach} ({self.storyboard})"

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def description(self) -> str:
        from coaching.recurrence import describe

        return describe(self)


class SessionQuerySet(models.QuerySet["Session"]):
    def scheduled(self) -> SessionQuerySet:
        """Not cancelled."""
        return self.filter(status=Session.Status.SCHEDULED)

    def upcoming(self, now: datetime) -> SessionQuerySet:
        """Scheduled and not started yet."""
        return self.scheduled().filter(starts_at__gt=now)

    def due(self, now: datetime) -> SessionQuerySet:
        """Due now (see ``Session.state``): about to start or running, and no cycle in it yet."""
        return self.scheduled().filter(
            starts_at__lte=now + timedelta(minutes=DUE_EARLY_MINUTES),
            ends_at__gte=now,
            cycle__isnull=True,
        )

    def ahead(self, now: datetime) -> SessionQuerySet:
        """Scheduled, not due yet and with no cycle in it: a session still to be held."""
        return self.scheduled().filter(
            starts_at__gt=now + timedelta(minutes=DUE_EARLY_MINUTES), cycle__isnull=True
        )


class Session(models.Model):
    """One occurrence of a series: times in UTC, a stable UID for calendars."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    class State(models.TextChoices):
        UPCOMING = "upcoming", "Upcoming"
        DUE = "due", "Due now"
        IN_PROGRESS = "in_progress", "Cycle in progress"
        DONE = "done", "Done"
        MISSED = "missed", "Missed"
        CANCELLED = "cancelled", "Cancelled"

    series = models.ForeignKey(SessionSeries, models.CASCADE, related_name="sessions")
    storyboard = models.ForeignKey(Storyboard, models.CASCADE, related_name="coaching_sessions")
    # Where the rule put this occurrence (its RECURRENCE-ID); ``starts_at`` differs once moved.
    original_start = models.DateTimeField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    uid = models.CharField(max_length=100, unique=True, default=new_uid)
    updated_at = models.DateTimeField(default=timezone.now)
    # Bumped by every change; the calendar feed publishes it as SEQUENCE.
    version = models.PositiveIntegerField(default=1)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "original_start"], name="session_one_per_occurrence"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["scheduled", "cancelled"]), name="session_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["status", "ends_at"]),
            models.Index(fields=["storyboard", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.storyboard} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_moved(self) -> bool:
        return self.starts_at != self.original_start

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def _cycle(self):
        try:
            return self.cycle
        except CoachingCycle.DoesNotExist:
            return None

    def state(self, now: datetime | None = None) -> str:
        """Upcoming, due now, cycle in progress, done, missed or cancelled."""
        now = now or timezone.now()
        if self.is_cancelled:
            return self.State.CANCELLED
        cycle = self._cycle()
        if cycle is not None:
            return self.State.DONE if cycle.finished_at else self.State.IN_PROGRESS
        if now < self.starts_at - timedelta(minutes=DUE_EARLY_MINUTES):
            return self.State.UPCOMING
        if now <= self.ends_at:
            return self.State.DUE
        return self.State.MISSED

    def get_state_display(self) -> str:
        return self.State(self.state()).label


# A session counts as "due now" from a few minutes before it starts until it ends.
DUE_EARLY_MINUTES = 10


class CoachingCycle(models.Model):
    """One pass through the five questions, its answers written to the storyboard as it goes."""

    storyboard = models.ForeignKey(Storyboard, models.CASCADE, related_name="coaching_cycles")
    session = models.OneToOneField(
        Session, models.SET_NULL, null=True, blank=True, related_name="cycle"
    )
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Index into coaching.steps.STEPS of the step to answer next; len(STEPS) once finished.
    step = models.PositiveSmallIntegerField(default=0)
    coach_notes = models.TextField(blank=True)
    # What each step recorded, keyed by step: a snapshot of the answers as the board took them.
    answers = models.JSONField(default=dict, blank=True)
    reflected_experiment = models.ForeignKey(
        Experiment, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    obstacle = models.ForeignKey(Obstacle, models.SET_NULL, null=True, blank=True, related_name="+")
    next_experiment = models.ForeignKey(
        Experiment, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    next_session = models.ForeignKey(
        Session, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["storyboard", "-started_at"]),
            models.Index(fields=["coach", "-started_at"]),
        ]

    def __str__(self) -> str:
        return f"Coaching cycle for {self.storyboard} on {self.started_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("coaching:cycle", args=[self.storyboard_id, self.pk])

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def duration(self) -> timedelta | None:
        return self.finished_at - self.started_at if self.finished_at else None

    @property
    def duration_minutes(self) -> int | None:
        duration = self.duration
        return None if duration is None else max(1, round(duration.total_seconds() / 60))


class SecondCoachObservation(models.Model):
    """A second coach's notes and feedback for the coach, question by question, with timings."""

    cycle = models.ForeignKey(CoachingCycle, models.CASCADE, related_name="observations")
    observer = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    # {part: text} and {part: seconds} for the parts in coaching.steps.OBSERVED_PARTS.
    notes = models.JSONField(default=dict, blank=True)
    seconds = models.JSONField(default=dict, blank=True)
    feedback = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["cycle", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "observer"], name="observation_one_per_observer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.observer} observing {self.cycle}"

    @property
    def total_seconds(self) -> int:
        return sum(int(v) for v in self.seconds.values() if v)


class Reminder(models.Model):
    """One email to one person about one session at one start time.

    The life of a row: created by the scan once due; dispatched (a send task enqueued);
    claimed by exactly one worker (``claimed_at``/``claim_token``); ``sending_at`` set just
    before the SMTP exchange; then ``sent_at``, or ``skipped_at`` with a reason. A row whose
    worker stopped after ``sending_at`` is never sent again: the email may have gone out.
    """

    class Kind(models.TextChoices):
        BEFORE = "before", "Reminder before the session"
        MISSED = "missed", "Notice of a session with no cycle"

    class Role(models.TextChoices):
        COACH = "coach", "Coach"
        LEARNER = "learner", "Learner"
        SECOND_COACH = "second_coach", "Second coach"

    session = models.ForeignKey(Session, models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    role = models.CharField(max_length=16, choices=Role.choices)
    # The session start this reminder was computed for: a reschedule makes it stale.
    session_starts_at = models.DateTimeField()
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatch_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    skip_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "recipient", "kind", "session_starts_at"],
                name="reminder_once_per_recipient_and_start",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["before", "missed"]), name="reminder_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(skipped_at__isnull=True),
                name="reminder_sent_or_skipped",
            ),
        ]
        indexes = [
            models.Index(fields=["sent_at", "skipped_at", "due_at"]),
            models.Index(fields=["claimed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} for {self.session}"

    @property
    def status(self) -> str:
        if self.sent_at:
            return "sent"
        if self.skipped_at:
            return f"skipped: {self.skip_reason}"
        if self.sending_at:
            return "sending"
        if self.claimed_at:
            return "claimed"
        return "pending"
