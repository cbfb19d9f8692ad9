"""People and teams: accounts, a team's members with their roles, invitations to join."""

from __future__ import annotations

import hashlib
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from boards.validators import validate_single_line


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone, such as Europe/Berlin.")


class User(AbstractUser):
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)


class TeamQuerySet(models.QuerySet["Team"]):
    def active(self) -> TeamQuerySet:
        return self.filter(archived_at__isnull=True)

    def archived(self) -> TeamQuerySet:
        return self.filter(archived_at__isnull=False)


class Team(models.Model):
    name = models.CharField(max_length=120, validators=[validate_single_line])
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # An archived team is read-only for everyone and out of the lists; its administrators can
    # restore it. Who archived it and when is kept on the row (a team has no board to log to).
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("boards:team", args=[self.slug])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Role(models.TextChoices):
    ADMIN = "admin", "Team administrator"
    MEMBER = "member", "Member"
    COACH = "coach", "Coach"
    MANAGER = "manager", "Manager"
    VIEWER = "viewer", "Viewer"


# Roles that may change a team's storyboards; managers and viewers read only.
EDITING_ROLES = frozenset({Role.ADMIN, Role.MEMBER, Role.COACH})


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="membership_one_per_user_team"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"

    @property
    def can_edit(self) -> bool:
        return self.role in EDITING_ROLES


def invitation_expiry():
    # A callable, so that changing KATA_INVITATION_DAYS does not call for a migration.
    return timezone.now() + timedelta(days=settings.KATA_INVITATION_DAYS)


def hash_invitation_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Neither accepted nor revoked (an expired invitation stays open until replaced).
OPEN_INVITATION = Q(accepted_at__isnull=True, revoked_at__isnull=True)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        """Invitations still holding their place: at most one per team and email address."""
        return self.filter(OPEN_INVITATION)


class Invitation(models.Model):
    """An emailed invitation to join a team with a role.

    Only the SHA-256 of the random token is stored: the token itself travels in the emailed
    link alone, so a copy of the database cannot be used to accept invitations.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"
        ACCEPTED = "accepted", "Accepted"

    team = models.ForeignKey(Team, models.CASCADE, related_name="invitations")
    email = models.EmailField(help_text="Stored in lower case.")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "email"],
                condition=OPEN_INVITATION,
                name="invitation_one_open_per_team_email",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invitation_role_valid"),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.team} ({self.get_role_display()})"

    @property
    def state(self) -> Invitation.State:
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING
