"""Who may see and who may change what: outsiders get 404, read-only roles get 403 on writes."""

from functools import partial

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from boards import access
from boards.models import Metric, User
from boards.services.experiments import experiment_plan
from boards.services.obstacles import obstacle_add
from boards.services.teams import membership_change_role, membership_remove
from tests.factories import MembershipFactory, StoryboardFactory, TeamFactory

pytestmark = pytest.mark.django_db

MISSING_PK = 987654321


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
def metric(target):
    return target.metrics.get(kind=Metric.Kind.PROCESS)


# Each board helper, the fixture that makes the object it returns, and how to name that object.
BOARD_HELPERS = [
    (access.get_storyboard_for_user, "storyboard"),
    (access.get_target_condition_for_user, "target"),
    (access.get_obstacle_for_user, "obstacle"),
    (access.get_experiment_for_user, "experiment"),
    (access.get_metric_for_user, "metric"),
]
HELPER_IDS = [fixture for _, fixture in BOARD_HELPERS]


def _under(helper, storyboard):
    """The helper asking for objects under this storyboard's address, as the views do."""
    if helper is access.get_storyboard_for_user:
        return helper
    return partial(helper, storyboard=storyboard.pk)


@pytest.fixture(params=BOARD_HELPERS, ids=HELPER_IDS)
def helper_and_object(request, storyboard):
    helper, fixture = request.param
    return _under(helper, storyboard), request.getfixturevalue(fixture)


@pytest.mark.parametrize("write", [False, True])
def test_an_outsider_gets_404_for_every_board_object(helper_and_object, outsider, write):
    helper, obj = helper_and_object

    with pytest.raises(Http404):
        helper(outsider, obj.pk, write=write)


@pytest.mark.parametrize("person", ["viewer", "manager"])
def test_read_only_roles_may_read_every_board_object(helper_and_object, request, person):
    helper, obj = helper_and_object
    user = request.getfixturevalue(person)

    assert helper(user, obj.pk, write=False) == obj


@pytest.mark.parametrize("person", ["viewer", "manager"])
def test_read_only_roles_get_permission_denied_when_writing(helper_and_object, request, person):
    helper, obj = helper_and_object
    user = request.getfixturevalue(person)

    with pytest.raises(PermissionDenied):
        helper(user, obj.pk, write=True)


@pytest.mark.parametrize("person", ["learner", "coach"])
@pytest.mark.parametrize("write", [False, True])
def test_members_and_coaches_may_read_and_write_every_board_object(
    helper_and_object, request, person, write
):
    helper, obj = helper_and_object
    user = request.getfixturevalue(person)

    assert helper(user, obj.pk, write=write) == obj


def test_a_team_administrator_may_write(helper_and_object, team):
    helper, obj = helper_and_object
    admin = MembershipFactory(team=team, role="admin").user

    assert helper(admin, obj.pk, write=True) == obj


def test_a_signed_out_visitor_gets_404(helper_and_object):
    helper, obj = helper_and_object

    with pytest.raises(Http404):
        helper(AnonymousUser(), obj.pk)


@pytest.mark.parametrize("helper", [helper for helper, _ in BOARD_HELPERS], ids=HELPER_IDS)
@pytest.mark.parametrize("write", [False, True])
def test_a_missing_object_is_404_even_for_a_member(helper, learner, storyboard, write):
    helper = _under(helper, storyboard)
    with pytest.raises(Http404):
        helper(learner, MISSING_PK, write=write)


@pytest.mark.parametrize(("helper", "fixture"), BOARD_HELPERS[1:], ids=HELPER_IDS[1:])
def test_an_object_under_another_storyboards_address_is_404_for_a_member(
    request, helper, fixture, learner, team
):
    obj = request.getfixturevalue(fixture)
    other = StoryboardFactory(team=team)

    with pytest.raises(Http404):
        helper(learner, obj.pk, storyboard=other.pk, write=False)


def test_the_storyboard_helper_loads_team_challenge_and_people_in_one_query(
    storyboard, learner, django_assert_num_queries
):
    access.role_in(learner, storyboard.team_id)  # fill the role cache first

    with django_assert_num_queries(1):
        found = access.get_storyboard_for_user(learner, storyboard.pk)
        assert (found.team.name, found.challenge.title) == (
            storyboard.team.name,
            storyboard.challenge.title,
        )
        assert (found.learner, found.coach) == (storyboard.learner, storyboard.coach)


# Teams -----------------------------------------------------------------------------------------


def test_a_member_gets_their_team_by_slug(team, learner):
    assert access.get_team_for_user(learner, team.slug, write=True) == team


def test_an_outsider_gets_404_for_a_team(team, outsider):
    with pytest.raises(Http404):
        access.get_team_for_user(outsider, team.slug)


@pytest.mark.parametrize("person", ["viewer", "manager"])
def test_read_only_roles_read_a_team_but_may_not_change_it(team, request, person):
    user = request.getfixturevalue(person)

    assert access.get_team_for_user(user, team.slug) == team
    with pytest.raises(PermissionDenied):
        access.get_team_for_user(user, team.slug, write=True)


def test_an_unknown_team_slug_is_404(learner):
    with pytest.raises(Http404):
        access.get_team_for_user(learner, "no-such-team")


def test_teams_for_user_lists_only_the_users_teams(team, learner, outsider):
    second = TeamFactory(name="Returns")
    MembershipFactory(team=second, user=learner, role="viewer")

    assert set(access.teams_for_user(learner)) == {team, second}
    assert team not in access.teams_for_user(outsider)


def test_role_in_names_the_users_role_in_each_team(team, learner, viewer, outsider):
    assert access.role_in(learner, team.pk) == "member"
    assert access.role_in(viewer, team.pk) == "viewer"
    assert access.role_in(outsider, team.pk) is None
    assert access.role_in(AnonymousUser(), team.pk) is None


# Roles remembered for a user object -----------------------------------------------------------


def test_a_user_objects_roles_are_read_once(team, storyboard, learner, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert access.role_in(learner, team.pk) == "member"
        assert access.can_edit(learner, storyboard) is True
    with django_assert_num_queries(0):
        assert access.role_in(learner, team.pk) == "member"


def test_another_copy_of_the_same_user_reads_the_roles_afresh(
    team, learner, django_assert_num_queries
):
    access.role_in(learner, team.pk)
    copy = User.objects.get(pk=learner.pk)

    with django_assert_num_queries(1):
        assert access.role_in(copy, team.pk) == "member"


def test_nothing_is_stashed_on_the_user(team, learner):
    before = set(vars(learner))
    access.role_in(learner, team.pk)
    access.get_team_for_user(learner, team.slug)

    assert set(vars(learner)) == before


def test_a_role_changed_a_moment_ago_is_the_one_answered(team, learner):
    admin = MembershipFactory(team=team, role="admin").user
    assert access.role_in(learner, team.pk) == "member"

    membership_change_role(membership=learner.memberships.get(team=team), role="viewer", by=admin)
    assert access.role_in(learner, team.pk) == "viewer"

    membership_remove(membership=learner.memberships.get(team=team), by=admin)
    assert access.role_in(learner, team.pk) is None
    with pytest.raises(Http404):
        access.get_team_for_user(learner, team.slug)


def test_a_membership_saved_outside_the_services_is_the_one_answered(team, learner):
    assert access.role_in(learner, team.pk) == "member"
    membership = learner.memberships.get(team=team)
    membership.role = "manager"
    membership.save()

    assert access.role_in(learner, team.pk) == "manager"
