"""Faults end to end: a worker killed by SIGKILL mid-send and an SMTP server that drops the
connection after DATA. Every recipient's reminder arrives, as one email (one Message-ID) each.
"""

import asyncio
import email
import threading
from datetime import timedelta
from email.policy import default as default_policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from coaching import reminders
from coaching.models import CoachingPreferences, Reminder
from coaching.services.scheduling import series_create
from coaching.tasks import send_reminder
from tests.coaching.test_reminder_worker import free_port
from tests.worker import celery_worker, kill_worker, wait_for

DROPPED = "lena@example.com"  # the server drops the connection after DATA, keeping nothing
STALLED = "sara@example.com"  # the server keeps it, then the worker is killed before the reply


class FaultyMailbox:
    """A mail server that misbehaves once per chosen recipient, and a mailbox behind it."""

    def __init__(self):
        self.kept: list[tuple[str, email.message.EmailMessage]] = []
        self.first_attempt = {DROPPED, STALLED}
        self.stalled = threading.Event()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        [rcpt] = envelope.rcpt_tos
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            first = rcpt in self.first_attempt
            self.first_attempt.discard(rcpt)
        if first and rcpt == DROPPED:
            server.transport.abort()
            return "421 Connection lost"  # never reaches the client
        with self.lock:
            self.kept.append((rcpt, message))
        if first and rcpt == STALLED:
            self.stalled.set()
            await asyncio.sleep(30)  # the worker is killed while it waits for this reply
        return "250 Message accepted for delivery"

    def message_ids(self) -> dict[str, set[str]]:
        with self.lock:
            ids: dict[str, set[str]] = {}
            for rcpt, message in self.kept:
                ids.setdefault(rcpt, set()).add(message["Message-ID"])
            return ids


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_no_reminder_is_lost_or_doubled_when_the_worker_dies_and_smtp_drops(
    storyboard, coach, learner, second_coach
):
    mailbox = FaultyMailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    for user in (coach, learner, second_coach):
        CoachingPreferences.objects.create(user=user, reminder_minutes=30)
    berlin = ZoneInfo("Europe/Berlin")
    starts = (timezone.now() + timedelta(minutes=20)).astimezone(berlin)
    series_create(
        storyboard=storyboard,
        coach=coach,
        learner=learner,
        second_coach=second_coach,
        start_date=starts.date(),
        start_time=starts.time(),
        rrule="",
        time_zone="Europe/Berlin",
        by=coach,
    )
    smtp_env = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(controller.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_USE_SSL": "false",
        "EMAIL_TIMEOUT": "60",
    }

    def enqueue_to(queue):
        return lambda ids: [send_reminder.apply_async(args=[i], queue=queue) for i in ids]

    try:
        with celery_worker(extra_env=smtp_env) as queue:
            assert len(reminders.scan(enqueue=enqueue_to(queue)).dispatched) == 3
            assert mailbox.stalled.wait(60), "the stalled send never reached the server"
            kill_worker(queue)
        assert not Reminder.objects.filter(sent_at__isnull=False, recipient=second_coach)

        # Beat goes on scanning once the dead worker's lease has run out; a new worker starts.
        later = timezone.now() + reminders.SEND_LEASE + timedelta(minutes=1)
        with celery_worker(extra_env=smtp_env) as queue:
            reminders.scan(now=later, enqueue=enqueue_to(queue))
            assert wait_for(lambda: not Reminder.objects.filter(sent_at=None).exists())
    finally:
        controller.stop()

    ids = mailbox.message_ids()
    assert set(ids) == {"carl@example.com", DROPPED, STALLED}  # none missing
    assert all(len(distinct) == 1 for distinct in ids.values()), ids  # one email each
    assert len(set().union(*ids.values())) == 3
    assert [rcpt for rcpt, _ in mailbox.kept].count(STALLED) == 2  # the copy the mailbox drops
    assert Reminder.objects.filter(skipped_at__isnull=False).count() == 0
