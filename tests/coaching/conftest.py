"""Coaching fixtures: a second coach, a board in mid-experiment, and a weekday series.

Times are pinned with time-machine where they matter; ``monday_0800`` is a Monday morning in
Berlin (winter time, UTC+1) a week before the clocks go forward.
"""

from datetime import UTC, date, datetime, time

import pytest

from boards.models import Role, User
from boards.services.experiments import experiment_plan
from boards.services.obstacles import obstacle_add, obstacle_work_on
from boards.services.targets import actual_condition_record
from coaching.services.scheduling import series_create
from tests.factories import MembershipFactory, UserFactory

# Monday 16 March 2026, 08:00 in Berlin (07:00 UTC).
MONDAY_0800 = datetime(2026, 3, 16, 7, 0, tzinfo=UTC)


@pytest.fixture
def second_coach(team) -> User:
    user = UserFactory(username="sara", first_name="Sara", last_name="Reed")
    MembershipFactory(user=user, team=team, role=Role.COACH)
    return user


@pytest.fixture
def berlin(learner, coach, second_coach):
    """Everyone in Berlin, so times in pages and emails are Berlin times."""
    for user in (learner, coach, second_coach):
        user.time_zone = "Europe/Berlin"
        user.save(update_fields=["time_zone"])


@pytest.fixture
def mid_experiment(target, learner):
    """An actual condition, two obstacles (one worked on) and a step in progress."""
    actual_condition_record(
        storyboard=target.storyboard,
        operating_pattern="Pickers walk each aisle twice.",
        by=learner,
    )
    walk = obstacle_add(
        target_condition=target, description="Pick list not in aisle order", by=learner
    )
    obstacle_add(target_condition=target, description="Scanner batteries flat", by=learner)
    obstacle_work_on(obstacle=walk, version=walk.version, by=learner)
    walk.refresh_from_db()
    step = experiment_plan(
        target_condition=target,
        step="Sort the pick list by aisle",
        expected="Pick time under 35 minutes",
        obstacle=walk,
        by=learner,
    )
    return {"target": target, "walk": walk, "step": step}


def weekday_series(storyboard, coach, learner, *, second_coach=None, now, **kwargs):
    values = {
        "start_date": date(2026, 3, 16),
        "start_time": time(9, 30),
        "duration_minutes": 20,
        "rrule": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        "time_zone": "Europe/Berlin",
        **kwargs,
    }
    return series_create(
        storyboard=storyboard,
        coach=coach,
        learner=learner,
        second_coach=second_coach,
        by=coach,
        now=now,
        **values,
    )
