"""A team's own life: creating it (who may, its address), renaming, archiving, restoring and
deleting it, through the services and the pages; and the staff's list of every team.

Every team URL is in ``CASES``; ``test_every_team_url_is_in_the_permission_table`` fails when
one is added without an entry. What an archived team refuses is in test_team_archive.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

import boards.urls
from boards import access
from boards.models import Challenge, Membership, Role, Storyboard, Team, User
from boards.services.teams import (
    team_archive,
    team_create,
    team_delete,
    team_rename,
    team_restore,
    unique_slug,
)
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


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


@pytest.fixture
def staff(db) -> User:
    return UserFactory(username="sam", first_name="Sam", last_name="Ops", is_staff=True)


def _team() -> Team:
    return Team.objects.get(pk=Team.objects.get(slug="dispatch").pk)


# Creating a team: the service --------------------------------------------------------------------


def test_team_create_derives_the_address_and_makes_the_creator_its_administrator(db):
    ana = UserFactory()
    team = team_create(name="Ward 4 admissions", by=ana)
    assert team.slug == "ward-4-admissions"
    assert list(Membership.objects.filter(team=team).values_list("user", "role")) == [
        (ana.pk, Role.ADMIN)
    ]


def test_team_create_makes_a_taken_address_unique(db):
    slugs = [team_create(name="Dispatch").slug for _ in range(3)]
    assert slugs == ["dispatch", "dispatch-2", "dispatch-3"]
    assert unique_slug("Dispatch") == "dispatch-4"


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Отдел доставки", "team"),  # nothing Latin: the fallback
        ("配送センター", "team"),
        ("Ünïcödé Wärd", "unicode-ward"),  # accents fold to their letters
        ("Línea 3 / Montaje", "linea-3-montaje"),
        ("Склад 7", "7"),
        ("!!!", "team"),
    ],
)
def test_a_name_in_any_script_gives_a_usable_address(db, name, slug):
    team = team_create(name=name)
    assert team.slug == slug
    assert team.name == name
    assert reverse("boards:team", args=[team.slug])  # a valid address for the team's URLs


def test_names_without_latin_letters_get_team_then_team_2(db):
    assert [team_create(name=n).slug for n in ("Отдел", "配送", "Ομάδα")] == [
        "team",
        "team-2",
        "team-3",
    ]


def test_a_long_name_gives_an_address_that_fits_with_its_number(db):
    name = "Very long focus area name " * 5
    first, second = team_create(name=name[:120]), team_create(name=name[:120])
    assert len(first.slug) <= 80 and len(second.slug) <= 80
    assert second.slug.endswith("-2")
    assert not first.slug.endswith("-")


def test_an_address_taken_a_moment_ago_is_derived_again(team, monkeypatch):
    from boards.services import teams

    real = teams.unique_slug
    proposals = iter(["dispatch"])  # free when read, taken when written: a lost race
    monkeypatch.setattr(teams, "unique_slug", lambda name: next(proposals, None) or real(name))
    assert team_create(name="Dispatch").slug == "dispatch-2"


def test_a_chosen_address_taken_a_moment_ago_is_refused_clearly(team, monkeypatch):
    from boards.services import teams

    monkeypatch.setattr(teams, "_slug_in_use", lambda slug, exclude=None: False)
    with pytest.raises(ValidationError) as refused:
        team_create(name="Dispatch", slug="dispatch")
    assert "Another team already uses the address dispatch" in refused.value.messages[0]
    assert Team.objects.count() == 1


def test_team_create_takes_the_address_given_in_lower_case(db):
    assert team_create(name="Dispatch", slug=" Goods-IN ").slug == "goods-in"


def test_team_create_refuses_an_address_in_use_and_names_a_free_one(team):
    with pytest.raises(ValidationError) as refused:
        team_create(name="Dispatch", slug="dispatch")
    assert "dispatch-2 is free" in refused.value.message_dict["slug"][0]
    assert Team.objects.count() == 1


@pytest.mark.parametrize("slug", ["with space", "ünï", "a/b", "x" * 81])
def test_team_create_refuses_an_address_that_is_not_one(db, slug):
    with pytest.raises(ValidationError) as refused:
        team_create(name="Dispatch", slug=slug)
    assert "slug" in refused.value.message_dict
    assert not Team.objects.exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_team_create_refuses_a_blank_or_long_name(db, name):
    with pytest.raises(ValidationError):
        team_create(name=name)
    assert not Team.objects.exists()


def test_only_staff_create_teams_when_the_setting_says_so(db, settings):
    settings.KATA_TEAM_CREATORS = "staff"
    with pytest.raises(PermissionDenied):
        team_create(name="Dispatch", by=UserFactory())
    assert team_create(name="Dispatch", by=UserFactory(is_staff=True)).slug == "dispatch"


def test_everyone_signed_in_creates_teams_by_default(db, settings):
    assert settings.KATA_TEAM_CREATORS == "everyone"
    assert access.may_create_team(UserFactory())
    assert not access.may_create_team(UserFactory(is_active=False))


# Renaming, archiving, restoring, deleting: the services ------------------------------------------


def test_team_rename_changes_the_name_and_keeps_the_address_unless_changed(team, team_admin):
    team_rename(team=team, name="Dispatch and returns", slug="dispatch", by=team_admin)
    assert (_team().name, _team().slug) == ("Dispatch and returns", "dispatch")
    team_rename(team=team, name="Returns", slug="returns", by=team_admin)
    assert (team.name, team.slug) == ("Returns", "returns")
    assert Team.objects.filter(slug="returns", name="Returns").exists()


def test_team_rename_refuses_an_address_another_team_uses(team, team_admin, outsider):
    with pytest.raises(ValidationError) as refused:
        team_rename(team=team, name="Dispatch", slug="goods-in", by=team_admin)
    assert "goods-in-2 is free" in refused.value.message_dict["slug"][0]
    assert _team().slug == "dispatch"


@pytest.mark.parametrize("who", ["learner", "coach", "manager", "viewer"])
def test_only_a_team_administrator_renames_archives_restores_or_deletes(team, request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        team_rename(team=team, name="Other", slug="other", by=user)
    with pytest.raises(PermissionDenied):
        team_archive(team=team, by=user)
    with pytest.raises(PermissionDenied):
        team_delete(team=team, confirm="Dispatch", by=user)
    Team.objects.filter(pk=team.pk).update(archived_at="2026-01-01T00:00Z")
    with pytest.raises(PermissionDenied):
        team_restore(team=team, by=user)
    assert _team().name == "Dispatch"


def test_team_archive_records_who_and_when_and_restore_undoes_it(team, team_admin):
    team_archive(team=team, by=team_admin)
    archived = _team()
    assert archived.is_archived
    assert archived.archived_by == team_admin
    assert team.is_archived  # the caller's object follows
    team_restore(team=team, by=team_admin)
    assert not _team().is_archived
    assert _team().archived_by is None


def test_archiving_twice_or_restoring_an_active_team_is_refused(team, team_admin):
    with pytest.raises(ValidationError, match="not archived"):
        team_restore(team=team, by=team_admin)
    team_archive(team=team, by=team_admin)
    with pytest.raises(ValidationError, match="already archived"):
        team_archive(team=team, by=team_admin)


def test_an_archived_team_is_not_renamed(team, team_admin):
    team_archive(team=team, by=team_admin)
    with pytest.raises(ValidationError, match="restore it"):
        team_rename(team=team, name="Other", slug="other", by=team_admin)


def test_team_delete_refuses_a_wrongly_typed_name_and_deletes_nothing(team, team_admin, storyboard):
    for typed in ("", "dispatch", "Dispatc", "Goods in"):
        with pytest.raises(ValidationError) as refused:
            team_delete(team=team, confirm=typed, by=team_admin)
        assert "Type the team's name, Dispatch" in refused.value.message_dict["confirm"][0]
    assert Storyboard.objects.filter(pk=storyboard.pk).exists()


def test_team_delete_removes_the_team_and_everything_in_it_only(
    team, team_admin, storyboard, target, outsider
):
    from coaching.models import Session
    from coaching.services.cycles import cycle_start

    cycle_start(storyboard=storyboard, coach=storyboard.coach)
    other = outsider.memberships.get().team
    team_delete(team=team, confirm=" Dispatch ", by=team_admin)
    assert not Team.objects.filter(pk=team.pk).exists()
    assert not Storyboard.objects.filter(team_id=team.pk).exists()
    assert not Challenge.objects.filter(team_id=team.pk).exists()
    assert not Membership.objects.filter(team_id=team.pk).exists()
    assert not Session.objects.filter(storyboard_id=storyboard.pk).exists()
    assert User.objects.filter(pk=team_admin.pk).exists()  # accounts stay
    assert Team.objects.filter(pk=other.pk).exists()
    assert access.role_in(team_admin, team.pk) is None


# The permission table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    method: str = "get"
    data: Callable[[], dict] | None = None
    team: bool = True  # the URL names the team

    def url(self) -> str:
        return reverse(f"boards:{self.name}", kwargs={"slug": "dispatch"} if self.team else None)


CASES = [
    Case("team_settings"),
    Case("team_settings", "post", lambda: {"name": "Dispatch east", "slug": "dispatch"}),
    Case("team_archive", "post", dict),
    Case("team_restore", "post", dict),
    Case("team_delete"),
    Case("team_delete", "post", lambda: {"confirm": "Dispatch"}),
]
# For any signed-in user (or staff), not for a team: their own table below.
USER_CASES = [
    Case("team_new", team=False),
    Case("team_new", "post", lambda: {"name": "Returns", "slug": "returns"}, team=False),
    Case("team_slug", team=False),
    Case("teams_all", team=False),
]
IDS = [f"{case.name}-{case.method}" for case in CASES]
TEAMS_URLS = {"team_new", "team_slug", "team_settings", "team_archive", "team_restore"} | {
    "team_delete",
    "teams_all",
}


def _call(client, case: Case, **extra):
    if case.method == "post":
        return client.post(case.url(), case.data() if case.data else {}, **extra)
    return client.get(case.url(), **extra)


def test_every_team_url_is_in_the_permission_table():
    names = {p.name for p in boards.urls.urlpatterns}
    assert names >= TEAMS_URLS
    assert {case.name for case in CASES + USER_CASES} == TEAMS_URLS


@pytest.mark.parametrize("case", CASES + USER_CASES, ids=lambda c: f"{c.name}-{c.method}")
def test_anonymous_people_are_sent_to_sign_in(client, people, case):
    response = _call(client, case)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_outsiders_see_no_such_team(client_for, people, case):
    assert _call(client_for(people["outsider"]), case).status_code == 404
    assert _team().name == "Dispatch"


@pytest.mark.parametrize("role", ["member", "coach", "manager", "viewer"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_members_other_than_administrators_get_403(client_for, people, case, role):
    response = _call(client_for(people[role]), case)
    assert response.status_code == 403
    assert b"Only a team administrator can do this." in response.content
    team = _team()
    assert (team.name, team.is_archived) == ("Dispatch", False)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_administrators_may_do_everything(client_for, people, case):
    if case.name == "team_restore":
        Team.objects.filter(slug="dispatch").update(archived_at="2026-01-01T00:00Z")
    response = _call(client_for(people["admin"]), case)
    assert response.status_code in (200, 303), response.status_code


@pytest.mark.parametrize("role", ["admin", "member", "viewer", "outsider"])
def test_any_signed_in_user_may_create_a_team_by_default(client_for, people, role):
    client = client_for(people[role])
    assert client.get(reverse("boards:team_new")).status_code == 200
    assert client.get(reverse("boards:team_slug"), {"name": "Returns"}).status_code == 200


@pytest.mark.parametrize("role", ["admin", "member", "viewer", "outsider"])
def test_only_staff_reach_the_new_team_page_when_the_setting_says_so(
    client_for, people, staff, settings, role
):
    settings.KATA_TEAM_CREATORS = "staff"
    response = client_for(people[role]).post(reverse("boards:team_new"), {"name": "Returns"})
    assert response.status_code == 403
    assert b"Only site staff can create teams" in response.content
    assert client_for(people[role]).get(reverse("boards:team_slug")).status_code == 403
    assert client_for(staff).get(reverse("boards:team_new")).status_code == 200


# Creating a team: the pages ---------------------------------------------------------------------


def test_a_new_team_is_created_and_its_creator_lands_on_its_page_as_administrator(client_for):
    ana = UserFactory()
    client = client_for(ana)
    response = client.post(
        reverse("boards:team_new"), {"name": "Goods in", "slug": "goods-in", "slug_auto": ""}
    )
    assert response.status_code == 303
    assert response["Location"] == "/teams/goods-in/"
    team = Team.objects.get(slug="goods-in")
    assert Membership.objects.get(team=team).user == ana
    page = client.get(response["Location"]).content.decode()
    assert "you are its team administrator" in page
    assert "Invite people" in page
    assert reverse("boards:team_settings", args=["goods-in"]) in page


def test_without_javascript_the_address_is_shown_to_check_before_saving(client_for, team):
    client = client_for(UserFactory())
    response = client.post(reverse("boards:team_new"), {"name": "Dispatch", "slug": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="dispatch-2"' in html
    assert "Check the team's address" in html
    assert Team.objects.count() == 1
    done = client.post(reverse("boards:team_new"), {"name": "Dispatch", "slug": "dispatch-2"})
    assert done["Location"] == "/teams/dispatch-2/"


def test_a_taken_address_is_refused_with_a_free_one_named(client_for, team):
    response = client_for(UserFactory()).post(
        reverse("boards:team_new"), {"name": "Dispatch", "slug": "dispatch"}
    )
    assert response.status_code == 422
    assert "dispatch-2 is free" in response.content.decode()
    assert Team.objects.count() == 1


def test_a_blank_name_is_refused(client_for, db):
    response = client_for(UserFactory()).post(reverse("boards:team_new"), {"name": " "})
    assert response.status_code == 422
    assert "Give the team a name." in response.content.decode()


def test_the_address_field_proposes_one_from_the_name_as_it_is_typed(client_for, team):
    client = client_for(UserFactory())
    url = reverse("boards:team_slug")
    response = client.get(
        url, {"name": "Dispatch", "slug": "", "slug_auto": ""}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.startswith('<div id="slug-field">')
    assert "<html" not in html
    assert 'value="dispatch-2"' in html
    # Typed over: kept; still the proposal: follows the name.
    kept = client.get(url, {"name": "Other", "slug": "mine", "slug_auto": "dispatch-2"})
    assert 'value="mine"' in kept.content.decode()
    follows = client.get(url, {"name": "Goods", "slug": "dispatch-2", "slug_auto": "dispatch-2"})
    assert 'value="goods"' in follows.content.decode()


def test_the_new_team_form_asks_for_the_proposal_while_the_name_is_typed(client_for, db):
    html = client_for(UserFactory()).get(reverse("boards:team_new")).content.decode()
    assert f'hx-get="{reverse("boards:team_slug")}"' in html
    assert '<label for="id_name">Team name' in html
    assert '<label for="id_slug">Address' in html
    assert html.count("<h1") == 1


# Settings, archive, restore, delete: the pages ----------------------------------------------------


def test_an_administrator_renames_the_team_and_its_address(client_for, team_admin):
    client = client_for(team_admin)
    response = client.post(
        reverse("boards:team_settings", args=["dispatch"]),
        {"name": "Dispatch east", "slug": "dispatch-east"},
    )
    assert response.status_code == 303
    assert response["Location"] == "/teams/dispatch-east/settings"
    assert client.get("/teams/dispatch/").status_code == 404
    assert client.get("/teams/dispatch-east/").status_code == 200


def test_a_renamed_team_shows_its_new_name_on_its_boards_at_once(
    client_for, team, team_admin, learner, storyboard
):
    client = client_for(learner)
    assert "Dispatch" in client.get(storyboard.get_absolute_url()).content.decode()  # cached
    team_rename(team=team, name="Returns desk", slug="returns", by=team_admin)
    html = client.get(storyboard.get_absolute_url()).content.decode()
    assert 'href="/teams/returns/"' in html
    assert "Returns desk" in html
    assert 'href="/teams/dispatch/"' not in html


def test_a_rename_to_a_taken_address_comes_back_with_the_error(client_for, team_admin, outsider):
    response = client_for(team_admin).post(
        reverse("boards:team_settings", args=["dispatch"]), {"name": "X", "slug": "goods-in"}
    )
    assert response.status_code == 422
    assert "Another team already uses the address goods-in" in response.content.decode()
    assert _team().name == "Dispatch"


def test_archiving_from_the_settings_and_restoring_from_the_team_page(
    client_for, team_admin, learner
):
    admin = client_for(team_admin)
    response = admin.post(reverse("boards:team_archive", args=["dispatch"]))
    assert response.status_code == 303
    assert _team().is_archived
    page = admin.get("/teams/dispatch/").content.decode()
    assert "This team is archived" in page
    assert reverse("boards:team_restore", args=["dispatch"]) in page
    member_page = client_for(learner).get("/teams/dispatch/").content.decode()
    assert "A team administrator can restore it." in member_page
    assert reverse("boards:team_restore", args=["dispatch"]) not in member_page
    admin.post(reverse("boards:team_restore", args=["dispatch"]))
    assert not _team().is_archived


def test_archiving_an_archived_team_says_so(client_for, team_admin):
    Team.objects.filter(slug="dispatch").update(archived_at="2026-01-01T00:00Z")
    client = client_for(team_admin)
    response = client.post(reverse("boards:team_archive", args=["dispatch"]), follow=True)
    assert "This team is already archived." in response.content.decode()


def test_an_archived_teams_settings_offer_restore_and_delete_not_rename(client_for, team_admin):
    Team.objects.filter(slug="dispatch").update(archived_at="2026-01-01T00:00Z")
    client = client_for(team_admin)
    html = client.get(reverse("boards:team_settings", args=["dispatch"])).content.decode()
    assert "Restore Dispatch" in html
    assert reverse("boards:team_delete", args=["dispatch"]) in html
    assert 'name="slug"' not in html
    refused = client.post(
        reverse("boards:team_settings", args=["dispatch"]), {"name": "X", "slug": "x"}
    )
    assert refused.status_code == 403
    assert b"This team is archived" in refused.content


def test_the_delete_page_offers_the_export_before_the_typed_confirmation(
    client_for, team_admin, storyboard
):
    html = client_for(team_admin).get(reverse("boards:team_delete", args=["dispatch"]))
    html = html.content.decode()
    export = html.index(reverse("boards:team_export", args=["dispatch"]))
    assert export < html.index('name="confirm"')
    assert "1 storyboard, with everything on it" in html
    assert '<label for="id_confirm">Type Dispatch to confirm' in html


def test_deleting_with_a_wrongly_typed_name_is_refused(client_for, team_admin, storyboard):
    response = client_for(team_admin).post(
        reverse("boards:team_delete", args=["dispatch"]), {"confirm": "dispatch"}
    )
    assert response.status_code == 422
    assert "Type the team&#x27;s name, Dispatch, exactly" in response.content.decode()
    assert Team.objects.filter(slug="dispatch").exists()


def test_deleting_with_the_name_typed_takes_the_administrator_home(client_for, team_admin):
    client = client_for(team_admin)
    response = client.post(
        reverse("boards:team_delete", args=["dispatch"]), {"confirm": "Dispatch"}
    )
    assert response.status_code == 303
    assert response["Location"] == reverse("home")
    assert "Dispatch and everything in it are deleted." in client.get("/").content.decode()
    assert not Team.objects.filter(slug="dispatch").exists()


# The home page ----------------------------------------------------------------------------------


def test_home_offers_a_new_team_when_allowed(client_for, learner, settings):
    assert "New team" in client_for(learner).get("/").content.decode()
    settings.KATA_TEAM_CREATORS = "staff"
    assert "New team" not in client_for(learner).get("/").content.decode()


def test_an_empty_home_says_to_ask_for_an_invitation_or_create_a_team(client_for, settings):
    user = UserFactory(email="new@example.com")
    html = client_for(user).get("/").content.decode()
    assert "You are not in any team yet." in html
    assert "ask one of its team administrators to invite you" in html
    assert "new@example.com" in html
    assert "Create a team" in html
    settings.KATA_TEAM_CREATORS = "staff"
    html = client_for(user).get("/").content.decode()
    assert "ask one of its team administrators to invite you" in html
    assert "Create a team" not in html


def test_an_archived_team_leaves_my_teams_for_the_archived_list(
    client_for, team_admin, learner, storyboard
):
    team_archive(team=_team(), by=team_admin)
    html = client_for(learner).get("/").content.decode()
    mine, archived = html.split('id="archived-teams-h"')
    assert "Dispatch" not in mine
    assert "None of your teams is active: the archived ones are below." in mine
    assert "Order picking" not in html
    assert "Dispatch" in archived
    assert reverse("boards:team_restore", args=["dispatch"]) not in archived  # a member
    admin_html = client_for(team_admin).get("/").content.decode()
    assert reverse("boards:team_restore", args=["dispatch"]) in admin_html


# All teams, for staff ---------------------------------------------------------------------------


def test_staff_see_every_team_with_its_size_and_administrators(
    client_for, staff, people, storyboard
):
    MembershipFactory(user=staff, team=people["outsider"].memberships.get().team)
    html = client_for(staff).get(reverse("boards:teams_all")).content.decode()
    row = html[html.index("Dispatch") :]
    row = row[: row.index("</tr>")]
    assert '<td data-label="Members">5</td>' in row  # admin, learner, coach, manager, viewer
    assert '<td data-label="Storyboards">1</td>' in row
    assert "ada@example.com" in row
    # A link only to the team the staff member belongs to: the list opens no door.
    assert 'href="/teams/dispatch/"' not in html
    assert 'href="/teams/goods-in/"' in html


def test_the_all_teams_page_is_for_staff_only(client_for, people):
    for role in ("admin", "member", "outsider"):
        response = client_for(people[role]).get(reverse("boards:teams_all"))
        assert response.status_code == 403
        assert b"Only site staff see every team." in response.content


def test_home_links_staff_to_all_teams(client_for, staff, learner):
    link = f'href="{reverse("boards:teams_all")}"'
    assert link in client_for(staff).get("/").content.decode()
    assert link not in client_for(learner).get("/").content.decode()


def test_the_all_teams_query_count_does_not_grow_with_teams(
    client_for, staff, django_assert_max_num_queries
):
    for _ in range(3):
        team = TeamFactory()
        MembershipFactory(team=team, role=Role.ADMIN)
    client = client_for(staff)
    with django_assert_max_num_queries(6):
        client.get(reverse("boards:teams_all"))
    for _ in range(20):
        team = TeamFactory()
        MembershipFactory(team=team, role=Role.ADMIN)
        MembershipFactory(team=team)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("boards:teams_all"))
    assert response.content.decode().count("<tr>") == 24  # the header and 23 teams


# From an empty database (README "Your own installation") -----------------------------------------


def test_from_an_empty_database_to_a_team_with_a_second_person(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    """createsuperuser, sign in, create the team, invite someone who joins."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "mauve-tractor-41-lantern")
    call_command("createsuperuser", interactive=False, username="root", email="root@example.com")
    assert (
        client.post(
            "/login/", {"username": "root", "password": "mauve-tractor-41-lantern"}
        ).status_code
        == 302
    )
    assert "Create a team" in client.get("/").content.decode()
    response = client.post("/teams/new", {"name": "Отдел доставки"})
    assert 'value="team"' in response.content.decode()  # the address, shown to check
    response = client.post("/teams/new", {"name": "Отдел доставки", "slug": "dostavka"})
    assert response["Location"] == "/teams/dostavka/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("boards:invitation_new", args=["dostavka"]),
            {"email": "lena@example.com", "role": Role.MEMBER},
        )
    assert response.status_code == 303
    link = re.search(r"https?://[^\s\"<]+/invitations/[A-Za-z0-9_-]+/", mail.outbox[-1].body)
    assert link
    newcomer = Client()
    path = urlsplit(link.group(0)).path
    response = newcomer.post(
        path,
        {
            "first_name": "Lena",
            "last_name": "Park",
            "username": "lena",
            "password1": "mauve-tractor-41-lantern",
            "password2": "mauve-tractor-41-lantern",
        },
    )
    assert response["Location"] == "/teams/dostavka/"
    team = Team.objects.get(slug="dostavka")
    assert sorted(team.memberships.values_list("user__username", "role")) == [
        ("lena", Role.MEMBER),
        ("root", Role.ADMIN),
    ]
