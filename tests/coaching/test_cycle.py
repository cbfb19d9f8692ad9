"""A whole coaching cycle through the pages: every answer lands on the board."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from boards.models import Activity, ActualCondition, Experiment, Measurement, Obstacle
from coaching.models import CoachingCycle, Session
from tests.coaching.conftest import MONDAY_0800, weekday_series
from tests.factories import ExperimentFactory

HX = {"HX-Request": "true"}
# 09:31 in Berlin on Monday 16 March 2026, a minute into the 09:30 session.
SESSION_TIME = datetime(2026, 3, 16, 8, 31, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    """The whole test, fixtures too, happens on that Monday: one consistent timeline."""
    with time_machine.travel(SESSION_TIME, tick=False) as traveller:
        yield traveller


@pytest.fixture
def series(storyboard, coach, learner, second_coach, berlin):
    return weekday_series(storyboard, coach, learner, second_coach=second_coach, now=MONDAY_0800)


@pytest.fixture
def cycle(client_for, coach, series, mid_experiment, frozen) -> CoachingCycle:
    session = series.sessions.order_by("starts_at").first()
    url = reverse("coaching:session_start", args=[session.storyboard_id, session.pk])
    response = client_for(coach).post(url)
    cycle = CoachingCycle.objects.get(session=session)
    assert response.status_code == 302
    assert response.url == cycle.get_absolute_url()
    return cycle


def answer(client, cycle, data, *, headers=None):
    cycle.refresh_from_db()
    return client.post(
        cycle.get_absolute_url(), {"version": cycle.version, **data}, headers=headers or {}
    )


def run_until(client, cycle, step: int, frozen, steps):
    for data in steps[:step]:
        frozen.shift(timedelta(minutes=2))
        response = answer(client, cycle, data)
        assert response.status_code == 303, response.content.decode()[-2000:]


def full_cycle(mid_experiment):
    walk = mid_experiment["walk"]
    batteries = Obstacle.objects.get(description="Scanner batteries flat")
    return (
        [
            {"said": "One walk per order, in aisle order", "coach_notes": "Knew it by heart"},
            {
                "operating_pattern": "Two of five pickers still walk twice",
                "process_value": "37,5",
                "outcome_value": "88",
                "coach_notes": "Knew it by heart. Saw it at the aisle.",
            },
            {
                "happened": "Pick time 37.5 minutes",
                "learned": "The printer queue, not the route, is most of the wait",
                "threshold_of_knowledge": "on",
                "experiment_version": mid_experiment["step"].version,
                "coach_notes": "Good reflection",
            },
            {
                "working_on": str(batteries.pk),
                "new_obstacle": "Printer far from aisle 1",
                "coach_notes": "Switched obstacles",
            },
            {
                "step": "Charge spare batteries at shift start",
                "expected": "No picker waits for a scanner",
                "obstacle": str(batteries.pk),
                "coach_notes": "Prediction specific",
            },
            {
                "when": "2026-03-17T14:00",
                "duration_minutes": "15",
                "coach_notes": "Go and see at 14",
            },
            {"coach_notes": "Ask about the printer next time."},
        ],
        walk,
        batteries,
    )


def test_a_coach_runs_a_whole_cycle_and_every_answer_lands_on_the_board(
    client_for, coach, learner, cycle, mid_experiment, frozen, series
):
    client = client_for(coach)
    steps, _, batteries = full_cycle(mid_experiment)
    run_until(client, cycle, len(steps), frozen, steps)
    cycle.refresh_from_db()
    target = mid_experiment["target"]

    # 2. The actual condition and both measurements.
    actual = ActualCondition.objects.latest("observed_at")
    assert actual.operating_pattern == "Two of five pickers still walk twice"
    assert actual.recorded_by == coach
    values = {m.metric.kind: m.value for m in Measurement.objects.select_related("metric")}
    assert values == {"process": Decimal("37.5"), "outcome": Decimal("88")}
    # The reflection, written into the step that was in progress.
    reflected = Experiment.objects.get(pk=mid_experiment["step"].pk)
    assert reflected.happened == "Pick time 37.5 minutes"
    assert reflected.learned == "The printer queue, not the route, is most of the wait"
    assert reflected.threshold_of_knowledge
    assert not reflected.in_progress
    # 3. The obstacle worked on changed; the previous one is back in the lot; a new one added.
    statuses = dict(Obstacle.objects.values_list("description", "status"))
    assert statuses == {
        "Pick list not in aisle order": "parked",
        "Scanner batteries flat": "working",
        "Printer far from aisle 1": "parked",
    }
    # 4. The next step, with its expectation, against the chosen obstacle.
    planned = Experiment.objects.get(target_condition=target, number=2)
    assert planned.step == "Charge spare batteries at shift start"
    assert planned.expected == "No picker waits for a scanner"
    assert planned.obstacle == batteries
    assert planned.in_progress
    # 5. Tuesday's session was moved to the time agreed (14:00 Berlin).
    tuesday = Session.objects.get(pk=cycle.next_session_id)
    assert tuesday.series == series
    assert tuesday.starts_at == datetime(2026, 3, 17, 13, 0, tzinfo=UTC)
    assert tuesday.duration_minutes == 15
    assert tuesday.is_moved

    assert cycle.is_finished
    assert cycle.duration == timedelta(minutes=14)
    assert cycle.coach_notes == "Ask about the printer next time."
    assert cycle.reflected_experiment == reflected
    assert cycle.next_experiment == planned
    assert cycle.obstacle == batteries
    assert cycle.answers["obstacles"]["changed"] is True
    assert cycle.answers["when"]["action"] == "moved"
    assert cycle.answers["target"]["said"] == "One walk per order, in aisle order"
    # The board's activity log has every write, by the coach, the cycle's own steps too.
    actions = list(
        Activity.objects.filter(actor=coach)
        .exclude(action="storyboard.created")
        .order_by("revision")
        .values_list("action", flat=True)
    )
    assert actions == [
        "coaching_cycle.target_recorded",
        "actual_condition.recorded",
        "measurement.added",
        "measurement.added",
        "experiment.result_recorded",
        "obstacle.added",
        "obstacle.working_on",
        "experiment.planned",
        "session.rescheduled",
        "coaching_cycle.finished",
    ]

    page = client.get(cycle.get_absolute_url()).content.decode()
    assert "The cycle is finished" in page
    assert "It took 14 minutes" in page
    assert "Ask about the printer next time." in page
    assert "Charge spare batteries at shift start" in page


def test_an_interrupted_cycle_resumes_where_it_stopped(
    client_for, coach, cycle, mid_experiment, frozen
):
    steps, *_ = full_cycle(mid_experiment)
    client = client_for(coach)
    run_until(client, cycle, 3, frozen, steps)
    # The browser is closed; later the coach opens the cycle again, from today's page.
    today = client_for(coach).get(reverse("coaching:today")).content.decode()
    assert "Resume the cycle" in today
    page = client_for(coach).get(cycle.get_absolute_url()).content.decode()
    assert "What obstacles do you think are preventing you" in page
    assert 'aria-current="step"' in page
    assert "Pick time 37.5 minutes" in page  # answered so far
    cycle.refresh_from_db()
    assert cycle.step == 3
    # Starting the session's cycle again opens the same one.
    url = reverse("coaching:session_start", args=[cycle.storyboard_id, cycle.session_id])
    assert client.post(url).url == cycle.get_absolute_url()
    assert CoachingCycle.objects.count() == 1


def test_the_same_step_submitted_twice_is_saved_once(
    client_for, coach, cycle, mid_experiment, frozen
):
    steps, *_ = full_cycle(mid_experiment)
    client = client_for(coach)
    run_until(client, cycle, 1, frozen, steps)
    cycle.refresh_from_db()
    data = {"version": cycle.version, **steps[1]}
    first = client.post(cycle.get_absolute_url(), data)
    again = client.post(cycle.get_absolute_url(), data, headers=HX)  # a double click
    assert first.status_code == 303
    assert again.status_code == 409
    assert "This step was already saved" in again.content.decode()
    assert ActualCondition.objects.filter(operating_pattern__startswith="Two of five").count() == 1
    assert Measurement.objects.count() == 2


def test_a_next_step_without_an_expectation_saves_nothing(
    client_for, coach, cycle, mid_experiment, frozen
):
    steps, *_ = full_cycle(mid_experiment)
    client = client_for(coach)
    run_until(client, cycle, 4, frozen, steps)
    response = answer(client, cycle, {"step": "Charge batteries", "expected": "  "})
    assert response.status_code == 422
    assert "Write what you expect before taking the step." in response.content.decode()
    assert Experiment.objects.count() == 1
    cycle.refresh_from_db()
    assert cycle.step == 4


def test_question_two_needs_an_observation_or_a_measurement(
    client_for, coach, cycle, mid_experiment, frozen
):
    steps, *_ = full_cycle(mid_experiment)
    client = client_for(coach)
    run_until(client, cycle, 1, frozen, steps)
    response = answer(client, cycle, {"operating_pattern": ""})
    assert response.status_code == 422
    assert "how do you know?" in response.content.decode()
    # A measurement alone is an answer.
    response = answer(client, cycle, {"process_value": "36"})
    assert response.status_code == 303
    assert Measurement.objects.get().value == Decimal("36")


def test_a_step_saved_with_htmx_returns_the_cycle_in_place(
    client_for, coach, cycle, mid_experiment, frozen
):
    response = answer(client_for(coach), cycle, {"said": "In aisle order"}, headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert not html.lstrip().startswith("<!doctype")
    assert 'id="cycle"' in html
    assert "What is the actual condition now?" in html
    assert '"kata:saved"' in response.headers["HX-Trigger"]
    # The board column came back too, read only.
    assert 'id="actual"' in html
    assert "Record what you observe now" not in html


def test_a_step_changed_on_the_board_meanwhile_is_refused_with_an_explanation(
    client_for, coach, learner, cycle, mid_experiment, frozen
):
    from boards.services.experiments import experiment_update

    steps, *_ = full_cycle(mid_experiment)
    client = client_for(coach)
    run_until(client, cycle, 2, frozen, steps)
    step = mid_experiment["step"]
    experiment_update(
        experiment=step,
        version=step.version,
        step="Sort the pick list by aisle, and print it there",
        expected=step.expected,
        obstacle=step.obstacle,
        planned_for=step.planned_for,
        by=learner,
    )
    response = answer(client, cycle, steps[2], headers=HX)
    assert response.status_code == 409
    assert "changed on the board a moment ago" in response.content.decode()
    assert Experiment.objects.get(pk=step.pk).in_progress
    # Saved again from the fresh page, it goes through.
    fresh_version = Experiment.objects.get(pk=step.pk).version
    response = answer(client, cycle, {**steps[2], "experiment_version": fresh_version})
    assert response.status_code == 303
    assert not Experiment.objects.get(pk=step.pk).in_progress


def test_reflecting_on_a_step_already_recorded_writes_nothing(
    client_for, coach, learner, cycle, mid_experiment, frozen
):
    from boards.services.experiments import experiment_record_result

    step = mid_experiment["step"]
    experiment_record_result(
        experiment=step, version=step.version, happened="34 min", learned="Sorting", by=learner
    )
    steps, *_ = full_cycle(mid_experiment)
    client = client_for(coach)
    run_until(client, cycle, 2, frozen, steps)
    page = client.get(cycle.get_absolute_url()).content.decode()
    assert "This step's result is on the board already" in page
    assert answer(client, cycle, {"coach_notes": ""}).status_code == 303
    cycle.refresh_from_db()
    assert cycle.answers["reflect"]["already_recorded"] is True
    assert Experiment.objects.get(pk=step.pk).happened == "34 min"


def test_question_five_confirms_the_next_session_when_the_time_is_kept(
    client_for, coach, cycle, mid_experiment, frozen
):
    steps, *_ = full_cycle(mid_experiment)
    client = client_for(coach)
    run_until(client, cycle, 5, frozen, steps)
    page = client.get(cycle.get_absolute_url()).content.decode()
    assert 'value="2026-03-17T09:30"' in page  # Tuesday's session, in Berlin time
    assert answer(client, cycle, {"when": "2026-03-17T09:30", "duration_minutes": "20"})
    cycle.refresh_from_db()
    assert cycle.answers["when"]["action"] == "confirmed"
    assert not cycle.next_session.is_moved


def test_question_five_schedules_a_session_when_there_is_none(
    client_for, coach, learner, storyboard, mid_experiment, frozen, berlin
):
    client = client_for(coach)
    client.post(reverse("coaching:cycle_start", args=[storyboard.pk]))
    cycle = CoachingCycle.objects.get()
    assert cycle.session is None
    steps, *_ = full_cycle(mid_experiment)
    run_until(client, cycle, 6, frozen, steps)
    cycle.refresh_from_db()
    assert cycle.answers["when"]["action"] == "scheduled"
    session = cycle.next_session
    assert session.starts_at == datetime(2026, 3, 17, 13, 0, tzinfo=UTC)
    assert (session.series.coach, session.series.learner) == (coach, learner)
    assert not session.series.is_recurring


def test_an_ad_hoc_cycle_left_unfinished_is_resumed_not_started_twice(
    client_for, coach, storyboard, target, frozen
):
    client = client_for(coach)
    url = reverse("coaching:cycle_start", args=[storyboard.pk])
    first = client.post(url).url
    frozen.shift(timedelta(hours=2))
    assert client.post(url).url == first
    assert CoachingCycle.objects.count() == 1


def test_a_learner_cannot_coach_their_own_board(client_for, learner, storyboard, target):
    response = client_for(learner).post(reverse("coaching:cycle_start", args=[storyboard.pk]))
    assert response.status_code == 302
    assert CoachingCycle.objects.count() == 0


def test_the_learner_may_answer_but_never_sees_or_changes_the_coachs_notes(
    client_for, learner, cycle, mid_experiment, frozen
):
    CoachingCycle.objects.filter(pk=cycle.pk).update(coach_notes="Private: ask about the lead")
    client = client_for(learner)
    page = client.get(cycle.get_absolute_url()).content.decode()
    assert "Private: ask about the lead" not in page
    assert 'name="coach_notes"' not in page
    response = answer(client, cycle, {"said": "aisle order", "coach_notes": "overwritten"})
    assert response.status_code == 303
    cycle.refresh_from_db()
    assert cycle.coach_notes == "Private: ask about the lead"
    assert cycle.step == 1


def test_a_cycle_without_an_active_target_condition_asks_for_one(
    client_for, coach, storyboard, frozen
):
    client = client_for(coach)
    client.post(reverse("coaching:cycle_start", args=[storyboard.pk]))
    cycle = CoachingCycle.objects.get()
    page = client.get(cycle.get_absolute_url()).content.decode()
    assert "no active target condition" in page
    response = answer(client, cycle, {"said": ""})
    assert response.status_code == 422
    cycle.refresh_from_db()
    assert cycle.step == 0


def test_the_cycle_page_query_count_does_not_grow_with_the_board(
    client_for, coach, cycle, mid_experiment, frozen, django_assert_max_num_queries
):
    client = client_for(coach)
    url = cycle.get_absolute_url()
    with django_assert_max_num_queries(22) as small:
        assert client.get(url).status_code == 200
    target = mid_experiment["target"]
    board_step = Experiment.objects.get(pk=mid_experiment["step"].pk)
    board_step.happened, board_step.learned = "x", "y"
    board_step.result_recorded_at = SESSION_TIME
    board_step.save()
    for _ in range(40):
        ExperimentFactory(target_condition=target, recorded=True)
    with django_assert_max_num_queries(22) as large:
        assert client.get(url).status_code == 200
    assert len(small) == len(large)
