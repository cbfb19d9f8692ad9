"""Access checks: each returns the object for a user who may see it.

Anyone outside the object's team gets 404 (the object does not exist for them); a member whose
role is read-only gets PermissionDenied (403) when asking to write.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from boards.models import (
    EDITING_ROLES,
    Experiment,
    Membership,
    Metric,
    Obstacle,
    Role,
    Storyboard,
    TargetCondition,
    Team,
    User,
)


def role_in(user: User, team_id: int) -> str | None:
    if not user.is_authenticated:
        return None
    # Read with an object already (see get_storyboard_for_user), else all of them at once.
    known = getattr(user, "_kata_known_roles", {})
    if team_id in known:
        return known[team_id]
    cache = getattr(user, "_kata_roles", None)
    if cache is None:
        cache = dict(Membership.objects.filter(user=user).values_list("team_id", "role"))
        user._kata_roles = cache
    return cache.get(team_id)


def can_edit(user: User, storyboard: Storyboard) -> bool:
    """May this user change this board's content? The one place that answers it."""
    return role_in(user, storyboard.team_id) in EDITING_ROLES


def _check(user: User, team_id: int, write: bool, admin: bool = False) -> str:
    role = role_in(user, team_id)
    if role is None:
        raise Http404("No such page.")
    if write and role not in EDITING_ROLES:
        raise PermissionDenied("Your role in this team can read its storyboards, not change them.")
    if admin and role != Role.ADMIN:
        raise PermissionDenied("Only a team administrator can do this.")
    return role


def teams_for_user(user: User) -> QuerySet[Team]:
    return Team.objects.filter(memberships__user=user)


def get_team_for_user(user: User, slug: str, *, write: bool = False, admin: bool = False) -> Team:
    """The team for a member; ``admin=True`` also asks for the team administrator role."""
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise Http404("No such team.")
    _check(user, team.pk, write, admin)
    return team


def get_storyboard_for_user(user: User, pk: int, *, write: bool = False) -> Storyboard:
    storyboards = Storyboard.objects.select_related("team", "challenge", "learner", "coach")
    if user.is_authenticated:
        # The reader's role comes in the same query: every board request asks for it.
        role = Membership.objects.filter(team=OuterRef("team"), user=user).values("role")[:1]
        storyboards = storyboards.annotate(reader_role=Subquery(role))
    storyboard = storyboards.filter(pk=pk).first()
    if storyboard is None:
        raise Http404("No such storyboard.")
    if user.is_authenticated:
        user.__dict__.setdefault("_kata_known_roles", {})[storyboard.team_id] = (
            storyboard.reader_role
        )
    _check(user, storyboard.team_id, write)
    return storyboard


def _get_on_board(user, queryset, pk: int, *, write: bool, team_path: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404("Not found.")
    team_id = obj
    for part in team_path.split("."):
        team_id = getattr(team_id, part)
    _check(user, team_id, write)
    return obj


def get_target_condition_for_user(user: User, pk: int, *, write: bool = False) -> TargetCondition:
    queryset = TargetCondition.objects.select_related("storyboard")
    return _get_on_board(user, queryset, pk, write=write, team_path="storyboard.team_id")


def get_obstacle_for_user(user: User, pk: int, *, write: bool = False) -> Obstacle:
    queryset = Obstacle.objects.select_related("target_condition__storyboard")
    return _get_on_board(
        user, queryset, pk, write=write, team_path="target_condition.storyboard.team_id"
    )


def get_experiment_for_user(user: User, pk: int, *, write: bool = False) -> Experiment:
    queryset = Experiment.objects.select_related("target_condition__storyboard", "obstacle")
    return _get_on_board(
        user, queryset, pk, write=write, team_path="target_condition.storyboard.team_id"
    )


def get_metric_for_user(user: User, pk: int, *, write: bool = False) -> Metric:
    queryset = Metric.objects.select_related("target_condition__storyboard")
    return _get_on_board(
        user, queryset, pk, write=write, team_path="target_condition.storyboard.team_id"
    )
