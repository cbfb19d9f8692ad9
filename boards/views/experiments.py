"""The PDCA cycles record: plan a step, edit its plan, record its result."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from boards import access, forms
from boards.http import AuthenticatedHttpRequest
from boards.models import Metric, Obstacle
from boards.services.experiments import (
    experiment_delete,
    experiment_kept_because,
    experiment_plan,
    experiment_record_result,
    experiment_update,
)
from boards.views.base import active_target, create, edit, refused, remove


@login_required
@require_http_methods(["GET", "POST"])
def experiment_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    target = active_target(sb)
    in_progress = target.experiments.filter(result_recorded_at=None).first()
    if in_progress is not None:
        return refused(
            request,
            sb,
            "record",
            f"Step #{in_progress.number} is still in progress: record what happened before "
            "planning the next step.",
            409,
        )
    working = target.obstacles.filter(status=Obstacle.Status.WORKING_ON).first()
    data = request.POST if request.method == "POST" else None
    form = forms.ExperimentPlanForm(
        data, target=target, initial={"obstacle": working, "planned_for": timezone.localdate()}
    )
    return create(
        request,
        sb=sb,
        form=form,
        template="boards/forms/experiment_new.html",
        section="record",
        save=lambda data: experiment_plan(
            target_condition=target,
            step=data["step"],
            expected=data["expected"],
            obstacle=data["obstacle"],
            planned_for=data["planned_for"],
            by=request.user,
        ),
        message="Next step planned.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def experiment_edit(request: AuthenticatedHttpRequest, pk: int, experiment_pk: int) -> HttpResponse:
    experiment = access.get_experiment_for_user(
        request.user, experiment_pk, storyboard=pk, write=True
    )
    return edit(
        request,
        sb=experiment.target_condition.storyboard,
        obj=experiment,
        form_class=forms.ExperimentEditForm,
        template="boards/forms/experiment_edit.html",
        section="record",
        form_kwargs={"target": experiment.target_condition},
        initial={
            "step": experiment.step,
            "expected": experiment.expected,
            "obstacle": experiment.obstacle,
            "planned_for": experiment.planned_for,
        },
        save=lambda data: experiment_update(
            experiment=experiment,
            version=data["version"],
            step=data["step"],
            expected=data["expected"],
            obstacle=data["obstacle"],
            planned_for=data["planned_for"],
            by=request.user,
        ),
        message=f"Step #{experiment.number} saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def experiment_result(
    request: AuthenticatedHttpRequest, pk: int, experiment_pk: int
) -> HttpResponse:
    experiment = access.get_experiment_for_user(
        request.user, experiment_pk, storyboard=pk, write=True
    )
    metrics = experiment.target_condition.metrics
    return edit(
        request,
        sb=experiment.target_condition.storyboard,
        obj=experiment,
        form_class=forms.ExperimentResultForm,
        template="boards/forms/experiment_result.html",
        section="record",
        initial={
            "happened": experiment.happened,
            "learned": experiment.learned,
            "threshold_of_knowledge": experiment.threshold_of_knowledge,
        },
        extra={"has_process_metric": metrics.current().filter(kind=Metric.Kind.PROCESS).exists()},
        save=lambda data: experiment_record_result(
            experiment=experiment,
            version=data["version"],
            happened=data["happened"],
            learned=data["learned"],
            threshold_of_knowledge=data["threshold_of_knowledge"],
            measurement_value=data.get("measurement_value"),
            measured_at=data.get("measured_at"),
            by=request.user,
        ),
        message=f"Result of step #{experiment.number} recorded.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def experiment_remove(
    request: AuthenticatedHttpRequest, pk: int, experiment_pk: int
) -> HttpResponse:
    """Delete a step planned by mistake, while its result is not recorded."""
    experiment = access.get_experiment_for_user(
        request.user, experiment_pk, storyboard=pk, write=True
    )
    target = experiment.target_condition
    return remove(
        request,
        sb=target.storyboard,
        obj=experiment,
        template="boards/forms/experiment_delete.html",
        section="record",
        refusal=experiment_kept_because(experiment),
        save=lambda data: experiment_delete(
            experiment=experiment, version=data["version"], by=request.user
        ),
        message=f"Step #{experiment.number} deleted.",
    )
