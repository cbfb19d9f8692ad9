"""Random and hostile input at every board form and service: a clear message or a success,
never a server error, and stored text always escaped when shown."""

import contextlib
import html
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boards.models import Obstacle
from boards.services.experiments import experiment_plan, experiment_record_result
from boards.services.obstacles import obstacle_add, obstacle_work_on
from boards.services.targets import actual_condition_record, measurement_add

HOSTILE = st.one_of(
    st.text(max_size=50),
    st.text(min_size=1, max_size=5).map(lambda chunk: chunk * 1000),  # very long text
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            "{{ request }}{% debug %}",
            "' OR 1=1 --",
            "\x00null byte",
            "🙂 Ünïcödé ☃ 日本語",
            "-1",
            "1e400",
            "NaN",
            "-Infinity",
            "9999999999.99999",
            "0.00001",
            "12,5",
            "   ",
            "",
        ]
    ),
)
DATES = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(str),
    st.sampled_from(["", "not a date", "2026-02-30", "99999-01-01", "0000-00-00"]),
)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
OK_STATUSES = {200, 302, 400, 409, 422}


def board_post(client, name: str, storyboard, data: dict, **kwargs):
    url = reverse(f"boards:{name}", kwargs={"pk": storyboard.pk, **kwargs})
    return client.post(url, data, HTTP_HX_REQUEST="true")


@pytest.fixture
def member_client(client_for, learner):
    return client_for(learner)


@FUZZ
@given(description=HOSTILE)
def test_obstacle_forms_never_fail(member_client, target, description):
    response = board_post(
        member_client, "obstacle_new", target.storyboard, {"description": description}
    )
    assert response.status_code in OK_STATUSES


@FUZZ
@given(step=HOSTILE, expected=HOSTILE, planned_for=DATES, obstacle=HOSTILE)
def test_planning_a_step_never_fails(member_client, target, step, expected, planned_for, obstacle):
    data = {"step": step, "expected": expected, "planned_for": planned_for, "obstacle": obstacle}
    response = board_post(member_client, "experiment_new", target.storyboard, data)
    assert response.status_code in OK_STATUSES
    # Leave room for the next example to plan again.
    target.experiments.filter(result_recorded_at=None).delete()


@FUZZ
@given(value=HOSTILE, measured_at=st.one_of(DATES, HOSTILE), note=HOSTILE, metric=HOSTILE)
def test_measurements_never_fail(member_client, target, value, measured_at, note, metric):
    process = target.metrics.get(kind="process")
    for metric_value in (str(process.pk), metric):
        data = {"metric": metric_value, "value": value, "measured_at": measured_at, "note": note}
        response = board_post(member_client, "measurement_new", target.storyboard, data)
        assert response.status_code in OK_STATUSES


@FUZZ
@given(pattern=HOSTILE, achieve_by=DATES, target_value=HOSTILE, name=HOSTILE, higher=HOSTILE)
def test_setting_a_target_condition_never_fails(
    member_client, storyboard, pattern, achieve_by, target_value, name, higher
):
    data = {
        "operating_pattern": pattern,
        "achieve_by": achieve_by,
        "process_name": name,
        "process_target": target_value,
        "process_higher": higher,
        "outcome_name": name,
        "outcome_target": target_value,
    }
    response = board_post(member_client, "target_new", storyboard, data)
    assert response.status_code in OK_STATUSES


@FUZZ
@given(happened=HOSTILE, learned=HOSTILE, value=HOSTILE, version=HOSTILE, tok=HOSTILE)
def test_recording_a_result_never_fails(
    member_client, target, learner, happened, learned, value, version, tok
):
    experiment = target.experiments.filter(result_recorded_at=None).first()
    if experiment is None:
        experiment = experiment_plan(
            target_condition=target, step="Try it", expected="It works", by=learner
        )
    data = {
        "happened": happened,
        "learned": learned,
        "measurement_value": value,
        "version": version,
        "threshold_of_knowledge": tok,
    }
    response = board_post(
        member_client, "experiment_result", target.storyboard, data, experiment_pk=experiment.pk
    )
    assert response.status_code in OK_STATUSES


@FUZZ
@given(version=HOSTILE, action=st.sampled_from(["work-on", "clear", "park", "up", "down"]))
def test_obstacle_actions_never_fail(member_client, target, learner, version, action):
    obstacle = Obstacle.objects.filter(target_condition=target).first() or obstacle_add(
        target_condition=target, description="Printer jams", by=learner
    )
    response = board_post(
        member_client,
        "obstacle_action",
        target.storyboard,
        {"version": version},
        obstacle_pk=obstacle.pk,
        action=action,
    )
    assert response.status_code in OK_STATUSES


@FUZZ
@given(value=HOSTILE, text=HOSTILE)
def test_services_refuse_bad_input_with_a_validation_error(target, learner, value, text):
    metric = target.metrics.get(kind="process")
    for call in (
        lambda: measurement_add(metric=metric, value=value, by=learner),
        lambda: obstacle_add(target_condition=target, description=text, by=learner),
        lambda: actual_condition_record(
            storyboard=target.storyboard, operating_pattern=text, by=learner
        ),
    ):
        with contextlib.suppress(ValidationError):
            call()


def test_stored_text_is_escaped_on_every_page(member_client, target, learner):
    evil = '<script>alert("kata")</script><img src=x onerror=alert(1)>'
    obstacle = obstacle_add(target_condition=target, description=evil, by=learner)
    obstacle_work_on(obstacle=obstacle, version=obstacle.version, by=learner)
    actual_condition_record(storyboard=target.storyboard, operating_pattern=evil, by=learner)
    step = experiment_plan(
        target_condition=target, step=evil, expected=evil, obstacle=obstacle, by=learner
    )
    experiment_record_result(
        experiment=step, version=step.version, happened=evil, learned=evil, by=learner
    )
    pages = [
        target.storyboard.get_absolute_url(),
        target.storyboard.get_absolute_url() + "?mode=print",
        reverse("boards:activity", args=[target.storyboard.pk]),
        reverse("boards:team", args=[target.storyboard.team.slug]),
        "/",
    ]
    for url in pages:
        body = member_client.get(url).content.decode()
        assert "<script>alert" not in body, url
        assert "<img src=x" not in body, url
    board = member_client.get(pages[0]).content.decode()
    assert (
        html.escape(evil, quote=False).replace("&quot;", '"') in board or "&lt;script&gt;" in board
    )


def test_far_away_dates_get_a_clear_message(member_client, storyboard):
    far = date.today() + timedelta(days=3650)
    response = board_post(
        member_client,
        "target_new",
        storyboard,
        {
            "operating_pattern": "Flow",
            "achieve_by": str(far),
            "process_name": "Lead time",
            "process_target": "3",
            "process_higher": "0",
        },
    )
    assert response.status_code == 422
    assert "within a year" in response.content.decode()
