"""The PDCA record's rows, written in Python: text escaped, line breaks kept."""

from __future__ import annotations

from tests.factories import (
    ExperimentFactory,
    ObstacleFactory,
    StoryboardFactory,
    TargetConditionFactory,
)

EVIL = '<script>alert("x")</script> & co'
HX = {"HX-Request": "true"}


def _record(client, storyboard) -> str:
    response = client.get(storyboard.get_absolute_url() + "?section=record", headers=HX)
    assert response.status_code == 200
    return response.content.decode()


def test_the_record_escapes_what_was_written_and_keeps_its_line_breaks(client_for, team, learner):
    storyboard = StoryboardFactory(team=team, learner=learner)
    target = TargetConditionFactory(storyboard=storyboard)
    obstacle = ObstacleFactory(target_condition=target, description=EVIL)
    ExperimentFactory(
        target_condition=target,
        obstacle=obstacle,
        step=f"{EVIL}\r\nsecond line",
        expected=EVIL,
        recorded=True,
        happened=f"{EVIL}\nhappened",
        learned=EVIL,
    )
    ExperimentFactory(target_condition=target, step=EVIL, expected="one\rtwo")
    html = _record(client_for(learner), storyboard)
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"
    assert "<script>" not in html
    assert f'<td data-label="Obstacle">{escaped}</td>' in html
    assert f'<td data-label="Step">{escaped}<br>second line</td>' in html
    assert f'<td data-label="What happened">{escaped}<br>happened</td>' in html
    assert '<td data-label="What we expect">one<br>two</td>' in html
    assert "● In progress" in html and "Record result" in html
