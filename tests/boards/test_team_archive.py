"""An archived team is read-only for everyone, its administrators included, and out of the lists.

The rule lives in ``boards.access`` (the getters' write check and ``can_edit``); these tests walk
every board write of the permission table against it. Coaching's writes, reminders and Today are
in tests/coaching/test_archived_team.py.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from boards import access
from boards.access import ARCHIVED_MESSAGE
from boards.models import Obstacle, Team
from boards.services.obstacles import obstacle_add
from boards.services.teams import team_archive, team_restore
from tests.boards.test_board_views import CASES, World, _ready

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
WRITE_REQUESTS = [
    pytest.param(case, method, id=f"{case.id}-{method}")
    for case in CASES
    if case.is_write
    for method in case.methods
]


@pytest.fixture
def world(storyboard, target, coach) -> World:
    return World(storyboard, target, coach)


@pytest.fixture
def archived(team, team_admin) -> Team:
    return team_archive(team=team, by=team_admin)


@pytest.mark.parametrize("who", ["team_admin", "learner", "coach"])
@pytest.mark.parametrize(("case", "method"), WRITE_REQUESTS)
def test_every_board_write_is_refused_with_a_clear_message(
    client_for, request, world, archived, case, method, who
):
    client = client_for(request.getfixturevalue(who))
    ready = _ready(world, case, method)  # what the request names exists before it is sent
    before = world.revision()
    response = ready.send(client)
    assert response.status_code == 403
    assert ARCHIVED_MESSAGE in response.content.decode().replace("&#x27;", "'")
    assert world.revision() == before


def test_an_htmx_write_is_refused_with_the_reason_the_page_reads(
    client_for, learner, storyboard, target, archived
):
    response = client_for(learner).post(
        reverse("boards:obstacle_new", args=[storyboard.pk]), {"description": "Jams"}, headers=HX
    )
    assert response.status_code == 403
    reason = re.search(r"<p data-reason>([^<]+)</p>", response.content.decode())
    assert reason and reason.group(1).startswith("This team is archived")
    assert not Obstacle.objects.exists()


def test_the_board_stays_readable_without_edit_controls_and_says_why(
    client_for, learner, storyboard, target, archived
):
    response = client_for(learner).get(storyboard.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dispatch is archived: this storyboard can be read, not changed." in html
    assert reverse("boards:obstacle_new", args=[storyboard.pk]) not in html


def test_nobody_may_edit_an_archived_teams_boards_until_it_is_restored(
    team, team_admin, learner, storyboard, target
):
    assert access.can_edit(learner, storyboard)  # roles read and remembered for ``learner``
    team_archive(team=team, by=team_admin)
    assert not access.can_edit(learner, storyboard)
    assert not access.can_edit(team_admin, storyboard)
    assert access.role_in(team_admin, team.pk) == "admin"  # still its administrator
    team_restore(team=team, by=team_admin)
    assert access.can_edit(learner, storyboard)
    assert obstacle_add(target_condition=target, description="Jams", by=learner).pk


def test_writes_work_again_once_the_team_is_restored(
    client_for, team, team_admin, learner, storyboard, target, archived
):
    team_restore(team=team, by=team_admin)
    response = client_for(learner).post(
        reverse("boards:obstacle_new", args=[storyboard.pk]), {"description": "Jams"}
    )
    assert response.status_code == 302
    assert Obstacle.objects.filter(description="Jams").exists()


def test_an_archived_team_takes_no_invitations(client_for, team_admin, archived):
    response = client_for(team_admin).post(
        reverse("boards:invitation_new", args=["dispatch"]),
        {"email": "new@example.com", "role": "member"},
    )
    assert response.status_code == 403


def test_an_archived_team_can_still_be_exported_by_its_administrator(
    client_for, team_admin, archived
):
    response = client_for(team_admin).get(reverse("boards:team_export", args=["dispatch"]))
    assert response.status_code == 200


# Out of the lists ------------------------------------------------------------------------------


def test_an_archived_teams_boards_leave_the_dashboard_and_its_team_filter(
    client_for, manager, storyboard, team, team_admin
):
    client = client_for(manager)
    assert "Order picking" in client.get("/dashboard/").content.decode()
    team_archive(team=team, by=team_admin)
    html = client.get("/dashboard/").content.decode()
    assert "Order picking" not in html
    assert 'value="dispatch"' not in html
    from kata.dashboard.filters import visible_storyboards

    assert not visible_storyboards(manager).exists()
