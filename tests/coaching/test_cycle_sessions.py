"""A coaching cycle and the session it is held in stay together.

Found in testing: a coach who opened the board two minutes before the session and pressed
"Start a coaching cycle now" got a cycle with no session; question 5 then offered that same
session as "the next session", and the go-and-see time moved it to another day, so the session
actually held was never recorded as held.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from boards.services.storyboards import storyboard_create
from coaching.models import CoachingCycle, Session
from tests.coaching.conftest import MONDAY_0800, weekday_series
from tests.coaching.test_cycle import answer, full_cycle, run_until

# 09:28 in Berlin on Monday 16 March 2026: the 09:30 session is due.
TWO_MINUTES_BEFORE = datetime(2026, 3, 16, 8, 28, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TWO_MINUTES_BEFORE, tick=False) as traveller:
        yield traveller


@pytest.fixture
def series(storyboard, coach, learner, berlin):
    return weekday_series(storyboard, coach, learner, now=MONDAY_0800)


@pytest.fixture
def due(series) -> Session:
    return series.sessions.order_by("starts_at").first()


def start(client, storyboard, **data):
    return client.post(reverse("coaching:cycle_start", args=[storyboard.pk]), data)


def test_a_cycle_started_now_belongs_to_the_session_due(client_for, coach, storyboard, due):
    response = start(client_for(coach), storyboard)
    cycle = CoachingCycle.objects.get()
    assert response.url == cycle.get_absolute_url()
    assert cycle.session == due
    due.refresh_from_db()
    assert due.state() == Session.State.IN_PROGRESS


def test_the_coach_may_say_it_belongs_to_no_session(client_for, coach, storyboard, due):
    start(client_for(coach), storyboard, session="none")
    assert CoachingCycle.objects.get().session is None
    assert due.state() == Session.State.DUE


def test_the_start_button_says_which_session_the_cycle_is_for(client_for, coach, storyboard, due):
    page = client_for(coach).get(reverse("coaching:storyboard", args=[storyboard.pk]))
    html = page.content.decode()
    assert f'name="session" value="{due.pk}" checked' in html
    assert "the session at 09:30 with Lena Park (due now)" in html
    assert 'name="session" value="none"' in html


def test_another_boards_session_cannot_be_chosen(client_for, coach, learner, storyboard, due):
    other_board = storyboard_create(
        team=storyboard.team,
        challenge=storyboard.challenge,
        focus_process="Goods receiving",
        learner=learner,
        coach=coach,
        by=coach,
    )
    other = weekday_series(other_board, coach, learner, now=MONDAY_0800).sessions.first()
    client = client_for(coach)
    assert start(client, storyboard, session=str(other.pk)).status_code == 404
    assert start(client, storyboard, session="1; drop").status_code == 404
    assert not CoachingCycle.objects.exists()


def test_a_session_far_off_is_not_taken_by_a_cycle_started_now(
    client_for, coach, storyboard, series, frozen
):
    frozen.move_to(datetime(2026, 3, 16, 6, 0, tzinfo=UTC))  # 07:00 in Berlin
    start(client_for(coach), storyboard)
    assert CoachingCycle.objects.get().session is None


def test_question_five_never_moves_the_session_being_held(
    client_for, coach, storyboard, due, mid_experiment, frozen
):
    client = client_for(coach)
    start(client, storyboard)
    cycle = CoachingCycle.objects.get()
    steps, *_ = full_cycle(mid_experiment)
    run_until(client, cycle, 5, frozen, steps)
    page = client.get(cycle.get_absolute_url()).content.decode()
    assert 'value="2026-03-17T09:30"' in page  # Tuesday's, not today's being held
    assert answer(client, cycle, steps[5]).status_code == 303
    cycle.refresh_from_db()
    due.refresh_from_db()
    assert cycle.answers["when"]["action"] == "moved"
    assert cycle.next_session != due
    assert due.starts_at == datetime(2026, 3, 16, 8, 30, tzinfo=UTC)  # where it was held
    assert due.cycle == cycle


def test_question_five_never_moves_a_session_due_for_someone_else(
    client_for, coach, storyboard, due, mid_experiment, frozen, second_coach
):
    # An ad hoc cycle on purpose, while today's session is due: that session stays put.
    client = client_for(coach)
    start(client, storyboard, session="none")
    cycle = CoachingCycle.objects.get()
    steps, *_ = full_cycle(mid_experiment)
    run_until(client, cycle, 6, frozen, steps)
    due.refresh_from_db()
    assert due.starts_at == datetime(2026, 3, 16, 8, 30, tzinfo=UTC)
    cycle.refresh_from_db()
    assert cycle.next_session.starts_at > due.ends_at + timedelta(hours=12)
