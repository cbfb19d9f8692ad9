"""The target condition and its metrics; the actual condition and measurements."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from boards import access, forms
from boards.http import AuthenticatedHttpRequest
from boards.models import ActualCondition, Measurement, Metric, Storyboard, TargetCondition
from boards.selectors import active_target_condition, latest_figures
from boards.services.targets import (
    actual_condition_delete,
    actual_condition_record,
    measurement_add,
    metric_update,
    observation_kept_because,
    target_condition_close,
    target_condition_delete,
    target_condition_kept_because,
    target_condition_start,
    target_condition_update,
)
from boards.views.base import active_target, create, edit, refused, remove


def _previous_metrics(sb: Storyboard) -> dict[str, Any]:
    """Start the next target condition from the metrics of the last one."""
    initial: dict[str, Any] = {}
    for metric in (
        Metric.objects.filter(target_condition__storyboard=sb)
        .current()
        .order_by("-target_condition__number")[:2]
    ):
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


def _from_the_current_condition(sb: Storyboard) -> tuple[dict[str, Any], dict[str, str]]:
    """The next target condition's metrics as the current condition names them, if it was
    observed since the last one was set, else as the last one had them; and their values now."""
    initial = _previous_metrics(sb)
    now: dict[str, str] = {}
    observation = latest_figures(sb)
    if observation is None:
        return initial, now
    observed = timezone.localtime(observation.observed_at)
    for figure in observation.figure_list:
        prefix = figure.kind
        if initial.get(f"{prefix}_name") != figure.name:
            initial.pop(f"{prefix}_target", None)  # the last target was of another metric
        initial.update(
            {
                f"{prefix}_name": figure.name,
                f"{prefix}_unit": figure.unit,
                f"{prefix}_higher": "1" if figure.higher_is_better else "0",
            }
        )
        now[prefix] = f"Now {figure.value_label} (observed {observed.day} {observed:%b})."
    return initial, now


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
    initial, now = _from_the_current_condition(sb)
    form = forms.NewTargetConditionForm(data, initial=initial)
    for kind, text in now.items():
        form.fields[f"{kind}_target"].help_text = text
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
        extra={"first": not sb.target_conditions.exists()},
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
    """An observation of the process now. While no target condition defines the metrics (the
    first grasp of the current condition), it names them too, with their values now."""
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    data = request.POST if request.method == "POST" else None
    grasp = active_target_condition(sb) is None
    form: forms.ActualConditionForm
    if grasp:
        form = forms.CurrentConditionForm(data, initial=_previous_metrics(sb))
    else:
        form = forms.ActualConditionForm(data)

    def save(data: dict[str, Any]) -> ActualCondition:
        figures = form.figures() if isinstance(form, forms.CurrentConditionForm) else None
        return actual_condition_record(
            storyboard=sb,
            operating_pattern=data["operating_pattern"],
            figures=figures,
            by=request.user,
        )

    return create(
        request,
        sb=sb,
        form=form,
        template="boards/forms/actual_new.html",
        section="actual",
        save=save,
        message="Current condition recorded." if grasp else "Actual condition recorded.",
        extra={"grasp": grasp},
    )


@login_required
@require_http_methods(["GET", "POST"])
def actual_delete(request: AuthenticatedHttpRequest, pk: int, actual_pk: int) -> HttpResponse:
    observation = access.get_actual_condition_for_user(
        request.user, actual_pk, storyboard=pk, write=True
    )
    sb = observation.storyboard
    return remove(
        request,
        sb=sb,
        obj=observation,
        template="boards/forms/actual_delete.html",
        section="actual",
        versioned=False,
        refusal=observation_kept_because(observation),
        save=lambda data: actual_condition_delete(observation=observation, by=request.user),
        message="Observation deleted.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_delete(request: AuthenticatedHttpRequest, pk: int, target_pk: int) -> HttpResponse:
    target = access.get_target_condition_for_user(
        request.user, target_pk, storyboard=pk, write=True
    )
    sb = target.storyboard
    return remove(
        request,
        sb=sb,
        obj=target,
        template="boards/forms/target_delete.html",
        section="target",
        refusal=target_condition_kept_because(target),
        extra={
            "obstacle_count": target.obstacles.count(),
            "measurement_count": Measurement.objects.filter(
                metric__target_condition=target
            ).count(),
        },
        save=lambda data: target_condition_delete(
            target_condition=target, version=data["version"], by=request.user
        ),
        message=f"Target condition {target.number} deleted.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def measurement_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    target = active_target(sb)
    data = request.POST if request.method == "POST" else None
    metrics = target.metrics.current()
    asked = request.GET.get("metric", "")
    metric = metrics.filter(pk=asked).first() if asked.isdigit() else None
    metric = metric or metrics.filter(kind=Metric.Kind.PROCESS).first()
    form = forms.MeasurementForm(data, target=target, initial={"metric": metric})
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
