"""A target condition's metrics added and retired; measurements taken back."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_http_methods

from boards import access, forms
from boards.http import AuthenticatedHttpRequest
from boards.models import Metric
from boards.services import metrics as services
from boards.views.base import active_target, create, refused, remove


@login_required
@require_http_methods(["GET", "POST"])
def metric_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Give the active target condition the process or outcome metric it lacks
    (``?kind=outcome`` picks which, when it lacks both)."""
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    target = active_target(sb)
    have = set(target.metrics.current().values_list("kind", flat=True))
    kinds = [(kind, label) for kind, label in Metric.Kind.choices if kind not in have]
    if not kinds:
        return refused(
            request,
            sb,
            "target",
            "This target condition has its process and its outcome metric: retire one to "
            "measure something else.",
            409,
        )
    asked = request.GET.get("kind")
    kind = asked if asked in dict(kinds) else kinds[0][0]
    initial = {"kind": kind, "higher_is_better": "1" if kind == Metric.Kind.OUTCOME else "0"}
    data = request.POST if request.method == "POST" else None
    return create(
        request,
        sb=sb,
        form=forms.MetricForm(data, kinds=kinds, initial=initial),
        template="boards/forms/metric_new.html",
        section="target",
        save=lambda data: services.metric_add(
            target_condition=target,
            kind=data["kind"],
            name=data["name"],
            unit=data["unit"],
            target_value=data["target_value"],
            higher_is_better=data["higher_is_better"],
            by=request.user,
        ),
        message="Metric added: its run chart is on the board.",
        extra={
            "title": f"Add the {Metric.Kind(kind).label.lower()}"
            if len(kinds) == 1
            else "Add a metric"
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def metric_retire(request: AuthenticatedHttpRequest, pk: int, metric_pk: int) -> HttpResponse:
    metric = access.get_metric_for_user(request.user, metric_pk, storyboard=pk, write=True)
    target = metric.target_condition
    sb = target.storyboard
    return remove(
        request,
        sb=sb,
        obj=metric,
        template="boards/forms/metric_retire.html",
        section="target",
        refusal=services.metric_kept_because(metric),
        extra={"measurement_count": metric.measurements.count(), "target": target},
        save=lambda data: services.metric_retire(
            metric=metric, version=data["version"], by=request.user
        ),
        message=f"{metric.name} retired: its run chart stays on the target condition's page.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def measurement_delete(
    request: AuthenticatedHttpRequest, pk: int, measurement_pk: int
) -> HttpResponse:
    measurement = access.get_measurement_for_user(
        request.user, measurement_pk, storyboard=pk, write=True
    )
    sb = measurement.metric.target_condition.storyboard
    return remove(
        request,
        sb=sb,
        obj=measurement,
        template="boards/forms/measurement_delete.html",
        section="chart",
        versioned=False,
        refusal=services.measurement_kept_because(measurement),
        save=lambda data: services.measurement_delete(measurement=measurement, by=request.user),
        message="Measurement deleted.",
    )
