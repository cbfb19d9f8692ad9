"""The second coach's observation of a coaching cycle."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from boards.models import User
from coaching.models import CoachingCycle, SecondCoachObservation
from coaching.steps import OBSERVED_PARTS


def check_observer(cycle: CoachingCycle, observer_id: int) -> None:
    if observer_id in (cycle.coach_id, cycle.learner_id):
        raise ValidationError("The second coach observes the cycle: not its coach or learner.")


def clean_observation(
    notes: Mapping[str, str], seconds: Mapping[str, int | None]
) -> tuple[dict[str, str], dict[str, int]]:
    """Notes and times as kept: for the observed parts only, notes stripped, 0 to 4 hours each."""
    keys = {part.key for part in OBSERVED_PARTS}
    clean_notes = {k: v.strip() for k, v in notes.items() if k in keys and v and v.strip()}
    clean_seconds = {}
    for key, value in seconds.items():
        if key in keys and value is not None:
            if not 0 <= value <= 4 * 3600:
                raise ValidationError({f"seconds_{key}": "Between 0 and 4 hours."})
            clean_seconds[key] = value
    return clean_notes, clean_seconds


@transaction.atomic
def observation_save(
    *,
    cycle: CoachingCycle,
    observer: User,
    notes: dict[str, str],
    seconds: Mapping[str, int | None],
    feedback: str,
    now: datetime | None = None,
) -> SecondCoachObservation:
    """A second coach's notes per question, time spent per part and feedback for the coach."""
    now = now or timezone.now()
    check_observer(cycle, observer.pk)
    clean_notes, clean_seconds = clean_observation(notes, seconds)
    observation, created = SecondCoachObservation.objects.get_or_create(
        cycle=cycle,
        observer=observer,
        defaults={
            "notes": clean_notes,
            "seconds": clean_seconds,
            "feedback": feedback.strip(),
            "created_at": now,
            "updated_at": now,
        },
    )
    if not created:
        SecondCoachObservation.objects.filter(pk=observation.pk).update(
            notes=clean_notes,
            seconds=clean_seconds,
            feedback=feedback.strip(),
            updated_at=now,
            version=F("version") + 1,
        )
        observation.refresh_from_db()
    return observation
