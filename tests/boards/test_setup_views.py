"""Setting up a team's work in the browser: the team page's empty states, challenges, new
storyboards, the board's heading and people, archiving, restoring and deleting.

Every URL of this area is in ``CASES``; ``test_every_setup_url_is_in_the_permission_table``
fails when one is added without an entry. The board's head edits (heading, hand-over) are also
in the board's own table (test_board_views.py), which checks them as sections of the board.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import boards.urls
from boards import access
from boards.models import Challenge, Membership, Role, Storyboard, User
from boards.services.obstacles import obstacle_add
from boards.services.storyboards import (
    challenge_create,
    challenge_retire,
    challenge_update,
    storyboard_archive,
    storyboard_create,
    storyboard_update,
)
from coaching.services.cycles import cycle_start
from tests.boards.test_pages import queries_for
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _later(days: int = 365) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


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


# The permission table ----------------------------------------------------------------------------

TEAM = "team"  # team members read; outsiders 404 (the help page: anyone signed in)
WRITE = "write"  # roles that change boards; managers and viewers 403; outsiders 404
ADMIN = "admin"  # team administrators only


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    kwargs: Callable[[Storyboard], dict]
    kind: str
    method: str = "get"
    data: Callable[[Storyboard], dict] | None = None
    # Where a successful write goes, and how to see it was done.
    goes_to: Callable[[Storyboard], str] | None = None
    done: Callable[[Storyboard], bool] | None = None
    prepare: Callable[[Storyboard], None] | None = None

    def url(self, sb: Storyboard) -> str:
        return reverse(f"boards:{self.name}", kwargs=self.kwargs(sb))


def on_team(sb: Storyboard) -> dict:
    return {"slug": sb.team.slug}


def on_challenge(sb: Storyboard) -> dict:
    return {"slug": sb.team.slug, "challenge_pk": sb.challenge_id}


def on_board(sb: Storyboard) -> dict:
    return {"pk": sb.pk}


def nothing(sb: Storyboard) -> dict:
    return {}


def _fresh(sb: Storyboard) -> Storyboard | None:
    return Storyboard.objects.filter(pk=sb.pk).first()


def _team_page(anchor: str) -> Callable[[Storyboard], str]:
    return lambda sb: f"{sb.team.get_absolute_url()}#{anchor}"


def _archive(sb: Storyboard) -> None:
    storyboard_archive(storyboard=Storyboard.objects.get(pk=sb.pk), by=None)


def _archive_and_retire(sb: Storyboard) -> None:
    _archive(sb)
    challenge_retire(challenge=sb.challenge)


def _second_challenge(sb: Storyboard) -> Challenge:
    return Challenge.objects.get(team=sb.team, title="Zero defects")


CASES = [
    Case("challenge_help", "challenge_help", nothing, TEAM),
    Case("challenge_new-get", "challenge_new", on_team, WRITE),
    Case(
        "challenge_new",
        "challenge_new",
        on_team,
        WRITE,
        method="post",
        data=lambda sb: {"title": "Zero defects", "horizon": _later()},
        goes_to=lambda sb: _team_page(f"challenge-{_second_challenge(sb).pk}")(sb),
        done=lambda sb: Challenge.objects.filter(team=sb.team, title="Zero defects").exists(),
    ),
    Case("challenge_edit-get", "challenge_edit", on_challenge, WRITE),
    Case(
        "challenge_edit",
        "challenge_edit",
        on_challenge,
        WRITE,
        method="post",
        data=lambda sb: {"version": 1, "title": "Same day, every order", "horizon": _later()},
        goes_to=lambda sb: _team_page(f"challenge-{sb.challenge_id}")(sb),
        done=lambda sb: Challenge.objects.get(pk=sb.challenge_id).title == "Same day, every order",
    ),
    Case(
        "challenge_retire",
        "challenge_retire",
        on_challenge,
        WRITE,
        method="post",
        data=lambda sb: {},
        prepare=_archive,
        goes_to=lambda sb: _team_page(f"challenge-{sb.challenge_id}")(sb),
        done=lambda sb: Challenge.objects.get(pk=sb.challenge_id).is_retired,
    ),
    Case(
        "challenge_restore",
        "challenge_restore",
        on_challenge,
        WRITE,
        method="post",
        data=lambda sb: {},
        prepare=_archive_and_retire,
        goes_to=lambda sb: _team_page(f"challenge-{sb.challenge_id}")(sb),
        done=lambda sb: not Challenge.objects.get(pk=sb.challenge_id).is_retired,
    ),
    Case("storyboard_new-get", "storyboard_new", on_team, WRITE),
    Case(
        "storyboard_new",
        "storyboard_new",
        on_team,
        WRITE,
        method="post",
        data=lambda sb: {
            "focus_process": "Returns",
            "challenge": sb.challenge_id,
            "learner": sb.learner_id,
            "coach": "",
        },
        goes_to=lambda sb: Storyboard.objects.get(focus_process="Returns").get_absolute_url(),
        done=lambda sb: Storyboard.objects.filter(focus_process="Returns").exists(),
    ),
    Case("storyboard_archive-get", "storyboard_archive", on_board, WRITE),
    Case(
        "storyboard_archive",
        "storyboard_archive",
        on_board,
        WRITE,
        method="post",
        data=lambda sb: {},
        goes_to=_team_page("archived"),
        done=lambda sb: not _fresh(sb).is_active,
    ),
    Case(
        "storyboard_restore",
        "storyboard_restore",
        on_board,
        WRITE,
        method="post",
        data=lambda sb: {},
        prepare=_archive,
        goes_to=lambda sb: sb.get_absolute_url(),
        done=lambda sb: _fresh(sb).is_active,
    ),
    Case("storyboard_delete-get", "storyboard_delete", on_board, ADMIN),
    Case(
        "storyboard_delete",
        "storyboard_delete",
        on_board,
        ADMIN,
        method="post",
        data=lambda sb: {},
        goes_to=lambda sb: sb.team.get_absolute_url(),
        done=lambda sb: _fresh(sb) is None,
    ),
]
SETUP_URLS = {case.name for case in CASES}
WRITES = [pytest.param(case, id=case.id) for case in CASES if case.method == "post"]
ALL = [pytest.param(case, id=case.id) for case in CASES]


def test_every_setup_url_is_in_the_permission_table():
    board_head = {"storyboard_edit", "storyboard_hand_over"}  # in test_board_views.py
    setup = {
        p.name
        for p in boards.urls.urlpatterns
        if p.name and (p.name.startswith("challenge_") or p.name.startswith("storyboard_"))
    }
    assert setup - board_head == SETUP_URLS


def _send(client: Client, case: Case, sb: Storyboard, **headers):
    if case.prepare is not None:
        case.prepare(sb)
    url = case.url(sb)
    if case.method == "post":
        return client.post(url, case.data(sb) if case.data else {}, headers=headers)
    return client.get(url, headers=headers)


def _revision(sb: Storyboard) -> int | None:
    return Storyboard.objects.filter(pk=sb.pk).values_list("revision", flat=True).first()


@pytest.mark.parametrize("case", ALL)
def test_anonymous_visitors_are_sent_to_sign_in(client, storyboard, case):
    response = _send(client, case, storyboard)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("case", [c for c in ALL if c.values[0].kind != TEAM])
def test_outsiders_get_404_and_change_nothing(client_for, outsider, storyboard, case):
    response = _send(client_for(outsider), case, storyboard)
    assert response.status_code == 404
    if case.done is not None:
        assert not case.done(storyboard)


@pytest.mark.parametrize("role", ["viewer", "manager"])
@pytest.mark.parametrize("case", ALL)
def test_read_only_roles_get_403_and_change_nothing(request, client_for, storyboard, case, role):
    before = _revision(storyboard)
    response = _send(client_for(request.getfixturevalue(role)), case, storyboard)
    if case.kind == TEAM:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        if case.done is not None:
            assert not case.done(storyboard)
    if case.prepare is None:
        assert _revision(storyboard) == before


@pytest.mark.parametrize("case", ALL)
def test_members_set_up_the_teams_work_but_do_not_delete_boards(
    client_for, learner, storyboard, case
):
    response = _send(client_for(learner), case, storyboard)
    if case.kind == ADMIN:
        assert response.status_code == 403
        assert _fresh(storyboard) is not None
    elif case.method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 303
        assert response.url == case.goes_to(storyboard)
        assert case.done(storyboard)


@pytest.mark.parametrize("case", WRITES)
def test_team_administrators_do_everything(client_for, team_admin, storyboard, case):
    response = _send(client_for(team_admin), case, storyboard)
    assert response.status_code == 303
    assert response.url == case.goes_to(storyboard)
    assert case.done(storyboard)


def test_a_challenge_of_another_team_under_this_teams_address_is_404(
    client_for, learner, storyboard
):
    foreign = challenge_create(team=TeamFactory(), title="Elsewhere", horizon=timezone.localdate())
    url = reverse("boards:challenge_edit", args=[storyboard.team.slug, foreign.pk])
    assert client_for(learner).get(url).status_code == 404


# Access ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may"),
    [("admin", True), ("member", True), ("coach", True), ("manager", False), ("viewer", False)],
)
def test_the_roles_that_change_boards_set_up_the_teams_work(people, team, role, may):
    assert access.may_edit_team(people[role], team) is may
    assert access.may_edit_team(people["outsider"], team) is False


def test_nobody_changes_an_archived_board(storyboard, learner, team_admin):
    storyboard_archive(storyboard=storyboard, by=learner)
    assert not access.can_edit(team_admin, storyboard)
    assert access.may_edit_team(team_admin, storyboard.team)  # ...but may restore it


# The team page ---------------------------------------------------------------------------------


def _html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _team_url(team) -> str:
    return reverse("boards:team", args=[team.slug])


def test_an_empty_team_offers_to_add_its_challenge_first(client_for, team, team_admin):
    html = _html(client_for(team_admin).get(_team_url(team)))
    assert "No challenge yet" in html
    assert f'href="{reverse("boards:challenge_new", args=[team.slug])}">Add a challenge' in html
    assert reverse("boards:challenge_help") in html
    assert "add the team's challenge above first" in html
    assert reverse("boards:storyboard_new", args=[team.slug]) not in html


def test_a_team_with_a_challenge_offers_its_first_storyboard(client_for, team, learner):
    challenge = challenge_create(team=team, title="Zero defects", horizon=timezone.localdate())
    html = _html(client_for(learner).get(_team_url(team)))
    new = reverse("boards:storyboard_new", args=[team.slug])
    assert "No storyboards yet: who learns first" in html
    assert f'href="{new}">New storyboard</a>' in html
    assert f"{new}?challenge={challenge.pk}" in html


def test_read_only_roles_see_the_empty_states_without_the_buttons(client_for, team, viewer):
    html = _html(client_for(viewer).get(_team_url(team)))
    assert "No challenge yet" in html
    assert "A team administrator, coach or member can add it." in html
    assert reverse("boards:challenge_new", args=[team.slug]) not in html


def test_archived_boards_and_retired_challenges_leave_the_lists_but_stay_readable(
    client_for, storyboard, team, learner, coach
):
    storyboard_archive(storyboard=storyboard, by=coach)
    challenge_retire(challenge=storyboard.challenge)
    html = _html(client_for(learner).get(_team_url(team)))

    current, archived = html.split('id="archived"')
    assert "No challenge yet" in current  # the only challenge is retired
    assert "Retired challenges" in current
    assert reverse("boards:challenge_restore", args=[team.slug, storyboard.challenge_id]) in html
    assert storyboard.get_absolute_url() in archived
    assert "Its challenge is retired: restore that first." in archived
    assert _html(client_for(learner).get(storyboard.get_absolute_url()))


def test_the_team_page_query_count_does_not_grow_with_archived_or_retired(
    client_for, storyboard, team, learner, coach
):
    client = client_for(learner)
    url = _team_url(team)
    retired = challenge_create(team=team, title="Old", horizon=timezone.localdate())
    first = _make_archived(team, retired, learner, coach, "Old 0")
    challenge_retire(challenge=retired)
    small = queries_for(client, url)
    for i in range(1, 6):
        other = challenge_create(team=team, title=f"Old {i}", horizon=timezone.localdate())
        _make_archived(team, other, learner, coach, f"Old {i}")
        challenge_retire(challenge=other)
    assert queries_for(client, url) == small
    assert first.challenge.title == "Old"


def _make_archived(team, challenge, learner, coach, focus):
    sb = storyboard_create(
        team=team, challenge=challenge, focus_process=focus, learner=learner, by=coach
    )
    storyboard_archive(storyboard=sb, by=coach)
    return sb


# Challenges ------------------------------------------------------------------------------------


def test_the_challenge_form_explains_what_makes_a_challenge(client_for, team, learner):
    html = _html(client_for(learner).get(reverse("boards:challenge_new", args=[team.slug])))
    assert "measurable, beyond what it knows how to do today" in html
    assert "a state to reach, not a solution" in html
    assert f'href="{reverse("boards:challenge_help")}">What makes a good challenge' in html
    assert 'type="date"' in html


def test_the_help_page_says_what_makes_a_good_challenge(client_for, learner):
    html = _html(client_for(learner).get(reverse("boards:challenge_help")))
    assert html.count("<h1") == 1
    assert "A state, not a solution." in html


def test_a_challenge_in_the_past_is_refused_with_a_reason(client_for, team, learner):
    url = reverse("boards:challenge_new", args=[team.slug])
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client_for(learner).post(url, {"title": "Zero defects", "horizon": past})
    assert response.status_code == 422
    assert "The date cannot be in the past." in response.content.decode()
    assert not Challenge.objects.exists()


def test_an_edited_challenge_may_keep_a_date_that_has_passed(client_for, team, learner):
    past = timezone.localdate() - timedelta(days=30)
    challenge = Challenge.objects.create(team=team, title="Old", horizon=past)
    url = reverse("boards:challenge_edit", args=[team.slug, challenge.pk])
    data = {"version": 1, "title": "Old, reworded", "horizon": past.isoformat()}
    response = client_for(learner).post(url, data)
    assert response.status_code == 303
    assert Challenge.objects.get(pk=challenge.pk).title == "Old, reworded"


def test_a_stale_challenge_edit_shows_both_versions(client_for, storyboard, learner, coach):
    challenge = storyboard.challenge
    challenge_update(
        challenge=challenge,
        version=1,
        title="Carl's wording",
        horizon=challenge.horizon,
        description="",
        by=coach,
    )
    url = reverse("boards:challenge_edit", args=[storyboard.team.slug, challenge.pk])
    data = {"version": 1, "title": "Lena's wording", "horizon": _later()}
    response = client_for(learner).post(url, data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Carl Moss saved a change while you were editing." in html
    assert "Lena&#x27;s wording" in html and "Carl&#x27;s wording" in html
    assert 'name="version" value="2"' in html


def test_retiring_a_challenge_in_use_says_why_not(client_for, storyboard, learner):
    url = reverse("boards:challenge_retire", args=[storyboard.team.slug, storyboard.challenge_id])
    client = client_for(learner)
    response = client.post(url, follow=True)
    html = response.content.decode()
    assert "still has 1 storyboard in use (Order picking)" in html
    assert not Challenge.objects.get(pk=storyboard.challenge_id).is_retired


def test_a_retired_challenge_is_not_edited(client_for, storyboard, learner, coach):
    storyboard_archive(storyboard=storyboard, by=coach)
    challenge_retire(challenge=storyboard.challenge)
    url = reverse("boards:challenge_edit", args=[storyboard.team.slug, storyboard.challenge_id])
    response = client_for(learner).get(url, follow=True)
    assert "A retired challenge stays as it was" in response.content.decode()


# New storyboards -------------------------------------------------------------------------------


def test_a_new_storyboard_started_from_a_challenge_has_it_chosen(
    client_for, storyboard, team, learner
):
    other = challenge_create(team=team, title="Zero defects", horizon=timezone.localdate())
    url = reverse("boards:storyboard_new", args=[team.slug]) + f"?challenge={other.pk}"
    html = _html(client_for(learner).get(url))
    assert re.search(rf'<option value="{other.pk}" selected>Zero defects</option>', html)
    assert html.count("<h1") == 1


def test_the_new_storyboard_form_offers_only_people_who_may_learn_and_coach(
    client_for, storyboard, team, learner, viewer, manager
):
    html = _html(client_for(learner).get(reverse("boards:storyboard_new", args=[team.slug])))
    assert "Lena Park" in html and "Carl Moss" in html
    assert "Vic Hale" not in html and "Maria Stone" not in html


def test_retired_challenges_are_not_offered(client_for, storyboard, team, learner):
    old = challenge_create(team=team, title="Old direction", horizon=timezone.localdate())
    challenge_retire(challenge=old)
    html = _html(client_for(learner).get(reverse("boards:storyboard_new", args=[team.slug])))
    assert "Old direction" not in html


def test_without_a_challenge_the_new_storyboard_page_asks_for_one(client_for, team, learner):
    html = _html(client_for(learner).get(reverse("boards:storyboard_new", args=[team.slug])))
    assert "has none yet" in html
    assert reverse("boards:challenge_new", args=[team.slug]) in html
    assert '<form method="post" class="card' not in html


def test_a_new_storyboard_goes_straight_onto_the_board(client_for, storyboard, team, learner):
    data = {
        "focus_process": "Returns",
        "challenge": storyboard.challenge_id,
        "learner": learner.pk,
        "coach": "",
    }
    response = client_for(learner).post(
        reverse("boards:storyboard_new", args=[team.slug]), data, follow=True
    )
    sb = Storyboard.objects.get(focus_process="Returns")
    assert response.redirect_chain == [(sb.get_absolute_url(), 303)]
    assert "Storyboard started for Returns." in response.content.decode()
    assert (sb.learner, sb.coach) == (learner, None)


def test_a_new_storyboard_without_a_learner_is_refused_in_place(
    client_for, storyboard, team, learner
):
    data = {"focus_process": "Returns", "challenge": storyboard.challenge_id, "learner": ""}
    response = client_for(learner).post(reverse("boards:storyboard_new", args=[team.slug]), data)
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not Storyboard.objects.filter(focus_process="Returns").exists()


# The board's head ------------------------------------------------------------------------------


def test_the_head_offers_its_edits_to_members_and_deleting_to_administrators(
    client_for, storyboard, learner, team_admin, viewer
):
    edit = reverse("boards:storyboard_edit", args=[storyboard.pk])
    hand_over = reverse("boards:storyboard_hand_over", args=[storyboard.pk])
    archive = reverse("boards:storyboard_archive", args=[storyboard.pk])
    delete = reverse("boards:storyboard_delete", args=[storyboard.pk])
    member = _html(client_for(learner).get(storyboard.get_absolute_url()))
    admin = _html(client_for(team_admin).get(storyboard.get_absolute_url()))
    reader = _html(client_for(viewer).get(storyboard.get_absolute_url()))
    assert all(url in member for url in (edit, hand_over, archive)) and delete not in member
    assert all(url in admin for url in (edit, hand_over, archive, delete))
    assert not any(url in reader for url in (edit, hand_over, archive, delete))


def test_editing_the_heading_in_place_answers_with_the_head(client_for, storyboard, learner):
    url = reverse("boards:storyboard_edit", args=[storyboard.pk])
    client = client_for(learner)
    form = client.get(url, headers=HX)
    assert form.status_code == 200 and b"<html" not in form.content
    assert b'name="focus_process"' in form.content

    data = {"version": 1, "focus_process": "Picking, zone A", "challenge": storyboard.challenge_id}
    response = client.post(url, data, headers=HX)

    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#head"
    assert b"<html" not in response.content
    assert b"Picking, zone A" in response.content


def test_a_stale_heading_edit_shows_both_versions(client_for, storyboard, learner, coach):
    storyboard_update(
        storyboard=storyboard,
        version=1,
        focus_process="Carl's process",
        challenge=storyboard.challenge,
        by=coach,
    )
    url = reverse("boards:storyboard_edit", args=[storyboard.pk])
    data = {"version": 1, "focus_process": "Lena's process", "challenge": storyboard.challenge_id}
    response = client_for(learner).post(url, data, headers=HX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Carl Moss saved a change while you were editing." in html
    assert "Carl&#x27;s process" in html


def test_the_hand_over_form_says_schedules_stay_as_they_are(client_for, storyboard, learner):
    url = reverse("boards:storyboard_hand_over", args=[storyboard.pk])
    html = _html(client_for(learner).get(url))
    assert "Coaching sessions already scheduled keep their coach and learner" in html
    assert reverse("coaching:storyboard", args=[storyboard.pk]) in html
    assert "<h1" in html  # without JS, a page of its own


def test_handing_over_is_in_the_activity_feed(client_for, storyboard, learner, team_admin):
    url = reverse("boards:storyboard_hand_over", args=[storyboard.pk])
    data = {"version": 1, "learner": learner.pk, "coach": team_admin.pk}
    client = client_for(learner)
    assert client.post(url, data).status_code == 302
    html = _html(client.get(reverse("boards:activity", args=[storyboard.pk])))
    assert "Handed the storyboard over: coach Carl Moss → Ada Lund" in html


def test_handing_over_to_the_same_people_is_refused_in_place(client_for, storyboard, learner):
    url = reverse("boards:storyboard_hand_over", args=[storyboard.pk])
    data = {"version": 1, "learner": learner.pk, "coach": storyboard.coach_id}
    response = client_for(learner).post(url, data, headers=HX)
    assert response.status_code == 422
    assert b"learner and coach already" in response.content


# Archived boards -------------------------------------------------------------------------------


def test_the_archive_page_asks_first_and_says_what_happens(client_for, storyboard, learner):
    url = reverse("boards:storyboard_archive", args=[storyboard.pk])
    html = _html(client_for(learner).get(url))
    assert "Archive the storyboard for Order picking?" in html
    assert "can be read but not changed" in html
    assert Storyboard.objects.get(pk=storyboard.pk).is_active


def test_an_archived_board_is_read_only_and_offers_restoring(
    client_for, storyboard, target, learner, viewer
):
    storyboard_archive(storyboard=storyboard, by=learner)
    member = _html(client_for(learner).get(storyboard.get_absolute_url()))
    assert "Archived: this storyboard can be read, not changed." in member
    assert reverse("boards:storyboard_restore", args=[storyboard.pk]) in member
    for edit in ("storyboard_edit", "storyboard_hand_over", "obstacle_new", "actual_new"):
        assert reverse(f"boards:{edit}", args=[storyboard.pk]) not in member
    reader = _html(client_for(viewer).get(storyboard.get_absolute_url()))
    assert reverse("boards:storyboard_restore", args=[storyboard.pk]) not in reader


@pytest.mark.parametrize("name", ["obstacle_new", "actual_new", "storyboard_edit", "target_new"])
def test_writing_to_an_archived_board_is_403(client_for, storyboard, target, learner, name):
    storyboard_archive(storyboard=storyboard, by=learner)
    response = client_for(learner).post(reverse(f"boards:{name}", args=[storyboard.pk]), {})
    assert response.status_code == 403


def test_writing_to_anything_on_an_archived_board_is_403(client_for, storyboard, target, learner):
    obstacle = obstacle_add(target_condition=target, description="Aisles", by=learner)
    metric = target.metrics.first()
    storyboard_archive(storyboard=storyboard, by=learner)
    client = client_for(learner)
    for name, kwargs in [
        ("target_edit", {"target_pk": target.pk}),
        ("metric_edit", {"metric_pk": metric.pk}),
        ("obstacle_edit", {"obstacle_pk": obstacle.pk}),
    ]:
        url = reverse(f"boards:{name}", kwargs={"pk": storyboard.pk, **kwargs})
        assert client.get(url).status_code == 403, name
        assert client.post(url, {"version": 1}).status_code == 403, name
    # ...while reading it stays open to the team.
    assert client.get(reverse("boards:target", args=[storyboard.pk, target.pk])).status_code == 200


def test_coaching_on_an_archived_board_is_refused(client_for, storyboard, coach):
    storyboard_archive(storyboard=storyboard, by=coach)
    url = reverse("coaching:cycle_start", args=[storyboard.pk])
    assert client_for(coach).post(url).status_code == 403


def test_restoring_under_a_retired_challenge_says_why_not(client_for, storyboard, learner):
    storyboard_archive(storyboard=storyboard, by=learner)
    challenge_retire(challenge=storyboard.challenge)
    url = reverse("boards:storyboard_restore", args=[storyboard.pk])
    response = client_for(learner).post(url, follow=True)
    assert "is retired: restore the challenge first" in response.content.decode()
    assert not Storyboard.objects.get(pk=storyboard.pk).is_active


# Deleting --------------------------------------------------------------------------------------


def test_the_delete_page_says_what_will_be_deleted(
    client_for, storyboard, target, coach, team_admin
):
    cycle_start(storyboard=storyboard, coach=coach)
    url = reverse("boards:storyboard_delete", args=[storyboard.pk])
    html = _html(client_for(team_admin).get(url))
    assert "1 target condition, 0 PDCA steps, 1 coaching cycle" in html
    assert "2 metrics" in html
    assert "entries in the activity log" in html
    assert "This cannot be undone." in html
    assert reverse("boards:storyboard_archive", args=[storyboard.pk]) in html


def test_deleting_goes_back_to_the_team_page_and_says_so(client_for, storyboard, team_admin):
    url = reverse("boards:storyboard_delete", args=[storyboard.pk])
    response = client_for(team_admin).post(url, follow=True)
    assert response.redirect_chain == [(storyboard.team.get_absolute_url(), 303)]
    assert "Deleted the storyboard for Order picking" in response.content.decode()
    assert not Storyboard.objects.filter(pk=storyboard.pk).exists()


def test_an_administrator_deletes_an_archived_board(client_for, storyboard, learner, team_admin):
    storyboard_archive(storyboard=storyboard, by=learner)
    url = reverse("boards:storyboard_delete", args=[storyboard.pk])
    client = client_for(team_admin)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 303
    assert not Storyboard.objects.filter(pk=storyboard.pk).exists()


def test_a_member_demoted_a_moment_ago_cannot_delete(client_for, storyboard, team_admin):
    client = client_for(team_admin)
    Membership.objects.filter(user=team_admin).update(role=Role.MEMBER)
    url = reverse("boards:storyboard_delete", args=[storyboard.pk])
    assert client.post(url).status_code == 403
    assert Storyboard.objects.filter(pk=storyboard.pk).exists()
