"""Extreme dates, times and numbers at every coaching form and service (issue 12, items 1 and 2).

Scheduling, moving a session, question 2's measurements, question 5's next session and a second
coach's timings: a date outside 1970 to 2200 is refused with a clear message, a duration never
overflows (9999-12-31 23:59 plus four hours was a server error), and whatever was stored every
page that shows it still answers, the board's and the coaching pages and calendar feeds alike.
"""

from __future__ import annotations

import contextlib
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import event, given
from hypothesis import strategies as st

from boards.models import Storyboard, User
from boards.validators import OUT_OF_RANGE
from coaching.models import CoachingCycle, CoachingPreferences, Session, SessionSeries
from coaching.services.cycles import cycle_record_next_session, cycle_start
from coaching.services.scheduling import series_create, series_update, session_reschedule
from coaching.steps import STEP_INDEX
from tests.extreme import (
    ANSWERS,
    AWARE_MOMENTS,
    DAY_TEXT,
    DAYS,
    FUZZ,
    MOMENT_TEXT,
    NUMBER_TEXT,
    SOON,
    TIME_TEXT,
    TIMES,
    TOMORROW,
    WHOLE_TEXT,
    ZONES,
    assert_nothing_out_of_range,
    assert_pages_show,
    footprint,
    in_zone,
    or_plain,
    varied,
)

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
LAST_MOMENT = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
RULES = ["", "FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "FREQ=WEEKLY;BYDAY=SU"]
MINUTES = st.one_of(
    st.integers(min_value=-5, max_value=300), st.integers(min_value=-(10**20), max_value=10**20)
)


@pytest.fixture
def reader(client_for, coach):
    """The coach, who schedules and moves sessions, in Berlin as in the report."""
    in_zone(coach, "Europe/Berlin")
    return client_for(coach)


@pytest.fixture
def admin(client_for, team_admin):
    return client_for(team_admin)


@pytest.fixture
def series(storyboard, coach, learner):
    """Sessions every weekday from today, at 09:30 in Berlin."""
    return series_create(
        storyboard=storyboard,
        coach=coach,
        learner=learner,
        start_date=timezone.localdate(),
        start_time=time(9, 30),
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        time_zone="Europe/Berlin",
        by=coach,
    )


def upcoming(series: SessionSeries) -> Session:
    return series.sessions.upcoming(timezone.now()).order_by("starts_at").first()


@pytest.fixture
def cycle(storyboard, coach, target):
    """A cycle a coach started ad hoc, with no session of its own."""
    return cycle_start(storyboard=storyboard, coach=coach, ad_hoc=True)


def at_step(cycle: CoachingCycle, key: str) -> CoachingCycle:
    """The cycle put back at question ``key``, so that each example answers it afresh."""
    CoachingCycle.objects.filter(pk=cycle.pk).update(step=STEP_INDEX[key], finished_at=None)
    cycle.refresh_from_db()
    return cycle


def assert_coaching_pages_show(storyboard: Storyboard, *, reader: Client, admin: Client) -> None:
    """The board's pages, the coaching pages, and the calendar feeds of whoever has sessions."""
    assert_pages_show(storyboard, reader=reader, admin=admin)
    pages = [
        reverse("coaching:storyboard", args=[storyboard.pk]),
        reverse("coaching:today"),
        reverse("coaching:my_cycles"),
    ]
    for cycle in CoachingCycle.objects.filter(storyboard=storyboard):
        pages.append(cycle.get_absolute_url())
    for url in pages:
        assert reader.get(url).status_code == 200, url
    people = SessionSeries.objects.filter(storyboard=storyboard).values("coach", "learner")
    for person in User.objects.filter(pk__in=[p for row in people for p in row.values()]):
        prefs, _ = CoachingPreferences.objects.get_or_create(user=person)
        feed = Client().get(reverse("coaching:calendar_feed", args=[prefs.calendar_token]))
        assert feed.status_code == 200, person


def stored_and_shown(before: tuple, storyboard: Storyboard, *, reader: Client, admin: Client):
    assert_nothing_out_of_range()
    if footprint(storyboard) != before:
        event("stored")
        assert_coaching_pages_show(storyboard, reader=reader, admin=admin)
    else:
        event("refused")


# The report: a session moved to the end of time ------------------------------------------------


def test_moving_a_session_to_the_last_minute_of_9999_is_refused_not_a_server_error(
    reader, admin, series
):
    session = upcoming(series)
    url = reverse("coaching:session_move", args=[session.storyboard_id, session.pk])
    data = {"starts_at": "9999-12-31T23:59", "duration_minutes": "240", "version": session.version}
    response = reader.post(url, data)
    assert response.status_code == 422
    assert OUT_OF_RANGE in response.content.decode()
    assert Session.objects.get(pk=session.pk).starts_at == session.starts_at
    assert_coaching_pages_show(series.storyboard, reader=reader, admin=admin)


@pytest.mark.parametrize(
    "starts_at",
    [
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, tzinfo=NEW_YORK),
        datetime(2201, 1, 1, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")),
    ],
)
def test_session_reschedule_refuses_a_time_out_of_range(series, coach, starts_at):
    session = upcoming(series)
    with pytest.raises(ValidationError) as refused:
        session_reschedule(
            session=session,
            version=session.version,
            starts_at=starts_at,
            duration_minutes=240,
            by=coach,
        )
    assert refused.value.message_dict == {"starts_at": [OUT_OF_RANGE]}


def test_the_last_minute_of_2200_is_a_time_a_session_may_move_to(reader, admin, series, coach):
    session = upcoming(series)
    last = datetime(2200, 12, 31, 23, 59, tzinfo=UTC)
    session_reschedule(
        session=session, version=session.version, starts_at=last, duration_minutes=240, by=coach
    )
    assert Session.objects.get(pk=session.pk).ends_at == last + timedelta(hours=4)
    assert_coaching_pages_show(series.storyboard, reader=reader, admin=admin)


# Every coaching form and service with a date ----------------------------------------------------


@pytest.mark.parametrize("field", ["start_date", "until"])
@pytest.mark.parametrize("day", ["0001-01-01", "1969-12-31", "2201-01-01", "9999-12-31"])
def test_scheduling_refuses_a_day_out_of_range(reader, storyboard, coach, learner, field, day):
    data = {
        "coach": coach.pk,
        "learner": learner.pk,
        "time_zone": "Europe/Berlin",
        "start_date": timezone.localdate().isoformat(),
        "start_time": "09:30",
        "duration_minutes": "20",
        "repeat": "daily",
        "ends": "until",
        "until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        field: day,
    }
    response = reader.post(reverse("coaching:schedule", args=[storyboard.pk]), data)
    assert response.status_code == 422
    assert OUT_OF_RANGE in response.content.decode()
    assert not SessionSeries.objects.exists()


def test_rescheduling_a_series_refuses_a_last_day_in_9999(reader, series):
    url = reverse("coaching:series_edit", args=[series.storyboard_id, series.pk])
    data = {
        "start_date": timezone.localdate().isoformat(),
        "start_time": "10:00",
        "duration_minutes": "20",
        "repeat": "daily",
        "ends": "until",
        "until": "9999-12-31",
        "version": series.version,
    }
    response = reader.post(url, data)
    assert response.status_code == 422
    assert OUT_OF_RANGE in response.content.decode()
    assert SessionSeries.objects.get(pk=series.pk).until is None


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00", "2201-01-01T00:00"])
def test_question_five_refuses_a_next_session_out_of_range(reader, admin, cycle, when):
    cycle = at_step(cycle, "when")
    data = {"version": cycle.version, "when": when, "duration_minutes": "240"}
    response = reader.post(cycle.get_absolute_url(), data)
    assert response.status_code == 422
    assert OUT_OF_RANGE in response.content.decode()
    assert not Session.objects.exists()
    assert_coaching_pages_show(cycle.storyboard, reader=reader, admin=admin)


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("start_date", {"start_date": date(1, 1, 1)}),
        ("start_date", {"start_date": date(9999, 12, 31)}),
        ("until", {"until": date(9999, 12, 31), "rrule": "FREQ=DAILY"}),
        ("until", {"until": date(2201, 1, 1), "rrule": "FREQ=DAILY"}),
    ],
)
def test_series_services_refuse_days_out_of_range(series, coach, learner, field, values):
    schedule = {
        "start_date": timezone.localdate(),
        "start_time": time(9, 30),
        "duration_minutes": 20,
        "rrule": "",
        **values,
    }
    with pytest.raises(ValidationError) as refused:
        series_create(
            storyboard=series.storyboard,
            coach=coach,
            learner=learner,
            time_zone="Europe/Berlin",
            by=coach,
            **schedule,
        )
    assert refused.value.message_dict == {field: [OUT_OF_RANGE]}
    with pytest.raises(ValidationError) as refused:
        series_update(series=series, version=series.version, by=coach, **schedule)
    assert refused.value.message_dict == {field: [OUT_OF_RANGE]}


@pytest.mark.parametrize(
    "when", [LAST_MOMENT, datetime(1, 1, 1, tzinfo=UTC), datetime(2201, 1, 1, tzinfo=UTC)]
)
def test_cycle_record_next_session_refuses_a_time_out_of_range(cycle, coach, when):
    cycle = at_step(cycle, "when")
    with pytest.raises(ValidationError) as refused:
        cycle_record_next_session(
            cycle=cycle, version=cycle.version, when=when, duration_minutes=240, by=coach
        )
    assert refused.value.message_dict == {"when": [OUT_OF_RANGE]}


# Property: any date, time and number, in any zone, at every coaching form ----------------------

PLAIN_SCHEDULE = {
    "start_date": date.today().isoformat(),
    "start_time": "09:30",
    "duration_minutes": "20",
    "repeat": "weekdays",
    "days": [],
    "ends": "never",
    "until": "",
    "count": "",
}
EXTREME_SCHEDULE = {
    "start_date": DAY_TEXT,
    "start_time": TIME_TEXT,
    "duration_minutes": WHOLE_TEXT,
    "repeat": st.sampled_from(["once", "weekdays", "daily", "days", "monthly"]),
    "days": st.lists(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU", "XX"])),
    "ends": st.sampled_from(["never", "until", "count"]),
    "until": DAY_TEXT,
    "count": WHOLE_TEXT,
}


@FUZZ
@given(zone=ZONES, series_zone=ZONES, schedule=varied(PLAIN_SCHEDULE, EXTREME_SCHEDULE))
def test_scheduling_with_any_dates_times_and_numbers_never_breaks_a_page(
    reader, admin, coach, learner, storyboard, zone, series_zone, schedule
):
    in_zone(coach, zone)
    SessionSeries.objects.filter(storyboard=storyboard).delete()  # keep each example small
    before = footprint(storyboard)
    data = {"coach": coach.pk, "learner": learner.pk, "time_zone": series_zone, **schedule}
    response = reader.post(reverse("coaching:schedule", args=[storyboard.pk]), data)
    assert response.status_code in ANSWERS
    stored_and_shown(before, storyboard, reader=reader, admin=admin)


@FUZZ
@given(zone=ZONES, schedule=varied(PLAIN_SCHEDULE, EXTREME_SCHEDULE | {"version": WHOLE_TEXT}))
def test_rescheduling_a_series_with_any_values_never_breaks_a_page(
    reader, admin, coach, series, zone, schedule
):
    in_zone(coach, zone)
    series.refresh_from_db()
    before = footprint(series.storyboard)
    data = {"version": series.version, **schedule}
    url = reverse("coaching:series_edit", args=[series.storyboard_id, series.pk])
    assert reader.post(url, data).status_code in ANSWERS
    stored_and_shown(before, series.storyboard, reader=reader, admin=admin)


MOVE = varied(
    {"starts_at": TOMORROW.isoformat(timespec="minutes"), "duration_minutes": "240"},
    {"starts_at": MOMENT_TEXT, "duration_minutes": WHOLE_TEXT, "version": WHOLE_TEXT},
)


@FUZZ
@given(zone=ZONES, move=MOVE)
def test_moving_a_session_to_any_time_never_breaks_a_page(reader, admin, coach, series, zone, move):
    in_zone(coach, zone)
    session = upcoming(series)
    before = footprint(series.storyboard)
    url = reverse("coaching:session_move", args=[series.storyboard_id, session.pk])
    data = {"version": session.version, **move}
    assert reader.post(url, data).status_code in ANSWERS
    stored_and_shown(before, series.storyboard, reader=reader, admin=admin)


NEXT_SESSION = varied(
    {"when": TOMORROW.isoformat(timespec="minutes"), "duration_minutes": "20"},
    {"when": MOMENT_TEXT, "duration_minutes": WHOLE_TEXT},
)


@FUZZ
@given(zone=ZONES, answer=NEXT_SESSION, with_series=st.booleans())
def test_question_five_with_any_time_never_breaks_a_page(
    reader, admin, coach, learner, cycle, zone, answer, with_series
):
    in_zone(coach, zone)
    storyboard = cycle.storyboard
    if with_series and not SessionSeries.objects.filter(storyboard=storyboard).exists():
        series_create(
            storyboard=storyboard,
            coach=coach,
            learner=learner,
            start_date=timezone.localdate(),
            start_time=time(9, 30),
            rrule="FREQ=DAILY",
            time_zone=zone,
            by=coach,
        )
    cycle = at_step(cycle, "when")
    before = footprint(storyboard)
    data = {"version": cycle.version, **answer}
    assert reader.post(cycle.get_absolute_url(), data).status_code in ANSWERS
    stored_and_shown(before, storyboard, reader=reader, admin=admin)


@FUZZ
@given(
    zone=ZONES,
    values=varied(
        {"process_value": "37,5", "outcome_value": ""},
        {"process_value": NUMBER_TEXT, "outcome_value": NUMBER_TEXT},
    ),
)
def test_question_two_with_any_measurement_never_breaks_a_page(
    reader, admin, coach, cycle, zone, values
):
    in_zone(coach, zone)
    cycle = at_step(cycle, "actual")
    before = footprint(cycle.storyboard)
    data = {"version": cycle.version, **values}
    assert reader.post(cycle.get_absolute_url(), data).status_code in ANSWERS
    stored_and_shown(before, cycle.storyboard, reader=reader, admin=admin)


OBSERVED = ["target", "actual", "reflect", "obstacles", "next", "when"]
TIMING = st.one_of(
    WHOLE_TEXT,
    st.builds(lambda m, s: f"{m}:{s:02d}", st.integers(0, 999), st.integers(0, 99)),
    st.just("99999"),
)


@FUZZ
@given(zone=ZONES, timings=varied({}, {f"time_{key}": TIMING for key in OBSERVED}))
def test_a_second_coachs_timings_of_any_size_never_break_a_page(
    reader, admin, team_admin, cycle, zone, timings
):
    in_zone(team_admin, zone)
    before = footprint(cycle.storyboard)
    url = reverse("coaching:observe", args=[cycle.storyboard_id, cycle.pk])
    response = admin.post(url, {"feedback": "Good questions", **timings})
    assert response.status_code in ANSWERS
    assert admin.get(url).status_code == 200
    stored_and_shown(before, cycle.storyboard, reader=reader, admin=admin)


# Property: any date, time and number, in any zone, at every coaching service -------------------

SERIES = varied(
    {
        "start_date": date.today(),
        "start_time": time(9, 30),
        "duration_minutes": 20,
        "rrule": "FREQ=DAILY",
        "until": None,
        "count": None,
    },
    {
        "start_date": DAYS,
        "start_time": TIMES,
        "duration_minutes": MINUTES,
        "rrule": st.sampled_from(RULES),
        "until": DAYS,
        "count": MINUTES,
    },
)


@FUZZ
@given(zone=ZONES, schedule=SERIES)
def test_series_services_take_any_dates_and_numbers_without_harm(
    reader, admin, coach, learner, series, zone, schedule
):
    storyboard = series.storyboard
    SessionSeries.objects.filter(storyboard=storyboard).exclude(pk=series.pk).delete()
    series.refresh_from_db()
    before = footprint(storyboard)
    with contextlib.suppress(ValidationError):
        series_create(
            storyboard=storyboard,
            coach=coach,
            learner=learner,
            time_zone=zone,
            by=coach,
            **schedule,
        )
    with contextlib.suppress(ValidationError):
        series_update(series=series, version=series.version, by=coach, **schedule)
    stored_and_shown(before, storyboard, reader=reader, admin=admin)


@FUZZ
@given(zone=ZONES, moment=st.one_of(AWARE_MOMENTS, SOON), minutes=or_plain(MINUTES, 240))
def test_moving_sessions_and_question_five_take_any_time_without_harm(
    reader, admin, coach, series, cycle, zone, moment, minutes
):
    storyboard = series.storyboard
    before = footprint(storyboard)
    session = upcoming(series)
    with timezone.override(zone):
        with contextlib.suppress(ValidationError):
            session_reschedule(
                session=session,
                version=session.version,
                starts_at=moment,
                duration_minutes=minutes,
                by=coach,
            )
        cycle = at_step(cycle, "when")
        with contextlib.suppress(ValidationError):
            cycle_record_next_session(
                cycle=cycle, version=cycle.version, when=moment, duration_minutes=minutes, by=coach
            )
    stored_and_shown(before, storyboard, reader=reader, admin=admin)
