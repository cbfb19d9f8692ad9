"""What the coaching views share."""

from __future__ import annotations

from django.urls import reverse

from boards.http import HtmxHttpRequest
from boards.models import Storyboard, User


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """The request of a view behind ``@login_required``: its user is signed in."""

    user: User


def coaching_url(sb: Storyboard) -> str:
    return reverse("coaching:storyboard", args=[sb.pk])


def conflict_message(what: str) -> str:
    return f"Someone else changed this {what} a moment ago: here it is as it is now."
