"""``seed_coaching_demo`` adds coaching to the demo boards, once however often it runs."""

import zoneinfo
from datetime import datetime, time
from io import StringIO

import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from boards.models import Experiment
from boards.services.experiments import experiment_plan, experiment_record_result
from coaching.models import CoachingCycle, SecondCoachObservation, SessionSeries
from coaching.steps import FINISHED
from tests.factories import StoryboardFactory


def seed() -> str:
    out = StringIO()
    call_command("seed_coaching_demo", stdout=out)
    return out.getvalue()


def test_it_adds_a_series_past_cycles_and_one_observation_once(
    mid_experiment, coach, learner, manager, team, client_for
):
    target = mid_experiment["target"]
    step = mid_experiment["step"]
    experiment_record_result(
        experiment=step, version=step.version, happened="36 min", learned="Sort", by=learner
    )
    experiment_plan(
        target_condition=target, step="Print at aisle 1", expected="Under 34 min", by=learner
    )
    StoryboardFactory(team=team, learner=learner, coach=None)  # no coach: no coaching

    output = seed()
    assert "Order picking: a weekday 09:30 series, 3 past cycles" in output
    [series] = SessionSeries.objects.exclude(rrule="")
    assert series.rrule == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert (series.coach, series.learner, series.time_zone) == (coach, learner, coach.time_zone)
    assert series.sessions.count() > 30
    cycles = list(CoachingCycle.objects.order_by("started_at"))
    assert len(cycles) == 3
    assert all(c.step == FINISHED and c.duration_minutes for c in cycles)
    assert {c.started_at.weekday() for c in cycles} <= {0, 1, 2, 3, 4}
    assert cycles[-1].reflected_experiment == step
    assert cycles[-1].next_experiment == Experiment.objects.get(step="Print at aisle 1")
    observation = SecondCoachObservation.objects.get()
    assert observation.observer == manager
    assert observation.feedback
    # A manager reads boards only, but keeps the observation they made.
    url = reverse("coaching:observe", args=[observation.cycle.storyboard_id, observation.cycle_id])
    page = client_for(manager).get(url)
    assert page.status_code == 200
    assert "A calm cycle inside 15 minutes." in page.content.decode()

    again = seed()
    assert "series already there, no new past cycles" in again
    assert SessionSeries.objects.exclude(rrule="").count() == 1
    assert SessionSeries.objects.filter(rrule="").count() <= 1
    assert CoachingCycle.objects.count() == 3
    assert SecondCoachObservation.objects.count() == 1


def test_set_up_after_the_morning_session_it_adds_one_later_today(storyboard, coach):
    zone = zoneinfo.ZoneInfo(coach.time_zone)
    with time_machine.travel(datetime(2026, 11, 26, 15, 10, tzinfo=zone), tick=False):
        seed()
        [one_off] = SessionSeries.objects.filter(rrule="")
        [session] = one_off.sessions.all()
        assert timezone.localtime(session.starts_at, zone).time() == time(16, 0)
        seed()
        assert SessionSeries.objects.count() == 2


def test_set_up_before_the_morning_session_the_series_covers_today(storyboard, coach):
    zone = zoneinfo.ZoneInfo(coach.time_zone)
    with time_machine.travel(datetime(2026, 11, 26, 8, 0, tzinfo=zone), tick=False):
        seed()
        assert not SessionSeries.objects.filter(rrule="").exists()
