"""Coaching on an archived team's boards: every write refused (the rule of ``boards.access``),
no reminders, and its sessions out of Today and the calendar feed."""

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from boards.access import ARCHIVED_MESSAGE
from boards.services.teams import team_archive
from coaching.models import Reminder
from coaching.selectors import sessions_taking_part
from coaching.services.cycles import cycle_start
from tests.coaching.conftest import MONDAY_0800, weekday_series
from tests.coaching.test_permissions import (
    WRITE_FORMS,
    WRITE_POSTS,
    board_urls,
    world,  # noqa: F401 - the fixture
)
from tests.coaching.test_reminders import at, lead, scan, send


@pytest.fixture(autouse=True)
def on_that_monday():
    with time_machine.travel(MONDAY_0800, tick=False):
        yield


def test_every_coaching_write_is_refused_with_the_reason(
    client_for,
    world,  # noqa: F811
    team,
    team_admin,
    coach,
    learner,
):
    team_archive(team=team, by=team_admin)
    urls = board_urls(world)
    for user in (coach, learner, team_admin):
        client = client_for(user)
        for name in WRITE_FORMS:
            response = client.get(urls[name])
            assert response.status_code == 403, name
            assert b"This team is archived" in response.content
        for name in WRITE_POSTS:
            assert client.post(urls[name], {"version": 1}).status_code == 403, name
        for name in ("storyboard", "cycle"):
            assert client.get(urls[name]).status_code == 200, name
    world["cycle"].refresh_from_db()
    assert world["cycle"].step == 0


def test_the_second_coach_reads_but_does_not_save_an_observation(
    client_for,
    world,  # noqa: F811
    team,
    team_admin,
    second_coach,
):
    team_archive(team=team, by=team_admin)
    url = board_urls(world)["observe"]
    client = client_for(second_coach)
    assert client.get(url).status_code == 200
    refused = client.post(url, {"feedback": "Good pace"})
    assert refused.status_code == 403
    assert ARCHIVED_MESSAGE.split(":")[0].encode() in refused.content


def test_the_cycle_service_refuses_an_archived_teams_board(
    storyboard, team, team_admin, coach, target
):
    team_archive(team=team, by=team_admin)
    with pytest.raises(ValidationError):
        cycle_start(storyboard=storyboard, coach=coach)


def test_an_archived_teams_sessions_leave_today_and_the_feed(
    world,  # noqa: F811
    team,
    team_admin,
    coach,
):
    assert sessions_taking_part(coach).exists()
    team_archive(team=team, by=team_admin)
    assert not sessions_taking_part(coach).exists()


def test_reminders_for_an_archived_teams_sessions_are_skipped(
    storyboard, team, team_admin, coach, learner, second_coach, berlin
):
    lead(coach, 15)
    weekday_series(storyboard, coach, learner, second_coach=second_coach, now=MONDAY_0800)
    dispatched = scan(at(9, 20))
    assert dispatched
    team_archive(team=team, by=team_admin)
    send(at(9, 20), dispatched)
    assert mail.outbox == []
    assert set(Reminder.objects.values_list("skip_reason", flat=True)) == {"the team is archived"}
