"""The write functions in boards.services: each change, its log entry, and what each refuses."""

from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.forms.models import model_to_dict
from django.utils import timezone

from boards.models import (
    Activity,
    ActualCondition,
    Challenge,
    Experiment,
    Measurement,
    Membership,
    Metric,
    Obstacle,
    Storyboard,
    TargetCondition,
    Team,
)
from boards.services.base import Conflict
from boards.services.experiments import experiment_plan, experiment_record_result, experiment_update
from boards.services.obstacles import (
    obstacle_add,
    obstacle_clear,
    obstacle_move,
    obstacle_park,
    obstacle_update,
    obstacle_work_on,
)
from boards.services.storyboards import challenge_create, storyboard_create, storyboard_update
from boards.services.targets import (
    actual_condition_record,
    measurement_add,
    metric_update,
    target_condition_close,
    target_condition_start,
    target_condition_update,
)
from boards.services.teams import membership_set, team_create
from tests.factories import ChallengeFactory, StoryboardFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

ALL_MODELS = [
    Team,
    Membership,
    Challenge,
    Storyboard,
    TargetCondition,
    Metric,
    ActualCondition,
    Measurement,
    Obstacle,
    Experiment,
    Activity,
]


def _state(rows):
    counts = {model.__name__: model.objects.count() for model in ALL_MODELS}
    revisions = dict(Storyboard.objects.values_list("pk", "revision"))
    saved = [model_to_dict(type(row).objects.get(pk=row.pk)) for row in rows]
    return counts, revisions, saved


@contextmanager
def changes_nothing(*rows):
    """Every count, every board's revision and each of ``rows`` as saved stay as they were."""
    before = _state(rows)
    yield
    assert _state(rows) == before


def _revision(storyboard) -> int:
    return Storyboard.objects.values_list("revision", flat=True).get(pk=storyboard.pk)


@contextmanager
def logged(storyboard, *actions):
    """The block appends exactly ``actions`` to the board's log and bumps its revision per entry.

    Yields a list that holds the new Activity rows once the block has run.
    """
    revision = _revision(storyboard)
    last_pk = Activity.objects.aggregate(n=Max("pk"))["n"] or 0
    entries: list[Activity] = []
    yield entries
    entries.extend(Activity.objects.filter(pk__gt=last_pk).order_by("pk"))
    assert [entry.action for entry in entries] == list(actions)
    assert {entry.storyboard_id for entry in entries} == {storyboard.pk}
    assert _revision(storyboard) == revision + len(actions)


def _today():
    return timezone.localdate()


@pytest.fixture
def process_metric(target):
    return target.metrics.get(kind=Metric.Kind.PROCESS)


@pytest.fixture
def obstacle(target, learner):
    return obstacle_add(
        target_condition=target, description="Pick list out of aisle order", by=learner
    )


@pytest.fixture
def experiment(target, obstacle, learner):
    return experiment_plan(
        target_condition=target,
        step="Print the pick list sorted by aisle",
        expected="Pick time falls to 35 minutes",
        obstacle=obstacle,
        by=learner,
    )


@pytest.fixture
def closed_target(target, coach):
    return target_condition_close(
        target_condition=target,
        version=target.version,
        status="achieved",
        reflection="Sorting the list did most of it.",
        by=coach,
    )


def _record(experiment, by, **extra):
    return experiment_record_result(
        experiment=experiment,
        version=experiment.version,
        happened="Pick time fell to 33 minutes",
        learned="Walking order matters more than speed",
        by=by,
        **extra,
    )


# Teams, memberships and challenges -------------------------------------------------------------


def test_team_create_makes_its_creator_the_administrator(learner):
    team = team_create(name="  Returns ", slug="returns", by=learner)

    assert (team.name, team.slug) == ("Returns", "returns")
    assert Membership.objects.get(team=team, user=learner).role == "admin"


@pytest.mark.parametrize("name", ["", "   "])
def test_team_create_refuses_a_blank_name(db, name):
    creator = UserFactory()

    with changes_nothing(), pytest.raises(ValidationError) as caught:
        team_create(name=name, slug="blank", by=creator)

    assert "name" in caught.value.message_dict


def test_membership_set_adds_a_user_with_a_role(team):
    user = UserFactory()

    membership = membership_set(team=team, user=user, role="coach")

    assert Membership.objects.get(team=team, user=user) == membership
    assert membership.role == "coach"


def test_membership_set_changes_the_role_of_an_existing_member(team, viewer):
    count = Membership.objects.count()

    membership_set(team=team, user=viewer, role="member")

    assert Membership.objects.get(team=team, user=viewer).role == "member"
    assert Membership.objects.count() == count


def test_membership_set_refuses_an_unknown_role(team, viewer):
    membership = Membership.objects.get(team=team, user=viewer)

    with changes_nothing(membership), pytest.raises(ValidationError) as caught:
        membership_set(team=team, user=viewer, role="owner")

    assert "role" in caught.value.message_dict


def test_challenge_create_saves_the_direction(team):
    horizon = _today() + timedelta(days=400)

    challenge = challenge_create(
        team=team, title=" Same-day shipping ", horizon=horizon, description=" All orders. "
    )

    challenge.refresh_from_db()
    assert (challenge.team, challenge.title, challenge.horizon, challenge.description) == (
        team,
        "Same-day shipping",
        horizon,
        "All orders.",
    )


@pytest.mark.parametrize("title", ["", " \n "])
def test_challenge_create_refuses_a_blank_title(team, title):
    with changes_nothing(), pytest.raises(ValidationError) as caught:
        challenge_create(team=team, title=title, horizon=_today())

    assert "title" in caught.value.message_dict


# Storyboards -----------------------------------------------------------------------------------


def test_storyboard_create_starts_the_board_and_its_log(team, learner, coach):
    challenge = ChallengeFactory(team=team)

    storyboard = storyboard_create(
        team=team,
        challenge=challenge,
        focus_process=" Packing ",
        learner=learner,
        coach=coach,
        by=coach,
    )

    (entry,) = Activity.objects.filter(storyboard=storyboard)
    assert (entry.actor, entry.action, entry.object_type, entry.object_id) == (
        coach,
        "storyboard.created",
        "storyboard",
        storyboard.pk,
    )
    assert entry.before is None
    assert entry.after == {
        "focus_process": "Packing",
        "challenge": challenge.pk,
        "learner": learner.pk,
        "coach": coach.pk,
    }
    assert _revision(storyboard) == 2


def test_storyboard_create_refuses_a_challenge_of_another_team(team, learner):
    foreign_challenge = ChallengeFactory(team=TeamFactory())

    with changes_nothing(), pytest.raises(ValidationError) as caught:
        storyboard_create(
            team=team,
            challenge=foreign_challenge,
            focus_process="Packing",
            learner=learner,
            by=learner,
        )

    assert "challenge" in caught.value.message_dict


def test_storyboard_create_refuses_a_blank_focus_process(team, learner):
    challenge = ChallengeFactory(team=team)

    with changes_nothing(), pytest.raises(ValidationError) as caught:
        storyboard_create(
            team=team, challenge=challenge, focus_process="  ", learner=learner, by=learner
        )

    assert "focus_process" in caught.value.message_dict


def test_storyboard_update_changes_the_board_and_logs_before_and_after(
    storyboard, team, learner, coach
):
    new_challenge = ChallengeFactory(team=team)
    old_challenge = storyboard.challenge
    changed_before = Storyboard.objects.get(pk=storyboard.pk).changed_at

    with logged(storyboard, "storyboard.updated") as entries:
        storyboard_update(
            storyboard=storyboard,
            version=storyboard.version,
            focus_process="Order picking, aisles 1 to 4",
            challenge=new_challenge,
            by=learner,
        )

    saved = Storyboard.objects.get(pk=storyboard.pk)
    assert (saved.focus_process, saved.challenge, saved.coach, saved.version) == (
        "Order picking, aisles 1 to 4",
        new_challenge,
        coach,
        2,
    )
    assert saved.changed_at >= changed_before
    (entry,) = entries
    assert entry.actor == learner
    assert entry.before == {"focus_process": "Order picking", "challenge": old_challenge.pk}
    assert entry.after == {
        "focus_process": "Order picking, aisles 1 to 4",
        "challenge": new_challenge.pk,
    }


def test_storyboard_update_refuses_a_challenge_of_another_team(storyboard, learner, coach):
    foreign_challenge = ChallengeFactory(team=TeamFactory())

    with changes_nothing(storyboard), pytest.raises(ValidationError) as caught:
        storyboard_update(
            storyboard=storyboard,
            version=storyboard.version,
            focus_process="Packing",
            challenge=foreign_challenge,
            by=learner,
        )

    assert "challenge" in caught.value.message_dict


# Target conditions -----------------------------------------------------------------------------


def test_target_condition_start_sets_the_target_with_both_metrics(storyboard, learner):
    achieve_by = _today() + timedelta(days=21)

    with logged(storyboard, "target_condition.started") as entries:
        target = target_condition_start(
            storyboard=storyboard,
            operating_pattern="  One walk per order  ",
            achieve_by=achieve_by,
            process_metric={"name": "Pick time", "unit": "min", "target_value": "30"},
            outcome_metric={
                "name": "Same-day orders",
                "unit": "%",
                "target_value": "95,5",
                "higher_is_better": True,
            },
            by=learner,
        )

    target.refresh_from_db()
    assert (target.number, target.status, target.operating_pattern, target.achieve_by) == (
        1,
        "active",
        "One walk per order",
        achieve_by,
    )
    metrics = {m.kind: m for m in target.metrics.all()}
    assert (metrics["process"].name, metrics["process"].target_value) == (
        "Pick time",
        Decimal("30"),
    )
    assert not metrics["process"].higher_is_better
    assert (metrics["outcome"].target_value, metrics["outcome"].higher_is_better) == (
        Decimal("95.5"),
        True,
    )
    (entry,) = entries
    assert (entry.actor, entry.object_type, entry.object_id) == (
        learner,
        "targetcondition",
        target.pk,
    )
    assert entry.before is None
    assert entry.after == {
        "operating_pattern": "One walk per order",
        "achieve_by": achieve_by.isoformat(),
        "status": "active",
        "reflection": "",
    }


def test_target_condition_start_works_without_metrics(storyboard, learner):
    target = target_condition_start(
        storyboard=storyboard,
        operating_pattern="One walk per order",
        achieve_by=_today() + timedelta(days=7),
        by=learner,
    )

    assert not target.metrics.exists()


def test_target_condition_start_refuses_a_second_active_one(target, storyboard, learner):
    with changes_nothing(target), pytest.raises(ValidationError):
        target_condition_start(
            storyboard=storyboard,
            operating_pattern="Another pattern",
            achieve_by=_today() + timedelta(days=7),
            by=learner,
        )


def test_target_condition_start_refuses_an_achieve_by_date_in_the_past(storyboard, learner):
    with changes_nothing(), pytest.raises(ValidationError) as caught:
        target_condition_start(
            storyboard=storyboard,
            operating_pattern="One walk per order",
            achieve_by=_today() - timedelta(days=1),
            by=learner,
        )

    assert "achieve_by" in caught.value.message_dict


def test_target_condition_start_accepts_achieve_by_today(storyboard, learner):
    target = target_condition_start(
        storyboard=storyboard,
        operating_pattern="One walk per order",
        achieve_by=_today(),
        by=learner,
    )

    assert target.days_left() == 0


@pytest.mark.parametrize("pattern", ["", "   "])
def test_target_condition_start_refuses_a_blank_operating_pattern(storyboard, learner, pattern):
    with changes_nothing(), pytest.raises(ValidationError) as caught:
        target_condition_start(
            storyboard=storyboard,
            operating_pattern=pattern,
            achieve_by=_today() + timedelta(days=7),
            by=learner,
        )

    assert "operating_pattern" in caught.value.message_dict


@pytest.mark.parametrize(
    ("process_metric", "field"),
    [
        ({"name": "Pick time", "target_value": "thirty"}, "process_metric_target"),
        ({"name": "Pick time", "target_value": "NaN"}, "process_metric_target"),
        ({"name": " ", "target_value": "30"}, "process_metric_name"),
    ],
)
def test_target_condition_start_refuses_a_bad_metric_and_creates_nothing(
    storyboard, learner, process_metric, field
):
    with changes_nothing(), pytest.raises(ValidationError) as caught:
        target_condition_start(
            storyboard=storyboard,
            operating_pattern="One walk per order",
            achieve_by=_today() + timedelta(days=7),
            process_metric=process_metric,
            by=learner,
        )

    assert field in caught.value.message_dict


def test_target_condition_update_changes_pattern_and_date(target, coach):
    new_date = target.achieve_by + timedelta(days=7)

    with logged(target.storyboard, "target_condition.updated") as entries:
        target_condition_update(
            target_condition=target,
            version=target.version,
            operating_pattern="One walk per two orders",
            achieve_by=new_date,
            by=coach,
        )

    saved = TargetCondition.objects.get(pk=target.pk)
    assert (saved.operating_pattern, saved.achieve_by, saved.version) == (
        "One walk per two orders",
        new_date,
        2,
    )
    (entry,) = entries
    assert entry.actor == coach
    assert entry.before["operating_pattern"] == "Each order is picked in one walk, in aisle order."
    assert entry.after["operating_pattern"] == "One walk per two orders"
    assert entry.after["achieve_by"] == new_date.isoformat()


def test_target_condition_update_refuses_a_blank_operating_pattern(target, coach):
    with changes_nothing(target), pytest.raises(ValidationError):
        target_condition_update(
            target_condition=target,
            version=target.version,
            operating_pattern=" ",
            achieve_by=target.achieve_by,
            by=coach,
        )


@pytest.mark.parametrize("status", ["achieved", "abandoned"])
def test_target_condition_close_closes_it_with_a_reflection(target, coach, status):
    with logged(target.storyboard, f"target_condition.{status}") as entries:
        target_condition_close(
            target_condition=target,
            version=target.version,
            status=status,
            reflection="  The printer queue was the real obstacle.  ",
            by=coach,
        )

    saved = TargetCondition.objects.get(pk=target.pk)
    assert (saved.status, saved.reflection) == (status, "The printer queue was the real obstacle.")
    assert saved.closed_at is not None
    assert not saved.is_active
    (entry,) = entries
    assert entry.actor == coach
    assert (entry.before["status"], entry.after["status"]) == ("active", status)
    assert entry.after["reflection"] == "The printer queue was the real obstacle."


@pytest.mark.parametrize("status", ["active", "paused", ""])
def test_target_condition_close_refuses_a_status_other_than_achieved_or_abandoned(
    target, coach, status
):
    with changes_nothing(target), pytest.raises(ValidationError) as caught:
        target_condition_close(
            target_condition=target,
            version=target.version,
            status=status,
            reflection="We stopped.",
            by=coach,
        )

    assert "status" in caught.value.message_dict


@pytest.mark.parametrize("reflection", ["", "  \n "])
def test_target_condition_close_refuses_it_without_a_reflection(target, coach, reflection):
    with changes_nothing(target), pytest.raises(ValidationError) as caught:
        target_condition_close(
            target_condition=target,
            version=target.version,
            status="achieved",
            reflection=reflection,
            by=coach,
        )

    assert "reflection" in caught.value.message_dict


def test_target_condition_close_refuses_closing_it_twice(closed_target, coach):
    with changes_nothing(closed_target), pytest.raises(ValidationError):
        target_condition_close(
            target_condition=closed_target,
            version=closed_target.version,
            status="abandoned",
            reflection="Again.",
            by=coach,
        )


def test_after_closing_the_next_target_condition_can_start_as_number_2(
    closed_target, storyboard, learner
):
    following = target_condition_start(
        storyboard=storyboard,
        operating_pattern="Orders leave within two hours of picking",
        achieve_by=_today() + timedelta(days=14),
        by=learner,
    )

    assert following.number == 2
    assert list(storyboard.target_conditions.values_list("number", "status")) == [
        (2, "active"),
        (1, "achieved"),
    ]


# Metrics, actual condition, measurements -------------------------------------------------------


def test_metric_update_changes_the_target_and_logs_it(process_metric, coach):
    with logged(process_metric.target_condition.storyboard, "metric.updated") as entries:
        metric_update(
            metric=process_metric,
            version=process_metric.version,
            name="Pick time per order",
            unit=" min ",
            target_value="27.5",
            higher_is_better=False,
            by=coach,
        )

    saved = Metric.objects.get(pk=process_metric.pk)
    assert (saved.target_value, saved.unit, saved.version) == (Decimal("27.5"), "min", 2)
    (entry,) = entries
    assert entry.actor == coach
    assert (entry.before["target_value"], entry.after["target_value"]) == ("30.0000", "27.5000")


@pytest.mark.parametrize("target_value", ["abc", "inf", ""])
def test_metric_update_refuses_a_target_that_is_not_a_number(process_metric, coach, target_value):
    with changes_nothing(process_metric), pytest.raises(ValidationError) as caught:
        metric_update(
            metric=process_metric,
            version=process_metric.version,
            name="Pick time",
            unit="min",
            target_value=target_value,
            higher_is_better=False,
            by=coach,
        )

    assert "target_value" in caught.value.message_dict


def test_actual_condition_record_saves_the_observation(storyboard, learner):
    observed_at = timezone.now() - timedelta(hours=2)

    with logged(storyboard, "actual_condition.recorded") as entries:
        observation = actual_condition_record(
            storyboard=storyboard,
            operating_pattern=" Pickers walk the aisles twice per order ",
            observed_at=observed_at,
            by=learner,
        )

    observation.refresh_from_db()
    assert (observation.operating_pattern, observation.observed_at, observation.recorded_by) == (
        "Pickers walk the aisles twice per order",
        observed_at,
        learner,
    )
    (entry,) = entries
    assert (entry.actor, entry.object_id) == (learner, observation.pk)
    assert entry.after["operating_pattern"] == "Pickers walk the aisles twice per order"


def test_actual_condition_record_refuses_a_blank_observation(storyboard, learner):
    with changes_nothing(), pytest.raises(ValidationError):
        actual_condition_record(storyboard=storyboard, operating_pattern=" ", by=learner)


@pytest.mark.parametrize(
    ("value", "saved"),
    [("31.5", Decimal("31.5")), ("12,5", Decimal("12.5")), (-3, Decimal("-3")), (" 40 ", 40)],
)
def test_measurement_add_saves_a_point_on_the_run_chart(process_metric, learner, value, saved):
    measured_at = timezone.now() - timedelta(hours=1)

    with logged(process_metric.target_condition.storyboard, "measurement.added") as entries:
        measurement = measurement_add(
            metric=process_metric, value=value, measured_at=measured_at, note=" late ", by=learner
        )

    measurement.refresh_from_db()
    assert (measurement.value, measurement.measured_at, measurement.note) == (
        saved,
        measured_at,
        "late",
    )
    assert (measurement.metric, measurement.recorded_by) == (process_metric, learner)
    (entry,) = entries
    assert entry.actor == learner
    assert entry.after["metric"] == process_metric.pk


@pytest.mark.parametrize(
    "value", ["abc", "", "NaN", "nan", "inf", "-Infinity", "1e12", float("nan"), None]
)
def test_measurement_add_refuses_non_numbers_infinities_and_huge_values(
    process_metric, learner, value
):
    with changes_nothing(), pytest.raises(ValidationError) as caught:
        measurement_add(metric=process_metric, value=value, by=learner)

    assert "value" in caught.value.message_dict


def test_measurement_add_refuses_a_time_in_the_future(process_metric, learner):
    with changes_nothing(), pytest.raises(ValidationError) as caught:
        measurement_add(
            metric=process_metric,
            value="31",
            measured_at=timezone.now() + timedelta(hours=1),
            by=learner,
        )

    assert "measured_at" in caught.value.message_dict


def test_measurement_add_allows_a_clock_a_minute_ahead(process_metric, learner):
    measurement = measurement_add(
        metric=process_metric,
        value="31",
        measured_at=timezone.now() + timedelta(minutes=1),
        by=learner,
    )

    assert Measurement.objects.filter(pk=measurement.pk).exists()


def test_measurement_add_refuses_an_experiment_of_another_target_condition(process_metric, learner):
    other_target = target_condition_start(
        storyboard=StoryboardFactory(),
        operating_pattern="Elsewhere",
        achieve_by=_today() + timedelta(days=7),
        by=None,
    )
    other_experiment = experiment_plan(
        target_condition=other_target, step="Try", expected="Better", by=None
    )

    with changes_nothing(), pytest.raises(ValidationError) as caught:
        measurement_add(metric=process_metric, value="31", experiment=other_experiment, by=learner)

    assert "experiment" in caught.value.message_dict


# Obstacles -------------------------------------------------------------------------------------


def test_obstacle_add_puts_new_obstacles_at_the_end_of_the_parking_lot(target, learner):
    with logged(target.storyboard, "obstacle.added", "obstacle.added") as entries:
        first = obstacle_add(target_condition=target, description=" Printer queue ", by=learner)
        second = obstacle_add(target_condition=target, description="Aisle 3 blocked", by=learner)

    assert [(o.description, o.position, o.status) for o in target.obstacles.all()] == [
        ("Printer queue", 1, "parked"),
        ("Aisle 3 blocked", 2, "parked"),
    ]
    assert [(e.actor, e.object_id) for e in entries] == [(learner, first.pk), (learner, second.pk)]
    assert entries[0].before is None
    assert entries[0].after == {
        "description": "Printer queue",
        "status": "parked",
        "position": 1,
        "cleared_at": None,
    }


def test_obstacle_add_refuses_a_blank_description(target, learner):
    with changes_nothing(), pytest.raises(ValidationError) as caught:
        obstacle_add(target_condition=target, description="   ", by=learner)

    assert "description" in caught.value.message_dict


def test_a_closed_target_condition_refuses_new_obstacles(closed_target, learner):
    with changes_nothing(), pytest.raises(ValidationError):
        obstacle_add(target_condition=closed_target, description="Found too late", by=learner)


def test_obstacle_update_changes_the_description(obstacle, coach):
    with logged(obstacle.target_condition.storyboard, "obstacle.updated") as entries:
        obstacle_update(
            obstacle=obstacle,
            version=obstacle.version,
            description="Pick list printed in order-entry sequence",
            by=coach,
        )

    saved = Obstacle.objects.get(pk=obstacle.pk)
    assert (saved.description, saved.version) == ("Pick list printed in order-entry sequence", 2)
    (entry,) = entries
    assert entry.actor == coach
    assert entry.before["description"] == "Pick list out of aisle order"
    assert entry.after["description"] == "Pick list printed in order-entry sequence"


def test_obstacle_update_refuses_a_blank_description(obstacle, coach):
    with changes_nothing(obstacle), pytest.raises(ValidationError):
        obstacle_update(obstacle=obstacle, version=obstacle.version, description="", by=coach)


def test_obstacle_work_on_makes_it_the_one_worked_on(obstacle, learner):
    with logged(obstacle.target_condition.storyboard, "obstacle.working_on") as entries:
        obstacle_work_on(obstacle=obstacle, version=obstacle.version, by=learner)

    assert Obstacle.objects.get(pk=obstacle.pk).status == "working"
    (entry,) = entries
    assert entry.actor == learner
    assert (entry.before["status"], entry.after["status"]) == ("parked", "working")


def test_obstacle_work_on_puts_the_previous_one_back_in_the_parking_lot(target, obstacle, learner):
    obstacle_work_on(obstacle=obstacle, version=obstacle.version, by=learner)
    other = obstacle_add(target_condition=target, description="Aisle 3", by=learner)

    with logged(target.storyboard, "obstacle.working_on") as entries:
        obstacle_work_on(obstacle=other, version=other.version, by=learner)

    assert dict(target.obstacles.values_list("description", "status")) == {
        "Pick list out of aisle order": "parked",
        "Aisle 3": "working",
    }
    assert "back to the parking lot: Pick list out of aisle order" in entries[0].summary


def test_obstacle_work_on_refuses_a_cleared_obstacle(obstacle, learner):
    obstacle_clear(obstacle=obstacle, version=obstacle.version, by=learner)

    with changes_nothing(obstacle), pytest.raises(ValidationError):
        obstacle_work_on(obstacle=obstacle, version=obstacle.version, by=learner)


def test_obstacle_work_on_refuses_on_a_closed_target_condition(obstacle, closed_target, learner):
    obstacle.refresh_from_db()

    with changes_nothing(obstacle), pytest.raises(ValidationError):
        obstacle_work_on(obstacle=obstacle, version=obstacle.version, by=learner)


def test_obstacle_clear_strikes_it_through(obstacle, learner):
    with logged(obstacle.target_condition.storyboard, "obstacle.cleared") as entries:
        obstacle_clear(obstacle=obstacle, version=obstacle.version, by=learner)

    saved = Obstacle.objects.get(pk=obstacle.pk)
    assert saved.status == "cleared"
    assert saved.cleared_at is not None
    (entry,) = entries
    assert entry.actor == learner
    assert (entry.before["cleared_at"], entry.after["status"]) == (None, "cleared")


def test_clearing_the_obstacle_worked_on_lets_another_be_worked_on(target, obstacle, learner):
    obstacle_work_on(obstacle=obstacle, version=obstacle.version, by=learner)
    obstacle_clear(obstacle=obstacle, version=obstacle.version, by=learner)
    other = obstacle_add(target_condition=target, description="Aisle 3", by=learner)

    obstacle_work_on(obstacle=other, version=other.version, by=learner)

    assert dict(target.obstacles.values_list("description", "status")) == {
        "Pick list out of aisle order": "cleared",
        "Aisle 3": "working",
    }


def test_obstacle_park_reopens_a_cleared_obstacle(obstacle, learner):
    obstacle_clear(obstacle=obstacle, version=obstacle.version, by=learner)

    with logged(obstacle.target_condition.storyboard, "obstacle.parked") as entries:
        obstacle_park(obstacle=obstacle, version=obstacle.version, by=learner)

    saved = Obstacle.objects.get(pk=obstacle.pk)
    assert (saved.status, saved.cleared_at) == ("parked", None)
    (entry,) = entries
    assert (entry.before["status"], entry.after["status"]) == ("cleared", "parked")


def test_obstacle_park_refuses_on_a_closed_target_condition(obstacle, closed_target, learner):
    obstacle.refresh_from_db()

    with changes_nothing(obstacle), pytest.raises(ValidationError):
        obstacle_park(obstacle=obstacle, version=obstacle.version, by=learner)


@pytest.fixture
def parking_lot(target, learner):
    return [
        obstacle_add(target_condition=target, description=text, by=learner)
        for text in ("A", "B", "C")
    ]


def _order(target):
    return list(target.obstacles.order_by("position").values_list("description", "position"))


def test_obstacle_move_up_swaps_it_with_the_one_above(target, parking_lot, coach):
    with logged(target.storyboard, "obstacle.moved") as entries:
        moved = obstacle_move(obstacle=parking_lot[2], offset=-1, by=coach)

    assert _order(target) == [("A", 1), ("C", 2), ("B", 3)]
    assert moved.position == 2
    (entry,) = entries
    assert entry.actor == coach
    assert (entry.before, entry.after) == ({"position": 3}, {"position": 2})


def test_obstacle_move_down_past_the_end_stops_at_the_bottom(target, parking_lot, coach):
    with logged(target.storyboard, "obstacle.moved"):
        obstacle_move(obstacle=parking_lot[0], offset=5, by=coach)

    assert _order(target) == [("B", 1), ("C", 2), ("A", 3)]


def test_obstacle_move_up_from_the_top_changes_nothing(target, parking_lot, coach):
    with changes_nothing(*parking_lot):
        obstacle_move(obstacle=parking_lot[0], offset=-1, by=coach)

    assert _order(target) == [("A", 1), ("B", 2), ("C", 3)]


# Experiments (PDCA cycles record) --------------------------------------------------------------


def test_experiment_plan_writes_the_step_and_what_we_expect(target, obstacle, learner):
    planned_for = _today() + timedelta(days=1)

    with logged(target.storyboard, "experiment.planned") as entries:
        experiment = experiment_plan(
            target_condition=target,
            step=" Sort the pick list by aisle ",
            expected=" Pick time falls to 35 minutes ",
            obstacle=obstacle,
            planned_for=planned_for,
            by=learner,
        )

    experiment.refresh_from_db()
    assert (experiment.number, experiment.step, experiment.expected) == (
        1,
        "Sort the pick list by aisle",
        "Pick time falls to 35 minutes",
    )
    assert (experiment.obstacle, experiment.planned_for, experiment.created_by) == (
        obstacle,
        planned_for,
        learner,
    )
    assert experiment.in_progress
    (entry,) = entries
    assert (entry.actor, entry.object_type, entry.object_id) == (
        learner,
        "experiment",
        experiment.pk,
    )
    assert entry.after["expected"] == "Pick time falls to 35 minutes"
    assert entry.after["obstacle"] == obstacle.pk


def test_experiment_plan_numbers_steps_1_2_3_per_target_condition(target, storyboard, learner):
    numbers = []
    for step in ("Sort by aisle", "Print at the dock", "Batch two orders"):
        experiment = experiment_plan(
            target_condition=target, step=step, expected="Faster", by=learner
        )
        _record(experiment, learner)
        numbers.append(experiment.number)
    target_condition_close(
        target_condition=target,
        version=target.version,
        status="achieved",
        reflection="Done.",
        by=learner,
    )
    following = target_condition_start(
        storyboard=storyboard,
        operating_pattern="Next",
        achieve_by=_today() + timedelta(days=7),
        by=learner,
    )

    first_of_next = experiment_plan(
        target_condition=following, step="Try", expected="Better", by=learner
    )

    assert numbers == [1, 2, 3]
    assert first_of_next.number == 1


@pytest.mark.parametrize(
    ("step", "expected", "field"),
    [
        ("", "Faster", "step"),
        ("  \t", "Faster", "step"),
        ("Sort by aisle", "", "expected"),
        ("Sort by aisle", " \n ", "expected"),
    ],
)
def test_experiment_plan_refuses_a_step_without_text_or_prediction(
    target, learner, step, expected, field
):
    with changes_nothing(), pytest.raises(ValidationError) as caught:
        experiment_plan(target_condition=target, step=step, expected=expected, by=learner)

    assert field in caught.value.message_dict


def test_experiment_plan_refuses_a_new_step_while_one_is_in_progress(experiment, target, learner):
    with changes_nothing(experiment), pytest.raises(ValidationError) as caught:
        experiment_plan(target_condition=target, step="Another step", expected="Faster", by=learner)

    assert "#1" in caught.value.messages[0]


def test_experiment_plan_refuses_an_obstacle_of_another_target_condition(target, learner):
    other_target = target_condition_start(
        storyboard=StoryboardFactory(),
        operating_pattern="Elsewhere",
        achieve_by=_today() + timedelta(days=7),
        by=None,
    )
    foreign_obstacle = obstacle_add(target_condition=other_target, description="Theirs", by=None)

    with changes_nothing(), pytest.raises(ValidationError) as caught:
        experiment_plan(
            target_condition=target,
            step="Sort",
            expected="Faster",
            obstacle=foreign_obstacle,
            by=learner,
        )

    assert "obstacle" in caught.value.message_dict


def test_a_closed_target_condition_refuses_new_experiments(closed_target, learner):
    with changes_nothing(), pytest.raises(ValidationError):
        experiment_plan(
            target_condition=closed_target, step="Too late", expected="Nothing", by=learner
        )


def test_experiment_update_corrects_the_plan_of_a_step_in_progress(experiment, obstacle, learner):
    planned_for = _today() + timedelta(days=2)

    with logged(experiment.target_condition.storyboard, "experiment.updated") as entries:
        experiment_update(
            experiment=experiment,
            version=experiment.version,
            step="Print the pick list sorted by aisle and zone",
            expected="Pick time falls to 32 minutes",
            obstacle=None,
            planned_for=planned_for,
            by=learner,
        )

    saved = Experiment.objects.get(pk=experiment.pk)
    assert (saved.step, saved.expected, saved.obstacle, saved.planned_for) == (
        "Print the pick list sorted by aisle and zone",
        "Pick time falls to 32 minutes",
        None,
        planned_for,
    )
    (entry,) = entries
    assert entry.actor == learner
    assert (entry.before["expected"], entry.after["expected"]) == (
        "Pick time falls to 35 minutes",
        "Pick time falls to 32 minutes",
    )
    assert (entry.before["obstacle"], entry.after["obstacle"]) == (obstacle.pk, None)


def test_experiment_update_refuses_changing_the_prediction_after_the_result(experiment, learner):
    _record(experiment, learner)

    with changes_nothing(experiment), pytest.raises(ValidationError) as caught:
        experiment_update(
            experiment=experiment,
            version=experiment.version,
            step=experiment.step,
            expected="Pick time falls to 33 minutes, as it did",
            obstacle=experiment.obstacle,
            planned_for=experiment.planned_for,
            by=learner,
        )

    assert "expected" in caught.value.message_dict


def test_experiment_update_still_corrects_the_step_after_the_result(experiment, learner):
    _record(experiment, learner)

    experiment_update(
        experiment=experiment,
        version=experiment.version,
        step="Print the pick list sorted by aisle (typo fixed)",
        expected=experiment.expected,
        obstacle=experiment.obstacle,
        planned_for=experiment.planned_for,
        by=learner,
    )

    saved = Experiment.objects.get(pk=experiment.pk)
    assert (saved.step, saved.expected) == (
        "Print the pick list sorted by aisle (typo fixed)",
        "Pick time falls to 35 minutes",
    )


def test_experiment_update_refuses_an_obstacle_of_another_target_condition(experiment, learner):
    foreign_obstacle = obstacle_add(
        target_condition=target_condition_start(
            storyboard=StoryboardFactory(),
            operating_pattern="Elsewhere",
            achieve_by=_today() + timedelta(days=7),
            by=None,
        ),
        description="Theirs",
        by=None,
    )

    with changes_nothing(experiment), pytest.raises(ValidationError) as caught:
        experiment_update(
            experiment=experiment,
            version=experiment.version,
            step=experiment.step,
            expected=experiment.expected,
            obstacle=foreign_obstacle,
            planned_for=experiment.planned_for,
            by=learner,
        )

    assert "obstacle" in caught.value.message_dict


def test_experiment_record_result_writes_what_happened_and_what_we_learned(experiment, coach):
    with logged(experiment.target_condition.storyboard, "experiment.result_recorded") as entries:
        experiment_record_result(
            experiment=experiment,
            version=experiment.version,
            happened=" Pick time fell to 33 minutes ",
            learned=" Walking order matters more than speed ",
            threshold_of_knowledge=True,
            by=coach,
        )

    saved = Experiment.objects.get(pk=experiment.pk)
    assert (saved.happened, saved.learned, saved.threshold_of_knowledge) == (
        "Pick time fell to 33 minutes",
        "Walking order matters more than speed",
        True,
    )
    assert saved.result_recorded_at is not None
    assert not saved.in_progress
    assert not saved.measurements.exists()
    (entry,) = entries
    assert entry.actor == coach
    assert (entry.before["happened"], entry.after["happened"]) == (
        "",
        "Pick time fell to 33 minutes",
    )
    assert entry.after["learned"] == "Walking order matters more than speed"


def test_experiment_record_result_adds_the_measurement_to_the_process_metric(
    experiment, process_metric, learner
):
    storyboard = experiment.target_condition.storyboard

    with logged(storyboard, "experiment.result_recorded", "measurement.added") as entries:
        _record(experiment, learner, measurement_value="33")

    (measurement,) = Measurement.objects.all()
    assert (measurement.metric, measurement.experiment, measurement.value) == (
        process_metric,
        experiment,
        Decimal("33"),
    )
    assert measurement.recorded_by == learner
    assert entries[1].object_id == measurement.pk
    assert entries[1].actor == learner


def test_recording_a_result_lets_the_next_step_be_planned(experiment, target, learner):
    _record(experiment, learner)

    following = experiment_plan(
        target_condition=target, step="Print at the dock", expected="Faster", by=learner
    )

    assert following.number == 2


@pytest.mark.parametrize(
    ("happened", "learned", "field"),
    [
        ("", "Something", "happened"),
        ("   ", "Something", "happened"),
        ("It worked", " ", "learned"),
    ],
)
def test_experiment_record_result_refuses_a_result_without_text(
    experiment, learner, happened, learned, field
):
    with changes_nothing(experiment), pytest.raises(ValidationError) as caught:
        experiment_record_result(
            experiment=experiment,
            version=experiment.version,
            happened=happened,
            learned=learned,
            by=learner,
        )

    assert field in caught.value.message_dict


def test_a_bad_measurement_keeps_the_whole_result_unrecorded(experiment, learner):
    with changes_nothing(experiment), pytest.raises(ValidationError) as caught:
        _record(Experiment.objects.get(pk=experiment.pk), learner, measurement_value="abc")

    assert "measurement_value" in caught.value.message_dict
    assert Experiment.objects.get(pk=experiment.pk).in_progress


def test_a_measurement_without_a_process_metric_keeps_the_result_unrecorded(storyboard, learner):
    target = target_condition_start(
        storyboard=storyboard,
        operating_pattern="No metrics yet",
        achieve_by=_today() + timedelta(days=7),
        by=learner,
    )
    experiment = experiment_plan(target_condition=target, step="Try", expected="Better", by=learner)

    with changes_nothing(experiment), pytest.raises(ValidationError) as caught:
        _record(Experiment.objects.get(pk=experiment.pk), learner, measurement_value="33")

    assert "measurement_value" in caught.value.message_dict


# Optimistic concurrency ------------------------------------------------------------------------
# Each edit takes (row, version, text, by); two people start from the same version and the
# second to save is refused with the first one's values.


def _edit_storyboard(row, version, text, by):
    storyboard_update(
        storyboard=row, version=version, focus_process=text, challenge=row.challenge, by=by
    )


def _edit_target(row, version, text, by):
    target_condition_update(
        target_condition=row,
        version=version,
        operating_pattern=text,
        achieve_by=row.achieve_by,
        by=by,
    )


def _edit_metric(row, version, text, by):
    metric_update(
        metric=row,
        version=version,
        name=text,
        unit=row.unit,
        target_value=row.target_value,
        higher_is_better=row.higher_is_better,
        by=by,
    )


def _edit_obstacle(row, version, text, by):
    obstacle_update(obstacle=row, version=version, description=text, by=by)


def _edit_experiment(row, version, text, by):
    experiment_update(
        experiment=row,
        version=version,
        step=text,
        expected=row.expected,
        obstacle=row.obstacle,
        planned_for=row.planned_for,
        by=by,
    )


def _record_experiment(row, version, text, by):
    experiment_record_result(
        experiment=row, version=version, happened=text, learned="Learned", by=by
    )


STALE_EDITS = [
    pytest.param("storyboard", _edit_storyboard, "focus_process", id="storyboard_update"),
    pytest.param("target", _edit_target, "operating_pattern", id="target_condition_update"),
    pytest.param("process_metric", _edit_metric, "name", id="metric_update"),
    pytest.param("obstacle", _edit_obstacle, "description", id="obstacle_update"),
    pytest.param("experiment", _edit_experiment, "step", id="experiment_update"),
    pytest.param("experiment", _record_experiment, "happened", id="experiment_record_result"),
]


@pytest.mark.parametrize(("fixture", "edit", "field"), STALE_EDITS)
def test_a_stale_edit_is_refused_with_the_other_persons_saved_values(
    request, fixture, edit, field, learner, coach
):
    row = request.getfixturevalue(fixture)
    model = type(row)
    mine = model.objects.get(pk=row.pk)
    theirs = model.objects.get(pk=row.pk)
    edit(theirs, theirs.version, "Carl's wording", coach)

    with changes_nothing(row), pytest.raises(Conflict) as caught:
        edit(mine, mine.version, "Lena's wording", learner)

    current = caught.value.current
    assert (current.pk, getattr(current, field), current.version) == (
        row.pk,
        "Carl's wording",
        mine.version + 1,
    )
    assert getattr(model.objects.get(pk=row.pk), field) == "Carl's wording"


def _close_target(row, version, by):
    target_condition_close(
        target_condition=row, version=version, status="abandoned", reflection="Stop.", by=by
    )


def _work_on(row, version, by):
    obstacle_work_on(obstacle=row, version=version, by=by)


def _clear(row, version, by):
    obstacle_clear(obstacle=row, version=version, by=by)


def _park(row, version, by):
    obstacle_park(obstacle=row, version=version, by=by)


STALE_STATUS_CHANGES = [
    pytest.param("target", _edit_target, _close_target, id="target_condition_close"),
    pytest.param("obstacle", _edit_obstacle, _work_on, id="obstacle_work_on"),
    pytest.param("obstacle", _edit_obstacle, _clear, id="obstacle_clear"),
    pytest.param("obstacle", _edit_obstacle, _park, id="obstacle_park"),
]


@pytest.mark.parametrize(("fixture", "edit", "change"), STALE_STATUS_CHANGES)
def test_a_status_change_from_a_stale_version_is_refused(
    request, fixture, edit, change, learner, coach
):
    row = request.getfixturevalue(fixture)
    model = type(row)
    mine = model.objects.get(pk=row.pk)
    theirs = model.objects.get(pk=row.pk)
    edit(theirs, theirs.version, "Carl's wording", coach)

    with changes_nothing(row), pytest.raises(Conflict) as caught:
        change(mine, mine.version, learner)

    assert caught.value.current.version == mine.version + 1
    assert caught.value.current.status == mine.status


def test_a_refused_switch_leaves_the_previous_obstacle_worked_on(target, obstacle, learner, coach):
    obstacle_work_on(obstacle=obstacle, version=obstacle.version, by=learner)
    other = obstacle_add(target_condition=target, description="Aisle 3", by=learner)
    stale = Obstacle.objects.get(pk=other.pk)
    obstacle_update(obstacle=other, version=other.version, description="Aisle 3!", by=coach)

    with changes_nothing(obstacle, other), pytest.raises(Conflict):
        obstacle_work_on(obstacle=stale, version=stale.version, by=learner)

    assert Obstacle.objects.get(pk=obstacle.pk).status == "working"


# The activity log's words -----------------------------------------------------------------------

BOARD_ACTIONS = {
    Activity.Action.STORYBOARD_CREATED,
    Activity.Action.STORYBOARD_UPDATED,
    Activity.Action.TARGET_CONDITION_STARTED,
    Activity.Action.TARGET_CONDITION_UPDATED,
    Activity.Action.TARGET_CONDITION_ACHIEVED,
    Activity.Action.TARGET_CONDITION_ABANDONED,
    Activity.Action.METRIC_UPDATED,
    Activity.Action.ACTUAL_CONDITION_RECORDED,
    Activity.Action.MEASUREMENT_ADDED,
    Activity.Action.OBSTACLE_ADDED,
    Activity.Action.OBSTACLE_UPDATED,
    Activity.Action.OBSTACLE_WORKING_ON,
    Activity.Action.OBSTACLE_CLEARED,
    Activity.Action.OBSTACLE_PARKED,
    Activity.Action.OBSTACLE_MOVED,
    Activity.Action.EXPERIMENT_PLANNED,
    Activity.Action.EXPERIMENT_UPDATED,
    Activity.Action.EXPERIMENT_RESULT_RECORDED,
}


def _every_board_service(storyboard, target, learner, coach):
    """Run each service that logs a change at least once, closing both ways."""
    storyboard_update(
        storyboard=storyboard,
        version=storyboard.version,
        focus_process="Picking, shift A",
        challenge=storyboard.challenge,
        by=coach,
    )
    target_condition_update(
        target_condition=target,
        version=target.version,
        operating_pattern="Each order is picked in one walk.",
        achieve_by=target.achieve_by,
        by=coach,
    )
    metric = target.metrics.get(kind=Metric.Kind.PROCESS)
    metric_update(
        metric=metric,
        version=metric.version,
        name="Pick time",
        unit="min",
        target_value="28",
        higher_is_better=False,
        by=coach,
    )
    actual_condition_record(storyboard=storyboard, operating_pattern="Two walks", by=learner)
    measurement_add(metric=metric, value="41", by=learner)
    first = obstacle_add(target_condition=target, description="Aisle order", by=learner)
    second = obstacle_add(target_condition=target, description="Printer queue", by=learner)
    obstacle_update(obstacle=first, version=first.version, description="Aisles", by=coach)
    obstacle_work_on(obstacle=first, version=first.version, by=learner)
    obstacle_move(obstacle=second, offset=-1, by=learner)
    first.refresh_from_db()  # moving the other one renumbered it
    obstacle_clear(obstacle=first, version=first.version, by=learner)
    obstacle_park(obstacle=first, version=first.version, by=learner)
    step = experiment_plan(
        target_condition=target, step="Sort the list", expected="35 minutes", by=learner
    )
    experiment_update(
        experiment=step,
        version=step.version,
        step="Sort the list by aisle",
        expected="35 minutes",
        obstacle=first,
        planned_for=None,
        by=learner,
    )
    experiment_record_result(
        experiment=step,
        version=step.version,
        happened="37 minutes",
        learned="The printer is slow",
        measurement_value="37",
        by=coach,
    )
    for status in (TargetCondition.Status.ACHIEVED, TargetCondition.Status.ABANDONED):
        current = TargetCondition.objects.filter(storyboard=storyboard).active().get()
        target_condition_close(
            target_condition=current,
            version=current.version,
            status=status,
            reflection="Learned a lot",
            by=coach,
        )
        if status == TargetCondition.Status.ACHIEVED:
            target_condition_start(
                storyboard=storyboard,
                operating_pattern="One walk, no waiting",
                achieve_by=_today() + timedelta(days=7),
                by=coach,
            )


def test_every_action_the_board_services_log_is_an_activity_action(
    storyboard, target, learner, coach
):
    _every_board_service(storyboard, target, learner, coach)

    actions = set(Activity.objects.values_list("action", flat=True))
    assert actions <= set(Activity.Action.values)
    assert actions == BOARD_ACTIONS


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("achieved", Activity.Action.TARGET_CONDITION_ACHIEVED),
        ("abandoned", Activity.Action.TARGET_CONDITION_ABANDONED),
    ],
)
def test_closing_a_target_condition_logs_the_action_named_for_how(target, coach, status, action):
    with logged(target.storyboard, action):
        target_condition_close(
            target_condition=target,
            version=target.version,
            status=status,
            reflection="Learned a lot",
            by=coach,
        )
