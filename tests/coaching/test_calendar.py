"""The private iCalendar feed: parses, keeps UIDs across a reschedule, a secret that can change."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import time_machine
from django.urls import reverse

from coaching.models import CoachingPreferences
from coaching.services.preferences import preferences_for
from coaching.services.scheduling import series_update, session_cancel, session_reschedule
from tests.coaching.conftest import MONDAY_0800, weekday_series
from tests.factories import MembershipFactory, StoryboardFactory, UserFactory


@pytest.fixture(autouse=True)
def on_that_monday():
    with time_machine.travel(MONDAY_0800, tick=False):
        yield


@pytest.fixture
def series(storyboard, coach, learner, second_coach):
    return weekday_series(storyboard, coach, learner, second_coach=second_coach, now=MONDAY_0800)


def feed_url(user) -> str:
    token = preferences_for(user).calendar_token
    return reverse("coaching:calendar_feed", args=[token])


def events(client, user) -> dict[str, icalendar.Event]:
    response = client.get(feed_url(user))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_parses_and_lists_the_users_sessions(client, series, learner):
    by_uid = events(client, learner)  # no sign-in: the secret address is the key
    assert set(by_uid) == set(series.sessions.values_list("uid", flat=True))
    first = by_uid[series.sessions.order_by("starts_at").first().uid]
    assert first.decoded("DTSTART") == datetime(2026, 3, 16, 8, 30, tzinfo=UTC)
    assert first.decoded("DTEND") - first.decoded("DTSTART") == timedelta(minutes=20)
    assert str(first["SUMMARY"]) == "Coaching: Order picking (Lena Park)"
    assert str(first["STATUS"]) == "CONFIRMED"
    assert "What is the target condition?" in str(first["DESCRIPTION"])
    assert str(first["URL"]).endswith(f"/boards/{series.storyboard_id}/")


def test_coach_learner_and_second_coach_each_have_the_sessions(client, series, coach, second_coach):
    uids = set(series.sessions.values_list("uid", flat=True))
    assert set(events(client, coach)) == uids
    assert set(events(client, second_coach)) == uids


def test_someone_not_taking_part_sees_none(client, series, viewer, outsider):
    assert events(client, viewer) == {}
    assert events(client, outsider) == {}


def test_a_moved_session_keeps_its_uid_with_a_higher_sequence(client, series, coach, learner):
    session = series.sessions.order_by("starts_at")[1]
    before = events(client, learner)[session.uid]
    session_reschedule(
        session=session,
        version=session.version,
        starts_at=datetime(2026, 3, 17, 13, 0, tzinfo=UTC),
        duration_minutes=30,
        by=coach,
    )
    after_events = events(client, learner)
    after = after_events[session.uid]
    assert len(after_events) == series.sessions.count()
    assert after.decoded("DTSTART") == datetime(2026, 3, 17, 13, 0, tzinfo=UTC)
    assert after.decoded("DTEND") == datetime(2026, 3, 17, 13, 30, tzinfo=UTC)
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


def test_a_series_moved_to_another_time_keeps_every_uid(client, series, coach, learner):
    from datetime import time

    before = events(client, learner)
    series_update(
        series=series,
        version=series.version,
        start_date=series.start_date,
        start_time=time(10, 15),
        duration_minutes=20,
        rrule=series.rrule,
        by=coach,
    )
    after = events(client, learner)
    assert set(after) == set(before)
    assert {e.decoded("DTSTART").strftime("%H:%M") for e in after.values()} == {
        "09:15",  # CET
        "08:15",  # CEST
    }


def test_a_cancelled_session_stays_in_the_feed_as_cancelled(client, series, coach, learner):
    session = series.sessions.order_by("starts_at")[2]
    session_cancel(session=session, version=session.version, by=coach)
    event = events(client, learner)[session.uid]
    assert str(event["STATUS"]) == "CANCELLED"


def test_past_sessions_leave_the_feed(client, series, learner):
    with time_machine.travel(MONDAY_0800 + timedelta(days=7), tick=False):
        starts = [e.decoded("DTSTART") for e in events(client, learner).values()]
    assert min(starts) >= MONDAY_0800 + timedelta(days=6)


def test_a_bad_token_is_404(client, series):
    assert client.get(reverse("coaching:calendar_feed", args=["not-a-token"])).status_code == 404
    assert client.get("/calendar/.ics").status_code == 404


def test_resetting_the_address_retires_the_old_one(client_for, series, learner):
    old_url = feed_url(learner)
    client = client_for(learner)
    confirm = client.get(reverse("coaching:calendar_reset"))
    assert "stops working at once" in confirm.content.decode()
    assert feed_url(learner) == old_url  # looking at the confirmation changes nothing
    response = client.post(reverse("coaching:calendar_reset"))
    assert response.status_code == 302
    new_url = feed_url(learner)
    assert new_url != old_url
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200
    settings_page = client.get(reverse("coaching:settings")).content.decode()
    assert new_url in settings_page


def test_the_feed_query_count_does_not_grow_with_sessions(
    client, storyboard, coach, learner, team, django_assert_max_num_queries
):
    weekday_series(storyboard, coach, learner, now=MONDAY_0800)
    url = feed_url(learner)
    with django_assert_max_num_queries(2) as small:
        client.get(url)
    for _ in range(5):
        other_learner = UserFactory()
        MembershipFactory(user=other_learner, team=team)
        board = StoryboardFactory(team=team, learner=other_learner)
        weekday_series(board, coach, other_learner, now=MONDAY_0800)
    coach_url = feed_url(coach)
    with django_assert_max_num_queries(2) as large:
        response = client.get(coach_url)
    assert response.content.count(b"BEGIN:VEVENT") == 6 * 44
    assert len(small) == len(large)


def test_an_inactive_users_feed_is_gone(client, series, learner):
    url = feed_url(learner)
    learner.is_active = False
    learner.save()
    assert client.get(url).status_code == 404
    assert CoachingPreferences.objects.filter(user=learner).exists()
