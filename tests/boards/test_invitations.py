"""Invitations: the email and its link, accepting as a new or a signed-in person, and refusals."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from smtplib import SMTPException
from unittest import mock
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from boards.models import Invitation, Membership, Role, Team, User
from boards.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"(https?://[^\s\"<]+/invitations/([A-Za-z0-9_-]+)/)")
STRONG = "mauve-tractor-41-lantern"


@pytest.fixture
def invite(team, team_admin, django_capture_on_commit_callbacks):
    """``invite(email, role)``: invite through the service, and return the link emailed."""

    def make(email: str = "nina@example.com", role: str = Role.COACH) -> tuple[str, str]:
        with django_capture_on_commit_callbacks(execute=True):
            invitation_create(team=team, email=email, role=role, by=team_admin)
        link, token = LINK.search(mail.outbox[-1].body).groups()
        return link, token

    return make


def _path(link: str) -> str:
    return urlsplit(link).path


def _new_account(**overrides) -> dict:
    return {
        "first_name": "Nina",
        "last_name": "Berg",
        "username": "nina",
        "password1": STRONG,
        "password2": STRONG,
        **overrides,
    }


# Sending ---------------------------------------------------------------------------------------


def test_the_invitation_email_carries_the_link(invite, settings):
    settings.SITE_URL = "https://kata.example.com"

    link, token = invite("Nina@Example.com", Role.COACH)

    message = mail.outbox[0]
    assert message.to == ["nina@example.com"]
    assert message.subject == "Ada Lund invites you to join Dispatch on Kata"
    assert link == f"https://kata.example.com/invitations/{token}/"
    assert "as Coach" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and link in html
    invitation = Invitation.objects.get()
    assert invitation.email == "nina@example.com"
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)


def test_only_a_hash_of_the_token_is_stored(invite):
    _, token = invite()

    invitation = Invitation.objects.get()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(v) for v in Invitation.objects.values().get().values()]
    assert not any(token in value for value in stored)
    assert len(token) >= 43  # 32 random bytes


def test_the_email_waits_for_the_commit(team, team_admin, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invitation_create(team=team, email="nina@example.com", role="member", by=team_admin)
        raise RuntimeError("something later in the same transaction failed")

    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_the_lifetime_comes_from_the_setting(invite, settings):
    settings.KATA_INVITATION_DAYS = 2
    invite()

    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == timedelta(days=2)
    assert "works for 2 days" in mail.outbox[0].body


def test_an_administrator_invites_from_the_members_page(
    client_for, team_admin, team, django_capture_on_commit_callbacks
):
    client = client_for(team_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("boards:invitation_new", args=["dispatch"]),
            {"email": "nina@example.com", "role": Role.MANAGER},
            follow=True,
        )

    assert "Invitation sent to nina@example.com as Manager." in response.content.decode()
    assert Invitation.objects.get().role == Role.MANAGER
    assert len(mail.outbox) == 1


def test_an_invalid_address_comes_back_with_the_error_in_place(client_for, team_admin, team):
    response = client_for(team_admin).post(
        reverse("boards:invitation_new", args=["dispatch"]),
        {"email": "not an address", "role": Role.MEMBER},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 422
    assert "<html" not in html
    assert "Enter an email address" in html
    assert not Invitation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_email_is_reported(client_for, team_admin, team):
    # A real commit: the email goes out as the service's transaction commits, inside the view.
    with mock.patch(
        "boards.services.invitations.EmailMultiAlternatives.send", side_effect=SMTPException
    ):
        response = client_for(team_admin).post(
            reverse("boards:invitation_new", args=["dispatch"]),
            {"email": "nina@example.com", "role": Role.MEMBER},
            follow=True,
        )

    assert "the email could not be sent" in response.content.decode()
    assert Invitation.objects.get().state == "pending"


def test_members_are_not_invited_again(team, team_admin, learner):
    with pytest.raises(ValidationError, match="already a member"):
        invitation_create(team=team, email=learner.email.upper(), role=Role.COACH, by=team_admin)


def test_one_open_invitation_per_address(invite, team, team_admin):
    invite("nina@example.com")

    with pytest.raises(ValidationError, match="already has an invitation waiting"):
        invitation_create(team=team, email="NINA@example.com", role=Role.VIEWER, by=team_admin)
    # The database holds the rule too, for writes that bypass the service.
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(team=team, email="nina@example.com", token_hash="x" * 64)


def test_a_revoked_or_expired_invitation_can_be_replaced(invite, team, team_admin):
    invite("nina@example.com")
    invitation_revoke(invitation=Invitation.objects.get(), by=team_admin)
    invite("nina@example.com")

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        invite("nina@example.com")

    states = sorted(i.state for i in Invitation.objects.all())
    assert states == ["pending", "revoked", "revoked"]


def test_a_viewer_cannot_invite_through_the_service(team, viewer):
    with pytest.raises(PermissionDenied, match="administrator"):
        invitation_create(team=team, email="x@example.com", role="member", by=viewer)


# Accepting as someone new ----------------------------------------------------------------------


def test_the_link_shows_the_team_and_the_role(invite, client):
    link, _ = invite(role=Role.COACH)

    response = client.get(_path(link))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Join Dispatch</h1>" in html
    assert "Ada Lund invites you" in html and "<strong>Coach</strong>" in html
    assert 'for="id_username"' in html and 'for="id_password1"' in html


def test_accepting_creates_the_account_and_joins_with_the_role(invite, client):
    link, _ = invite(role=Role.COACH)

    response = client.post(_path(link), _new_account())

    assert response.status_code == 303
    assert response["Location"] == reverse("boards:team", args=["dispatch"])
    nina = User.objects.get(username="nina")
    assert nina.email == "nina@example.com"
    assert nina.get_full_name() == "Nina Berg"
    assert nina.check_password(STRONG)
    assert Membership.objects.get(user=nina).role == Role.COACH
    invitation = Invitation.objects.get()
    assert invitation.accepted_by == nina and invitation.state == "accepted"
    # Signed in already.
    assert client.get(reverse("boards:team", args=["dispatch"])).status_code == 200


def test_the_new_password_goes_through_the_validators(invite, client):
    link, _ = invite()

    response = client.post(_path(link), _new_account(password1="password", password2="password"))

    html = response.content.decode()
    assert response.status_code == 422
    assert "This password is too common." in html
    assert not User.objects.filter(username="nina").exists()
    assert Invitation.objects.get().state == "pending"


def test_the_password_must_be_typed_twice_the_same(invite, client):
    link, _ = invite()

    response = client.post(_path(link), _new_account(password2=STRONG + "x"))

    assert response.status_code == 422
    assert "The two passwords differ" in response.content.decode()


def test_a_taken_username_is_refused(invite, client, learner):
    link, _ = invite()

    response = client.post(_path(link), _new_account(username="LENA"))

    assert response.status_code == 422
    assert "That username is taken" in response.content.decode()
    assert not Membership.objects.filter(user__email="nina@example.com").exists()


def test_someone_with_an_account_is_asked_to_sign_in(invite, client):
    UserFactory(username="nina-old", email="Nina@example.com")
    link, _ = invite()

    response = client.get(_path(link))

    html = response.content.decode()
    assert "already exists" in html
    assert f"{reverse('login')}?next=" in html
    assert reverse("password_reset") in html
    assert client.post(_path(link), _new_account()).status_code == 409
    assert not User.objects.filter(username="nina").exists()


# Accepting when signed in ----------------------------------------------------------------------


def test_a_signed_in_person_with_that_address_just_joins(invite, client_for, outsider):
    link, _ = invite(outsider.email, Role.VIEWER)
    client = client_for(outsider)
    people = User.objects.count()

    page = client.get(_path(link))
    response = client.post(_path(link))

    assert "Join as Otto Field" in page.content.decode()
    assert response.status_code == 303
    assert Membership.objects.get(user=outsider, team__slug="dispatch").role == Role.VIEWER
    assert User.objects.count() == people


def test_a_signed_in_person_with_another_address_is_told_so(invite, client_for, outsider):
    link, _ = invite("nina@example.com")
    client = client_for(outsider)

    page = client.get(_path(link))
    response = client.post(_path(link))

    assert "sent to <strong>nina@example.com</strong>" in page.content.decode()
    assert response.status_code == 403
    assert not Membership.objects.filter(user=outsider, team__slug="dispatch").exists()


# Refusals --------------------------------------------------------------------------------------


def test_an_expired_invitation_is_refused(invite, client):
    link, token = invite()

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        page = client.get(_path(link))
        post = client.post(_path(link), _new_account())
        with pytest.raises(ValidationError, match="expired"):
            invitation_accept(token=token, **_service_account())

    assert page.status_code == 410 and post.status_code == 410
    assert "This invitation has expired" in page.content.decode()
    assert "invite you again" in page.content.decode()
    assert not User.objects.filter(username="nina").exists()


def test_a_revoked_invitation_is_refused(invite, client, team_admin):
    link, _ = invite()
    invitation_revoke(invitation=Invitation.objects.get(), by=team_admin)

    response = client.get(_path(link))

    assert response.status_code == 410
    assert "This invitation was withdrawn" in response.content.decode()


def test_an_administrator_revokes_from_the_members_page(invite, client, client_for, team_admin):
    link, _ = invite()
    invitation = Invitation.objects.get()

    response = client_for(team_admin).post(
        reverse("boards:invitation_revoke", args=["dispatch", invitation.pk]), follow=True
    )

    assert "The invitation to nina@example.com was revoked." in response.content.decode()
    assert client.get(_path(link)).status_code == 410


def test_a_used_invitation_is_refused(invite, client):
    link, token = invite()
    client.post(_path(link), _new_account())

    again = Client().get(_path(link))

    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    with pytest.raises(ValidationError, match="already been used"):
        invitation_accept(token=token, **_service_account(username="nina2"))


def test_an_unknown_link_is_not_found(client):
    response = client.get(reverse("boards:invitation", args=["not-a-real-token"]))

    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()


def test_of_two_people_using_one_link_at_once_only_one_joins(invite):
    first = UserFactory(username="nina", email="nina@example.com")
    second = UserFactory(username="nina-at-home", email="nina@example.com")
    _, token = invite("nina@example.com")
    stale = invitation_for_token(token)
    invitation_accept(token=token, user=first)

    # The second read the invitation while it was still open, a moment before: the claim,
    # a conditional UPDATE, refuses it.
    with (
        mock.patch("boards.services.invitations.invitation_for_token", return_value=stale),
        pytest.raises(ValidationError, match="a moment ago"),
    ):
        invitation_accept(token=token, user=second)

    joined = Membership.objects.filter(team__slug="dispatch", user__email="nina@example.com")
    assert list(joined.values_list("user__username", flat=True)) == ["nina"]


def test_csrf_is_enforced_on_accepting(invite):
    link, _ = invite()
    client = Client(enforce_csrf_checks=True)

    response = client.post(_path(link), _new_account())

    assert response.status_code == 403
    assert not User.objects.filter(username="nina").exists()


def _service_account(**overrides) -> dict:
    return {
        "username": "nina",
        "first_name": "Nina",
        "last_name": "Berg",
        "password": STRONG,
        **overrides,
    }


def test_the_team_keeps_its_invitations_private(invite, client_for, viewer):
    invite("nina@example.com")

    response = client_for(viewer).get(reverse("boards:members", args=["dispatch"]))

    assert "nina@example.com" not in response.content.decode()
    assert Team.objects.get(slug="dispatch").invitations.count() == 1


def test_the_django_admin_lists_invitations_without_their_links(admin_client, invite):
    _, token = invite("nina@example.com")

    response = admin_client.get(reverse("admin:boards_invitation_changelist"))

    assert response.status_code == 200
    assert "nina@example.com" in response.content.decode()
    assert token not in response.content.decode()
