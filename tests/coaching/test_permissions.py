"""Every coaching page: anonymous visitors sign in, outsiders get 404, read-only roles 403."""

import pytest
import time_machine
from django.urls import reverse

from boards.models import Role
from coaching.services.cycles import cycle_start
from tests.coaching.conftest import MONDAY_0800, weekday_series
from tests.factories import MembershipFactory, StoryboardFactory, UserFactory


@pytest.fixture(autouse=True)
def on_that_monday():
    with time_machine.travel(MONDAY_0800, tick=False):
        yield


@pytest.fixture
def world(storyboard, target, coach, learner, second_coach):
    series = weekday_series(storyboard, coach, learner, second_coach=second_coach, now=MONDAY_0800)
    session = series.sessions.order_by("starts_at")[1]
    cycle = cycle_start(storyboard=storyboard, coach=coach, session=session)
    return {"sb": storyboard, "series": series, "session": session, "cycle": cycle}


def board_urls(world) -> dict[str, str]:
    sb, series, session, cycle = world["sb"], world["series"], world["session"], world["cycle"]
    return {
        "storyboard": reverse("coaching:storyboard", args=[sb.pk]),
        "schedule": reverse("coaching:schedule", args=[sb.pk]),
        "series_edit": reverse("coaching:series_edit", args=[sb.pk, series.pk]),
        "series_cancel": reverse("coaching:series_cancel", args=[sb.pk, series.pk]),
        "session_move": reverse("coaching:session_move", args=[sb.pk, session.pk]),
        "session_cancel": reverse("coaching:session_cancel", args=[sb.pk, session.pk]),
        "session_start": reverse("coaching:session_start", args=[sb.pk, session.pk]),
        "cycle_start": reverse("coaching:cycle_start", args=[sb.pk]),
        "cycle": reverse("coaching:cycle", args=[sb.pk, cycle.pk]),
        "observe": reverse("coaching:observe", args=[sb.pk, cycle.pk]),
    }


PERSONAL = ["coaching:today", "coaching:my_cycles", "coaching:settings", "coaching:calendar_reset"]
READ = ["storyboard", "cycle"]
WRITE_FORMS = ["schedule", "series_edit", "series_cancel", "session_move", "session_cancel"]
WRITE_POSTS = [*WRITE_FORMS, "session_start", "cycle_start", "cycle"]
POST_ONLY = ["session_start", "cycle_start"]
GET_ONLY = ["storyboard"]


def test_anonymous_visitors_are_sent_to_sign_in_everywhere(client, world):
    urls = [*board_urls(world).values(), *(reverse(name) for name in PERSONAL)]
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url


def test_an_outsider_finds_no_coaching_page_of_another_team(client_for, outsider, world):
    client = client_for(outsider)
    for name, url in board_urls(world).items():
        if name not in POST_ONLY:
            assert client.get(url).status_code == 404, name
        if name not in GET_ONLY:
            assert client.post(url, {"version": 1}).status_code == 404, name


@pytest.mark.parametrize("role", ["viewer", "manager"])
def test_read_only_roles_read_but_cannot_change(client_for, world, role, request):
    client = client_for(request.getfixturevalue(role))
    urls = board_urls(world)
    for name in READ:
        assert client.get(urls[name]).status_code == 200, name
    for name in WRITE_FORMS:
        assert client.get(urls[name]).status_code == 403, name
    for name in WRITE_POSTS:
        assert client.post(urls[name], {"version": 1}).status_code == 403, name
    world["cycle"].refresh_from_db()
    assert world["cycle"].step == 0
    world["session"].refresh_from_db()
    assert not world["session"].is_cancelled


def test_editing_members_reach_every_form(client_for, coach, learner, world):
    urls = board_urls(world)
    for user in (coach, learner):
        client = client_for(user)
        for name in [*READ, *WRITE_FORMS]:
            assert client.get(urls[name]).status_code == 200, (user, name)


def test_only_the_cycles_coach_and_learner_answer_its_questions(
    client_for, world, second_coach, learner
):
    cycle = world["cycle"]
    url = board_urls(world)["cycle"]
    response = client_for(second_coach).post(url, {"version": cycle.version, "said": "x"})
    assert response.status_code == 403
    response = client_for(learner).post(url, {"version": cycle.version, "said": "x"})
    assert response.status_code == 303


def test_who_may_observe_as_second_coach(client_for, world, coach, learner, second_coach, viewer):
    url = board_urls(world)["observe"]
    assert client_for(second_coach).get(url).status_code == 200  # scheduled as second coach
    assert client_for(coach).get(url).status_code == 403  # the coach is observed
    assert client_for(learner).get(url).status_code == 403
    assert client_for(viewer).get(url).status_code == 403  # read-only and not scheduled
    assert client_for(viewer).post(url, {"feedback": "x"}).status_code == 403


def test_a_read_only_member_scheduled_as_second_coach_may_observe(
    client_for, storyboard, target, coach, learner, manager
):
    series = weekday_series(storyboard, coach, learner, second_coach=manager, now=MONDAY_0800)
    session = series.sessions.first()
    cycle = cycle_start(storyboard=storyboard, coach=coach, session=session)
    url = reverse("coaching:observe", args=[storyboard.pk, cycle.pk])
    assert client_for(manager).get(url).status_code == 200
    assert client_for(manager).post(url, {"feedback": "Good pace"}).status_code == 302


def test_objects_of_another_board_are_not_found_through_this_one(client_for, coach, team, world):
    other = StoryboardFactory(team=team, learner=world["series"].learner)
    client = client_for(coach)
    for name, url in board_urls(world).items():
        if name in ("storyboard", "schedule", "cycle_start"):
            continue
        moved = url.replace(f"/boards/{world['sb'].pk}/", f"/boards/{other.pk}/", 1)
        method = client.post if name in POST_ONLY else client.get
        assert method(moved).status_code == 404, name


def test_missing_objects_are_404(client_for, coach, world):
    client = client_for(coach)
    sb = world["sb"].pk
    assert client.get(reverse("coaching:cycle", args=[sb, 999999])).status_code == 404
    assert client.get(reverse("coaching:session_move", args=[sb, 999999])).status_code == 404
    assert client.get(reverse("coaching:series_edit", args=[sb, 999999])).status_code == 404
    assert client.get(reverse("coaching:storyboard", args=[999999])).status_code == 404


def test_starting_a_cycle_only_by_post(client_for, coach, world):
    urls = board_urls(world)
    client = client_for(coach)
    assert client.get(urls["session_start"]).status_code == 405
    assert client.get(urls["cycle_start"]).status_code == 405


def test_personal_pages_show_only_ones_own(client_for, outsider, world):
    client = client_for(outsider)
    for name in PERSONAL:
        assert client.get(reverse(name)).status_code == 200, name
    today = client.get(reverse("coaching:today")).content.decode()
    assert "Order picking" not in today
    cycles = client.get(reverse("coaching:my_cycles")).content.decode()
    assert "Order picking" not in cycles


def test_a_coach_who_left_the_team_no_longer_sees_its_sessions(client_for, coach, team, world):
    client = client_for(coach)
    assert "Order picking" in client.get(reverse("coaching:today")).content.decode()
    coach.memberships.filter(team=team).delete()
    other_team_member = UserFactory()
    MembershipFactory(user=other_team_member, team=team, role=Role.COACH)
    assert "Order picking" not in client.get(reverse("coaching:today")).content.decode()
    assert "Order picking" not in client.get(reverse("coaching:my_cycles")).content.decode()
