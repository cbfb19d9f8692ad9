"""Who may see and change what: the one module views, services and templates ask.

Each ``get_<thing>_for_user`` returns the object for a user who may see it. Anyone outside the
object's team gets 404 (the object does not exist for them), and so does an object that is not
on the storyboard its address names; a member whose role is read-only gets PermissionDenied
(403) when asking to write. The object and the user's role in its team come in one query.

An archived team is read-only for everyone, its administrators included: every write to its
boards is refused here (403), in ``_check`` and ``can_edit``, so every write path honours it.

A user's roles are remembered for as long as that user object lives: a request's user is made
for the request, so a request reads them at most once. A membership changed in this process is
forgotten at once, so a page drawn after a change of role sees the new one.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import F, Model, OuterRef, QuerySet, Subquery
from django.db.models.signals import post_delete, post_save
from django.http import Http404

from boards.models import (
    EDITING_ROLES,
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

M = TypeVar("M", bound=Model)
AnyUser = User | AnonymousUser


# Roles, remembered per user object ----------------------------------------------------------


@dataclass
class _Roles:
    user_id: int
    teams: dict[int, str | None] = field(default_factory=dict)
    complete: bool = False  # every team's role is in ``teams``
    archived: set[int] = field(default_factory=set)  # the archived teams among ``teams``


# By the user object's identity, not its equality: another copy of the same person (a test's,
# a task's, the next request's) reads the roles afresh.
_remembered: dict[int, _Roles] = {}


def _roles(user: User) -> _Roles:
    key = id(user)
    roles = _remembered.get(key)
    if roles is None:
        roles = _remembered[key] = _Roles(user.pk)
        weakref.finalize(user, _remembered.pop, key, None)
    return roles


def forget_roles(user_id: int) -> None:
    """Forget the roles read for this person; a write that skips ``save()`` calls it."""
    for roles in list(_remembered.values()):
        if roles.user_id == user_id:
            roles.teams.clear()
            roles.archived.clear()
            roles.complete = False


def forget_team(team_id: int) -> None:
    """Forget every role read for this team: archiving or restoring it changes what they allow."""
    for roles in list(_remembered.values()):
        if team_id in roles.teams:
            roles.teams.clear()
            roles.archived.clear()
            roles.complete = False


def _membership_changed(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    forget_roles(instance.user_id)


post_save.connect(_membership_changed, sender=Membership, dispatch_uid="access-membership-save")
post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="access-membership-del")


def role_in(user: AnyUser, team_id: int) -> str | None:
    """The user's role in the team, or None for anyone outside it."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    roles = _roles(user)
    if team_id not in roles.teams and not roles.complete:
        # Read them all at once: a page about several teams asks once.
        rows = Membership.objects.filter(user=user).values_list(
            "team_id", "role", "team__archived_at"
        )
        for team, role, archived_at in rows:
            _remember(roles, team, role, archived=archived_at is not None)
        roles.complete = True
    return roles.teams.get(team_id)


def _remember(roles: _Roles, team_id: int, role: str | None, *, archived: bool) -> None:
    roles.teams[team_id] = role
    if archived:
        roles.archived.add(team_id)
    else:
        roles.archived.discard(team_id)


def team_archived_for(user: AnyUser, team_id: int) -> bool:
    """Is this team (one of the user's) archived? Read with the user's roles, no query more."""
    if role_in(user, team_id) is None or not isinstance(user, User):
        return False
    return team_id in _roles(user).archived


def require_writable(user: AnyUser, team_id: int) -> None:
    """Refuse (403) a write to an archived team, for a path that asks no getter with ``write``."""
    if team_archived_for(user, team_id):
        raise PermissionDenied(ARCHIVED_MESSAGE)


def can_edit(user: AnyUser, storyboard: Storyboard) -> bool:
    """May this user change this board's content? The one place that answers it.

    Nobody changes an archived board, or a board of an archived team: they are read as they
    were left until restored.
    """
    return (
        storyboard.is_active
        and role_in(user, storyboard.team_id) in EDITING_ROLES
        and not team_archived_for(user, storyboard.team_id)
    )


def may_edit_team(user: AnyUser, team: Team) -> bool:
    """May this user set up the team's work: challenges, new storyboards, archiving, restoring?

    The roles that change storyboards (team administrators, coaches, members) set them up too,
    while the team is not archived.
    """
    return role_in(user, team.pk) in EDITING_ROLES and not team_archived_for(user, team.pk)


def is_admin(user: AnyUser, team: Team) -> bool:
    """May this user invite, change roles and remove members?"""
    return role_in(user, team.pk) == Role.ADMIN


def may_create_team(user: AnyUser) -> bool:
    """May this user create teams? ``KATA_TEAM_CREATORS``: everyone signed in, or staff only."""
    if not isinstance(user, User) or not user.is_active:
        return False
    return settings.KATA_TEAM_CREATORS == "everyone" or user.is_staff


def teams_for_user(user: User) -> QuerySet[Team]:
    return Team.objects.filter(memberships__user=user)


# Getters -----------------------------------------------------------------------------------

READER_ROLE = "reader_role"
READER_TEAM = "reader_team"
READER_TEAM_ARCHIVED = "reader_team_archived_at"
ARCHIVED_MESSAGE = (
    "This team is archived: its storyboards can be read, not changed. "
    "A team administrator can restore it from the team page."
)


BOARD_ARCHIVED_MESSAGE = (
    "This storyboard is archived: it can be read, not changed. Restore it to change it."
)


def _check(role: str | None, *, write: bool, admin: bool = False, archived: bool = False) -> None:
    if role is None:
        raise Http404("No such page.")
    if admin and role != Role.ADMIN:
        raise PermissionDenied("Only a team administrator can do this.")
    if write and role not in EDITING_ROLES:
        raise PermissionDenied("Your role in this team can read its storyboards, not change them.")
    if write and archived:
        raise PermissionDenied(ARCHIVED_MESSAGE)


def _writable(storyboard: Storyboard, *, write: bool) -> None:
    """Writing to anything on an archived board is refused, whoever asks."""
    if write and not storyboard.is_active:
        raise PermissionDenied(BOARD_ARCHIVED_MESSAGE)


def _get(
    user: AnyUser,
    queryset: QuerySet[M],
    *,
    team: str,
    write: bool,
    admin: bool = False,
    **lookup: Any,
) -> M:
    """The object ``lookup`` finds, with the user's role in its team (at ``team``), or 404."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        raise Http404("No such page.")
    role = Membership.objects.filter(team=OuterRef(team), user=user).values("role")[:1]
    archived_at = "archived_at" if team == "pk" else f"{team}__archived_at"
    found = (
        queryset.filter(**lookup).annotate(
            **{
                READER_ROLE: Subquery(role),
                READER_TEAM: F(team),
                READER_TEAM_ARCHIVED: F(archived_at),
            }
        )
    ).first()
    if found is None:
        raise Http404("No such page.")
    reader_role: str | None = getattr(found, READER_ROLE)
    archived = getattr(found, READER_TEAM_ARCHIVED) is not None
    _remember(_roles(user), getattr(found, READER_TEAM), reader_role, archived=archived)
    _check(reader_role, write=write, admin=admin, archived=archived)
    return found


def get_team_for_user(
    user: AnyUser, slug: str, *, write: bool = False, admin: bool = False
) -> Team:
    """The team for a member; ``admin=True`` also asks for the team administrator role.

    ``write=True`` is for changing the team itself (renaming, inviting): refused while it is
    archived. Restoring, exporting and deleting an archived team ask for ``admin`` alone.
    """
    return _get(user, Team.objects.all(), team="pk", write=write, admin=admin, slug=slug)


def get_storyboard_for_user(
    user: AnyUser, pk: int, *, write: bool = False, admin: bool = False, archived: bool = False
) -> Storyboard:
    """The board; ``write`` refuses an archived one unless ``archived`` (restoring, deleting)."""
    storyboards = Storyboard.objects.select_related("team", "challenge", "learner", "coach")
    sb = _get(user, storyboards, team="team", write=write or admin, admin=admin, pk=pk)
    _writable(sb, write=write and not archived)
    return sb


def get_challenge_for_user(user: AnyUser, slug: str, pk: int, *, write: bool = False) -> Challenge:
    """One of the team's challenges, asked for under the team its address names."""
    challenges = Challenge.objects.select_related("team")
    return _get(user, challenges, team="team", write=write, pk=pk, team__slug=slug)


# The objects on a storyboard, each asked for under the storyboard its address names, with that
# storyboard (and its team, for the page's breadcrumb) loaded in the same query.


def get_target_condition_for_user(
    user: AnyUser, pk: int, *, storyboard: int, write: bool = False
) -> TargetCondition:
    targets = TargetCondition.objects.select_related("storyboard__team")
    target = _get(
        user, targets, team="storyboard__team", write=write, pk=pk, storyboard_id=storyboard
    )
    _writable(target.storyboard, write=write)
    return target


def _get_on_target(
    user: AnyUser, model: type[M], pk: int, *related: str, storyboard: int, write: bool
) -> M:
    found = _get(
        user,
        model._default_manager.select_related("target_condition__storyboard__team", *related),
        team="target_condition__storyboard__team",
        write=write,
        pk=pk,
        target_condition__storyboard_id=storyboard,
    )
    _writable(found.target_condition.storyboard, write=write)  # type: ignore[attr-defined]
    return found


def get_metric_for_user(user: AnyUser, pk: int, *, storyboard: int, write: bool = False) -> Metric:
    return _get_on_target(user, Metric, pk, storyboard=storyboard, write=write)


def get_obstacle_for_user(
    user: AnyUser, pk: int, *, storyboard: int, write: bool = False
) -> Obstacle:
    return _get_on_target(user, Obstacle, pk, storyboard=storyboard, write=write)


def get_experiment_for_user(
    user: AnyUser, pk: int, *, storyboard: int, write: bool = False
) -> Experiment:
    return _get_on_target(user, Experiment, pk, "obstacle", storyboard=storyboard, write=write)


# Observations and measurements, which a member may take back (issue 11).


def get_actual_condition_for_user(
    user: AnyUser, pk: int, *, storyboard: int, write: bool = False
) -> ActualCondition:
    observations = ActualCondition.objects.select_related("storyboard__team")
    return _get(
        user, observations, team="storyboard__team", write=write, pk=pk, storyboard_id=storyboard
    )


def get_measurement_for_user(
    user: AnyUser, pk: int, *, storyboard: int, write: bool = False
) -> Measurement:
    measurements = Measurement.objects.select_related("metric__target_condition__storyboard__team")
    return _get(
        user,
        measurements,
        team="metric__target_condition__storyboard__team",
        write=write,
        pk=pk,
        metric__target_condition__storyboard_id=storyboard,
    )
