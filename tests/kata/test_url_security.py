"""Every URL of the app, walked from the URL configuration, for every kind of visitor.

Anonymous visitors go to sign-in, people outside the team get 404, read-only roles get 403 on
writes, members get what members may do. A new view without an entry here fails the suite.
The apps' own tests check each view's behaviour in depth; this one checks the rules hold
everywhere.
"""

from datetime import time, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from boards.models import Membership, Role
from boards.services.experiments import experiment_plan
from boards.services.invitations import invitation_create
from boards.services.obstacles import obstacle_add
from boards.services.targets import actual_condition_record, measurement_add
from coaching.services.cycles import cycle_start
from coaching.services.preferences import preferences_for
from coaching.services.scheduling import series_create
from tests.factories import UserFactory

# kind of URL -> who may use it
PUBLIC = "public"  # no sign-in: sign-in, password reset, invitation links, calendar feed
USER = "user"  # any signed-in user, about themselves
TEAM_READ = "team read"  # team members read; outsiders 404
TEAM_WRITE = "team write"  # editing roles write; read-only roles 403; outsiders 404
ADMIN = "admin"  # team administrators only; other members 403; outsiders 404
SELF = "self"  # any member, about their own membership (leaving the team)
OBSERVER = "observer"  # a cycle's second coach only; everyone else in the team 403
STAFF = "staff"  # site staff only (is_staff); everyone else signed in 403

# url name -> (kind, how to build its kwargs from the world, methods to try)
URLS = {
    "home": (USER, None, ["GET"]),
    "healthz": (PUBLIC, None, ["GET"]),
    "dashboard": (USER, None, ["GET"]),
    "dashboard_export": (USER, None, ["GET"]),
    "team_practice": (TEAM_READ, "team", ["GET"]),
    "login": (PUBLIC, None, ["GET"]),
    "logout": (USER, None, ["POST"]),
    "account": (USER, None, ["GET", "POST"]),
    "password_change": (USER, None, ["GET", "POST"]),
    "password_reset": (PUBLIC, None, ["GET", "POST"]),
    "password_reset_done": (PUBLIC, None, ["GET"]),
    "password_reset_confirm": (PUBLIC, "reset", ["GET"]),
    "password_reset_complete": (PUBLIC, None, ["GET"]),
    # A team's own pages (boards/views/teams.py): new team, settings, archive, delete; staff list.
    "boards:teams_all": (STAFF, None, ["GET"]),
    "boards:team_new": (USER, None, ["GET", "POST"]),
    "boards:team_slug": (USER, None, ["GET"]),
    "boards:team_settings": (ADMIN, "team", ["GET", "POST"]),
    "boards:team_archive": (ADMIN, "team", ["POST"]),
    "boards:team_restore": (ADMIN, "team", ["POST"]),
    "boards:team_delete": (ADMIN, "team", ["GET", "POST"]),
    # The team and its members.
    "boards:team": (TEAM_READ, "team", ["GET"]),
    "boards:members": (TEAM_READ, "team", ["GET"]),
    "boards:invitation_new": (ADMIN, "team", ["POST"]),
    "boards:member_role": (ADMIN, "membership", ["POST"]),
    "boards:member_remove": (ADMIN, "membership", ["POST"]),
    "boards:invitation_revoke": (ADMIN, "invitation", ["POST"]),
    "boards:team_leave": (SELF, "team", ["GET"]),
    "boards:team_export": (ADMIN, "team", ["GET"]),
    "boards:invitation": (PUBLIC, "token", ["GET"]),
    "boards:storyboard": (TEAM_READ, "board", ["GET"]),
    "boards:poll": (TEAM_READ, "board", ["GET"]),
    "boards:activity": (TEAM_READ, "board", ["GET"]),
    "boards:target": (TEAM_READ, "target", ["GET"]),
    "boards:target_new": (TEAM_WRITE, "board", ["GET", "POST"]),
    "boards:target_edit": (TEAM_WRITE, "target", ["GET", "POST"]),
    "boards:target_close": (TEAM_WRITE, "target", ["GET", "POST"]),
    "boards:metric_edit": (TEAM_WRITE, "metric", ["GET", "POST"]),
    "boards:actual_new": (TEAM_WRITE, "board", ["GET", "POST"]),
    "boards:measurement_new": (TEAM_WRITE, "board", ["GET", "POST"]),
    "boards:obstacle_new": (TEAM_WRITE, "board", ["GET", "POST"]),
    "boards:obstacle_edit": (TEAM_WRITE, "obstacle", ["GET", "POST"]),
    "boards:obstacle_action": (TEAM_WRITE, "obstacle_action", ["POST"]),
    "boards:experiment_new": (TEAM_WRITE, "board", ["GET", "POST"]),
    "boards:experiment_edit": (TEAM_WRITE, "experiment", ["GET", "POST"]),
    "boards:experiment_result": (TEAM_WRITE, "experiment", ["GET", "POST"]),
    # Setting up the team's work: challenges, and storyboards as a whole.
    "boards:challenge_help": (USER, None, ["GET"]),
    "boards:challenge_new": (TEAM_WRITE, "team", ["GET", "POST"]),
    "boards:challenge_edit": (TEAM_WRITE, "challenge", ["GET", "POST"]),
    "boards:challenge_retire": (TEAM_WRITE, "challenge", ["POST"]),
    "boards:challenge_restore": (TEAM_WRITE, "challenge", ["POST"]),
    "boards:storyboard_new": (TEAM_WRITE, "team", ["GET", "POST"]),
    "boards:storyboard_edit": (TEAM_WRITE, "board", ["GET", "POST"]),
    "boards:storyboard_hand_over": (TEAM_WRITE, "board", ["GET", "POST"]),
    "boards:storyboard_archive": (TEAM_WRITE, "board", ["GET", "POST"]),
    "boards:storyboard_restore": (TEAM_WRITE, "board", ["POST"]),
    "boards:storyboard_delete": (ADMIN, "board", ["GET", "POST"]),
    # Issue 11: metrics added and retired; what a member takes back.
    "boards:metric_new": (TEAM_WRITE, "board", ["GET", "POST"]),
    "boards:metric_retire": (TEAM_WRITE, "metric", ["GET", "POST"]),
    "boards:measurement_delete": (TEAM_WRITE, "measurement", ["GET", "POST"]),
    "boards:actual_delete": (TEAM_WRITE, "actual", ["GET", "POST"]),
    "boards:target_delete": (TEAM_WRITE, "target", ["GET", "POST"]),
    "boards:obstacle_delete": (TEAM_WRITE, "obstacle", ["GET", "POST"]),
    "boards:experiment_delete": (TEAM_WRITE, "experiment", ["GET", "POST"]),
    "coaching:today": (USER, None, ["GET"]),
    "coaching:my_cycles": (USER, None, ["GET"]),
    "coaching:settings": (USER, None, ["GET", "POST"]),
    "coaching:calendar_reset": (USER, None, ["GET", "POST"]),
    "coaching:calendar_feed": (PUBLIC, "calendar", ["GET"]),
    "coaching:storyboard": (TEAM_READ, "board", ["GET"]),
    "coaching:schedule": (TEAM_WRITE, "board", ["GET", "POST"]),
    "coaching:series_edit": (TEAM_WRITE, "series", ["GET", "POST"]),
    "coaching:series_cancel": (TEAM_WRITE, "series", ["GET", "POST"]),
    "coaching:session_move": (TEAM_WRITE, "session", ["GET", "POST"]),
    "coaching:session_cancel": (TEAM_WRITE, "session", ["GET", "POST"]),
    "coaching:session_start": (TEAM_WRITE, "session", ["POST"]),
    "coaching:cycle_start": (TEAM_WRITE, "board", ["POST"]),
    # The cycle page is readable by the team; only its coach and learner answer it.
    "coaching:cycle": ({"GET": TEAM_READ, "POST": TEAM_WRITE}, "cycle", ["GET", "POST"]),
    "coaching:observe": (OBSERVER, "cycle", ["GET", "POST"]),
}
TEAM_KINDS = (TEAM_READ, TEAM_WRITE, ADMIN, SELF, OBSERVER)


def kind_of(name: str, method: str) -> str:
    kind = URLS[name][0]
    return kind[method] if isinstance(kind, dict) else kind


def url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue  # Django's own admin: staff only, tested by Django
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_has_an_entry_here():
    assert set(url_names()) == set(URLS)


@pytest.fixture
def world(team, storyboard, target, learner, coach, manager, viewer, outsider):
    """One of everything a URL can name, on the team's board."""
    metric = target.metrics.get(kind="process")
    obstacle = obstacle_add(target_condition=target, description="Jams", by=learner)
    experiment = experiment_plan(
        target_condition=target, step="Try", expected="Less waiting", by=learner
    )
    admin = UserFactory(username="ada", email="ada@example.com")
    Membership.objects.create(user=admin, team=team, role=Role.ADMIN)
    invitation = invitation_create(team=team, email="new@example.com", role=Role.MEMBER, by=admin)
    series = series_create(
        storyboard=storyboard,
        coach=coach,
        learner=learner,
        start_date=timezone.localdate() + timedelta(days=1),
        start_time=time(9, 30),
        rrule="FREQ=DAILY;COUNT=3",
        by=coach,
    )
    session = series.sessions.order_by("starts_at").first()
    cycle = cycle_start(storyboard=storyboard, coach=coach)
    measurement = measurement_add(metric=metric, value="41", by=learner)
    actual = actual_condition_record(
        storyboard=storyboard, operating_pattern="Two walks per order", by=learner
    )
    feed_token = preferences_for(coach).calendar_token
    slug = team.slug
    board = {"pk": storyboard.pk}
    return {
        "team": {"slug": slug},
        "membership": {
            "slug": slug,
            "membership_pk": Membership.objects.get(user=viewer, team=team).pk,
        },
        "invitation": {"slug": slug, "invitation_pk": invitation.pk},
        "challenge": {"slug": slug, "challenge_pk": storyboard.challenge_id},
        "token": {"token": "not-a-real-invitation-token"},
        "reset": {"uidb64": "MQ", "token": "set-password"},
        "calendar": {"token": feed_token},
        "board": board,
        "target": {**board, "target_pk": target.pk},
        "metric": {**board, "metric_pk": metric.pk},
        "obstacle": {**board, "obstacle_pk": obstacle.pk},
        "obstacle_action": {**board, "obstacle_pk": obstacle.pk, "action": "work-on"},
        "experiment": {**board, "experiment_pk": experiment.pk},
        "measurement": {**board, "measurement_pk": measurement.pk},
        "actual": {**board, "actual_pk": actual.pk},
        "series": {**board, "series_pk": series.pk},
        "session": {**board, "session_pk": session.pk},
        "cycle": {**board, "cycle_pk": cycle.pk},
        "people": {
            "learner": learner,
            "coach": coach,
            "manager": manager,
            "viewer": viewer,
            "outsider": outsider,
            "admin": admin,
        },
    }


def cases(kinds=None):
    for name, (_, _, methods) in URLS.items():
        for method in methods:
            if kinds is None or kind_of(name, method) in kinds:
                yield pytest.param(name, method, id=f"{method} {name}")


def request(client: Client, name: str, method: str, world):
    key = URLS[name][1]
    url = reverse(name, kwargs=world[key] if key else None)
    return client.get(url) if method == "GET" else client.post(url, {})


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("name", "method"), cases())
def test_anonymous_visitors_go_to_sign_in(client, world, name, method):
    kind = kind_of(name, method)
    response = request(client, name, method, world)
    if kind == PUBLIC:
        assert response.status_code < 500
        assert not (response.status_code == 302 and response.url.startswith(settings.LOGIN_URL))
    else:
        assert response.status_code == 302, response.status_code
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("name", "method"), cases(TEAM_KINDS))
def test_outsiders_get_404_for_everything_of_the_team(world, name, method):
    response = request(signed_in(world["people"]["outsider"]), name, method, world)
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["viewer", "manager"])
@pytest.mark.parametrize(("name", "method"), cases())
def test_read_only_roles_read_but_get_403_on_writes(world, role, name, method):
    kind = kind_of(name, method)
    response = request(signed_in(world["people"][role]), name, method, world)
    if kind in (TEAM_WRITE, ADMIN, OBSERVER):
        assert response.status_code == 403
    elif kind == TEAM_READ:
        assert response.status_code in (200, 204)  # 204: the live poll, nothing changed
    else:
        assert response.status_code < 500


@pytest.mark.parametrize(("name", "method"), cases())
def test_members_write_their_boards_but_not_the_team_administration(world, name, method):
    kind = kind_of(name, method)
    response = request(signed_in(world["people"]["learner"]), name, method, world)
    if kind in (ADMIN, OBSERVER):
        assert response.status_code == 403
    elif kind in (TEAM_READ, TEAM_WRITE, SELF, USER):
        # Empty posts are refused with a message (4xx other than 403/404), never a 500.
        assert response.status_code not in (403, 404), response.status_code
        assert response.status_code < 500


@pytest.mark.parametrize(("name", "method"), cases())
def test_team_administrators_run_the_team(world, name, method):
    kind = kind_of(name, method)
    response = request(signed_in(world["people"]["admin"]), name, method, world)
    if kind == ADMIN:
        assert response.status_code not in (403, 404)
        assert response.status_code < 500


@pytest.mark.parametrize(("name", "method"), cases([STAFF]))
def test_only_site_staff_see_the_staff_pages(world, name, method):
    for role in ("admin", "learner", "viewer", "outsider"):
        response = request(signed_in(world["people"][role]), name, method, world)
        assert response.status_code == 403, role
    staff = UserFactory(username="sam", is_staff=True)
    assert request(signed_in(staff), name, method, world).status_code == 200


def post_cases():
    for name, (_, _, methods) in URLS.items():
        if "POST" in methods:
            yield pytest.param(name, id=name)


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("name", post_cases())
def test_every_write_needs_the_csrf_token(world, name, htmx):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["people"]["admin"])
    client.get(reverse("home"))  # sets the csrftoken cookie, as any page does
    token = client.cookies["csrftoken"].value
    key = URLS[name][1]
    url = reverse(name, kwargs=world[key] if key else None)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}

    refused = client.post(url, {}, **headers)
    assert refused.status_code == 403
    assert b"CSRF" in refused.content

    # htmx sends the token in a header (hx-headers on <body>); forms send it as a field.
    if htmx:
        accepted = client.post(url, {}, HTTP_X_CSRFTOKEN=token, **headers)
    else:
        accepted = client.post(url, {"csrfmiddlewaretoken": token})
    assert b"CSRF verification failed" not in accepted.content
