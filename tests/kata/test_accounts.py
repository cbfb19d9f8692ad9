"""People's own accounts: password reset by email, name and email, password change."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from boards.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"(https?://\S+/password-reset/[^/\s]+/[^/\s]+/)")
NEW_PASSWORD = "quiet-harbour-73-lamp"


def _sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def _reset_link(email: str) -> str:
    response = Client().post(reverse("password_reset"), {"email": email})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    (message,) = mail.outbox
    return RESET_LINK.search(message.body).group(1)


def _choose_password(link: str, password: str = NEW_PASSWORD) -> Client:
    client = Client()
    # The link's token moves into the session and the page redirects to a token-free address.
    form_page = client.get(urlsplit(link).path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("password_reset_complete")
    return client


# Password reset --------------------------------------------------------------------------------


def test_the_sign_in_page_offers_a_password_reset(client):
    html = client.get(reverse("login")).content.decode()

    assert f'href="{reverse("password_reset")}"' in html
    assert "Forgot your password?" in html


def test_a_password_reset_works_end_to_end(learner, settings):
    settings.SITE_URL = "https://kata.example.com"

    link = _reset_link("LENA@example.com")

    message = mail.outbox[0]
    assert message.to == ["lena@example.com"]
    assert message.subject == "Choose a new password for Kata"
    assert link.startswith("https://kata.example.com/password-reset/")
    assert link in message.alternatives[0][0]
    _choose_password(link)
    assert _sign_in(Client(), "lena", NEW_PASSWORD).status_code == 302
    assert _sign_in(Client(), "lena", "pw").status_code == 200  # the old one is refused


def test_the_reset_pages_are_labelled_and_have_one_heading(client):
    html = client.get(reverse("password_reset")).content.decode()

    assert html.count("<h1") == 1
    assert '<label for="id_email">Email address</label>' in html


def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_reset_link_works_once(learner):
    link = _reset_link("lena@example.com")
    _choose_password(link)

    again = Client().get(urlsplit(link).path, follow=True)

    assert "This link does not work any more" in again.content.decode()


def test_the_new_password_goes_through_the_validators(learner):
    link = _reset_link("lena@example.com")
    client = Client()
    page = client.get(urlsplit(link).path, follow=True)

    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": "12345678", "new_password2": "12345678"}
    )

    assert response.status_code == 200
    assert "This password is entirely numeric." in response.content.decode()
    learner.refresh_from_db()
    assert learner.check_password("pw")


def test_a_reset_lifts_the_sign_in_lock_out(learner, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(), "lena", "wrong")
    assert _sign_in(Client(), "lena", "pw").status_code == 429

    _choose_password(_reset_link("lena@example.com"))

    assert _sign_in(Client(), "lena", NEW_PASSWORD).status_code == 302


def test_the_lock_out_page_points_to_the_reset(learner, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(Client(), "lena", "wrong")

    response = _sign_in(Client(), "lena", "pw")

    assert reverse("password_reset") in response.content.decode()


def test_an_imported_account_is_claimed_with_a_reset():
    imported = User(username="ines", email="ines@example.com", is_active=False)
    imported.set_unusable_password()
    imported.save()

    _choose_password(_reset_link("ines@example.com"))

    imported.refresh_from_db()
    assert imported.is_active
    assert _sign_in(Client(), "ines", NEW_PASSWORD).status_code == 302


def test_a_deactivated_account_gets_no_reset_email():
    UserFactory(username="gone", email="gone@example.com", is_active=False)

    Client().post(reverse("password_reset"), {"email": "gone@example.com"})

    assert mail.outbox == []


def test_csrf_is_enforced_on_the_reset_form(learner):
    response = Client(enforce_csrf_checks=True).post(
        reverse("password_reset"), {"email": "lena@example.com"}
    )

    assert response.status_code == 403
    assert mail.outbox == []


# Name and email --------------------------------------------------------------------------------


def test_the_account_page_shows_the_details_and_links_the_settings(client_for, learner):
    response = client_for(learner).get(reverse("account"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert 'value="lena@example.com"' in html
    assert '<label for="id_first_name">First name' in html
    assert reverse("coaching:settings") in html
    assert reverse("password_change") in html
    assert reverse("boards:members", args=["dispatch"]) in html


def test_the_header_links_to_the_account(client_for, learner):
    html = client_for(learner).get(reverse("home")).content.decode()

    assert f'href="{reverse("account")}"' in html


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(reverse("account"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_people_change_their_name_and_email(client_for, learner):
    response = client_for(learner).post(
        reverse("account"),
        {"first_name": " Lena ", "last_name": "Park-Ito", "email": "lena.ito@Example.COM"},
    )

    assert response.status_code == 303
    learner.refresh_from_db()
    assert (learner.first_name, learner.last_name) == ("Lena", "Park-Ito")
    assert learner.email == "lena.ito@example.com"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"first_name": "", "last_name": "P", "email": "l@example.com"}, "Enter your first name."),
        ({"first_name": "L", "last_name": "P", "email": "nope"}, "Enter an email address"),
        ({"first_name": "L", "last_name": "P", "email": ""}, "password resets are sent there"),
        ({"first_name": "L", "last_name": "P", "email": "CARL@example.com"}, "Another account"),
        ({"first_name": "L" * 151, "last_name": "P", "email": "l@example.com"}, "at most 150"),
    ],
)
def test_invalid_details_are_refused_with_the_reason(client_for, learner, coach, data, error):
    response = client_for(learner).post(reverse("account"), data)

    assert response.status_code == 422
    assert error in response.content.decode()
    learner.refresh_from_db()
    assert (learner.first_name, learner.email) == ("Lena", "lena@example.com")


def test_csrf_is_enforced_on_the_account_page(learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)

    response = client.post(
        reverse("account"), {"first_name": "X", "last_name": "Y", "email": "x@example.com"}
    )

    assert response.status_code == 403
    learner.refresh_from_db()
    assert learner.first_name == "Lena"


def test_people_change_their_password(client_for, learner):
    client = client_for(learner)

    response = client.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert "Your password is changed." in response.content.decode()
    assert _sign_in(Client(), "lena", NEW_PASSWORD).status_code == 302
    # Still signed in on this browser.
    assert client.get(reverse("account")).status_code == 200
