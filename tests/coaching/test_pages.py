"""Coaching pages: the coach's day, their cycles, the board's coaching, the forms behind them."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse

from boards.models import Role
from boards.services.storyboards import storyboard_archive
from coaching.models import CoachingCycle, CoachingPreferences, SecondCoachObservation, Session
from coaching.services.cycles import cycle_record_target, cycle_start
from coaching.services.scheduling import session_cancel
from tests.coaching.conftest import weekday_series
from tests.factories import MembershipFactory, StoryboardFactory, UserFactory

# Monday 16 March 2026, 09:35 in Berlin.
MORNING = datetime(2026, 3, 16, 8, 35, tzinfo=UTC)


@pytest.fixture(autouse=True)
def that_morning(berlin):
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def one_off(storyboard, coach, learner, hour, minute=0, day=16, **kwargs):
    series = weekday_series(
        storyboard,
        coach,
        learner,
        rrule="",
        start_date=date(2026, 3, day),
        start_time=time(hour, minute),
        now=MORNING - timedelta(hours=6),
        **kwargs,
    )
    return series.sessions.get()


def another_learner(team, coach, name):
    learner = UserFactory(username=name, first_name=name.title(), time_zone="Europe/Berlin")
    MembershipFactory(user=learner, team=team, role=Role.MEMBER)
    return StoryboardFactory(team=team, learner=learner, coach=coach, focus_process=f"{name} line")


# Today -----------------------------------------------------------------------------------------


def test_today_lists_the_days_sessions_across_learners_in_time_order_with_their_state(
    client_for, coach, learner, storyboard, target, team
):
    done = one_off(storyboard, coach, learner, 8, 0)
    cycle = cycle_start(
        storyboard=storyboard, coach=coach, session=done, now=MORNING - timedelta(minutes=94)
    )
    CoachingCycle.objects.filter(pk=cycle.pk).update(finished_at=MORNING - timedelta(minutes=80))
    missed = one_off(storyboard, coach, learner, 7, 0)
    due = one_off(storyboard, coach, learner, 9, 30)
    ben = another_learner(team, coach, "ben")
    upcoming = one_off(ben, coach, ben.learner, 11, 0)
    cancelled = one_off(ben, coach, ben.learner, 14, 0)
    session_cancel(session=cancelled, version=1, by=coach, now=MORNING)
    one_off(storyboard, coach, learner, 9, 30, day=17)  # tomorrow: not today

    page = client_for(coach).get(reverse("coaching:today")).content.decode()
    ids = re.findall(r'id="session-(\d+)"', page)
    assert [int(i) for i in ids] == [missed.pk, done.pk, due.pk, upcoming.pk, cancelled.pk]
    rows = dict(zip(ids, page.split('id="session-')[1:], strict=True))
    assert "✕ Missed" in rows[str(missed.pk)]
    assert "✓ Done" in rows[str(done.pk)]
    assert "● Due now" in rows[str(due.pk)]
    assert "Start the cycle" in rows[str(due.pk)]
    assert "○ Upcoming" in rows[str(upcoming.pk)]
    assert "ben line" in rows[str(upcoming.pk)]
    assert "— Cancelled" in rows[str(cancelled.pk)]
    assert "09:30" in rows[str(due.pk)]  # Berlin time


def test_today_shows_the_learners_and_second_coachs_sessions_too(
    client_for, coach, learner, second_coach, storyboard
):
    one_off(storyboard, coach, learner, 11, second_coach=second_coach)
    learner_page = client_for(learner).get(reverse("coaching:today")).content.decode()
    assert "you: learner" in learner_page
    assert "Start the cycle" not in learner_page
    observer_page = client_for(second_coach).get(reverse("coaching:today")).content.decode()
    assert "you: second coach" in observer_page


def test_today_leaves_out_the_sessions_of_an_archived_board(
    client_for, coach, learner, storyboard, team
):
    ben = another_learner(team, coach, "ben")
    kept = one_off(ben, coach, ben.learner, 11, 0)
    archived = one_off(storyboard, coach, learner, 10, 0)
    storyboard_archive(storyboard=storyboard, by=coach)

    page = client_for(coach).get(reverse("coaching:today")).content.decode()
    assert f'id="session-{kept.pk}"' in page
    assert f'id="session-{archived.pk}"' not in page


def test_today_is_the_users_own_day(client_for, coach, learner, storyboard):
    one_off(storyboard, coach, learner, 23, 30, day=16)  # 22:30 UTC on the 16th
    coach.time_zone = "America/New_York"
    coach.save()
    # In New York it is still the 16th (04:35), and 23:30 Berlin is 18:30 there.
    page = client_for(coach).get(reverse("coaching:today")).content.decode()
    assert "18:30" in page
    coach.time_zone = "Asia/Tokyo"
    coach.save()
    # In Tokyo it is the 16th (17:35); the session is at 07:30 on the 17th.
    page = client_for(coach).get(reverse("coaching:today")).content.decode()
    assert "No coaching sessions today" in page


def test_today_query_count_does_not_grow_with_sessions(
    client_for, coach, learner, storyboard, team, django_assert_max_num_queries
):
    client = client_for(coach)
    one_off(storyboard, coach, learner, 10)
    with django_assert_max_num_queries(6) as small:
        client.get(reverse("coaching:today"))
    for name in ("ana", "bo", "cy", "dee"):
        board = another_learner(team, coach, name)
        for hour in (11, 12, 13):
            one_off(board, coach, board.learner, hour)
    with django_assert_max_num_queries(6) as large:
        page = client.get(reverse("coaching:today")).content.decode()
    assert page.count('id="session-') == 13
    assert len(small) == len(large)


# My cycles -------------------------------------------------------------------------------------


def test_my_cycles_lists_the_coachs_cycles_across_learners_with_their_duration(
    client_for, coach, learner, storyboard, target, team, that_morning
):
    first = cycle_start(storyboard=storyboard, coach=coach, now=MORNING)
    CoachingCycle.objects.filter(pk=first.pk).update(
        finished_at=MORNING + timedelta(minutes=17, seconds=40)
    )
    ben = another_learner(team, coach, "ben")
    cycle_start(storyboard=ben, coach=coach, now=MORNING + timedelta(hours=1))
    someone_else = UserFactory(username="ola")
    MembershipFactory(user=someone_else, team=team, role=Role.COACH)
    cycle_start(storyboard=storyboard, coach=someone_else, now=MORNING)

    page = client_for(coach).get(reverse("coaching:my_cycles")).content.decode()
    assert page.count("<tr>") == 3  # the header and two cycles
    assert page.index("ben line") < page.index("Order picking")  # newest first
    assert "18 min" in page
    assert "in progress" in page


def test_my_cycles_query_count_does_not_grow(
    client_for, coach, storyboard, target, team, django_assert_max_num_queries
):
    client = client_for(coach)
    cycle_start(storyboard=storyboard, coach=coach, now=MORNING)
    with django_assert_max_num_queries(6) as small:
        client.get(reverse("coaching:my_cycles"))
    for name in ("ana", "bo", "cy", "dee", "eve"):
        board = another_learner(team, coach, name)
        cycle_start(storyboard=board, coach=coach, now=MORNING)
    with django_assert_max_num_queries(6) as large:
        client.get(reverse("coaching:my_cycles"))
    assert len(small) == len(large)


# The storyboard's coaching page ----------------------------------------------------------------


def test_the_board_links_to_its_coaching_without_costing_a_query(
    client_for, learner, storyboard, target
):
    response = client_for(learner).get(storyboard.get_absolute_url())
    assert f'href="{reverse("coaching:storyboard", args=[storyboard.pk])}"' in (
        response.content.decode()
    )


def test_the_coaching_page_shows_sessions_schedules_and_cycles(
    client_for, coach, learner, storyboard, target, second_coach
):
    series = weekday_series(
        storyboard, coach, learner, second_coach=second_coach, now=MORNING - timedelta(hours=6)
    )
    cycle = cycle_start(
        storyboard=storyboard, coach=coach, session=series.sessions.first(), now=MORNING
    )
    CoachingCycle.objects.filter(pk=cycle.pk).update(finished_at=MORNING + timedelta(minutes=12))
    page = client_for(learner).get(reverse("coaching:storyboard", args=[storyboard.pk]))
    html = page.content.decode()
    assert "Every weekday at 09:30 (Europe/Berlin), 20 minutes" in html
    assert "second coach Sara Reed" in html
    assert "12 min" in html
    assert html.count('class="session session-') == 12
    assert html.count("<h1") == 1


def test_the_coaching_page_query_count_does_not_grow(
    client_for, coach, learner, storyboard, target, django_assert_max_num_queries
):
    client = client_for(learner)
    url = reverse("coaching:storyboard", args=[storyboard.pk])
    weekday_series(storyboard, coach, learner, now=MORNING - timedelta(hours=6))
    with django_assert_max_num_queries(8) as small:
        client.get(url)
    for hour in (12, 13, 14, 15, 16):
        one_off(storyboard, coach, learner, hour, day=18)
    for minutes in range(0, 50, 10):
        cycle = cycle_start(
            storyboard=storyboard, coach=coach, now=MORNING - timedelta(days=1, minutes=minutes)
        )
        CoachingCycle.objects.filter(pk=cycle.pk).update(finished_at=MORNING)
    with django_assert_max_num_queries(8) as large:
        client.get(url)
    assert len(small) == len(large)


# Scheduling through the forms ------------------------------------------------------------------


def test_scheduling_mondays_and_thursdays_through_the_form(
    client_for, coach, learner, second_coach, storyboard
):
    client = client_for(coach)
    url = reverse("coaching:schedule", args=[storyboard.pk])
    form = client.get(url).content.decode()
    assert 'name="time_zone"' in form
    assert '<option value="Europe/Berlin" selected>' in form
    response = client.post(
        url,
        {
            "coach": coach.pk,
            "learner": learner.pk,
            "second_coach": second_coach.pk,
            "start_date": "2026-03-16",
            "start_time": "07:45",
            "duration_minutes": "15",
            "time_zone": "Europe/Berlin",
            "repeat": "days",
            "days": ["MO", "TH"],
            "ends": "count",
            "count": "6",
        },
    )
    assert response.status_code == 302
    [series] = storyboard.session_series.all()
    assert series.rrule == "FREQ=WEEKLY;BYDAY=MO,TH"
    assert series.count == 6
    # 07:45 today has passed: the five still ahead were made.
    assert [s.starts_at.strftime("%d %H:%M") for s in series.sessions.all()] == [
        "19 06:45",
        "23 06:45",
        "26 06:45",
        "30 05:45",  # after the clocks went forward: 07:45 Berlin is 05:45 UTC
        "02 05:45",
    ]


def test_the_schedule_form_shows_what_is_wrong(client_for, coach, learner, storyboard):
    client = client_for(coach)
    response = client.post(
        reverse("coaching:schedule", args=[storyboard.pk]),
        {
            "coach": coach.pk,
            "learner": learner.pk,
            "start_date": "2026-03-16",
            "start_time": "09:30",
            "duration_minutes": "20",
            "time_zone": "Europe/Berlin",
            "repeat": "days",
            "ends": "never",
        },
    )
    assert response.status_code == 422
    assert "Choose at least one day of the week." in response.content.decode()
    assert not storyboard.session_series.exists()


def test_rescheduling_the_series_through_the_form(client_for, coach, learner, storyboard):
    series = weekday_series(storyboard, coach, learner, now=MORNING - timedelta(hours=6))
    client = client_for(coach)
    url = reverse("coaching:series_edit", args=[storyboard.pk, series.pk])
    form = client.get(url).content.decode()
    assert 'value="09:30"' in form
    response = client.post(
        url,
        {
            "version": series.version,
            "start_date": "2026-03-16",
            "start_time": "10:00",
            "duration_minutes": "20",
            "repeat": "weekdays",
            "ends": "never",
        },
    )
    assert response.status_code == 302
    tomorrow = series.sessions.order_by("starts_at")[1]
    assert tomorrow.starts_at == datetime(2026, 3, 17, 9, 0, tzinfo=UTC)
    # A stale form is refused and shows the schedule as it is now.
    stale = client.post(
        url,
        {
            "version": 1,
            "start_date": "2026-03-16",
            "start_time": "11:00",
            "duration_minutes": "20",
            "repeat": "weekdays",
            "ends": "never",
        },
    )
    assert stale.status_code == 409
    assert "Someone else changed this schedule" in stale.content.decode()


def test_moving_one_session_through_the_form(client_for, coach, learner, storyboard):
    session = one_off(storyboard, coach, learner, 15)
    client = client_for(coach)
    url = reverse("coaching:session_move", args=[storyboard.pk, session.pk])
    assert 'value="2026-03-16T15:00"' in client.get(url).content.decode()
    response = client.post(
        url, {"version": session.version, "starts_at": "2026-03-17T08:15", "duration_minutes": 25}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == datetime(2026, 3, 17, 7, 15, tzinfo=UTC)
    assert session.duration_minutes == 25
    past = client.post(
        url, {"version": session.version, "starts_at": "2026-03-16T08:00", "duration_minutes": 20}
    )
    assert past.status_code == 422
    assert "Choose a time in the future." in past.content.decode()


def test_cancelling_asks_first(client_for, coach, learner, storyboard):
    series = weekday_series(storyboard, coach, learner, now=MORNING - timedelta(hours=6))
    session = series.sessions.order_by("starts_at")[1]
    client = client_for(coach)
    url = reverse("coaching:session_cancel", args=[storyboard.pk, session.pk])
    confirm = client.get(url).content.decode()
    assert "Cancel this session?" in confirm
    assert "Tuesday 17 March at 09:30" in confirm
    session.refresh_from_db()
    assert not session.is_cancelled
    client.post(url, {"version": session.version})
    session.refresh_from_db()
    assert session.is_cancelled

    url = reverse("coaching:series_cancel", args=[storyboard.pk, series.pk])
    assert "Cancel the whole series?" in client.get(url).content.decode()
    client.post(url, {"version": series.version})
    series.refresh_from_db()
    assert series.is_cancelled
    assert not Session.objects.filter(series=series, status="scheduled", starts_at__gt=MORNING)


# Settings and second coach ---------------------------------------------------------------------


def test_settings_set_the_time_zone_and_reminder(client_for, learner):
    client = client_for(learner)
    response = client.post(
        reverse("coaching:settings"),
        {"time_zone": "America/Chicago", "reminder_minutes": "60", "missed_notice": ""},
    )
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.time_zone == "America/Chicago"
    preferences = CoachingPreferences.objects.get(user=learner)
    assert (preferences.reminder_minutes, preferences.missed_notice) == (60, False)
    bad = client.post(
        reverse("coaching:settings"), {"time_zone": "Mars/Olympus", "reminder_minutes": "7"}
    )
    assert bad.status_code == 422
    learner.refresh_from_db()
    assert learner.time_zone == "America/Chicago"


def test_a_second_coach_records_feedback_that_the_coach_reads(
    client_for, coach, learner, second_coach, storyboard, target, that_morning
):
    session = one_off(storyboard, coach, learner, 9, 30, second_coach=second_coach)
    cycle = cycle_start(storyboard=storyboard, coach=coach, session=session)
    that_morning.shift(timedelta(minutes=3, seconds=20))
    cycle_record_target(cycle=cycle, version=cycle.version, by=coach)
    url = reverse("coaching:observe", args=[storyboard.pk, cycle.pk])
    client = client_for(second_coach)
    form = client.get(url).content.decode()
    assert 'value="3:20"' in form  # question 1 took 3:20 by the cycle's own clock
    response = client.post(
        url,
        {
            "notes_target": "Asked for the target without prompting",
            "time_target": "3:20",
            "notes_actual": "Went to the line to see",
            "time_actual": "6",
            "feedback": "Let the learner read the run chart before asking.",
        },
    )
    assert response.status_code == 302
    observation = SecondCoachObservation.objects.get()
    assert observation.seconds == {"target": 200, "actual": 360}
    assert observation.notes["actual"] == "Went to the line to see"

    coach_view = client_for(coach).get(cycle.get_absolute_url()).content.decode()
    assert "Let the learner read the run chart before asking." in coach_view
    assert "Asked for the target without prompting" in coach_view
    assert "6:00" in coach_view
    learner_view = client_for(learner).get(cycle.get_absolute_url()).content.decode()
    assert "Let the learner read the run chart" not in learner_view

    again = client.post(url, {"time_target": "3 min"})
    assert again.status_code == 422
    assert "Write minutes and seconds, such as 3:20." in again.content.decode()
