"""Invitations to join a team by email, and accepting one (with a new account if need be)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from boards.models import Invitation, Membership, Team, User, hash_invitation_token
from boards.services.base import clean_text, required_text
from boards.services.teams import clean_role, lock_team, require_admin

EMAIL_INVALID = "Enter an email address, such as ana@example.com."


def _email(value: str | None) -> str:
    email = clean_text(value, "email", max_length=254).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": EMAIL_INVALID}) from None
    return email


def invitation_link(token: str) -> str:
    """The address an invitation's email links to, on this installation."""
    return settings.SITE_URL + reverse("boards:invitation", args=[token])


def _send_invitation(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "team": invitation.team,
        "role": invitation.get_role_display(),
        "inviter": invitation.invited_by,
        "link": invitation_link(token),
        "days": settings.KATA_INVITATION_DAYS,
        "site_url": settings.SITE_URL,
    }
    subject = render_to_string("boards/email/invitation_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("boards/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("boards/email/invitation.html", context), "text/html"
    )
    message.send()


@transaction.atomic
def invitation_create(*, team: Team, email: str, role: str, by: User) -> Invitation:
    """Invite someone by email to join ``team`` with ``role``; the link goes out on commit.

    The random token exists only in that email: the row keeps its SHA-256.
    """
    email = _email(email)
    role = clean_role(role)
    lock_team(team.pk)
    require_admin(team.pk, by)
    member = Membership.objects.filter(team=team, user__email__iexact=email).select_related("user")
    if member.exists():
        raise ValidationError({"email": f"{member[0].user} is already a member of this team."})
    now = timezone.now()
    open_invitation = Invitation.objects.open().filter(team=team, email=email).first()
    if open_invitation is not None:
        if open_invitation.expires_at > now:
            raise ValidationError(
                {
                    "email": f"{email} already has an invitation waiting: revoke it first to "
                    "send a new one."
                }
            )
        # An expired invitation can no longer be accepted; closing it frees its place under
        # the one-open-invitation constraint for the new one.
        Invitation.objects.filter(pk=open_invitation.pk).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                team=team,
                email=email,
                role=role,
                token_hash=hash_invitation_token(token),
                invited_by=by,
                created_at=now,
                expires_at=now + timedelta(days=settings.KATA_INVITATION_DAYS),
            )
    except IntegrityError:  # someone invited the same address a moment ago
        raise ValidationError(
            {"email": f"{email} already has an invitation waiting: revoke it first."}
        ) from None
    transaction.on_commit(partial(_send_invitation, invitation, token))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """Withdraw an invitation that has not been accepted; its link stops working at once."""
    require_admin(invitation.team_id, by)
    now = timezone.now()
    updated = Invitation.objects.open().filter(pk=invitation.pk).update(revoked_at=now)
    if not updated:
        raise ValidationError("This invitation was already accepted or revoked.")
    invitation.revoked_at = now
    return invitation


INVITATION_REFUSALS = {
    Invitation.State.EXPIRED: "This invitation has expired. Ask a team administrator to invite "
    "you again.",
    Invitation.State.REVOKED: "This invitation was withdrawn. Ask a team administrator if you "
    "should still join.",
    Invitation.State.ACCEPTED: "This invitation has already been used. Sign in to open the team.",
}


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, whatever its state; None for a made-up one."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("team", "invited_by")
        .filter(token_hash=hash_invitation_token(token))
        .first()
    )


def _new_account(
    *, email: str, username: str, first_name: str, last_name: str, password: str
) -> User:
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            "An account with this email address already exists: sign in, then open the "
            "invitation link again."
        )
    username = required_text(username, "username", "Choose a username to sign in with.")
    user = User(
        username=username,
        email=email,
        first_name=required_text(
            first_name, "first_name", "Enter your first name.", max_length=150, single_line=True
        ),
        last_name=clean_text(last_name, "last_name", max_length=150, single_line=True),
    )
    errors: dict[str, list[str]] = {}
    try:
        user.clean_fields(exclude=["password", "email", "first_name", "last_name"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if "username" not in errors and User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["That username is taken: choose another."]
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same username was taken a moment ago
        raise ValidationError({"username": "That username is taken: choose another."}) from None
    return user


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user: User | None = None,
    username: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> Membership:
    """Join the team an invitation is for, with its role.

    A signed-in ``user`` joins as themselves if the invitation was sent to their email address;
    otherwise a new account is made from ``username``, the names and ``password`` (checked by
    the password validators in settings). An expired, withdrawn or used invitation is refused.
    """
    invitation = invitation_for_token(token)
    if invitation is None:
        raise ValidationError("This invitation link is not valid: check that it was copied whole.")
    state = invitation.state
    if state != Invitation.State.PENDING:
        raise ValidationError(INVITATION_REFUSALS[state])
    if user is not None and user.is_authenticated:
        if (user.email or "").lower() != invitation.email:
            raise ValidationError(
                f"This invitation was sent to {invitation.email}, but you are signed in as "
                f"{user.email or user.username}. Sign out, then open the link again."
            )
        joiner = user
    else:
        joiner = _new_account(
            email=invitation.email,
            username=username,
            first_name=first_name,
            last_name=last_name,
            password=password,
        )
    # Claim the invitation with a conditional UPDATE: of two people using the link at once,
    # exactly one gets it; the other's transaction, new account included, is rolled back.
    claimed = (
        Invitation.objects.open()
        .filter(pk=invitation.pk, expires_at__gt=timezone.now())
        .update(accepted_at=timezone.now(), accepted_by=joiner)
    )
    if not claimed:
        raise ValidationError("This invitation was used or withdrawn a moment ago.")
    membership, _ = Membership.objects.get_or_create(
        team=invitation.team, user=joiner, defaults={"role": invitation.role}
    )
    return membership
