"""The actual condition and the metrics that measure it: a target condition's process and
outcome metric with their measurements (the run charts), and the figures the first grasp of the
current condition records before any target condition defines the metrics."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TypeAlias

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from boards.models.storyboards import Experiment, Storyboard, TargetCondition
from boards.validators import validate_single_line


def _is_number(text: object) -> bool:
    try:
        return isinstance(text, str) and Decimal(text).is_finite()
    except InvalidOperation:
        return False


def validate_figures(value: object) -> None:
    """Figures are a list of {kind, name, unit, higher_is_better, value} (see ``figures``)."""
    if not isinstance(value, list) or not all(
        isinstance(f, dict)
        and f.get("kind") in MetricKind.values
        and isinstance(f.get("name"), str)
        and isinstance(f.get("unit", ""), str)
        and isinstance(f.get("higher_is_better", False), bool)
        and _is_number(f.get("value"))
        for f in value
    ):
        raise ValidationError("Figures are a list of metrics, each with a kind, name and value.")


@dataclass(frozen=True)
class Figure:
    """A metric as first observed, before a target condition defines it: its value then."""

    kind: str
    name: str
    value: Decimal
    unit: str = ""
    higher_is_better: bool = False

    @property
    def kind_label(self) -> str:
        return MetricKind(self.kind).label

    @property
    def value_label(self) -> str:
        return f"{self.value.normalize():f} {self.unit}".strip()

    @property
    def direction_label(self) -> str:
        return "higher is better" if self.higher_is_better else "lower is better"


class ActualCondition(models.Model):
    """A dated observation of how the process actually operates now."""

    storyboard = models.ForeignKey(Storyboard, models.CASCADE, related_name="actual_conditions")
    observed_at = models.DateTimeField(default=timezone.now)
    operating_pattern = models.TextField()
    # The process and outcome metric as observed while no target condition defines them (the
    # first grasp of the current condition): [{kind, name, unit, higher_is_better, value}], the
    # value a decimal as text. The next target condition takes them up as its metrics' first
    # measurements; with a target condition active, observations measure its metrics instead.
    figures = models.JSONField(default=list, blank=True, validators=[validate_figures])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-observed_at", "-pk"]
        indexes = [models.Index(fields=["storyboard", "-observed_at"])]

    def __str__(self) -> str:
        return f"Actual condition {self.observed_at:%Y-%m-%d}: {self.operating_pattern[:60]}"

    @property
    def figure_list(self) -> list[Figure]:
        """The figures, process first, as objects a template can read (bad rows left out)."""
        try:
            validate_figures(self.figures)
        except ValidationError:
            return []
        figures = [
            Figure(
                kind=f["kind"],
                name=f["name"],
                value=Decimal(f["value"]),
                unit=f.get("unit", ""),
                higher_is_better=f.get("higher_is_better", False),
            )
            for f in self.figures
        ]
        return sorted(figures, key=lambda f: f.kind != MetricKind.PROCESS)


class MetricKind(models.TextChoices):
    PROCESS = "process", "Process metric"
    OUTCOME = "outcome", "Outcome metric"


class MetricQuerySet(models.QuerySet["Metric"]):
    def current(self) -> MetricQuerySet:
        """The metrics still measured; a retired one keeps its measurements, takes no more."""
        return self.filter(retired_at__isnull=True)

    def process(self) -> MetricQuerySet:
        """The process metric (at most one current per target condition): what a step moves."""
        return self.filter(kind=MetricKind.PROCESS)


class Metric(models.Model):
    Kind: TypeAlias = MetricKind

    target_condition = models.ForeignKey(TargetCondition, models.CASCADE, related_name="metrics")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    name = models.CharField(max_length=120, validators=[validate_single_line])
    unit = models.CharField(max_length=32, blank=True, validators=[validate_single_line])
    target_value = models.DecimalField(max_digits=14, decimal_places=4)
    higher_is_better = models.BooleanField(default=False)
    retired_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A retired metric keeps its measurements and run chart; it takes no new ones.",
    )
    version = models.PositiveIntegerField(default=1)

    objects = MetricQuerySet.as_manager()

    class Meta:
        ordering = ["target_condition", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_condition", "kind"],
                condition=Q(retired_at__isnull=True),
                name="metric_one_current_per_kind_per_target",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MetricKind.values), name="metric_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def direction_label(self) -> str:
        return "higher is better" if self.higher_is_better else "lower is better"

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
