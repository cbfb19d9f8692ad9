"""A team's practice over the last 12 weeks: weekly counts, charts, and who may see them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from boards.models import Role
from kata.practice import WEEKS, Practice
from tests.factories import (
    ExperimentFactory,
    MembershipFactory,
    TargetConditionFactory,
    TeamFactory,
    UserFactory,
)
from tests.kata.practice_data import board, cycle, session

NOW = datetime(2026, 3, 11, 10, 0, tzinfo=UTC)  # Wednesday; this week began Monday 9 March


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def url(team) -> str:
    return reverse("team_practice", args=[team.slug])


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def practised(team, learner, coach):
    """A board with steps, coaching and targets across the weeks, and one outside the team."""
    sb = board(team, "Order picking", learner=learner, coach=coach)
    target = sb.target_conditions.get()
    for day in (
        date(2026, 3, 9),  # this week
        date(2026, 3, 11),
        date(2026, 3, 13),  # planned ahead, this week
        date(2026, 3, 2),  # last week
        date(2025, 12, 22),  # the first of the 12 weeks
        date(2025, 12, 21),  # a day too early
    ):
        ExperimentFactory(target_condition=target, planned_for=day)
    TargetConditionFactory(storyboard=sb, achieved=True, closed_at=at(date(2026, 3, 4)))
    TargetConditionFactory(storyboard=sb, abandoned=True, closed_at=at(date(2026, 3, 5)))
    for day in (date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 3)):
        cycle(sb, at(day, 8))
    session(sb, at(date(2026, 3, 12), 8))
    session(sb, at(date(2026, 3, 13), 8), cancelled=True)
    elsewhere = board(TeamFactory(), "Elsewhere")
    ExperimentFactory(target_condition=elsewhere.target_conditions.get(), planned_for=NOW.date())
    cycle(elsewhere, NOW - timedelta(hours=1))
    return sb


def test_it_counts_each_week_of_the_team(practised, team):
    practice = Practice(team)
    assert practice.weeks[0] == date(2025, 12, 15) + timedelta(weeks=1)
    assert practice.weeks[-1] == date(2026, 3, 9)
    assert len(practice.weeks) == WEEKS
    pdca = practice.pdca_cycles()
    assert pdca[-1] == 3 and pdca[-2] == 1 and pdca[0] == 1 and sum(pdca) == 5
    achieved = practice.targets_achieved()
    assert achieved[-2] == 1 and sum(achieved) == 1
    held = practice.coaching_cycles()
    assert held[-1] == 2 and held[-2] == 1 and sum(held) == 3
    scheduled = practice.sessions_scheduled()
    # Every cycle here came from a session; the cancelled one is not counted.
    assert scheduled[-1] == 3 and scheduled[-2] == 1 and sum(scheduled) == 4


def test_weeks_follow_the_viewers_time_zone(team, learner, coach, manager, client_for):
    sb = board(team, "Order picking", learner=learner, coach=coach, achieve_in=None)
    # Sunday 8 March 12:00 UTC is already Monday 9 March, 01:00 in Auckland.
    cycle(sb, datetime(2026, 3, 8, 12, 0, tzinfo=UTC))
    manager.time_zone = "Pacific/Auckland"
    manager.save()
    html = client_for(manager).get(url(team)).content.decode()
    this_week = re.search(r'datetime="2026-03-09".*?</tr>', html, re.S).group(0)
    assert re.findall(r'<td class="num">(\d+)</td>', this_week) == ["0", "0", "1", "1"]


def test_the_page_shows_charts_and_their_figures(client_for, manager, practised, team):
    response = client_for(manager).get(url(team))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert html.count('<svg viewBox="0 0 720 240" role="img"') == 2
    assert "PDCA cycles and target conditions achieved per week" in html
    assert "Coaching cycles held against sessions scheduled per week" in html
    assert "5 PDCA cycles and 1 target conditions achieved in the last 12 weeks" in html
    assert html.count('<th scope="row"><time') == WEEKS
    this_week = re.search(r'datetime="2026-03-09".*?</tr>', html, re.S).group(0)
    assert re.findall(r'<td class="num">(\d+)</td>', this_week) == ["3", "0", "2", "3"]


def test_it_names_no_one(client_for, manager, practised, team, learner, coach):
    html = client_for(manager).get(url(team)).content.decode()
    for person in (learner, coach):
        assert person.get_full_name() not in html
    assert "Order picking" not in html


def test_anonymous_visitors_are_sent_to_sign_in(client, team):
    response = client.get(url(team))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_outsider_gets_404(client_for, outsider, team):
    assert client_for(outsider).get(url(team)).status_code == 404


def test_a_missing_team_is_404(client_for, manager, team):
    assert client_for(manager).get("/teams/nope/practice/").status_code == 404


@pytest.mark.parametrize("role", [Role.VIEWER, Role.MEMBER, Role.COACH, Role.MANAGER])
def test_every_member_of_the_team_may_see_it(client_for, team, role):
    user = UserFactory()
    MembershipFactory(user=user, team=team, role=role)
    assert client_for(user).get(url(team)).status_code == 200


def test_the_query_count_does_not_grow_with_the_practice(
    client_for, manager, team, django_assert_max_num_queries
):
    client = client_for(manager)
    board(team, "First", steps_ago=(1,), cycles_ago=(1,), sessions_in=(1,))
    with django_assert_max_num_queries(10) as small:
        assert client.get(url(team)).status_code == 200
    for n in range(10):
        board(team, f"Board {n}", steps_ago=(1, 8, 20, 40), cycles_ago=(2, 9, 30), sessions_in=(1,))
    with django_assert_max_num_queries(10) as large:
        assert client.get(url(team)).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
