"""Scheduling: occurrences over a rolling horizon, moving and cancelling one or all of them."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from boards.services.base import Conflict
from coaching.models import Reminder, Session
from coaching.services.scheduling import (
    HORIZON,
    series_cancel,
    series_extend,
    series_update,
    session_cancel,
    session_reschedule,
    sessions_extend_all,
)
from tests.coaching.conftest import MONDAY_0800, weekday_series
from tests.factories import MembershipFactory, UserFactory

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def on_that_monday():
    """Fixtures are made on Monday 16 March 2026 too: one consistent timeline."""
    with time_machine.travel(MONDAY_0800, tick=False):
        yield


def local(session: Session) -> str:
    return session.starts_at.astimezone(BERLIN).strftime("%a %d %b %H:%M")


@pytest.fixture
def series(storyboard, coach, learner):
    return weekday_series(storyboard, coach, learner, now=MONDAY_0800)


def test_a_series_is_materialised_sixty_days_ahead(series):
    sessions = list(series.sessions.all())
    assert len(sessions) == 44  # Mon 16 March to Thu 14 May, weekdays
    assert local(sessions[0]) == "Mon 16 Mar 09:30"
    assert series.generated_until == MONDAY_0800 + HORIZON
    assert len({s.uid for s in sessions}) == len(sessions)
    assert all(s.storyboard_id == series.storyboard_id for s in sessions)


def test_extending_is_idempotent_and_rolls_forward(series):
    before = set(series.sessions.values_list("uid", flat=True))
    assert series_extend(series=series, now=MONDAY_0800) == 0
    sessions_extend_all(now=MONDAY_0800)
    assert set(series.sessions.values_list("uid", flat=True)) == before

    a_week_later = MONDAY_0800 + timedelta(days=7)
    sessions_extend_all(now=a_week_later)
    sessions_extend_all(now=a_week_later)
    after = list(series.sessions.all())
    assert len(after) == 44 + 5
    assert before < {s.uid for s in after}
    series.refresh_from_db()
    assert series.generated_until == a_week_later + HORIZON


def test_extending_twice_at_once_adds_each_occurrence_once(series):
    series.refresh_from_db()
    stale_copy = type(series).objects.get(pk=series.pk)
    later = MONDAY_0800 + timedelta(days=14)
    series_extend(series=series, now=later)
    # A second worker that read the series before the first one extended it.
    series_extend(series=stale_copy, now=later)
    assert series.sessions.count() == 44 + 10


def test_moving_one_occurrence_keeps_its_uid_and_leaves_the_rest(series, coach):
    tuesday = series.sessions.order_by("starts_at")[1]
    uid = tuesday.uid
    new_time = datetime(2026, 3, 17, 13, 0, tzinfo=UTC)  # 14:00 Berlin
    session_reschedule(
        session=tuesday,
        version=tuesday.version,
        starts_at=new_time,
        duration_minutes=30,
        by=coach,
        now=MONDAY_0800,
    )
    tuesday.refresh_from_db()
    assert tuesday.uid == uid
    assert (tuesday.starts_at, tuesday.ends_at) == (new_time, new_time + timedelta(minutes=30))
    assert tuesday.is_moved
    assert tuesday.version == 2
    others = series.sessions.exclude(pk=tuesday.pk)
    assert {s.starts_at.astimezone(BERLIN).time() for s in others} == {time(9, 30)}


def test_moving_with_a_stale_version_is_refused(series, coach):
    session = series.sessions.first()
    session_reschedule(
        session=Session.objects.get(pk=session.pk),
        version=1,
        starts_at=MONDAY_0800 + timedelta(hours=5),
        duration_minutes=20,
        by=coach,
        now=MONDAY_0800,
    )
    with pytest.raises(Conflict):
        session_reschedule(
            session=session,
            version=1,
            starts_at=MONDAY_0800 + timedelta(days=1),
            duration_minutes=20,
            by=coach,
            now=MONDAY_0800,
        )


def test_moving_into_the_past_or_a_finished_session_is_refused(series, coach):
    session = series.sessions.first()
    with pytest.raises(ValidationError):
        session_reschedule(
            session=session,
            version=session.version,
            starts_at=MONDAY_0800 - timedelta(hours=1),
            duration_minutes=20,
            by=coach,
            now=MONDAY_0800,
        )
    with pytest.raises(ValidationError, match="over"):
        session_reschedule(
            session=session,
            version=session.version,
            starts_at=MONDAY_0800 + timedelta(days=3),
            duration_minutes=20,
            by=coach,
            now=session.ends_at + timedelta(minutes=1),
        )


def test_cancelling_one_occurrence_keeps_the_series(series, coach):
    second = series.sessions.order_by("starts_at")[1]
    session_cancel(session=second, version=second.version, by=coach, now=MONDAY_0800)
    second.refresh_from_db()
    assert second.is_cancelled
    assert Session.objects.filter(series=series, status="scheduled").count() == 43
    # Extending again does not bring the cancelled occurrence back.
    sessions_extend_all(now=MONDAY_0800 + timedelta(days=1))
    second.refresh_from_db()
    assert second.is_cancelled
    assert Session.objects.filter(series=series, original_start=second.original_start).count() == 1


def test_cancelling_the_series_cancels_every_future_session_and_stops_extending(series, coach):
    later = MONDAY_0800 + timedelta(days=2, hours=3)  # Wednesday after the session
    series_cancel(series=series, version=series.version, by=coach, now=later)
    statuses = {local(s): s.status for s in series.sessions.order_by("starts_at")[:4]}
    assert statuses == {
        "Mon 16 Mar 09:30": "scheduled",
        "Tue 17 Mar 09:30": "scheduled",
        "Wed 18 Mar 09:30": "scheduled",  # already held
        "Thu 19 Mar 09:30": "cancelled",
    }
    count = series.sessions.count()
    sessions_extend_all(now=later + timedelta(days=30))
    assert series.sessions.count() == count


def test_rescheduling_the_series_keeps_uids_and_a_moved_occurrence(series, coach):
    sessions = list(series.sessions.order_by("starts_at"))
    uids = {s.uid for s in sessions}
    moved = sessions[2]
    session_reschedule(
        session=moved,
        version=moved.version,
        starts_at=datetime(2026, 3, 18, 14, 0, tzinfo=UTC),
        duration_minutes=20,
        by=coach,
        now=MONDAY_0800,
    )
    cancelled = sessions[3]
    session_cancel(session=cancelled, version=1, by=coach, now=MONDAY_0800)
    series.refresh_from_db()

    series_update(
        series=series,
        version=series.version,
        start_date=series.start_date,
        start_time=time(10, 0),
        duration_minutes=15,
        rrule=series.rrule,
        by=coach,
        now=MONDAY_0800,
    )
    after = list(series.sessions.order_by("original_start"))
    assert {s.uid for s in after} == uids
    by_uid = {s.uid: s for s in after}
    assert local(by_uid[sessions[0].uid]) == "Mon 16 Mar 10:00"
    assert by_uid[sessions[0].uid].duration_minutes == 15
    assert local(by_uid[moved.uid]) == "Wed 18 Mar 15:00"  # moved on its own: stays
    assert by_uid[cancelled.uid].is_cancelled
    assert {s.version for s in after} >= {2}


def test_rescheduling_the_series_to_other_days_drops_and_adds_occurrences(series, coach):
    monday_uid = series.sessions.order_by("starts_at").first().uid
    series_update(
        series=series,
        version=series.version,
        start_date=series.start_date,
        start_time=time(9, 30),
        duration_minutes=20,
        rrule="FREQ=WEEKLY;BYDAY=MO,TH,SA",
        by=coach,
        now=MONDAY_0800,
    )
    days = {s.starts_at.astimezone(BERLIN).strftime("%a") for s in series.sessions.all()}
    assert days == {"Mon", "Thu", "Sat"}
    assert series.sessions.filter(uid=monday_uid).exists()


def test_rescheduling_after_todays_session_does_not_add_a_second_one_today(series, coach):
    after_the_session = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # 10:00 Berlin
    series_update(
        series=series,
        version=series.version,
        start_date=series.start_date,
        start_time=time(11, 0),
        duration_minutes=20,
        rrule=series.rrule,
        by=coach,
        now=after_the_session,
    )
    today = [s for s in series.sessions.all() if s.starts_at.date() == date(2026, 3, 16)]
    assert [local(s) for s in today] == ["Mon 16 Mar 09:30"]
    tomorrow = series.sessions.order_by("starts_at")[1]
    assert local(tomorrow) == "Tue 17 Mar 11:00"


def test_moving_or_cancelling_drops_reminders_not_yet_claimed(series, coach, learner):
    session = series.sessions.first()
    pending = Reminder.objects.create(
        session=session,
        recipient=learner,
        kind="before",
        role="learner",
        session_starts_at=session.starts_at,
        due_at=session.starts_at - timedelta(minutes=15),
    )
    claimed = Reminder.objects.create(
        session=session,
        recipient=coach,
        kind="before",
        role="coach",
        session_starts_at=session.starts_at,
        due_at=session.starts_at - timedelta(minutes=15),
        claimed_at=MONDAY_0800,
        claim_token="x",
    )
    session_reschedule(
        session=session,
        version=session.version,
        starts_at=session.starts_at + timedelta(hours=2),
        duration_minutes=20,
        by=coach,
        now=MONDAY_0800,
    )
    assert not Reminder.objects.filter(pk=pending.pk).exists()
    # A worker holds this one: it checks the session again before sending (and will skip it).
    assert Reminder.objects.filter(pk=claimed.pk).exists()


def test_the_people_must_be_members_who_can_take_their_part(storyboard, coach, learner, viewer):
    stranger = UserFactory()
    MembershipFactory(user=stranger)
    with pytest.raises(ValidationError, match="cannot coach"):
        weekday_series(storyboard, viewer, learner, now=MONDAY_0800)
    with pytest.raises(ValidationError, match="not a member"):
        weekday_series(storyboard, coach, stranger, now=MONDAY_0800)
    with pytest.raises(ValidationError, match="two people"):
        weekday_series(storyboard, coach, coach, now=MONDAY_0800)
    with pytest.raises(ValidationError, match="second coach observes"):
        weekday_series(storyboard, coach, learner, second_coach=learner, now=MONDAY_0800)
    # A read-only member (here a viewer) may observe as second coach.
    made = weekday_series(storyboard, coach, learner, second_coach=viewer, now=MONDAY_0800)
    assert made.second_coach == viewer


def test_a_schedule_with_nothing_in_the_future_is_refused(storyboard, coach, learner):
    with pytest.raises(ValidationError, match="no session in the future"):
        weekday_series(
            storyboard, coach, learner, rrule="", start_date=date(2026, 3, 13), now=MONDAY_0800
        )
    with pytest.raises(ValidationError, match="no session in the future"):
        weekday_series(
            storyboard,
            coach,
            learner,
            start_date=date(2026, 3, 2),
            until=date(2026, 3, 13),
            now=MONDAY_0800,
        )


def test_a_one_off_session(storyboard, coach, learner):
    once = weekday_series(
        storyboard,
        coach,
        learner,
        rrule="",
        start_date=date(2026, 3, 18),
        start_time=time(14, 15),
        now=MONDAY_0800,
    )
    [session] = once.sessions.all()
    assert local(session) == "Wed 18 Mar 14:15"
    sessions_extend_all(now=MONDAY_0800 + timedelta(days=1))
    assert once.sessions.count() == 1
