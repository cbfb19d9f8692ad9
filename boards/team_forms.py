"""The forms of a team's own pages: new team, its name and address, deleting it.

The services check and clean what matters (the address's shape and that it is free, the typed
name); these forms only read the fields and say what each one is for.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse

from boards.forms import SingleLineField
from boards.services.teams import NAME_MAX, SLUG_MAX

NAME_HELP = "As people in your company call it: Dispatch, Ward 4 admissions, Line 3."
SLUG_HELP = (
    "Where the team's page is, as in /teams/dispatch/: letters a to z, digits and hyphens. "
    "Changing it later breaks links and bookmarks to the old one."
)


class TeamForm(forms.Form):
    name = SingleLineField(
        label="Team name",
        max_length=NAME_MAX,
        help_text=NAME_HELP,
        error_messages={"required": "Give the team a name."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    slug = forms.CharField(
        label="Address",
        max_length=SLUG_MAX,
        help_text=SLUG_HELP,
        error_messages={"required": "Give the team an address."},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class NewTeamForm(TeamForm):
    """The address may be left empty: the page then proposes one from the name to check.

    With JavaScript the proposal fills in while the name is typed (until the address is typed
    over); ``slug_auto`` carries the last proposal, so a typed address is never replaced.
    """

    slug_auto = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        suggest = reverse("boards:team_slug")
        self.fields["name"].widget.attrs.update(
            {
                "hx-get": suggest,
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#slug-field",
                "hx-swap": "outerHTML",
                "hx-include": "#slug-field",
            }
        )


class TeamDeleteForm(forms.Form):
    confirm = forms.CharField(
        label="The team's name",
        max_length=NAME_MAX + 20,
        error_messages={"required": "Type the team's name to confirm."},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, team_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = f"Type {team_name} to confirm"
