"""Scheduling coaching: a series, one of its sessions moved or cancelled, the whole series too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from boards.access import get_storyboard_for_user
from boards.forms import submit
from boards.http import AuthenticatedHttpRequest
from boards.models import Storyboard
from boards.services.base import Conflict
from coaching import access, forms
from coaching.models import Session, SessionSeries
from coaching.services import scheduling
from coaching.views.base import coaching_url, conflict_message


def _data(request: AuthenticatedHttpRequest) -> QueryDict | None:
    return request.POST if request.method == "POST" else None


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sb = get_storyboard_for_user(request.user, pk, write=True)
    user = request.user
    # Whoever may schedule may coach (``write`` asked for that), unless they are the learner.
    coach = user if user.pk != sb.learner_id else sb.coach
    initial = {
        "coach": coach,
        "learner": sb.learner,
        "time_zone": (coach or user).time_zone,
        "start_date": timezone.localdate(),
        "days": ["MO", "TH"],
    }
    form = forms.ScheduleForm(_data(request), storyboard=sb, initial=initial)
    if form.is_bound:
        _, series = submit(
            form,
            lambda data: scheduling.series_create(
                storyboard=sb,
                coach=data["coach"],
                learner=data["learner"],
                second_coach=data["second_coach"],
                start_date=data["start_date"],
                start_time=data["start_time"],
                duration_minutes=data["duration_minutes"],
                rrule=data["rrule"],
                until=data["until"],
                count=data["count"],
                time_zone=data["time_zone"],
                by=user,
            ),
        )
        if series is not None:
            messages.success(request, f"Scheduled: {series.description}.")
            return redirect(coaching_url(sb))
    status = 422 if form.is_bound else 200
    context = {"sb": sb, "form": form, "title": "Schedule coaching", "submit": "Schedule"}
    return render(request, "coaching/schedule.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def series_edit(request: AuthenticatedHttpRequest, pk: int, series_pk: int) -> HttpResponse:
    """Reschedule the whole series from now on."""
    series = access.get_series_for_user(request.user, series_pk, storyboard=pk, write=True)
    sb = series.storyboard
    if series.is_cancelled:
        raise Http404("This series is cancelled.")
    initial = forms.ScheduleFields.initial_for(series)
    form = forms.SeriesEditForm(_data(request), storyboard=sb, initial=initial)
    if form.is_bound:
        try:
            ok, _ = submit(
                form,
                lambda values: scheduling.series_update(
                    series=series,
                    version=values["version"],
                    start_date=values["start_date"],
                    start_time=values["start_time"],
                    duration_minutes=values["duration_minutes"],
                    rrule=values["rrule"],
                    until=values["until"],
                    count=values["count"],
                    second_coach=values["second_coach"],
                    by=request.user,
                ),
            )
        except Conflict as conflict:
            current = conflict.current
            assert isinstance(current, SessionSeries)
            form = forms.SeriesEditForm(
                storyboard=sb, initial=forms.ScheduleFields.initial_for(current)
            )
            form.conflict = conflict_message("schedule")
            return _series_form(request, sb, current, form, status=409)
        if ok:
            messages.success(request, f"Rescheduled: {series.description}.")
            return redirect(coaching_url(sb))
    return _series_form(request, sb, series, form, status=422 if form.is_bound else 200)


def _series_form(
    request: AuthenticatedHttpRequest,
    sb: Storyboard,
    series: SessionSeries,
    form: forms.SeriesEditForm,
    *,
    status: int,
) -> HttpResponse:
    context = {
        "sb": sb,
        "series": series,
        "form": form,
        "title": "Reschedule the series",
        "submit": "Save the new schedule",
    }
    return render(request, "coaching/schedule.html", context, status=status)


def _confirm(
    request: AuthenticatedHttpRequest,
    sb: Storyboard,
    *,
    title: str,
    text: str,
    submit: str,
    version: int,
) -> HttpResponse:
    context = {
        "sb": sb,
        "title": title,
        "text": text,
        "action": request.path,
        "submit": submit,
        "version": version,
        "back": coaching_url(sb),
    }
    return render(request, "coaching/confirm.html", context)


def _version(request: AuthenticatedHttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        raise ValidationError("That request was malformed.") from None


def _cancel(
    request: AuthenticatedHttpRequest, sb: Storyboard, what: str, cancel: Callable[[], Any]
) -> HttpResponseRedirect:
    """Run a confirmed cancellation and say how it went on the board's coaching page."""
    try:
        cancel()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except Conflict:
        messages.error(request, f"The {what} changed a moment ago; nothing was cancelled.")
    else:
        messages.success(request, f"The {what} is cancelled.")
    return redirect(coaching_url(sb))


@login_required
@require_http_methods(["GET", "POST"])
def series_cancel(request: AuthenticatedHttpRequest, pk: int, series_pk: int) -> HttpResponse:
    series = access.get_series_for_user(request.user, series_pk, storyboard=pk, write=True)
    sb = series.storyboard
    if request.method == "GET":
        return _confirm(
            request,
            sb,
            title="Cancel the whole series?",
            text=f"{series.description}, coach {series.coach.display_name}, learner "
            f"{series.learner.display_name}. Every session from now on is cancelled and "
            "nobody is reminded of them; past sessions and cycles stay.",
            submit="Cancel the series",
            version=series.version,
        )
    return _cancel(
        request,
        sb,
        "series",
        lambda: scheduling.series_cancel(series=series, version=_version(request), by=request.user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_move(request: AuthenticatedHttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Reschedule one occurrence."""
    session = access.get_session_for_user(request.user, session_pk, storyboard=pk, write=True)
    sb = session.storyboard
    initial = {
        "starts_at": timezone.localtime(session.starts_at),
        "duration_minutes": session.duration_minutes,
        "version": session.version,
    }
    form = forms.SessionMoveForm(_data(request), initial=initial)
    status = 200
    if form.is_bound:
        status = 422
        try:
            ok, _ = submit(
                form,
                lambda data: scheduling.session_reschedule(
                    session=session,
                    version=data["version"],
                    starts_at=data["starts_at"],
                    duration_minutes=data["duration_minutes"],
                    by=request.user,
                ),
            )
        except Conflict as conflict:
            current = conflict.current
            assert isinstance(current, Session)
            session = current
            form = forms.SessionMoveForm(
                initial={**initial, "version": session.version, "starts_at": None}
            )
            form.conflict = conflict_message("session")
            status = 409
        else:
            if ok:
                messages.success(
                    request,
                    f"Moved to {timezone.localtime(session.starts_at):%a %-d %b, %H:%M}.",
                )
                return redirect(coaching_url(sb))
    context = {"sb": sb, "session": session, "form": form}
    return render(request, "coaching/session_move.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def session_cancel(request: AuthenticatedHttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Cancel one occurrence."""
    session = access.get_session_for_user(request.user, session_pk, storyboard=pk, write=True)
    sb = session.storyboard
    if request.method == "GET":
        when = timezone.localtime(session.starts_at)
        return _confirm(
            request,
            sb,
            title="Cancel this session?",
            text=f"The session on {when:%A %-d %B at %H:%M} with "
            f"{session.series.learner.display_name}. The rest of the series goes on.",
            submit="Cancel this session",
            version=session.version,
        )
    return _cancel(
        request,
        sb,
        "session",
        lambda: scheduling.session_cancel(
            session=session, version=_version(request), by=request.user
        ),
    )
