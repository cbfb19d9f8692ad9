"""A person's own account: name and email, password change, and password reset by email."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods

from boards.forms import submit
from boards.http import AuthenticatedHttpRequest, see_other
from boards.models import Membership, User
from boards.people_forms import ProfileForm
from boards.services.profiles import profile_update


def is_unclaimed(user: User) -> bool:
    """An account an import made for someone who has not set a password here yet."""
    return not user.is_active and not user.has_usable_password() and user.last_login is None


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, which also reaches unclaimed accounts so their owners can claim them."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The page's one field reads as a question with its answer: no colon after the label.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def get_users(self, email: str):
        yield from super().get_users(email)
        for user in User._default_manager.filter(email__iexact=email, is_active=False):
            if is_unclaimed(user):
                yield user


class SetPasswordForm(auth_forms.SetPasswordForm):
    def save(self, commit: bool = True) -> User:
        claiming = is_unclaimed(self.user)
        user = super().save(commit=False)
        if claiming:
            user.is_active = True
        if commit:
            user.save()
        return user


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self) -> dict:
        # Links are built from SITE_URL, never from the request's Host header.
        return {"site_url": settings.SITE_URL}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever reads the mailbox may sign in again at once, even after too many wrong
        # passwords: lift django-axes' lock-out for this account.
        axes_reset(username=form.user.get_username())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is changed.")
        return response


@login_required
@require_http_methods(["GET", "POST"])
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Your name and email address; time zone and reminders live on the coaching settings."""
    user = request.user
    initial = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound:
        ok, _ = submit(form, lambda data: profile_update(user=user, **data))
        if ok:
            messages.success(request, "Your details are saved.")
            return see_other(reverse("account"))
    memberships = Membership.objects.filter(user=user).select_related("team").order_by("team__name")
    context = {"form": form, "memberships": memberships}
    return render(request, "kata/account.html", context, status=422 if form.is_bound else 200)
