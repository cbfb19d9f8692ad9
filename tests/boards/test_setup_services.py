"""Setting up a team's work: challenges and storyboards as a whole, each change and its refusals.

What an archived board refuses, what a retired challenge refuses, who may learn and coach, and
what deleting a board takes with it.
"""

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from boards.models import (
    Activity,
    Challenge,
    Experiment,
    Membership,
    Role,
    Storyboard,
    TargetCondition,
)
from boards.services.base import Conflict
from boards.services.experiments import experiment_plan
from boards.services.obstacles import obstacle_add
from boards.services.storyboards import (
    challenge_create,
    challenge_restore,
    challenge_retire,
    challenge_update,
    storyboard_archive,
    storyboard_create,
    storyboard_delete,
    storyboard_hand_over,
    storyboard_restore,
    storyboard_update,
)
from boards.services.targets import actual_condition_record, target_condition_update
from coaching.models import CoachingCycle, SessionSeries
from coaching.services.cycles import cycle_start
from coaching.services.scheduling import series_create
from tests.boards.test_services import changes_nothing, logged
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _later(days: int = 365):
    return timezone.localdate() + timedelta(days=days)


def _new_board(team, challenge, learner, coach=None, focus="Packing"):
    return storyboard_create(
        team=team, challenge=challenge, focus_process=focus, learner=learner, coach=coach
    )


# Challenges ------------------------------------------------------------------------------------


def test_challenge_update_rewords_it_and_logs_on_every_board_in_use(
    storyboard, team, learner, coach
):
    challenge = storyboard.challenge
    archived = _new_board(team, challenge, learner, focus="Returns")
    storyboard_archive(storyboard=archived, by=coach)
    archived_revision = Storyboard.objects.get(pk=archived.pk).revision

    with logged(storyboard, Activity.Action.CHALLENGE_UPDATED) as entries:
        challenge_update(
            challenge=challenge,
            version=challenge.version,
            title="Every order ships the day it arrives",
            horizon=_later(400),
            description="Same-day shipping for every customer.",
            by=coach,
        )

    saved = Challenge.objects.get(pk=challenge.pk)
    assert (saved.title, saved.horizon, saved.version) == (
        "Every order ships the day it arrives",
        _later(400),
        2,
    )
    (entry,) = entries
    assert entry.before["title"] == "Ship every order the day it arrives"
    assert entry.after["title"] == "Every order ships the day it arrives"
    assert entry.actor == coach
    # The archived board is read as it was left: no entry, but not a stale cached section.
    assert Storyboard.objects.get(pk=archived.pk).revision == archived_revision
    assert Storyboard.objects.get(pk=archived.pk).cache_version > archived.cache_version


def test_challenge_update_refuses_a_blank_title(storyboard, coach):
    challenge = storyboard.challenge
    with changes_nothing(challenge), pytest.raises(ValidationError) as caught:
        challenge_update(
            challenge=challenge,
            version=challenge.version,
            title="  ",
            horizon=challenge.horizon,
            description="",
            by=coach,
        )
    assert "title" in caught.value.message_dict


def test_challenge_update_from_a_stale_version_is_refused(storyboard, coach, learner):
    mine = Challenge.objects.get(pk=storyboard.challenge_id)
    theirs = Challenge.objects.get(pk=storyboard.challenge_id)
    challenge_update(
        challenge=theirs,
        version=theirs.version,
        title="Carl's wording",
        horizon=theirs.horizon,
        description="",
        by=coach,
    )

    with changes_nothing(mine), pytest.raises(Conflict) as caught:
        challenge_update(
            challenge=mine,
            version=mine.version,
            title="Lena's wording",
            horizon=mine.horizon,
            description="",
            by=learner,
        )
    assert caught.value.current.title == "Carl's wording"


def test_a_challenge_with_boards_in_use_is_not_retired(storyboard):
    challenge = storyboard.challenge
    with changes_nothing(challenge), pytest.raises(ValidationError) as caught:
        challenge_retire(challenge=challenge)
    assert "Order picking" in caught.value.messages[0]
    assert "archive it" in caught.value.messages[0]


def test_a_challenge_whose_boards_are_archived_is_retired_and_restored(storyboard, coach):
    storyboard_archive(storyboard=storyboard, by=coach)
    challenge = storyboard.challenge

    challenge_retire(challenge=challenge)

    saved = Challenge.objects.get(pk=challenge.pk)
    assert saved.is_retired and saved.version == 2
    assert list(Challenge.objects.retired()) == [saved]
    assert Storyboard.objects.filter(challenge=challenge).count() == 1  # history stays

    challenge_restore(challenge=challenge)

    assert not Challenge.objects.get(pk=challenge.pk).is_retired


def test_retiring_twice_and_restoring_a_current_challenge_are_refused(team):
    challenge = challenge_create(team=team, title="Zero defects", horizon=_later())
    with pytest.raises(ValidationError):
        challenge_restore(challenge=challenge)
    challenge_retire(challenge=challenge)
    with pytest.raises(ValidationError):
        challenge_retire(challenge=challenge)


def test_a_retired_challenge_gets_no_new_boards_and_no_edits(team, learner):
    challenge = challenge_create(team=team, title="Zero defects", horizon=_later())
    challenge_retire(challenge=challenge)

    with changes_nothing(), pytest.raises(ValidationError) as caught:
        _new_board(team, challenge, learner)
    assert "retired" in caught.value.message_dict["challenge"][0]
    with changes_nothing(challenge), pytest.raises(ValidationError):
        challenge_update(
            challenge=Challenge.objects.get(pk=challenge.pk),
            version=2,
            title="Zero defects, really",
            horizon=challenge.horizon,
            description="",
            by=learner,
        )


def test_a_board_cannot_move_to_a_retired_challenge(storyboard, team, learner):
    retired = challenge_create(team=team, title="Zero defects", horizon=_later())
    challenge_retire(challenge=retired)

    with changes_nothing(storyboard), pytest.raises(ValidationError) as caught:
        storyboard_update(
            storyboard=storyboard,
            version=storyboard.version,
            focus_process="Order picking",
            challenge=retired,
            by=learner,
        )
    assert "challenge" in caught.value.message_dict


# Who learns and who coaches --------------------------------------------------------------------


def test_storyboard_create_starts_a_board_without_a_coach(team, storyboard, learner):
    sb = _new_board(team, storyboard.challenge, learner)
    assert (sb.learner, sb.coach, sb.is_active) == (learner, None, True)


def test_a_learner_outside_the_team_is_refused(team, storyboard, outsider):
    with changes_nothing(), pytest.raises(ValidationError) as caught:
        _new_board(team, storyboard.challenge, outsider)
    assert "not a member of Dispatch" in caught.value.message_dict["learner"][0]


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_a_coach_without_an_editing_role_is_refused(request, team, storyboard, learner, role):
    person = request.getfixturevalue(role)
    with changes_nothing(), pytest.raises(ValidationError) as caught:
        _new_board(team, storyboard.challenge, learner, coach=person)
    assert "cannot be the coach" in caught.value.message_dict["coach"][0]


def test_a_read_only_learner_is_refused(team, storyboard, viewer):
    with changes_nothing(), pytest.raises(ValidationError) as caught:
        _new_board(team, storyboard.challenge, viewer)
    assert "cannot be the learner" in caught.value.message_dict["learner"][0]


def test_the_learner_does_not_coach_themselves(team, storyboard, learner):
    with changes_nothing(), pytest.raises(ValidationError) as caught:
        _new_board(team, storyboard.challenge, learner, coach=learner)
    assert "coach" in caught.value.message_dict


def test_a_challenge_of_another_team_is_refused(team, learner):
    foreign = challenge_create(team=TeamFactory(), title="Elsewhere", horizon=_later())
    with changes_nothing(), pytest.raises(ValidationError) as caught:
        _new_board(team, foreign, learner)
    assert "challenge" in caught.value.message_dict


# Handing over ----------------------------------------------------------------------------------


def test_hand_over_changes_the_people_and_logs_who_had_the_board(
    storyboard, team, learner, coach, team_admin
):
    new_learner = UserFactory(first_name="Nina", last_name="Berg")
    Membership.objects.create(user=new_learner, team=team, role=Role.MEMBER)

    with logged(storyboard, Activity.Action.STORYBOARD_HANDED_OVER) as entries:
        storyboard_hand_over(
            storyboard=storyboard,
            version=storyboard.version,
            learner=new_learner,
            coach=team_admin,
            by=coach,
        )

    saved = Storyboard.objects.get(pk=storyboard.pk)
    assert (saved.learner, saved.coach, saved.version) == (new_learner, team_admin, 2)
    (entry,) = entries
    assert entry.before == {"learner": learner.pk, "coach": coach.pk}
    assert entry.after == {"learner": new_learner.pk, "coach": team_admin.pk}
    assert entry.summary == (
        "Handed the storyboard over: learner Lena Park → Nina Berg; coach Carl Moss → Ada Lund"
    )


def test_hand_over_leaves_scheduled_coaching_with_its_people(storyboard, learner, coach):
    series = series_create(
        storyboard=storyboard,
        coach=coach,
        learner=learner,
        start_date=timezone.localdate() + timedelta(days=1),
        start_time=time(9, 30),
        rrule="FREQ=DAILY;COUNT=3",
        by=coach,
    )

    storyboard_hand_over(
        storyboard=storyboard, version=storyboard.version, learner=learner, coach=None, by=coach
    )

    kept = SessionSeries.objects.get(pk=series.pk)
    assert (kept.coach, kept.learner, kept.cancelled_at) == (coach, learner, None)
    assert Storyboard.objects.get(pk=storyboard.pk).coach is None


def test_handing_over_to_the_same_people_is_refused(storyboard, learner, coach):
    with changes_nothing(storyboard), pytest.raises(ValidationError):
        storyboard_hand_over(
            storyboard=storyboard,
            version=storyboard.version,
            learner=learner,
            coach=coach,
            by=coach,
        )


def test_handing_over_to_an_outsider_or_a_read_only_coach_is_refused(
    storyboard, learner, coach, outsider, manager
):
    for people in ({"learner": outsider, "coach": coach}, {"learner": learner, "coach": manager}):
        with changes_nothing(storyboard), pytest.raises(ValidationError):
            storyboard_hand_over(
                storyboard=storyboard, version=storyboard.version, by=coach, **people
            )


def test_a_stale_hand_over_is_refused_with_the_other_persons_values(
    storyboard, learner, coach, team_admin
):
    mine = Storyboard.objects.get(pk=storyboard.pk)
    storyboard_update(
        storyboard=storyboard,
        version=storyboard.version,
        focus_process="Order picking, zone A",
        challenge=storyboard.challenge,
        by=coach,
    )

    with changes_nothing(storyboard), pytest.raises(Conflict) as caught:
        storyboard_hand_over(
            storyboard=mine, version=mine.version, learner=learner, coach=team_admin, by=coach
        )
    assert caught.value.current.focus_process == "Order picking, zone A"


# Archiving and restoring -----------------------------------------------------------------------


def test_archiving_takes_the_board_out_of_use_and_logs_it(storyboard, coach):
    with logged(storyboard, Activity.Action.STORYBOARD_ARCHIVED):
        storyboard_archive(storyboard=storyboard, by=coach)

    assert not Storyboard.objects.get(pk=storyboard.pk).is_active
    assert storyboard.is_active is False


def _writes_to(sb, target, learner, coach):
    """A write of each kind a board takes, for a board and its active target condition."""
    return {
        "obstacle_add": lambda: obstacle_add(target_condition=target, description="X", by=learner),
        "experiment_plan": lambda: experiment_plan(
            target_condition=target, step="Try", expected="Less", by=learner
        ),
        "actual_condition_record": lambda: actual_condition_record(
            storyboard=sb, operating_pattern="Two walks", by=learner
        ),
        "target_condition_update": lambda: target_condition_update(
            target_condition=target,
            version=target.version,
            operating_pattern="Changed",
            achieve_by=target.achieve_by,
            by=learner,
        ),
        "storyboard_update": lambda: storyboard_update(
            storyboard=sb,
            version=sb.version,
            focus_process="Changed",
            challenge=sb.challenge,
            by=coach,
        ),
        "storyboard_hand_over": lambda: storyboard_hand_over(
            storyboard=sb, version=sb.version, learner=learner, coach=None, by=coach
        ),
        "storyboard_archive": lambda: storyboard_archive(
            storyboard=Storyboard.objects.get(pk=sb.pk), by=coach
        ),
    }


@pytest.mark.parametrize(
    "write",
    [
        "obstacle_add",
        "experiment_plan",
        "actual_condition_record",
        "target_condition_update",
        "storyboard_update",
        "storyboard_hand_over",
        "storyboard_archive",
    ],
)
def test_an_archived_board_refuses_every_write(storyboard, target, learner, coach, write):
    # Read before archiving, as a page opened earlier would have it.
    stale_board = Storyboard.objects.get(pk=storyboard.pk)
    stale_target = TargetCondition.objects.get(pk=target.pk)
    storyboard_archive(storyboard=storyboard, by=coach)

    with changes_nothing(storyboard, target), pytest.raises(ValidationError) as caught:
        _writes_to(stale_board, stale_target, learner, coach)[write]()
    assert "archived" in " ".join(caught.value.messages)


def test_restoring_brings_the_board_back_as_it_was_left(storyboard, target, coach):
    storyboard_archive(storyboard=storyboard, by=coach)

    with logged(storyboard, Activity.Action.STORYBOARD_RESTORED):
        storyboard_restore(storyboard=storyboard, by=coach)

    assert Storyboard.objects.get(pk=storyboard.pk).is_active
    assert TargetCondition.objects.get(pk=target.pk).is_active


def test_restoring_a_board_in_use_is_refused(storyboard, coach):
    with changes_nothing(storyboard), pytest.raises(ValidationError):
        storyboard_restore(storyboard=storyboard, by=coach)


def test_a_board_under_a_retired_challenge_waits_for_the_challenge(storyboard, coach):
    storyboard_archive(storyboard=storyboard, by=coach)
    challenge_retire(challenge=storyboard.challenge)

    with changes_nothing(storyboard), pytest.raises(ValidationError) as caught:
        storyboard_restore(storyboard=storyboard, by=coach)
    assert "restore the challenge first" in caught.value.messages[0]


# Deleting --------------------------------------------------------------------------------------


@pytest.fixture
def busy(storyboard, target, learner, coach):
    obstacle = obstacle_add(target_condition=target, description="Aisles", by=learner)
    experiment_plan(
        target_condition=target, step="Sort", expected="Faster", obstacle=obstacle, by=learner
    )
    cycle_start(storyboard=storyboard, coach=coach)
    return storyboard


def test_a_team_administrator_deletes_the_board_and_everything_on_it(busy, team_admin):
    challenge_id = busy.challenge_id

    storyboard_delete(storyboard=busy, by=team_admin)

    assert not Storyboard.objects.filter(pk=busy.pk).exists()
    for model in (TargetCondition, Activity, CoachingCycle):
        assert not model.objects.filter(storyboard_id=busy.pk).exists()
    assert not Experiment.objects.exists()
    assert Challenge.objects.filter(pk=challenge_id).exists()  # the team's direction stays


@pytest.mark.parametrize("role", ["learner", "coach", "manager"])
def test_only_a_team_administrator_deletes_a_board(request, busy, role):
    person = request.getfixturevalue(role)
    with changes_nothing(busy), pytest.raises(PermissionDenied):
        storyboard_delete(storyboard=busy, by=person)


def test_an_archived_board_can_be_deleted(busy, coach, team_admin):
    storyboard_archive(storyboard=busy, by=coach)
    storyboard_delete(storyboard=busy, by=team_admin)
    assert not Storyboard.objects.filter(pk=busy.pk).exists()
