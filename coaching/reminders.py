"""Coaching reminders: the scan beat runs every minute, and the send a worker runs per email.

Nothing is scheduled ahead in the broker (no per-session ETA tasks: Redis redelivers those once
they outlive its visibility timeout, and a reschedule would have to revoke them). Instead the
database says what is due, and each email is one ``Reminder`` row:

1. The scan creates the rows that are due (unique per session, recipient, kind and start time,
   so two scans, or one run twice, create each once), marks as dispatched, with one conditional
   UPDATE, the due rows no scan has enqueued lately, and enqueues a send task for each after
   its transaction commits.
2. The send task claims its row with a conditional UPDATE (only an unclaimed, unsent row, so
   exactly one worker wins however many tasks exist for it), checks the session again (still
   scheduled, not started, at the time the reminder was computed for), opens the SMTP
   connection, marks ``sending_at``, sends, and marks ``sent_at``.

"Exactly once" means: every reminder reaches its recipient's mailbox while its session has not
started, and the mailbox shows it once. Each reminder's Message-ID is fixed by its row, so every
attempt carries the same one. When an attempt ends without knowing whether the server took the
email (the connection broke during the exchange, or the worker died after ``sending_at``), the
reminder is sent again with that same Message-ID: a mail system that already has it drops the
copy, and one that never got it gets it. A worker that died before ``sending_at`` sent nothing;
its claim is released once its lease runs out. A reminder due while every worker was down is
simply a row the next scan finds: sent if its session has not started, skipped after that.
After ``MAX_ATTEMPTS`` attempts a reminder is given up with the last cause, in plain words.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from boards.models import Membership, User
from coaching.models import (
    REMINDER_MAX_MINUTES,
    Reminder,
    Session,
    SessionSeries,
    reminder_minutes_for,
    wants_missed_notice,
)

logger = logging.getLogger(__name__)

# A claim older than this, with no SMTP exchange begun, belongs to a worker that stopped.
CLAIM_LEASE = timedelta(minutes=5)
# An SMTP exchange still unfinished after this belongs to a worker that stopped: each of its
# steps times out after EMAIL_TIMEOUT (20 s unless set), so a live worker is done by then.
SEND_LEASE = timedelta(seconds=max(90, 4 * (settings.EMAIL_TIMEOUT or 20)))
# A dispatched row nobody claimed within this time is enqueued again (its task expires then).
DISPATCH_AGAIN_AFTER = timedelta(minutes=5)
# A notice about a session with no cycle is worth sending for this long after it ended.
MISSED_NOTICE_WINDOW = timedelta(hours=12)
MAX_ATTEMPTS = 5

STARTED = "the session had started"
CANCELLED = "the session was cancelled"
RESCHEDULED = "the session was rescheduled"
CYCLE_RECORDED = "a coaching cycle was recorded"
TOO_LATE = "too late to be useful"
WORKER_STOPPED = "the worker stopped during the SMTP exchange"
# The SMTP server answered with a refusal: nothing was delivered, so trying again is safe.
REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


@dataclass
class ScanResult:
    created: int = 0
    skipped: int = 0
    released: int = 0
    interrupted: int = 0
    dispatched: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {**self.__dict__, "dispatched": len(self.dispatched)}


def participants(series: SessionSeries) -> list[tuple[Reminder.Role, User]]:
    people = [(Reminder.Role.COACH, series.coach), (Reminder.Role.LEARNER, series.learner)]
    if series.second_coach is not None:
        people.append((Reminder.Role.SECOND_COACH, series.second_coach))
    return people


def scan(
    *, now: datetime | None = None, enqueue: Callable[[list[int]], None] | None = None
) -> ScanResult:
    """Create the reminders that are due, tidy stale ones, and dispatch the rest to workers."""
    now = now or timezone.now()
    result = ScanResult()
    with transaction.atomic():
        result.created = _create_due(now)
        result.skipped = _skip_late(now)
        result.released = _release_stale_claims(now)
        result.interrupted = _retry_interrupted(now)
        result.dispatched = _dispatch(now)
        if enqueue is not None and result.dispatched:
            ids = list(result.dispatched)
            transaction.on_commit(lambda: enqueue(ids))
    return result


def _create_due(now: datetime) -> int:
    people = (
        "series__coach__coaching_preferences",
        "series__learner__coaching_preferences",
        "series__second_coach__coaching_preferences",
    )
    live = Session.objects.scheduled().filter(series__cancelled_at=None)
    soon = live.filter(
        starts_at__gt=now, starts_at__lte=now + timedelta(minutes=REMINDER_MAX_MINUTES)
    ).select_related(*people)
    ended = live.filter(
        ends_at__lte=now, ends_at__gt=now - MISSED_NOTICE_WINDOW, cycle__isnull=True
    ).select_related("series__coach__coaching_preferences")
    rows = []
    for session in soon:
        for role, user in participants(session.series):
            minutes = reminder_minutes_for(user)
            due = session.starts_at - timedelta(minutes=minutes)
            if minutes and due <= now:
                rows.append(
                    Reminder(
                        session=session,
                        recipient=user,
                        kind=Reminder.Kind.BEFORE,
                        role=role,
                        session_starts_at=session.starts_at,
                        due_at=due,
                        created_at=now,
                    )
                )
    for session in ended:
        if wants_missed_notice(session.series.coach):
            rows.append(
                Reminder(
                    session=session,
                    recipient=session.series.coach,
                    kind=Reminder.Kind.MISSED,
                    role=Reminder.Role.COACH,
                    session_starts_at=session.starts_at,
                    due_at=session.ends_at,
                    created_at=now,
                )
            )
    if not rows:
        return 0
    existing = set(
        Reminder.objects.filter(session_id__in={r.session_id for r in rows}).values_list(
            "session_id", "recipient_id", "kind", "session_starts_at"
        )
    )
    new = [
        r
        for r in rows
        if (r.session_id, r.recipient_id, r.kind, r.session_starts_at) not in existing
    ]
    # A concurrent scan may have inserted the same rows since: the unique constraint keeps one.
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _unfinished():
    return Reminder.objects.filter(sent_at=None, skipped_at=None)


def _skip_late(now: datetime) -> int:
    """Unclaimed reminders that can no longer be useful are skipped, never sent late."""
    started = _unfinished().filter(
        claimed_at=None, kind=Reminder.Kind.BEFORE, session_starts_at__lte=now
    )
    count = started.update(skipped_at=now, skip_reason=STARTED)
    late = _unfinished().filter(
        claimed_at=None, kind=Reminder.Kind.MISSED, due_at__lte=now - MISSED_NOTICE_WINDOW
    )
    return count + late.update(skipped_at=now, skip_reason=TOO_LATE)


def _release_stale_claims(now: datetime) -> int:
    """A worker that claimed a row and stopped before any SMTP exchange: let another send it."""
    return (
        _unfinished()
        .filter(sending_at=None, claimed_at__lt=now - CLAIM_LEASE)
        .update(claimed_at=None, claim_token="", dispatched_at=None)
    )


def _retry_interrupted(now: datetime) -> int:
    """A worker that stopped mid-send: the email may or may not have gone out, so send it again.

    The copy carries the same Message-ID, so a mailbox that has the first one drops it.
    """
    stale = _unfinished().filter(sending_at__lt=now - SEND_LEASE)
    interrupted = list(stale.values_list("pk", "attempts"))
    for pk, attempts in interrupted:
        logger.warning("Reminder %s: %s; sending it again.", pk, WORKER_STOPPED)
        if attempts >= MAX_ATTEMPTS:
            reason = f"failed {attempts} times: {WORKER_STOPPED}"
            stale.filter(pk=pk).update(skipped_at=now, skip_reason=reason)
    stale.update(claimed_at=None, claim_token="", sending_at=None, dispatched_at=None)
    return len(interrupted)


def _dispatch(now: datetime) -> list[int]:
    token = uuid.uuid4().hex
    _unfinished().filter(claimed_at=None, due_at__lte=now).filter(
        Q(dispatched_at=None) | Q(dispatched_at__lt=now - DISPATCH_AGAIN_AFTER)
    ).update(dispatched_at=now, dispatch_token=token)
    return list(Reminder.objects.filter(dispatch_token=token).values_list("pk", flat=True))


# Sending ---------------------------------------------------------------------------------------


def send(reminder_id: int) -> str:
    """Claim one reminder, check it still holds, and send it; returns what happened."""
    token = uuid.uuid4().hex
    claimed = Reminder.objects.filter(
        pk=reminder_id, sent_at=None, skipped_at=None, claimed_at=None
    ).update(claimed_at=timezone.now(), claim_token=token, attempts=F("attempts") + 1)
    if not claimed:
        return "not claimed: already sent, skipped or claimed by another worker"
    reminder = (
        Reminder.objects.select_related(
            "recipient",
            "session__series__coach",
            "session__series__learner",
            "session__series__second_coach",
            "session__storyboard__team",
            "session__cycle",
        )
        .filter(pk=reminder_id)
        .first()
    )
    if reminder is None:  # its session was deleted a moment ago
        return "gone"
    reason = reason_to_skip(reminder, timezone.now())
    if reason:
        _close(reminder_id, token, skipped_at=timezone.now(), skip_reason=reason)
        return f"skipped: {reason}"
    message = build_message(reminder)
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        return _release(reminder, token, error, pause=True)
    try:
        mine = Reminder.objects.filter(
            pk=reminder_id, claim_token=token, sending_at=None, sent_at=None, skipped_at=None
        ).update(sending_at=timezone.now())
        if not mine:
            return "claim lost: the lease ran out and another worker took it"
        try:
            connection.send_messages([message])
        except REFUSED as error:
            return _release(reminder, token, error, pause=True)
        except (OSError, smtplib.SMTPException) as error:
            # Whether the server kept it is unknown: the same Message-ID goes at the next scan.
            cause = f"the SMTP connection broke during the exchange ({error.__class__.__name__})"
            return _release(reminder, token, cause, pause=False)
        _close(reminder_id, token, sent_at=timezone.now())
        return "sent"
    finally:
        connection.close()


def _close(reminder_id: int, token: str, **changes) -> None:
    Reminder.objects.filter(pk=reminder_id, claim_token=token).update(**changes)


def _release(reminder: Reminder, token: str, error: Exception | str, *, pause: bool) -> str:
    """Give the row back to be dispatched again: after a pause when the server said no, at the
    next scan when the exchange broke off (the session may start before a pause is over)."""
    logger.warning("Reminder %s not sent (%s); will try again.", reminder.pk, error)
    if reminder.attempts >= MAX_ATTEMPTS:
        _close(
            reminder.pk,
            token,
            skipped_at=timezone.now(),
            skip_reason=f"failed {reminder.attempts} times: {error}"[:200],
        )
        return "failed"
    Reminder.objects.filter(pk=reminder.pk, claim_token=token).update(
        claimed_at=None,
        claim_token="",
        sending_at=None,
        dispatched_at=timezone.now() if pause else None,
    )
    return "retry later"


def reason_to_skip(reminder: Reminder, now: datetime) -> str:
    """Why this reminder should not go out now, or "" if it should."""
    session = reminder.session
    series = session.series
    if session.is_cancelled or series.is_cancelled:
        return CANCELLED
    if session.starts_at != reminder.session_starts_at:
        return RESCHEDULED
    if reminder.kind == Reminder.Kind.BEFORE and session.starts_at <= now:
        return STARTED
    if reminder.kind == Reminder.Kind.MISSED:
        if session._cycle() is not None:
            return CYCLE_RECORDED
        if now > session.ends_at + MISSED_NOTICE_WINDOW:
            return TOO_LATE
    recipient = reminder.recipient
    if recipient.pk not in {user.pk for _, user in participants(series)}:
        return "no longer taking part in the session"
    if not recipient.is_active or not recipient.email:
        return "no active account with an email address"
    if not Membership.objects.filter(user=recipient, team_id=session.storyboard.team_id).exists():
        return "no longer a member of the team"
    if session.storyboard.team.archived_at is not None:
        return "the team is archived"
    return ""


def message_id(reminder: Reminder) -> str:
    """The same for every attempt at one reminder, and for no other email."""
    domain = urlsplit(settings.SITE_URL).hostname or "kata.invalid"
    return f"<reminder-{reminder.pk}.{reminder.session_starts_at:%Y%m%dT%H%M%SZ}@{domain}>"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def build_message(reminder: Reminder) -> EmailMultiAlternatives:
    """The email, plain text and HTML, with times in the recipient's own time zone."""
    session = reminder.session
    series = session.series
    storyboard = session.storyboard
    recipient = reminder.recipient
    try:
        zone = zoneinfo.ZoneInfo(recipient.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    others = [(role, user) for role, user in participants(series) if user.pk != recipient.pk]
    context = {
        "reminder": reminder,
        "recipient": recipient,
        "role": Reminder.Role(reminder.role).label.lower(),
        "is_coach": reminder.role == Reminder.Role.COACH,
        "session": session,
        "series": series,
        "storyboard": storyboard,
        "starts": session.starts_at.astimezone(zone),
        "ends": session.ends_at.astimezone(zone),
        "time_zone": str(zone),
        "others": [(Reminder.Role(role).label, user) for role, user in others],
        "board_url": _absolute(storyboard.get_absolute_url()),
        "coaching_url": _absolute(reverse("coaching:storyboard", args=[storyboard.pk])),
        "today_url": _absolute(reverse("coaching:today")),
        "settings_url": _absolute(reverse("coaching:settings")),
        "site_url": settings.SITE_URL,
    }
    name = "reminder" if reminder.kind == Reminder.Kind.BEFORE else "missed"
    with timezone.override(zone):
        subject = render_to_string(f"coaching/email/{name}_subject.txt", context)
        text = render_to_string(f"coaching/email/{name}.txt", context)
        html = render_to_string(f"coaching/email/{name}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[recipient.email],
        headers={
            "Message-ID": message_id(reminder),
            "Auto-Submitted": "auto-generated",
            "X-Kata-Reminder": str(reminder.pk),
        },
    )
    message.attach_alternative(html, "text/html")
    return message
