"""``manage.py bench`` and its scale coaching data, on a tiny scale: they run, they write."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from coaching.models import CoachingCycle, Session, SessionSeries

TINY = {"teams": 2, "storyboards": 4, "experiments": 30, "measurements": 60}


@pytest.mark.django_db
def test_scale_coaching_adds_series_sessions_and_cycles_once():
    call_command("seed_demo", **TINY)
    call_command("seed_scale_coaching", cycles=25)
    assert SessionSeries.objects.count() == 4
    cycles = list(CoachingCycle.objects.select_related("session"))
    assert len(cycles) == 25
    for cycle in cycles:
        # Each cycle was held at one of its own board's past sessions.
        assert cycle.session.storyboard_id == cycle.storyboard_id
        assert cycle.session.starts_at <= cycle.started_at < cycle.finished_at
    assert len({cycle.session_id for cycle in cycles}) == 25
    assert Session.objects.filter(starts_at__gt=cycles[0].started_at).exists()
    sessions = Session.objects.count()
    call_command("seed_scale_coaching", cycles=25)
    assert Session.objects.count() == sessions and CoachingCycle.objects.count() == 25


@pytest.mark.django_db
def test_scale_coaching_needs_scale_boards():
    with pytest.raises(CommandError, match="No scale storyboards"):
        call_command("seed_scale_coaching", cycles=5)


@pytest.mark.django_db(transaction=True)
def test_the_benchmark_times_every_page_and_writes_its_table(tmp_path):
    try:
        call_command(
            "bench", **TINY, cycles=20, warmup=1, iterations=3, no_load=True, out=str(tmp_path)
        )
    except CommandError as error:  # tiny data and three requests make no claim about targets
        assert "target was missed" in str(error)
    table = (tmp_path / "results.txt").read_text()
    for label in (
        "Trivial signed-in view (the floor)",
        "Live-update poll, nothing changed",
        "htmx fragment update",
        "Storyboard page, full",
        "Dashboard, first page",
        "Dashboard CSV export",
        "Coach's today page",
        "Calendar feed",
    ):
        assert label in table
    results = json.loads((tmp_path / "results.json").read_text())
    queries = {row["key"]: row["queries"] for row in results["results"]}
    assert queries["floor"] == 2  # session and user
    assert queries["poll"] == 3
    assert results["scale"]["coaching cycles"] == 20
    plans = (tmp_path / "explain-dashboard.txt").read_text()
    assert plans.count("==== /dashboard/") == 2
