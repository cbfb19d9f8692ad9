"""What the coaching views share."""

from __future__ import annotations

from django.urls import reverse

from boards.models import Storyboard


def coaching_url(sb: Storyboard) -> str:
    return reverse("coaching:storyboard", args=[sb.pk])


def conflict_message(what: str) -> str:
    return f"Someone else changed this {what} a moment ago: here it is as it is now."
