"""Forms for setting up a team's work: its challenges and its storyboards' heading and people.

The services check the same rules (a current challenge, people whose role may change boards);
the forms offer only the choices that pass them, so the lists are the help.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from boards.forms import TEXTAREA, LocalDateField, SingleLineField, VersionedForm
from boards.models import EDITING_ROLES, Challenge, Team, User

# A challenge lies 6 months to 3 years out; ten years leaves room without accepting typos.
CHALLENGE_YEARS = 10


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return cast(User, obj).display_name


def _people(team: Team) -> QuerySet[User]:
    """The team's members who may learn or coach: those whose role may change boards."""
    return User.objects.filter(
        memberships__team=team, memberships__role__in=EDITING_ROLES
    ).order_by("first_name", "last_name", "username")


class ChallengeForm(forms.Form):
    title = SingleLineField(
        max_length=200,
        label="Challenge",
        help_text="One line: the state to reach, such as “Every order ships the day it arrives”.",
        error_messages={"required": "Describe the challenge in one line."},
    )
    horizon = LocalDateField(
        label="By when",
        help_text="Usually 6 months to 3 years out.",
        error_messages={"required": "Give the date the challenge should be met by."},
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        label="Description (optional)",
        required=False,
        max_length=4000,
        help_text="How you will know it is met, and why it matters.",
    )

    def __init__(self, *args: Any, keep: date | None = None, **kwargs: Any):
        # Editing a challenge whose date has passed may keep that date.
        self.keep = keep
        super().__init__(*args, **kwargs)

    def clean_horizon(self) -> date:
        horizon: date = self.cleaned_data["horizon"]
        today = timezone.localdate()
        if horizon < today and horizon != self.keep:
            raise forms.ValidationError("The date cannot be in the past.")
        if horizon.year > today.year + CHALLENGE_YEARS:
            raise forms.ValidationError(
                f"Pick a date within {CHALLENGE_YEARS} years: a challenge is months to years out."
            )
        return horizon


class ChallengeEditForm(VersionedForm, ChallengeForm):
    pass


class _ChallengeChoice(forms.Form):
    challenge = forms.ModelChoiceField(
        queryset=Challenge.objects.none(),
        label="Challenge",
        empty_label=None,
        help_text="The direction this board works toward.",
    )

    def _challenges(self, team: Team) -> None:
        field = cast(forms.ModelChoiceField, self.fields["challenge"])
        field.queryset = Challenge.objects.filter(team=team).current()


class _FocusProcess(forms.Form):
    focus_process = SingleLineField(
        max_length=200,
        label="Focus process",
        help_text="The process the learner improves, such as “Changeover, line 3”.",
        error_messages={"required": "Name the focus process."},
    )


class _People(forms.Form):
    learner = PersonField(
        queryset=User.objects.none(),
        label="Learner",
        empty_label=None,
        help_text="Works through the Improvement Kata on this board.",
    )
    coach = PersonField(
        queryset=User.objects.none(),
        label="Coach (optional)",
        required=False,
        empty_label="(no coach yet)",
        help_text="Asks the five questions in coaching cycles.",
    )

    def _people(self, team: Team) -> None:
        for name in ("learner", "coach"):
            cast(PersonField, self.fields[name]).queryset = _people(team)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        learner, coach = data.get("learner"), data.get("coach")
        if learner is not None and coach is not None and learner.pk == coach.pk:
            self.add_error("coach", "The coach and the learner are two people.")
        return data


class StoryboardNewForm(_FocusProcess, _ChallengeChoice, _People):
    field_order = ["focus_process", "challenge", "learner", "coach"]

    def __init__(self, *args: Any, team: Team, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._challenges(team)
        self._people(team)


class StoryboardEditForm(VersionedForm, _FocusProcess, _ChallengeChoice):
    field_order = ["focus_process", "challenge"]

    def __init__(self, *args: Any, team: Team, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._challenges(team)


class HandOverForm(VersionedForm, _People):
    field_order = ["learner", "coach"]

    def __init__(self, *args: Any, team: Team, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._people(team)
