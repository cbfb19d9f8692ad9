"""The dashboard's rows, written in Python, escape every text a user wrote."""

from __future__ import annotations

import pytest
import time_machine

from boards.models import Metric, Role
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.kata.practice_data import board

EVIL = '<script>alert("x")</script> & co'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel("2026-03-11 10:00:00+00:00", tick=False):
        yield


def test_a_row_escapes_the_focus_process_the_obstacle_the_metric_and_the_names(client_for, manager):
    team = TeamFactory(name=EVIL, slug="evil")
    MembershipFactory(user=manager, team=team, role=Role.MANAGER)
    sb = board(
        team,
        EVIL,
        learner=UserFactory(first_name=EVIL, last_name=""),
        coach=UserFactory(first_name="<i>Eve</i>", last_name="&Co"),
        values=(31, 29),
        working=EVIL,
    )
    sb.challenge.title = EVIL
    sb.challenge.save()
    metric = sb.target_conditions.get().metrics.get(kind=Metric.Kind.PROCESS)
    metric.name = EVIL
    metric.save()
    html = client_for(manager).get("/dashboard/").content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    assert "<script>" not in html and "<i>" not in html
    assert f'<a class="row-link" href="/boards/{sb.pk}/">{ESCAPED}</a>' in body
    assert f'<span class="clamp">{ESCAPED}</span>' in body  # the obstacle worked on
    assert f'<span class="metric-name">{ESCAPED}</span>' in body
    assert f'aria-label="Last 2 values of {ESCAPED}: from 31 min to 29 min' in body
    assert f'<span class="person">{ESCAPED}</span>' in body
    assert "coach &lt;i&gt;Eve&lt;/i&gt; &amp;Co" in body
    assert f'<span class="visually-hidden">Challenge: </span>{ESCAPED}</span>' in body
    assert f">{ESCAPED}</a></td>" in body  # the team
    assert f'<option value="evil">{ESCAPED}</option>' in html


def test_the_sort_links_escape_the_query_string(client_for, manager, team):
    board(team, "Order picking")
    params = {"coach": "<x>&", "sort": "team"}  # an ignored filter stays in the links
    html = client_for(manager).get("/dashboard/", params).content.decode()
    assert "<x>" not in html
    assert 'href="?coach=%3Cx%3E%26&amp;sort=-team"' in html
