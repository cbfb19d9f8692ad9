"""Coaching pages: scheduling, the coach's day, the coaching cycle beside the board, feedback.

Every page is scoped through ``boards.access``: outside the storyboard's team it does not exist
(404); a read-only role may look but not change (403). Forms are plain HTML forms that redirect
after a save; the coaching cycle also answers htmx with the updated cycle in place.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from boards import access
from boards.board import Board
from boards.forms import add_service_errors
from boards.http import HtmxHttpRequest, see_other
from boards.models import EDITING_ROLES, Membership, Obstacle, Storyboard
from boards.services.base import Conflict
from coaching import calendar, forms, selectors
from coaching.models import (
    CoachingCycle,
    CoachingPreferences,
    SecondCoachObservation,
    Session,
    SessionSeries,
)
from coaching.services import cycles, observations, scheduling
from coaching.services import preferences as preference_services
from coaching.steps import FINISHED, OBSERVED_PARTS, STEPS, step_seconds

UPCOMING_SHOWN = 12
CYCLES_SHOWN = 20


def _can_edit(user, storyboard: Storyboard) -> bool:
    return access.role_in(user, storyboard.team_id) in EDITING_ROLES


def _coaching_url(sb: Storyboard) -> str:
    return reverse("coaching:storyboard", args=[sb.pk])


def _local_day_bounds(now: datetime) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    day = now.astimezone(zone).date()
    start = datetime.combine(day, time.min).replace(tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min).replace(tzinfo=zone)
    return start, end


# The storyboard's coaching page ----------------------------------------------------------------


@login_required
@require_GET
def storyboard(request: HtmxHttpRequest, pk: int):
    """The storyboard's coaching: upcoming sessions, the schedules, and its coaching cycles."""
    sb = access.get_storyboard_for_user(request.user, pk)
    now = timezone.now()
    upcoming = list(
        Session.objects.filter(storyboard=sb, ends_at__gt=now - timedelta(hours=12))
        .select_related("series__coach", "series__learner", "series__second_coach", "cycle")
        .order_by("starts_at", "pk")[:UPCOMING_SHOWN]
    )
    series = list(
        SessionSeries.objects.running()
        .filter(storyboard=sb)
        .select_related("coach", "learner", "second_coach")
        .order_by("start_date", "start_time", "pk")
    )
    cycles = list(
        CoachingCycle.objects.filter(storyboard=sb)
        .select_related("coach", "learner", "session")
        .order_by("-started_at", "-pk")[:CYCLES_SHOWN]
    )
    context = {
        "sb": sb,
        "can_edit": _can_edit(request.user, sb),
        "upcoming": upcoming,
        "series_list": series,
        "cycles": cycles,
        "now": now,
    }
    return render(request, "coaching/storyboard.html", context)


# Scheduling ------------------------------------------------------------------------------------


def _series_on_board(sb: Storyboard, series_pk: int) -> SessionSeries:
    series = (
        SessionSeries.objects.filter(pk=series_pk, storyboard=sb)
        .select_related("coach", "learner", "second_coach", "storyboard")
        .first()
    )
    if series is None:
        raise Http404("No such series on this storyboard.")
    return series


def _session_on_board(sb: Storyboard, session_pk: int) -> Session:
    session = (
        Session.objects.filter(pk=session_pk, storyboard=sb)
        .select_related("series__coach", "series__learner", "series__second_coach")
        .first()
    )
    if session is None:
        raise Http404("No such session on this storyboard.")
    return session


def _conflict_message(what: str) -> str:
    return f"Someone else changed this {what} a moment ago: here it is as it is now."


@login_required
@require_http_methods(["GET", "POST"])
def schedule(request: HtmxHttpRequest, pk: int):
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    editing = access.role_in(request.user, sb.team_id) in EDITING_ROLES
    coach = request.user if editing and request.user.pk != sb.learner_id else sb.coach
    initial = {
        "coach": coach,
        "learner": sb.learner,
        "time_zone": (coach or request.user).time_zone,
        "start_date": timezone.localdate(),
        "days": ["MO", "TH"],
    }
    form = forms.ScheduleForm(
        request.POST if request.method == "POST" else None, storyboard=sb, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = scheduling.series_create(
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
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Scheduled: {series.description}.")
            return redirect(_coaching_url(sb))
    status = 422 if form.is_bound else 200
    context = {"sb": sb, "form": form, "title": "Schedule coaching", "submit": "Schedule"}
    return render(request, "coaching/schedule.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def series_edit(request: HtmxHttpRequest, pk: int, series_pk: int):
    """Reschedule the whole series from now on."""
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    series = _series_on_board(sb, series_pk)
    if series.is_cancelled:
        raise Http404("This series is cancelled.")
    initial = forms.ScheduleFields.initial_for(series)
    data = request.POST if request.method == "POST" else None
    form = forms.SeriesEditForm(data, storyboard=sb, initial=initial)
    if data is not None and form.is_valid():
        values = form.cleaned_data
        try:
            scheduling.series_update(
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
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as conflict:
            series = conflict.current
            form = forms.SeriesEditForm(
                storyboard=sb, initial=forms.ScheduleFields.initial_for(series)
            )
            form.conflict = _conflict_message("schedule")
            return _series_form(request, sb, series, form, status=409)
        else:
            messages.success(request, f"Rescheduled: {series.description}.")
            return redirect(_coaching_url(sb))
    return _series_form(request, sb, series, form, status=422 if form.is_bound else 200)


def _series_form(request, sb, series, form, *, status: int):
    context = {
        "sb": sb,
        "series": series,
        "form": form,
        "title": "Reschedule the series",
        "submit": "Save the new schedule",
    }
    return render(request, "coaching/schedule.html", context, status=status)


def _confirm(request, sb, *, title: str, text: str, action: str, submit: str, version: int):
    context = {
        "sb": sb,
        "title": title,
        "text": text,
        "action": action,
        "submit": submit,
        "version": version,
        "back": _coaching_url(sb),
    }
    return render(request, "coaching/confirm.html", context)


def _version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        raise ValidationError("That request was malformed.") from None


def _cancel(request: HtmxHttpRequest, sb, what: str, cancel) -> HttpResponseRedirect:
    """Run a confirmed cancellation and say how it went on the board's coaching page."""
    try:
        cancel()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except Conflict:
        messages.error(request, f"The {what} changed a moment ago; nothing was cancelled.")
    else:
        messages.success(request, f"The {what} is cancelled.")
    return redirect(_coaching_url(sb))


@login_required
@require_http_methods(["GET", "POST"])
def series_cancel(request: HtmxHttpRequest, pk: int, series_pk: int):
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    series = _series_on_board(sb, series_pk)
    if request.method == "GET":
        return _confirm(
            request,
            sb,
            title="Cancel the whole series?",
            text=f"{series.description}, coach {series.coach.display_name}, learner "
            f"{series.learner.display_name}. Every session from now on is cancelled and "
            "nobody is reminded of them; past sessions and cycles stay.",
            action=request.path,
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
def session_move(request: HtmxHttpRequest, pk: int, session_pk: int):
    """Reschedule one occurrence."""
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    session = _session_on_board(sb, session_pk)
    initial = {
        "starts_at": timezone.localtime(session.starts_at),
        "duration_minutes": session.duration_minutes,
        "version": session.version,
    }
    data = request.POST if request.method == "POST" else None
    form = forms.SessionMoveForm(data, initial=initial)
    status = 200
    if data is not None:
        status = 422
        if form.is_valid():
            try:
                scheduling.session_reschedule(
                    session=session,
                    version=form.cleaned_data["version"],
                    starts_at=form.cleaned_data["starts_at"],
                    duration_minutes=form.cleaned_data["duration_minutes"],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except Conflict as conflict:
                session = conflict.current
                form = forms.SessionMoveForm(
                    initial={**initial, "version": session.version, "starts_at": None}
                )
                form.conflict = _conflict_message("session")
                status = 409
            else:
                messages.success(
                    request,
                    f"Moved to {timezone.localtime(session.starts_at):%a %-d %b, %H:%M}.",
                )
                return redirect(_coaching_url(sb))
    context = {"sb": sb, "session": session, "form": form}
    return render(request, "coaching/session_move.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def session_cancel(request: HtmxHttpRequest, pk: int, session_pk: int):
    """Cancel one occurrence."""
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    session = _session_on_board(sb, session_pk)
    if request.method == "GET":
        when = timezone.localtime(session.starts_at)
        return _confirm(
            request,
            sb,
            title="Cancel this session?",
            text=f"The session on {when:%A %-d %B at %H:%M} with "
            f"{session.series.learner.display_name}. The rest of the series goes on.",
            action=request.path,
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


# Starting a cycle ------------------------------------------------------------------------------


@login_required
@require_POST
def session_start(request: HtmxHttpRequest, pk: int, session_pk: int):
    """Start (or resume) the coaching cycle of a scheduled session."""
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    session = _session_on_board(sb, session_pk)
    return _start(request, sb, session)


@login_required
@require_POST
def cycle_start(request: HtmxHttpRequest, pk: int):
    """Start an ad hoc coaching cycle (or resume the one this coach left unfinished)."""
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    return _start(request, sb, None)


def _start(request, sb: Storyboard, session: Session | None):
    try:
        cycle = cycles.cycle_start(storyboard=sb, coach=request.user, session=session)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_coaching_url(sb))
    return redirect(cycle.get_absolute_url())


# The coaching cycle ----------------------------------------------------------------------------


def _cycle_on_board(sb: Storyboard, cycle_pk: int) -> CoachingCycle:
    cycle = (
        CoachingCycle.objects.filter(pk=cycle_pk, storyboard=sb)
        .select_related("coach", "learner", "session__series", "next_session")
        .first()
    )
    if cycle is None:
        raise Http404("No such coaching cycle on this storyboard.")
    cycle.storyboard = sb
    return cycle


class CycleStep:
    """The current step's form and what the card shows beside it, for one request."""

    def __init__(self, cycle: CoachingCycle, board: Board, user, data=None):
        self.cycle = cycle
        self.board = board
        self.finished = cycle.step >= FINISHED
        self.step = None if self.finished else STEPS[cycle.step]
        self.is_coach = user.pk == cycle.coach_id
        self.last_step = None
        self.next_session = None
        self.form = None if self.finished else self._form(data)

    def _form(self, data):
        key = self.step.key
        kwargs: dict[str, Any] = {"with_notes": self.is_coach}
        initial: dict[str, Any] = {"version": self.cycle.version}
        if self.is_coach:
            initial["coach_notes"] = self.cycle.coach_notes
        board = self.board
        if key == "target":
            return forms.TargetStepForm(data, initial=initial, **kwargs)
        if key == "actual":
            metrics = board.metrics if board.target else {}
            return forms.ActualStepForm(data, initial=initial, metrics=metrics, **kwargs)
        if key == "reflect":
            self.last_step = selectors.last_step(board.target)
            if self.last_step is not None:
                initial["experiment_version"] = self.last_step.version
            return forms.ReflectStepForm(data, initial=initial, experiment=self.last_step, **kwargs)
        if key == "obstacles":
            obstacles = board.open_obstacles
            working = board.working_on
            if working is not None:
                initial["working_on"] = str(working.pk)
            return forms.ObstacleStepForm(data, initial=initial, obstacles=obstacles, **kwargs)
        if key == "next":
            obstacles = (
                Obstacle.objects.filter(target_condition=board.target).exclude(status="cleared")
                if board.target
                else Obstacle.objects.none()
            )
            initial["obstacle"] = board.working_on
            return forms.NextStepForm(data, initial=initial, obstacles=obstacles, **kwargs)
        if key == "when":
            now = timezone.now()
            self.next_session = selectors.next_session(
                self.cycle.storyboard, now=now, exclude=self.cycle.session
            )
            if self.next_session is not None:
                initial["when"] = timezone.localtime(self.next_session.starts_at)
                initial["duration_minutes"] = self.next_session.duration_minutes
            else:
                tomorrow = timezone.localtime(now) + timedelta(days=1)
                initial["when"] = tomorrow.replace(minute=0, second=0, microsecond=0)
            return forms.WhenStepForm(data, initial=initial, **kwargs)
        return forms.NotesStepForm(data, initial=initial, **kwargs)

    def save(self, user) -> str:
        """Save the step through coaching.services; returns what to tell the user."""
        data = self.form.cleaned_data
        common = {
            "cycle": self.cycle,
            "version": data["version"],
            "coach_notes": self.form.notes(),
            "by": user,
        }
        key = self.step.key
        if key == "target":
            cycles.cycle_record_target(**common, said=data["said"])
            return "Question 1 saved."
        if key == "actual":
            cycles.cycle_record_actual(
                **common,
                operating_pattern=data["operating_pattern"],
                process_value=data.get("process_value"),
                outcome_value=data.get("outcome_value"),
            )
            return "Actual condition recorded on the board."
        if key == "reflect":
            cycles.cycle_record_reflection(
                **common,
                experiment=self.last_step,
                experiment_version=data.get("experiment_version"),
                happened=data.get("happened", ""),
                learned=data.get("learned", ""),
                threshold_of_knowledge=data.get("threshold_of_knowledge", False),
            )
            return "Reflection written into the last step."
        if key == "obstacles":
            chosen, work_on_new = self.form.chosen()
            cycles.cycle_record_obstacle(
                **common,
                working_on=chosen,
                new_obstacle=data["new_obstacle"],
                work_on_new=work_on_new,
            )
            return "Obstacle confirmed on the board."
        if key == "next":
            cycles.cycle_record_next_step(
                **common, step=data["step"], expected=data["expected"], obstacle=data["obstacle"]
            )
            return "Next step added to the PDCA record."
        if key == "when":
            cycles.cycle_record_next_session(
                **common, when=data["when"], duration_minutes=data["duration_minutes"]
            )
            return "Next session set."
        cycles.cycle_finish(**common)
        return "Coaching cycle finished."

    @property
    def answered(self) -> list[tuple[Any, dict, str]]:
        """(step, answer, time it took) for each step answered, the notes step aside."""
        timings = step_seconds(self.cycle)
        rows = []
        for step in STEPS:
            answer = self.cycle.answers.get(step.key)
            if answer is None or step.key == "notes":
                continue
            answer = dict(answer)
            if answer.get("starts_at"):
                answer["starts"] = datetime.fromisoformat(answer["starts_at"])
            rows.append((step, answer, forms.format_seconds(timings.get(step.key))))
        return rows


def _cycle_context(request, sb: Storyboard, cycle: CoachingCycle, data=None) -> dict[str, Any]:
    board = Board(sb, can_edit=False)
    current = CycleStep(cycle, board, request.user, data)
    # Feedback is for the coach; a second coach sees their own.
    observations = cycle.observations.select_related("observer")
    if request.user.pk != cycle.coach_id:
        observations = observations.filter(observer=request.user)
    observations = list(observations)
    for observation in observations:
        observation.rows = [
            (
                part,
                forms.format_seconds(observation.seconds.get(part.key)),
                observation.notes.get(part.key, ""),
            )
            for part in OBSERVED_PARTS
        ]
    return {
        "sb": sb,
        "board": board,
        "cycle": cycle,
        "current": current,
        "steps": STEPS,
        "observations": observations,
        "may_save": request.user.pk in (cycle.coach_id, cycle.learner_id)
        and _can_edit(request.user, sb),
        "may_observe": _may_observe(request.user, sb, cycle),
        "cycle_url": cycle.get_absolute_url(),
    }


def _render_cycle(request, context: dict, *, status: int = 200, message: str = ""):
    if request.htmx:
        response = render(request, "coaching/cycle.html#cycle", context, status=status)
        if message:
            # sections: none; this response already carries the whole board column.
            detail = {"message": message, "sections": [], "focus": ""}
            response = trigger_client_event(response, "kata:saved", detail)
        return response
    return render(request, "coaching/cycle.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def cycle(request: HtmxHttpRequest, pk: int, cycle_pk: int):
    """The five-question card beside the board; each POST saves the current step and moves on."""
    sb = access.get_storyboard_for_user(request.user, pk, write=request.method == "POST")
    cycle = _cycle_on_board(sb, cycle_pk)
    if request.method == "GET":
        return _render_cycle(request, _cycle_context(request, sb, cycle))
    if request.user.pk not in (cycle.coach_id, cycle.learner_id):
        raise PermissionDenied("Only the cycle's coach and learner answer its questions.")
    if cycle.is_finished:
        messages.info(request, "This coaching cycle is finished.")
        return redirect(cycle.get_absolute_url())
    if request.POST.get("version") != str(cycle.version):
        # A second submission of a step already saved (a double click, another window).
        return _cycle_conflict(request, sb, cycle, CoachingCycle)
    context = _cycle_context(request, sb, cycle, request.POST)
    current: CycleStep = context["current"]
    if not current.form.is_valid():
        return _render_cycle(request, context, status=422)
    try:
        message = current.save(request.user)
    except ValidationError as error:
        add_service_errors(current.form, error)
        return _render_cycle(request, context, status=422)
    except Conflict as conflict:
        return _cycle_conflict(request, sb, cycle, type(conflict.current))
    if not request.htmx:
        messages.success(request, message)
        return see_other(cycle.get_absolute_url())
    cycle = _cycle_on_board(sb, cycle_pk)
    return _render_cycle(request, _cycle_context(request, sb, cycle), message=message)


def _cycle_conflict(request, sb: Storyboard, cycle: CoachingCycle, model):
    if model is CoachingCycle:
        text = (
            "This step was already saved (in another window, or by the learner): here is the "
            "cycle where it is now."
        )
    else:
        text = (
            f"The {model._meta.verbose_name} was changed on the board a moment ago: check it "
            "and save again."
        )
    if not request.htmx:
        messages.warning(request, text)
        return see_other(cycle.get_absolute_url())
    fresh = _cycle_on_board(sb, cycle.pk)
    context = _cycle_context(request, sb, fresh)
    context["notice"] = text
    return _render_cycle(request, context, status=409)


# Second coach ----------------------------------------------------------------------------------


def _may_observe(user, sb: Storyboard, cycle: CoachingCycle) -> bool:
    """The scheduled second coach, any member who may change boards, or whoever observed it.

    Never the cycle's coach or learner. A read-only member (often a manager, the coach's own
    coach) observes when scheduled as second coach, and keeps their observation afterwards.
    """
    if user.pk in (cycle.coach_id, cycle.learner_id):
        return False
    if cycle.session_id and cycle.session.series.second_coach_id == user.pk:
        return True
    if _can_edit(user, sb):
        return True
    return SecondCoachObservation.objects.filter(cycle=cycle, observer=user).exists()


@login_required
@require_http_methods(["GET", "POST"])
def observe(request: HtmxHttpRequest, pk: int, cycle_pk: int):
    """A second coach's notes, timings and feedback for the coach, question by question."""
    sb = access.get_storyboard_for_user(request.user, pk)
    cycle = _cycle_on_board(sb, cycle_pk)
    if not _may_observe(request.user, sb, cycle):
        raise PermissionDenied("Only a second coach observes a cycle.")
    observation = SecondCoachObservation.objects.filter(cycle=cycle, observer=request.user).first()
    timings = step_seconds(cycle)
    form = forms.ObservationForm(
        request.POST if request.method == "POST" else None,
        initial=forms.ObservationForm.initial_for(observation, timings),
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                observations.observation_save(
                    cycle=cycle,
                    observer=request.user,
                    notes=form.notes(),
                    seconds=form.seconds(),
                    feedback=form.cleaned_data["feedback"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Observation saved: the coach reads it on the cycle.")
                return redirect(reverse("coaching:observe", args=[sb.pk, cycle.pk]))
    rows = [
        (part, form[f"notes_{part.key}"], form[f"time_{part.key}"], cycle.answers.get(part.key))
        for part in OBSERVED_PARTS
    ]
    context = {
        "sb": sb,
        "cycle": cycle,
        "form": form,
        "rows": rows,
        "current_step": None if cycle.step >= FINISHED else STEPS[cycle.step],
        "observation": observation,
    }
    return render(request, "coaching/observe.html", context, status=status)


# The coach's day and cycles --------------------------------------------------------------------


def _member_teams(user):
    return Membership.objects.filter(user=user).values("team_id")


@login_required
@require_GET
def today(request: HtmxHttpRequest):
    """Today's sessions across all the user's learners, in time order, with their state."""
    now = timezone.now()
    start, end = _local_day_bounds(now)
    user = request.user
    sessions = list(
        Session.objects.filter(
            Q(series__coach=user) | Q(series__learner=user) | Q(series__second_coach=user),
            storyboard__team_id__in=_member_teams(user),
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related(
            "series__coach",
            "series__learner",
            "series__second_coach",
            "storyboard__team",
            "cycle",
        )
        .order_by("starts_at", "pk")
    )
    unfinished = list(
        CoachingCycle.objects.filter(
            coach=user,
            finished_at=None,
            session__isnull=True,
            storyboard__team_id__in=_member_teams(user),
        )
        .select_related("storyboard", "learner")
        .order_by("-started_at")[:10]
    )
    rows = [(s, s.state(now), _role(user, s.series)) for s in sessions]
    context = {"rows": rows, "day": start, "now": now, "unfinished": unfinished}
    return render(request, "coaching/today.html", context)


def _role(user, series: SessionSeries) -> str:
    if series.coach_id == user.pk:
        return "coach"
    if series.learner_id == user.pk:
        return "learner"
    return "second coach"


@login_required
@require_GET
def my_cycles(request: HtmxHttpRequest):
    """The cycles this user coached, across learners, with how long each took."""
    cycles = (
        CoachingCycle.objects.filter(
            coach=request.user, storyboard__team_id__in=_member_teams(request.user)
        )
        .select_related("storyboard__team", "learner", "session")
        .order_by("-started_at", "-pk")
    )
    page = Paginator(cycles, 50).get_page(request.GET.get("page"))
    return render(request, "coaching/my_cycles.html", {"page": page, "steps_total": len(STEPS)})


# Preferences and the calendar feed -------------------------------------------------------------


def _feed_url(request, preferences: CoachingPreferences) -> str:
    return request.build_absolute_uri(
        reverse("coaching:calendar_feed", args=[preferences.calendar_token])
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HtmxHttpRequest):
    """A person's time zone, reminder lead time and private calendar address."""
    prefs = preference_services.preferences_for(request.user)
    initial = {
        "time_zone": request.user.time_zone,
        "reminder_minutes": prefs.reminder_minutes,
        "missed_notice": prefs.missed_notice,
    }
    data = request.POST if request.method == "POST" else None
    form = forms.PreferencesForm(data, initial=initial)
    if data is not None and form.is_valid():
        try:
            preference_services.preferences_update(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("coaching:settings")
    status = 422 if form.is_bound else 200
    context = {"form": form, "feed_url": _feed_url(request, prefs)}
    return render(request, "coaching/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_reset(request: HtmxHttpRequest):
    if request.method == "GET":
        return render(request, "coaching/calendar_reset.html")
    preference_services.calendar_token_reset(user=request.user)
    messages.success(
        request, "Your calendar has a new address. Subscribe to it again in your calendar app."
    )
    return redirect("coaching:settings")


@require_GET
def calendar_feed(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The private iCalendar feed: no sign-in, the secret address is the key."""
    prefs = CoachingPreferences.objects.filter(calendar_token=token).select_related("user").first()
    if prefs is None or not prefs.user.is_active:
        raise Http404("No such calendar.")
    body = calendar.feed(prefs.user, now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kata-coaching.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
