import hashlib
import zoneinfo
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone, such as Europe/Berlin.")


class User(AbstractUser):
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)


class Team(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("boards:team", args=[self.slug])


class Role(models.TextChoices):
    ADMIN = "admin", "Team administrator"
    MEMBER = "member", "Member"
    COACH = "coach", "Coach"
    MANAGER = "manager", "Manager"
    VIEWER = "viewer", "Viewer"


# Roles that may change a team's storyboards; managers and viewers read only.
EDITING_ROLES = frozenset({Role.ADMIN, Role.MEMBER, Role.COACH})


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="membership_one_per_user_team"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"

    @property
    def can_edit(self) -> bool:
        return self.role in EDITING_ROLES


class Challenge(models.Model):
    """The direction or vision a team works toward, 6 months to 3 years out."""

    team = models.ForeignKey(Team, models.CASCADE, related_name="challenges")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    horizon = models.DateField(help_text="When the challenge should be met (months to years).")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["horizon", "pk"]

    def __str__(self) -> str:
        return self.title


class Storyboard(models.Model):
    """One learner's storyboard for a focus process."""

    team = models.ForeignKey(Team, models.CASCADE, related_name="storyboards")
    challenge = models.ForeignKey(Challenge, models.RESTRICT, related_name="storyboards")
    focus_process = models.CharField(max_length=200)
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


class TargetConditionQuerySet(models.QuerySet["TargetCondition"]):
    def active(self) -> "TargetConditionQuerySet":
        """The one target condition a board works toward now (at most one per board)."""
        return self.filter(status=TargetCondition.Status.ACTIVE)


class TargetCondition(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ACHIEVED = "achieved", "Achieved"
        ABANDONED = "abandoned", "Abandoned"

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
                condition=Q(status="active"),
                name="target_condition_one_active_per_storyboard",
            ),
            models.UniqueConstraint(
                fields=["storyboard", "number"], name="target_condition_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "achieved", "abandoned"]),
                name="target_condition_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="active", closed_at__isnull=True)
                | (~Q(status="active") & Q(closed_at__isnull=False)),
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


class ActualCondition(models.Model):
    """A dated observation of how the process actually operates now."""

    storyboard = models.ForeignKey(Storyboard, models.CASCADE, related_name="actual_conditions")
    observed_at = models.DateTimeField(default=timezone.now)
    operating_pattern = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-observed_at", "-pk"]
        indexes = [models.Index(fields=["storyboard", "-observed_at"])]

    def __str__(self) -> str:
        return f"Actual condition {self.observed_at:%Y-%m-%d}: {self.operating_pattern[:60]}"


class Metric(models.Model):
    class Kind(models.TextChoices):
        PROCESS = "process", "Process metric"
        OUTCOME = "outcome", "Outcome metric"

    target_condition = models.ForeignKey(TargetCondition, models.CASCADE, related_name="metrics")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=32, blank=True)
    target_value = models.DecimalField(max_digits=14, decimal_places=4)
    higher_is_better = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["target_condition", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_condition", "kind"], name="metric_one_per_kind_per_target"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["process", "outcome"]), name="metric_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def target_label(self) -> str:
        sign = "≥" if self.higher_is_better else "≤"
        return f"{sign} {self.format_value(self.target_value)}"

    def format_value(self, value) -> str:
        text = f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)
        return f"{text} {self.unit}".strip()

    def meets_target(self, value) -> bool:
        if self.higher_is_better:
            return value >= self.target_value
        return value <= self.target_value


class Obstacle(models.Model):
    class Status(models.TextChoices):
        PARKED = "parked", "Parked"
        WORKING_ON = "working", "Working on"
        CLEARED = "cleared", "Cleared"

    target_condition = models.ForeignKey(TargetCondition, models.CASCADE, related_name="obstacles")
    description = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PARKED)
    created_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_condition"],
                condition=Q(status="working"),
                name="obstacle_one_worked_on_per_target",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["parked", "working", "cleared"]),
                name="obstacle_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.description


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


class Measurement(models.Model):
    metric = models.ForeignKey(Metric, models.CASCADE, related_name="measurements")
    measured_at = models.DateTimeField(default=timezone.now)
    value = models.DecimalField(max_digits=14, decimal_places=4)
    note = models.CharField(max_length=300, blank=True)
    experiment = models.ForeignKey(
        Experiment, models.SET_NULL, null=True, blank=True, related_name="measurements"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["metric", "measured_at"]
        # With the id, a backward scan hands over "the latest" (newest first, ties by id) at once.
        indexes = [models.Index(fields=["metric", "measured_at", "id"])]

    def __str__(self) -> str:
        return f"{self.metric.name} = {self.value} at {self.measured_at:%Y-%m-%d %H:%M}"


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
        TARGET_CONDITION_STARTED = "target_condition.started", "Target condition set"
        TARGET_CONDITION_UPDATED = "target_condition.updated", "Target condition updated"
        TARGET_CONDITION_ACHIEVED = "target_condition.achieved", "Target condition achieved"
        TARGET_CONDITION_ABANDONED = "target_condition.abandoned", "Target condition abandoned"
        METRIC_UPDATED = "metric.updated", "Metric updated"
        ACTUAL_CONDITION_RECORDED = "actual_condition.recorded", "Actual condition recorded"
        MEASUREMENT_ADDED = "measurement.added", "Measurement added"
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


def invitation_expiry():
    # A callable, so that changing KATA_INVITATION_DAYS does not call for a migration.
    return timezone.now() + timedelta(days=settings.KATA_INVITATION_DAYS)


def hash_invitation_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An emailed invitation to join a team with a role.

    Only the SHA-256 of the random token is stored: the token itself travels in the emailed
    link alone, so a copy of the database cannot be used to accept invitations.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"
        ACCEPTED = "accepted", "Accepted"

    team = models.ForeignKey(Team, models.CASCADE, related_name="invitations")
    email = models.EmailField(help_text="Stored in lower case.")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Open: neither accepted nor revoked (an expired one stays open until replaced).
            models.UniqueConstraint(
                fields=["team", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_team_email",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role_valid"),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.team} ({self.get_role_display()})"

    @property
    def state(self) -> str:
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING
