"""The charts' one scale and tick rule, and the run chart's text escaped."""

from __future__ import annotations

from decimal import Decimal

import pytest

from boards.charts import RUN_FRAME, Frame, Scale, _value_ticks, extent, nice_step
from tests.factories import (
    ExperimentFactory,
    MeasurementFactory,
    MetricFactory,
    StoryboardFactory,
    TargetConditionFactory,
)

EVIL = '<script>alert("x")</script> & co'


@pytest.mark.parametrize(
    ("span", "intervals", "step"),
    [(7, 4, 2), (10, 4, 2.5), (13, 4, 5), (0.9, 4, 0.25), (120, 4, 50), (0, 4, 1), (4000, 4, 1000)],
)
def test_a_step_is_one_two_two_and_a_half_or_five_times_a_power_of_ten(span, intervals, step):
    assert nice_step(span, intervals) == pytest.approx(step)


@pytest.mark.parametrize(("high", "step"), [(1, 1), (3, 1), (7, 2), (9, 2), (13, 5), (110, 25)])
def test_counts_take_whole_steps(high, step):
    assert nice_step(high, 5, whole=True) == step


def test_a_single_value_gets_a_range_around_it():
    assert extent([3.0, 3.0]) == (2.0, 4.0)
    assert extent([5.0, 1.0, 3.0]) == (1.0, 5.0)


def test_a_y_scale_puts_the_highest_value_at_the_top():
    frame = Frame(100, 120, left=10, right=10, top=10, bottom=10)
    y = frame.y_scale(0, 50)
    assert (y(50), y(25), y(0)) == (10, 60, 110)
    x = frame.x_scale(0, 8)
    assert (x(0), x(8)) == (10, 90)


def test_ticks_are_the_multiples_of_the_step_from_low_to_high():
    assert Scale(-3, 7, start=0, length=100).ticks(2.5) == [-2.5, 0, 2.5, 5]
    assert Scale(0, 10, start=0, length=100).ticks(5) == [0, 5, 10]


def test_a_tick_at_zero_reads_zero():
    # Added up step by step, a tenth-based tick at zero came out as "-5.55112e-17".
    labels = [tick.label for tick in _value_ticks(RUN_FRAME.y_scale(-0.62, 0.027))]
    assert labels == ["-0.6", "-0.4", "-0.2", "0"]


def test_the_run_chart_escapes_the_metric_name_and_unit(client_for, team, learner):
    storyboard = StoryboardFactory(team=team, learner=learner)
    target = TargetConditionFactory(storyboard=storyboard)
    metric = MetricFactory(target_condition=target, name=EVIL, unit="<b>&</b>")
    MetricFactory(target_condition=target, outcome=True)
    step = ExperimentFactory(target_condition=target)
    MeasurementFactory(metric=metric, value=Decimal("31.5"), experiment=step)
    response = client_for(learner).get(
        storyboard.get_absolute_url() + "?section=chart", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<script>" not in html and "<b>" not in html
    assert "Run chart of &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html
    assert "<title>31.50 &lt;b&gt;&amp;&lt;/b&gt; on " in html
    assert f'<a href="#experiment-{step.pk}"><circle class="point linked"' in html
