"""The storyboard: one page, each section editable in place with htmx.

Every write view answers an htmx request with the updated section (retargeted onto it) and a
``kata:saved`` event naming the other sections to refresh; a plain form post redirects back to
the board, so nothing needs JavaScript. Invalid input returns the form with its errors (422);
a stale version returns the form with both versions side by side (409).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from boards import access, forms
from boards.board import SECTIONS, Board
from boards.forms import add_service_errors
from boards.http import HtmxHttpRequest
from boards.models import (
    EDITING_ROLES,
    Activity,
    Experiment,
    Membership,
    Metric,
    Obstacle,
    Storyboard,
    TargetCondition,
)
from boards.sections import render_sections
from boards.services.base import Conflict
from boards.services.experiments import experiment_plan, experiment_record_result, experiment_update
from boards.services.obstacles import (
    obstacle_add,
    obstacle_clear,
    obstacle_move,
    obstacle_park,
    obstacle_update,
    obstacle_work_on,
)
from boards.services.targets import (
    actual_condition_record,
    measurement_add,
    metric_update,
    target_condition_close,
    target_condition_start,
    target_condition_update,
)

# The print (A3) page is the storyboard alone, without its history and activity log.
PRINT_LEAVES_OUT = {"history", "activity"}

# Which sections change when a kind of object changes (besides the one the form lives in).
AFFECTED = {
    "target": ["target", "chart", "obstacles", "record", "step", "history", "actual"],
    "metric": ["target", "actual", "chart"],
    "actual": ["actual"],
    "measurement": ["actual", "chart"],
    "obstacle": ["obstacles", "record", "step"],
    "experiment": ["record", "step", "chart", "actual"],
}


@login_required
@require_GET
def team(request: HtmxHttpRequest, slug: str):
    team = access.get_team_for_user(request.user, slug)
    storyboards = (
        Storyboard.objects.filter(team=team)
        .select_related("challenge", "learner", "coach")
        .prefetch_related(
            Prefetch(
                "target_conditions",
                queryset=TargetCondition.objects.filter(status="active"),
                to_attr="active_targets",
            )
        )
        .annotate(experiment_count=Count("target_conditions__experiments"))
    )
    members = Membership.objects.filter(team=team).select_related("user").order_by("role")
    context = {
        "team": team,
        "challenges": team.challenges.annotate(
            storyboard_count=Count("storyboards", filter=Q(storyboards__is_active=True))
        ),
        "storyboards": storyboards,
        "members": members,
        "role": access.role_in(request.user, team.pk),
    }
    return render(request, "boards/team.html", context)


# Reading the board -----------------------------------------------------------------------------


def _can_edit(request: HtmxHttpRequest, storyboard: Storyboard) -> bool:
    return access.role_in(request.user, storyboard.team_id) in EDITING_ROLES


def _board(request: HtmxHttpRequest, storyboard: Storyboard, **kwargs) -> Board:
    return Board(storyboard, can_edit=_can_edit(request, storyboard), **kwargs)


def _render_section(request: HtmxHttpRequest, board: Board, section: str, *, status: int = 200):
    return HttpResponse(render_sections(request, board, [section])[section], status=status)


@login_required
@require_GET
def storyboard(request: HtmxHttpRequest, pk: int):
    """The board; with ``?section=name`` from htmx, only that section."""
    sb = access.get_storyboard_for_user(request.user, pk)
    mode = request.GET.get("mode", "")
    if mode not in ("", "wall", "print"):
        mode = ""
    board = _board(request, sb, mode=mode)
    section = request.GET.get("section")
    if request.htmx and section:
        if section not in SECTIONS:
            raise Http404("No such section.")
        return _render_section(request, board, section)
    names = SECTIONS if mode != "print" else [s for s in SECTIONS if s not in PRINT_LEAVES_OUT]
    context = {"board": board, "sb": sb, "sections": render_sections(request, board, names)}
    return render(request, "boards/storyboard.html", context)


@login_required
@require_GET
def poll(request: HtmxHttpRequest, pk: int):
    """Live updates: 204 when the board has not changed since ``since``, else what changed.

    The unchanged case costs one query beyond the session, so a hundred open boards polling
    every few seconds stay cheap.
    """
    # Seen and visible in one query: the board's revision, if the user is in its team.
    member = Membership.objects.filter(team_id=OuterRef("team_id"), user=request.user)
    revision = next(
        iter(
            Storyboard.objects.filter(Exists(member), pk=pk)
            .order_by()
            .values_list("revision", flat=True)[:1]
        ),
        None,
    )
    if revision is None:
        raise Http404("No such storyboard.")
    try:
        since = int(request.GET.get("since", ""))
    except ValueError:
        since = revision
    if since >= revision:
        return HttpResponse(status=204)
    changes = [
        {
            "revision": a.revision,
            "sections": a.sections,
            "element": f"{a.object_type}-{a.object_id}",
            "summary": f"{a.actor.display_name if a.actor else 'Kata'}: {a.summary}",
        }
        for a in Activity.objects.filter(storyboard_id=pk, revision__gt=since)
        .select_related("actor")
        .order_by("revision")[:50]
    ]
    response = render(
        request, "boards/_poller.html", {"sb_pk": pk, "revision": revision, "oob": True}
    )
    return trigger_client_event(
        response, "kata:changed", {"revision": revision, "changes": changes}
    )


@login_required
@require_GET
def activity(request: HtmxHttpRequest, pk: int):
    sb = access.get_storyboard_for_user(request.user, pk)
    page = Paginator(Activity.objects.filter(storyboard=sb).select_related("actor"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "boards/activity.html", {"sb": sb, "page": page})


@login_required
@require_GET
def target_history(request: HtmxHttpRequest, pk: int, target_pk: int):
    """A past target condition with its PDCA record, obstacles and run chart, read only."""
    sb = access.get_storyboard_for_user(request.user, pk)
    target = TargetCondition.objects.filter(pk=target_pk, storyboard=sb).first()
    if target is None:
        raise Http404("No such target condition.")
    board = _board(request, sb, target=target)
    return render(request, "boards/target_history.html", {"board": board, "sb": sb})


# Writing: shared plumbing ----------------------------------------------------------------------


def _saved(
    request: HtmxHttpRequest,
    sb: Storyboard,
    section: str,
    kind: str,
    message: str,
    *,
    focus: str = "",
):
    """Answer a successful write: the fresh section for htmx, a redirect for a plain post."""
    if not request.htmx:
        messages.success(request, message)
        return redirect(f"{sb.get_absolute_url()}#{section}")
    sb.refresh_from_db(fields=["revision", "cache_version"])
    board = _board(request, sb)
    response = _render_section(request, board, section)
    response = retarget(response, f"#{section}")
    response = reswap(response, "outerHTML")
    others = [s for s in AFFECTED[kind] if s != section] + ["activity", "history"]
    return trigger_client_event(
        response,
        "kata:saved",
        {
            "revision": sb.revision,
            "sections": sorted(set(others)),
            "focus": focus,
            "message": message,
        },
    )


def _form(
    request: HtmxHttpRequest,
    sb: Storyboard,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
):
    """A form: alone for htmx (swapped in place), inside a page of its own without JS."""
    context = {"sb": sb, "board_url": sb.get_absolute_url(), **context}
    if request.htmx:
        return render(request, template, context, status=status)
    return render(
        request, "boards/form_page.html", {**context, "form_template": template}, status=status
    )


def _conflict_rows(form, current, fields: list[str]) -> list[tuple[str, Any, Any]]:
    rows = []
    for name in fields:
        if not hasattr(current, name):
            continue  # a form-only field, such as the measurement a result can add
        field = form.fields[name]
        theirs = getattr(current, name)
        mine = form.cleaned_data.get(name, form.data.get(name))
        if isinstance(field, djforms.BooleanField | djforms.TypedChoiceField):
            theirs, mine = _yes_no(theirs), _yes_no(mine)
        if theirs != mine:
            rows.append((field.label or name.replace("_", " ").capitalize(), theirs, mine))
    return rows


def _yes_no(value) -> str:
    return "yes" if value in (True, "on", "1", 1) else "no"


def _last_editor(current) -> str:
    activity = (
        Activity.objects.filter(object_type=current._meta.model_name, object_id=current.pk)
        .select_related("actor")
        .order_by("-revision")
        .first()
    )
    return activity.actor.display_name if activity and activity.actor else "Someone else"


def _edit(
    request: HtmxHttpRequest,
    *,
    sb: Storyboard,
    obj,
    form_class,
    template: str,
    section: str,
    kind: str,
    save: Callable[[dict], Any],
    message: str,
    initial: dict,
    form_kwargs: dict | None = None,
    extra: dict | None = None,
):
    """GET shows the edit form; POST saves it, refusing a stale version with both versions."""
    form_kwargs = form_kwargs or {}
    focus = f"{obj._meta.model_name}-{obj.pk}"
    context = {"obj": obj, "focus": focus, **(extra or {})}
    if request.method == "GET":
        form = form_class(initial={**initial, "version": obj.version}, **form_kwargs)
        return _form(request, sb, template, {**context, "form": form})
    form = form_class(request.POST, **form_kwargs)
    if not form.is_valid():
        return _form(request, sb, template, {**context, "form": form}, status=422)
    try:
        save(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return _form(request, sb, template, {**context, "form": form}, status=422)
    except Conflict as conflict:
        current = conflict.current
        fields = [name for name in form.fields if name != "version"]
        data = form.data.copy()
        data["version"] = current.version
        retry = form_class(data, **form_kwargs)
        retry.is_valid()
        return _form(
            request,
            sb,
            template,
            {
                **context,
                "form": retry,
                "conflict": {
                    "who": _last_editor(current),
                    "rows": _conflict_rows(form, current, fields),
                },
            },
            status=409,
        )
    return _saved(request, sb, section, kind, message, focus=focus)


def _create(
    request: HtmxHttpRequest,
    *,
    sb: Storyboard,
    form: Any,
    template: str,
    section: str,
    kind: str,
    save: Callable[[dict], Any],
    message: str,
    extra: dict | None = None,
):
    context = {"form": form, **(extra or {})}
    if request.method == "GET":
        return _form(request, sb, template, context)
    if not form.is_valid():
        return _form(request, sb, template, context, status=422)
    try:
        obj = save(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return _form(request, sb, template, context, status=422)
    focus = f"{obj._meta.model_name}-{obj.pk}" if obj is not None else ""
    return _saved(request, sb, section, kind, message, focus=focus)


def _refused(request: HtmxHttpRequest, sb: Storyboard, section: str, message: str, status: int):
    """An action that could not be done: the section as it stands now, with why."""
    if not request.htmx:
        messages.error(request, message)
        return redirect(f"{sb.get_absolute_url()}#{section}")
    board = _board(request, sb)
    board.notice = message
    response = _render_section(request, board, section, status=status)
    return reswap(retarget(response, f"#{section}"), "outerHTML")


def _active_target(sb: Storyboard) -> TargetCondition:
    target = TargetCondition.objects.filter(storyboard=sb, status="active").first()
    if target is None:
        raise Http404("This storyboard has no active target condition.")
    return target


def _on_board(model, sb: Storyboard, pk: int, path: str):
    obj = model.objects.filter(pk=pk, **{path: sb}).first()
    if obj is None:
        raise Http404("Not on this storyboard.")
    return obj


# Target condition and metrics ------------------------------------------------------------------


def _previous_metrics(sb: Storyboard) -> dict:
    """Start the next target condition from the metrics of the last one."""
    initial = {}
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
def target_new(request: HtmxHttpRequest, pk: int):
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    if TargetCondition.objects.filter(storyboard=sb, status="active").exists():
        return _refused(
            request,
            sb,
            "target",
            "This storyboard already has an active target condition: close it first.",
            409,
        )
    data = request.POST if request.method == "POST" else None
    form = forms.NewTargetConditionForm(data, initial=_previous_metrics(sb))

    def save(data):
        return target_condition_start(
            storyboard=sb,
            operating_pattern=data["operating_pattern"],
            achieve_by=data["achieve_by"],
            process_metric=form.metric("process"),
            outcome_metric=form.metric("outcome"),
            by=request.user,
        )

    return _create(
        request,
        sb=sb,
        form=form,
        template="boards/forms/target_new.html",
        section="target",
        kind="target",
        save=save,
        message="Target condition set.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: HtmxHttpRequest, pk: int, target_pk: int):
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    target = _on_board(TargetCondition, sb, target_pk, "storyboard")
    if not target.is_active:
        return _refused(request, sb, "target", "A closed target condition stays as it was.", 409)
    return _edit(
        request,
        sb=sb,
        obj=target,
        form_class=forms.TargetConditionEditForm,
        template="boards/forms/target_edit.html",
        section="target",
        kind="target",
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
def target_close(request: HtmxHttpRequest, pk: int, target_pk: int):
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    target = _on_board(TargetCondition, sb, target_pk, "storyboard")
    if not target.is_active:
        return _refused(request, sb, "target", "This target condition is already closed.", 409)
    return _edit(
        request,
        sb=sb,
        obj=target,
        form_class=forms.CloseTargetConditionForm,
        template="boards/forms/target_close.html",
        section="target",
        kind="target",
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
def metric_edit(request: HtmxHttpRequest, pk: int, metric_pk: int):
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    metric = _on_board(Metric, sb, metric_pk, "target_condition__storyboard")
    return _edit(
        request,
        sb=sb,
        obj=metric,
        form_class=forms.MetricEditForm,
        template="boards/forms/metric_edit.html",
        section="target",
        kind="metric",
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


# Actual condition and measurements -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def actual_new(request: HtmxHttpRequest, pk: int):
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    data = request.POST if request.method == "POST" else None
    return _create(
        request,
        sb=sb,
        form=forms.ActualConditionForm(data),
        template="boards/forms/actual_new.html",
        section="actual",
        kind="actual",
        save=lambda data: actual_condition_record(
            storyboard=sb, operating_pattern=data["operating_pattern"], by=request.user
        ),
        message="Actual condition recorded.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def measurement_new(request: HtmxHttpRequest, pk: int):
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    target = _active_target(sb)
    data = request.POST if request.method == "POST" else None
    process = target.metrics.filter(kind=Metric.Kind.PROCESS).first()
    form = forms.MeasurementForm(data, target=target, initial={"metric": process})
    return _create(
        request,
        sb=sb,
        form=form,
        template="boards/forms/measurement_new.html",
        section="actual",
        kind="measurement",
        save=lambda data: measurement_add(
            metric=data["metric"],
            value=data["value"],
            measured_at=data.get("measured_at"),
            note=data.get("note", ""),
            by=request.user,
        ),
        message="Measurement added.",
    )


# Obstacles -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def obstacle_new(request: HtmxHttpRequest, pk: int):
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    target = _active_target(sb)
    data = request.POST if request.method == "POST" else None
    return _create(
        request,
        sb=sb,
        form=forms.ObstacleForm(data),
        template="boards/forms/obstacle_new.html",
        section="obstacles",
        kind="obstacle",
        save=lambda data: obstacle_add(
            target_condition=target, description=data["description"], by=request.user
        ),
        message="Obstacle added to the parking lot.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def obstacle_edit(request: HtmxHttpRequest, pk: int, obstacle_pk: int):
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    obstacle = _on_board(Obstacle, sb, obstacle_pk, "target_condition__storyboard")
    return _edit(
        request,
        sb=sb,
        obj=obstacle,
        form_class=forms.ObstacleEditForm,
        template="boards/forms/obstacle_edit.html",
        section="obstacles",
        kind="obstacle",
        initial={"description": obstacle.description},
        save=lambda data: obstacle_update(
            obstacle=obstacle,
            version=data["version"],
            description=data["description"],
            by=request.user,
        ),
        message="Obstacle saved.",
    )


OBSTACLE_ACTIONS = {
    "work-on": (obstacle_work_on, "Now working on this obstacle."),
    "clear": (obstacle_clear, "Obstacle cleared."),
    "park": (obstacle_park, "Obstacle back in the parking lot."),
}


@login_required
@require_POST
def obstacle_action(request: HtmxHttpRequest, pk: int, obstacle_pk: int, action: str):
    """Work on, clear or park an obstacle; move it up or down the parking lot."""
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    obstacle = _on_board(Obstacle, sb, obstacle_pk, "target_condition__storyboard")
    try:
        if action in ("up", "down"):
            obstacle_move(obstacle=obstacle, offset=-1 if action == "up" else 1, by=request.user)
            message = "Obstacle moved."
        elif action in OBSTACLE_ACTIONS:
            service, message = OBSTACLE_ACTIONS[action]
            version = int(request.POST.get("version", obstacle.version))
            service(obstacle=obstacle, version=version, by=request.user)
        else:
            raise Http404("No such action.")
    except ValueError:
        return _refused(request, sb, "obstacles", "That request was malformed.", 400)
    except ValidationError as error:
        return _refused(request, sb, "obstacles", " ".join(error.messages), 422)
    except Conflict:
        return _refused(
            request,
            sb,
            "obstacles",
            f"{_last_editor(obstacle)} changed this obstacle a moment ago: here is the parking "
            "lot as it is now. Nothing was changed.",
            409,
        )
    return _saved(request, sb, "obstacles", "obstacle", message, focus=f"obstacle-{obstacle.pk}")


# Experiments (the PDCA cycles record) ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def experiment_new(request: HtmxHttpRequest, pk: int):
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    target = _active_target(sb)
    in_progress = target.experiments.filter(result_recorded_at=None).first()
    if in_progress is not None:
        return _refused(
            request,
            sb,
            "record",
            f"Step #{in_progress.number} is still in progress: record what happened before "
            "planning the next step.",
            409,
        )
    working = target.obstacles.filter(status="working").first()
    data = request.POST if request.method == "POST" else None
    form = forms.ExperimentPlanForm(
        data, target=target, initial={"obstacle": working, "planned_for": timezone.localdate()}
    )
    return _create(
        request,
        sb=sb,
        form=form,
        template="boards/forms/experiment_new.html",
        section="record",
        kind="experiment",
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
def experiment_edit(request: HtmxHttpRequest, pk: int, experiment_pk: int):
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    experiment = _on_board(Experiment, sb, experiment_pk, "target_condition__storyboard")
    return _edit(
        request,
        sb=sb,
        obj=experiment,
        form_class=forms.ExperimentEditForm,
        template="boards/forms/experiment_edit.html",
        section="record",
        kind="experiment",
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
def experiment_result(request: HtmxHttpRequest, pk: int, experiment_pk: int):
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    experiment = _on_board(Experiment, sb, experiment_pk, "target_condition__storyboard")
    has_process_metric = experiment.target_condition.metrics.filter(kind="process").exists()
    return _edit(
        request,
        sb=sb,
        obj=experiment,
        form_class=forms.ExperimentResultForm,
        template="boards/forms/experiment_result.html",
        section="record",
        kind="experiment",
        initial={
            "happened": experiment.happened,
            "learned": experiment.learned,
            "threshold_of_knowledge": experiment.threshold_of_knowledge,
        },
        extra={"has_process_metric": has_process_metric},
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
