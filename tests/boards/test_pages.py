from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from boards.services.experiments import experiment_plan, experiment_record_result
from boards.services.obstacles import obstacle_add, obstacle_clear, obstacle_work_on
from boards.services.storyboards import storyboard_create
from boards.services.targets import actual_condition_record
from tests.factories import ExperimentFactory, MeasurementFactory, ObstacleFactory


def board_url(storyboard) -> str:
    return reverse("boards:storyboard", args=[storyboard.pk])


def team_url(team) -> str:
    return reverse("boards:team", args=[team.slug])


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["storyboard", "team"])
def test_anonymous_visitors_are_sent_to_sign_in(client, storyboard, name):
    url = board_url(storyboard) if name == "storyboard" else team_url(storyboard.team)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_outsider_gets_404_for_the_board_and_the_team(client_for, outsider, storyboard):
    client = client_for(outsider)
    assert client.get(board_url(storyboard)).status_code == 404
    assert client.get(team_url(storyboard.team)).status_code == 404


def test_a_missing_board_is_404(client_for, learner, db):
    assert client_for(learner).get("/boards/999999/").status_code == 404


def test_the_board_shows_every_section(client_for, viewer, storyboard, target, learner):
    actual_condition_record(
        storyboard=storyboard, operating_pattern="Pickers walk each aisle twice.", by=learner
    )
    working = obstacle_add(
        target_condition=target, description="Pick lists not in aisle order", by=learner
    )
    obstacle_work_on(obstacle=working, version=working.version, by=learner)
    cleared = obstacle_add(
        target_condition=target, description="Scanner batteries flat", by=learner
    )
    obstacle_clear(obstacle=cleared, version=cleared.version, by=learner)
    step = experiment_plan(
        target_condition=target,
        step="Sort the pick list by aisle",
        expected="Pick time drops below 35 min",
        obstacle=working,
        by=learner,
    )
    experiment_record_result(
        experiment=step,
        version=step.version,
        happened="Pick time was 33 min",
        learned="Sorting helps; the walk back to the dock is the rest",
        measurement_value="33",
        by=learner,
    )
    response = client_for(viewer).get(board_url(storyboard))
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "Order picking",
        "Ship every order the day it arrives",
        "Target condition",
        "Each order is picked in one walk, in aisle order.",
        "Actual condition now",
        "Pickers walk each aisle twice.",
        "Run chart",
        "<svg",
        "Obstacles parking lot",
        "Working on:",
        "<s>Scanner batteries flat</s>",
        "PDCA cycles record",
        "Sort the pick list by aisle",
        "Sorting helps; the walk back to the dock is the rest",
        "Activity",
    ]:
        assert text in html, text
    assert html.count("<h1") == 1


def test_the_board_says_what_to_do_when_it_is_empty(client_for, learner, storyboard):
    html = client_for(learner).get(board_url(storyboard)).content.decode()
    assert "Next: grasp the current condition" in html
    assert "Waits for the current condition" in html  # the first target condition
    assert html.count("button primary") == 1  # the one next action: the current condition


def _grow(target, n: int) -> None:
    metric = target.metrics.get(kind="process")
    obstacle = ObstacleFactory(target_condition=target)
    start = target.experiments.count()
    for i in range(n):
        experiment = ExperimentFactory(
            target_condition=target, number=start + i + 1, obstacle=obstacle, recorded=True
        )
        MeasurementFactory(
            metric=metric,
            experiment=experiment,
            measured_at=timezone.now() - timedelta(hours=n - i),
        )


def test_the_board_query_count_does_not_grow_with_its_record(client_for, learner, target):
    client = client_for(learner)
    url = board_url(target.storyboard)
    _grow(target, 5)
    small = queries_for(client, url)
    _grow(target, 495)
    assert queries_for(client, url) == small
    assert small <= 15


def test_the_team_page_query_count_does_not_grow_with_boards(client_for, learner, storyboard):
    client = client_for(learner)
    url = team_url(storyboard.team)
    small = queries_for(client, url)
    for i in range(10):
        storyboard_create(
            team=storyboard.team,
            challenge=storyboard.challenge,
            focus_process=f"Process {i}",
            learner=learner,
        )
    assert queries_for(client, url) == small
