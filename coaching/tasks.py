"""Coaching's Celery tasks: thin, they take ids and call ``coaching.reminders``/``services``."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from coaching import reminders
from coaching.services.scheduling import sessions_extend_all


@shared_task
def scan_reminders(queue: str | None = None) -> dict:
    """Beat runs this every minute: find due reminders and enqueue one send task per email.

    ``queue`` routes the send tasks (default: Celery's default queue); a test worker that
    consumes a queue of its own passes it so the sends come back to it.
    """
    expires = reminders.DISPATCH_AGAIN_AFTER.total_seconds()

    options: dict[str, Any] = {"expires": expires}
    if queue is not None:
        options["queue"] = queue

    def enqueue(ids: list[int]) -> None:
        for reminder_id in ids:
            send_reminder.apply_async(args=(reminder_id,), **options)

    return reminders.scan(enqueue=enqueue).as_dict()


@shared_task
def send_reminder(reminder_id: int) -> str:
    """Send one reminder, at most once however often this task runs (see coaching.reminders)."""
    return reminders.send(reminder_id)


@shared_task
def extend_sessions() -> int:
    """Beat runs this hourly: materialise recurring sessions a rolling horizon ahead."""
    return sessions_extend_all()
