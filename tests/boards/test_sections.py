"""The board's sections come from the cache until anything they show changes.

Every test reads a board once to fill the cache, changes something the way a real user, an
administrator or a script would, and reads it again: the change must show at once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from boards import sections
from boards.models import Experiment, Metric, Obstacle, Storyboard
from boards.sections import board_changed
from boards.services.experiments import experiment_plan
from boards.services.obstacles import obstacle_add
from boards.services.targets import actual_condition_record
from tests.factories import ExperimentFactory, MeasurementFactory, ObstacleFactory

HX = {"HX-Request": "true"}
# Session, user, and the board with its team, people and the reader's role.
CACHED_BOARD_QUERIES = 3


@pytest.fixture
def board_url(target) -> str:
    return target.storyboard.get_absolute_url()


def _get(client: Client, url: str, **kwargs) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def _without_tokens(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'"x-csrftoken": "[^"]*"', "", html)


def test_a_second_read_comes_from_the_cache_with_the_same_page(client_for, learner, board_url):
    client = client_for(learner)
    first, cold = _get(client, board_url)
    second, warm = _get(client, board_url)
    assert warm == CACHED_BOARD_QUERIES < cold
    assert _without_tokens(second) == _without_tokens(first)


def test_a_cached_section_fragment_costs_no_board_queries(client_for, learner, board_url):
    client = client_for(learner)
    _get(client, board_url)
    html, count = _get(client, board_url + "?section=record", headers=HX)
    assert count == CACHED_BOARD_QUERIES
    assert html.startswith('<section class="panel panel-record"')


def test_a_change_through_the_services_shows_at_once(client_for, learner, board_url, target):
    client = client_for(learner)
    _get(client, board_url)
    experiment_plan(
        target_condition=target, step="Label the aisles", expected="No more searching", by=learner
    )
    html, _ = _get(client, board_url)
    assert "Label the aisles" in html


def test_a_change_through_the_services_leaves_the_cache_version_alone(learner, target):
    # The service bumps the revision when it logs; a cache-version bump at its first row would
    # lock the board's row early, in an order two services could deadlock on.
    before = Storyboard.objects.get(pk=target.storyboard_id)
    obstacle_add(target_condition=target, description="Carts too small", by=learner)
    after = Storyboard.objects.get(pk=target.storyboard_id)
    assert after.revision == before.revision + 1
    assert after.cache_version == before.cache_version


@pytest.mark.parametrize(
    "change, shown",
    [
        (lambda t: ExperimentFactory(target_condition=t, step="Walk the route"), "Walk the route"),
        (lambda t: ObstacleFactory(target_condition=t, description="Dim light"), "Dim light"),
        (
            lambda t: MeasurementFactory(metric=t.metrics.get(kind=Metric.Kind.PROCESS), value=17),
            "17 min",
        ),
        (lambda t: _edit(t, operating_pattern="One walk, no backtracking."), "no backtracking"),
        (lambda t: _edit(t.storyboard.challenge, title="Same-day shipping"), "Same-day shipping"),
        (lambda t: _edit(t.storyboard.learner, first_name="Lenka"), "Lenka Park"),
    ],
    ids=["experiment", "obstacle", "measurement", "target", "challenge", "person"],
)
def test_a_save_outside_the_services_retires_the_cached_sections(
    client_for, learner, board_url, target, change, shown
):
    """The admin, a shell or a script saving a row: the board shows it at the next read."""
    client = client_for(learner)
    before, _ = _get(client, board_url)
    assert shown not in re.sub(r"<header.*?</header>", "", before, flags=re.S)
    change(target)
    after, _ = _get(client, board_url)
    assert shown in re.sub(r"<header.*?</header>", "", after, flags=re.S)


def _edit(obj, **changes):
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()


def test_a_delete_outside_the_services_retires_the_cached_sections(
    client_for, learner, board_url, target
):
    obstacle = ObstacleFactory(target_condition=target, description="Dim light")
    client = client_for(learner)
    assert "Dim light" in _get(client, board_url)[0]
    Obstacle.objects.get(pk=obstacle.pk).delete()
    assert "Dim light" not in _get(client, board_url)[0]


def test_signing_in_does_not_retire_the_cached_sections(client_for, learner, board_url):
    client = client_for(learner)
    _get(client, board_url)
    version = Storyboard.objects.values_list("cache_version", flat=True).get()
    client_for(learner)  # a sign-in saves last_login only
    assert Storyboard.objects.values_list("cache_version", flat=True).get() == version


def test_bulk_writes_retire_the_cached_sections_when_they_say_so(
    client_for, learner, board_url, target
):
    client = client_for(learner)
    _get(client, board_url)
    Experiment.objects.bulk_create(
        [Experiment(target_condition=target, number=1, step="Bulk step", expected="Quicker")]
    )
    assert "Bulk step" not in _get(client, board_url)[0]  # bulk_create sends no signals
    board_changed(targets=[target.pk])
    assert "Bulk step" in _get(client, board_url)[0]


def test_a_read_only_member_never_gets_the_editing_controls_of_an_editor(
    client_for, learner, viewer, board_url
):
    _get(client_for(learner), board_url)
    html, _ = _get(client_for(viewer), board_url)
    assert "Plan next step" not in html
    assert "Record what you observe now" not in html
    editor, _ = _get(client_for(learner), board_url)
    assert "Plan next step" in editor


def test_every_reader_posts_with_their_own_csrf_token(learner, coach, board_url, target):
    """The sections are cached once for all editors; the forms in them carry the reader's token."""
    ObstacleFactory(target_condition=target, description="Dim light")
    first = Client(enforce_csrf_checks=True)
    first.force_login(learner)
    _get(first, board_url)
    second = Client(enforce_csrf_checks=True)
    second.force_login(coach)
    html, count = _get(second, board_url)
    assert count == CACHED_BOARD_QUERIES
    obstacle_form = r'<form method="post" action="(/boards/\d+/obstacles/[^"]+)"[^>]*>'
    form = re.search(obstacle_form + r'<input[^>]*value="([^"]+)"', html)
    assert form, "an obstacle action form"
    action, token = form.groups()
    assert token != sections.CSRF_PLACEHOLDER
    version = re.search(r'name="version" value="(\d+)"', html[form.start() :]).group(1)
    response = second.post(action, {"csrfmiddlewaretoken": token, "version": version})
    assert response.status_code == 302  # not 403: the token is good for this session
    assert Obstacle.objects.get().status == Obstacle.Status.WORKING_ON


@pytest.mark.parametrize(
    "typed",
    [
        "kata-csrf-placeholder",  # the placeholder this installation used to have
        sections.CSRF_PLACEHOLDER,  # this one, were it ever known
        sections.CSRF_FIELD.format(sections.CSRF_PLACEHOLDER),  # its whole field
    ],
)
def test_what_a_member_typed_reaches_other_readers_untouched(
    client_for, learner, coach, board_url, target, typed
):
    """Found in testing: the token swap also replaced text members typed, handing other
    readers' tokens to anyone who could read the obstacle."""
    ObstacleFactory(target_condition=target, description=f"Tools {typed} missing")
    _get(client_for(learner), board_url)  # fills the cache
    reader = client_for(coach)
    html, count = _get(reader, board_url)
    assert count == CACHED_BOARD_QUERIES
    fields = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html)
    assert fields and set(fields) != {sections.CSRF_PLACEHOLDER}
    rest = _without_tokens(html)  # the reader's own tokens, in the fields and nowhere else
    assert not any(token in rest for token in fields)
    assert escape(f"Tools {typed} missing") in html


def test_the_days_left_count_down_with_the_date(client_for, learner, board_url):
    client = client_for(learner)
    assert "(14 days left)" in _get(client, board_url)[0]
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert "(13 days left)" in _get(client, board_url)[0]


@time_machine.travel(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))  # the same date in both zones
def test_each_reader_sees_times_in_their_own_time_zone(client_for, learner, coach, board_url):
    learner.time_zone = "Europe/Lisbon"
    learner.save()
    coach.time_zone = "America/Chicago"
    coach.save()
    actual_condition_record(
        storyboard=Storyboard.objects.get(), operating_pattern="Two walks per order.", by=learner
    )

    def shown(user) -> str:
        html, _ = _get(client_for(user), board_url)
        return re.search(r'id="actual".*?Observed <time[^>]*>([^<]+)</time>', html, re.S)[1]

    assert shown(learner) == "26 Nov 2026, 12:00"
    assert shown(coach) == "26 Nov 2026, 06:00"


def test_saving_an_old_copy_of_a_board_keeps_the_newer_revision(learner, target):
    old_copy = Storyboard.objects.get(pk=target.storyboard_id)
    obstacle_add(target_condition=target, description="Carts too small", by=learner)
    newer = Storyboard.objects.get(pk=target.storyboard_id)
    old_copy.focus_process = "Order picking, aisle 3"
    old_copy.save()  # as the admin does
    saved = Storyboard.objects.get(pk=target.storyboard_id)
    assert saved.focus_process == "Order picking, aisle 3"
    assert saved.revision == newer.revision
    assert saved.cache_version > newer.cache_version


def test_the_board_still_shows_when_the_cache_is_down(
    client_for, learner, board_url, monkeypatch, caplog
):
    def down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(sections.cache, "get_many", down)
    monkeypatch.setattr(sections.cache, "set_many", down)
    html, _ = _get(client_for(learner), board_url)
    assert "Plan next step" in html
    assert "The board section cache is unavailable" in caplog.text
