from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from boards.services.storyboards import challenge_create, storyboard_create
from tests.factories import MembershipFactory, TeamFactory


def test_home_asks_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_sign_in_page_has_labelled_fields(client, db):
    html = client.get(reverse("login")).content.decode()
    assert 'type="password"' in html
    assert '<label for="id_username">' in html


def test_a_wrong_password_gets_a_clear_message(client, learner):
    response = client.post(reverse("login"), {"username": "lena", "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_a_user_signs_in_and_out(client, learner):
    response = client.post(reverse("login"), {"username": "lena", "password": "pw"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302


def test_home_lists_my_teams_and_their_boards_only(client_for, learner, storyboard, outsider):
    html = client_for(learner).get("/").content.decode()
    assert "Dispatch" in html
    assert "Order picking" in html
    assert "Goods in" not in html


def test_home_query_count_does_not_grow_with_teams(client_for, learner, storyboard):
    client = client_for(learner)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    small = count()
    for i in range(5):
        team = TeamFactory()
        MembershipFactory(user=learner, team=team)
        challenge = challenge_create(
            team=team, title=f"Challenge {i}", horizon=storyboard.challenge.horizon
        )
        storyboard_create(
            team=team, challenge=challenge, focus_process=f"Board {i}", learner=learner
        )
    assert count() == small


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@override_settings(
    SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["kata.example.com"], SESSION_COOKIE_SECURE=True
)
def test_healthz_answers_the_container_health_check_as_docker_compose_writes_it(client, db):
    # docker-compose's check: plain HTTP to 127.0.0.1:8000, no proxy header, a host that
    # ALLOWED_HOSTS (the public name only, as the README says) leaves out.
    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["kata.example.com"])
def test_other_pages_still_validate_the_host_and_redirect_to_https(client, db):
    assert client.get("/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    response = client.get("/login/", HTTP_HOST="kata.example.com")
    assert response.status_code == 301
    assert response["Location"].startswith("https://kata.example.com/")
