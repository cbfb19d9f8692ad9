"""The PDCA cycles record: a step planned with its expectation, then what happened, learned."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from boards.models import Activity, Experiment, Obstacle, TargetCondition, User
from boards.selectors import process_metric
from boards.services.base import (
    CLOSED,
    Conflict,
    board_write,
    change_logged,
    clean_decimal,
    log_activity,
    refuse,
    require_active,
    require_no_step_in_progress,
    required_text,
    snapshot,
)
from boards.services.targets import measurement_add
from boards.validators import check_sensible_date

EXPERIMENT_FIELDS = [
    "step",
    "expected",
    "obstacle",
    "planned_for",
    "happened",
    "learned",
    "threshold_of_knowledge",
]


@board_write
def experiment_plan(
    *,
    target_condition: TargetCondition,
    step: str,
    expected: str,
    obstacle: Obstacle | None = None,
    planned_for: date | None = None,
    by: User | None,
) -> Experiment:
    """Plan the next step. What we expect is written before the step exists."""
    require_active(target_condition)
    if planned_for is not None:
        check_sensible_date(planned_for, "planned_for")
    step = required_text(step, "step", "Describe the next step.")
    expected = required_text(expected, "expected", "Write what you expect before taking the step.")
    if obstacle is not None and obstacle.target_condition_id != target_condition.pk:
        raise ValidationError({"obstacle": "That obstacle belongs to another target condition."})
    # Lock the target condition so two people planning at once get consecutive numbers.
    TargetCondition.objects.select_for_update().filter(pk=target_condition.pk).first()
    require_no_step_in_progress(target_condition, before="planning the next step")
    number = (target_condition.experiments.aggregate(n=Max("number"))["n"] or 0) + 1
    experiment = Experiment.objects.create(
        target_condition=target_condition,
        number=number,
        obstacle=obstacle,
        step=step,
        expected=expected,
        planned_for=planned_for or timezone.localdate(),
        created_by=by,
    )
    log_activity(
        storyboard=target_condition.storyboard,
        by=by,
        action=Activity.Action.EXPERIMENT_PLANNED,
        obj=experiment,
        summary=f"Planned step #{number}: {step}",
        after=snapshot(experiment, EXPERIMENT_FIELDS),
    )
    return experiment


@board_write
def experiment_update(
    *,
    experiment: Experiment,
    version: int,
    step: str,
    expected: str,
    obstacle: Obstacle | None,
    planned_for: date | None,
    by: User | None,
) -> Experiment:
    """Correct the plan of a step. Once its result is in, the prediction stays as written."""
    require_active(experiment.target_condition)
    if planned_for is not None:
        check_sensible_date(planned_for, "planned_for")
    if not experiment.in_progress and expected.strip() != experiment.expected:
        raise ValidationError(
            {"expected": "The result is recorded: what we expected can no longer change."}
        )
    if obstacle is not None and obstacle.target_condition_id != experiment.target_condition_id:
        raise ValidationError({"obstacle": "That obstacle belongs to another target condition."})
    change_logged(
        experiment,
        version=version,
        changes={
            "step": required_text(step, "step", "Describe the step."),
            "expected": required_text(expected, "expected", "Write what you expect."),
            "obstacle": obstacle,
            "planned_for": planned_for or experiment.planned_for,
        },
        fields=EXPERIMENT_FIELDS,
        storyboard=experiment.target_condition.storyboard,
        by=by,
        action=Activity.Action.EXPERIMENT_UPDATED,
        summary=f"Changed step #{experiment.number}",
    )
    return experiment


@board_write
def experiment_record_result(
    *,
    experiment: Experiment,
    version: int,
    happened: str,
    learned: str,
    threshold_of_knowledge: bool = False,
    measurement_value: Any = None,
    measured_at: datetime | None = None,
    by: User | None,
) -> Experiment:
    """Record what happened and what we learned, and optionally the measurement it produced."""
    require_active(experiment.target_condition)
    happened = required_text(happened, "happened", "Write what actually happened.")
    learned = required_text(learned, "learned", "Write what you learned.")
    if measured_at is not None:
        check_sensible_date(measured_at, "measured_at")
    metric = None
    if measurement_value not in (None, ""):
        # Check the measurement before touching the experiment, so a refusal changes nothing.
        metric = process_metric(experiment.target_condition)
        if metric is None:
            raise ValidationError(
                {"measurement_value": "This target condition has no process metric to measure."}
            )
        measurement_value = clean_decimal(measurement_value, "measurement_value")
    change_logged(
        experiment,
        version=version,
        changes={
            "happened": happened,
            "learned": learned,
            "threshold_of_knowledge": threshold_of_knowledge,
            "result_recorded_at": experiment.result_recorded_at or timezone.now(),
        },
        fields=EXPERIMENT_FIELDS,
        storyboard=experiment.target_condition.storyboard,
        by=by,
        action=Activity.Action.EXPERIMENT_RESULT_RECORDED,
        summary=f"Recorded the result of step #{experiment.number}",
    )
    if metric is not None:
        measurement_add(
            metric=metric,
            value=measurement_value,
            measured_at=measured_at,
            experiment=experiment,
            note=f"From step #{experiment.number}",
            by=by,
        )
    return experiment


def experiment_kept_because(experiment: Experiment) -> str:
    """Why this step cannot be deleted, or "" if it can."""
    if not experiment.target_condition.is_active:
        return CLOSED
    if experiment.in_progress:
        return ""
    return (
        f"Step #{experiment.number} has its result recorded: it is part of the PDCA record and "
        "cannot be deleted. Correct its wording instead."
    )


@board_write
def experiment_delete(*, experiment: Experiment, version: int, by: User | None) -> None:
    """Take back a step planned by mistake, before its result is recorded. A step with its
    result is part of the PDCA record: what was expected and what happened stay."""
    require_active(experiment.target_condition)
    TargetCondition.objects.select_for_update().filter(pk=experiment.target_condition_id).first()
    current = Experiment.objects.filter(pk=experiment.pk).first()
    if current is not None:
        refuse(experiment_kept_because(current))
    if current is None or current.version != version:
        raise Conflict(current or experiment)
    log_activity(
        storyboard=experiment.target_condition.storyboard,
        by=by,
        action=Activity.Action.EXPERIMENT_DELETED,
        obj=experiment,
        summary=f"Deleted step #{experiment.number}: {experiment.step}",
        before=snapshot(current, EXPERIMENT_FIELDS),
    )
    experiment.delete()
