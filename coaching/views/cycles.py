"""The coaching cycle beside the board, starting one, and the second coach's observation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from boards.access import get_storyboard_for_user, require_writable
from boards.board import Board
from boards.forms import submit
from boards.http import AuthenticatedHttpRequest, see_other
from boards.models import Storyboard, User
from boards.services.base import Conflict
from coaching import access, forms
from coaching.cycle import HANDLERS, StepForm, StepHandler
from coaching.forms import format_seconds
from coaching.models import CoachingCycle, SecondCoachObservation, Session
from coaching.services import cycles, observations
from coaching.steps import FINISHED, OBSERVED_PARTS, STEPS, Step, step_seconds
from coaching.views.base import coaching_url

# Starting a cycle ------------------------------------------------------------------------------


@login_required
@require_POST
def session_start(request: AuthenticatedHttpRequest, pk: int, session_pk: int) -> HttpResponse:
    """Start (or resume) the coaching cycle of a scheduled session."""
    session = access.get_session_for_user(request.user, session_pk, storyboard=pk, write=True)
    return _start(request, session.storyboard, session)


@login_required
@require_POST
def cycle_start(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Start a coaching cycle now (or resume the one this coach left unfinished).

    ``session``: a session due now that the cycle belongs to, or "none" for an ad hoc cycle;
    without it, the cycle belongs to the session due now, if there is one.
    """
    sb = get_storyboard_for_user(request.user, pk, write=True)
    chosen = request.POST.get("session", "")
    if chosen == "none":
        return _start(request, sb, None, ad_hoc=True)
    if chosen:
        if not chosen.isdigit():
            raise Http404("No such session on this storyboard.")
        session = access.get_session_for_user(request.user, int(chosen), storyboard=pk, write=True)
        return _start(request, sb, session)
    return _start(request, sb, None)


def _start(
    request: AuthenticatedHttpRequest,
    sb: Storyboard,
    session: Session | None,
    *,
    ad_hoc: bool = False,
) -> HttpResponse:
    try:
        cycle = cycles.cycle_start(
            storyboard=sb, coach=request.user, session=session, ad_hoc=ad_hoc
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(coaching_url(sb))
    return redirect(cycle.get_absolute_url())


# The coaching cycle ----------------------------------------------------------------------------


class CurrentStep:
    """The cycle as one request sees it: the step to answer, its form, the steps answered."""

    def __init__(
        self,
        cycle: CoachingCycle,
        board: Board,
        user: User,
        data: QueryDict | None = None,
        *,
        now: datetime | None = None,
    ):
        self.cycle = cycle
        self.is_coach = user.pk == cycle.coach_id
        self.finished = cycle.step >= FINISHED
        self.step: Step | None = None
        self.handler: StepHandler[Any] | None = None
        self.form: StepForm | None = None
        if not self.finished:
            self.step = STEPS[cycle.step]
            self.handler = HANDLERS[self.step.key](
                cycle, board, is_coach=self.is_coach, now=now or timezone.now()
            )
            self.form = self.handler.form(data)

    def save(self, user: User) -> str:
        """Save the step through its handler; returns what to tell the user."""
        if self.handler is None or self.form is None:
            raise ValueError("A finished cycle has no step to save.")
        self.handler.save(self.form, by=user)
        return self.handler.saved

    @property
    def answered(self) -> list[tuple[Step, dict[str, Any], str, str]]:
        """(step, answer, time it took, its template) for each answered step shown."""
        timings = step_seconds(self.cycle)
        rows = []
        for step in STEPS:
            answer = self.cycle.answers.get(step.key)
            handler = HANDLERS[step.key]
            if answer is None or not handler.summarised:
                continue
            rows.append(
                (
                    step,
                    handler.summary(dict(answer)),
                    format_seconds(timings.get(step.key)),
                    handler.answer_template(),
                )
            )
        return rows


def _cycle_context(
    request: AuthenticatedHttpRequest, cycle: CoachingCycle, data: QueryDict | None = None
) -> dict[str, Any]:
    sb = cycle.storyboard
    board = Board(sb, can_edit=False)
    user = request.user
    current = CurrentStep(cycle, board, user, data)
    # Feedback is for the coach; a second coach sees their own.
    seen = cycle.observations.select_related("observer")
    if user.pk != cycle.coach_id:
        seen = seen.filter(observer=user)
    feedback = [
        (
            observation,
            [
                (
                    part,
                    format_seconds(observation.seconds.get(part.key)),
                    observation.notes.get(part.key, ""),
                )
                for part in OBSERVED_PARTS
            ],
        )
        for observation in seen
    ]
    return {
        "sb": sb,
        "board": board,
        "cycle": cycle,
        "current": current,
        "steps": STEPS,
        "observations": feedback,
        "may_save": access.may_answer(user, cycle),
        "may_observe": access.may_observe(user, cycle),
        "cycle_url": cycle.get_absolute_url(),
    }


def _render_cycle(
    request: AuthenticatedHttpRequest,
    context: dict[str, Any],
    *,
    status: int = 200,
    message: str = "",
) -> HttpResponse:
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
def cycle(request: AuthenticatedHttpRequest, pk: int, cycle_pk: int) -> HttpResponse:
    """The five-question card beside the board; each POST saves the current step and moves on."""
    user = request.user
    cycle = access.get_cycle_for_user(user, cycle_pk, storyboard=pk, write=request.method == "POST")
    if request.method == "GET":
        return _render_cycle(request, _cycle_context(request, cycle))
    if not access.may_answer(user, cycle):
        raise PermissionDenied("Only the cycle's coach and learner answer its questions.")
    if cycle.is_finished:
        messages.info(request, "This coaching cycle is finished.")
        return redirect(cycle.get_absolute_url())
    if request.POST.get("version") != str(cycle.version):
        # A second submission of a step already saved (a double click, another window).
        return _cycle_conflict(request, cycle, CoachingCycle)
    context = _cycle_context(request, cycle, request.POST)
    current: CurrentStep = context["current"]
    if current.form is None:
        raise ValueError("An unfinished cycle has a step to answer.")
    try:
        ok, message = submit(current.form, lambda _: current.save(user))
    except Conflict as conflict:
        return _cycle_conflict(request, cycle, type(conflict.current))
    if not ok or message is None:
        return _render_cycle(request, context, status=422)
    if not request.htmx:
        messages.success(request, message)
        return see_other(cycle.get_absolute_url())
    fresh = access.cycle_on(cycle.storyboard, cycle.pk)
    return _render_cycle(request, _cycle_context(request, fresh), message=message)


def _cycle_conflict(
    request: AuthenticatedHttpRequest, cycle: CoachingCycle, model: type[Model]
) -> HttpResponse:
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
    fresh = access.cycle_on(cycle.storyboard, cycle.pk)
    context = _cycle_context(request, fresh)
    context["notice"] = text
    return _render_cycle(request, context, status=409)


# Second coach ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def observe(request: AuthenticatedHttpRequest, pk: int, cycle_pk: int) -> HttpResponse:
    """A second coach's notes, timings and feedback for the coach, question by question."""
    user = request.user
    cycle = access.get_cycle_for_user(user, cycle_pk, storyboard=pk)
    sb = cycle.storyboard
    if not access.may_observe(user, cycle):
        raise PermissionDenied("Only a second coach observes a cycle.")
    if request.method == "POST":
        require_writable(user, sb.team_id)  # a second coach may read only, so no getter asks
    observation = SecondCoachObservation.objects.filter(cycle=cycle, observer=user).first()
    timings = step_seconds(cycle)
    form = forms.ObservationForm(
        request.POST if request.method == "POST" else None,
        initial=forms.ObservationForm.initial_for(observation, timings),
    )
    if form.is_bound:
        ok, _ = submit(
            form,
            lambda data: observations.observation_save(
                cycle=cycle,
                observer=user,
                notes=form.notes(),
                seconds=form.seconds(),
                feedback=data["feedback"],
            ),
        )
        if ok:
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
    return render(request, "coaching/observe.html", context, status=422 if form.is_bound else 200)
