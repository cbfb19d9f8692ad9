"""Reminders: the minute scan with frozen time, and at most one email per reminder, ever."""

import smtplib
import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection

from boards.models import Membership
from boards.services.storyboards import storyboard_archive
from coaching import reminders
from coaching.models import CoachingPreferences, Reminder, Session
from coaching.services.cycles import cycle_start
from coaching.services.scheduling import session_cancel, session_reschedule
from coaching.tasks import scan_reminders, send_reminder
from kata.celery import app as celery_app
from tests.coaching.conftest import MONDAY_0800, weekday_series


@pytest.fixture(autouse=True)
def on_that_monday():
    """Fixtures are made on Monday 16 March 2026 too: one consistent timeline."""
    with time_machine.travel(MONDAY_0800, tick=False):
        yield


def at(hour: int, minute: int = 0, day: int = 16) -> datetime:
    """A moment on Monday 16 March 2026 (or another March day), in Berlin time (UTC+1)."""
    return datetime(2026, 3, day, hour - 1, minute, tzinfo=UTC)


def scan(moment: datetime) -> list[int]:
    with time_machine.travel(moment, tick=False):
        return reminders.scan().dispatched


def send(moment: datetime, ids) -> list[str]:
    with time_machine.travel(moment, tick=False):
        return [reminders.send(pk) for pk in ids]


def scan_and_send(moment: datetime) -> list[str]:
    return send(moment, scan(moment))


def lead(user, minutes: int, missed_notice: bool = True):
    CoachingPreferences.objects.update_or_create(
        user=user, defaults={"reminder_minutes": minutes, "missed_notice": missed_notice}
    )


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture
def people(coach, learner, second_coach, berlin):
    lead(coach, 15)
    lead(learner, 30)
    lead(second_coach, 10)
    return {"coach": coach, "learner": learner, "second_coach": second_coach}


@pytest.fixture
def series(storyboard, coach, learner, second_coach, people):
    return weekday_series(storyboard, coach, learner, second_coach=second_coach, now=MONDAY_0800)


@pytest.fixture
def session(series) -> Session:
    """Monday 16 March, 09:30 to 09:50 in Berlin."""
    return series.sessions.order_by("starts_at").first()


# The scan, with frozen time --------------------------------------------------------------------


def test_each_person_is_reminded_at_their_own_lead_time(session, people):
    assert scan_and_send(at(8, 59)) == []
    assert mail.outbox == []

    assert scan_and_send(at(9, 0)) == ["sent"]
    assert recipients() == ["lena@example.com"]  # the learner: 30 minutes

    assert scan_and_send(at(9, 14)) == []
    assert scan_and_send(at(9, 15)) == ["sent"]  # the coach: 15 minutes
    assert scan_and_send(at(9, 20)) == ["sent"]  # the second coach: 10 minutes
    assert recipients() == ["carl@example.com", "lena@example.com", "sara@example.com"]
    rows = Reminder.objects.filter(kind="before")
    assert {(r.role, r.due_at) for r in rows} == {
        ("learner", at(9, 0)),
        ("coach", at(9, 15)),
        ("second_coach", at(9, 20)),
    }
    assert all(r.sent_at for r in rows)


def test_scanning_again_sends_nothing_more(session, people):
    scan_and_send(at(9, 25))
    assert len(mail.outbox) == 3
    for minute in (25, 26, 27, 29):
        assert scan_and_send(at(9, minute)) == []
    assert len(mail.outbox) == 3
    assert Reminder.objects.count() == 3


def test_no_reminder_for_someone_who_wants_none(session, people, learner):
    lead(learner, 0)
    scan_and_send(at(9, 25))
    assert "lena@example.com" not in recipients()
    assert not Reminder.objects.filter(recipient=learner).exists()


def test_a_reminder_due_while_workers_were_down_is_sent_when_they_return(session, people):
    dispatched = scan(at(9, 16))  # beat enqueued the sends; no worker took them
    assert len(dispatched) == 2
    # Workers are back at 09:24: the queued tasks run.
    assert send(at(9, 24), dispatched) == ["sent", "sent"]
    assert recipients() == ["carl@example.com", "lena@example.com"]


def test_a_reminder_whose_task_was_lost_is_dispatched_again(session, people):
    first = scan(at(9, 16))
    assert scan(at(9, 18)) == []  # dispatched a moment ago: not enqueued twice
    again = scan(at(9, 22))  # nobody claimed them for five minutes: enqueue again
    assert set(first) <= set(again)
    assert send(at(9, 22), again).count("sent") == 3
    assert (
        send(at(9, 22), first)
        == ["not claimed: already sent, skipped or claimed by another worker"] * 2
    )
    assert len(mail.outbox) == 3


def test_a_reminder_not_sent_before_the_session_started_is_skipped_not_sent_late(session, people):
    dispatched = scan(at(9, 20))  # created and enqueued, but every worker is down
    assert len(dispatched) == 3
    scan(at(9, 31))  # beat runs again after the start
    assert (
        send(at(9, 40), dispatched)
        == ["not claimed: already sent, skipped or claimed by another worker"] * 3
    )
    assert mail.outbox == []
    assert set(Reminder.objects.values_list("skip_reason", flat=True)) == {reminders.STARTED}


def test_a_worker_that_picks_a_reminder_up_after_the_start_skips_it(session, people):
    dispatched = scan(at(9, 20))
    assert send(at(9, 30), dispatched) == [f"skipped: {reminders.STARTED}"] * 3
    assert mail.outbox == []


def test_when_every_worker_and_beat_were_down_past_the_start_nothing_is_sent(session, people):
    assert scan_and_send(at(9, 35)) == []
    assert mail.outbox == []
    assert not Reminder.objects.filter(kind="before").exists()


def test_a_cancelled_session_is_not_reminded(session, people, coach):
    session_cancel(session=session, version=session.version, by=coach, now=at(9))
    assert scan_and_send(at(9, 25)) == []
    assert mail.outbox == []


def test_cancelling_after_reminders_were_enqueued_stops_them(session, people, coach):
    dispatched = scan(at(9, 20))
    session_cancel(session=session, version=session.version, by=coach, now=at(9, 21))
    send(at(9, 21), dispatched)
    assert mail.outbox == []
    assert not Reminder.objects.exists()  # dropped with the cancellation


def test_a_session_cancelled_while_a_worker_held_its_reminder_is_skipped(session, people):
    dispatched = scan(at(9, 20))
    # The cancellation commits between the worker's claim and its check.
    original_reason = reminders.reason_to_skip

    def cancel_first(reminder, now):
        Session.objects.filter(pk=session.pk).update(status="cancelled")
        reminder.session.refresh_from_db()
        return original_reason(reminder, now)

    reminders.reason_to_skip, saved = cancel_first, reminders.reason_to_skip
    try:
        outcomes = send(at(9, 20), dispatched)
    finally:
        reminders.reason_to_skip = saved
    assert outcomes == [f"skipped: {reminders.CANCELLED}"] * 3
    assert mail.outbox == []


def test_a_rescheduled_session_is_reminded_at_its_new_time(session, people, coach):
    session_reschedule(
        session=session,
        version=session.version,
        starts_at=at(11, 0),
        duration_minutes=20,
        by=coach,
        now=at(8),
    )
    assert scan_and_send(at(9, 25)) == []
    assert scan_and_send(at(10, 44)) == ["sent"]  # the learner, 30 minutes before 11:00
    assert scan_and_send(at(10, 45)) == ["sent"]
    reminder = Reminder.objects.get(recipient=coach)
    assert reminder.due_at == at(10, 45)
    assert reminder.session_starts_at == at(11, 0)
    body = mail.outbox[-1].body
    assert "11:00 to 11:20 (Europe/Berlin)" in body


def test_moving_a_session_after_its_reminder_went_out_reminds_again_for_the_new_time(
    session, people, coach
):
    scan_and_send(at(9, 25))
    assert len(mail.outbox) == 3
    session_reschedule(
        session=session,
        version=session.version,
        starts_at=at(14, 0),
        duration_minutes=20,
        by=coach,
        now=at(9, 26),
    )
    scan_and_send(at(13, 55))
    assert len(mail.outbox) == 6
    assert "14:00" in mail.outbox[-1].subject
    # The reminders for 09:30 stay as the record of what was sent.
    assert Reminder.objects.filter(session_starts_at=at(9, 30), sent_at__isnull=False).count() == 3


def test_a_reminder_held_by_a_worker_when_the_session_moved_is_skipped(session, people, coach):
    dispatched = scan(at(9, 20))
    Reminder.objects.filter(pk__in=dispatched).update(claimed_at=at(9, 20), claim_token="w1")
    session_reschedule(
        session=session,
        version=session.version,
        starts_at=at(12, 0),
        duration_minutes=20,
        by=coach,
        now=at(9, 21),
    )
    # The claimed rows survive the reschedule; a released claim is then rechecked.
    Reminder.objects.filter(pk__in=dispatched).update(claimed_at=None, claim_token="")
    assert send(at(9, 22), dispatched) == [f"skipped: {reminders.RESCHEDULED}"] * 3
    assert mail.outbox == []


def test_the_coach_hears_of_a_session_that_ended_with_no_cycle(session, people, coach):
    scan_and_send(at(9, 25))
    mail.outbox.clear()
    assert scan_and_send(at(9, 49)) == []
    assert scan_and_send(at(9, 51)) == ["sent"]
    [notice] = mail.outbox
    assert notice.to == ["carl@example.com"]
    assert notice.subject.startswith("No coaching cycle recorded: Order picking")
    assert scan_and_send(at(10, 30)) == []


def test_no_notice_when_a_cycle_was_recorded(session, people, coach):
    with time_machine.travel(at(9, 31), tick=False):
        cycle_start(storyboard=session.storyboard, coach=coach, session=session)
    scan_and_send(at(9, 55))
    assert not [m for m in mail.outbox if m.subject.startswith("No coaching cycle")]


def test_no_notice_for_a_coach_who_does_not_want_them(session, people, coach):
    lead(coach, 15, missed_notice=False)
    scan_and_send(at(9, 55))
    assert not [m for m in mail.outbox if m.subject.startswith("No coaching cycle")]


def test_someone_no_longer_in_the_team_is_not_reminded(session, people, second_coach):
    dispatched = scan(at(9, 20))
    Membership.objects.filter(user=second_coach).delete()
    send(at(9, 20), dispatched)
    assert recipients() == ["carl@example.com", "lena@example.com"]
    skipped = Reminder.objects.get(recipient=second_coach)
    assert skipped.skip_reason == "no longer a member of the team"


def test_the_sessions_of_an_archived_board_are_not_reminded(session, people, coach):
    dispatched = scan(at(9, 20))
    storyboard_archive(storyboard=session.storyboard, by=coach)
    send(at(9, 20), dispatched)
    assert mail.outbox == []
    reasons = set(Reminder.objects.values_list("skip_reason", flat=True))
    assert reasons == {"the storyboard is archived"}


# The email -------------------------------------------------------------------------------------


def test_the_email_has_text_and_html_with_the_time_in_the_recipients_zone(
    session, people, learner, settings
):
    settings.SITE_URL = "https://kata.example.com"
    learner.time_zone = "America/New_York"
    learner.save(update_fields=["time_zone"])
    scan_and_send(at(9, 0))
    [message] = mail.outbox
    assert message.to == ["lena@example.com"]
    assert message.subject == "Coaching Mon 16 Mar at 04:30: Order picking"
    assert "Monday 16 March 2026, 04:30 to 04:50 (America/New_York)" in message.body
    board_url = f"https://kata.example.com{session.storyboard.get_absolute_url()}"
    assert board_url in message.body
    assert "Coach: Carl Moss" in message.body
    assert "Second coach: Sara Reed" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'href="{board_url}"' in html
    assert "04:30\N{EN DASH}04:50" in html
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_the_coachs_email_names_the_learner_and_points_to_today(session, people, settings):
    settings.SITE_URL = "https://kata.example.com"
    scan_and_send(at(9, 15))
    coach_mail = next(m for m in mail.outbox if m.to == ["carl@example.com"])
    assert coach_mail.subject == "Coaching Mon 16 Mar at 09:30: Order picking with Lena Park"
    assert "https://kata.example.com/today/" in coach_mail.body


# Exactly once ----------------------------------------------------------------------------------


def test_sending_the_same_reminder_twice_sends_one_email(session, people):
    [reminder_id] = scan(at(9, 0))
    assert send(at(9, 0), [reminder_id, reminder_id]) == [
        "sent",
        "not claimed: already sent, skipped or claimed by another worker",
    ]
    assert len(mail.outbox) == 1


def test_a_retried_task_sends_one_email(session, people):
    [reminder_id] = scan(at(9, 0))
    with time_machine.travel(at(9, 0), tick=False):
        send_reminder.apply(args=[reminder_id])
        # The broker redelivers it (visibility timeout, a worker lost): it runs again.
        send_reminder.apply(args=[reminder_id])
        send_reminder.apply(args=[reminder_id], retries=1)
    assert len(mail.outbox) == 1


def test_two_scans_dispatch_each_reminder_once(session, people):
    first = scan(at(9, 25))
    second = scan(at(9, 25))
    assert len(first) == 3
    assert second == []


def test_the_beat_task_enqueues_sends_that_a_worker_runs(
    session, people, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    with (
        time_machine.travel(at(9, 25), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = scan_reminders.apply().get()
    assert result["dispatched"] == 3
    assert recipients() == ["carl@example.com", "lena@example.com", "sara@example.com"]


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it in the worker runs, no except clause catches it."""


def test_a_worker_killed_before_the_smtp_exchange_leaves_the_reminder_to_another(
    session, people, monkeypatch
):
    [reminder_id] = scan(at(9, 0))

    def killed(reminder):
        raise WorkerKilled

    monkeypatch.setattr(reminders, "build_message", killed)
    with pytest.raises(WorkerKilled):
        send(at(9, 0), [reminder_id])
    monkeypatch.undo()
    assert mail.outbox == []
    row = Reminder.objects.get(pk=reminder_id)
    assert row.claimed_at and not row.sending_at

    # Within the lease nobody else may take it; afterwards the scan releases it.
    assert scan(at(9, 4)) == []
    dispatched = scan(at(9, 6))
    assert dispatched == [reminder_id]
    assert send(at(9, 6), dispatched) == ["sent"]
    assert len(mail.outbox) == 1
    assert Reminder.objects.get(pk=reminder_id).attempts == 2


def test_a_worker_killed_after_the_smtp_exchange_sends_again_with_the_same_message_id(
    session, people, monkeypatch
):
    [reminder_id] = scan(at(9, 0))
    close = reminders._close

    def killed_before_marking_sent(pk, token, **changes):
        if "sent_at" in changes:
            raise WorkerKilled
        close(pk, token, **changes)

    monkeypatch.setattr(reminders, "_close", killed_before_marking_sent)
    with pytest.raises(WorkerKilled):
        send(at(9, 0), [reminder_id])
    monkeypatch.undo()
    assert len(mail.outbox) == 1  # it did go out, but nobody knows

    # A redelivered task cannot take it while the dead worker's lease runs.
    assert send(at(9, 1), [reminder_id]) == [
        "not claimed: already sent, skipped or claimed by another worker"
    ]
    assert scan(at(9, 1)) == []
    # Then it goes again, as the same email: a mailbox that has it drops the copy.
    assert scan_and_send(at(9, 3)) == ["sent"]
    assert len(mail.outbox) == 2
    first, again = (message.extra_headers["Message-ID"] for message in mail.outbox)
    assert first == again
    row = Reminder.objects.get(pk=reminder_id)
    assert row.sent_at is not None and row.attempts == 2
    assert scan_and_send(at(9, 10)) == []


def test_a_refusal_by_the_smtp_server_is_tried_again_later(session, people, monkeypatch):
    [reminder_id] = scan(at(9, 0))
    real_send = EmailBackend.send_messages
    calls = []

    def refuse_once(backend, messages):
        calls.append(messages)
        if len(calls) == 1:
            raise smtplib.SMTPRecipientsRefused({"lena@example.com": (450, b"try later")})
        return real_send(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_once)
    assert send(at(9, 0), [reminder_id]) == ["retry later"]
    assert mail.outbox == []
    assert scan(at(9, 3)) == []  # a pause before trying again
    assert scan_and_send(at(9, 6)) == ["sent"]
    assert len(mail.outbox) == 1


def test_an_smtp_server_that_cannot_be_reached_is_tried_again_later(session, people, monkeypatch):
    [reminder_id] = scan(at(9, 0))

    def unreachable(backend):
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(EmailBackend, "open", unreachable, raising=False)
    assert send(at(9, 0), [reminder_id]) == ["retry later"]
    monkeypatch.undo()
    assert scan_and_send(at(9, 6)) == ["sent"]
    assert len(mail.outbox) == 1


def test_a_connection_broken_midway_is_retried_at_the_next_scan_as_the_same_email(
    session, people, monkeypatch
):
    [reminder_id] = scan(at(9, 0))
    real_send = EmailBackend.send_messages
    message_ids = []

    def drop_once(backend, messages):
        message_ids.append(messages[0].extra_headers["Message-ID"])
        if len(message_ids) == 1:
            real_send(backend, messages)  # the server may well have kept it
            raise smtplib.SMTPServerDisconnected("connection closed after DATA")
        return real_send(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", drop_once)
    assert send(at(9, 0), [reminder_id]) == ["retry later"]
    assert scan_and_send(at(9, 1)) == ["sent"]  # no pause: the session may start before one
    assert len(message_ids) == 2 and message_ids[0] == message_ids[1]
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {message_ids[0]}


def test_each_reminder_has_a_message_id_of_its_own(session, people):
    sent = scan_and_send(at(9, 0)) + scan_and_send(at(9, 15)) + scan_and_send(at(9, 20))
    assert sent == ["sent"] * 3
    ids = [message.extra_headers["Message-ID"] for message in mail.outbox]
    assert len(set(ids)) == 3
    assert all(i.startswith("<reminder-") and i.endswith(">") for i in ids)


def test_a_broken_connection_is_never_blamed_on_a_stopped_worker(session, people, monkeypatch):
    lead(people["coach"], 0)
    lead(people["second_coach"], 0)
    [reminder_id] = scan(at(9, 0))

    def drop(backend, messages):
        raise smtplib.SMTPServerDisconnected("connection closed after DATA")

    monkeypatch.setattr(EmailBackend, "send_messages", drop)
    outcomes = send(at(9, 0), [reminder_id])
    for minute in range(1, 5):
        outcomes += scan_and_send(at(9, minute))
    assert outcomes == ["retry later"] * 4 + ["failed"]
    reason = Reminder.objects.get(pk=reminder_id).skip_reason
    assert reason.startswith("failed 5 times: the SMTP connection broke during the exchange")
    assert "worker" not in reason


def test_a_reminder_refused_again_and_again_is_given_up(session, people, monkeypatch):
    lead(people["coach"], 0)
    lead(people["second_coach"], 0)
    [reminder_id] = scan(at(9, 0))

    def refuse(backend, messages):
        raise smtplib.SMTPDataError(554, b"rejected")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    outcomes = []
    for minute in range(0, 30, 6):
        outcomes += scan_and_send(at(9, minute)) if minute else send(at(9, 0), [reminder_id])
    assert outcomes == ["retry later"] * 4 + ["failed"]
    row = Reminder.objects.get(pk=reminder_id)
    assert row.skip_reason.startswith("failed 5 times")
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_and_their_workers_send_one_email_per_person(
    storyboard, coach, learner, second_coach, people
):
    weekday_series(storyboard, coach, learner, second_coach=second_coach, now=MONDAY_0800)
    barrier = threading.Barrier(2)
    errors = []

    def beat_and_worker():
        try:
            barrier.wait(timeout=10)
            # Each "worker" tries to send every due reminder, not only those its scan enqueued.
            ids = scan(at(9, 25)) + list(Reminder.objects.values_list("pk", flat=True))
            send(at(9, 25), ids)
        except Exception as error:  # reported below, with the thread's failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat_and_worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert recipients() == ["carl@example.com", "lena@example.com", "sara@example.com"]
    assert Reminder.objects.count() == 3
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_reminder_send_it_once(
    storyboard, coach, learner, second_coach, people
):
    weekday_series(storyboard, coach, learner, second_coach=second_coach, now=MONDAY_0800)
    [reminder_id] = scan(at(9, 0))
    barrier = threading.Barrier(4)
    outcomes = []

    def worker():
        try:
            barrier.wait(timeout=10)
            outcomes.extend(send(at(9, 0), [reminder_id]))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == [
        "not claimed: already sent, skipped or claimed by another worker"
    ] * 3 + ["sent"]
    assert len(mail.outbox) == 1
