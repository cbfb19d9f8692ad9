"""coaching.access: the getters views use, and who may answer and observe a cycle."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404

from coaching import access
from coaching.services.cycles import cycle_start
from tests.coaching.conftest import MONDAY_0800, weekday_series
from tests.factories import StoryboardFactory


@pytest.fixture(autouse=True)
def on_that_monday():
    with time_machine.travel(MONDAY_0800, tick=False):
        yield


@pytest.fixture
def world(storyboard, target, coach, learner, second_coach):
    series = weekday_series(storyboard, coach, learner, second_coach=second_coach, now=MONDAY_0800)
    session = series.sessions.order_by("starts_at")[1]
    cycle = cycle_start(storyboard=storyboard, coach=coach, session=session)
    return {"series": series, "session": session, "cycle": cycle}


GETTERS = [
    ("series", access.get_series_for_user),
    ("session", access.get_session_for_user),
    ("cycle", access.get_cycle_for_user),
]


@pytest.mark.parametrize(("name", "getter"), GETTERS)
def test_a_getter_returns_the_object_with_its_storyboard(world, storyboard, coach, name, getter):
    found = getter(coach, world[name].pk, storyboard=storyboard.pk, write=True)
    assert found == world[name]
    assert found.storyboard is not None and found.storyboard.pk == storyboard.pk


@pytest.mark.parametrize(("name", "getter"), GETTERS)
def test_a_getter_hides_the_object_from_outsiders_and_other_boards(
    world, storyboard, team, coach, outsider, name, getter
):
    with pytest.raises(Http404):
        getter(outsider, world[name].pk, storyboard=storyboard.pk)
    other = StoryboardFactory(team=team, learner=storyboard.learner)
    with pytest.raises(Http404):
        getter(coach, world[name].pk, storyboard=other.pk)


@pytest.mark.parametrize(("name", "getter"), GETTERS)
def test_a_getter_lets_read_only_members_read_not_write(world, storyboard, viewer, name, getter):
    assert getter(viewer, world[name].pk, storyboard=storyboard.pk) == world[name]
    with pytest.raises(PermissionDenied):
        getter(viewer, world[name].pk, storyboard=storyboard.pk, write=True)


def test_the_coach_and_the_learner_answer_and_the_others_observe(
    world, storyboard, coach, learner, second_coach, viewer
):
    cycle = access.get_cycle_for_user(coach, world["cycle"].pk, storyboard=storyboard.pk)
    assert access.may_answer(coach, cycle) and access.may_answer(learner, cycle)
    assert not access.may_answer(second_coach, cycle)
    assert not access.may_observe(coach, cycle) and not access.may_observe(learner, cycle)
    assert access.may_observe(second_coach, cycle)
    assert not access.may_observe(viewer, cycle)
