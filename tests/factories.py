"""Test data. Factories build rows directly; tests that exercise a write use ``boards.services``.

Numbers and positions that must be unique per parent (target condition numbers, experiment
numbers, obstacle positions) continue from the parent's highest, as the services number them.
"""

from datetime import timedelta
from decimal import Decimal

import factory
from django.db.models import Max
from django.utils import timezone
from factory.django import DjangoModelFactory, Password

from boards.models import (
    ActualCondition,
    Challenge,
    Experiment,
    Measurement,
    Membership,
    Metric,
    Obstacle,
    Role,
    Storyboard,
    TargetCondition,
    Team,
    User,
)


def _next(parent, related_name: str, field: str) -> int:
    if parent.pk is None:  # built, not saved: nothing to continue from
        return 1
    return (getattr(parent, related_name).aggregate(n=Max(field))["n"] or 0) + 1


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = Password("pw")
    time_zone = "UTC"


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    role = Role.MEMBER


class ChallengeFactory(DjangoModelFactory):
    class Meta:
        model = Challenge

    team = factory.SubFactory(TeamFactory)
    title = factory.Sequence(lambda n: f"Ship every order the day it arrives ({n})")
    description = "Customers wait no longer than a day."
    horizon = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))


class StoryboardFactory(DjangoModelFactory):
    class Meta:
        model = Storyboard

    team = factory.SubFactory(TeamFactory)
    challenge = factory.SubFactory(ChallengeFactory, team=factory.SelfAttribute("..team"))
    focus_process = factory.Sequence(lambda n: f"Order picking {n}")
    learner = factory.SubFactory(UserFactory)
    coach = None


class TargetConditionFactory(DjangoModelFactory):
    class Meta:
        model = TargetCondition

    class Params:
        achieved = factory.Trait(
            status=TargetCondition.Status.ACHIEVED,
            closed_at=factory.LazyFunction(timezone.now),
            reflection="Waiting at the printer was most of the lead time.",
        )
        abandoned = factory.Trait(
            status=TargetCondition.Status.ABANDONED,
            closed_at=factory.LazyFunction(timezone.now),
            reflection="The process changed under us.",
        )

    storyboard = factory.SubFactory(StoryboardFactory)
    number = factory.LazyAttribute(lambda o: _next(o.storyboard, "target_conditions", "number"))
    operating_pattern = factory.Sequence(lambda n: f"Every order picked in one walk ({n})")
    achieve_by = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    status = TargetCondition.Status.ACTIVE


class MetricFactory(DjangoModelFactory):
    class Meta:
        model = Metric

    class Params:
        outcome = factory.Trait(
            kind=Metric.Kind.OUTCOME,
            name="Orders shipped same day",
            unit="%",
            target_value=Decimal("95"),
            higher_is_better=True,
        )

    target_condition = factory.SubFactory(TargetConditionFactory)
    kind = Metric.Kind.PROCESS
    name = "Pick time per order"
    unit = "min"
    target_value = Decimal("30")
    higher_is_better = False


class ObstacleFactory(DjangoModelFactory):
    class Meta:
        model = Obstacle

    target_condition = factory.SubFactory(TargetConditionFactory)
    description = factory.Sequence(lambda n: f"Pick list printed out of walking order ({n})")
    position = factory.LazyAttribute(lambda o: _next(o.target_condition, "obstacles", "position"))
    status = Obstacle.Status.PARKED


class ExperimentFactory(DjangoModelFactory):
    class Meta:
        model = Experiment

    class Params:
        recorded = factory.Trait(
            happened="Pick time fell to 34 minutes.",
            learned="The printer queue matters more than the route.",
            result_recorded_at=factory.LazyFunction(timezone.now),
        )

    target_condition = factory.SubFactory(TargetConditionFactory)
    number = factory.LazyAttribute(lambda o: _next(o.target_condition, "experiments", "number"))
    step = factory.Sequence(lambda n: f"Sort the pick list by aisle ({n})")
    expected = "Pick time falls below 35 minutes."
    planned_for = factory.LazyFunction(timezone.localdate)
    created_by = factory.SelfAttribute("target_condition.storyboard.learner")


class MeasurementFactory(DjangoModelFactory):
    class Meta:
        model = Measurement

    metric = factory.SubFactory(MetricFactory)
    measured_at = factory.LazyFunction(timezone.now)
    value = factory.Sequence(lambda n: Decimal(30 + n % 10))
    note = ""
    experiment = None
    recorded_by = None


class ActualConditionFactory(DjangoModelFactory):
    class Meta:
        model = ActualCondition

    storyboard = factory.SubFactory(StoryboardFactory)
    observed_at = factory.LazyFunction(timezone.now)
    operating_pattern = factory.Sequence(lambda n: f"Pickers walk the warehouse twice ({n})")
    recorded_by = factory.SelfAttribute("storyboard.learner")
