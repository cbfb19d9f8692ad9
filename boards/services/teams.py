"""Teams and their members' roles: creating a team, changing and removing memberships."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from boards.access import forget_roles
from boards.models import Membership, Role, Team, User
from boards.services.base import required_text


@transaction.atomic
def team_create(*, name: str, slug: str, by: User | None = None) -> Team:
    """Create a team; whoever creates it becomes its administrator."""
    name = required_text(name, "name", "Give the team a name.", max_length=120)
    try:
        validate_slug(slug)
    except ValidationError:
        raise ValidationError(
            {"slug": "Use letters, numbers, hyphens or underscores for the address."}
        ) from None
    if Team.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "Another team already uses this address."})
    team = Team.objects.create(name=name, slug=slug)
    if by is not None:
        Membership.objects.create(user=by, team=team, role=Role.ADMIN)
    return team


@transaction.atomic
def membership_set(*, team: Team, user: User, role: str) -> Membership:
    """Add a user to a team with a role, or change the role they have."""
    if role not in Role.values:
        raise ValidationError({"role": f"{role!r} is not a role."})
    membership, _ = Membership.objects.update_or_create(
        team=team, user=user, defaults={"role": role}
    )
    return membership


LAST_ADMIN_MESSAGE = (
    "A team needs at least one team administrator: make someone else an administrator first."
)


def lock_team(team_id: int) -> None:
    """Make changes to one team's members take turns (PostgreSQL; SQLite takes turns anyway)."""
    Team.objects.select_for_update().filter(pk=team_id).first()


def require_admin(team_id: int, by: User) -> None:
    # Read inside the transaction, after the lock: an administrator demoted a moment ago by
    # another administrator can no longer act as one.
    if not Membership.objects.filter(team_id=team_id, user_id=by.pk, role=Role.ADMIN).exists():
        raise PermissionDenied("Only a team administrator can change the team's members.")


def require_an_admin_left(team_id: int) -> None:
    """Refuse (rolling the whole transaction back) when the team has no administrator left.

    The count runs after the change, in the same transaction, and after ``lock_team``:
    on PostgreSQL a concurrent change to the same team waits at the lock, and once it gets the
    lock its count (a new snapshot per statement under READ COMMITTED) sees what the first one
    committed. ``select_for_update`` does nothing on SQLite, but there every transaction starts
    with BEGIN IMMEDIATE (``transaction_mode`` in settings), so writers already run one after the
    other; should that ever be turned off, a second writer whose snapshot is stale fails with
    "database is locked" rather than committing. Either way two administrators demoting or
    removing each other at the same moment leave at least one of them in place.
    """
    if not Membership.objects.filter(team_id=team_id, role=Role.ADMIN).exists():
        raise ValidationError(LAST_ADMIN_MESSAGE)


def clean_role(role: str) -> str:
    if role not in Role.values:
        raise ValidationError({"role": "Choose one of the roles in the list."})
    return role


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, by: User) -> Membership:
    """Give a member another role; refused if it would leave the team without an administrator."""
    role = clean_role(role)
    lock_team(membership.team_id)
    require_admin(membership.team_id, by)
    updated = Membership.objects.filter(pk=membership.pk, team_id=membership.team_id).update(
        role=role
    )
    if not updated:
        raise ValidationError(f"{membership.user} is no longer a member of this team.")
    require_an_admin_left(membership.team_id)
    membership.role = role
    forget_roles(membership.user_id)  # the update above sends no signal to access
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Take someone off a team (an administrator), or leave it (anyone, for themselves).

    Storyboards keep naming a removed learner or coach; they can no longer open them.
    """
    lock_team(membership.team_id)
    if by.pk != membership.user_id:
        require_admin(membership.team_id, by)
    deleted, _ = Membership.objects.filter(pk=membership.pk, team_id=membership.team_id).delete()
    if not deleted:
        raise ValidationError(f"{membership.user} is no longer a member of this team.")
    require_an_admin_left(membership.team_id)
