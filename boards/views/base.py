"""What every board view shares: the board for the reader, and how a write is answered.

A write answers an htmx request with the updated section (retargeted onto it) and a
``kata:saved`` event naming the other sections its change shows in (``boards.live``); a plain
form post redirects back to the board, so nothing needs JavaScript. Invalid input returns the
form with its errors (422); a stale version returns the form with both versions side by side
(409).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms as djforms
from django.contrib import messages
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import reswap, retarget, trigger_client_event

from boards import access, live
from boards.board import Board
from boards.forms import ConfirmForm, VersionedConfirmForm, submit
from boards.http import AuthenticatedHttpRequest
from boards.models import (
    Activity,
    Challenge,
    Experiment,
    Metric,
    Obstacle,
    Storyboard,
    TargetCondition,
)
from boards.sections import render_sections
from boards.selectors import active_target_condition
from boards.services.base import Conflict

# The rows an edit form changes, each with a version that refuses a stale save.
Versioned = Storyboard | Challenge | TargetCondition | Metric | Obstacle | Experiment
Save = Callable[[dict[str, Any]], Any]


def board_for(
    request: AuthenticatedHttpRequest,
    storyboard: Storyboard,
    *,
    target: TargetCondition | None = None,
    mode: str = "",
) -> Board:
    return Board(
        storyboard,
        can_edit=access.can_edit(request.user, storyboard),
        target=target,
        mode=mode,
        can_manage=access.may_edit_team(request.user, storyboard.team),
        can_delete=access.is_admin(request.user, storyboard.team),
    )


def render_section(
    request: AuthenticatedHttpRequest, board: Board, section: str, *, status: int = 200
) -> HttpResponse:
    return HttpResponse(render_sections(request, board, [section])[section], status=status)


def active_target(sb: Storyboard) -> TargetCondition:
    target = active_target_condition(sb)
    if target is None:
        raise Http404("This storyboard has no active target condition.")
    return target


def saved(
    request: AuthenticatedHttpRequest,
    sb: Storyboard,
    section: str,
    message: str,
    *,
    since: int,
    focus: str = "",
) -> HttpResponse:
    """Answer a successful write: the fresh section for htmx, a redirect for a plain post.

    ``since`` is the board's revision before the write: the changes logged after it are the
    ones this write made, and the event names the sections they show in, as the poll would.
    """
    if not request.htmx:
        messages.success(request, message)
        return redirect(f"{sb.get_absolute_url()}#{section}")
    sb.refresh_from_db(fields=["revision", "cache_version"])
    changes = list(
        Activity.objects.filter(storyboard=sb, revision__gt=since, revision__lte=sb.revision)
        .order_by("revision")
        .values_list("revision", "action")
    )
    response = render_section(request, board_for(request, sb), section)
    response = reswap(retarget(response, f"#{section}"), "outerHTML")
    return trigger_client_event(
        response,
        "kata:saved",
        {
            "revision": sb.revision,
            # This browser has these changes on screen once it refreshed the sections below.
            "revisions": [revision for revision, _ in changes],
            # The section this response carries is already fresh.
            "sections": [s for s in live.sections_for(a for _, a in changes) if s != section],
            "focus": focus,
            "message": message,
        },
    )


def form_response(
    request: AuthenticatedHttpRequest,
    sb: Storyboard,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """A form: alone for htmx (swapped in place), inside a page of its own without JS."""
    context = {"sb": sb, "board_url": sb.get_absolute_url(), **context}
    if request.htmx:
        return render(request, template, context, status=status)
    return render(
        request, "boards/form_page.html", {**context, "form_template": template}, status=status
    )


def refused(
    request: AuthenticatedHttpRequest, sb: Storyboard, section: str, message: str, status: int
) -> HttpResponse:
    """An action that could not be done: the section as it stands now, with why."""
    if not request.htmx:
        messages.error(request, message)
        return redirect(f"{sb.get_absolute_url()}#{section}")
    board = board_for(request, sb)
    board.notice = message
    response = render_section(request, board, section, status=status)
    return reswap(retarget(response, f"#{section}"), "outerHTML")


def last_editor(current: Model) -> str:
    activity = (
        Activity.objects.filter(object_type=current._meta.model_name, object_id=current.pk)
        .select_related("actor")
        .order_by("-revision")
        .first()
    )
    return activity.actor.display_name if activity and activity.actor else "Someone else"


def _yes_no(value: object) -> str:
    return "yes" if value in (True, "on", "1", 1) else "no"


def _conflict_rows(form: djforms.Form, current: Versioned) -> list[tuple[str, Any, Any]]:
    rows = []
    for name, field in form.fields.items():
        if name == "version" or not hasattr(current, name):
            continue  # a form-only field, such as the measurement a result can add
        theirs = getattr(current, name)
        mine = form.cleaned_data.get(name, form.data.get(name))
        if isinstance(field, djforms.BooleanField | djforms.TypedChoiceField):
            theirs, mine = _yes_no(theirs), _yes_no(mine)
        if theirs != mine:
            rows.append((str(field.label or name.replace("_", " ").capitalize()), theirs, mine))
    return rows


def conflict_details(form: djforms.Form, current: Versioned) -> dict[str, Any]:
    """Who saved first, and each field as they saved it beside the reader's value."""
    return {"who": last_editor(current), "rows": _conflict_rows(form, current)}


def edit(
    request: AuthenticatedHttpRequest,
    *,
    sb: Storyboard,
    obj: Versioned,
    form_class: type[djforms.Form],
    template: str,
    section: str,
    save: Save,
    message: str,
    initial: dict[str, Any],
    form_kwargs: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET shows the edit form; POST saves it, refusing a stale version with both versions."""
    form_kwargs = form_kwargs or {}
    focus = f"{obj._meta.model_name}-{obj.pk}"
    context = {"obj": obj, "focus": focus, **(extra or {})}
    if request.method == "GET":
        form = form_class(initial={**initial, "version": obj.version}, **form_kwargs)
        return form_response(request, sb, template, {**context, "form": form})
    form = form_class(request.POST, **form_kwargs)
    since = sb.revision
    try:
        ok, _ = submit(form, save)
    except Conflict as conflict:
        current = cast(Versioned, conflict.current)  # obj's row, as someone else saved it
        data = request.POST.copy()
        data["version"] = str(current.version)
        retry = form_class(data, **form_kwargs)
        retry.is_valid()
        context = {**context, "form": retry, "conflict": conflict_details(form, current)}
        return form_response(request, sb, template, context, status=409)
    if not ok:
        return form_response(request, sb, template, {**context, "form": form}, status=422)
    return saved(request, sb, section, message, since=since, focus=focus)


def create(
    request: AuthenticatedHttpRequest,
    *,
    sb: Storyboard,
    form: djforms.Form,
    template: str,
    section: str,
    save: Save,
    message: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET shows the empty form; POST adds what it describes."""
    context = {"form": form, **(extra or {})}
    if request.method == "GET":
        return form_response(request, sb, template, context)
    since = sb.revision
    ok, obj = submit(form, save)
    if not ok:
        return form_response(request, sb, template, context, status=422)
    focus = f"{obj._meta.model_name}-{obj.pk}" if obj is not None else ""
    return saved(request, sb, section, message, since=since, focus=focus)


# Taking back what was made ---------------------------------------------------------------------

OUT_OF_DATE = "This form is out of date: nothing was changed. Close it and try again."


def remove(
    request: AuthenticatedHttpRequest,
    *,
    sb: Storyboard,
    obj: Model,
    template: str,
    section: str,
    save: Save,
    message: str,
    refusal: str = "",
    versioned: bool = True,
    wrap: str = "div",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET asks to confirm (or, with ``refusal``, says why it cannot be done and what can);
    POST does it. A versioned row changed since it was shown is left as it is.

    ``wrap`` is the element the confirmation takes the place of on the board (``div``, ``li``,
    ``tr``); ``?wrap=`` in the address overrides it, for an item shown in two places.
    """
    wrap = request.GET.get("wrap", wrap)
    context = {
        "obj": obj,
        "refusal": refusal,
        "section": section,
        "wrap": wrap if wrap in ("div", "li", "tr") else "div",
        **(extra or {}),
    }
    form_class = VersionedConfirmForm if versioned else ConfirmForm
    if request.method == "GET":
        initial = {"version": getattr(obj, "version", None)} if versioned else None
        return form_response(
            request, sb, template, {**context, "form": form_class(initial=initial)}
        )
    form = form_class(request.POST)
    since = sb.revision
    try:
        ok, _ = submit(form, save)
    except Conflict:
        return refused(
            request,
            sb,
            section,
            f"{last_editor(obj)} changed it a moment ago: here it is as it is now. Nothing was "
            "deleted.",
            409,
        )
    if not ok:
        said = " ".join(str(error) for error in form.non_field_errors()) or OUT_OF_DATE
        return form_response(request, sb, template, {**context, "refusal": said}, status=422)
    return saved(request, sb, section, message, since=since, focus=section)
