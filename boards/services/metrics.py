"""A target condition's metrics added and retired, and measurements taken back.

Rename a metric, move its target or add a measurement with ``boards.services.targets``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from boards.models import Activity, Measurement, Metric, TargetCondition, User
from boards.services.base import (
    CLOSED,
    board_write,
    change_logged,
    log_activity,
    refuse,
    require_active,
    snapshot,
)
from boards.services.targets import MEASUREMENT_FIELDS, METRIC_FIELDS, metric_spec


def measurement_kept_because(measurement: Measurement) -> str:
    """Why this measurement cannot be deleted, or "" if it can."""
    metric = measurement.metric
    if not metric.target_condition.is_active:
        return CLOSED
    if metric.is_retired:
        return "This metric is retired: its measurements stay as they were."
    return ""


@board_write
def measurement_delete(*, measurement: Measurement, by: User | None) -> None:
    """Take a measurement off its run chart (a typo, the wrong metric)."""
    metric = measurement.metric
    refuse(measurement_kept_because(measurement))
    local = timezone.localtime(measurement.measured_at)
    log_activity(
        storyboard=metric.target_condition.storyboard,
        by=by,
        action=Activity.Action.MEASUREMENT_DELETED,
        obj=measurement,
        summary=f"Deleted a measurement of {metric.name}: "
        f"{metric.format_value(measurement.value)} on {local:%d %b %H:%M}",
        before=snapshot(measurement, MEASUREMENT_FIELDS),
    )
    measurement.delete()


@board_write
def metric_add(
    *,
    target_condition: TargetCondition,
    kind: str,
    name: str,
    unit: str,
    target_value: Any,
    higher_is_better: bool,
    by: User | None,
) -> Metric:
    """Give the target condition its process or outcome metric (one current one of each)."""
    require_active(target_condition)
    if kind not in Metric.Kind.values:
        raise ValidationError({"kind": "A metric is the process or the outcome metric."})
    spec = metric_spec(
        {
            "name": name,
            "unit": unit,
            "target_value": target_value,
            "higher_is_better": (higher_is_better),
        },
        Metric.Kind(kind),
    )
    assert spec is not None
    # Lock the target condition: two people adding the same kind at once take turns.
    TargetCondition.objects.select_for_update().filter(pk=target_condition.pk).first()
    current = Metric.objects.filter(target_condition=target_condition, kind=kind).current()
    if current.exists():
        label = Metric.Kind(kind).label.lower()
        raise ValidationError(
            f"This target condition has its {label} already: retire it first to measure "
            "something else."
        )
    metric = Metric.objects.create(target_condition=target_condition, **spec)
    log_activity(
        storyboard=target_condition.storyboard,
        by=by,
        action=Activity.Action.METRIC_ADDED,
        obj=metric,
        summary=f"Added the {metric.get_kind_display().lower()} {metric.name} "
        f"{metric.target_label}",
        after=snapshot(metric, METRIC_FIELDS),
    )
    return metric


def metric_kept_because(metric: Metric) -> str:
    """Why this metric cannot be retired, or "" if it can."""
    if not metric.target_condition.is_active:
        return CLOSED
    if metric.is_retired:
        return "This metric is retired already."
    return ""


@board_write
def metric_retire(*, metric: Metric, version: int, by: User | None) -> Metric:
    """Stop measuring a metric; its measurements and run chart stay readable in the history."""
    refuse(metric_kept_because(metric))
    change_logged(
        metric,
        version=version,
        changes={"retired_at": timezone.now()},
        fields=METRIC_FIELDS,
        storyboard=metric.target_condition.storyboard,
        by=by,
        action=Activity.Action.METRIC_RETIRED,
        summary=f"Retired the {metric.get_kind_display().lower()} {metric.name}",
    )
    return metric
