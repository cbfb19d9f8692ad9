from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Q
from django.test import RequestFactory
from django.utils import timezone

from boards.demo.constants import DEMO_PASSWORD, DEMO_TEAM_SLUGS
from boards.models import (
    Activity,
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
from boards.services.teams import team_create

MODELS = (
    Team,
    User,
    Membership,
    Challenge,
    Storyboard,
    TargetCondition,
    Metric,
    ActualCondition,
    Obstacle,
    Experiment,
    Measurement,
    Activity,
)


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def assert_revisions_follow_the_log(storyboards) -> None:
    """Each board's log is numbered 2, 3, ... in time order, up to the board's revision."""
    for storyboard in storyboards:
        log = list(Activity.objects.filter(storyboard=storyboard).order_by("revision"))
        assert [entry.revision for entry in log] == list(range(2, len(log) + 2))
        assert [entry.at for entry in log] == sorted(entry.at for entry in log)
        assert storyboard.revision == len(log) + 1
        assert storyboard.changed_at == log[-1].at


@pytest.mark.django_db
def test_demo_creates_three_teams_with_a_challenge_each():
    output = seed()

    assert set(Team.objects.values_list("slug", flat=True)) == set(DEMO_TEAM_SLUGS)
    today = timezone.localdate()
    for team in Team.objects.all():
        challenge = team.challenges.get()
        assert challenge.description
        assert today + timedelta(days=150) < challenge.horizon < today + timedelta(days=3 * 366)
    assert Challenge.objects.filter(title__startswith="All changeovers under 10 minutes").exists()
    assert "Demo sign-ins" in output
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
def test_demo_people_sign_in_with_the_demo_password_in_their_roles():
    seed()

    for username in ("lena", "carlos", "maria", "victor", "admin"):
        assert (
            authenticate(
                RequestFactory().post("/login/"), username=username, password=DEMO_PASSWORD
            )
            is not None
        ), username
    assert User.objects.get(username="admin").is_superuser
    lena = User.objects.get(username="lena")
    assert (lena.get_full_name(), lena.email) == ("Lena Fischer", "lena@example.com")
    assert lena.time_zone == "Europe/Berlin"

    def roles(username: str) -> set[tuple[str, str]]:
        return set(
            Membership.objects.filter(user__username=username).values_list("team__slug", "role")
        )

    assert roles("maria") == {(slug, Role.MANAGER) for slug in DEMO_TEAM_SLUGS}
    assert roles("victor") == {("line-3-assembly", Role.VIEWER)}
    assert roles("carlos") == {("line-3-assembly", Role.COACH)}
    assert roles("lena") == {("line-3-assembly", Role.MEMBER)}
    assert Membership.objects.filter(role=Role.ADMIN).count() == 1
    # Learners and coaches are the members who hold those roles in the board's team.
    for storyboard in Storyboard.objects.all():
        learner = Membership.objects.get(team=storyboard.team, user=storyboard.learner)
        coach = Membership.objects.get(team=storyboard.team, user=storyboard.coach)
        assert (learner.role, coach.role) == (Role.MEMBER, Role.COACH)


@pytest.mark.django_db
def test_every_demo_storyboard_has_a_worked_active_target_condition():
    seed()

    storyboards = Storyboard.objects.all()
    assert storyboards.count() >= 4
    for storyboard in storyboards:
        target = storyboard.target_conditions.get(status="active")
        assert target.achieve_by > timezone.localdate()
        assert storyboard.target_conditions.exclude(status="active").exists()
        assert set(target.metrics.values_list("kind", flat=True)) == {"process", "outcome"}
        assert storyboard.actual_conditions.count() >= 3

        obstacles = target.obstacles.all()
        assert 4 <= len(obstacles) <= 6
        statuses = [obstacle.status for obstacle in obstacles]
        assert statuses.count("working") == 1
        assert 1 <= statuses.count("cleared") <= 2
        assert all(o.cleared_at for o in obstacles if o.status == "cleared")

        experiments = list(target.experiments.order_by("number"))
        assert [e.number for e in experiments] == list(range(1, len(experiments) + 1))
        in_progress = [e for e in experiments if e.in_progress]
        assert len(in_progress) <= 1
        assert not in_progress or in_progress[0] is experiments[-1]
        for experiment in experiments:
            assert experiment.step and experiment.expected
            assert experiment.in_progress or (experiment.happened and experiment.learned)

        process = target.metrics.get(kind="process")
        readings = process.measurements.all()
        assert readings.count() >= 10
        assert readings.exclude(experiment=None).count() >= 3
        assert target.metrics.get(kind="outcome").measurements.exists()

    assert 30 <= Experiment.objects.count() <= 80
    assert Experiment.objects.filter(threshold_of_knowledge=True).exists()


@pytest.mark.django_db
def test_demo_changeover_board_tells_its_story():
    seed()

    board = Storyboard.objects.get(focus_process="Changeover, line 3")
    achieved = board.target_conditions.get(status="achieved")
    assert achieved.reflection
    assert achieved.closed_at < timezone.now() - timedelta(days=14)
    assert achieved.metrics.get(kind="process").target_value == 30

    active = board.target_conditions.get(status="active")
    assert active.metrics.get(kind="process").target_value == 20
    assert 14 <= active.days_left() <= 18
    # The run chart falls from about 31 toward 22 minutes over the target condition.
    values = [
        float(m.value)
        for m in Measurement.objects.filter(
            metric__target_condition=active, metric__kind="process"
        ).order_by("measured_at")
    ]
    assert 28 <= sum(values[:3]) / 3 <= 33
    assert 20 <= sum(values[-3:]) / 3 <= 25


@pytest.mark.django_db
def test_demo_history_is_spread_over_past_weeks_and_logged_in_order():
    seed()

    now = timezone.now()
    log = Activity.objects.all()
    assert log.filter(at__lt=now - timedelta(days=42)).exists()
    assert not log.filter(at__gt=now).exists()
    assert not Measurement.objects.filter(measured_at__gt=now).exists()
    # Every change went through the services, so every kind of write is in the log.
    actions = set(log.values_list("action", flat=True))
    assert {
        "storyboard.created",
        "target_condition.started",
        "target_condition.achieved",
        "target_condition.abandoned",
        "actual_condition.recorded",
        "measurement.added",
        "obstacle.added",
        "obstacle.working_on",
        "obstacle.cleared",
        "experiment.planned",
        "experiment.result_recorded",
    } <= actions
    assert_revisions_follow_the_log(Storyboard.objects.all())
    for target in TargetCondition.objects.filter(status="achieved"):
        assert target.created_at < target.closed_at
        assert target.experiments.filter(created_at__lt=target.created_at).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2027, 3, 1, 0, 30, tzinfo=UTC),  # Monday, just after midnight
        datetime(2027, 3, 6, 12, 0, tzinfo=UTC),  # Saturday
        datetime(2027, 3, 7, 23, 45, tzinfo=UTC),  # Sunday night
    ],
)
def test_demo_seeds_on_any_day_of_the_week(moment):
    with time_machine.travel(moment, tick=False):
        seed()
        assert TargetCondition.objects.filter(status="active").count() == 4
        assert not Activity.objects.filter(at__gt=timezone.now()).exists()
        steps = Experiment.objects.filter(result_recorded_at__isnull=False)
        assert all(step.created_at.weekday() < 5 for step in steps)


@pytest.mark.django_db
def test_demo_run_twice_adds_nothing():
    seed()
    before = counts()

    output = seed()

    assert "Demo data already present" in output
    assert counts() == before


@pytest.mark.django_db
def test_if_empty_leaves_an_installation_with_teams_alone():
    team_create(name="Dispatch", slug="dispatch")

    seed("--if-empty")

    assert list(Team.objects.values_list("slug", flat=True)) == ["dispatch"]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_installation():
    seed("--if-empty")

    assert Team.objects.count() == 3


SCALE = ("--teams", "3", "--storyboards", "6", "--experiments", "100", "--measurements", "300")


@pytest.mark.django_db
def test_scale_run_creates_exactly_the_requested_amounts():
    seed(*SCALE)

    assert Team.objects.filter(slug__startswith="scale-").count() == 3
    assert Storyboard.objects.count() == 6
    assert Experiment.objects.count() == 100
    assert Measurement.objects.count() == 300
    assert not Measurement.objects.filter(metric__kind="outcome").exists()
    assert (
        authenticate(
            RequestFactory().post("/login/"), username="scale001-learner1", password=DEMO_PASSWORD
        )
        is not None
    )
    for team in Team.objects.all():
        roles = set(team.memberships.values_list("role", flat=True))
        assert {Role.MANAGER, Role.COACH, Role.MEMBER} <= roles
        assert team.challenges.count() == 1


@pytest.mark.django_db
def test_scale_run_respects_the_rules_of_the_board():
    seed(*SCALE)

    for storyboard in Storyboard.objects.all():
        targets = list(storyboard.target_conditions.order_by("number"))
        assert 1 <= len(targets) <= 3
        assert [t.number for t in targets] == list(range(1, len(targets) + 1))
        # Only the last one is active; the others were closed, and say when.
        assert [t.status for t in targets][-1] == "active"
        assert all(t.closed_at is not None for t in targets[:-1])
        assert all(t.metrics.count() == 2 for t in targets)
    working = Count("obstacles", filter=Q(obstacles__status="working"))
    assert not TargetCondition.objects.annotate(n=working).filter(n__gt=1).exists()

    experiments = Experiment.objects.all()
    for target in TargetCondition.objects.annotate(n=Count("experiments")).filter(n__gt=0):
        numbers = list(target.experiments.order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, target.n + 1))
    in_progress = experiments.filter(result_recorded_at=None)
    assert not in_progress.exclude(target_condition__status="active").exists()
    last = Max("target_condition__experiments__number")
    assert not in_progress.annotate(last=last).exclude(number=F("last")).exists()
    assert not experiments.exclude(result_recorded_at=None).filter(happened="").exists()
    linked = Measurement.objects.exclude(experiment=None)
    assert linked.exists()
    assert not linked.exclude(experiment__target_condition=F("metric__target_condition")).exists()
    assert_revisions_follow_the_log(Storyboard.objects.all())


@pytest.mark.django_db
def test_scale_run_adds_to_the_demo_once():
    seed()
    seed(*SCALE)
    before = counts()

    output = seed(*SCALE)

    assert "already present" in output
    assert counts() == before
    assert Team.objects.count() == 6


@pytest.mark.django_db
def test_scale_run_refuses_experiments_without_storyboards():
    with pytest.raises(CommandError, match="need at least one storyboard"):
        seed("--teams", "2", "--storyboards", "0", "--experiments", "10")
    assert not Team.objects.exists()
