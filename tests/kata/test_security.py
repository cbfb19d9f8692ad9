import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from kata.logging import RequestIdFilter


def test_every_page_carries_the_security_headers(client, db):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_need_no_inline_script_or_style(client_for, learner, storyboard, target):
    html = client_for(learner).get(storyboard.get_absolute_url()).content.decode()
    assert "<style" not in html
    assert " style=" not in html
    for tag in html.split("<script")[1:]:
        assert " src=" in tag.split(">")[0], tag[:80]


def test_each_response_has_a_request_id_and_keeps_a_proxys(client, db):
    first = client.get(reverse("login"))["X-Request-ID"]
    second = client.get(reverse("login"))["X-Request-ID"]
    assert first != second and len(first) == 32
    kept = client.get(reverse("login"), HTTP_X_REQUEST_ID="edge-1234abcd")
    assert kept["X-Request-ID"] == "edge-1234abcd"
    forged = client.get(reverse("login"), HTTP_X_REQUEST_ID="<script>")
    assert forged["X-Request-ID"] != "<script>"


def test_log_lines_carry_the_request_id():
    from kata.logging import request_id_var

    record = logging.LogRecord("kata", logging.INFO, __file__, 1, "hello", None, None)
    token = request_id_var.set("abc123abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    assert record.request_id == "abc123abc123"


def test_json_log_lines_are_json(capsys):
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s")
    record = logging.LogRecord("kata", logging.ERROR, __file__, 1, "broke", None, None)
    record.request_id = "r-1"
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "r-1"
    assert line["message"] == "broke"


@pytest.mark.django_db
def test_sign_in_is_throttled_with_a_clear_message(learner, coach, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "lena", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "lena", "password": "pw"})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    # Another user from the same address is not locked out.
    assert (
        Client().post(reverse("login"), {"username": "carl", "password": "pw"}).status_code == 302
    )


def test_a_server_error_page_quotes_the_request_id(rf):
    from kata.views import server_error

    request = rf.get("/")
    request.id = "feedfacefeedface"
    response = server_error(request)
    assert response.status_code == 500
    assert b"feedfacefeedface" in response.content
