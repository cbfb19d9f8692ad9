"""End to end: beat's scan on a real Celery worker, the real broker, a real SMTP server."""

import email
import socket
import threading
from datetime import timedelta
from email.policy import default as default_policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from coaching.models import CoachingPreferences, Reminder
from coaching.services.scheduling import series_create
from coaching.tasks import scan_reminders, send_reminder
from kata.models import WorkerHeartbeat
from kata.tasks import heartbeat
from tests.worker import celery_worker, wait_for


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(rcpt for rcpts, _ in self.messages for rcpt in rcpts)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


def worker_drained(queue: str, beats: int) -> bool:
    """Wait until the worker has run everything queued before a heartbeat sent now."""
    heartbeat.apply_async(queue=queue)
    return wait_for(lambda: WorkerHeartbeat.objects.filter(beats__gte=beats).exists())


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_one_reminder_per_person_through_smtp(
    smtp_server, storyboard, coach, learner, second_coach
):
    port, inbox = smtp_server
    learner.time_zone = "America/New_York"
    learner.save(update_fields=["time_zone"])
    for user in (coach, learner, second_coach):
        CoachingPreferences.objects.create(user=user, reminder_minutes=15)
    berlin = ZoneInfo("Europe/Berlin")
    starts = (timezone.now() + timedelta(minutes=10)).astimezone(berlin)
    series = series_create(
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
    session = series.sessions.get()
    smtp_env = {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_USE_SSL": "false",
        "SITE_URL": "https://kata.example.com",
    }
    with celery_worker(extra_env=smtp_env) as queue:
        # Two beats (or one beat's scan delivered twice) at the same minute.
        scan_reminders.apply_async(kwargs={"queue": queue}, queue=queue)
        scan_reminders.apply_async(kwargs={"queue": queue}, queue=queue)
        assert wait_for(lambda: Reminder.objects.filter(sent_at__isnull=False).count() == 3)

        # The broker redelivers every send task, and beat keeps scanning: nothing more goes out.
        for reminder_id in Reminder.objects.values_list("pk", flat=True):
            send_reminder.apply_async(args=[reminder_id], queue=queue)
        scan_reminders.apply_async(kwargs={"queue": queue}, queue=queue)
        assert worker_drained(queue, beats=1)

    assert inbox.recipients() == ["carl@example.com", "lena@example.com", "sara@example.com"]
    assert Reminder.objects.filter(session=session, sent_at__isnull=False).count() == 3
    by_recipient = {rcpts[0]: message for rcpts, message in inbox.messages}
    to_learner = by_recipient["lena@example.com"]
    local_start = session.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert f"at {local_start:%H:%M}: Order picking" in to_learner["Subject"]
    text = to_learner.get_body(preferencelist=("plain",)).get_content()
    html = to_learner.get_body(preferencelist=("html",)).get_content()
    assert "(America/New_York)" in text
    assert f"https://kata.example.com{storyboard.get_absolute_url()}" in text
    assert 'href="https://kata.example.com/boards/' in html
