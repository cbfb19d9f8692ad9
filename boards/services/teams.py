"""Teams and their members' roles: creating, renaming, archiving, restoring and deleting a
team; changing and removing memberships.

A team has no board to log its own changes to: who archived it and when is kept on the row,
and every change to a team is logged through Django's logging (JSON lines in production).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from boards.access import forget_roles, forget_team, may_create_team
from boards.models import Membership, Role, Team, User
from boards.sections import board_changed
from boards.services.base import required_text

logger = logging.getLogger(__name__)

NAME_MAX = 120
SLUG_MAX = 80
# When a name has no letters or digits slugify keeps (a name in Cyrillic, Greek, Chinese...).
FALLBACK_SLUG = "team"
TAKEN_SLUG_TRIES = 5


def slug_base(name: str) -> str:
    """The address a name gives: ``slugify``'s, or "team" when that leaves nothing."""
    return slugify(name)[:SLUG_MAX].strip("-_") or FALLBACK_SLUG


def unique_slug(name: str, *, exclude: Team | None = None) -> str:
    """The first free address for a name: ``dispatch``, else ``dispatch-2``, ``dispatch-3``..."""
    base = slug_base(name)
    others = Team.objects.filter(slug__startswith=base[: SLUG_MAX - 8])
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    taken = set(others.values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: SLUG_MAX - len(suffix)].rstrip("-_") + suffix
        if candidate not in taken:
            return candidate
        number += 1


def clean_slug(slug: str | None) -> str:
    """An address as typed, in lower case; refused unless it is letters, digits, - and _."""
    slug = (slug or "").strip().lower()
    if not slug:
        raise ValidationError({"slug": "Give the team an address."})
    if len(slug) > SLUG_MAX:
        raise ValidationError(
            {"slug": f"Keep the address to {SLUG_MAX} characters or fewer (it has {len(slug)})."}
        )
    try:
        validate_slug(slug)
    except ValidationError:
        raise ValidationError(
            {"slug": "Use letters a to z, digits, hyphens or underscores for the address."}
        ) from None
    return slug


def _taken(slug: str, name: str, *, exclude: Team | None = None) -> ValidationError:
    free = unique_slug(slug if slug_base(slug) == slug else name, exclude=exclude)
    return ValidationError(
        {"slug": f"Another team already uses the address {slug}. {free} is free."}
    )


def _slug_in_use(slug: str, *, exclude: Team | None = None) -> bool:
    others = Team.objects.filter(slug=slug)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


@transaction.atomic
def team_create(*, name: str, slug: str = "", by: User | None = None) -> Team:
    """Create a team; whoever creates it becomes its administrator.

    An empty ``slug`` takes the first free one the name gives (``dispatch``, ``dispatch-2``).
    ``by`` is refused unless ``KATA_TEAM_CREATORS`` lets them create teams; scripts pass None.
    """
    if by is not None and not may_create_team(by):
        raise PermissionDenied("Only site staff can create teams on this installation.")
    name = required_text(
        name, "name", "Give the team a name.", max_length=NAME_MAX, single_line=True
    )
    chosen = clean_slug(slug) if (slug or "").strip() else ""
    for _ in range(TAKEN_SLUG_TRIES):
        address = chosen or unique_slug(name)
        if chosen and _slug_in_use(chosen):
            raise _taken(chosen, name)
        try:
            with transaction.atomic():  # a savepoint: a lost race is asked again
                team = Team.objects.create(name=name, slug=address)
        except IntegrityError:
            if chosen:
                raise _taken(chosen, name) from None
            continue  # someone took the derived address a moment ago: derive again
        break
    else:
        raise ValidationError({"slug": "Choose an address for the team."})
    if by is not None:
        Membership.objects.create(user=by, team=team, role=Role.ADMIN)
    logger.info("Team %s created by %s", team.slug, by, extra={"team_id": team.pk})
    return team


def _locked_team_of_admin(team: Team, by: User, message: str) -> Team:
    """The team as it is now, locked; refused unless ``by`` administers it."""
    lock_team(team.pk)
    require_admin(team.pk, by, message)
    current = Team.objects.filter(pk=team.pk).first()
    if current is None:
        raise ValidationError("This team no longer exists.")
    return current


def _refresh(team: Team, current: Team) -> None:
    for name in ("name", "slug", "archived_at", "archived_by_id"):
        setattr(team, name, getattr(current, name))


@transaction.atomic
def team_rename(*, team: Team, name: str, slug: str, by: User) -> Team:
    """Change a team's name and address (team administrators; not while it is archived).

    Links to the old address stop working: the address is unique, so another team could take it.
    """
    current = _locked_team_of_admin(team, by, "Only a team administrator can rename the team.")
    if current.is_archived:
        raise ValidationError("This team is archived: restore it before renaming it.")
    name = required_text(
        name, "name", "Give the team a name.", max_length=NAME_MAX, single_line=True
    )
    slug = clean_slug(slug)
    if _slug_in_use(slug, exclude=current):
        raise _taken(slug, name, exclude=current)
    before = (current.name, current.slug)
    try:
        with transaction.atomic():
            Team.objects.filter(pk=current.pk).update(name=name, slug=slug)
    except IntegrityError:
        raise _taken(slug, name, exclude=current) from None
    team.name, team.slug = name, slug
    board_changed(teams=[team.pk])  # the boards' cached heads name the team and link to it
    logger.info(
        "Team %s renamed from %r (%s) to %r (%s) by %s",
        team.pk,
        before[0],
        before[1],
        name,
        slug,
        by,
        extra={"team_id": team.pk},
    )
    return team


@transaction.atomic
def team_archive(*, team: Team, by: User) -> Team:
    """Make a team read-only for everyone and take it out of the lists; it can be restored."""
    current = _locked_team_of_admin(team, by, "Only a team administrator can archive the team.")
    if current.is_archived:
        raise ValidationError("This team is already archived.")
    now = timezone.now()
    Team.objects.filter(pk=current.pk).update(archived_at=now, archived_by=by)
    current.archived_at, current.archived_by_id = now, by.pk
    _refresh(team, current)
    forget_team(team.pk)
    logger.info("Team %s archived by %s", team.slug, by, extra={"team_id": team.pk})
    return team


@transaction.atomic
def team_restore(*, team: Team, by: User) -> Team:
    """Bring an archived team back: its boards can be changed again and show in the lists."""
    current = _locked_team_of_admin(team, by, "Only a team administrator can restore the team.")
    if not current.is_archived:
        raise ValidationError("This team is not archived.")
    Team.objects.filter(pk=current.pk).update(archived_at=None, archived_by=None)
    current.archived_at, current.archived_by_id = None, None
    _refresh(team, current)
    forget_team(team.pk)
    logger.info("Team %s restored by %s", team.slug, by, extra={"team_id": team.pk})
    return team


@transaction.atomic
def team_delete(*, team: Team, confirm: str, by: User) -> None:
    """Delete a team and everything in it, once its administrator typed the team's name."""
    current = _locked_team_of_admin(team, by, "Only a team administrator can delete the team.")
    if (confirm or "").strip() != current.name:
        raise ValidationError(
            {"confirm": f"Type the team's name, {current.name}, exactly as shown to delete it."}
        )
    current.delete()  # everything in it goes too; deleting the memberships forgets the roles
    logger.info(
        "Team %s (%r) deleted by %s", current.slug, current.name, by, extra={"team_id": team.pk}
    )


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


def require_admin(
    team_id: int,
    by: User,
    message: str = "Only a team administrator can change the team's members.",
) -> None:
    # Read inside the transaction, after the lock: an administrator demoted a moment ago by
    # another administrator can no longer act as one.
    if not Membership.objects.filter(team_id=team_id, user_id=by.pk, role=Role.ADMIN).exists():
        raise PermissionDenied(message)


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
