"""Recurring sessions keep their local time across daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from coaching import recurrence
from coaching.models import SessionSeries
from tests.coaching.conftest import weekday_series

BERLIN = ZoneInfo("Europe/Berlin")


def series(**fields) -> SessionSeries:
    values = {
        "time_zone": "Europe/Berlin",
        "start_date": date(2026, 3, 23),
        "start_time": time(9, 30),
        "duration_minutes": 20,
        "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        **fields,
    }
    return SessionSeries(**values)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_weekdays_at_0930_in_berlin_stay_0930_across_the_march_change():
    starts = recurrence.occurrences(series(), utc(2026, 3, 23), utc(2026, 4, 4))
    assert [s.astimezone(BERLIN).strftime("%a %d %H:%M") for s in starts] == [
        "Mon 23 09:30",
        "Tue 24 09:30",
        "Wed 25 09:30",
        "Thu 26 09:30",
        "Fri 27 09:30",
        # Sunday 29 March: clocks go forward.
        "Mon 30 09:30",
        "Tue 31 09:30",
        "Wed 01 09:30",
        "Thu 02 09:30",
        "Fri 03 09:30",
    ]
    assert {s.strftime("%H:%M") for s in starts[:5]} == {"08:30"}  # CET, UTC+1
    assert {s.strftime("%H:%M") for s in starts[5:]} == {"07:30"}  # CEST, UTC+2


def test_weekdays_at_0930_in_berlin_stay_0930_across_the_october_change():
    october = series(start_date=date(2026, 10, 19))
    starts = recurrence.occurrences(october, utc(2026, 10, 19), utc(2026, 10, 31))
    local = [s.astimezone(BERLIN) for s in starts]
    assert len(starts) == 10
    assert {d.strftime("%H:%M") for d in local} == {"09:30"}
    before = [s for s in starts if s < utc(2026, 10, 25)]
    after = [s for s in starts if s > utc(2026, 10, 25)]
    assert {s.strftime("%H:%M") for s in before} == {"07:30"}  # CEST
    assert {s.strftime("%H:%M") for s in after} == {"08:30"}  # CET
    assert [d.strftime("%a") for d in local] == ["Mon", "Tue", "Wed", "Thu", "Fri"] * 2


def test_mondays_and_thursdays_in_new_york_follow_its_own_change():
    new_york = series(
        time_zone="America/New_York",
        start_date=date(2026, 3, 2),
        start_time=time(7, 45),
        rrule="FREQ=WEEKLY;BYDAY=MO,TH",
    )
    starts = recurrence.occurrences(new_york, utc(2026, 3, 1), utc(2026, 3, 20))
    assert [s.strftime("%a %d %H:%M") for s in starts] == [
        "Mon 02 12:45",
        "Thu 05 12:45",
        # Sunday 8 March: clocks go forward in the United States, three weeks before Europe.
        "Mon 09 11:45",
        "Thu 12 11:45",
        "Mon 16 11:45",
        "Thu 19 11:45",
    ]


def test_a_time_that_does_not_exist_on_the_change_day_moves_an_hour_later():
    daily = series(start_date=date(2026, 3, 28), start_time=time(2, 30), rrule="FREQ=DAILY")
    starts = recurrence.occurrences(daily, utc(2026, 3, 27), utc(2026, 3, 31))
    assert [s.astimezone(BERLIN).strftime("%d %H:%M") for s in starts] == [
        "28 02:30",
        "29 03:30",  # 02:30 does not exist on 29 March in Berlin
        "30 02:30",
    ]


def test_an_ambiguous_time_on_the_october_change_day_is_the_first_one():
    daily = series(start_date=date(2026, 10, 25), start_time=time(2, 30), rrule="FREQ=DAILY")
    [first] = recurrence.occurrences(daily, utc(2026, 10, 24), utc(2026, 10, 25, 12))
    assert first == utc(2026, 10, 25, 0, 30)  # 02:30 CEST, before the clocks go back


def test_count_and_until_end_the_series():
    counted = series(count=3)
    assert len(recurrence.occurrences(counted, utc(2026, 3, 1), utc(2026, 6, 1))) == 3
    # The count runs from the first day, whatever window is asked for.
    assert len(recurrence.occurrences(counted, utc(2026, 3, 25), utc(2026, 6, 1))) == 1
    until = series(until=date(2026, 3, 31))
    starts = recurrence.occurrences(until, utc(2026, 3, 1), utc(2026, 6, 1))
    assert starts[-1].astimezone(BERLIN).date() == date(2026, 3, 31)
    assert len(starts) == 7


def test_a_one_off_has_one_occurrence_only_inside_the_window():
    once = series(rrule="", start_date=date(2026, 3, 30))
    assert recurrence.occurrences(once, utc(2026, 3, 1), utc(2026, 4, 1)) == [
        utc(2026, 3, 30, 7, 30)
    ]
    assert recurrence.occurrences(once, utc(2026, 4, 1), utc(2026, 5, 1)) == []


@pytest.mark.parametrize(
    ("repeat", "days", "rule"),
    [
        ("once", [], ""),
        ("daily", [], "FREQ=DAILY"),
        ("weekdays", [], "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("days", ["TH", "MO"], "FREQ=WEEKLY;BYDAY=MO,TH"),
    ],
)
def test_form_choices_round_trip_to_rules(repeat, days, rule):
    assert recurrence.build_rule(repeat=repeat, days=days) == rule
    parsed_repeat, parsed_days = recurrence.parse_rule(rule)
    assert parsed_repeat == repeat
    assert sorted(parsed_days) == sorted(days) or repeat == "weekdays"


def test_chosen_days_need_at_least_one_day():
    with pytest.raises(recurrence.InvalidRule):
        recurrence.build_rule(repeat="days", days=[])


def test_descriptions_read_as_a_person_would_say_them():
    assert series().description == "Every weekday at 09:30 (Europe/Berlin), 20 minutes"
    assert (
        series(rrule="FREQ=WEEKLY;BYDAY=MO,TH", count=8).description
        == "Every Monday, Thursday at 09:30 (Europe/Berlin), 20 minutes, 8 times"
    )
    assert series(rrule="").description.startswith("Once on Mon 23 Mar 2026 at 09:30")


def test_materialised_sessions_keep_0930_berlin_across_the_change(storyboard, coach, learner):
    now = utc(2026, 3, 23, 6)
    made = weekday_series(storyboard, coach, learner, start_date=date(2026, 3, 23), now=now)
    sessions = list(made.sessions.order_by("starts_at"))
    # Sixty days of weekdays, and each 09:30 to 09:50 on Berlin's wall clock.
    assert len(sessions) == 44  # 23 March to 21 May
    assert {s.starts_at.astimezone(BERLIN).time() for s in sessions} == {time(9, 30)}
    assert {s.ends_at - s.starts_at for s in sessions} == {timedelta(minutes=20)}
    offsets = {s.starts_at.astimezone(BERLIN).utcoffset() for s in sessions}
    assert offsets == {timedelta(hours=1), timedelta(hours=2)}
    assert sum(s.starts_at.hour == 8 for s in sessions) == 5  # the first week, CET, in UTC
