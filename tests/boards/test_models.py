"""Rules the database itself keeps, on PostgreSQL and on SQLite, and small model rules."""

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from boards.models import (
    Activity,
    AppendOnlyError,
    Experiment,
    Membership,
    Metric,
    Obstacle,
    TargetCondition,
)
from tests.factories import (
    ChallengeFactory,
    ExperimentFactory,
    MembershipFactory,
    MetricFactory,
    ObstacleFactory,
    StoryboardFactory,
    TargetConditionFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _local(*args) -> datetime:
    """A moment on the wall clock of the project's time zone, where "today" is counted."""
    return timezone.make_aware(datetime(*args))


# Target conditions ------------------------------------------------------------------------------


def test_it_refuses_a_second_active_target_condition():
    first = TargetConditionFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        TargetConditionFactory(storyboard=first.storyboard)

    assert TargetCondition.objects.filter(storyboard=first.storyboard).count() == 1


def test_it_allows_an_active_target_condition_beside_achieved_and_abandoned_ones():
    storyboard = StoryboardFactory()
    TargetConditionFactory(storyboard=storyboard, achieved=True)
    TargetConditionFactory(storyboard=storyboard, abandoned=True)
    TargetConditionFactory(storyboard=storyboard)

    statuses = sorted(storyboard.target_conditions.values_list("number", "status"))
    assert statuses == [(1, "achieved"), (2, "abandoned"), (3, "active")]


def test_it_allows_one_active_target_condition_on_each_of_two_storyboards():
    TargetConditionFactory()
    TargetConditionFactory()

    assert TargetCondition.objects.filter(status="active").count() == 2


def test_it_refuses_a_duplicate_target_condition_number_on_one_storyboard():
    first = TargetConditionFactory(achieved=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        TargetConditionFactory(storyboard=first.storyboard, number=first.number)


def test_it_refuses_an_active_target_condition_with_closed_at():
    storyboard = StoryboardFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        TargetConditionFactory(storyboard=storyboard, closed_at=timezone.now())

    assert not TargetCondition.objects.exists()


@pytest.mark.parametrize("status", ["achieved", "abandoned"])
def test_it_refuses_a_closed_target_condition_without_closed_at(status):
    storyboard = StoryboardFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        TargetConditionFactory(storyboard=storyboard, status=status, closed_at=None)

    assert not TargetCondition.objects.exists()


def test_it_refuses_an_unknown_target_condition_status():
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetConditionFactory(status="paused", closed_at=timezone.now())


@pytest.mark.parametrize(
    ("achieve_by", "days_left"),
    [(date(2025, 3, 24), 14), (date(2025, 3, 10), 0), (date(2025, 3, 7), -3)],
)
def test_days_left_counts_from_today(achieve_by, days_left):
    target = TargetCondition(achieve_by=achieve_by)

    with time_machine.travel(_local(2025, 3, 10, 9, 0), tick=False):
        assert target.days_left() == days_left


def test_days_left_counts_from_a_given_day():
    target = TargetCondition(achieve_by=date(2025, 3, 24))

    assert target.days_left(today=date(2025, 3, 20)) == 4


def test_an_active_target_condition_becomes_overdue_the_day_after_achieve_by():
    target = TargetCondition(achieve_by=date(2025, 3, 10), status="active")

    with time_machine.travel(_local(2025, 3, 10, 23, 59), tick=False):
        assert not target.is_overdue
    with time_machine.travel(_local(2025, 3, 11, 0, 1), tick=False):
        assert target.is_overdue


@pytest.mark.parametrize("status", ["achieved", "abandoned"])
def test_a_closed_target_condition_is_never_overdue(status):
    target = TargetCondition(achieve_by=date(2025, 3, 10), status=status)

    with time_machine.travel(_local(2025, 6, 1, 12, 0), tick=False):
        assert target.days_left() < 0
        assert not target.is_overdue


# Obstacles -------------------------------------------------------------------------------------


def test_it_refuses_working_on_two_obstacles_of_one_target_condition():
    working = ObstacleFactory(status=Obstacle.Status.WORKING_ON)

    with pytest.raises(IntegrityError), transaction.atomic():
        ObstacleFactory(target_condition=working.target_condition, status="working")


def test_it_allows_working_on_one_obstacle_in_each_of_two_target_conditions():
    storyboard = StoryboardFactory()
    earlier = TargetConditionFactory(storyboard=storyboard, achieved=True)
    current = TargetConditionFactory(storyboard=storyboard)
    ObstacleFactory(target_condition=earlier, status="working")
    ObstacleFactory(target_condition=current, status="working")

    assert Obstacle.objects.filter(status="working").count() == 2


def test_it_allows_many_parked_and_cleared_obstacles_beside_the_one_worked_on():
    target = TargetConditionFactory()
    ObstacleFactory(target_condition=target, status="working")
    ObstacleFactory.create_batch(2, target_condition=target, status="parked")
    ObstacleFactory.create_batch(2, target_condition=target, status="cleared")

    assert target.obstacles.count() == 5


def test_it_refuses_an_unknown_obstacle_status():
    with pytest.raises(IntegrityError), transaction.atomic():
        ObstacleFactory(status="someday")


# Experiments -----------------------------------------------------------------------------------


def test_it_refuses_an_experiment_without_an_expectation():
    target = TargetConditionFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ExperimentFactory(target_condition=target, expected="")

    assert not Experiment.objects.exists()


def test_it_refuses_an_experiment_without_a_step():
    with pytest.raises(IntegrityError), transaction.atomic():
        ExperimentFactory(step="")


def test_it_refuses_a_duplicate_experiment_number_in_one_target_condition():
    first = ExperimentFactory(recorded=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        ExperimentFactory(target_condition=first.target_condition, number=first.number)


def test_it_allows_the_same_experiment_number_in_two_target_conditions():
    ExperimentFactory(number=1)
    ExperimentFactory(number=1)

    assert list(Experiment.objects.values_list("number", flat=True)) == [1, 1]


def test_it_refuses_a_recorded_result_without_what_happened():
    with pytest.raises(IntegrityError), transaction.atomic():
        ExperimentFactory(result_recorded_at=timezone.now(), happened="", learned="Something")

    assert not Experiment.objects.exists()


def test_it_allows_an_experiment_in_progress_with_nothing_happened_yet():
    experiment = ExperimentFactory(happened="", result_recorded_at=None)

    assert experiment.in_progress


def test_a_recorded_experiment_is_no_longer_in_progress():
    assert not ExperimentFactory(recorded=True).in_progress


# Metrics ---------------------------------------------------------------------------------------


def test_it_refuses_two_process_metrics_on_one_target_condition():
    metric = MetricFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        MetricFactory(target_condition=metric.target_condition)


def test_it_allows_a_process_and_an_outcome_metric_on_one_target_condition():
    process = MetricFactory()
    MetricFactory(target_condition=process.target_condition, outcome=True)

    assert process.target_condition.metrics.count() == 2


def test_it_refuses_an_unknown_metric_kind():
    with pytest.raises(IntegrityError), transaction.atomic():
        MetricFactory(kind="vanity")


@pytest.mark.parametrize(
    ("value", "meets"), [(Decimal("29.5"), True), (Decimal("30"), True), (Decimal("30.1"), False)]
)
def test_a_lower_is_better_metric_meets_its_target_at_or_below_it(value, meets):
    metric = Metric(target_value=Decimal("30"), higher_is_better=False)

    assert metric.meets_target(value) is meets


@pytest.mark.parametrize(
    ("value", "meets"), [(Decimal("96"), True), (Decimal("95"), True), (Decimal("94.9"), False)]
)
def test_a_higher_is_better_metric_meets_its_target_at_or_above_it(value, meets):
    metric = Metric(target_value=Decimal("95"), higher_is_better=True)

    assert metric.meets_target(value) is meets


def test_a_metric_labels_its_target_with_direction_and_unit():
    lower = Metric(target_value=Decimal("30.0000"), unit="min", higher_is_better=False)
    higher = Metric(target_value=Decimal("95.5000"), unit="%", higher_is_better=True)

    assert lower.target_label == "≤ 30 min"
    assert higher.target_label == "≥ 95.5 %"


# Teams and people ------------------------------------------------------------------------------


def test_it_refuses_a_second_membership_of_one_user_in_one_team():
    membership = MembershipFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=membership.user, team=membership.team, role="coach")

    assert Membership.objects.filter(user=membership.user).count() == 1


def test_it_allows_one_user_in_two_teams():
    user = UserFactory()
    MembershipFactory(user=user)
    MembershipFactory(user=user, role="viewer")

    assert user.memberships.count() == 2


def test_it_refuses_an_unknown_role():
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(role="owner")


@pytest.mark.parametrize(
    ("role", "can_edit"),
    [
        ("admin", True),
        ("member", True),
        ("coach", True),
        ("manager", False),
        ("viewer", False),
    ],
)
def test_only_admins_members_and_coaches_can_edit(role, can_edit):
    assert Membership(role=role).can_edit is can_edit


def test_it_accepts_a_known_time_zone():
    user = UserFactory(time_zone="Europe/Berlin")

    user.full_clean()


@pytest.mark.parametrize("time_zone", ["Mars/Olympus_Mons", "Europe/Atlantis", "UTC+2"])
def test_it_rejects_an_unknown_time_zone(time_zone):
    user = UserFactory()
    user.time_zone = time_zone

    with pytest.raises(ValidationError) as caught:
        user.full_clean()

    assert "time_zone" in caught.value.message_dict


def test_a_storyboard_refuses_a_challenge_of_another_team():
    storyboard = StoryboardFactory()
    storyboard.challenge = ChallengeFactory(team=TeamFactory())

    with pytest.raises(ValidationError) as caught:
        storyboard.full_clean()

    assert "challenge" in caught.value.message_dict


# The activity log ------------------------------------------------------------------------------


@pytest.fixture
def activity():
    storyboard = StoryboardFactory()
    return Activity.objects.create(
        storyboard=storyboard,
        actor=storyboard.learner,
        action=Activity.Action.OBSTACLE_ADDED,
        object_type="obstacle",
        object_id=1,
        summary="Added obstacle: printer queue",
        after={"description": "printer queue"},
    )


def test_the_activity_log_refuses_changing_a_row(activity):
    activity.summary = "Nothing happened here"

    with pytest.raises(AppendOnlyError):
        activity.save()

    assert Activity.objects.get(pk=activity.pk).summary == "Added obstacle: printer queue"


def test_the_activity_log_refuses_deleting_a_row(activity):
    with pytest.raises(AppendOnlyError):
        activity.delete()

    assert Activity.objects.filter(pk=activity.pk).exists()


def test_the_activity_log_appends_new_rows(activity):
    Activity.objects.create(
        storyboard=activity.storyboard,
        action=Activity.Action.OBSTACLE_CLEARED,
        object_type="obstacle",
        object_id=1,
        summary="Cleared obstacle: printer queue",
    )

    assert Activity.objects.filter(storyboard=activity.storyboard).count() == 2


def _entry(action: str) -> Activity:
    return Activity(
        storyboard=StoryboardFactory(),
        action=action,
        object_type="obstacle",
        object_id=1,
        summary="Something happened",
    )


@pytest.mark.parametrize("action", ["obstacle.exploded", "Obstacle.Added", "obstacle", ""])
def test_full_clean_refuses_an_activity_action_that_is_not_a_choice(action):
    entry = _entry(action)

    with pytest.raises(ValidationError) as caught:
        entry.full_clean()

    assert list(caught.value.message_dict) == ["action"]


@pytest.mark.parametrize("action", Activity.Action.values)
def test_full_clean_accepts_every_activity_action(action):
    _entry(action).full_clean()
