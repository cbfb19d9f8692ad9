"""The coaching cycle, one handler per step.

A handler is everything one step of the card needs: its form, the values the form starts from,
the save (through ``coaching.services.cycles``), what it says once saved and how its answer is
summarised. ``HANDLERS`` lists them in the order of ``coaching.steps.STEPS``; the cycle view
(``coaching.views.cycles.CurrentStep``) asks it for the cycle's current step and never names
one. Adding a question is its handler and form here, its words and place in ``coaching.steps``,
and its template ``templates/coaching/cycle/<key>.html``, whose ``answer`` partial shows what
was answered.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar, cast

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from boards.board import Board
from boards.forms import TEXTAREA, LocalDateTimeField, NumberField
from boards.models import Experiment, Metric, Obstacle, User
from coaching import selectors
from coaching.forms import NOTES, VersionForm
from coaching.models import CoachingCycle, Session
from coaching.services import cycles
from coaching.steps import STEPS


class StepForm(VersionForm):
    """A step of the cycle; the coach (only) also keeps notes on every step."""

    coach_notes = forms.CharField(
        label="Coach's notes", required=False, widget=NOTES, max_length=8000
    )

    def __init__(self, *args: Any, with_notes: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_notes:
            del self.fields["coach_notes"]

    def notes(self) -> str | None:
        return self.cleaned_data.get("coach_notes") if "coach_notes" in self.fields else None


F = TypeVar("F", bound=StepForm)


class StepHandler(Generic[F]):
    """One step of the cycle, for one request: made for the cycle as the page shows it."""

    key: ClassVar[str]
    form_class: type[F]
    # What the person who saved the step is told.
    saved: ClassVar[str]
    # Listed under "Answered in this cycle" (the coach's notes are shown apart).
    summarised: ClassVar[bool] = True

    def __init__(self, cycle: CoachingCycle, board: Board, *, is_coach: bool, now: datetime):
        self.cycle = cycle
        self.board = board
        self.is_coach = is_coach
        self.now = now

    @classmethod
    def template(cls) -> str:
        return f"coaching/cycle/{cls.key}.html"

    @classmethod
    def answer_template(cls) -> str:
        return f"{cls.template()}#answer"

    @classmethod
    def summary(cls, answer: dict[str, Any]) -> dict[str, Any]:
        """The saved answer as its template shows it."""
        return answer

    def initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"version": self.cycle.version}
        if self.is_coach:
            initial["coach_notes"] = self.cycle.coach_notes
        return initial

    def form_kwargs(self) -> dict[str, Any]:
        return {}

    def form(self, data: QueryDict | None = None) -> F:
        return self.form_class(
            data, initial=self.initial(), with_notes=self.is_coach, **self.form_kwargs()
        )

    def save(self, form: F, *, by: User) -> None:
        raise NotImplementedError

    def common(self, form: F, by: User) -> dict[str, Any]:
        """What every step's service takes."""
        return {
            "cycle": self.cycle,
            "version": form.cleaned_data["version"],
            "coach_notes": form.notes(),
            "by": by,
        }


# Question 1 ------------------------------------------------------------------------------------


class TargetStepForm(StepForm):
    said = forms.CharField(
        label="What the learner said (optional)",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=4000,
        help_text="Can the learner describe the target condition without reading it?",
    )
    field_order = ["said", "coach_notes"]


class TargetStep(StepHandler[TargetStepForm]):
    key = "target"
    form_class = TargetStepForm
    saved = "Question 1 saved."

    def save(self, form: TargetStepForm, *, by: User) -> None:
        cycles.cycle_record_target(**self.common(form, by), said=form.cleaned_data["said"])


# Question 2 ------------------------------------------------------------------------------------


class ActualStepForm(StepForm):
    operating_pattern = forms.CharField(
        label="What do you observe now?",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=4000,
    )
    process_value = NumberField(required=False)
    outcome_value = NumberField(required=False)
    field_order = ["operating_pattern", "process_value", "outcome_value", "coach_notes"]

    def __init__(self, *args: Any, metrics: dict[str, Metric], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Metric.Kind.values:
            metric = metrics.get(kind)
            if metric is None:
                del self.fields[f"{kind}_value"]
            else:
                unit = f" ({metric.unit})" if metric.unit else ""
                field = self.fields[f"{kind}_value"]
                field.label = f"{metric.name} now{unit}"
                field.help_text = f"{metric.get_kind_display()}, target {metric.target_label}"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        values = [data.get(f"{kind}_value") for kind in Metric.Kind.values]
        if not (data.get("operating_pattern") or "").strip() and all(v is None for v in values):
            raise forms.ValidationError(
                "Record what the learner observes now, a measurement, or both: how do you know?"
            )
        return data


class ActualStep(StepHandler[ActualStepForm]):
    key = "actual"
    form_class = ActualStepForm
    saved = "Actual condition recorded on the board."

    def form_kwargs(self) -> dict[str, Any]:
        return {"metrics": self.board.metrics if self.board.target else {}}

    def save(self, form: ActualStepForm, *, by: User) -> None:
        data = form.cleaned_data
        cycles.cycle_record_actual(
            **self.common(form, by),
            operating_pattern=data["operating_pattern"],
            process_value=data.get("process_value"),
            outcome_value=data.get("outcome_value"),
        )


# Question 2, the back of the card --------------------------------------------------------------


class ReflectStepForm(StepForm):
    experiment_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    happened = forms.CharField(
        label="What actually happened?",
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=2000,
        error_messages={"required": "Write what actually happened."},
    )
    learned = forms.CharField(
        label="What did you learn?",
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=2000,
        error_messages={"required": "Write what you learned."},
    )
    threshold_of_knowledge = forms.BooleanField(
        required=False, label="We reached the threshold of knowledge"
    )
    field_order = ["happened", "learned", "threshold_of_knowledge", "coach_notes"]

    def __init__(self, *args: Any, experiment: Experiment | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if experiment is None or not experiment.in_progress:
            for name in ("experiment_version", "happened", "learned", "threshold_of_knowledge"):
                del self.fields[name]


class ReflectStep(StepHandler[ReflectStepForm]):
    key = "reflect"
    form_class = ReflectStepForm
    saved = "Reflection written into the last step."

    def __init__(self, cycle: CoachingCycle, board: Board, *, is_coach: bool, now: datetime):
        super().__init__(cycle, board, is_coach=is_coach, now=now)
        # The step the card's back asks about; the save writes into this one.
        self.experiment = selectors.last_step(board.target)

    def initial(self) -> dict[str, Any]:
        initial = super().initial()
        if self.experiment is not None:
            initial["experiment_version"] = self.experiment.version
        return initial

    def form_kwargs(self) -> dict[str, Any]:
        return {"experiment": self.experiment}

    def save(self, form: ReflectStepForm, *, by: User) -> None:
        data = form.cleaned_data
        cycles.cycle_record_reflection(
            **self.common(form, by),
            experiment=self.experiment,
            experiment_version=data.get("experiment_version"),
            happened=data.get("happened", ""),
            learned=data.get("learned", ""),
            threshold_of_knowledge=data.get("threshold_of_knowledge", False),
        )


# Question 3 ------------------------------------------------------------------------------------

NEW = "new"


class ObstacleStepForm(StepForm):
    working_on = forms.ChoiceField(
        label="Which one are you addressing now?",
        widget=forms.RadioSelect,
        error_messages={"required": "Which one obstacle is the learner addressing now?"},
    )
    new_obstacle = forms.CharField(
        label="A newly seen obstacle (optional)",
        required=False,
        max_length=300,
        help_text="Added to the parking lot.",
    )
    field_order = ["working_on", "new_obstacle", "coach_notes"]

    def __init__(self, *args: Any, obstacles: list[Obstacle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.obstacles = {str(o.pk): o for o in obstacles}
        choices = [
            (
                str(o.pk),
                f"{o.description} (working on it now)"
                if o.status == Obstacle.Status.WORKING_ON
                else o.description,
            )
            for o in obstacles
        ]
        field = cast(forms.ChoiceField, self.fields["working_on"])
        field.choices = [*choices, (NEW, "The new obstacle written below")]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("working_on") == NEW and not (data.get("new_obstacle") or "").strip():
            self.add_error("new_obstacle", "Describe the new obstacle to work on it.")
        return data

    def chosen(self) -> tuple[Obstacle | None, bool]:
        value = self.cleaned_data["working_on"]
        return (None, True) if value == NEW else (self.obstacles[value], False)


class ObstacleStep(StepHandler[ObstacleStepForm]):
    key = "obstacles"
    form_class = ObstacleStepForm
    saved = "Obstacle confirmed on the board."

    def initial(self) -> dict[str, Any]:
        initial = super().initial()
        if self.board.working_on is not None:
            initial["working_on"] = str(self.board.working_on.pk)
        return initial

    def form_kwargs(self) -> dict[str, Any]:
        return {"obstacles": self.board.open_obstacles}

    def save(self, form: ObstacleStepForm, *, by: User) -> None:
        chosen, work_on_new = form.chosen()
        cycles.cycle_record_obstacle(
            **self.common(form, by),
            working_on=chosen,
            new_obstacle=form.cleaned_data["new_obstacle"],
            work_on_new=work_on_new,
        )


# Question 4 ------------------------------------------------------------------------------------


class NextStepForm(StepForm):
    step = forms.CharField(
        label="What is your next step?",
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=2000,
        error_messages={"required": "Describe the next step."},
    )
    expected = forms.CharField(
        label="What do you expect?",
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=2000,
        error_messages={"required": "Write what you expect before taking the step."},
        help_text="Written before the step is taken.",
    )
    obstacle = forms.ModelChoiceField(
        queryset=Obstacle.objects.none(),
        required=False,
        label="Obstacle addressed",
        empty_label="(none)",
    )
    field_order = ["step", "expected", "obstacle", "coach_notes"]

    def __init__(self, *args: Any, obstacles: QuerySet[Obstacle], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["obstacle"]).queryset = obstacles

    def clean_expected(self) -> str:
        expected = self.cleaned_data["expected"].strip()
        if not expected:
            raise forms.ValidationError("Write what you expect before taking the step.")
        return expected


class NextStep(StepHandler[NextStepForm]):
    key = "next"
    form_class = NextStepForm
    saved = "Next step added to the PDCA record."

    def initial(self) -> dict[str, Any]:
        return {**super().initial(), "obstacle": self.board.working_on}

    def form_kwargs(self) -> dict[str, Any]:
        target = self.board.target
        obstacles = (
            Obstacle.objects.filter(target_condition=target).exclude(status=Obstacle.Status.CLEARED)
            if target
            else Obstacle.objects.none()
        )
        return {"obstacles": obstacles}

    def save(self, form: NextStepForm, *, by: User) -> None:
        data = form.cleaned_data
        cycles.cycle_record_next_step(
            **self.common(form, by),
            step=data["step"],
            expected=data["expected"],
            obstacle=data["obstacle"],
        )


# Question 5 ------------------------------------------------------------------------------------


class WhenStepForm(StepForm):
    when = LocalDateTimeField(label="When can we go and see?")
    duration_minutes = forms.IntegerField(label="Minutes", min_value=5, max_value=240, initial=20)
    field_order = ["when", "duration_minutes", "coach_notes"]


class WhenStep(StepHandler[WhenStepForm]):
    key = "when"
    form_class = WhenStepForm
    saved = "Next session set."

    def __init__(self, cycle: CoachingCycle, board: Board, *, is_coach: bool, now: datetime):
        super().__init__(cycle, board, is_coach=is_coach, now=now)
        # Keeping its time confirms it; another time moves it; without one, one is scheduled.
        self.next_session: Session | None = selectors.next_session(
            cycle.storyboard, now=now, exclude=cycle.session
        )

    def initial(self) -> dict[str, Any]:
        initial = super().initial()
        if self.next_session is not None:
            initial["when"] = timezone.localtime(self.next_session.starts_at)
            initial["duration_minutes"] = self.next_session.duration_minutes
        else:
            tomorrow = timezone.localtime(self.now) + timedelta(days=1)
            initial["when"] = tomorrow.replace(minute=0, second=0, microsecond=0)
        return initial

    @classmethod
    def summary(cls, answer: dict[str, Any]) -> dict[str, Any]:
        if not answer.get("starts_at"):
            return answer
        return {**answer, "starts": datetime.fromisoformat(answer["starts_at"])}

    def save(self, form: WhenStepForm, *, by: User) -> None:
        data = form.cleaned_data
        cycles.cycle_record_next_session(
            **self.common(form, by), when=data["when"], duration_minutes=data["duration_minutes"]
        )


# The coach's notes -----------------------------------------------------------------------------


class NotesStep(StepHandler[StepForm]):
    key = "notes"
    form_class = StepForm
    saved = "Coaching cycle finished."
    summarised = False

    def save(self, form: StepForm, *, by: User) -> None:
        cycles.cycle_finish(**self.common(form, by))


HANDLERS: dict[str, type[StepHandler[Any]]] = {
    handler.key: handler
    for handler in (
        TargetStep,
        ActualStep,
        ReflectStep,
        ObstacleStep,
        NextStep,
        WhenStep,
        NotesStep,
    )
}
if list(HANDLERS) != [step.key for step in STEPS]:
    raise ImproperlyConfigured("coaching.cycle.HANDLERS must follow coaching.steps.STEPS.")
