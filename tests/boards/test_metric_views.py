"""Issue 11's pages: a run chart per metric, metrics added and retired, the new board's next
step, and taking back what was made (with confirmation, or a clear refusal).

Who may use each URL (member, read-only roles, outsiders, another board's objects) is walked by
the permission table in test_board_views.py, where these URLs have their cases.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boards.models import Activity, ActualCondition, Experiment, Measurement, Metric, Obstacle
from boards.sections import board_changed
from boards.services.experiments import (
    experiment_plan,
    experiment_record_result,
    experiment_update,
)
from boards.services.metrics import metric_retire
from boards.services.obstacles import obstacle_add, obstacle_update
from boards.services.targets import (
    actual_condition_record,
    measurement_add,
    metric_update,
    target_condition_close,
    target_condition_start,
    target_condition_update,
)
from coaching.services.cycles import cycle_record_actual, cycle_record_target, cycle_start
from tests.boards.test_board_views import (
    BOARD_QUERIES,
    CASES,
    HX,
    World,
    _add_measurements,
    _count,
    _fresh,
    _html,
    _ready,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(storyboard, target, coach) -> World:
    return World(storyboard, target, coach)


def _board(client, sb) -> str:
    response = client.get(sb.get_absolute_url())
    assert response.status_code == 200
    return _html(response)


def _section(html: str, name: str) -> str:
    start = html.index(f'id="{name}"')
    return html[start : html.index("</section>", start)]


def _primaries(html: str) -> list[str]:
    grid = html[html.index('class="board-grid"') : html.index('class="board-extra"')]
    return re.findall(r'class="button primary"[^>]*>([^<]+)<', grid)


# A run chart per metric ----------------------------------------------------------------------


def test_every_metric_has_its_run_chart_process_first(client_for, learner, world):
    measurement_add(metric=world.outcome_metric, value="88", by=learner)
    chart = _section(_board(client_for(learner), world.sb), "chart")
    process = chart.index("Process metric: Pick time per order (min)")
    outcome = chart.index("Outcome metric: Orders shipped same day (%)")
    assert process < outcome
    assert chart.count('class="target-line"') == 2
    assert chart.count('class="achieve-by-marker"') == 2
    assert "target ≤ 30 min" in chart and "target ≥ 95 %" in chart
    assert "latest 88 % on" in chart


def test_a_retired_metric_leaves_the_board_and_stays_on_the_target_page(client_for, learner, world):
    measurement_add(metric=world.outcome_metric, value="88", by=learner)
    metric_retire(metric=world.outcome_metric, version=world.outcome_metric.version, by=learner)
    client = client_for(learner)
    html = _board(client, world.sb)
    assert "Outcome metric: Orders shipped same day" not in _section(html, "chart")
    assert "Retired: Orders shipped same day" in _section(html, "target")
    assert "Add orders shipped same day now" not in html  # no quick measurement any more
    assert "+ Outcome metric" in _section(html, "target")
    page = _html(client.get(reverse("boards:target", args=[world.sb.pk, world.target.pk])))
    assert "Outcome metric: Orders shipped same day (%)" in page
    assert "retired" in page
    assert "latest 88 % on" in page
    assert "measurement_delete" not in page and "/delete" not in page  # read only there


def test_each_chart_lists_its_latest_measurements_to_correct_them(client_for, learner, world):
    for value in ("41", "310", "39"):
        measurement_add(metric=world.metric, value=value, by=learner)
    chart = _section(_board(client_for(learner), world.sb), "chart")
    listed = re.findall(r"<strong>([^<]+)</strong>", chart)
    assert listed[:3] == ["39 min", "310 min", "41 min"]  # newest first
    typo = Measurement.objects.get(value=Decimal("310"))
    assert reverse("boards:measurement_delete", args=[world.sb.pk, typo.pk]) in chart


def test_a_viewer_gets_the_charts_without_the_delete_links(client_for, viewer, learner, world):
    measurement_add(metric=world.metric, value="41", by=learner)
    chart = _section(_board(client_for(viewer), world.sb), "chart")
    assert "41 min" in chart
    assert "Delete…" not in chart


@pytest.mark.parametrize("metrics", [1, 2], ids=["one-metric", "two-metrics"])
def test_the_board_query_count_is_the_same_for_one_or_two_metrics_and_many_measurements(
    client_for, learner, world, django_assert_max_num_queries, metrics
):
    if metrics == 1:
        metric_retire(metric=world.outcome_metric, version=world.outcome_metric.version, by=learner)
    client = client_for(learner)
    url = world.sb.get_absolute_url()
    current = list(world.target.metrics.current())
    assert len(current) == metrics
    for metric in current:
        _add_measurements(metric, 3)
    with django_assert_max_num_queries(BOARD_QUERIES) as few:
        assert client.get(url).status_code == 200
    for metric in current:
        _add_measurements(metric, 400)
    with django_assert_max_num_queries(BOARD_QUERIES) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many)


def test_one_metric_or_two_cost_the_board_and_its_chart_section_the_same(
    client_for, learner, world
):
    client = client_for(learner)
    url = world.sb.get_absolute_url()
    chart = url + "?section=chart"
    two = (_count(client, url), _count(client, chart, headers=HX))
    metric_retire(metric=world.outcome_metric, version=world.outcome_metric.version, by=learner)
    one = (_count(client, url), _count(client, chart, headers=HX))
    assert one == two


def test_the_target_page_query_count_does_not_grow_with_retired_metrics(client_for, learner, world):
    client = client_for(learner)
    url = reverse("boards:target", args=[world.sb.pk, world.target.pk])
    before = _count(client, url)
    for n in range(3):
        metric = world.target.metrics.current().get(kind="outcome")
        _add_measurements(metric, 50)
        metric_retire(metric=metric, version=metric.version, by=learner)
        world.target.metrics.create(
            kind="outcome", name=f"Outcome {n}", unit="%", target_value="90"
        )
        board_changed(targets=[world.target.pk])
    assert world.target.metrics.count() == 5
    assert _count(client, url) == before


# Metrics added and retired -------------------------------------------------------------------


def test_the_metric_form_asks_only_for_the_kind_the_target_lacks(client_for, learner, world):
    metric_retire(metric=world.outcome_metric, version=world.outcome_metric.version, by=learner)
    url = reverse("boards:metric_new", args=[world.sb.pk])
    html = _html(client_for(learner).get(url, headers=HX))
    assert "Add the outcome metric" in html
    assert '<input type="hidden" name="kind" value="outcome"' in html


def test_a_target_with_both_metrics_refuses_a_third(client_for, learner, world):
    url = reverse("boards:metric_new", args=[world.sb.pk])
    before = world.revision()
    response = client_for(learner).get(url, headers=HX)
    assert response.status_code == 409
    assert "retire one to measure something else" in _html(response)
    assert response.headers["HX-Retarget"] == "#target"
    assert world.revision() == before


def test_a_board_without_an_active_target_has_no_metric_to_add(client_for, learner, world):
    target_condition_close(
        target_condition=world.target,
        version=world.target.version,
        status="abandoned",
        reflection="Moved.",
        by=learner,
    )
    url = reverse("boards:metric_new", args=[world.sb.pk])
    assert client_for(learner).get(url).status_code == 404


def test_the_metric_edit_form_offers_retiring_it(client_for, learner, world):
    url = reverse("boards:metric_edit", args=[world.sb.pk, world.metric.pk])
    html = _html(client_for(learner).get(url, headers=HX))
    assert reverse("boards:metric_retire", args=[world.sb.pk, world.metric.pk]) in html
    assert "Retire metric…" in html


def test_retiring_asks_first_and_says_what_stays(client_for, learner, world):
    measurement_add(metric=world.metric, value="41", by=learner)
    url = reverse("boards:metric_retire", args=[world.sb.pk, world.metric.pk])
    html = _html(client_for(learner).get(url, headers=HX))
    assert "Retire Pick time per order?" in html
    assert "Its 1 measurement and run chart stay readable" in html
    assert ">Retire metric</button>" in html
    assert not _fresh(world.metric).is_retired


def test_a_measurement_can_be_added_to_any_current_metric(client_for, learner, world):
    url = reverse("boards:measurement_new", args=[world.sb.pk])
    form = _html(client_for(learner).get(f"{url}?metric={world.outcome_metric.pk}", headers=HX))
    assert f'<option value="{world.outcome_metric.pk}" selected>' in form
    board = _board(client_for(learner), world.sb)
    assert "Add pick time per order now (min)" in board
    assert "Add orders shipped same day now (%)" in board
    response = client_for(learner).post(
        url, {"metric": world.outcome_metric.pk, "value": "91"}, headers=HX
    )
    assert response.status_code == 200
    assert world.outcome_metric.measurements.get().value == Decimal("91")


def test_a_retired_metric_is_not_offered_for_measuring(client_for, learner, world):
    metric_retire(metric=world.metric, version=world.metric.version, by=learner)
    url = reverse("boards:measurement_new", args=[world.sb.pk])
    response = client_for(learner).post(url, {"metric": world.metric.pk, "value": "30"})
    assert response.status_code == 422
    assert not world.metric.measurements.exists()


# The current condition and the next target condition -----------------------------------------

FIGURES = {
    "operating_pattern": "Two walks per order.",
    "process_name": "Pick time per order",
    "process_unit": "min",
    "process_higher": "0",
    "process_value": "41",
    "outcome_name": "",
    "outcome_unit": "",
    "outcome_higher": "1",
    "outcome_value": "",
}


def test_without_a_target_the_observation_form_asks_for_the_metrics(
    client_for, learner, storyboard
):
    url = reverse("boards:actual_new", args=[storyboard.pk])
    html = _html(client_for(learner).get(url, headers=HX))
    assert "Grasp the current condition" in html
    assert "<legend>Process metric</legend>" in html
    assert 'name="process_value"' in html and 'name="outcome_value"' in html


def test_with_a_target_the_observation_form_asks_only_what_is_observed(client_for, learner, world):
    url = reverse("boards:actual_new", args=[world.sb.pk])
    html = _html(client_for(learner).get(url, headers=HX))
    assert "Actual condition now" in html
    assert "process_value" not in html


def test_a_metric_named_without_its_value_is_refused(client_for, learner, storyboard):
    url = reverse("boards:actual_new", args=[storyboard.pk])
    response = client_for(learner).post(url, {**FIGURES, "process_value": ""}, headers=HX)
    assert response.status_code == 422
    assert "Enter its value now, as you measured it." in _html(response)
    assert not ActualCondition.objects.exists()


def test_the_current_condition_leads_to_the_first_target_condition(client_for, learner, storyboard):
    client = client_for(learner)
    url = reverse("boards:actual_new", args=[storyboard.pk])
    response = client.post(url, FIGURES, headers=HX)
    assert response.status_code == 200
    # The target section, waiting until now, is among the sections the save refreshes.
    assert "target" in response.headers["HX-Trigger"]
    html = _board(client, storyboard)
    assert "Process metric: Pick time per order" in _section(html, "actual")
    assert _primaries(html) == ["Set the first target condition"]
    form = _html(client.get(reverse("boards:target_new", args=[storyboard.pk]), headers=HX))
    assert "The first target condition" in form
    assert 'value="Pick time per order"' in form
    assert "Now 41 min (observed" in form


# The new board's one next step ---------------------------------------------------------------


def test_each_stage_of_a_new_board_offers_one_primary_action(client_for, learner, storyboard):
    client = client_for(learner)
    assert _primaries(_board(client, storyboard)) == ["Record the current condition"]
    actual_condition_record(storyboard=storyboard, operating_pattern="Walks", by=learner)
    assert _primaries(_board(client, storyboard)) == ["Set the first target condition"]
    target = target_condition_start(
        storyboard=storyboard,
        operating_pattern="One walk",
        achieve_by=timezone.localdate() + timedelta(days=7),
        process_metric={"name": "Pick time", "unit": "min", "target_value": "30"},
        by=learner,
    )
    html = _board(client, storyboard)
    assert _primaries(html) == ["+ Obstacle"]
    assert "Waits for the first obstacle" in _section(html, "record")
    obstacle_add(target_condition=target, description="Carts", by=learner)
    assert _primaries(_board(client, storyboard)) == ["Plan next step"]


def test_a_viewer_reads_what_comes_next_without_buttons(client_for, viewer, storyboard):
    html = _board(client_for(viewer), storyboard)
    assert "Next: grasp the current condition" in html
    assert _primaries(html) == []


# Taking back what was made -------------------------------------------------------------------

REMOVALS = [pytest.param(case, id=case.id) for case in CASES if case.removes]


@pytest.mark.parametrize("case", REMOVALS)
def test_taking_back_asks_for_confirmation_first(client_for, learner, world, case):
    ready = _ready(world, case, "GET", htmx=True)
    before = world.revision()
    response = ready.send(client_for(learner))
    assert response.status_code == 200
    html = _html(response)
    assert 'class="item-form" data-confirm' in html
    assert '<button type="submit" class="danger">' in html
    assert world.revision() == before
    assert not case.saved(world)


@pytest.mark.parametrize("case", REMOVALS)
def test_taking_back_is_logged_in_the_activity_feed(client_for, learner, world, case):
    ready = _ready(world, case, "POST", htmx=True)
    response = ready.send(client_for(learner))
    assert response.status_code == 200
    feed = _html(client_for(learner).get(reverse("boards:activity", args=[world.sb.pk])))
    latest = Activity.objects.filter(storyboard=world.sb).order_by("-revision").first()
    assert latest.actor == learner
    assert latest.summary.split(":")[0] in feed


def _stale(world: World, case) -> None:
    """Someone else changes the row the case removes, after its form was drawn."""
    if case.id == "metric_retire":
        metric = _fresh(world.metric)
        metric_update(
            metric=metric,
            version=metric.version,
            name="Walk time",
            unit="min",
            target_value="25",
            higher_is_better=False,
            by=world.by,
        )
    elif case.id == "obstacle_delete":
        obstacle = _fresh(world.obstacle)
        obstacle_update(obstacle=obstacle, version=obstacle.version, description="X", by=world.by)
    elif case.id == "experiment_delete":
        step = _fresh(world.experiment)
        experiment_update(
            experiment=step,
            version=step.version,
            step="Other",
            expected=step.expected,
            obstacle=None,
            planned_for=None,
            by=world.by,
        )
    elif case.id == "target_delete":
        target = _fresh(world.target)
        target_condition_update(
            target_condition=target,
            version=target.version,
            operating_pattern="Other",
            achieve_by=target.achieve_by,
            by=world.by,
        )


VERSIONED_REMOVALS = [
    pytest.param(case, id=case.id)
    for case in CASES
    if case.removes
    and case.id.endswith(("retire", "obstacle_delete", "experiment_delete", "target_delete"))
]


@pytest.mark.parametrize("case", VERSIONED_REMOVALS)
def test_a_stale_removal_is_refused_and_changes_nothing(client_for, learner, coach, world, case):
    ready = _ready(world, case, "POST", htmx=True)
    _stale(world, case)
    before = world.revision()
    response = ready.send(client_for(learner))
    assert response.status_code == 409
    assert "changed it a moment ago" in _html(response)
    assert "Nothing was deleted." in _html(response)
    assert world.revision() == before
    assert not case.saved(world)


def test_an_obstacle_steps_address_offers_clearing_instead(client_for, learner, world):
    obstacle = world.obstacle
    experiment_plan(
        target_condition=world.target, step="Sort", expected="x", obstacle=obstacle, by=learner
    )
    url = reverse("boards:obstacle_delete", args=[world.sb.pk, obstacle.pk])
    client = client_for(learner)
    html = _html(client.get(url, headers=HX))
    assert "Step #1 addresses this obstacle" in html
    assert "Clear it instead" in html
    assert "danger" not in html  # no delete button
    before = world.revision()
    response = client.post(url, {"version": obstacle.version}, headers=HX)
    assert response.status_code == 422
    assert "Step #1 addresses this obstacle" in _html(response)
    assert Obstacle.objects.filter(pk=obstacle.pk).exists()
    assert world.revision() == before


def test_a_step_with_its_result_is_kept_and_its_edit_form_offers_no_delete(
    client_for, learner, world
):
    step = world.experiment
    experiment_record_result(
        experiment=step, version=step.version, happened="33 min", learned="Yes", by=learner
    )
    client = client_for(learner)
    edit = _html(client.get(reverse("boards:experiment_edit", args=[world.sb.pk, step.pk])))
    assert "Delete step…" not in edit
    url = reverse("boards:experiment_delete", args=[world.sb.pk, step.pk])
    assert "has its result recorded" in _html(client.get(url, headers=HX))
    response = client.post(url, {"version": _fresh(step).version}, headers=HX)
    assert response.status_code == 422
    assert Experiment.objects.filter(pk=step.pk).exists()


def test_a_step_in_progress_offers_delete_in_its_edit_form(client_for, learner, world):
    step = world.experiment
    url = reverse("boards:experiment_edit", args=[world.sb.pk, step.pk])
    edit = _html(client_for(learner).get(url, headers=HX))
    delete = reverse("boards:experiment_delete", args=[world.sb.pk, step.pk])
    assert f'href="{delete}?wrap=tr"' in edit
    assert "Delete step…" in edit


def test_a_target_condition_with_steps_is_kept_and_closing_offered(client_for, learner, world):
    world.experiment  # noqa: B018
    url = reverse("boards:target_delete", args=[world.sb.pk, world.target.pk])
    html = _html(client_for(learner).get(url, headers=HX))
    assert "Target condition 1 has 1 PDCA step: it is part of the board" in html
    assert "Close it as abandoned…" in html
    assert "danger" not in html


def test_deleting_a_target_condition_says_what_goes_with_it(client_for, learner, world):
    world.obstacle  # noqa: B018
    measurement_add(metric=world.metric, value="40", by=learner)
    url = reverse("boards:target_delete", args=[world.sb.pk, world.target.pk])
    html = _html(client_for(learner).get(url, headers=HX))
    assert "Its metrics and 1 measurement and 1 obstacle go with it" in html


def test_only_the_latest_observation_can_be_deleted(client_for, learner, world):
    earlier = actual_condition_record(storyboard=world.sb, operating_pattern="A", by=learner)
    actual_condition_record(storyboard=world.sb, operating_pattern="B", by=learner)
    url = reverse("boards:actual_delete", args=[world.sb.pk, earlier.pk])
    client = client_for(learner)
    assert "Only the latest observation can be deleted" in _html(client.get(url, headers=HX))
    assert client.post(url, {}, headers=HX).status_code == 422
    assert ActualCondition.objects.filter(pk=earlier.pk).exists()


def test_a_plain_removal_without_javascript_redirects_to_the_section(client_for, learner, world):
    measurement = world.measurement
    url = reverse("boards:measurement_delete", args=[world.sb.pk, measurement.pk])
    client = client_for(learner)
    page = client.get(url)
    assert "<html" in _html(page) and "Delete this measurement?" in _html(page)
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == f"{world.sb.get_absolute_url()}#chart"
    assert not Measurement.objects.filter(pk=measurement.pk).exists()
    assert "Measurement deleted." in _html(client.get(response.url))


def test_the_first_outcome_metric_can_be_added_to_a_target_set_without_one(
    client_for, learner, storyboard
):
    target = target_condition_start(
        storyboard=storyboard,
        operating_pattern="One walk",
        achieve_by=timezone.localdate() + timedelta(days=7),
        process_metric={"name": "Pick time", "unit": "min", "target_value": "30"},
        by=learner,
    )
    client = client_for(learner)
    assert "+ Outcome metric" in _section(_board(client, storyboard), "target")
    url = reverse("boards:metric_new", args=[storyboard.pk])
    response = client.post(
        url,
        {
            "kind": "outcome",
            "name": "Orders out",
            "unit": "%",
            "higher_is_better": "1",
            "target_value": "95",
        },
        headers=HX,
    )
    assert response.status_code == 200
    metric = target.metrics.get(kind=Metric.Kind.OUTCOME)
    assert (metric.name, metric.higher_is_better) == ("Orders out", True)
    assert "Outcome metric: Orders out (%)" in _section(_board(client, storyboard), "chart")


# Elsewhere, a retired metric is not the metric ----------------------------------------------


def test_a_retired_process_metric_is_not_the_dashboard_rows_metric(
    client_for, manager, learner, world
):
    measurement_add(metric=world.metric, value="41", by=learner)
    # Retired after the current one was made (as an import can hold it): the newer row.
    retired = world.target.metrics.create(
        kind="process", name="Walk per order", target_value="400", retired_at=timezone.now()
    )
    Measurement.objects.create(metric=retired, value="520")
    html = _html(client_for(manager).get(reverse("dashboard")))
    assert len(re.findall(r'class="row-link" href="[^"]+">Order picking</a>', html)) == 1
    assert "Pick time per order" in html and "41 min" in html
    assert "Walk per order" not in html


def test_a_coaching_cycle_reads_and_measures_the_current_metrics_only(learner, coach, world):

    current = world.metric
    # A retired process metric made after the current one (as an import can hold it).
    world.target.metrics.create(
        kind="process", name="Walk per order", target_value="400", retired_at=timezone.now()
    )
    cycle = cycle_start(storyboard=world.sb, coach=coach)
    cycle = cycle_record_target(cycle=cycle, version=cycle.version, by=coach)
    names = [m["name"] for m in cycle.answers["target"]["metrics"]]
    assert "Walk per order" not in names
    cycle_record_actual(cycle=cycle, version=cycle.version, process_value="33", by=coach)
    assert current.measurements.get().value == Decimal("33")


# Hostile input at the current condition's form (no target condition yet) ---------------------

HOSTILE = st.one_of(
    st.text(max_size=30),
    st.text(min_size=1, max_size=4).map(lambda chunk: chunk * 1000),
    st.sampled_from(
        ["<script>alert(1)</script>", "\x00", "NaN", "-Infinity", "1e400", "12,5", "", "  "]
    ),
)
CURRENT_FIELDS = [*FIGURES, "process_higher", "outcome_higher"]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_current_condition_form_refuses_hostile_input_clearly(
    client_for, learner, storyboard, data
):
    payload = {name: data.draw(HOSTILE, label=name) for name in CURRENT_FIELDS}
    url = reverse("boards:actual_new", args=[storyboard.pk])
    response = client_for(learner).post(url, payload, headers=HX)
    assert response.status_code in (200, 422), payload
    if response.status_code == 200:
        saved = ActualCondition.objects.latest("pk")
        assert all(f.value.is_finite() for f in saved.figure_list)
    board = _board(client_for(learner), storyboard)
    assert "<script>alert" not in board


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_metric_form_refuses_hostile_input_clearly(client_for, learner, target, data):
    outcome = target.metrics.current().filter(kind="outcome").first()
    if outcome is not None:
        metric_retire(metric=outcome, version=outcome.version, by=learner)
    fields = ["kind", "name", "unit", "higher_is_better", "target_value"]
    payload = {name: data.draw(HOSTILE, label=name) for name in fields}
    url = reverse("boards:metric_new", args=[target.storyboard.pk])
    response = client_for(learner).post(url, payload, headers=HX)
    assert response.status_code in (200, 409, 422), payload
    assert response.content.strip()
