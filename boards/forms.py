from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from boards.models import Metric, Obstacle, TargetCondition
from boards.validators import validate_sensible_date, validate_single_line

TEXTAREA = {"rows": 3}


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


T = TypeVar("T")


def submit(form: forms.Form, save: Callable[[dict[str, Any]], T]) -> tuple[bool, T | None]:
    """The one form idiom: validate, run the service, put what it refuses on the form.

    ``(True, result)`` when the service ran; ``(False, None)`` when the form, now carrying its
    errors, should be shown again (422). ``Conflict`` passes through for the caller to show.
    """
    if not form.is_valid():
        return False, None
    try:
        return True, save(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return False, None


# Browsers' date pickers take and give ISO dates, whatever the page's language.
DateInput = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionedForm(forms.Form):
    """A form that edits a row someone else may be editing too."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NumberField(forms.DecimalField):
    """A metric value: accepts a decimal comma, refuses NaN, infinity and absurd sizes."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 4)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        kwargs["error_messages"] = {
            "invalid": "Enter a number, such as 31 or 12.5.",
            "max_digits": "Enter a number smaller than ten billion.",
            "max_whole_digits": "Enter a number smaller than ten billion.",
            "max_decimal_places": "Use at most 4 decimal places.",
            **kwargs.get("error_messages", {}),
        }
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


# Every date and time field of the app is one of these two: both refuse what lies outside
# 1970 to 2200 (boards.validators), so no form can let a year 1 or 9999 through.


class LocalDateField(forms.DateField):
    """A day, picked with the browser's date picker."""

    widget = DateInput
    default_validators = [validate_sensible_date]


class LocalDateTimeField(forms.DateTimeField):
    """A moment in the reader's time zone, picked with the browser's date and time picker."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_validators = [validate_sensible_date]

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
        super().__init__(**kwargs)


class SingleLineField(forms.CharField):
    """A name or title, shown on one line: no line breaks, tabs or other control characters."""

    default_validators = [validate_single_line]


def _not_in_future(value: datetime | None) -> datetime | None:
    if value and value > timezone.now() + timedelta(minutes=5):
        raise forms.ValidationError("This time is in the future.")
    return value


class ObstacleForm(forms.Form):
    description = forms.CharField(
        max_length=300,
        label="Obstacle",
        error_messages={"required": "Describe what stands between the actual and the target."},
    )


class ObstacleEditForm(VersionedForm, ObstacleForm):
    pass


class ExperimentPlanForm(forms.Form):
    step = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        label="Step",
        max_length=2000,
        error_messages={"required": "Describe the next step."},
    )
    expected = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        label="What do you expect?",
        max_length=2000,
        error_messages={"required": "Write what you expect before taking the step."},
    )
    obstacle = forms.ModelChoiceField(
        queryset=Obstacle.objects.none(),
        required=False,
        label="Obstacle addressed",
        empty_label="(none)",
    )
    planned_for = LocalDateField(
        label="Date",
        required=False,
        initial=timezone.localdate,
        help_text="Empty means today.",
    )

    def __init__(self, *args: Any, target: TargetCondition, **kwargs: Any):
        super().__init__(*args, **kwargs)
        obstacle = self.fields["obstacle"]
        assert isinstance(obstacle, forms.ModelChoiceField)
        obstacle.queryset = target.obstacles.exclude(status=Obstacle.Status.CLEARED)

    def clean_step(self):
        return self.cleaned_data["step"].strip()

    def clean_expected(self):
        expected = self.cleaned_data["expected"].strip()
        if not expected:
            raise forms.ValidationError("Write what you expect before taking the step.")
        return expected


class ExperimentEditForm(VersionedForm, ExperimentPlanForm):
    pass


class ExperimentResultForm(VersionedForm):
    happened = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        label="What happened?",
        max_length=2000,
        error_messages={"required": "Write what actually happened."},
    )
    learned = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        label="What did we learn?",
        max_length=2000,
        error_messages={"required": "Write what you learned."},
    )
    threshold_of_knowledge = forms.BooleanField(
        required=False, label="We reached the threshold of knowledge"
    )
    measurement_value = NumberField(required=False, label="Process metric measured (optional)")
    measured_at = LocalDateTimeField(required=False, label="Measured at (default: now)")

    def clean_measured_at(self):
        return _not_in_future(self.cleaned_data.get("measured_at"))


class GroupedForm(forms.Form):
    """A form whose fields come in labelled groups (``groups``: legend, hint, field names),
    each a fieldset; the fields no group names come first."""

    template_name = "forms/grouped.html"
    groups: list[tuple[str, str, list[str]]] = []

    def fieldsets(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        return [
            (legend, hint, [self[name] for name in names if name in self.fields])
            for legend, hint, names in self.groups
        ]

    def ungrouped(self) -> list[forms.BoundField]:
        grouped = {name for _, _, names in self.groups for name in names}
        return [field for field in self.visible_fields() if field.name not in grouped]


BETTER_IS = [("0", "lower"), ("1", "higher")]


def _better_is(initial: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Better is", choices=BETTER_IS, coerce=lambda v: v == "1", initial=initial
    )


class ActualConditionForm(forms.Form):
    operating_pattern = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        label="What do you observe now?",
        max_length=4000,
        error_messages={"required": "Describe what you observed."},
    )


class CurrentConditionForm(GroupedForm, ActualConditionForm):
    """Grasping the current condition while no target condition defines the metrics: the
    operating pattern, and the process and outcome metric with their values now."""

    process_name = SingleLineField(max_length=120, required=False, label="Name")
    process_unit = SingleLineField(max_length=32, required=False, label="Unit")
    process_higher = _better_is("0")
    process_value = NumberField(required=False, label="Now")
    outcome_name = SingleLineField(max_length=120, required=False, label="Name")
    outcome_unit = SingleLineField(max_length=32, required=False, label="Unit")
    outcome_higher = _better_is("1")
    outcome_value = NumberField(required=False, label="Now")

    groups = [
        (
            "Process metric",
            "How the process behaves, measured often (minutes per changeover, per order...): "
            "its name, unit, which way is better, and its value now.",
            ["process_name", "process_unit", "process_higher", "process_value"],
        ),
        (
            "Outcome metric",
            "The result the process delivers (orders shipped the same day...).",
            ["outcome_name", "outcome_unit", "outcome_higher", "outcome_value"],
        ),
    ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        for kind in Metric.Kind.values:
            named, valued = data.get(f"{kind}_name"), data.get(f"{kind}_value") is not None
            if named and not valued:
                self.add_error(f"{kind}_value", "Enter its value now, as you measured it.")
            elif valued and not named:
                self.add_error(f"{kind}_name", "Name the metric this value measures.")
        return data

    def figures(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "kind": kind,
                "name": data[f"{kind}_name"],
                "unit": data[f"{kind}_unit"],
                "higher_is_better": data[f"{kind}_higher"],
                "value": data[f"{kind}_value"],
            }
            for kind in Metric.Kind.values
            if data.get(f"{kind}_name")
        ]


class MeasurementForm(forms.Form):
    metric = forms.ModelChoiceField(queryset=Metric.objects.none(), empty_label=None)
    value = NumberField(label="Value", error_messages={"required": "Enter the measured value."})
    measured_at = LocalDateTimeField(required=False, label="At (default: now)")
    note = forms.CharField(required=False, max_length=300)

    def __init__(self, *args: Any, target: TargetCondition, **kwargs: Any):
        super().__init__(*args, **kwargs)
        metric = self.fields["metric"]
        assert isinstance(metric, forms.ModelChoiceField)
        metric.queryset = target.metrics.current()

    def clean_measured_at(self):
        return _not_in_future(self.cleaned_data.get("measured_at"))


class MetricFields(forms.Form):
    """The process and outcome metric of a new target condition."""

    process_name = SingleLineField(
        max_length=120, label="Name", error_messages={"required": "Name the process metric."}
    )
    process_unit = SingleLineField(max_length=32, required=False, label="Unit")
    process_target = NumberField(label="Target")
    process_higher = forms.TypedChoiceField(
        label="Better is",
        choices=[("0", "lower"), ("1", "higher")],
        coerce=lambda v: v == "1",
        initial="0",
    )
    outcome_name = SingleLineField(max_length=120, required=False, label="Name")
    outcome_unit = SingleLineField(max_length=32, required=False, label="Unit")
    outcome_target = NumberField(required=False, label="Target")
    outcome_higher = forms.TypedChoiceField(
        label="Better is",
        choices=[("0", "lower"), ("1", "higher")],
        coerce=lambda v: v == "1",
        initial="1",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        if data.get("outcome_name") and data.get("outcome_target") is None:
            self.add_error("outcome_target", "Give the outcome metric a target.")
        return data

    def metric(self, kind: str) -> dict | None:
        data = self.cleaned_data
        if not data.get(f"{kind}_name"):
            return None
        return {
            "name": data[f"{kind}_name"],
            "unit": data[f"{kind}_unit"],
            "target_value": data[f"{kind}_target"],
            "higher_is_better": data[f"{kind}_higher"],
        }


class TargetConditionForm(forms.Form):
    operating_pattern = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Operating pattern",
        max_length=4000,
        help_text="How should the process operate when the target condition is reached?",
        error_messages={"required": "Describe how the process should operate."},
    )
    achieve_by = LocalDateField(
        label="Achieve by",
        help_text="Typically 1 to 4 weeks out.",
    )

    def clean_achieve_by(self):
        achieve_by = self.cleaned_data["achieve_by"]
        if achieve_by < timezone.localdate():
            raise forms.ValidationError("The achieve-by date cannot be in the past.")
        if (achieve_by - timezone.localdate()).days > 366:
            raise forms.ValidationError(
                "A target condition is near: pick a date within a year (usually weeks)."
            )
        return achieve_by


class NewTargetConditionForm(GroupedForm, TargetConditionForm, MetricFields):
    groups = [
        (
            "Process metric",
            "How the process should behave: its target by the achieve-by date.",
            ["process_name", "process_unit", "process_higher", "process_target"],
        ),
        (
            "Outcome metric (optional)",
            "The result the process should deliver by then.",
            ["outcome_name", "outcome_unit", "outcome_higher", "outcome_target"],
        ),
    ]


class TargetConditionEditForm(VersionedForm, TargetConditionForm):
    pass


class CloseTargetConditionForm(VersionedForm):
    status = forms.ChoiceField(
        label="Outcome",
        choices=[
            (TargetCondition.Status.ACHIEVED, "Achieved"),
            (TargetCondition.Status.ABANDONED, "Abandoned"),
        ],
        widget=forms.RadioSelect,
    )
    reflection = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        label="Reflection",
        max_length=4000,
        help_text="What did reaching for this target condition teach us?",
        error_messages={"required": "Write a short reflection before closing."},
    )


class MetricEditForm(VersionedForm):
    name = SingleLineField(max_length=120)
    unit = SingleLineField(max_length=32, required=False)
    target_value = NumberField(label="Target")
    higher_is_better = forms.TypedChoiceField(
        label="Better is",
        choices=[("0", "lower"), ("1", "higher")],
        coerce=lambda v: v == "1",
    )


class MetricForm(forms.Form):
    """A metric added to the active target condition, of a kind it has no current one of."""

    kind = forms.ChoiceField(label="Kind", choices=Metric.Kind.choices)
    name = SingleLineField(
        max_length=120, label="Name", error_messages={"required": "Name the metric."}
    )
    unit = SingleLineField(max_length=32, required=False)
    higher_is_better = _better_is("0")
    target_value = NumberField(
        label="Target",
        help_text="Where the metric should be by the achieve-by date.",
        error_messages={"required": "Give the metric a target."},
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = kinds
        if len(kinds) == 1:
            kind.widget = forms.HiddenInput()


class ConfirmForm(forms.Form):
    """Deleting or retiring something: nothing to fill in, only to confirm."""


class VersionedConfirmForm(VersionedForm, ConfirmForm):
    """Confirming a change to a row someone else may have changed since it was shown."""
