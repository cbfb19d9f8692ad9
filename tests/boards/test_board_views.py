"""The storyboard's views: who may do what, the htmx and plain-form paths, refusals, live poll.

Every board URL is in ``CASES``; ``test_every_board_url_is_in_the_permission_table`` fails when
a view is added without an entry, so the permission matrix keeps covering all of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import cached_property
from html import unescape
from unittest.mock import ANY

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse
from django.utils import timezone

import boards.urls
from boards import live
from boards.charts import MAX_POINTS
from boards.models import (
    Activity,
    ActualCondition,
    Experiment,
    Measurement,
    Metric,
    Obstacle,
    Storyboard,
    TargetCondition,
    Team,
    User,
)
from boards.sections import board_changed
from boards.services.experiments import experiment_plan, experiment_record_result, experiment_update
from boards.services.metrics import metric_retire
from boards.services.obstacles import (
    obstacle_add,
    obstacle_clear,
    obstacle_update,
    obstacle_work_on,
)
from boards.services.storyboards import challenge_create, storyboard_create, storyboard_update
from boards.services.targets import (
    actual_condition_record,
    measurement_add,
    metric_update,
    target_condition_close,
    target_condition_start,
    target_condition_update,
)
from boards.views.reading import LISTED_CHANGES
from tests.boards.test_members import MEMBERS_URLS
from tests.boards.test_setup_views import SETUP_URLS
from tests.boards.test_teams import TEAMS_URLS

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}

# Measured on SQLite and PostgreSQL alike: session, user, then the view's own queries.
POLL_UNCHANGED_QUERIES = 3  # session, user, and the board if the user is in its team
RECORD_SECTION_QUERIES = 6
BOARD_QUERIES = 15


# The board under test and the objects on it, made only when a case first asks for them ----------


class World:
    def __init__(self, storyboard: Storyboard, target: TargetCondition, by: User):
        self.sb = storyboard
        self.target = target
        self.by = by

    @cached_property
    def metric(self) -> Metric:
        return self.target.metrics.get(kind=Metric.Kind.PROCESS)

    @cached_property
    def obstacle(self) -> Obstacle:
        return obstacle_add(
            target_condition=self.target, description="Pick list out of aisle order", by=self.by
        )

    @cached_property
    def second_obstacle(self) -> Obstacle:
        self.obstacle  # noqa: B018 - the first one takes position 1
        return obstacle_add(
            target_condition=self.target, description="Scanner batteries go flat", by=self.by
        )

    @cached_property
    def experiment(self) -> Experiment:
        return experiment_plan(
            target_condition=self.target,
            step="Print the pick list sorted by aisle",
            expected="Pick time falls to 35 minutes",
            by=self.by,
        )

    def revision(self) -> int:
        return Storyboard.objects.values_list("revision", flat=True).get(pk=self.sb.pk)

    # Issue 11: what a member takes back, and a metric to add.
    @cached_property
    def measurement(self) -> Measurement:
        return measurement_add(metric=self.metric, value="41", by=self.by)

    @cached_property
    def actual(self) -> ActualCondition:
        return actual_condition_record(
            storyboard=self.sb, operating_pattern="Pickers walk each aisle twice.", by=self.by
        )

    @cached_property
    def outcome_metric(self) -> Metric:
        return self.target.metrics.get(kind=Metric.Kind.OUTCOME)


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _later(days: int = 21) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _close_target(w: World) -> None:
    target_condition_close(
        target_condition=w.target,
        version=w.target.version,
        status="achieved",
        reflection="Sorting the list was most of it.",
        by=w.by,
    )


def _work_on_obstacle(w: World) -> None:
    obstacle_work_on(obstacle=w.obstacle, version=w.obstacle.version, by=w.by)


def _make_second_obstacle(w: World) -> None:
    w.second_obstacle  # noqa: B018


# The permission table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    kwargs: Callable[[World], dict]
    query: str = ""
    htmx: bool = False
    # A write: the valid POST data, the section it answers with, and how to see it was saved.
    data: Callable[[World], dict] | None = None
    section: str = ""
    saved: Callable[[World], bool] | None = None
    form_on_get: bool = True
    prepare: Callable[[World], None] | None = None
    # Deletes or retires what it names: a stale version is refused outright, not merged.
    removes: bool = False

    @property
    def is_write(self) -> bool:
        return self.data is not None

    @property
    def methods(self) -> list[str]:
        if not self.is_write:
            return ["GET"]
        return ["GET", "POST"] if self.form_on_get else ["POST"]

    def url(self, w: World) -> str:
        return reverse(f"boards:{self.name}", kwargs=self.kwargs(w)) + self.query


def board(w: World) -> dict:
    return {"pk": w.sb.pk}


def on_target(w: World) -> dict:
    return {"pk": w.sb.pk, "target_pk": w.target.pk}


def on_metric(w: World) -> dict:
    return {"pk": w.sb.pk, "metric_pk": w.metric.pk}


def on_obstacle(w: World) -> dict:
    return {"pk": w.sb.pk, "obstacle_pk": w.obstacle.pk}


def on_experiment(w: World) -> dict:
    return {"pk": w.sb.pk, "experiment_pk": w.experiment.pk}


def obstacle_action(action: str, *, second: bool = False) -> Callable[[World], dict]:
    def kwargs(w: World) -> dict:
        obstacle = w.second_obstacle if second else w.obstacle
        return {"pk": w.sb.pk, "obstacle_pk": obstacle.pk, "action": action}

    return kwargs


def obstacle_status_is(status: str) -> Callable[[World], bool]:
    return lambda w: _fresh(w.obstacle).status == status


NEW_PATTERN = "Each order is picked in one walk, printed in aisle order."


# Issue 11: metrics added and retired; what a member takes back --------------------------------


def on_measurement(w: World) -> dict:
    return {"pk": w.sb.pk, "measurement_pk": w.measurement.pk}


def on_actual(w: World) -> dict:
    return {"pk": w.sb.pk, "actual_pk": w.actual.pk}


def _retire_outcome_metric(w: World) -> None:
    metric_retire(metric=w.outcome_metric, version=w.outcome_metric.version, by=w.by)


def _gone(attribute: str) -> Callable[[World], bool]:
    def gone(w: World) -> bool:
        obj = getattr(w, attribute)
        return not type(obj).objects.filter(pk=obj.pk).exists()

    return gone


METRICS_CASES = [
    Case(
        "metric_new",
        "metric_new",
        board,
        query="?kind=outcome",
        prepare=_retire_outcome_metric,
        data=lambda w: {
            "kind": "outcome",
            "name": "Orders out the same day",
            "unit": "%",
            "higher_is_better": "1",
            "target_value": "97",
        },
        section="target",
        saved=lambda w: w.target.metrics.current().filter(name="Orders out the same day").exists(),
    ),
    Case(
        "metric_retire",
        "metric_retire",
        on_metric,
        data=lambda w: {"version": w.metric.version},
        section="target",
        saved=lambda w: _fresh(w.metric).is_retired,
        removes=True,
    ),
    Case(
        "measurement_delete",
        "measurement_delete",
        on_measurement,
        data=lambda w: {},
        section="chart",
        saved=_gone("measurement"),
        removes=True,
    ),
    Case(
        "actual_delete",
        "actual_delete",
        on_actual,
        data=lambda w: {},
        section="actual",
        saved=_gone("actual"),
        removes=True,
    ),
    Case(
        "target_delete",
        "target_delete",
        on_target,
        data=lambda w: {"version": w.target.version},
        section="target",
        saved=_gone("target"),
        removes=True,
    ),
    Case(
        "obstacle_delete",
        "obstacle_delete",
        on_obstacle,
        data=lambda w: {"version": w.obstacle.version},
        section="obstacles",
        saved=_gone("obstacle"),
        removes=True,
    ),
    Case(
        "experiment_delete",
        "experiment_delete",
        on_experiment,
        data=lambda w: {"version": w.experiment.version},
        section="record",
        saved=_gone("experiment"),
        removes=True,
    ),
]

CASES = [
    Case("storyboard", "storyboard", board),
    Case("storyboard-section", "storyboard", board, query="?section=obstacles", htmx=True),
    Case("poll", "poll", board, query="?since=0"),
    Case("activity", "activity", board),
    Case("target", "target", on_target),
    Case(
        "target_new",
        "target_new",
        board,
        prepare=_close_target,
        data=lambda w: {
            "operating_pattern": NEW_PATTERN,
            "achieve_by": _later(),
            "process_name": "Walk per order",
            "process_unit": "m",
            "process_target": "400",
            "process_higher": "0",
            "outcome_higher": "1",
        },
        section="target",
        saved=lambda w: TargetCondition.objects.filter(
            storyboard=w.sb, status="active", operating_pattern=NEW_PATTERN
        ).exists(),
    ),
    Case(
        "target_edit",
        "target_edit",
        on_target,
        data=lambda w: {
            "version": w.target.version,
            "operating_pattern": NEW_PATTERN,
            "achieve_by": _later(),
        },
        section="target",
        saved=lambda w: _fresh(w.target).operating_pattern == NEW_PATTERN,
    ),
    Case(
        "target_close",
        "target_close",
        on_target,
        data=lambda w: {
            "version": w.target.version,
            "status": "achieved",
            "reflection": "The printer queue was the real obstacle.",
        },
        section="target",
        saved=lambda w: _fresh(w.target).status == "achieved",
    ),
    Case(
        "metric_edit",
        "metric_edit",
        on_metric,
        data=lambda w: {
            "version": w.metric.version,
            "name": "Minutes per pick",
            "unit": "min",
            "target_value": "28",
            "higher_is_better": "0",
        },
        section="target",
        saved=lambda w: _fresh(w.metric).name == "Minutes per pick",
    ),
    Case(
        "actual_new",
        "actual_new",
        board,
        data=lambda w: {"operating_pattern": "Pickers walk each aisle twice."},
        section="actual",
        saved=lambda w: ActualCondition.objects.filter(
            storyboard=w.sb, operating_pattern="Pickers walk each aisle twice."
        ).exists(),
    ),
    Case(
        "measurement_new",
        "measurement_new",
        board,
        data=lambda w: {"metric": w.metric.pk, "value": "31,5"},
        section="actual",
        saved=lambda w: w.metric.measurements.filter(value=Decimal("31.5")).exists(),
    ),
    Case(
        "obstacle_new",
        "obstacle_new",
        board,
        data=lambda w: {"description": "Carts too small for big orders"},
        section="obstacles",
        saved=lambda w: w.target.obstacles.filter(
            description="Carts too small for big orders"
        ).exists(),
    ),
    Case(
        "obstacle_edit",
        "obstacle_edit",
        on_obstacle,
        data=lambda w: {"version": w.obstacle.version, "description": "Pick list unsorted"},
        section="obstacles",
        saved=lambda w: _fresh(w.obstacle).description == "Pick list unsorted",
    ),
    Case(
        "obstacle_action-work-on",
        "obstacle_action",
        obstacle_action("work-on"),
        data=lambda w: {"version": w.obstacle.version},
        section="obstacles",
        saved=obstacle_status_is("working"),
        form_on_get=False,
    ),
    Case(
        "obstacle_action-clear",
        "obstacle_action",
        obstacle_action("clear"),
        data=lambda w: {"version": w.obstacle.version},
        section="obstacles",
        saved=obstacle_status_is("cleared"),
        form_on_get=False,
    ),
    Case(
        "obstacle_action-park",
        "obstacle_action",
        obstacle_action("park"),
        prepare=_work_on_obstacle,
        data=lambda w: {"version": w.obstacle.version},
        section="obstacles",
        saved=obstacle_status_is("parked"),
        form_on_get=False,
    ),
    Case(
        "obstacle_action-up",
        "obstacle_action",
        obstacle_action("up", second=True),
        data=lambda w: {},
        section="obstacles",
        saved=lambda w: _fresh(w.second_obstacle).position < _fresh(w.obstacle).position,
        form_on_get=False,
    ),
    Case(
        "obstacle_action-down",
        "obstacle_action",
        obstacle_action("down"),
        prepare=_make_second_obstacle,
        data=lambda w: {},
        section="obstacles",
        saved=lambda w: _fresh(w.obstacle).position > _fresh(w.second_obstacle).position,
        form_on_get=False,
    ),
    Case(
        "experiment_new",
        "experiment_new",
        board,
        data=lambda w: {"step": "Sort the pick list by aisle", "expected": "Below 35 minutes"},
        section="record",
        saved=lambda w: w.target.experiments.filter(step="Sort the pick list by aisle").exists(),
    ),
    Case(
        "experiment_edit",
        "experiment_edit",
        on_experiment,
        data=lambda w: {
            "version": w.experiment.version,
            "step": "Print the list sorted by aisle, then walk it",
            "expected": w.experiment.expected,
        },
        section="record",
        saved=lambda w: _fresh(w.experiment).step == "Print the list sorted by aisle, then walk it",
    ),
    Case(
        "experiment_result",
        "experiment_result",
        on_experiment,
        data=lambda w: {
            "version": w.experiment.version,
            "happened": "Pick time was 33 minutes",
            "learned": "Sorting helps",
        },
        section="record",
        saved=lambda w: _fresh(w.experiment).happened == "Pick time was 33 minutes",
    ),
    # The board's head: its heading and its people (boardsetup).
    Case(
        "storyboard_edit",
        "storyboard_edit",
        board,
        data=lambda w: {
            "version": w.sb.version,
            "focus_process": "Order picking, aisles 1 to 4",
            "challenge": w.sb.challenge_id,
        },
        section="head",
        saved=lambda w: _fresh(w.sb).focus_process == "Order picking, aisles 1 to 4",
    ),
    Case(
        "storyboard_hand_over",
        "storyboard_hand_over",
        board,
        data=lambda w: {"version": w.sb.version, "learner": w.sb.learner_id, "coach": ""},
        section="head",
        saved=lambda w: _fresh(w.sb).coach_id is None,
    ),
    *METRICS_CASES,
]

WRITES = [pytest.param(case, id=case.id) for case in CASES if case.is_write]
FORMS = [pytest.param(case, id=case.id) for case in CASES if case.is_write and case.form_on_get]
MATRIX = [
    pytest.param(case, method, id=f"{case.id}-{method}")
    for case in CASES
    for method in case.methods
]
# Cases whose URL names an object on the board (not just the board itself).
ON_AN_OBJECT = [
    pytest.param(case, method, id=f"{case.id}-{method}")
    for case in CASES
    if case.kwargs is not board
    for method in case.methods
]


@pytest.fixture
def world(storyboard, target, coach) -> World:
    return World(storyboard, target, coach)


@dataclass(frozen=True)
class Ready:
    """A request with everything it names already on the board."""

    method: str
    url: str
    data: dict | None
    headers: dict

    def send(self, client: Client):
        if self.method == "GET":
            return client.get(self.url, headers=self.headers)
        return client.post(self.url, self.data, headers=self.headers)


def _ready(w: World, case: Case, method: str, *, htmx: bool = False) -> Ready:
    if case.prepare is not None:
        case.prepare(w)
    return Ready(
        method=method,
        url=case.url(w),
        data=case.data(w) if method == "POST" else None,
        headers=HX if (htmx or case.htmx) else {},
    )


def _send(client: Client, w: World, case: Case, method: str, *, htmx: bool = False):
    return _ready(w, case, method, htmx=htmx).send(client)


def _trigger(response, event: str) -> dict:
    return json.loads(response.headers["HX-Trigger"])[event]


def _poll_detail(response) -> dict:
    """What a poll says changed: in its body (the header only names the event)."""
    assert _trigger_after_swap(response, "kata:changed") == {"revision": ANY}
    found = re.search(
        r'<div id="live-changes" hidden hx-swap-oob="true" data-changes="([^"]*)"', _html(response)
    )
    assert found, "the poll's details"
    return json.loads(unescape(found.group(1)))


def _trigger_after_swap(response, event: str) -> dict:
    return json.loads(response.headers["HX-Trigger-After-Swap"])[event]


def _html(response) -> str:
    return response.content.decode()


def test_every_board_url_is_in_the_permission_table():
    # The team's pages have their own tables in test_members.py and test_teams.py, setting up
    # its work in test_setup_views.py; the invitation link is for people without an account
    # yet (test_invitations.py).
    elsewhere = {"team", "invitation", *MEMBERS_URLS, *TEAMS_URLS, *SETUP_URLS}
    names = {
        p.name
        for p in boards.urls.urlpatterns
        if isinstance(p, URLPattern) and p.name not in elsewhere
    }
    assert names == {case.name for case in CASES}


@pytest.mark.parametrize(("case", "method"), MATRIX)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, case, method):
    ready = _ready(world, case, method)
    before = world.revision()
    response = ready.send(client)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert world.revision() == before


@pytest.mark.parametrize(("case", "method"), MATRIX)
def test_an_outsider_gets_404_for_every_board_url(client_for, outsider, world, case, method):
    ready = _ready(world, case, method)
    before = world.revision()
    assert ready.send(client_for(outsider)).status_code == 404
    assert world.revision() == before


@pytest.mark.parametrize("role", ["viewer", "manager"])
@pytest.mark.parametrize(("case", "method"), MATRIX)
def test_read_only_roles_read_the_board_and_are_refused_every_write(
    request, client_for, world, case, method, role
):
    client = client_for(request.getfixturevalue(role))
    ready = _ready(world, case, method)
    before = world.revision()
    response = ready.send(client)
    if case.is_write:
        assert response.status_code == 403
        assert world.revision() == before
        assert not case.saved(world)
    else:
        assert response.status_code == 200


@pytest.mark.parametrize(("case", "method"), MATRIX)
def test_a_member_can_read_and_write_everything(client_for, learner, world, case, method):
    ready = _ready(world, case, method)
    before = world.revision()
    response = ready.send(client_for(learner))
    if method == "GET":
        assert response.status_code == 200
        assert world.revision() == before
    else:
        assert response.status_code == 302
        assert response.url == f"{world.sb.get_absolute_url()}#{case.section}"
        assert world.revision() > before
        assert case.saved(world)


def test_an_unknown_section_is_404(client_for, learner, world):
    url = world.sb.get_absolute_url() + "?section=nonsense"
    assert client_for(learner).get(url, headers=HX).status_code == 404


def test_an_unknown_obstacle_action_is_404(client_for, learner, world):
    url = reverse("boards:obstacle_action", args=[world.sb.pk, world.obstacle.pk, "explode"])
    assert client_for(learner).post(url, {"version": 1}).status_code == 404


# Objects of another storyboard under this board's address ----------------------------------------


def _board_elsewhere(team: Team, by: User, focus: str) -> World:
    challenge = challenge_create(
        team=team, title="Pack every order in one go", horizon=timezone.localdate() + timedelta(90)
    )
    sb = storyboard_create(team=team, challenge=challenge, focus_process=focus, learner=by, by=by)
    target = target_condition_start(
        storyboard=sb,
        operating_pattern="Each parcel is packed at one bench.",
        achieve_by=timezone.localdate() + timedelta(days=14),
        process_metric={"name": "Pack time", "unit": "min", "target_value": "10"},
        by=by,
    )
    return World(sb, target, by)


@pytest.fixture(params=["same-team", "other-team"])
def elsewhere(request, team, learner, outsider) -> World:
    if request.param == "same-team":
        return _board_elsewhere(team, learner, "Packing")
    return _board_elsewhere(outsider.memberships.get().team, outsider, "Goods receipt")


@pytest.mark.parametrize(("case", "method"), ON_AN_OBJECT)
def test_an_object_of_another_board_is_404_under_this_board(
    client_for, learner, world, elsewhere, case, method
):
    there = _ready(elsewhere, case, method)
    # The other board's object, addressed under this board.
    kwargs = {**case.kwargs(elsewhere), "pk": world.sb.pk}
    url = reverse(f"boards:{case.name}", kwargs=kwargs) + case.query
    ready = Ready(method=method, url=url, data=there.data, headers=there.headers)
    before = (world.revision(), elsewhere.revision())
    assert ready.send(client_for(learner)).status_code == 404
    assert (world.revision(), elsewhere.revision()) == before
    if case.is_write:
        assert not case.saved(elsewhere)


# htmx fragment or plain form --------------------------------------------------------------------


@pytest.mark.parametrize("case", WRITES)
def test_an_htmx_write_answers_with_its_section_and_announces_the_save(
    client_for, learner, world, case
):
    ready = _ready(world, case, "POST", htmx=True)
    before = world.revision()
    response = ready.send(client_for(learner))
    assert response.status_code == 200
    html = _html(response)
    assert "<html" not in html
    assert f'id="{case.section}"' in html
    assert response.headers["HX-Retarget"] == f"#{case.section}"
    assert response.headers["HX-Reswap"] == "outerHTML"
    saved = _trigger(response, "kata:saved")
    assert saved["revision"] == world.revision()
    # Exactly the sections its logged changes show in, but for the one it carries itself.
    logged = Activity.objects.filter(storyboard=world.sb, revision__gt=before)
    shown = live.sections_for(logged.values_list("action", flat=True))
    assert saved["sections"] == [name for name in shown if name != case.section]
    assert "activity" in saved["sections"]
    assert case.section not in saved["sections"]
    assert case.saved(world)


@pytest.mark.parametrize("case", WRITES)
def test_a_plain_write_redirects_to_its_section_of_the_board(client_for, learner, world, case):
    client = client_for(learner)
    response = _send(client, world, case, "POST")
    assert response.status_code == 302
    assert response.url == f"{world.sb.get_absolute_url()}#{case.section}"
    assert "HX-Trigger" not in response.headers
    assert case.saved(world)
    page = client.get(response.url)
    assert 'class="message message-success"' in _html(page)


@pytest.mark.parametrize("case", FORMS)
def test_an_htmx_form_request_gets_only_the_form(client_for, learner, world, case):
    response = _send(client_for(learner), world, case, "GET", htmx=True)
    assert response.status_code == 200
    html = _html(response)
    assert "<form" in html
    assert 'class="item-form"' in html
    assert "<html" not in html


@pytest.mark.parametrize("case", FORMS)
def test_a_plain_form_request_gets_a_page_with_the_form(client_for, learner, world, case):
    response = _send(client_for(learner), world, case, "GET")
    assert response.status_code == 200
    html = _html(response)
    assert "<html" in html
    assert 'class="item-form"' in html
    assert f'method="post" action="{case.url(world)}"' in html


# Invalid input changes nothing -------------------------------------------------------------------


def _post(client, url: str, data: dict, *, htmx: bool):
    return client.post(url, data, headers=HX if htmx else {})


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize("expected", ["", "   "], ids=["blank", "spaces"])
def test_it_rejects_a_step_without_an_expectation(client_for, learner, world, htmx, expected):
    before = world.revision()
    url = reverse("boards:experiment_new", args=[world.sb.pk])
    response = _post(
        client_for(learner), url, {"step": "Sort the list", "expected": expected}, htmx=htmx
    )
    assert response.status_code == 422
    assert "Write what you expect before taking the step." in _html(response)
    assert not Experiment.objects.exists()
    assert world.revision() == before


NOT_SENSIBLE_NUMBERS = [
    ("abc", "Enter a number, such as 31 or 12.5."),
    ("nan", "Enter a number, such as 31 or 12.5."),
    ("inf", "Enter a number, such as 31 or 12.5."),
    ("1e20", "Enter a number smaller than ten billion."),
    ("12345678901", "Enter a number smaller than ten billion."),
    ("1.23456", "Use at most 4 decimal places."),
]


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize("value", [value for value, _ in NOT_SENSIBLE_NUMBERS] + [""])
def test_it_rejects_a_measurement_that_is_not_a_sensible_number(
    client_for, learner, world, htmx, value
):
    before = world.revision()
    url = reverse("boards:measurement_new", args=[world.sb.pk])
    response = _post(
        client_for(learner), url, {"metric": world.metric.pk, "value": value}, htmx=htmx
    )
    assert response.status_code == 422
    assert 'class="field has-error"' in _html(response)
    assert not Measurement.objects.exists()
    assert world.revision() == before


@pytest.mark.parametrize(
    ("value", "message"), [*NOT_SENSIBLE_NUMBERS, ("", "Enter the measured value.")]
)
def test_a_refused_measurement_says_what_a_number_looks_like(
    client_for, learner, world, value, message
):
    url = reverse("boards:measurement_new", args=[world.sb.pk])
    response = client_for(learner).post(
        url, {"metric": world.metric.pk, "value": value}, headers=HX
    )
    assert response.status_code == 422
    assert message in _html(response)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_it_rejects_a_blank_obstacle(client_for, learner, world, htmx):
    url = reverse("boards:obstacle_new", args=[world.sb.pk])
    response = _post(client_for(learner), url, {"description": "  "}, htmx=htmx)
    assert response.status_code == 422
    assert "Describe what stands between the actual and the target." in _html(response)
    assert not Obstacle.objects.exists()


def test_it_rejects_a_target_condition_due_in_the_past(client_for, learner, storyboard):
    before = storyboard.revision
    url = reverse("boards:target_new", args=[storyboard.pk])
    data = {
        "operating_pattern": NEW_PATTERN,
        "achieve_by": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "process_name": "Walk per order",
        "process_target": "400",
        "process_higher": "0",
        "outcome_higher": "1",
    }
    response = client_for(learner).post(url, data, headers=HX)
    assert response.status_code == 422
    assert "The achieve-by date cannot be in the past." in _html(response)
    assert not TargetCondition.objects.exists()
    assert _fresh(storyboard).revision == before


def test_it_refuses_a_second_active_target_condition(client_for, learner, world):
    url = reverse("boards:target_new", args=[world.sb.pk])
    response = client_for(learner).get(url, headers=HX)
    assert response.status_code == 409
    assert "already has an active target condition" in _html(response)
    assert TargetCondition.objects.filter(storyboard=world.sb).count() == 1


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_it_rejects_a_result_without_what_happened(client_for, learner, world, htmx):
    experiment = world.experiment
    url = reverse("boards:experiment_result", args=[world.sb.pk, experiment.pk])
    data = {"version": experiment.version, "happened": " ", "learned": "Sorting helps"}
    response = _post(client_for(learner), url, data, htmx=htmx)
    assert response.status_code == 422
    assert "Write what actually happened." in _html(response)
    after = _fresh(experiment)
    assert after.in_progress
    assert after.version == experiment.version
    assert after.learned == ""


def test_it_refuses_to_plan_while_a_step_is_in_progress(client_for, learner, world):
    in_progress = world.experiment
    client = client_for(learner)
    url = reverse("boards:experiment_new", args=[world.sb.pk])
    before = world.revision()
    response = client.post(url, {"step": "Another step", "expected": "Faster"}, headers=HX)
    assert response.status_code == 409
    html = _html(response)
    assert f"Step #{in_progress.number} is still in progress" in html
    assert 'id="record"' in html
    assert response.headers["HX-Retarget"] == "#record"
    # Without htmx the refusal goes back to the board with the same message.
    plain = client.post(url, {"step": "Another step", "expected": "Faster"}, follow=True)
    assert f"Step #{in_progress.number} is still in progress" in _html(plain)
    assert list(world.target.experiments.values_list("pk", flat=True)) == [in_progress.pk]
    assert world.revision() == before


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_it_rejects_closing_a_target_without_a_reflection(client_for, learner, world, htmx):
    url = reverse("boards:target_close", args=[world.sb.pk, world.target.pk])
    data = {"version": world.target.version, "status": "achieved", "reflection": ""}
    response = _post(client_for(learner), url, data, htmx=htmx)
    assert response.status_code == 422
    assert "Write a short reflection before closing." in _html(response)
    assert _fresh(world.target).is_active


def test_it_rejects_a_measurement_taken_in_the_future(client_for, learner, world):
    url = reverse("boards:measurement_new", args=[world.sb.pk])
    later = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {"metric": world.metric.pk, "value": "31", "measured_at": later}
    response = client_for(learner).post(url, data, headers=HX)
    assert response.status_code == 422
    assert "This time is in the future." in _html(response)
    assert not Measurement.objects.exists()


def test_a_result_with_a_bad_measurement_records_nothing(client_for, learner, world):
    experiment = world.experiment
    url = reverse("boards:experiment_result", args=[world.sb.pk, experiment.pk])
    data = {
        "version": experiment.version,
        "happened": "Took 33 minutes",
        "learned": "Sorting helps",
        "measurement_value": "abc",
    }
    response = client_for(learner).post(url, data, headers=HX)
    assert response.status_code == 422
    assert "Enter a number, such as 31 or 12.5." in _html(response)
    assert _fresh(experiment).in_progress
    assert not Measurement.objects.exists()


def test_a_result_with_a_measurement_adds_it_to_the_run_chart(client_for, learner, world):
    experiment = world.experiment
    url = reverse("boards:experiment_result", args=[world.sb.pk, experiment.pk])
    data = {
        "version": experiment.version,
        "happened": "Took 33 minutes",
        "learned": "Sorting helps",
        "measurement_value": "33",
    }
    response = client_for(learner).post(url, data, headers=HX)
    assert response.status_code == 200
    # The result's step and record, and the measurement's actual condition and chart.
    assert _trigger(response, "kata:saved")["sections"] == ["actual", "step", "chart", "activity"]
    [measurement] = Measurement.objects.all()
    assert measurement.experiment == experiment
    assert measurement.value == Decimal("33")


def test_it_refuses_to_work_on_a_cleared_obstacle(client_for, learner, coach, world):
    obstacle = world.obstacle
    obstacle_clear(obstacle=obstacle, version=obstacle.version, by=coach)
    before = world.revision()
    url = reverse("boards:obstacle_action", args=[world.sb.pk, obstacle.pk, "work-on"])
    response = client_for(learner).post(url, {"version": obstacle.version}, headers=HX)
    assert response.status_code == 422
    assert "This obstacle is cleared" in _html(response)
    assert _fresh(obstacle).status == Obstacle.Status.CLEARED
    assert world.revision() == before


def test_a_malformed_obstacle_version_is_a_bad_request(client_for, learner, world):
    url = reverse("boards:obstacle_action", args=[world.sb.pk, world.obstacle.pk, "clear"])
    response = client_for(learner).post(url, {"version": "abc"}, headers=HX)
    assert response.status_code == 400
    assert "That request was malformed." in _html(response)
    assert _fresh(world.obstacle).status == Obstacle.Status.PARKED


def test_a_closed_target_condition_is_read_only(client_for, learner, world):
    obstacle = world.obstacle
    _close_target(world)
    client = client_for(learner)
    edit = reverse("boards:target_edit", args=[world.sb.pk, world.target.pk])
    response = client.get(edit, headers=HX)
    assert response.status_code == 409
    assert "A closed target condition stays as it was." in _html(response)
    history = _html(client.get(reverse("boards:target", args=[world.sb.pk, world.target.pk])))
    assert obstacle.description in history
    assert "Sorting the list was most of it." in history
    assert edit not in history
    assert "/work-on" not in history


# Conflicts: someone else saved first -------------------------------------------------------------


def _hidden_version(html: str) -> int:
    match = re.search(r'<input type="hidden" name="version" value="(\d+)"', html)
    assert match, "no hidden version field"
    return int(match.group(1))


def _assert_conflict_form(response, *, who: str, theirs: str, mine: str, version: int) -> None:
    assert response.status_code == 409
    html = _html(response)
    assert f"{who} saved a change while you were editing." in html
    assert f'<td class="theirs">{theirs}</td>' in html
    assert f'<td class="mine">{mine}</td>' in html
    assert ">Use mine</button>" in html
    assert re.search(r"<a [^>]*>Keep theirs</a>", html)
    assert _hidden_version(html) == version


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_stale_obstacle_edit_is_refused_with_both_versions(
    client_for, learner, coach, world, htmx
):
    obstacle = world.obstacle
    stale = obstacle.version
    obstacle_update(
        obstacle=_fresh(obstacle), version=stale, description="Printer queue is slow", by=coach
    )
    client = client_for(learner)
    url = reverse("boards:obstacle_edit", args=[world.sb.pk, obstacle.pk])
    mine = {"version": stale, "description": "Pick list not sorted"}
    response = _post(client, url, mine, htmx=htmx)
    _assert_conflict_form(
        response,
        who="Carl Moss",
        theirs="Printer queue is slow",
        mine="Pick list not sorted",
        version=_fresh(obstacle).version,
    )
    assert _fresh(obstacle).description == "Printer queue is slow"

    retry = client.post(url, {**mine, "version": _hidden_version(_html(response))})
    assert retry.status_code == 302
    assert _fresh(obstacle).description == "Pick list not sorted"


def test_a_stale_result_is_refused_with_both_versions(client_for, learner, coach, world):
    experiment = world.experiment
    stale = experiment.version
    experiment_record_result(
        experiment=_fresh(experiment),
        version=stale,
        happened="Took 40 minutes",
        learned="The printer is the bottleneck",
        by=coach,
    )
    client = client_for(learner)
    url = reverse("boards:experiment_result", args=[world.sb.pk, experiment.pk])
    mine = {"version": stale, "happened": "Took 33 minutes", "learned": "Sorting helps"}
    response = client.post(url, mine, headers=HX)
    _assert_conflict_form(
        response,
        who="Carl Moss",
        theirs="Took 40 minutes",
        mine="Took 33 minutes",
        version=_fresh(experiment).version,
    )
    assert _fresh(experiment).happened == "Took 40 minutes"

    retry = client.post(url, {**mine, "version": _hidden_version(_html(response))})
    assert retry.status_code == 302
    assert _fresh(experiment).happened == "Took 33 minutes"


def test_a_stale_target_edit_is_refused_with_both_versions(client_for, learner, coach, world):
    target = world.target
    stale = target.version
    target_condition_update(
        target_condition=_fresh(target),
        version=stale,
        operating_pattern="Orders are batched by zone.",
        achieve_by=target.achieve_by,
        by=coach,
    )
    client = client_for(learner)
    url = reverse("boards:target_edit", args=[world.sb.pk, target.pk])
    mine = {"version": stale, "operating_pattern": NEW_PATTERN, "achieve_by": _later(14)}
    response = client.post(url, mine, headers=HX)
    _assert_conflict_form(
        response,
        who="Carl Moss",
        theirs="Orders are batched by zone.",
        mine=NEW_PATTERN,
        version=_fresh(target).version,
    )
    assert _fresh(target).operating_pattern == "Orders are batched by zone."

    retry = client.post(url, {**mine, "version": _hidden_version(_html(response))})
    assert retry.status_code == 302
    assert _fresh(target).operating_pattern == NEW_PATTERN


def _their_target_change(w: World, by: User) -> None:
    target_condition_update(
        target_condition=_fresh(w.target),
        version=w.target.version,
        operating_pattern="Orders are batched by zone.",
        achieve_by=w.target.achieve_by,
        by=by,
    )


def _their_heading_change(w: World, by: User) -> None:
    storyboard_update(
        storyboard=_fresh(w.sb),
        version=w.sb.version,
        focus_process="Order picking, Carl's wording",
        challenge=w.sb.challenge,
        by=by,
    )


# What the coach saves while the learner has the form open, for each form that edits a row.
THEIR_CHANGE: dict[str, Callable[[World, User], object]] = {
    "target_edit": _their_target_change,
    "target_close": _their_target_change,
    "metric_edit": lambda w, by: metric_update(
        metric=_fresh(w.metric),
        version=w.metric.version,
        name="Walk time",
        unit="min",
        target_value="25",
        higher_is_better=False,
        by=by,
    ),
    "obstacle_edit": lambda w, by: obstacle_update(
        obstacle=_fresh(w.obstacle), version=w.obstacle.version, description="Carts", by=by
    ),
    "experiment_edit": lambda w, by: experiment_update(
        experiment=_fresh(w.experiment),
        version=w.experiment.version,
        step="Walk the list backwards",
        expected=w.experiment.expected,
        obstacle=None,
        planned_for=None,
        by=by,
    ),
    "experiment_result": lambda w, by: experiment_record_result(
        experiment=_fresh(w.experiment),
        version=w.experiment.version,
        happened="Took 40 minutes",
        learned="The printer is the bottleneck",
        by=by,
    ),
    # The board's head: any change of the board's row makes the open form stale.
    "storyboard_edit": lambda w, by: _their_heading_change(w, by),
    "storyboard_hand_over": lambda w, by: _their_heading_change(w, by),
}
VERSIONED = [pytest.param(case, id=case.id) for case in CASES if case.id in THEIR_CHANGE]


def test_every_form_that_edits_a_row_has_a_conflict_case(world):
    versioned = {
        c.id
        for c in CASES
        if c.is_write and c.form_on_get and not c.removes and "version" in c.data(world)
    }
    assert set(THEIR_CHANGE) == versioned


def _edited_now(w: World, case: Case):
    """The row the case's form edits, as it is in the database now."""
    key = next((key for key in case.kwargs(w) if key != "pk"), None)
    return _fresh(w.sb if key is None else getattr(w, key.removesuffix("_pk")))


@pytest.mark.parametrize("case", VERSIONED)
def test_every_edit_form_refuses_a_stale_version(client_for, learner, coach, world, case):
    ready = _ready(world, case, "POST", htmx=True)
    THEIR_CHANGE[case.id](world, coach)
    before = world.revision()
    response = ready.send(client_for(learner))
    assert response.status_code == 409
    html = _html(response)
    assert "Carl Moss saved a change while you were editing." in html
    assert ">Use mine</button>" in html
    assert _hidden_version(html) == _edited_now(world, case).version
    assert world.revision() == before
    assert not case.saved(world)


def test_a_stale_obstacle_action_is_refused_and_changes_nothing(client_for, learner, coach, world):
    obstacle = world.obstacle
    stale = obstacle.version
    obstacle_update(
        obstacle=_fresh(obstacle), version=stale, description="Printer queue is slow", by=coach
    )
    before = world.revision()
    url = reverse("boards:obstacle_action", args=[world.sb.pk, obstacle.pk, "work-on"])
    response = client_for(learner).post(url, {"version": stale}, headers=HX)
    assert response.status_code == 409
    html = _html(response)
    assert "Carl Moss changed this obstacle a moment ago" in html
    assert "Nothing was changed." in html
    assert 'id="obstacles"' in html
    assert response.headers["HX-Retarget"] == "#obstacles"
    after = _fresh(obstacle)
    assert after.status == Obstacle.Status.PARKED
    assert after.version == stale + 1
    assert world.revision() == before
    # The lot comes back with the current version in its forms, ready to try again.
    assert f'name="version" value="{after.version}"' in html


# Live poll ---------------------------------------------------------------------------------------


def _poll_url(w: World, since: int) -> str:
    return reverse("boards:poll", args=[w.sb.pk]) + f"?since={since}"


def test_a_long_backlog_keeps_the_polls_headers_small(client_for, learner, coach, world):
    """Found in testing: fifty obstacles written in emoji put 178 KB into one HX-Trigger
    header; gunicorn then sent nothing at all and the board silently stopped updating."""
    since = world.revision()
    emoji = "\N{FACE WITH TEARS OF JOY}\N{ZERO WIDTH JOINER}" * 140
    for n in range(LISTED_CHANGES + 30):
        obstacle_add(target_condition=world.target, description=f"{n} {emoji}"[:300], by=coach)
    world.target.storyboard.refresh_from_db()
    experiment_plan(target_condition=world.target, step="Try", expected="Better", by=coach)
    response = client_for(learner).get(_poll_url(world, since))
    assert response.status_code == 200
    headers = "".join(f"{name}: {value}\r\n" for name, value in response.headers.items())
    assert len(headers.encode()) < 2048
    detail = _poll_detail(response)
    assert detail["revision"] == world.revision()
    assert len(detail["changes"]) == LISTED_CHANGES
    assert detail["changes"][-1]["sections"] == ["step", "record", "activity"]
    assert detail["more"] == 31  # counted, not listed
    # What the unlisted ones touched (the record waits for a first obstacle, so it shows too).
    assert detail["sections"] == ["obstacles", "record", "activity"]
    # From the very start of the board too.
    assert len(str(client_for(learner).get(_poll_url(world, 0)).headers).encode()) < 2048


def test_the_poll_is_empty_when_nothing_changed(client_for, viewer, world):
    response = client_for(viewer).get(_poll_url(world, world.revision()))
    assert response.status_code == 204
    assert response.content == b""
    assert "HX-Trigger" not in response.headers


def test_the_poll_lists_what_another_user_changed(client_for, learner, coach, world):
    client = client_for(learner)
    since = world.revision()
    obstacle = obstacle_add(target_condition=world.target, description="Carts too small", by=coach)
    now = world.revision()
    response = client.get(_poll_url(world, since))
    assert response.status_code == 200
    changed = _poll_detail(response)
    assert changed["revision"] == now
    [change] = changed["changes"]
    assert change["revision"] == now
    assert change["sections"] == ["obstacles", "record", "activity"]
    assert change["element"] == f"obstacle-{obstacle.pk}"
    assert change["summary"] == "Carl Moss: Added obstacle: Carts too small"
    html = _html(response)
    assert 'id="poller"' in html
    assert 'hx-swap-oob="true"' in html
    assert f"since={now}" in html
    # Asking again from the new revision: nothing more.
    assert client.get(_poll_url(world, now)).status_code == 204


def _add_experiments(target: TargetCondition, n: int) -> None:
    start = target.experiments.count()
    now = timezone.now()
    Experiment.objects.bulk_create(
        Experiment(
            target_condition=target,
            number=start + i + 1,
            step=f"Step {start + i + 1}",
            expected="Faster",
            happened="A little faster",
            learned="Keep going",
            result_recorded_at=now,
        )
        for i in range(n)
    )
    board_changed(targets=[target.pk])  # bulk_create sends no signals


def _add_measurements(metric: Metric, n: int, *, last: Decimal | None = None) -> None:
    now = timezone.now()
    rows = [
        Measurement(
            metric=metric,
            value=Decimal(30 + i % 10),
            measured_at=now - timedelta(minutes=n - i),
        )
        for i in range(n)
    ]
    if last is not None:
        rows[-1].value = last
    Measurement.objects.bulk_create(rows)
    board_changed(metrics=[metric.pk])


def _count(client, url: str, *, headers: dict | None = None, status: int = 200) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers or {})
    assert response.status_code == status
    return len(captured)


def test_an_unchanged_poll_costs_the_same_few_queries_whatever_the_board_holds(
    client_for, learner, world, django_assert_max_num_queries
):
    client = client_for(learner)
    _add_experiments(world.target, 5)
    url = _poll_url(world, world.revision())
    with django_assert_max_num_queries(POLL_UNCHANGED_QUERIES) as small:
        assert client.get(url).status_code == 204
    _add_experiments(world.target, 495)
    with django_assert_max_num_queries(POLL_UNCHANGED_QUERIES) as large:
        assert client.get(url).status_code == 204
    assert len(small) == len(large) == POLL_UNCHANGED_QUERIES


# Query counts of the board and its sections ------------------------------------------------------


def test_the_record_section_query_count_does_not_grow_with_experiments(
    client_for, learner, world, django_assert_max_num_queries
):
    client = client_for(learner)
    url = world.sb.get_absolute_url() + "?section=record"
    _add_experiments(world.target, 5)
    with django_assert_max_num_queries(RECORD_SECTION_QUERIES) as small:
        response = client.get(url, headers=HX)
    assert "<html" not in _html(response)
    assert _html(response).count('class="item') == 5
    _add_experiments(world.target, 495)
    with django_assert_max_num_queries(RECORD_SECTION_QUERIES) as large:
        response = client.get(url, headers=HX)
    assert _html(response).count('class="item') == 500
    assert len(small) == len(large)


def test_the_board_query_count_does_not_grow_with_experiments(
    client_for, learner, world, django_assert_max_num_queries
):
    client = client_for(learner)
    url = world.sb.get_absolute_url()
    _add_experiments(world.target, 5)
    with django_assert_max_num_queries(BOARD_QUERIES) as small:
        assert client.get(url).status_code == 200
    _add_experiments(world.target, 495)
    with django_assert_max_num_queries(BOARD_QUERIES) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large)


def test_the_board_query_count_does_not_grow_with_measurements(
    client_for, learner, world, django_assert_max_num_queries
):
    client = client_for(learner)
    url = world.sb.get_absolute_url()
    _add_measurements(world.metric, 5)
    with django_assert_max_num_queries(BOARD_QUERIES) as small:
        assert client.get(url).status_code == 200
    _add_measurements(world.metric, 495)
    with django_assert_max_num_queries(BOARD_QUERIES) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large)


def _chart(html: str) -> str:
    """The process metric's run chart (the first of the chart section)."""
    start = html.index('id="run-chart-', html.index('id="chart"'))
    return html[start : html.index("</figure>", start)]


def test_the_run_chart_thins_a_long_series_and_the_board_shows_the_latest_value(
    client_for, learner, world
):
    _add_measurements(world.metric, 1000, last=Decimal("41.75"))
    html = _html(client_for(learner).get(world.sb.get_absolute_url()))
    chart = _chart(html)
    assert 0 < chart.count("<circle") <= MAX_POINTS
    assert "1000 measurements of Pick time per order" in chart
    assert "Showing the high and low of each stretch of time." in chart
    assert "41.75 min" in html


def test_a_thinned_run_chart_still_reports_the_latest_measurement(client_for, learner, world):
    # Values swing between 30 and 39; the latest, 35.5, is neither extreme of its stretch.
    _add_measurements(world.metric, 1000, last=Decimal("35.5"))
    chart = _chart(_html(client_for(learner).get(world.sb.get_absolute_url())))
    assert "latest 35.5 min" in chart


def test_the_run_chart_says_so_when_there_are_no_measurements(client_for, learner, world):
    response = client_for(learner).get(world.sb.get_absolute_url())
    assert response.status_code == 200
    chart = _chart(_html(response))
    assert "No measurements yet" in chart
    assert "<circle" not in chart


def test_the_run_chart_draws_a_single_measurement(client_for, learner, world):
    measurement_add(metric=world.metric, value="33", by=learner)
    response = client_for(learner).get(world.sb.get_absolute_url())
    assert response.status_code == 200
    chart = _chart(_html(response))
    assert chart.count("<circle") == 1
    assert "No measurements yet" not in chart
    assert "latest 33 min" in chart


# Print and wall modes ----------------------------------------------------------------------------


def test_the_normal_board_shows_a_member_the_edit_controls(client_for, learner, world):
    world.obstacle  # noqa: B018
    html = _html(client_for(learner).get(world.sb.get_absolute_url()))
    assert "Plan next step" in html
    assert "/work-on" in html
    assert "mode-" not in html


@pytest.mark.parametrize("mode", ["print", "wall"])
def test_print_and_wall_modes_show_no_edit_controls(client_for, learner, world, mode):
    obstacle = world.obstacle
    response = client_for(learner).get(world.sb.get_absolute_url() + f"?mode={mode}")
    assert response.status_code == 200
    html = _html(response)
    assert f'<body class="page-board mode-{mode}"' in html
    assert obstacle.description in html
    assert "Plan next step" not in html
    assert "+ Obstacle" not in html
    assert "Record what you observe now" not in html
    action = reverse("boards:obstacle_action", args=[world.sb.pk, obstacle.pk, "work-on"])
    assert action not in html
    assert reverse("boards:obstacle_edit", args=[world.sb.pk, obstacle.pk]) not in html


def test_an_unknown_mode_is_the_normal_board(client_for, learner, world):
    html = _html(client_for(learner).get(world.sb.get_absolute_url() + "?mode=evil"))
    assert "mode-" not in html
    assert "Plan next step" in html


# Activity ----------------------------------------------------------------------------------------


def test_the_activity_page_lists_who_changed_what_with_before_and_after(
    client_for, viewer, learner, coach, world
):
    obstacle = world.obstacle  # added by the coach
    obstacle_update(
        obstacle=obstacle, version=obstacle.version, description="Printer queue", by=learner
    )
    actual_condition_record(
        storyboard=world.sb, operating_pattern="Two walks per order", by=learner
    )
    response = client_for(viewer).get(reverse("boards:activity", args=[world.sb.pk]))
    assert response.status_code == 200
    html = _html(response)
    assert "<strong>Carl Moss</strong>: Added obstacle: Pick list out of aisle order" in html
    assert "<strong>Lena Park</strong>: Changed obstacle: Printer queue" in html
    assert "<strong>Lena Park</strong>: Recorded the actual condition" in html
    assert "Before and after" in html
    assert "<dt>Description</dt><dd>Pick list out of aisle order</dd>" in html
    assert "<dt>Description</dt><dd>Printer queue</dd>" in html
    # Newest first.
    assert html.index("Recorded the actual condition") < html.index("Added obstacle")


def _entries(html: str) -> int:
    start = html.index('<ol class="plain activity-full">')
    return html[start : html.index("</ol>", start)].count("<li>")


def test_the_activity_page_is_paginated(client_for, viewer, learner, storyboard):
    for i in range(55):
        actual_condition_record(
            storyboard=storyboard, operating_pattern=f"Observation {i}", by=learner
        )
    client = client_for(viewer)
    url = reverse("boards:activity", args=[storyboard.pk])
    first = _html(client.get(url))
    assert _entries(first) == 50
    assert "Page 1 of 2" in first
    assert "Started the storyboard for Order picking" not in first
    second = client.get(url + "?page=2")
    assert second.status_code == 200
    html = _html(second)
    assert _entries(html) == 6
    assert "Page 2 of 2" in html
    assert "← Newer" in html
    assert "Started the storyboard for Order picking" in html


def test_the_activity_page_query_count_does_not_grow_with_entries(
    client_for, viewer, learner, storyboard
):
    client = client_for(viewer)
    url = reverse("boards:activity", args=[storyboard.pk])
    small = _count(client, url)
    for i in range(60):
        actual_condition_record(
            storyboard=storyboard, operating_pattern=f"Observation {i}", by=learner
        )
    assert _count(client, url) == small


def test_a_write_through_a_view_is_logged_with_the_member_who_made_it(client_for, learner, world):
    client_for(learner).post(
        reverse("boards:obstacle_new", args=[world.sb.pk]), {"description": "Carts too small"}
    )
    entry = Activity.objects.filter(storyboard=world.sb).order_by("-revision").first()
    assert entry.actor == learner
    assert entry.summary == "Added obstacle: Carts too small"
    assert entry.revision == world.revision()


# CSRF --------------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(learner) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    return client


def test_a_post_without_a_csrf_token_is_refused(csrf_client, world):
    csrf_client.get(world.sb.get_absolute_url())
    url = reverse("boards:obstacle_new", args=[world.sb.pk])
    response = csrf_client.post(url, {"description": "Carts too small"}, headers=HX)
    assert response.status_code == 403
    assert not Obstacle.objects.exists()


@pytest.mark.parametrize("source", ["cookie", "hx-headers"])
def test_a_post_with_the_csrf_token_htmx_sends_is_accepted(csrf_client, world, source):
    page = csrf_client.get(world.sb.get_absolute_url())
    if source == "cookie":
        token = csrf_client.cookies["csrftoken"].value
    else:
        match = re.search(r"hx-headers='(\{.*?\})'", _html(page))
        token = json.loads(match.group(1))["x-csrftoken"]
    url = reverse("boards:obstacle_new", args=[world.sb.pk])
    response = csrf_client.post(
        url, {"description": "Carts too small"}, headers={**HX, "X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert Obstacle.objects.filter(description="Carts too small").exists()
