"""The team's members page: who may do what, roles, removal, leaving, and the last administrator.

Every members URL is in ``CASES``; ``test_every_members_url_is_in_the_permission_table`` fails
when one is added without an entry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection, connections
from django.test import Client
from django.urls import reverse

import boards.urls
from boards.models import Invitation, Membership, Role, Team, User
from boards.services import teams
from boards.services.invitations import invitation_create
from boards.services.teams import membership_change_role, membership_remove
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
# Session, user, the team, the viewer's roles, the members with their users, the invitations.
MEMBERS_QUERIES = 6


@pytest.fixture
def people(team_admin, learner, coach, manager, viewer, outsider) -> dict[str, User]:
    return {
        "admin": team_admin,
        "member": learner,
        "coach": coach,
        "manager": manager,
        "viewer": viewer,
        "outsider": outsider,
    }


def _membership(user: User) -> Membership:
    return Membership.objects.get(user=user, team__slug="dispatch")


# The permission table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    kwargs: Callable[[dict], dict]
    method: str = "get"
    data: Callable[[dict], dict] | None = None
    # Who besides team administrators may do it (leaving is for everyone).
    everyone: bool = False

    def url(self, people: dict) -> str:
        return reverse(f"boards:{self.name}", kwargs=self.kwargs(people))


def team_kwargs(people: dict) -> dict:
    return {"slug": "dispatch"}


def on_viewer(people: dict) -> dict:
    return {"slug": "dispatch", "membership_pk": _membership(people["viewer"]).pk}


def on_invitation(people: dict) -> dict:
    invitation = invitation_create(
        team=Team.objects.get(slug="dispatch"),
        email="new@example.com",
        role=Role.MEMBER,
        by=people["admin"],
    )
    return {"slug": "dispatch", "invitation_pk": invitation.pk}


CASES = [
    Case("members", team_kwargs, everyone=True),
    Case("team_leave", team_kwargs, everyone=True),
    Case("team_export", team_kwargs),
    Case("member_remove", on_viewer),
    Case("member_remove", on_viewer, method="post", data=lambda p: {}),
    Case("member_role", on_viewer, method="post", data=lambda p: {"role": Role.MEMBER}),
    Case(
        "invitation_new",
        team_kwargs,
        method="post",
        data=lambda p: {"email": "someone@example.com", "role": Role.COACH},
    ),
    Case("invitation_revoke", on_invitation, method="post", data=lambda p: {}),
]
IDS = [f"{case.name}-{case.method}" for case in CASES]
MEMBERS_URLS = {
    "members",
    "member_role",
    "member_remove",
    "team_leave",
    "team_export",
    "invitation_new",
    "invitation_revoke",
}


def test_every_members_url_is_in_the_permission_table():
    names = {p.name for p in boards.urls.urlpatterns}
    assert names >= MEMBERS_URLS
    assert {case.name for case in CASES} == MEMBERS_URLS


def _call(client: Client, case: Case, people: dict, url: str = "", **extra):
    url = url or case.url(people)
    if case.method == "post":
        return client.post(url, case.data(people), **extra)
    return client.get(url, **extra)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_anonymous_people_are_sent_to_sign_in(client, people, case):
    response = _call(client, case, people)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_outsiders_see_no_such_team(client_for, people, case):
    assert _call(client_for(people["outsider"]), case, people).status_code == 404


@pytest.mark.parametrize("role", ["member", "coach", "manager", "viewer"])
@pytest.mark.parametrize("case", [c for c in CASES if not c.everyone], ids=lambda c: c.name)
def test_members_other_than_administrators_may_not_change_anything(client_for, people, case, role):
    url = case.url(people)
    before = list(Membership.objects.order_by("pk").values_list("pk", "role"))
    invitations = Invitation.objects.filter(revoked_at__isnull=True).count()

    response = _call(client_for(people[role]), case, people, url)

    assert response.status_code == 403
    assert list(Membership.objects.order_by("pk").values_list("pk", "role")) == before
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == invitations


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_administrators_may_do_everything(client_for, people, case):
    response = _call(client_for(people["admin"]), case, people)

    assert response.status_code in (200, 303)


@pytest.mark.parametrize("role", ["member", "coach", "manager", "viewer"])
def test_other_members_read_the_page_without_edit_controls(client_for, people, role):
    response = client_for(people[role]).get(reverse("boards:members", args=["dispatch"]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ada Lund" in html and "Team administrator" in html
    assert 'name="role"' not in html
    assert "Remove…" not in html
    assert "Invite someone" not in html
    assert "Export" not in html
    assert "Leave the team…" in html


def test_administrators_see_roles_invitations_and_the_invite_form(client_for, people):
    invitation_create(
        team=Team.objects.get(slug="dispatch"),
        email="new@example.com",
        role="coach",
        by=people["admin"],
    )

    response = client_for(people["admin"]).get(reverse("boards:members", args=["dispatch"]))

    html = response.content.decode()
    assert html.count('name="role"') == 5 + 1  # one select per member, one in the invite form
    assert html.count("Remove…") == 5
    assert "new@example.com" in html
    assert "Revoke" in html
    assert "Send the invitation" in html
    assert html.count("<h1") == 1


def test_the_team_page_links_to_the_members_page(client_for, people):
    response = client_for(people["viewer"]).get(reverse("boards:team", args=["dispatch"]))

    assert reverse("boards:members", args=["dispatch"]) in response.content.decode()


def test_the_members_page_costs_the_same_queries_however_many_people(
    client_for, people, django_assert_max_num_queries
):
    team = Team.objects.get(slug="dispatch")
    client = client_for(people["admin"])
    url = reverse("boards:members", args=["dispatch"])
    with django_assert_max_num_queries(MEMBERS_QUERIES):
        assert client.get(url).status_code == 200
    for n in range(15):
        MembershipFactory(team=team, role=Role.VIEWER)
        invitation_create(
            team=team, email=f"person{n}@example.com", role="member", by=people["admin"]
        )
    with django_assert_max_num_queries(MEMBERS_QUERIES):
        response = client.get(url)
    assert '<th scope="row">person14@example.com</th>' in response.content.decode()


def test_csrf_is_enforced_on_writes(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["admin"])

    response = client.post(
        reverse("boards:member_role", args=["dispatch", _membership(people["viewer"]).pk]),
        {"role": Role.ADMIN},
    )

    assert response.status_code == 403
    assert _membership(people["viewer"]).role == Role.VIEWER


# Roles -----------------------------------------------------------------------------------------


def test_an_administrator_changes_a_role(client_for, people):
    membership = _membership(people["viewer"])

    response = client_for(people["admin"]).post(
        reverse("boards:member_role", args=["dispatch", membership.pk]), {"role": Role.COACH}
    )

    assert response.status_code == 303
    assert response["Location"] == reverse("boards:members", args=["dispatch"])
    assert _membership(people["viewer"]).role == Role.COACH


def test_with_htmx_the_role_change_answers_with_the_panel(client_for, people):
    membership = _membership(people["viewer"])

    response = client_for(people["admin"]).post(
        reverse("boards:member_role", args=["dispatch", membership.pk]),
        {"role": Role.MANAGER},
        headers=HX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="members-panel"' in html
    assert response["HX-Retarget"] == "#members-panel"
    assert "Vic Hale is now manager." in html
    assert _membership(people["viewer"]).role == Role.MANAGER


def test_an_unknown_role_is_refused(client_for, people):
    membership = _membership(people["viewer"])

    response = client_for(people["admin"]).post(
        reverse("boards:member_role", args=["dispatch", membership.pk]),
        {"role": "owner"},
        headers=HX,
    )

    assert response.status_code == 422
    assert "Choose one of the roles" in response.content.decode()
    assert _membership(people["viewer"]).role == Role.VIEWER


def test_the_last_administrator_cannot_step_down(client_for, people):
    membership = _membership(people["admin"])

    response = client_for(people["admin"]).post(
        reverse("boards:member_role", args=["dispatch", membership.pk]),
        {"role": Role.MEMBER},
        follow=True,
    )

    assert "at least one team administrator" in response.content.decode()
    assert _membership(people["admin"]).role == Role.ADMIN


def test_an_administrator_steps_down_once_there_is_another(client_for, people):
    membership_change_role(
        membership=_membership(people["coach"]), role=Role.ADMIN, by=people["admin"]
    )

    response = client_for(people["admin"]).post(
        reverse("boards:member_role", args=["dispatch", _membership(people["admin"]).pk]),
        {"role": Role.COACH},
        headers=HX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert _membership(people["admin"]).role == Role.COACH
    # No longer an administrator: the panel that comes back has no controls.
    assert 'name="role"' not in html


def test_a_member_of_another_team_cannot_be_changed_through_this_one(client_for, people):
    elsewhere = _membership_elsewhere(people["outsider"])

    response = client_for(people["admin"]).post(
        reverse("boards:member_role", args=["dispatch", elsewhere.pk]), {"role": Role.VIEWER}
    )

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.role == Role.MEMBER


def _membership_elsewhere(user: User) -> Membership:
    return Membership.objects.exclude(team__slug="dispatch").get(user=user)


def test_the_service_checks_that_the_actor_is_an_administrator(people):
    with pytest.raises(PermissionDenied):
        membership_change_role(
            membership=_membership(people["viewer"]), role=Role.ADMIN, by=people["coach"]
        )
    with pytest.raises(PermissionDenied):
        membership_remove(membership=_membership(people["viewer"]), by=people["coach"])


# Removing and leaving --------------------------------------------------------------------------


def test_removing_asks_for_confirmation_first(client_for, people, storyboard):
    membership = _membership(people["member"])
    url = reverse("boards:member_remove", args=["dispatch", membership.pk])

    response = client_for(people["admin"]).get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Remove Lena Park from Dispatch?</h1>" in html
    assert "the learner on 1 active storyboard" in html
    assert f'action="{url}"' in html
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_with_htmx_the_confirmation_replaces_the_row(client_for, people):
    membership = _membership(people["viewer"])

    response = client_for(people["admin"]).get(
        reverse("boards:member_remove", args=["dispatch", membership.pk]), headers=HX
    )

    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="member-{membership.pk}"')
    assert "<html" not in html
    assert "Remove Vic Hale" in html


def test_an_administrator_removes_a_member(client_for, people):
    membership = _membership(people["viewer"])

    response = client_for(people["admin"]).post(
        reverse("boards:member_remove", args=["dispatch", membership.pk]), follow=True
    )

    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert "Vic Hale was removed from Dispatch." in response.content.decode()
    assert client_for(people["viewer"]).get("/teams/dispatch/").status_code == 404


def test_the_last_administrator_cannot_be_removed(client_for, people):
    membership = _membership(people["admin"])

    response = client_for(people["admin"]).post(
        reverse("boards:member_remove", args=["dispatch", membership.pk]), headers=HX
    )

    assert response.status_code == 422
    assert "at least one team administrator" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_member_leaves_the_team(client_for, people):
    client = client_for(people["viewer"])
    url = reverse("boards:team_leave", args=["dispatch"])
    assert "Leave Dispatch?" in client.get(url).content.decode()

    response = client.post(url)

    assert response.status_code == 303 and response["Location"] == reverse("home")
    assert not Membership.objects.filter(user=people["viewer"], team__slug="dispatch").exists()


def test_the_last_administrator_cannot_leave(client_for, people):
    response = client_for(people["admin"]).post(reverse("boards:team_leave", args=["dispatch"]))

    assert response.status_code == 422
    assert "at least one team administrator" in response.content.decode()
    assert _membership(people["admin"]).role == Role.ADMIN


def test_an_administrator_leaves_once_there_is_another(client_for, people):
    membership_change_role(
        membership=_membership(people["coach"]), role=Role.ADMIN, by=people["admin"]
    )

    response = client_for(people["admin"]).post(reverse("boards:team_leave", args=["dispatch"]))

    assert response.status_code == 303
    assert list(
        Membership.objects.filter(team__slug="dispatch", role=Role.ADMIN).values_list(
            "user__username", flat=True
        )
    ) == ["carl"]


# Two administrators at the same moment -------------------------------------------------------


def _race(first: Callable[[], None], second: Callable[[], None]) -> list[BaseException | None]:
    """Run ``first`` until it has written but not committed, then start ``second``.

    ``second`` must wait for ``first`` (the team lock on PostgreSQL, BEGIN IMMEDIATE on
    SQLite) and then see what it committed.
    """
    written = threading.Event()
    outcomes: list[BaseException | None] = [None, None]
    real = teams.require_an_admin_left

    def held(team_id: int) -> None:
        real(team_id)
        if threading.current_thread().name == "first":
            written.set()
            _wait_until_second_is_blocked()

    def run(index: int, action: Callable[[], None]) -> None:
        try:
            action()
        except BaseException as error:  # checked by the test, whatever it is
            outcomes[index] = error
        finally:
            connections.close_all()

    teams.require_an_admin_left = held
    try:
        one = threading.Thread(target=run, args=(0, first), name="first")
        one.start()
        assert written.wait(10), "the first change never reached its check"
        two = threading.Thread(target=run, args=(1, second), name="second")
        two.start()
        one.join(30)
        two.join(30)
    finally:
        teams.require_an_admin_left = real
    return outcomes


def _wait_until_second_is_blocked() -> None:
    if connection.vendor != "postgresql":
        time.sleep(0.5)  # SQLite: the second transaction waits in BEGIN IMMEDIATE
        return
    with connections.create_connection("default").cursor() as cursor:
        for _ in range(100):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second change did not wait for the first")


@pytest.fixture
def two_admins(db):
    team = Team.objects.create(name="Paint shop", slug="paint")
    ann = UserFactory(username="ann")
    bob = UserFactory(username="bob")
    MembershipFactory(team=team, user=ann, role=Role.ADMIN)
    MembershipFactory(team=team, user=bob, role=Role.ADMIN)
    close_old_connections()
    return team, ann, bob


def _admins(team: Team) -> list[str]:
    return sorted(
        Membership.objects.filter(team=team, role=Role.ADMIN).values_list(
            "user__username", flat=True
        )
    )


@pytest.mark.django_db(transaction=True)
def test_two_administrators_stepping_down_at_once_leave_one(two_admins):
    team, ann, bob = two_admins

    def step_down(user: User) -> Callable[[], None]:
        def action() -> None:
            membership = Membership.objects.get(team=team, user=user)
            membership_change_role(membership=membership, role=Role.MEMBER, by=user)

        return action

    outcomes = _race(step_down(ann), step_down(bob))

    assert outcomes[0] is None
    assert isinstance(outcomes[1], ValidationError)
    assert "at least one team administrator" in str(outcomes[1])
    assert _admins(team) == ["bob"]


@pytest.mark.django_db(transaction=True)
def test_two_administrators_demoting_each_other_at_once_leave_one(two_admins):
    team, ann, bob = two_admins

    def demote(target: User, by: User) -> Callable[[], None]:
        def action() -> None:
            membership = Membership.objects.get(team=team, user=target)
            membership_change_role(membership=membership, role=Role.VIEWER, by=by)

        return action

    outcomes = _race(demote(bob, by=ann), demote(ann, by=bob))

    assert outcomes[0] is None
    # Bob is no longer an administrator when his change runs: it is refused outright.
    assert isinstance(outcomes[1], PermissionDenied)
    assert _admins(team) == ["ann"]


@pytest.mark.django_db(transaction=True)
def test_two_administrators_removing_each_other_at_once_leave_one(two_admins):
    team, ann, bob = two_admins

    def leave(user: User) -> Callable[[], None]:
        def action() -> None:
            membership = Membership.objects.get(team=team, user=user)
            membership_remove(membership=membership, by=user)

        return action

    outcomes = _race(leave(ann), leave(bob))

    assert outcomes[0] is None
    assert isinstance(outcomes[1], ValidationError)
    assert _admins(team) == ["bob"]
