"""Target conditions with their metrics, the actual condition and measurements."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from boards.models import (
    Activity,
    ActualCondition,
    Experiment,
    Measurement,
    Metric,
    Storyboard,
    TargetCondition,
    User,
)
from boards.selectors import active_target_condition
from boards.services.base import (
    board_write,
    change_logged,
    clean_decimal,
    clean_text,
    log_activity,
    require_active,
    require_no_step_in_progress,
    required_text,
    snapshot,
)
from boards.validators import check_sensible_date

TARGET_FIELDS = ["operating_pattern", "achieve_by", "status", "reflection"]
METRIC_FIELDS = ["name", "unit", "target_value", "higher_is_better"]
# How a target condition may be closed, and what the log calls it.
CLOSED_AS: dict[str, Activity.Action] = {
    TargetCondition.Status.ACHIEVED: Activity.Action.TARGET_CONDITION_ACHIEVED,
    TargetCondition.Status.ABANDONED: Activity.Action.TARGET_CONDITION_ABANDONED,
}


def _metric_spec(spec: dict[str, Any] | None, kind: Metric.Kind) -> dict[str, Any] | None:
    if not spec:
        return None
    return {
        "kind": kind,
        "name": required_text(
            spec.get("name"),
            f"{kind}_metric_name",
            "Name the metric.",
            max_length=120,
            single_line=True,
        ),
        "unit": clean_text(
            spec.get("unit"), f"{kind}_metric_unit", max_length=32, single_line=True
        ),
        "target_value": clean_decimal(spec.get("target_value"), f"{kind}_metric_target"),
        "higher_is_better": bool(spec.get("higher_is_better", False)),
    }


@board_write
def target_condition_start(
    *,
    storyboard: Storyboard,
    operating_pattern: str,
    achieve_by: date,
    process_metric: dict[str, Any] | None = None,
    outcome_metric: dict[str, Any] | None = None,
    by: User | None,
) -> TargetCondition:
    """Set the next target condition; the board may have only one active at a time.

    ``process_metric`` and ``outcome_metric`` are dicts of name, unit, target_value and
    higher_is_better.
    """
    pattern = required_text(
        operating_pattern, "operating_pattern", "Describe how the process should operate."
    )
    check_sensible_date(achieve_by, "achieve_by")
    # Lock the board so two people setting the next target condition at once take turns.
    Storyboard.objects.select_for_update().filter(pk=storyboard.pk).first()
    if active_target_condition(storyboard) is not None:
        raise ValidationError(
            "This storyboard already has an active target condition: close it before setting "
            "the next one."
        )
    if achieve_by < timezone.localdate():
        raise ValidationError({"achieve_by": "The achieve-by date cannot be in the past."})
    specs = [
        _metric_spec(process_metric, Metric.Kind.PROCESS),
        _metric_spec(outcome_metric, Metric.Kind.OUTCOME),
    ]
    number = (storyboard.target_conditions.aggregate(n=Max("number"))["n"] or 0) + 1
    target = TargetCondition.objects.create(
        storyboard=storyboard, number=number, operating_pattern=pattern, achieve_by=achieve_by
    )
    for spec in specs:
        if spec:
            Metric.objects.create(target_condition=target, **spec)
    log_activity(
        storyboard=storyboard,
        by=by,
        action=Activity.Action.TARGET_CONDITION_STARTED,
        obj=target,
        summary=f"Set target condition {number}, achieve by {achieve_by:%d %b %Y}",
        after=snapshot(target, TARGET_FIELDS),
    )
    return target


@board_write
def target_condition_update(
    *,
    target_condition: TargetCondition,
    version: int,
    operating_pattern: str,
    achieve_by: date,
    by: User | None,
) -> TargetCondition:
    """Change the active target condition's pattern or date; a past date only if it was so."""
    require_active(target_condition)
    check_sensible_date(achieve_by, "achieve_by")
    if achieve_by < timezone.localdate() and achieve_by != target_condition.achieve_by:
        raise ValidationError({"achieve_by": "The achieve-by date cannot be in the past."})
    change_logged(
        target_condition,
        version=version,
        changes={
            "operating_pattern": required_text(
                operating_pattern, "operating_pattern", "Describe how the process should operate."
            ),
            "achieve_by": achieve_by,
        },
        fields=TARGET_FIELDS,
        storyboard=target_condition.storyboard,
        by=by,
        action=Activity.Action.TARGET_CONDITION_UPDATED,
        summary=f"Changed target condition {target_condition.number}",
    )
    return target_condition


@board_write
def target_condition_close(
    *,
    target_condition: TargetCondition,
    version: int,
    status: str,
    reflection: str,
    by: User | None,
) -> TargetCondition:
    """Close the active target condition as achieved or abandoned, with a short reflection."""
    action = CLOSED_AS.get(status)
    if action is None:
        raise ValidationError({"status": "Close a target condition as achieved or abandoned."})
    if not target_condition.is_active:
        raise ValidationError("This target condition is already closed.")
    require_no_step_in_progress(target_condition, before="closing the target condition")
    reflection = required_text(
        reflection, "reflection", "Write a short reflection: what did reaching for it teach us?"
    )
    change_logged(
        target_condition,
        version=version,
        changes={"status": status, "reflection": reflection, "closed_at": timezone.now()},
        fields=TARGET_FIELDS,
        storyboard=target_condition.storyboard,
        by=by,
        action=action,
        summary=f"Closed target condition {target_condition.number} as {status}",
    )
    return target_condition


@board_write
def metric_update(
    *,
    metric: Metric,
    version: int,
    name: str,
    unit: str,
    target_value: Any,
    higher_is_better: bool,
    by: User | None,
) -> Metric:
    """Rename a metric or move its target; its measurements stay as they were."""
    require_active(metric.target_condition)
    name = required_text(name, "name", "Name the metric.", max_length=120, single_line=True)
    change_logged(
        metric,
        version=version,
        changes={
            "name": name,
            "unit": clean_text(unit, "unit", max_length=32, single_line=True),
            "target_value": clean_decimal(target_value, "target_value"),
            "higher_is_better": higher_is_better,
        },
        fields=METRIC_FIELDS,
        storyboard=metric.target_condition.storyboard,
        by=by,
        action=Activity.Action.METRIC_UPDATED,
        summary=f"Changed the {metric.get_kind_display().lower()} {name}",
    )
    return metric


@board_write
def actual_condition_record(
    *,
    storyboard: Storyboard,
    operating_pattern: str,
    observed_at: datetime | None = None,
    by: User | None,
) -> ActualCondition:
    """Record how the process operates now, as observed at ``observed_at`` (default now)."""
    if observed_at is not None:
        check_sensible_date(observed_at, "observed_at")
    observation = ActualCondition.objects.create(
        storyboard=storyboard,
        operating_pattern=required_text(
            operating_pattern, "operating_pattern", "Describe what you observed."
        ),
        observed_at=observed_at or timezone.now(),
        recorded_by=by,
    )
    log_activity(
        storyboard=storyboard,
        by=by,
        action=Activity.Action.ACTUAL_CONDITION_RECORDED,
        obj=observation,
        summary="Recorded the actual condition",
        after=snapshot(observation, ["observed_at", "operating_pattern"]),
    )
    return observation


@board_write
def measurement_add(
    *,
    metric: Metric,
    value: Any,
    measured_at: datetime | None = None,
    note: str = "",
    experiment: Experiment | None = None,
    by: User | None,
) -> Measurement:
    """Add a point to a metric's run chart, optionally from a step (``experiment``)."""
    require_active(metric.target_condition)
    if experiment is not None and experiment.target_condition_id != metric.target_condition_id:
        raise ValidationError({"experiment": "The experiment belongs to another target condition."})
    measured_at = measured_at or timezone.now()
    check_sensible_date(measured_at, "measured_at")
    if measured_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"measured_at": "A measurement cannot be in the future."})
    measurement = Measurement.objects.create(
        metric=metric,
        value=clean_decimal(value, "value"),
        measured_at=measured_at,
        note=clean_text(note, "note", max_length=300),
        experiment=experiment,
        recorded_by=by,
    )
    log_activity(
        storyboard=metric.target_condition.storyboard,
        by=by,
        action=Activity.Action.MEASUREMENT_ADDED,
        obj=measurement,
        summary=f"Measured {metric.name}: {metric.format_value(measurement.value)}",
        after=snapshot(measurement, ["metric", "value", "measured_at", "note", "experiment"]),
    )
    return measurement
