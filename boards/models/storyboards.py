"""A storyboard and everything on it: challenge, target conditions, obstacles, the PDCA record,
and the activity log. The actual condition and the metrics measuring it are in ``conditions``."""

from __future__ import annotations

from datetime import date
from typing import TypeAlias

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from boards.models.teams import Team
from boards.validators import validate_single_line


class ChallengeQuerySet(models.QuerySet["Challenge"]):
    def current(self) -> ChallengeQuerySet:
        """Challenges the team works toward now: new storyboards go under one of these."""
        return self.filter(retired_at__isnull=True)

    def retired(self) -> ChallengeQuerySet:
        return self.filter(retired_at__isnull=False)


class Challenge(models.Model):
    """The direction or vision a team works toward, 6 months to 3 years out.

    A retired challenge is history: it keeps its storyboards (all archived) for reading, takes
    no new ones, and can be restored.
    """

    team = models.ForeignKey(Team, models.CASCADE, related_name="challenges")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    description = models.TextField(blank=True)
    horizon = models.DateField(help_text="When the challenge should be met (months to years).")
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["horizon", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class Storyboard(models.Model):
    """One learner's storyboard for a focus process."""

    team = models.ForeignKey(Team, models.CASCADE, related_name="storyboards")
    challenge = models.ForeignKey(Challenge, models.RESTRICT, related_name="storyboards")
    focus_process = models.CharField(max_length=200, validators=[validate_single_line])
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="storyboards_as_learner"
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="storyboards_as_coach",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    # Bumped with every change to anything on the board; live updates compare it.
    revision = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)
    # Bumped by writes outside the services; with the revision, the key of the cached sections.
    cache_version = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["focus_process", "pk"]
        indexes = [models.Index(fields=["team", "is_active"])]

    def __str__(self) -> str:
        return self.focus_process

    def save(self, *args, **kwargs) -> None:
        # The counters move only by UPDATE ... + 1: saving a copy read before someone else's
        # change must not write its older numbers back.
        updating = not self._state.adding and not kwargs.get("force_insert")
        if updating and not args and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in ("revision", "cache_version")
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("boards:storyboard", args=[self.pk])

    def clean(self) -> None:
        if self.challenge_id and self.team_id and self.challenge.team_id != self.team_id:
            raise ValidationError({"challenge": "The challenge must belong to the same team."})


# A model's choices live beside it rather than inside it so that its Meta constraints, which
# cannot see the class body, name them too. ``TargetCondition.Status`` etc. are the names to use.
class TargetConditionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ACHIEVED = "achieved", "Achieved"
    ABANDONED = "abandoned", "Abandoned"


class TargetConditionQuerySet(models.QuerySet["TargetCondition"]):
    def active(self) -> TargetConditionQuerySet:
        """The one target condition a board works toward now (at most one per board)."""
        return self.filter(status=TargetConditionStatus.ACTIVE)


class TargetCondition(models.Model):
    Status: TypeAlias = TargetConditionStatus

    storyboard = models.ForeignKey(Storyboard, models.CASCADE, related_name="target_conditions")
    number = models.PositiveIntegerField()
    operating_pattern = models.TextField(
        help_text="How the process should operate when the target condition is reached."
    )
    achieve_by = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    reflection = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = TargetConditionQuerySet.as_manager()

    class Meta:
        ordering = ["storyboard", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["storyboard"],
                condition=Q(status=TargetConditionStatus.ACTIVE),
                name="target_condition_one_active_per_storyboard",
            ),
            models.UniqueConstraint(
                fields=["storyboard", "number"], name="target_condition_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TargetConditionStatus.values),
                name="target_condition_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=TargetConditionStatus.ACTIVE, closed_at__isnull=True)
                | (~Q(status=TargetConditionStatus.ACTIVE) & Q(closed_at__isnull=False)),
                name="target_condition_closed_iff_not_active",
            ),
        ]
        indexes = [models.Index(fields=["status", "achieve_by"])]

    def __str__(self) -> str:
        return f"Target condition {self.number}: {self.operating_pattern[:60]}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def days_left(self, today: date | None = None) -> int:
        return (self.achieve_by - (today or timezone.localdate())).days

    @property
    def is_overdue(self) -> bool:
        return self.is_active and self.days_left() < 0


class ObstacleStatus(models.TextChoices):
    PARKED = "parked", "Parked"
    WORKING_ON = "working", "Working on"
    CLEARED = "cleared", "Cleared"


class ObstacleQuerySet(models.QuerySet["Obstacle"]):
    def working_on(self) -> ObstacleQuerySet:
        """The obstacle being worked on now (at most one per target condition)."""
        return self.filter(status=ObstacleStatus.WORKING_ON)

    def uncleared(self) -> ObstacleQuerySet:
        """The parking lot: obstacles still in the way, parked or worked on."""
        return self.exclude(status=ObstacleStatus.CLEARED)


class Obstacle(models.Model):
    Status: TypeAlias = ObstacleStatus

    target_condition = models.ForeignKey(TargetCondition, models.CASCADE, related_name="obstacles")
    description = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PARKED)
    created_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ObstacleQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_condition"],
                condition=Q(status=ObstacleStatus.WORKING_ON),
                name="obstacle_one_worked_on_per_target",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ObstacleStatus.values),
                name="obstacle_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.description


class ExperimentQuerySet(models.QuerySet["Experiment"]):
    def in_progress(self) -> ExperimentQuerySet:
        """Steps taken or planned whose result is not recorded yet (one at a time, by rule)."""
        return self.filter(result_recorded_at__isnull=True)


class Experiment(models.Model):
    """A row of the PDCA cycles record: one step, with its prediction written first."""

    target_condition = models.ForeignKey(
        TargetCondition, models.CASCADE, related_name="experiments"
    )
    number = models.PositiveIntegerField()
    obstacle = models.ForeignKey(
        Obstacle, models.SET_NULL, null=True, blank=True, related_name="experiments"
    )
    step = models.TextField()
    expected = models.TextField(help_text="What we expect, written before the step is taken.")
    planned_for = models.DateField(default=timezone.localdate)
    happened = models.TextField(blank=True)
    learned = models.TextField(blank=True)
    result_recorded_at = models.DateTimeField(null=True, blank=True)
    threshold_of_knowledge = models.BooleanField(
        default=False, help_text="The learner reached the threshold of knowledge on this step."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = ExperimentQuerySet.as_manager()

    class Meta:
        ordering = ["target_condition", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_condition", "number"], name="experiment_number_unique"
            ),
            models.CheckConstraint(
                condition=~Q(expected=""), name="experiment_expectation_required"
            ),
            models.CheckConstraint(condition=~Q(step=""), name="experiment_step_required"),
            models.CheckConstraint(
                condition=Q(result_recorded_at__isnull=True) | ~Q(happened=""),
                name="experiment_result_has_happened",
            ),
        ]
        indexes = [
            models.Index(fields=["target_condition", "-created_at"]),
            # PDCA cycles by the day they are taken: the dashboard's 7- and 30-day counts and
            # the team practice page's weeks.
            models.Index(fields=["target_condition", "planned_for"]),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.step[:60]}"

    @property
    def in_progress(self) -> bool:
        return self.result_recorded_at is None


class AppendOnlyError(Exception):
    pass


class ActivityQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The activity log is append-only.")

    def delete(self):
        raise AppendOnlyError("The activity log is append-only.")


class Activity(models.Model):
    """Append-only log of every change to a storyboard's content."""

    class Action(models.TextChoices):
        """Every kind of change the log records (zulip's AuditLogEventType)."""

        STORYBOARD_CREATED = "storyboard.created", "Storyboard created"
        STORYBOARD_UPDATED = "storyboard.updated", "Storyboard updated"
        STORYBOARD_HANDED_OVER = "storyboard.handed_over", "Storyboard handed over"
        STORYBOARD_ARCHIVED = "storyboard.archived", "Storyboard archived"
        STORYBOARD_RESTORED = "storyboard.restored", "Storyboard restored"
        CHALLENGE_UPDATED = "challenge.updated", "Challenge updated"
        TARGET_CONDITION_STARTED = "target_condition.started", "Target condition set"
        TARGET_CONDITION_UPDATED = "target_condition.updated", "Target condition updated"
        TARGET_CONDITION_ACHIEVED = "target_condition.achieved", "Target condition achieved"
        TARGET_CONDITION_ABANDONED = "target_condition.abandoned", "Target condition abandoned"
        METRIC_UPDATED = "metric.updated", "Metric updated"
        ACTUAL_CONDITION_RECORDED = "actual_condition.recorded", "Actual condition recorded"
        MEASUREMENT_ADDED = "measurement.added", "Measurement added"
        # Metrics added and retired, and what a member takes back (issue 11).
        TARGET_CONDITION_DELETED = "target_condition.deleted", "Target condition deleted"
        METRIC_ADDED = "metric.added", "Metric added"
        METRIC_RETIRED = "metric.retired", "Metric retired"
        ACTUAL_CONDITION_DELETED = "actual_condition.deleted", "Actual condition deleted"
        MEASUREMENT_DELETED = "measurement.deleted", "Measurement deleted"
        OBSTACLE_DELETED = "obstacle.deleted", "Obstacle deleted"
        EXPERIMENT_DELETED = "experiment.deleted", "Step deleted"
        OBSTACLE_ADDED = "obstacle.added", "Obstacle added"
        OBSTACLE_UPDATED = "obstacle.updated", "Obstacle updated"
        OBSTACLE_WORKING_ON = "obstacle.working_on", "Obstacle worked on"
        OBSTACLE_CLEARED = "obstacle.cleared", "Obstacle cleared"
        OBSTACLE_PARKED = "obstacle.parked", "Obstacle parked"
        OBSTACLE_MOVED = "obstacle.moved", "Obstacle moved"
        EXPERIMENT_PLANNED = "experiment.planned", "Step planned"
        EXPERIMENT_UPDATED = "experiment.updated", "Step updated"
        EXPERIMENT_RESULT_RECORDED = "experiment.result_recorded", "Step result recorded"
        SESSION_SERIES_UPDATED = "session_series.updated", "Coaching sessions rescheduled"
        SESSION_SERIES_CANCELLED = "session_series.cancelled", "Coaching sessions cancelled"
        SESSION_RESCHEDULED = "session.rescheduled", "Coaching session moved"
        SESSION_CANCELLED = "session.cancelled", "Coaching session cancelled"
        COACHING_CYCLE_TARGET_RECORDED = (
            "coaching_cycle.target_recorded",
            "Coaching cycle: target condition asked",
        )
        COACHING_CYCLE_FINISHED = "coaching_cycle.finished", "Coaching cycle finished"

    storyboard = models.ForeignKey(Storyboard, models.CASCADE, related_name="activities")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    # The board's revision this change produced; live updates ask for everything after one.
    revision = models.PositiveBigIntegerField(default=0)
    action = models.CharField(max_length=64, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.PositiveBigIntegerField()
    summary = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["storyboard", "-at"]),
            models.Index(fields=["storyboard", "revision"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.summary}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The activity log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The activity log is append-only.")
