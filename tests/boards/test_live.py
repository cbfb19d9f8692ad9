"""Live updates: the browser that saves a change and every other open browser refresh the same
sections, for every kind of change a board view makes."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.urls import reverse

from boards import live
from boards.board import SECTIONS
from boards.models import Activity, ActualCondition, Measurement, Storyboard
from boards.services.storyboards import storyboard_archive
from boards.services.targets import actual_condition_record
from tests.boards.test_board_views import (
    CASES,
    Case,
    World,
    _close_target,
    _poll_detail,
    _poll_url,
    _ready,
    _trigger,
)

pytestmark = pytest.mark.django_db

Action = Activity.Action

_BY_ID = {case.id: case for case in CASES}
CURRENT_CONDITION = {
    "process_name": "Walk per order",
    "process_unit": "m",
    "process_higher": "0",
    "process_value": "520",
    "outcome_name": "Orders shipped same day",
    "outcome_unit": "%",
    "outcome_higher": "1",
    "outcome_value": "81",
}


def _close_target_and_grasp(w: World) -> None:
    _close_target(w)
    actual_condition_record(
        storyboard=w.sb,
        operating_pattern="Two walks per order.",
        figures=[
            {"kind": "process", "name": "Walk per order", "unit": "m", "value": "520"},
            {"kind": "outcome", "name": "Orders shipped same day", "value": "81"},
        ],
        by=w.by,
    )


# Writes whose variants log other actions than the permission table's case does.
VARIANTS = [
    replace(
        _BY_ID["target_close"],
        id="target_close-abandoned",
        data=lambda w: {
            "version": w.target.version,
            "status": "abandoned",
            "reflection": "The printer moved; this target no longer made sense.",
        },
        saved=lambda w: type(w.target).objects.get(pk=w.target.pk).status == "abandoned",
    ),
    replace(
        _BY_ID["experiment_result"],
        id="experiment_result-with-measurement",
        data=lambda w: {
            "version": w.experiment.version,
            "happened": "Pick time was 33 minutes",
            "learned": "Sorting helps",
            "measurement_value": "33",
        },
        saved=lambda w: Measurement.objects.filter(experiment=w.experiment).exists(),
    ),
    # Issue 11: the current condition grasped with its figures while no target is active, and
    # the next target condition taking them up as its metrics' first measurements.
    replace(
        _BY_ID["actual_new"],
        id="actual_new-current-condition",
        prepare=_close_target,
        data=lambda w: {**CURRENT_CONDITION, "operating_pattern": "Two walks per order."},
        saved=lambda w: (
            [
                len(o.figure_list)
                for o in ActualCondition.objects.filter(operating_pattern="Two walks per order.")
            ]
            == [2]
        ),
    ),
    replace(
        _BY_ID["target_new"],
        id="target_new-from-current-condition",
        prepare=_close_target_and_grasp,
        data=lambda w: {
            **_BY_ID["target_new"].data(w),  # type: ignore[misc]
            "outcome_name": "Orders shipped same day",
            "outcome_unit": "%",
            "outcome_target": "95",
            "outcome_higher": "1",
        },
        saved=lambda w: (
            Measurement.objects.filter(
                metric__target_condition__storyboard=w.sb,
                metric__target_condition__status="active",
            ).count()
            == 2
        ),
    ),
]

# What each write logs, in order: every action a board view can produce is here.
LOGGED = {
    # Issue 11: metrics added and retired; what a member takes back.
    "metric_new": [Action.METRIC_ADDED],
    "metric_retire": [Action.METRIC_RETIRED],
    "measurement_delete": [Action.MEASUREMENT_DELETED],
    "actual_delete": [Action.ACTUAL_CONDITION_DELETED],
    "target_delete": [Action.TARGET_CONDITION_DELETED],
    "obstacle_delete": [Action.OBSTACLE_DELETED],
    "experiment_delete": [Action.EXPERIMENT_DELETED],
    "actual_new-current-condition": [Action.ACTUAL_CONDITION_RECORDED],
    "target_new-from-current-condition": [
        Action.TARGET_CONDITION_STARTED,
        Action.MEASUREMENT_ADDED,
        Action.MEASUREMENT_ADDED,
    ],
    "target_new": [Action.TARGET_CONDITION_STARTED],
    "target_edit": [Action.TARGET_CONDITION_UPDATED],
    "target_close": [Action.TARGET_CONDITION_ACHIEVED],
    "target_close-abandoned": [Action.TARGET_CONDITION_ABANDONED],
    "metric_edit": [Action.METRIC_UPDATED],
    "actual_new": [Action.ACTUAL_CONDITION_RECORDED],
    "measurement_new": [Action.MEASUREMENT_ADDED],
    "obstacle_new": [Action.OBSTACLE_ADDED],
    "obstacle_edit": [Action.OBSTACLE_UPDATED],
    "obstacle_action-work-on": [Action.OBSTACLE_WORKING_ON],
    "obstacle_action-clear": [Action.OBSTACLE_CLEARED],
    "obstacle_action-park": [Action.OBSTACLE_PARKED],
    "obstacle_action-up": [Action.OBSTACLE_MOVED],
    "obstacle_action-down": [Action.OBSTACLE_MOVED],
    "experiment_new": [Action.EXPERIMENT_PLANNED],
    "experiment_edit": [Action.EXPERIMENT_UPDATED],
    "experiment_result": [Action.EXPERIMENT_RESULT_RECORDED],
    "experiment_result-with-measurement": [
        Action.EXPERIMENT_RESULT_RECORDED,
        Action.MEASUREMENT_ADDED,
    ],
    "storyboard_edit": [Action.STORYBOARD_UPDATED],
    "storyboard_hand_over": [Action.STORYBOARD_HANDED_OVER],
}
# Changes no board view makes in place: the storyboard as a whole and its challenge, made from
# the team page or a page of their own (OFF_BOARD below), and coaching's sessions and cycles.
NOT_FROM_BOARD_VIEWS = {
    Action.STORYBOARD_CREATED,
    Action.STORYBOARD_ARCHIVED,
    Action.STORYBOARD_RESTORED,
    Action.CHALLENGE_UPDATED,
    Action.SESSION_SERIES_UPDATED,
    Action.SESSION_SERIES_CANCELLED,
    Action.SESSION_RESCHEDULED,
    Action.SESSION_CANCELLED,
    Action.COACHING_CYCLE_TARGET_RECORDED,
    Action.COACHING_CYCLE_FINISHED,
}

WRITES = [case for case in CASES if case.is_write] + VARIANTS


@pytest.fixture
def world(storyboard, target, coach) -> World:
    return World(storyboard, target, coach)


def test_every_write_says_what_it_logs():
    assert {case.id for case in WRITES} == set(LOGGED)


def test_the_writes_cover_every_kind_of_change_a_board_view_makes():
    logged = {action for actions in LOGGED.values() for action in actions}
    assert logged == set(Action) - NOT_FROM_BOARD_VIEWS


def _poll(client, w: World, since: int) -> list[dict]:
    response = client.get(_poll_url(w, since))
    assert response.status_code == 200
    return _poll_detail(response)["changes"]


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in WRITES])
def test_the_saving_response_refreshes_exactly_what_the_poll_refreshes(
    client_for, learner, coach, world, case: Case
):
    ready = _ready(world, case, "POST", htmx=True)
    before = world.revision()

    response = ready.send(client_for(learner))

    assert response.status_code == 200
    assert case.saved(world)
    assert response.headers["HX-Retarget"] == f"#{case.section}"
    saved = _trigger(response, "kata:saved")
    # The response carries its own section; its event names the others to refresh.
    assert case.section not in saved["sections"]
    refreshed_by_the_saver = sorted([case.section, *saved["sections"]])
    changes = _poll(client_for(coach), world, before)
    refreshed_elsewhere = sorted({name for change in changes for name in change["sections"]})
    assert refreshed_by_the_saver == refreshed_elsewhere
    # The changes it made, which the saver's poll then skips, are the ones the poll hands over.
    assert saved["revisions"] == [change["revision"] for change in changes]
    logged = Activity.objects.filter(storyboard=world.sb, revision__gt=before).order_by("revision")
    assert list(logged.values_list("action", flat=True)) == LOGGED[case.id]


# Changes made off the board (boardsetup) -------------------------------------------------------
# Archiving, restoring and rewording the challenge are done from the team page or a page of
# their own. An open board hears of them from the poll alone: it refreshes the sections the
# table names, and every section whose HTML the change altered is among them.


def _archive(w: World, client) -> None:
    client.post(reverse("boards:storyboard_archive", args=[w.sb.pk]))


def _restore(w: World, client) -> None:
    client.post(reverse("boards:storyboard_restore", args=[w.sb.pk]))


def _reword_challenge(w: World, client) -> None:
    url = reverse("boards:challenge_edit", args=[w.sb.team.slug, w.sb.challenge_id])
    data = {"version": 1, "title": "Same day, every order", "horizon": w.sb.challenge.horizon}
    client.post(url, data)


def _archived(w: World) -> None:
    storyboard_archive(storyboard=Storyboard.objects.get(pk=w.sb.pk), by=w.by)


# change -> (how the board is before, the change, what it logs)
OFF_BOARD = {
    "storyboard_archive": (None, _archive, [Action.STORYBOARD_ARCHIVED]),
    "storyboard_restore": (_archived, _restore, [Action.STORYBOARD_RESTORED]),
    "challenge_edit": (None, _reword_challenge, [Action.CHALLENGE_UPDATED]),
}
COACHING_PARTS = ("session", "session_series", "coaching_cycle")


def test_the_changes_made_off_the_board_are_all_covered():
    # Made off the board, logged on it: these, coaching's, and starting a board (before anyone
    # can have it open) are what the board views do not make.
    off_board = {action for _, _, actions in OFF_BOARD.values() for action in actions}
    coaching = {action for action in Action if action.value.split(".")[0] in COACHING_PARTS}
    assert off_board == NOT_FROM_BOARD_VIEWS - coaching - {Action.STORYBOARD_CREATED}


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _sections_as_seen(client, w: World) -> dict[str, str]:
    url = w.sb.get_absolute_url()
    seen = {}
    for name in SECTIONS:
        response = client.get(f"{url}?section={name}", headers={"HX-Request": "true"})
        seen[name] = CSRF.sub("", response.content.decode())
    return seen


@pytest.mark.parametrize("change", list(OFF_BOARD))
def test_a_change_made_off_the_board_refreshes_every_section_it_alters(
    client_for, learner, coach, world, change
):
    prepare, make, actions = OFF_BOARD[change]
    if prepare is not None:
        prepare(world)
    watcher = client_for(coach)
    before_html = _sections_as_seen(watcher, world)
    before = world.revision()

    make(world, client_for(learner))

    changes = _poll(watcher, world, before)
    logged = Activity.objects.filter(storyboard=world.sb, revision__gt=before).order_by("revision")
    assert list(logged.values_list("action", flat=True)) == actions
    refreshed = sorted({name for c in changes for name in c["sections"]})
    assert refreshed == sorted(live.sections_for(actions))
    after_html = _sections_as_seen(watcher, world)
    altered = {name for name in SECTIONS if after_html[name] != before_html[name]}
    assert altered <= set(refreshed), altered - set(refreshed)
    assert "head" in altered


# The table itself --------------------------------------------------------------------------------


def test_the_table_names_every_kind_of_change():
    assert set(live.SHOWN_IN) == set(Action)


def test_the_table_names_only_sections_the_board_has():
    named = {name for sections in live.SHOWN_IN.values() for name in sections}
    assert named | live.FEED <= set(SECTIONS)


def test_every_change_shows_in_the_activity_feed():
    for action in Action:
        assert "activity" in live.sections_for([action])


def test_a_coaching_change_refreshes_only_the_feed():
    assert live.sections_for([Action.SESSION_CANCELLED]) == ["activity"]


def test_an_action_the_table_does_not_know_refreshes_every_section():
    assert live.sections_for(["something.new"]) == SECTIONS


def test_changes_together_refresh_each_section_once_in_the_boards_order():
    actions = [Action.EXPERIMENT_RESULT_RECORDED, Action.MEASUREMENT_ADDED]
    assert live.sections_for(actions) == ["actual", "step", "chart", "record", "activity"]


def test_planning_or_recording_a_step_refreshes_the_step_in_progress():
    for action in (Action.EXPERIMENT_PLANNED, Action.EXPERIMENT_RESULT_RECORDED):
        assert live.sections_for([action]) == ["step", "record", "activity"]


def test_a_change_of_the_target_condition_refreshes_the_step_and_actual_condition_with_it():
    active = ["target", "actual", "step", "chart", "obstacles", "record"]
    assert live.sections_for([Action.TARGET_CONDITION_STARTED]) == [*active, "activity"]
    for closed in (Action.TARGET_CONDITION_ACHIEVED, Action.TARGET_CONDITION_ABANDONED):
        assert live.sections_for([closed]) == [*active, "history", "activity"]
