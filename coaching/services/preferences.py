"""A person's coaching preferences: time zone, reminder lead time, private calendar address."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from boards.models import User, validate_time_zone
from coaching.models import REMINDER_CHOICES, CoachingPreferences, new_calendar_token


def preferences_for(user: User) -> CoachingPreferences:
    preferences, _ = CoachingPreferences.objects.get_or_create(user=user)
    return preferences


@transaction.atomic
def preferences_update(
    *, user: User, time_zone: str, reminder_minutes: int, missed_notice: bool
) -> CoachingPreferences:
    """Set a person's time zone (shown times, reminders) and how early they are reminded."""
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        raise ValidationError({"time_zone": error.messages}) from None
    if reminder_minutes not in {minutes for minutes, _ in REMINDER_CHOICES}:
        raise ValidationError({"reminder_minutes": "Choose one of the offered reminder times."})
    if user.time_zone != time_zone:
        user.time_zone = time_zone
        User.objects.filter(pk=user.pk).update(time_zone=time_zone)
    preferences = preferences_for(user)
    preferences.reminder_minutes = reminder_minutes
    preferences.missed_notice = missed_notice
    preferences.save(update_fields=["reminder_minutes", "missed_notice"])
    return preferences


@transaction.atomic
def calendar_token_reset(*, user: User) -> CoachingPreferences:
    """Give the user a new secret calendar address; the old one stops working at once."""
    preferences = preferences_for(user)
    preferences.calendar_token = new_calendar_token()
    preferences.save(update_fields=["calendar_token"])
    return preferences
