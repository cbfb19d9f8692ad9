"""The reads in boards.selectors and the queryset filters behind them: each finds its one row on
its own board, and nothing when the board has none."""

from datetime import timedelta

import pytest
from django.utils import timezone

from boards.models import Experiment, Invitation, Metric, Obstacle, TargetCondition
from boards.selectors import (
    active_target_condition,
    obstacle_worked_on,
    process_metric,
    step_in_progress,
)
from tests.factories import (
    ExperimentFactory,
    MetricFactory,
    ObstacleFactory,
    StoryboardFactory,
    TargetConditionFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


def test_active_target_condition_is_the_active_one_of_this_board():
    storyboard = StoryboardFactory()
    TargetConditionFactory(storyboard=storyboard, achieved=True)
    active = TargetConditionFactory(storyboard=storyboard)
    TargetConditionFactory()  # another board's

    assert active_target_condition(storyboard) == active
    assert active_target_condition(storyboard.pk) == active
    assert list(TargetCondition.objects.filter(storyboard=storyboard).active()) == [active]


def test_active_target_condition_is_none_between_target_conditions():
    storyboard = StoryboardFactory()
    TargetConditionFactory(storyboard=storyboard, abandoned=True)

    assert active_target_condition(storyboard) is None


def test_step_in_progress_is_the_step_without_a_result():
    target = TargetConditionFactory()
    ExperimentFactory(target_condition=target, recorded=True)
    open_step = ExperimentFactory(target_condition=target)
    ExperimentFactory()  # another target condition's

    assert step_in_progress(target) == open_step
    assert list(Experiment.objects.filter(target_condition=target).in_progress()) == [open_step]


def test_step_in_progress_is_none_once_every_result_is_recorded():
    target = TargetConditionFactory()
    ExperimentFactory(target_condition=target, recorded=True)

    assert step_in_progress(target) is None


def test_obstacle_worked_on_is_the_one_being_worked_on():
    target = TargetConditionFactory()
    parked = ObstacleFactory(target_condition=target)
    working = ObstacleFactory(target_condition=target, status=Obstacle.Status.WORKING_ON)
    ObstacleFactory(target_condition=target, status=Obstacle.Status.CLEARED)
    ObstacleFactory(status=Obstacle.Status.WORKING_ON)  # another target condition's

    assert obstacle_worked_on(target) == working
    assert list(target.obstacles.working_on()) == [working]
    assert list(target.obstacles.uncleared()) == [parked, working]


def test_obstacle_worked_on_is_none_while_all_are_parked_or_cleared():
    target = TargetConditionFactory()
    ObstacleFactory(target_condition=target)
    ObstacleFactory(target_condition=target, status=Obstacle.Status.CLEARED)

    assert obstacle_worked_on(target) is None


def test_process_metric_is_the_process_one_and_none_without_it():
    target = TargetConditionFactory()
    MetricFactory(target_condition=target, outcome=True)

    assert process_metric(target) is None

    process = MetricFactory(target_condition=target)

    assert process_metric(target) == process
    assert list(Metric.objects.filter(target_condition=target).process()) == [process]


def test_open_invitations_are_neither_accepted_nor_revoked_expired_or_not():
    team = TeamFactory()
    now = timezone.now()
    made = {
        "pending": Invitation.objects.create(team=team, email="a@example.com", token_hash="a"),
        "expired": Invitation.objects.create(
            team=team, email="b@example.com", token_hash="b", expires_at=now - timedelta(days=1)
        ),
        "accepted": Invitation.objects.create(
            team=team, email="c@example.com", token_hash="c", accepted_at=now
        ),
        "revoked": Invitation.objects.create(
            team=team, email="d@example.com", token_hash="d", revoked_at=now
        ),
    }

    assert set(Invitation.objects.open()) == {made["pending"], made["expired"]}
