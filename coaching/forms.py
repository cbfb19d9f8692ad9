from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from datetime import time
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from boards.forms import LocalDateField, LocalDateTimeField
from boards.models import EDITING_ROLES, Storyboard, User
from coaching import recurrence
from coaching.models import REMINDER_CHOICES, SecondCoachObservation, SessionSeries
from coaching.steps import OBSERVED_PARTS

TimeInput = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
NOTES = forms.Textarea(attrs={"rows": 3})


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # Set when someone else saved first: the form is shown again with the current values.
    conflict = ""


# Preferences -----------------------------------------------------------------------------------


class PreferencesForm(forms.Form):
    time_zone = forms.ChoiceField(
        label="Your time zone",
        choices=time_zone_choices,
        help_text="Times on pages, in reminders and in your calendar are shown in it.",
    )
    reminder_minutes = forms.TypedChoiceField(
        label="Remind me of a coaching session",
        choices=REMINDER_CHOICES,
        coerce=int,
    )
    missed_notice = forms.BooleanField(
        required=False,
        label="Tell me when a session I coach ended with no coaching cycle recorded",
    )


# Scheduling ------------------------------------------------------------------------------------

REPEAT_CHOICES = [
    ("once", "Once"),
    ("weekdays", "Every weekday (Monday to Friday)"),
    ("daily", "Every day"),
    ("days", "On the days chosen below"),
]
ENDS_CHOICES = [
    ("never", "Keeps going"),
    ("until", "Until a date"),
    ("count", "After a number of sessions"),
]


class ScheduleFields(forms.Form):
    start_date = LocalDateField(label="First day")
    start_time = forms.TimeField(label="Time", widget=TimeInput, initial=time(9, 30))
    duration_minutes = forms.IntegerField(
        label="Minutes", min_value=5, max_value=240, initial=20, help_text="Often 20 or less."
    )
    repeat = forms.ChoiceField(
        label="Repeat", choices=REPEAT_CHOICES, initial="weekdays", widget=forms.RadioSelect
    )
    days = forms.MultipleChoiceField(
        label="Days",
        choices=recurrence.WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For “On the days chosen below”.",
    )
    ends = forms.ChoiceField(
        label="Ends", choices=ENDS_CHOICES, initial="never", widget=forms.RadioSelect
    )
    until = LocalDateField(label="Last day", required=False)
    count = forms.IntegerField(label="Number of sessions", required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        repeat = data.get("repeat")
        if repeat:
            try:
                data["rrule"] = recurrence.build_rule(repeat=repeat, days=data.get("days"))
            except recurrence.InvalidRule as error:
                self.add_error("days", str(error))
        ends = data.get("ends")
        if repeat == "once" or ends == "never":
            data["until"] = data["count"] = None
        elif ends == "until":
            data["count"] = None
            if not data.get("until"):
                self.add_error("until", "Give the last day.")
        elif ends == "count":
            data["until"] = None
            if not data.get("count"):
                self.add_error("count", "Give the number of sessions.")
        return data

    @classmethod
    def initial_for(cls, series: SessionSeries) -> dict[str, Any]:
        repeat, days = recurrence.parse_rule(series.rrule)
        ends = "count" if series.count else "until" if series.until else "never"
        return {
            "start_date": series.start_date,
            "start_time": series.start_time,
            "duration_minutes": series.duration_minutes,
            "repeat": repeat,
            "days": days,
            "ends": ends,
            "until": series.until,
            "count": series.count,
            "second_coach": series.second_coach,
            "version": series.version,
        }


def _members(storyboard: Storyboard, roles: Iterable[str] | None = None) -> QuerySet[User]:
    members = User.objects.filter(memberships__team_id=storyboard.team_id)
    if roles is not None:
        members = members.filter(memberships__role__in=roles)
    return members.order_by("first_name", "last_name", "username")


def _people(form: forms.Form, name: str) -> PersonChoiceField:
    return cast(PersonChoiceField, form.fields[name])


class ScheduleForm(ScheduleFields):
    coach = PersonChoiceField(queryset=User.objects.none(), label="Coach", empty_label=None)
    learner = PersonChoiceField(queryset=User.objects.none(), label="Learner", empty_label=None)
    second_coach = PersonChoiceField(
        queryset=User.objects.none(),
        label="Second coach (observes)",
        required=False,
        empty_label="(none)",
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices,
        help_text="The time repeats in this zone: 09:30 stays 09:30 when the clocks change.",
    )
    field_order = ["coach", "learner", "second_coach"]

    def __init__(self, *args: Any, storyboard: Storyboard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _people(self, "coach").queryset = _members(storyboard, EDITING_ROLES)
        _people(self, "learner").queryset = _members(storyboard)
        _people(self, "second_coach").queryset = _members(storyboard)


class SeriesEditForm(VersionForm, ScheduleFields):
    second_coach = PersonChoiceField(
        queryset=User.objects.none(),
        label="Second coach (observes)",
        required=False,
        empty_label="(none)",
    )

    def __init__(self, *args: Any, storyboard: Storyboard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _people(self, "second_coach").queryset = _members(storyboard)


class SessionMoveForm(VersionForm):
    starts_at = LocalDateTimeField(label="New time")
    duration_minutes = forms.IntegerField(label="Minutes", min_value=5, max_value=240)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["starts_at"].help_text = f"In your time zone, {zone}."


# Second coach ----------------------------------------------------------------------------------

DURATION = re.compile(r"^\s*(?:(\d{1,3})\s*:\s*([0-5]?\d)|(\d{1,5}))\s*$")


def format_seconds(seconds: int | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"


class ObservationForm(forms.Form):
    feedback = forms.CharField(
        label="Feedback for the coach",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = {}
        for part in OBSERVED_PARTS:
            fields[f"notes_{part.key}"] = forms.CharField(
                label=f"Notes on {part.label.lower()}",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=4000,
            )
            fields[f"time_{part.key}"] = forms.CharField(
                label=f"Time on {part.label.lower()} (min:sec)",
                required=False,
                max_length=12,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
            )
        self.fields = {**fields, "feedback": self.fields["feedback"]}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for part in OBSERVED_PARTS:
            name = f"time_{part.key}"
            raw = (data.get(name) or "").strip()
            if not raw:
                data[name] = None
                continue
            match = DURATION.match(raw)
            if not match:
                self.add_error(name, "Write minutes and seconds, such as 3:20.")
                continue
            minutes, seconds, only = match.groups()
            data[name] = int(only) * 60 if only else int(minutes) * 60 + int(seconds)
        return data

    def notes(self) -> dict[str, str]:
        return {p.key: self.cleaned_data.get(f"notes_{p.key}", "") for p in OBSERVED_PARTS}

    def seconds(self) -> dict[str, int | None]:
        return {p.key: self.cleaned_data.get(f"time_{p.key}") for p in OBSERVED_PARTS}

    @staticmethod
    def initial_for(
        observation: SecondCoachObservation | None, timings: dict[str, int]
    ) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for part in OBSERVED_PARTS:
            seconds = (observation.seconds if observation else {}).get(part.key)
            if seconds is None:
                seconds = timings.get(part.key)
            initial[f"time_{part.key}"] = format_seconds(seconds)
            if observation:
                initial[f"notes_{part.key}"] = observation.notes.get(part.key, "")
        if observation:
            initial["feedback"] = observation.feedback
        return initial
