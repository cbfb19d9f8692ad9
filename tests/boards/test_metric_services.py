"""Issue 11's services: metrics added and retired, the current condition's figures, and taking
back what was made (a measurement, an observation, an obstacle, a step, a target condition).
Each: what it does, what it logs, and what it refuses, changing nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.utils import timezone

from boards import exchange
from boards.models import (
    Activity,
    ActualCondition,
    Experiment,
    Measurement,
    Metric,
    Obstacle,
    TargetCondition,
    Team,
)
from boards.selectors import latest_figures, process_metric
from boards.services.base import Conflict
from boards.services.experiments import (
    experiment_delete,
    experiment_plan,
    experiment_record_result,
)
from boards.services.metrics import measurement_delete, metric_add, metric_retire
from boards.services.obstacles import obstacle_add, obstacle_delete, obstacle_update
from boards.services.targets import (
    actual_condition_delete,
    actual_condition_record,
    measurement_add,
    metric_update,
    target_condition_close,
    target_condition_delete,
    target_condition_start,
)
from tests.boards.test_exchange import _comparable, _import
from tests.boards.test_services import changes_nothing

pytestmark = pytest.mark.django_db

Action = Activity.Action


def _last_action(storyboard) -> str:
    return Activity.objects.filter(storyboard=storyboard).order_by("-revision").first().action


def _process(target) -> Metric:
    return target.metrics.get(kind=Metric.Kind.PROCESS)


def _outcome(target) -> Metric:
    return target.metrics.get(kind=Metric.Kind.OUTCOME)


def _close(target, by) -> None:
    target_condition_close(
        target_condition=target,
        version=target.version,
        status="achieved",
        reflection="Sorting the list did it.",
        by=by,
    )


FIGURES = [
    {"kind": "process", "name": "Pick time per order", "unit": "min", "value": "41"},
    {
        "kind": "outcome",
        "name": "Orders shipped same day",
        "unit": "%",
        "higher_is_better": True,
        "value": "81.5",
    },
]


# Metrics added and retired -------------------------------------------------------------------


def test_metric_retire_keeps_the_measurements_and_logs_it(target, learner):
    metric = _process(target)
    measurement_add(metric=metric, value="40", by=learner)
    retired = metric_retire(metric=metric, version=metric.version, by=learner)
    assert retired.retired_at is not None
    assert Measurement.objects.filter(metric=metric).count() == 1
    assert _last_action(target.storyboard) == Action.METRIC_RETIRED
    assert process_metric(target) is None  # a step's result no longer measures it


def test_a_retired_metric_takes_no_measurement_and_no_change(target, learner):
    metric = _process(target)
    metric_retire(metric=metric, version=metric.version, by=learner)
    metric.refresh_from_db()
    with changes_nothing(metric), pytest.raises(ValidationError, match="retired"):
        measurement_add(metric=metric, value="30", by=learner)
    with changes_nothing(metric), pytest.raises(ValidationError, match="retired"):
        metric_update(
            metric=metric,
            version=metric.version,
            name="Other",
            unit="",
            target_value="1",
            higher_is_better=False,
            by=learner,
        )
    with changes_nothing(metric), pytest.raises(ValidationError, match="retired already"):
        metric_retire(metric=metric, version=metric.version, by=learner)


def test_a_step_result_cannot_measure_a_retired_process_metric(target, learner):
    metric = _process(target)
    metric_retire(metric=metric, version=metric.version, by=learner)
    step = experiment_plan(target_condition=target, step="Sort", expected="Faster", by=learner)
    with changes_nothing(step), pytest.raises(ValidationError, match="no process metric"):
        experiment_record_result(
            experiment=step,
            version=step.version,
            happened="Faster",
            learned="Sorting helps",
            measurement_value="33",
            by=learner,
        )


def test_a_stale_retirement_is_a_conflict(target, learner, coach):
    metric = _process(target)
    stale = metric.version
    metric_update(
        metric=metric,
        version=stale,
        name="Walk time",
        unit="min",
        target_value="25",
        higher_is_better=False,
        by=coach,
    )
    metric = Metric.objects.get(pk=metric.pk)
    with changes_nothing(metric), pytest.raises(Conflict):
        metric_retire(metric=metric, version=stale, by=learner)


def test_metric_add_gives_the_target_the_kind_it_lacks_after_one_is_retired(target, learner):
    old = _process(target)
    measurement_add(metric=old, value="40", by=learner)
    metric_retire(metric=old, version=old.version, by=learner)
    new = metric_add(
        target_condition=target,
        kind="process",
        name="Walk per order",
        unit="m",
        target_value="400",
        higher_is_better=False,
        by=learner,
    )
    assert new.kind == "process" and new.target_value == Decimal("400")
    assert process_metric(target) == new
    assert list(target.metrics.current().order_by("kind").values_list("name", flat=True)) == [
        "Orders shipped same day",
        "Walk per order",
    ]
    assert target.metrics.count() == 3  # the retired one stays with its measurement
    assert _last_action(target.storyboard) == Action.METRIC_ADDED


def test_metric_add_refuses_a_second_current_metric_of_a_kind(target, learner):
    with changes_nothing(), pytest.raises(ValidationError, match="retire it first"):
        metric_add(
            target_condition=target,
            kind="outcome",
            name="Orders out",
            unit="%",
            target_value="90",
            higher_is_better=True,
            by=learner,
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "speed"}, "kind"),
        ({"name": "  "}, "process_metric_name"),
        ({"target_value": "lots"}, "process_metric_target"),
    ],
)
def test_metric_add_refuses_what_is_not_a_metric(target, learner, changes, field):
    metric = _process(target)
    metric_retire(metric=metric, version=metric.version, by=learner)
    spec = {
        "kind": "process",
        "name": "Walk",
        "unit": "m",
        "target_value": "400",
        "higher_is_better": False,
        **changes,
    }
    with changes_nothing(), pytest.raises(ValidationError) as refused:
        metric_add(target_condition=target, by=learner, **spec)
    assert field in refused.value.error_dict


def test_a_closed_target_takes_no_metric_change(target, learner):
    _close(target, learner)
    target.refresh_from_db()
    metric = _process(target)
    with changes_nothing(metric), pytest.raises(ValidationError, match="closed"):
        metric_retire(metric=metric, version=metric.version, by=learner)
    with changes_nothing(), pytest.raises(ValidationError, match="closed"):
        metric_add(
            target_condition=target,
            kind="process",
            name="Walk",
            unit="m",
            target_value="1",
            higher_is_better=False,
            by=learner,
        )


# The current condition's figures -------------------------------------------------------------


def test_the_first_observation_records_the_metrics_with_their_values_now(storyboard, learner):
    observation = actual_condition_record(
        storyboard=storyboard, operating_pattern="Two walks per order.", figures=FIGURES, by=learner
    )
    assert observation.figures == [
        {
            "kind": "process",
            "name": "Pick time per order",
            "unit": "min",
            "higher_is_better": False,
            "value": "41",
        },
        {
            "kind": "outcome",
            "name": "Orders shipped same day",
            "unit": "%",
            "higher_is_better": True,
            "value": "81.5",
        },
    ]
    [process, outcome] = observation.figure_list
    assert (process.value_label, outcome.value_label) == ("41 min", "81.5 %")
    assert latest_figures(storyboard) == observation
    activity = Activity.objects.get(action=Action.ACTUAL_CONDITION_RECORDED)
    assert "Pick time per order 41 min" in activity.summary
    assert activity.after["figures"] == observation.figures


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ([{**FIGURES[0], "value": "fast"}], "Enter a number"),
        ([{**FIGURES[0], "name": ""}], "Name the metric"),
        ([FIGURES[0], FIGURES[0]], "one process metric and one outcome metric"),
        ([{**FIGURES[0], "kind": "speed"}], "process or the outcome"),
    ],
)
def test_figures_that_are_not_a_metric_and_a_value_are_refused(
    storyboard, learner, figures, message
):
    with changes_nothing(), pytest.raises(ValidationError, match=message):
        actual_condition_record(
            storyboard=storyboard, operating_pattern="Walks.", figures=figures, by=learner
        )


def test_with_a_target_active_an_observation_measures_its_metrics_instead(target, learner):
    with changes_nothing(), pytest.raises(ValidationError, match="measurements instead"):
        actual_condition_record(
            storyboard=target.storyboard, operating_pattern="W", figures=FIGURES, by=learner
        )


def _start(storyboard, by, *, outcome: bool = True) -> TargetCondition:
    return target_condition_start(
        storyboard=storyboard,
        operating_pattern="One walk per order.",
        achieve_by=timezone.localdate() + timedelta(days=14),
        process_metric={"name": "Pick time per order", "unit": "min", "target_value": "30"},
        outcome_metric={
            "name": "Orders shipped same day",
            "unit": "%",
            "target_value": "95",
            "higher_is_better": True,
        }
        if outcome
        else None,
        by=by,
    )


def test_the_first_target_condition_starts_its_run_charts_at_the_current_condition(
    storyboard, learner
):
    observed = timezone.now() - timedelta(hours=3)
    actual_condition_record(
        storyboard=storyboard,
        operating_pattern="Two walks per order.",
        observed_at=observed,
        figures=FIGURES,
        by=learner,
    )
    target = _start(storyboard, learner)
    points = {
        m.metric.kind: (m.value, m.measured_at)
        for m in Measurement.objects.filter(metric__target_condition=target).select_related(
            "metric"
        )
    }
    assert points == {"process": (Decimal("41"), observed), "outcome": (Decimal("81.5"), observed)}
    actions = list(
        Activity.objects.filter(storyboard=storyboard)
        .order_by("revision")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == [
        Action.TARGET_CONDITION_STARTED,
        Action.MEASUREMENT_ADDED,
        Action.MEASUREMENT_ADDED,
    ]
    assert latest_figures(storyboard) is None  # taken up


def test_a_metric_without_a_figure_starts_empty(storyboard, learner):
    actual_condition_record(
        storyboard=storyboard, operating_pattern="W", figures=FIGURES[1:], by=learner
    )
    target = _start(storyboard, learner)
    assert not _process(target).measurements.exists()
    assert _outcome(target).measurements.get().value == Decimal("81.5")


def test_figures_are_taken_up_once(storyboard, learner):
    actual_condition_record(
        storyboard=storyboard, operating_pattern="W", figures=FIGURES, by=learner
    )
    first = _start(storyboard, learner)
    _close(first, learner)
    second = _start(storyboard, learner)
    assert not Measurement.objects.filter(metric__target_condition=second).exists()


def test_a_deleted_target_gives_its_figures_back_to_the_next(storyboard, learner):
    actual_condition_record(
        storyboard=storyboard, operating_pattern="W", figures=FIGURES, by=learner
    )
    mistaken = _start(storyboard, learner)
    target_condition_delete(target_condition=mistaken, version=mistaken.version, by=learner)
    again = _start(storyboard, learner)
    assert Measurement.objects.filter(metric__target_condition=again).count() == 2


# Taking back what was made -------------------------------------------------------------------


def test_measurement_delete_takes_a_typo_off_the_chart_and_logs_it(target, learner):
    metric = _process(target)
    measurement = measurement_add(metric=metric, value="310", by=learner)
    measurement_delete(measurement=measurement, by=learner)
    assert not Measurement.objects.filter(pk=measurement.pk).exists()
    activity = Activity.objects.get(action=Action.MEASUREMENT_DELETED)
    assert "Deleted a measurement of Pick time per order: 310 min" in activity.summary
    assert activity.before["value"] == "310.0000"


def test_measurements_of_a_retired_metric_or_a_closed_target_stay(target, learner):
    metric = _process(target)
    measurement = measurement_add(metric=metric, value="31", by=learner)
    metric_retire(metric=metric, version=metric.version, by=learner)
    measurement.refresh_from_db()
    with changes_nothing(measurement), pytest.raises(ValidationError, match="retired"):
        measurement_delete(measurement=measurement, by=learner)
    outcome = measurement_add(metric=_outcome(target), value="90", by=learner)
    target.refresh_from_db()
    _close(target, learner)
    outcome = Measurement.objects.get(pk=outcome.pk)
    with changes_nothing(outcome), pytest.raises(ValidationError, match="closed"):
        measurement_delete(measurement=outcome, by=learner)


def test_actual_condition_delete_takes_back_the_latest_observation(storyboard, learner):
    earlier = actual_condition_record(storyboard=storyboard, operating_pattern="A", by=learner)
    latest = actual_condition_record(storyboard=storyboard, operating_pattern="B", by=learner)
    with changes_nothing(earlier), pytest.raises(ValidationError, match="Only the latest"):
        actual_condition_delete(observation=earlier, by=learner)
    actual_condition_delete(observation=latest, by=learner)
    assert list(ActualCondition.objects.values_list("operating_pattern", flat=True)) == ["A"]
    assert _last_action(storyboard) == Action.ACTUAL_CONDITION_DELETED
    # Now the earlier one is the latest, and can go too.
    actual_condition_delete(observation=earlier, by=learner)
    assert not ActualCondition.objects.exists()


def test_obstacle_delete_takes_back_an_obstacle_no_step_addresses(target, learner):
    obstacle = obstacle_add(target_condition=target, description="Carts", by=learner)
    obstacle_delete(obstacle=obstacle, version=obstacle.version, by=learner)
    assert not Obstacle.objects.exists()
    activity = Activity.objects.get(action=Action.OBSTACLE_DELETED)
    assert activity.summary == "Deleted obstacle: Carts"
    assert activity.before["description"] == "Carts"


def test_an_obstacle_steps_address_is_kept_and_clearing_offered(target, learner):
    obstacle = obstacle_add(target_condition=target, description="Carts", by=learner)
    for _ in range(2):
        step = experiment_plan(
            target_condition=target, step="Try", expected="Better", obstacle=obstacle, by=learner
        )
        experiment_record_result(
            experiment=step, version=step.version, happened="Better", learned="Yes", by=learner
        )
    obstacle.refresh_from_db()
    with changes_nothing(obstacle), pytest.raises(ValidationError) as refused:
        obstacle_delete(obstacle=obstacle, version=obstacle.version, by=learner)
    assert refused.value.messages == [
        "Steps #1, #2 address this obstacle, so it stays in the PDCA record and cannot be "
        "deleted. Clear it instead once it no longer stands in the way."
    ]


def test_a_stale_obstacle_delete_is_a_conflict(target, learner, coach):
    obstacle = obstacle_add(target_condition=target, description="Carts", by=learner)
    stale = obstacle.version
    obstacle_update(obstacle=obstacle, version=stale, description="Carts too small", by=coach)
    obstacle = Obstacle.objects.get(pk=obstacle.pk)
    with changes_nothing(obstacle), pytest.raises(Conflict):
        obstacle_delete(obstacle=obstacle, version=stale, by=learner)


def test_experiment_delete_takes_back_a_step_in_progress_and_frees_its_number(target, learner):
    step = experiment_plan(target_condition=target, step="Oops", expected="x", by=learner)
    experiment_delete(experiment=step, version=step.version, by=learner)
    assert not Experiment.objects.exists()
    assert _last_action(target.storyboard) == Action.EXPERIMENT_DELETED
    again = experiment_plan(target_condition=target, step="Sort", expected="Faster", by=learner)
    assert again.number == 1


def test_a_step_with_its_result_recorded_stays_in_the_record(target, learner):
    step = experiment_plan(target_condition=target, step="Sort", expected="Faster", by=learner)
    experiment_record_result(
        experiment=step, version=step.version, happened="Faster", learned="Yes", by=learner
    )
    step.refresh_from_db()
    with changes_nothing(step), pytest.raises(ValidationError, match="result recorded"):
        experiment_delete(experiment=step, version=step.version, by=learner)


def test_target_condition_delete_takes_its_metrics_obstacles_and_measurements(target, learner):
    obstacle_add(target_condition=target, description="Carts", by=learner)
    measurement_add(metric=_process(target), value="40", by=learner)
    storyboard = target.storyboard
    target_condition_delete(target_condition=target, version=target.version, by=learner)
    assert not TargetCondition.objects.exists()
    assert not Metric.objects.exists() and not Measurement.objects.exists()
    assert not Obstacle.objects.exists()
    activity = Activity.objects.get(action=Action.TARGET_CONDITION_DELETED)
    assert activity.summary == "Deleted target condition 1"
    assert activity.before["operating_pattern"] == target.operating_pattern
    # The board can set its first target condition again, numbered 1.
    assert _start(storyboard, learner).number == 1


def test_a_target_condition_with_steps_is_kept(target, learner):
    experiment_plan(target_condition=target, step="Sort", expected="Faster", by=learner)
    target.refresh_from_db()
    with changes_nothing(target), pytest.raises(ValidationError, match="1 PDCA step:"):
        target_condition_delete(target_condition=target, version=target.version, by=learner)


def test_a_closed_target_condition_is_kept(target, learner):
    _close(target, learner)
    target.refresh_from_db()
    with changes_nothing(target), pytest.raises(ValidationError, match="history"):
        target_condition_delete(target_condition=target, version=target.version, by=learner)


def test_a_stale_target_condition_delete_is_a_conflict(target, learner):
    with changes_nothing(target), pytest.raises(Conflict):
        target_condition_delete(target_condition=target, version=target.version + 1, by=learner)


# The team's JSON export carries the figures and the retired metrics ---------------------------


def test_figures_and_retired_metrics_round_trip_through_export_and_import(storyboard, learner):
    actual_condition_record(
        storyboard=storyboard, operating_pattern="W", figures=FIGURES, by=learner
    )
    target = _start(storyboard, learner)
    metric_retire(metric=_outcome(target), version=_outcome(target).version, by=learner)
    first = exchange.export_document(storyboard.team)
    [observation] = first["boards"]["actual_conditions"]
    assert observation["figures"][0]["name"] == "Pick time per order"
    _import(first, "--slug", "dispatch-copy")
    copy = Team.objects.get(slug="dispatch-copy")
    assert _comparable(exchange.export_document(copy)) == _comparable(first)
    copied = Metric.objects.get(target_condition__storyboard__team=copy, kind="outcome")
    assert copied.is_retired


@pytest.mark.parametrize(
    "figures", ["41 min", [{"kind": "process", "name": "Pick", "value": "fast"}], [{"x": 1}]]
)
def test_an_import_refuses_figures_that_are_not_figures(storyboard, learner, figures):

    actual_condition_record(
        storyboard=storyboard, operating_pattern="W", figures=FIGURES, by=learner
    )
    document = exchange.export_document(storyboard.team)
    document["boards"]["actual_conditions"][0]["figures"] = figures
    with pytest.raises(CommandError, match="figures: Figures are a list of metrics"):
        _import(document, "--slug", "dispatch-copy")
    assert not Team.objects.filter(slug="dispatch-copy").exists()
