"""The forms about people: inviting someone, accepting an invitation, one's own details."""

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from boards.forms import SingleLineField
from boards.models import Role

# Members and invitations -----------------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the email address to send the invitation to.",
            "invalid": "Enter an email address, such as ana@example.com.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.MEMBER)


class NameFields(forms.Form):
    first_name = SingleLineField(
        label="First name",
        max_length=150,
        error_messages={"required": "Enter your first name."},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = SingleLineField(
        label="Last name",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )


class AcceptInvitationForm(NameFields):
    """A new account from an invitation; the service checks the password against the rules."""

    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="What you sign in with: letters, digits and @ . + - _ only.",
        error_messages={"required": "Choose a username to sign in with."},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        help_text=password_validators_help_text_html(),
        error_messages={"required": "Choose a password."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        error_messages={"required": "Type the password a second time."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ: type the same one twice.")
        return cleaned


class ProfileForm(NameFields):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Invitations and password resets are sent here.",
        error_messages={
            "required": "Enter your email address: password resets are sent there.",
            "invalid": "Enter an email address, such as ana@example.com.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
