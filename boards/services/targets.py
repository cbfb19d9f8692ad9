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
from boards.selectors import active_target_condition, latest_figures
from boards.services.base import (
    Conflict,
    board_write,
    change_logged,
    clean_decimal,
    clean_text,
    log_activity,
    refuse,
    require_active,
    require_no_step_in_progress,
    required_text,
    snapshot,
)
from boards.validators import check_sensible_date

TARGET_FIELDS = ["operating_pattern", "achieve_by", "status", "reflection"]
METRIC_FIELDS = ["kind", "name", "unit", "target_value", "higher_is_better", "retired_at"]
ACTUAL_FIELDS = ["observed_at", "operating_pattern", "figures"]
MEASUREMENT_FIELDS = ["metric", "value", "measured_at", "note", "experiment"]
# How a target condition may be closed, and what the log calls it.
CLOSED_AS: dict[str, Activity.Action] = {
    TargetCondition.Status.ACHIEVED: Activity.Action.TARGET_CONDITION_ACHIEVED,
    TargetCondition.Status.ABANDONED: Activity.Action.TARGET_CONDITION_ABANDONED,
}


def metric_spec(spec: dict[str, Any] | None, kind: Metric.Kind) -> dict[str, Any] | None:
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
        metric_spec(process_metric, Metric.Kind.PROCESS),
        metric_spec(outcome_metric, Metric.Kind.OUTCOME),
    ]
    number = (storyboard.target_conditions.aggregate(n=Max("number"))["n"] or 0) + 1
    # Read before the new target condition exists: it would count as having taken them up.
    figures = latest_figures(storyboard)
    target = TargetCondition.objects.create(
        storyboard=storyboard, number=number, operating_pattern=pattern, achieve_by=achieve_by
    )
    metrics = [Metric.objects.create(target_condition=target, **spec) for spec in specs if spec]
    log_activity(
        storyboard=storyboard,
        by=by,
        action=Activity.Action.TARGET_CONDITION_STARTED,
        obj=target,
        summary=f"Set target condition {number}, achieve by {achieve_by:%d %b %Y}",
        after=snapshot(target, TARGET_FIELDS),
    )
    if figures is not None:
        _take_up_figures(figures, metrics, by=by)
    return target


def _take_up_figures(
    observation: ActualCondition, metrics: list[Metric], *, by: User | None
) -> None:
    """The current condition's figures become the first points of the new metrics' run charts.

    Each metric takes the value observed for its kind (process, outcome), at the time of that
    observation, so a run chart starts where the process stood before the target was set.
    """
    observed = {figure.kind: figure for figure in observation.figure_list}
    local = timezone.localtime(observation.observed_at)
    for metric in metrics:
        figure = observed.get(metric.kind)
        if figure is not None:
            measurement_add(
                metric=metric,
                value=figure.value,
                measured_at=observation.observed_at,
                note=f"Current condition, observed {local:%d %b %Y}",
                by=by,
            )


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


def require_current(metric: Metric) -> None:
    if metric.is_retired:
        raise ValidationError("This metric is retired: it takes no new measurements or changes.")


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
    require_current(metric)
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
    figures: list[dict[str, Any]] | None = None,
    by: User | None,
) -> ActualCondition:
    """Record how the process operates now, as observed at ``observed_at`` (default now).

    ``figures`` (dicts of kind, name, unit, higher_is_better and value) name the process and
    outcome metric and their values now, while no target condition defines the metrics: the
    first grasp of the current condition. With a target condition active, measure its metrics.
    """
    if observed_at is not None:
        check_sensible_date(observed_at, "observed_at")
    pattern = required_text(operating_pattern, "operating_pattern", "Describe what you observed.")
    cleaned = [_figure(spec) for spec in figures or [] if spec]
    if len({f["kind"] for f in cleaned}) < len(cleaned):
        raise ValidationError("Give one process metric and one outcome metric at most.")
    if cleaned and active_target_condition(storyboard) is not None:
        raise ValidationError(
            "The target condition defines the metrics now: add their measurements instead."
        )
    observation = ActualCondition.objects.create(
        storyboard=storyboard,
        operating_pattern=pattern,
        observed_at=observed_at or timezone.now(),
        figures=cleaned,
        recorded_by=by,
    )
    log_activity(
        storyboard=storyboard,
        by=by,
        action=Activity.Action.ACTUAL_CONDITION_RECORDED,
        obj=observation,
        summary="Recorded the actual condition"
        + "".join(f"; {f.name} {f.value_label}" for f in observation.figure_list),
        after=snapshot(observation, ACTUAL_FIELDS),
    )
    return observation


def _figure(spec: dict[str, Any]) -> dict[str, Any]:
    kind = spec.get("kind")
    if kind not in Metric.Kind.values:
        raise ValidationError("A figure is of the process or the outcome metric.")
    value = clean_decimal(spec.get("value"), f"{kind}_value")
    return {
        "kind": kind,
        "name": required_text(
            spec.get("name"), f"{kind}_name", "Name the metric.", max_length=120, single_line=True
        ),
        "unit": clean_text(spec.get("unit"), f"{kind}_unit", max_length=32, single_line=True),
        "higher_is_better": bool(spec.get("higher_is_better", False)),
        # As text, so the JSON keeps the number exactly as the columns would.
        "value": f"{value.normalize():f}",
    }


def observation_kept_because(observation: ActualCondition) -> str:
    """Why this observation cannot be deleted, or "" if it can."""
    latest = (
        ActualCondition.objects.filter(storyboard_id=observation.storyboard_id)
        .values_list("pk", flat=True)
        .first()
    )
    if latest != observation.pk:
        return (
            "Only the latest observation can be deleted: the earlier ones are the board's "
            "history of the actual condition."
        )
    return ""


@board_write
def actual_condition_delete(*, observation: ActualCondition, by: User | None) -> None:
    """Take back the latest observation (a mistake, or the wrong board); earlier ones stay."""
    refuse(observation_kept_because(observation))
    local = timezone.localtime(observation.observed_at)
    log_activity(
        storyboard=observation.storyboard,
        by=by,
        action=Activity.Action.ACTUAL_CONDITION_DELETED,
        obj=observation,
        summary=f"Deleted the observation of {local:%d %b %Y}",
        before=snapshot(observation, ACTUAL_FIELDS),
    )
    observation.delete()


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
    require_current(metric)
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
        after=snapshot(measurement, MEASUREMENT_FIELDS),
    )
    return measurement


def target_condition_kept_because(target_condition: TargetCondition) -> str:
    """Why this target condition cannot be deleted, or "" if it can."""
    if not target_condition.is_active:
        return "A closed target condition is part of the board's history: it cannot be deleted."
    steps = Experiment.objects.filter(target_condition=target_condition).count()
    if steps:
        return (
            f"Target condition {target_condition.number} has {steps} PDCA "
            f"step{'s' if steps != 1 else ''}: it is part of the board's history and cannot "
            "be deleted. Close it as abandoned instead, with a word on why."
        )
    return ""


@board_write
def target_condition_delete(
    *, target_condition: TargetCondition, version: int, by: User | None
) -> None:
    """Take back a target condition set by mistake: only the active one, and only before any
    step was planned toward it. Its metrics, measurements and obstacles go with it."""
    # Lock it: a step planned meanwhile (experiment_plan locks it too) waits, then is seen.
    TargetCondition.objects.select_for_update().filter(pk=target_condition.pk).first()
    refuse(target_condition_kept_because(target_condition))
    current = TargetCondition.objects.filter(pk=target_condition.pk).first()
    if current is None or current.version != version:
        raise Conflict(current or target_condition)
    log_activity(
        storyboard=target_condition.storyboard,
        by=by,
        action=Activity.Action.TARGET_CONDITION_DELETED,
        obj=target_condition,
        summary=f"Deleted target condition {target_condition.number}",
        before=snapshot(target_condition, TARGET_FIELDS),
    )
    target_condition.delete()
