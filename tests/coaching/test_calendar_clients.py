"""The feed as strict calendar clients read it: the newest icalendar and vobject.

A feed one client refuses is a feed that shows nothing: each parses the whole of it, with a
moved and a cancelled occurrence and series in two time zones.
"""

from datetime import UTC, datetime, time
from types import SimpleNamespace

import icalendar
import pytest
import time_machine
import vobject
from django.urls import reverse

from coaching.services.preferences import preferences_for
from coaching.services.scheduling import session_cancel, session_reschedule
from tests.coaching.conftest import MONDAY_0800, weekday_series


@pytest.fixture(autouse=True)
def on_that_monday():
    with time_machine.travel(MONDAY_0800, tick=False):
        yield


@pytest.fixture
def feed(client, storyboard, coach, learner, second_coach) -> SimpleNamespace:
    berlin = weekday_series(storyboard, coach, learner, second_coach=second_coach, now=MONDAY_0800)
    new_york = weekday_series(
        storyboard,
        coach,
        learner,
        now=MONDAY_0800,
        start_time=time(8, 0),
        rrule="FREQ=WEEKLY;BYDAY=WE",
        time_zone="America/New_York",
    )
    moved, cancelled = berlin.sessions.order_by("starts_at")[1:3]
    session_reschedule(
        session=moved,
        version=moved.version,
        starts_at=datetime(2026, 3, 17, 13, 0, tzinfo=UTC),
        duration_minutes=30,
        by=coach,
    )
    session_cancel(session=cancelled, version=cancelled.version, by=coach)
    token = preferences_for(learner).calendar_token
    response = client.get(reverse("coaching:calendar_feed", args=[token]))
    assert response.status_code == 200
    return SimpleNamespace(
        content=response.content,
        moved=moved.uid,
        cancelled=cancelled.uid,
        count=berlin.sessions.count() + new_york.sessions.count(),
        new_york_first=new_york.sessions.order_by("starts_at").first().uid,
    )


def test_the_refresh_interval_is_an_rfc_5545_duration(feed):
    lines = feed.content.decode().split("\r\n")
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines


def test_the_newest_icalendar_reads_every_event(feed):
    assert int(icalendar.__version__.split(".")[0]) >= 7
    calendar = icalendar.Calendar.from_ical(feed.content)
    assert calendar.get("REFRESH-INTERVAL").dt.total_seconds() == 3600
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == feed.count
    moved = events[feed.moved]
    assert moved.decoded("DTSTART") == datetime(2026, 3, 17, 13, 0, tzinfo=UTC)
    assert int(moved["SEQUENCE"]) == 1
    assert str(events[feed.cancelled]["STATUS"]) == "CANCELLED"
    # Wednesday 18 March, 08:00 in New York (UTC-4 since the 8th).
    assert events[feed.new_york_first].decoded("DTSTART") == datetime(
        2026, 3, 18, 12, 0, tzinfo=UTC
    )


def test_vobject_reads_every_event(feed):
    calendar = vobject.readOne(feed.content.decode())
    events = {e.uid.value: e for e in calendar.vevent_list}
    assert len(events) == feed.count
    moved = events[feed.moved]
    assert moved.dtstart.value == datetime(2026, 3, 17, 13, 0, tzinfo=UTC)
    assert moved.dtend.value == datetime(2026, 3, 17, 13, 30, tzinfo=UTC)
    assert events[feed.cancelled].status.value == "CANCELLED"
    assert events[feed.new_york_first].dtstart.value == datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
    assert calendar.contents["refresh-interval"][0].value == "PT1H"
