"""Extreme dates, times and numbers at every board form and service (issue 12, item 1).

Whatever a member types or a caller passes, a date or time outside 1970 to 2200 is refused with
a clear message (``boards.validators``), nothing is a server error, and whatever was stored
every page that shows the board still answers: the board, its print and wall views, the
activity log, the dashboard and its CSV, and the team's JSON export. Run on PostgreSQL as well:
that is where a date BC, once stored, took the board down for every reader.
"""

from __future__ import annotations

import contextlib
import importlib
import pkgutil
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from boards.models import Experiment, Measurement, Metric, TargetCondition
from boards.services.experiments import (
    experiment_plan,
    experiment_record_result,
    experiment_update,
)
from boards.services.metrics import metric_add
from boards.services.obstacles import obstacle_add, obstacle_clear
from boards.services.storyboards import challenge_create, challenge_update, storyboard_create
from boards.services.targets import (
    actual_condition_record,
    measurement_add,
    metric_update,
    target_condition_start,
    target_condition_update,
)
from boards.validators import OUT_OF_RANGE, validate_sensible_date, validate_single_line
from tests.extreme import (
    ANSWERS,
    AWARE_MOMENTS,
    DAY_TEXT,
    DAYS,
    FUZZ,
    MOMENT_TEXT,
    NUMBER_TEXT,
    NUMBERS,
    WHOLE_TEXT,
    ZONES,
    assert_nothing_out_of_range,
    assert_pages_show,
    footprint,
    in_zone,
    or_plain,
    stored_and_shown,
    varied,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
IN_TWO_WEEKS = date.today() + timedelta(days=14)


def post(client, name: str, storyboard, data: dict, **kwargs):
    url = reverse(f"boards:{name}", kwargs={"pk": storyboard.pk, **kwargs})
    return client.post(url, data)


@pytest.fixture
def reader(client_for, learner):
    """The learner, a member who may write to the board, in Berlin as in the report."""
    in_zone(learner, "Europe/Berlin")
    return client_for(learner)


@pytest.fixture
def admin(client_for, team_admin):
    """The team's administrator, who may download its JSON export."""
    return client_for(team_admin)


@pytest.fixture
def world(target, learner):
    """A board in mid-experiment: the process metric, a step in progress, an obstacle."""
    step = experiment_plan(target_condition=target, step="Sort by aisle", expected="30", by=learner)
    obstacle = obstacle_add(target_condition=target, description="Printer jams", by=learner)
    return SimpleNamespace(
        target=target,
        storyboard=target.storyboard,
        process=target.metrics.get(kind="process"),
        step=step,
        obstacle=obstacle,
        learner=learner,
    )


# The report, through the forms ----------------------------------------------------------------


def test_a_measurement_in_year_one_is_refused_and_the_board_stays_up(reader, admin, target):
    process = target.metrics.get(kind="process")
    response = post(
        reader,
        "measurement_new",
        target.storyboard,
        {"metric": process.pk, "value": "31", "measured_at": "0001-01-01T00:00"},
    )
    assert response.status_code == 422
    assert OUT_OF_RANGE in response.content.decode()
    assert not Measurement.objects.exists()
    assert_nothing_out_of_range()
    assert_pages_show(target.storyboard, reader=reader, admin=admin)


def test_a_result_measured_in_year_one_is_refused_and_changes_nothing(reader, admin, world):
    response = post(
        reader,
        "experiment_result",
        world.storyboard,
        {
            "happened": "Pick time 33 min",
            "learned": "The route was not the wait",
            "measurement_value": "33",
            "measured_at": "0001-01-01",
            "version": world.step.version,
        },
        experiment_pk=world.step.pk,
    )
    assert response.status_code == 422
    assert OUT_OF_RANGE in response.content.decode()
    assert Experiment.objects.get(pk=world.step.pk).result_recorded_at is None
    assert not Measurement.objects.exists()
    assert_pages_show(world.storyboard, reader=reader, admin=admin)


OUT_OF_RANGE_DAYS = ["0001-01-01", "1969-12-31", "2201-01-01", "9999-12-31"]


@pytest.mark.parametrize("day", OUT_OF_RANGE_DAYS)
@pytest.mark.parametrize("form", ["experiment_new", "experiment_edit", "target_edit"])
def test_every_board_form_with_a_date_refuses_one_out_of_range(reader, admin, world, form, day):
    if form == "experiment_new":
        Experiment.objects.filter(pk=world.step.pk).delete()  # room to plan a step
        response = post(
            reader, form, world.storyboard, {"step": "Try", "expected": "Works", "planned_for": day}
        )
    elif form == "experiment_edit":
        response = post(
            reader,
            form,
            world.storyboard,
            {"step": "Try", "expected": "30", "planned_for": day, "version": world.step.version},
            experiment_pk=world.step.pk,
        )
    else:
        response = post(
            reader,
            form,
            world.storyboard,
            {"operating_pattern": "Flow", "achieve_by": day, "version": world.target.version},
            target_pk=world.target.pk,
        )
    assert response.status_code == 422
    assert OUT_OF_RANGE in response.content.decode()
    assert_nothing_out_of_range()
    assert_pages_show(world.storyboard, reader=reader, admin=admin)


@pytest.mark.parametrize("day", OUT_OF_RANGE_DAYS)
def test_a_target_condition_due_out_of_range_is_refused(reader, storyboard, day):
    data = {
        "operating_pattern": "Flow",
        "achieve_by": day,
        "process_name": "Lead time",
        "process_target": "3",
        "process_higher": "0",
    }
    response = post(reader, "target_new", storyboard, data)
    assert response.status_code == 422
    assert OUT_OF_RANGE in response.content.decode()
    assert not TargetCondition.objects.exists()


@pytest.mark.parametrize("day", OUT_OF_RANGE_DAYS)
@pytest.mark.parametrize("form", ["challenge_new", "challenge_edit"])
def test_a_challenge_dated_out_of_range_is_refused(reader, admin, world, form, day):
    challenge = world.storyboard.challenge
    data = {"title": "Ship every order the day it arrives", "horizon": day}
    if form == "challenge_edit":
        url = reverse("boards:challenge_edit", args=[world.storyboard.team.slug, challenge.pk])
        data["version"] = challenge.version
    else:
        url = reverse("boards:challenge_new", args=[world.storyboard.team.slug])
    response = reader.post(url, data)
    assert response.status_code == 422
    assert OUT_OF_RANGE in response.content.decode()
    assert type(challenge).objects.get().horizon == challenge.horizon
    assert_pages_show(world.storyboard, reader=reader, admin=admin)


def test_the_start_of_1970_is_read_in_utc_too(reader, world):
    # Midnight on 1 January 1970 in Berlin is 23:00 UTC the day before: refused; an hour later
    # both readings are in 1970.
    process = world.process
    data = {"metric": process.pk, "value": "31", "measured_at": "1970-01-01T01:00"}
    assert post(reader, "measurement_new", world.storyboard, data).status_code == 302
    data["measured_at"] = "1970-01-01T00:59"
    response = post(reader, "measurement_new", world.storyboard, data)
    assert response.status_code == 422
    assert OUT_OF_RANGE in response.content.decode()
    assert list(process.measurements.values_list("measured_at", flat=True)) == [
        datetime(1970, 1, 1, 0, 0, tzinfo=UTC)
    ]


# The report, through the services -------------------------------------------------------------

OUT_OF_RANGE_VALUES = [
    pytest.param(datetime(1, 1, 1, tzinfo=BERLIN), date(1, 1, 1), id="year-1-berlin"),
    pytest.param(datetime(1969, 12, 31, 23, 30, tzinfo=UTC), date(1969, 12, 31), id="1969"),
    pytest.param(datetime(2201, 1, 1, tzinfo=UTC), date(2201, 1, 1), id="2201"),
    pytest.param(
        datetime(9999, 12, 31, 23, 59, tzinfo=NEW_YORK), date(9999, 12, 31), id="year-9999-ny"
    ),
]
SERVICES = {
    "measurement_add": (
        "measured_at",
        lambda w, moment, day: measurement_add(
            metric=w.process, value="31", measured_at=moment, by=w.learner
        ),
    ),
    "experiment_record_result": (
        "measured_at",
        lambda w, moment, day: experiment_record_result(
            experiment=w.step,
            version=w.step.version,
            happened="33 min",
            learned="Not the route",
            measurement_value="33",
            measured_at=moment,
            by=w.learner,
        ),
    ),
    "actual_condition_record": (
        "observed_at",
        lambda w, moment, day: actual_condition_record(
            storyboard=w.storyboard, operating_pattern="Two walks", observed_at=moment, by=w.learner
        ),
    ),
    "obstacle_clear": (
        "cleared_on",
        lambda w, moment, day: obstacle_clear(
            obstacle=w.obstacle, version=w.obstacle.version, cleared_on=moment, by=w.learner
        ),
    ),
    "experiment_plan": (
        "planned_for",
        lambda w, moment, day: experiment_plan(
            target_condition=w.target, step="Try", expected="Works", planned_for=day, by=w.learner
        ),
    ),
    "experiment_update": (
        "planned_for",
        lambda w, moment, day: experiment_update(
            experiment=w.step,
            version=w.step.version,
            step="Try",
            expected="30",
            obstacle=None,
            planned_for=day,
            by=w.learner,
        ),
    ),
    "target_condition_start": (
        "achieve_by",
        lambda w, moment, day: target_condition_start(
            storyboard=w.storyboard, operating_pattern="Flow", achieve_by=day, by=w.learner
        ),
    ),
    "target_condition_update": (
        "achieve_by",
        lambda w, moment, day: target_condition_update(
            target_condition=w.target,
            version=w.target.version,
            operating_pattern="Flow",
            achieve_by=day,
            by=w.learner,
        ),
    ),
    "challenge_create": (
        "horizon",
        lambda w, moment, day: challenge_create(
            team=w.storyboard.team, title="Another challenge", horizon=day
        ),
    ),
    "challenge_update": (
        "horizon",
        lambda w, moment, day: challenge_update(
            challenge=w.storyboard.challenge,
            version=w.storyboard.challenge.version,
            title="Ship every order the day it arrives",
            horizon=day,
            description="",
            by=w.learner,
        ),
    ),
}


@pytest.mark.parametrize(("moment", "day"), OUT_OF_RANGE_VALUES)
@pytest.mark.parametrize("service", SERVICES)
def test_every_board_service_refuses_a_date_out_of_range(
    reader, admin, world, service, moment, day
):
    field, call = SERVICES[service]
    before = footprint(world.storyboard)
    with pytest.raises(ValidationError) as refused:
        call(world, moment, day)
    assert refused.value.message_dict == {field: [OUT_OF_RANGE]}
    assert footprint(world.storyboard) == before
    assert_nothing_out_of_range()
    assert_pages_show(world.storyboard, reader=reader, admin=admin)


# One rule for every field ----------------------------------------------------------------------


APPS = ("boards", "coaching", "kata")


def _forms() -> list[type[forms.BaseForm]]:
    """Every form class the apps define, in whichever module: a new module of forms is found."""
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in module.name:
                continue
            try:
                importlib.import_module(module.name)
            except ModuleNotFoundError as error:
                if (error.name or "").split(".")[0] in APPS:
                    raise
                # A tool only the benchmark installs (locust): its modules hold no forms.
    found, pending = [], [forms.BaseForm]
    while pending:
        for form in pending.pop().__subclasses__():
            pending.append(form)
            if form.__module__.split(".")[0] in APPS and form not in found:
                found.append(form)
    return found


def test_every_date_and_time_field_of_every_form_keeps_to_the_range():
    fields = [
        (form.__name__, name, field)
        for form in _forms()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField | forms.DateTimeField)
    ]
    without = [
        (form, name)
        for form, name, field in fields
        if validate_sensible_date not in field.validators
    ]
    assert without == []
    # The forms of the report and of item 2 are among them: the walk found the fields.
    names = {(form, name) for form, name, _ in fields}
    assert {
        ("MeasurementForm", "measured_at"),
        ("ExperimentResultForm", "measured_at"),
        ("ExperimentPlanForm", "planned_for"),
        ("TargetConditionForm", "achieve_by"),
        ("ScheduleFields", "start_date"),
        ("ScheduleFields", "until"),
        ("SessionMoveForm", "starts_at"),
        ("WhenStepForm", "when"),
        ("ChallengeForm", "horizon"),
    } <= names


def test_every_name_field_of_every_form_keeps_to_one_line():
    names = [
        (form.__name__, name)
        for form in _forms()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.CharField)
        and (name.endswith(("name", "unit")) or name in ("title", "focus_process"))
        and name != "username"  # the username's own validator allows letters, digits, @.+-_
        and validate_single_line not in field.validators
    ]
    assert names == []


# Property: any date, time and number, in any zone, at every board form -------------------------


@FUZZ
@given(zone=ZONES, value=or_plain(NUMBER_TEXT, "31"), measured_at=or_plain(MOMENT_TEXT, ""))
def test_a_measurement_of_any_value_at_any_time_never_breaks_the_board(
    reader, admin, learner, target, zone, value, measured_at
):
    in_zone(learner, zone)
    before = footprint(target.storyboard)
    process = target.metrics.get(kind="process")
    data = {"metric": process.pk, "value": value, "measured_at": measured_at}
    response = post(reader, "measurement_new", target.storyboard, data)
    assert response.status_code in ANSWERS
    stored_and_shown(before, target.storyboard, reader=reader, admin=admin)


@FUZZ
@given(zone=ZONES, value=or_plain(NUMBER_TEXT, "31"), measured_at=or_plain(MOMENT_TEXT, ""))
def test_a_result_with_any_measurement_never_breaks_the_board(
    reader, admin, learner, target, zone, value, measured_at
):
    in_zone(learner, zone)
    before = footprint(target.storyboard)
    step = target.experiments.filter(result_recorded_at=None).first() or experiment_plan(
        target_condition=target, step="Try", expected="Works", by=learner
    )
    data = {
        "happened": "It worked",
        "learned": "Something",
        "measurement_value": value,
        "measured_at": measured_at,
        "version": step.version,
    }
    response = post(reader, "experiment_result", target.storyboard, data, experiment_pk=step.pk)
    assert response.status_code in ANSWERS
    stored_and_shown(before, target.storyboard, reader=reader, admin=admin)


@FUZZ
@given(zone=ZONES, planned_for=DAY_TEXT, edit=st.booleans())
def test_a_step_planned_for_any_day_never_breaks_the_board(
    reader, admin, learner, target, zone, planned_for, edit
):
    in_zone(learner, zone)
    before = footprint(target.storyboard)
    step = target.experiments.filter(result_recorded_at=None).first()
    if edit and step is not None:
        data = {"step": "Try", "expected": "Works", "planned_for": planned_for}
        data["version"] = step.version
        response = post(reader, "experiment_edit", target.storyboard, data, experiment_pk=step.pk)
    else:
        target.experiments.filter(result_recorded_at=None).delete()
        data = {"step": "Try", "expected": "Works", "planned_for": planned_for}
        response = post(reader, "experiment_new", target.storyboard, data)
    assert response.status_code in ANSWERS
    stored_and_shown(before, target.storyboard, reader=reader, admin=admin)


NEW_TARGET = varied(
    {
        "operating_pattern": "Flow",
        "achieve_by": IN_TWO_WEEKS.isoformat(),
        "process_name": "Lead time",
        "process_target": "30",
        "process_higher": "0",
        "outcome_name": "On time",
        "outcome_target": "95",
        "outcome_higher": "1",
    },
    {"achieve_by": DAY_TEXT, "process_target": NUMBER_TEXT, "outcome_target": NUMBER_TEXT},
)


@FUZZ
@given(zone=ZONES, data=NEW_TARGET)
def test_a_target_condition_of_any_date_and_targets_never_breaks_the_board(
    reader, admin, learner, storyboard, zone, data
):
    in_zone(learner, zone)
    TargetCondition.objects.filter(storyboard=storyboard).delete()  # room to set one
    before = footprint(storyboard)
    response = post(reader, "target_new", storyboard, data)
    assert response.status_code in ANSWERS
    stored_and_shown(before, storyboard, reader=reader, admin=admin)


@FUZZ
@given(zone=ZONES, achieve_by=DAY_TEXT, value=NUMBER_TEXT, version=WHOLE_TEXT)
def test_editing_a_target_condition_or_metric_with_any_value_never_breaks_the_board(
    reader, admin, learner, target, zone, achieve_by, value, version
):
    in_zone(learner, zone)
    target.refresh_from_db()
    process = target.metrics.get(kind="process")
    before = footprint(target.storyboard)
    for name, data, kwargs in [
        (
            "target_edit",
            {"operating_pattern": "Flow", "achieve_by": achieve_by, "version": target.version},
            {"target_pk": target.pk},
        ),
        (
            "metric_edit",
            {"name": "Lead time", "target_value": value, "higher_is_better": "0"}
            | {"version": process.version},
            {"metric_pk": process.pk},
        ),
        (
            "metric_edit",
            {"name": "Lead time", "target_value": "3", "higher_is_better": "0"}
            | {"version": version},
            {"metric_pk": process.pk},
        ),
    ]:
        response = post(reader, name, target.storyboard, data, **kwargs)
        assert response.status_code in ANSWERS, name
    stored_and_shown(before, target.storyboard, reader=reader, admin=admin)


@FUZZ
@given(
    zone=ZONES,
    horizon=or_plain(DAY_TEXT, (date.today() + timedelta(days=400)).isoformat()),
    version=or_plain(WHOLE_TEXT, None),
    new=st.booleans(),
)
def test_a_challenge_of_any_date_never_breaks_the_board(
    reader, admin, learner, target, zone, horizon, version, new
):
    in_zone(learner, zone)
    board = target.storyboard
    challenge = type(board.challenge).objects.get(pk=board.challenge_id)
    before = footprint(board)
    data = {"title": "Ship every order the day it arrives", "horizon": horizon}
    if new:
        url = reverse("boards:challenge_new", args=[board.team.slug])
    else:
        url = reverse("boards:challenge_edit", args=[board.team.slug, challenge.pk])
        data["version"] = challenge.version if version is None else version
    assert reader.post(url, data).status_code in ANSWERS
    assert reader.get(reverse("boards:team", args=[board.team.slug])).status_code == 200
    stored_and_shown(before, board, reader=reader, admin=admin)


@FUZZ
@given(zone=ZONES, target_value=NUMBER_TEXT)
def test_a_metric_added_with_any_target_never_breaks_the_board(
    reader, admin, learner, target, zone, target_value
):
    in_zone(learner, zone)
    Metric.objects.filter(target_condition=target, kind="outcome").delete()  # room for one
    before = footprint(target.storyboard)
    data = {"kind": "outcome", "name": "On time", "unit": "%", "higher_is_better": "1"}
    data["target_value"] = target_value
    assert post(reader, "metric_new", target.storyboard, data).status_code in ANSWERS
    stored_and_shown(before, target.storyboard, reader=reader, admin=admin)


@FUZZ
@given(
    zone=ZONES,
    figures=varied(
        {"process_value": "41", "outcome_value": "80"},
        {"process_value": NUMBER_TEXT, "outcome_value": NUMBER_TEXT},
    ),
)
def test_a_current_condition_with_any_figures_never_breaks_the_board(
    reader, admin, learner, storyboard, zone, figures
):
    in_zone(learner, zone)
    before = footprint(storyboard)
    data = {
        "operating_pattern": "Pickers walk each aisle twice",
        "process_name": "Pick time",
        "process_unit": "min",
        "process_higher": "0",
        "outcome_name": "Same-day orders",
        "outcome_unit": "%",
        "outcome_higher": "1",
        **figures,
    }
    assert post(reader, "actual_new", storyboard, data).status_code in ANSWERS
    stored_and_shown(before, storyboard, reader=reader, admin=admin)


@FUZZ
@given(zone=ZONES, target_value=NUMBERS, process=NUMBERS, outcome=or_plain(NUMBERS, "80"))
def test_metric_and_figure_services_take_any_number_without_harm(
    reader, admin, learner, target, storyboard, zone, target_value, process, outcome
):
    Metric.objects.filter(target_condition=target, kind="outcome").delete()
    other = storyboard_create(
        team=storyboard.team,
        challenge=storyboard.challenge,
        focus_process="Packing",
        learner=learner,
    )
    before = footprint(target.storyboard), footprint(other)
    with timezone.override(zone):
        with contextlib.suppress(ValidationError):
            metric_add(
                target_condition=target,
                kind="outcome",
                name="On time",
                unit="%",
                target_value=target_value,
                higher_is_better=True,
                by=learner,
            )
        with contextlib.suppress(ValidationError):
            actual_condition_record(
                storyboard=other,
                operating_pattern="Two walks",
                figures=[
                    {"kind": "process", "name": "Pick time", "value": process},
                    {"kind": "outcome", "name": "Same day", "value": outcome},
                ],
                by=learner,
            )
    stored_and_shown(before[0], target.storyboard, reader=reader, admin=admin)
    stored_and_shown(before[1], other, reader=reader, admin=admin)


@FUZZ
@given(
    number=WHOLE_TEXT,
    action=st.sampled_from(["work-on", "clear", "park", "up", "down", "edit"]),
)
def test_any_number_in_a_version_or_an_address_never_fails(
    reader, admin, learner, target, number, action
):
    before = footprint(target.storyboard)
    obstacle = target.obstacles.first() or obstacle_add(
        target_condition=target, description="Printer jams", by=learner
    )
    if action == "edit":
        url = reverse("boards:obstacle_edit", args=[target.storyboard.pk, obstacle.pk])
        data = {"description": "Printer jams", "version": number}
    else:
        url = reverse("boards:obstacle_action", args=[target.storyboard.pk, obstacle.pk, action])
        data = {"version": number}
    assert reader.post(url, data).status_code in ANSWERS
    board = target.storyboard
    for url in [
        reverse("boards:poll", args=[board.pk]) + "?since=" + number,
        reverse("boards:activity", args=[board.pk]) + "?page=" + number,
        reverse("dashboard") + f"?page={number}&coach={number}&learner={number}",
    ]:
        assert reader.get(url).status_code in ANSWERS, url
    stored_and_shown(before, board, reader=reader, admin=admin)


# Property: any date, time and number, in any zone, at every board service ----------------------


def _calls(w: SimpleNamespace, moment: datetime, day: date, number):
    """Each board service that takes a date, a time or a number, with these."""
    w.target.refresh_from_db()
    w.process.refresh_from_db()
    step = w.target.experiments.filter(result_recorded_at=None).first()
    obstacle = w.target.obstacles.exclude(status="cleared").first()
    yield lambda: measurement_add(metric=w.process, value=number, measured_at=moment, by=w.learner)
    yield lambda: actual_condition_record(
        storyboard=w.storyboard, operating_pattern="Two walks", observed_at=moment, by=w.learner
    )
    yield lambda: metric_update(
        metric=w.process,
        version=w.process.version,
        name="Pick time",
        unit="min",
        target_value=number,
        higher_is_better=False,
        by=w.learner,
    )
    yield lambda: target_condition_update(
        target_condition=w.target,
        version=w.target.version,
        operating_pattern="Flow",
        achieve_by=day,
        by=w.learner,
    )
    yield lambda: challenge_create(team=w.storyboard.team, title="Another", horizon=day)
    if obstacle is not None:
        yield lambda: obstacle_clear(
            obstacle=obstacle, version=obstacle.version, cleared_on=moment, by=w.learner
        )
    if step is not None:
        yield lambda: experiment_update(
            experiment=step,
            version=step.version,
            step="Try",
            expected=step.expected,
            obstacle=None,
            planned_for=day,
            by=w.learner,
        )
        yield lambda: experiment_record_result(
            experiment=step,
            version=step.version,
            happened="It worked",
            learned="Something",
            measurement_value=number,
            measured_at=moment,
            by=w.learner,
        )
    else:
        yield lambda: experiment_plan(
            target_condition=w.target, step="Try", expected="Works", planned_for=day, by=w.learner
        )


@FUZZ
@given(zone=ZONES, moment=AWARE_MOMENTS, day=DAYS, number=NUMBERS)
def test_every_board_service_takes_any_date_time_or_number_without_harm(
    reader, admin, world, zone, moment, day, number
):
    before = footprint(world.storyboard)
    with timezone.override(zone):
        for call in _calls(world, moment, day, number):
            with contextlib.suppress(ValidationError):
                call()
    stored_and_shown(before, world.storyboard, reader=reader, admin=admin)


@FUZZ
@given(
    zone=ZONES,
    day=or_plain(DAYS, IN_TWO_WEEKS),
    process=or_plain(NUMBERS, "30"),
    outcome=or_plain(NUMBERS, 95),
)
def test_starting_a_target_condition_takes_any_date_or_target_without_harm(
    reader, admin, learner, storyboard, zone, day, process, outcome
):
    TargetCondition.objects.filter(storyboard=storyboard).delete()
    before = footprint(storyboard)
    with timezone.override(zone), contextlib.suppress(ValidationError):
        target_condition_start(
            storyboard=storyboard,
            operating_pattern="Flow",
            achieve_by=day,
            process_metric={"name": "Lead time", "target_value": process},
            outcome_metric={"name": "On time", "target_value": outcome, "higher_is_better": True},
            by=learner,
        )
    stored_and_shown(before, storyboard, reader=reader, admin=admin)


def test_the_range_accepts_now_and_today_in_every_zone():
    """The range rule never refuses today, wherever the caller is."""
    for zone in sorted(zoneinfo.available_timezones()):
        moment = timezone.now().astimezone(zoneinfo.ZoneInfo(zone)) - timedelta(minutes=1)
        validate_sensible_date(moment)
        validate_sensible_date(moment.date())


@pytest.mark.parametrize("number", ["99999999999999999999", "\u00b2"])
def test_the_dashboard_ignores_a_person_no_id_can_name(reader, target, number):
    response = reader.get(reverse("dashboard") + f"?coach={number}&learner={number}")
    assert response.status_code == 200
