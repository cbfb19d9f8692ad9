"""The target condition and its metrics; the actual condition and measurements."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_http_methods

from boards import access, forms
from boards.http import AuthenticatedHttpRequest
from boards.models import Metric, Storyboard, TargetCondition
from boards.selectors import active_target_condition
from boards.services.targets import (
    actual_condition_record,
    measurement_add,
    metric_update,
    target_condition_close,
    target_condition_start,
    target_condition_update,
)
from boards.views.base import active_target, create, edit, refused


def _previous_metrics(sb: Storyboard) -> dict[str, Any]:
    """Start the next target condition from the metrics of the last one."""
    initial: dict[str, Any] = {}
    for metric in Metric.objects.filter(target_condition__storyboard=sb).order_by(
        "-target_condition__number"
    )[:2]:
        prefix = metric.kind
        if f"{prefix}_name" in initial:
            continue
        initial.update(
            {
                f"{prefix}_name": metric.name,
                f"{prefix}_unit": metric.unit,
                f"{prefix}_target": metric.target_value.normalize(),
                f"{prefix}_higher": "1" if metric.higher_is_better else "0",
            }
        )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def target_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    if active_target_condition(sb) is not None:
        return refused(
            request,
            sb,
            "target",
            "This storyboard already has an active target condition: close it first.",
            409,
        )
    data = request.POST if request.method == "POST" else None
    form = forms.NewTargetConditionForm(data, initial=_previous_metrics(sb))
    return create(
        request,
        sb=sb,
        form=form,
        template="boards/forms/target_new.html",
        section="target",
        save=lambda data: target_condition_start(
            storyboard=sb,
            operating_pattern=data["operating_pattern"],
            achieve_by=data["achieve_by"],
            process_metric=form.metric("process"),
            outcome_metric=form.metric("outcome"),
            by=request.user,
        ),
        message="Target condition set.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: AuthenticatedHttpRequest, pk: int, target_pk: int) -> HttpResponse:
    target = access.get_target_condition_for_user(
        request.user, target_pk, storyboard=pk, write=True
    )
    sb = target.storyboard
    if not target.is_active:
        return refused(request, sb, "target", "A closed target condition stays as it was.", 409)
    return edit(
        request,
        sb=sb,
        obj=target,
        form_class=forms.TargetConditionEditForm,
        template="boards/forms/target_edit.html",
        section="target",
        initial={"operating_pattern": target.operating_pattern, "achieve_by": target.achieve_by},
        save=lambda data: target_condition_update(
            target_condition=target,
            version=data["version"],
            operating_pattern=data["operating_pattern"],
            achieve_by=data["achieve_by"],
            by=request.user,
        ),
        message="Target condition saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_close(request: AuthenticatedHttpRequest, pk: int, target_pk: int) -> HttpResponse:
    target = access.get_target_condition_for_user(
        request.user, target_pk, storyboard=pk, write=True
    )
    sb = target.storyboard
    if not target.is_active:
        return refused(request, sb, "target", "This target condition is already closed.", 409)
    return edit(
        request,
        sb=sb,
        obj=target,
        form_class=forms.CloseTargetConditionForm,
        template="boards/forms/target_close.html",
        section="target",
        initial={"status": TargetCondition.Status.ACHIEVED},
        save=lambda data: target_condition_close(
            target_condition=target,
            version=data["version"],
            status=data["status"],
            reflection=data["reflection"],
            by=request.user,
        ),
        message="Target condition closed. Set the next one when you are ready.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def metric_edit(request: AuthenticatedHttpRequest, pk: int, metric_pk: int) -> HttpResponse:
    metric = access.get_metric_for_user(request.user, metric_pk, storyboard=pk, write=True)
    return edit(
        request,
        sb=metric.target_condition.storyboard,
        obj=metric,
        form_class=forms.MetricEditForm,
        template="boards/forms/metric_edit.html",
        section="target",
        initial={
            "name": metric.name,
            "unit": metric.unit,
            "target_value": metric.target_value.normalize(),
            "higher_is_better": "1" if metric.higher_is_better else "0",
        },
        save=lambda data: metric_update(
            metric=metric,
            version=data["version"],
            name=data["name"],
            unit=data["unit"],
            target_value=data["target_value"],
            higher_is_better=data["higher_is_better"],
            by=request.user,
        ),
        message="Metric saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def actual_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    data = request.POST if request.method == "POST" else None
    return create(
        request,
        sb=sb,
        form=forms.ActualConditionForm(data),
        template="boards/forms/actual_new.html",
        section="actual",
        save=lambda data: actual_condition_record(
            storyboard=sb, operating_pattern=data["operating_pattern"], by=request.user
        ),
        message="Actual condition recorded.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def measurement_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    target = active_target(sb)
    data = request.POST if request.method == "POST" else None
    process = target.metrics.filter(kind=Metric.Kind.PROCESS).first()
    form = forms.MeasurementForm(data, target=target, initial={"metric": process})
    return create(
        request,
        sb=sb,
        form=form,
        template="boards/forms/measurement_new.html",
        section="actual",
        save=lambda data: measurement_add(
            metric=data["metric"],
            value=data["value"],
            measured_at=data.get("measured_at"),
            note=data.get("note", ""),
            by=request.user,
        ),
        message="Measurement added.",
    )
