"""Changes to coaching are logged on the board's activity log, with who made them."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from boards.models import Activity
from coaching.services.cycles import cycle_finish, cycle_record_target, cycle_start
from coaching.services.scheduling import (
    series_cancel,
    series_update,
    session_cancel,
    session_reschedule,
)
from tests.coaching.conftest import MONDAY_0800, weekday_series


@pytest.fixture(autouse=True)
def on_that_monday():
    with time_machine.travel(MONDAY_0800, tick=False):
        yield


@pytest.fixture
def series(storyboard, coach, learner):
    return weekday_series(storyboard, coach, learner, now=MONDAY_0800)


@pytest.fixture
def tuesday(series):
    return series.sessions.order_by("starts_at")[1]


def logged(storyboard) -> Activity:
    activity = Activity.objects.filter(storyboard=storyboard).order_by("-revision").first()
    assert activity is not None
    return activity


def test_moving_a_session_records_who_moved_it(storyboard, learner, tuesday):
    revision = storyboard.revision
    session_reschedule(
        session=tuesday,
        version=tuesday.version,
        starts_at=datetime(2026, 3, 17, 13, 0, tzinfo=UTC),
        duration_minutes=20,
        by=learner,
        now=MONDAY_0800,
    )
    activity = logged(storyboard)
    assert (activity.actor, activity.action) == (learner, Activity.Action.SESSION_RESCHEDULED)
    assert activity.summary == "Moved the coaching session of Tue 17 Mar to 14:00"
    assert (activity.object_type, activity.object_id) == ("session", tuesday.pk)
    assert activity.revision > revision


def test_moving_a_session_to_another_day_names_the_day(storyboard, coach, tuesday):
    session_reschedule(
        session=tuesday,
        version=tuesday.version,
        starts_at=datetime(2026, 3, 18, 7, 0, tzinfo=UTC),
        duration_minutes=20,
        by=coach,
        now=MONDAY_0800,
    )
    assert logged(storyboard).summary == (
        "Moved the coaching session of Tue 17 Mar to Wed 18 Mar, 08:00"
    )


def test_cancelling_a_session_records_who_cancelled_it(storyboard, coach, tuesday):
    session_cancel(session=tuesday, version=tuesday.version, by=coach, now=MONDAY_0800)
    activity = logged(storyboard)
    assert (activity.actor, activity.action) == (coach, Activity.Action.SESSION_CANCELLED)
    assert activity.summary == "Cancelled the coaching session of Tue 17 Mar, 09:30"


def test_rescheduling_a_series_records_who_changed_it_and_the_schedule_before_and_after(
    storyboard, coach, series
):
    series_update(
        series=series,
        version=series.version,
        start_date=series.start_date,
        start_time=time(10, 0),
        duration_minutes=15,
        rrule="FREQ=WEEKLY;BYDAY=MO,TH",
        by=coach,
        now=MONDAY_0800,
    )
    activity = logged(storyboard)
    assert (activity.actor, activity.action) == (coach, Activity.Action.SESSION_SERIES_UPDATED)
    assert activity.summary == (
        "Rescheduled the coaching sessions of Lena Park with Carl Moss: "
        "Every Monday, Thursday at 10:00 (Europe/Berlin), 15 minutes"
    )
    assert activity.before == {"schedule": "Every weekday at 09:30 (Europe/Berlin), 20 minutes"}
    assert (activity.object_type, activity.object_id) == ("sessionseries", series.pk)


def test_cancelling_a_series_records_who_cancelled_it(storyboard, learner, series):
    series_cancel(series=series, version=series.version, by=learner, now=MONDAY_0800)
    activity = logged(storyboard)
    assert (activity.actor, activity.action) == (learner, Activity.Action.SESSION_SERIES_CANCELLED)
    assert activity.summary.startswith("Cancelled the coaching sessions of ")


def test_the_first_question_and_the_end_of_a_cycle_record_who_answered(
    storyboard, target, coach, learner
):
    cycle = cycle_start(storyboard=storyboard, coach=coach, now=MONDAY_0800)
    cycle_record_target(cycle=cycle, version=cycle.version, said="", by=learner, now=MONDAY_0800)
    activity = logged(storyboard)
    assert (activity.actor, activity.action) == (
        learner,
        Activity.Action.COACHING_CYCLE_TARGET_RECORDED,
    )
    assert (activity.object_type, activity.object_id) == ("coachingcycle", cycle.pk)
    assert "target condition 1" in activity.summary

    # Skip ahead to the notes: the cycle's own steps are tested in test_cycle.
    type(cycle).objects.filter(pk=cycle.pk).update(step=6)
    cycle.refresh_from_db()
    later = MONDAY_0800 + timedelta(minutes=17)
    cycle_finish(cycle=cycle, version=cycle.version, coach_notes="", by=coach, now=later)
    activity = logged(storyboard)
    assert (activity.actor, activity.action) == (coach, Activity.Action.COACHING_CYCLE_FINISHED)
    assert activity.summary.endswith("(17 minutes)")
