"""Hostile input at every form of the app, found by walking the URL table.

Each form page is fetched, its field names read from the HTML, and random and hostile values
posted to it (as a plain form and through htmx): every answer is a clear refusal or a success,
never a server error. (Planning a step or a target condition while one is open redirects here;
tests/boards/test_hostile_input.py fuzzes those forms on a board ready for them.)
"""

import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.kata.test_url_security import URLS, world  # noqa: F401 - the fixture

VALUES = st.one_of(
    st.text(max_size=40),
    st.text(min_size=1, max_size=4).map(lambda chunk: chunk * 2000),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "\x00",
            "🙂 Ünïcödé",
            "9999-12-31",
            "0001-01-01T00:00",
            "-1",
            "1e400",
            "on",
            "",
        ]
    ),
)
FORMS = [
    name
    for name, (_, key, methods) in URLS.items()
    if "GET" in methods and "POST" in methods and name not in ("logout", "password_reset")
]
# Fields kept as they are, so that every example finds the page where the last one left it:
# a team renamed to a random address would be gone from its URL (hostile addresses are tried
# against the service in tests/boards/test_teams.py).
KEPT = {"boards:team_settings": {"slug": "dispatch"}}
INPUT = re.compile(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"')
FUZZ = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def field_names(html: str) -> list[str]:
    return sorted({n for n in INPUT.findall(html) if n not in ("csrfmiddlewaretoken", "next")})


@pytest.mark.parametrize("name", FORMS)
@FUZZ
@given(data=st.data())
def test_every_form_refuses_hostile_input_clearly(world, name, data):  # noqa: F811
    people = world["people"]
    user = people["admin"] if name.startswith("boards:") else people["coach"]
    client = Client()
    client.force_login(user)
    key = URLS[name][1]
    url = reverse(name, kwargs=world[key] if key else None)
    page = client.get(url)
    assert page.status_code < 500
    fields = field_names(page.content.decode())
    payload = {field: data.draw(VALUES, label=field) for field in fields}
    payload.update(KEPT.get(name, {}))
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.post(url, payload, **headers)
        assert response.status_code < 500, (name, payload)
        if response.status_code in (400, 409, 422):
            assert response.content.strip(), "a refusal says why"
