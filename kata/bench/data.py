"""The data the benchmark measures: scale data built once and reused, and who asks for what.

The boards come from ``boards.demo.scale`` and their coaching from ``coaching.demo.scale``, both
bulk-inserted only when missing; the planner statistics are refreshed after. Then a manager in
every scale team, and three boards picked by size: the typical one (the targets apply to it), its
neighbour (changed before each read) and the busiest.
"""

from __future__ import annotations

import time as stopwatch
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, Q

from boards.demo import scale, scale_plan
from boards.demo.constants import DEMO_PASSWORD, SCALE_SLUG_PATTERN
from boards.models import Membership, Metric, Role, Storyboard, TargetCondition, Team, User
from coaching.demo import scale as coaching_scale
from coaching.models import CoachingCycle, CoachingPreferences

BENCH_MANAGER = "bench-manager"

Note = Callable[[str], None]


@dataclass(frozen=True)
class Sizes:
    """The scale data to build when there is none yet (totals)."""

    teams: int
    storyboards: int
    experiments: int
    measurements: int
    cycles: int


class BoardFacts(TypedDict):
    storyboard: int
    focus_process: str
    pdca_steps_on_active_target: int
    process_measurements: int
    coach: str


@dataclass(frozen=True)
class People:
    """The signed-in users the pages are asked by, and the boards they look at."""

    manager: User
    # The typical (median) board: the targets apply to it.
    board: Storyboard
    # Its neighbour by size, changed before every read, leaving the typical board's cached
    # sections alone, as a change on one board does for every other.
    changing: Storyboard
    busiest: Storyboard
    coach: User
    prefs: CoachingPreferences
    facts: dict[str, BoardFacts]


def seed(sizes: Sizes, note: Note) -> dict[str, int]:
    """Scale data, built if missing; returns how much of each kind there is."""
    if not scale.existing_teams():
        note("Seeding scale data (a minute or two)...")
        _seed_boards(sizes, note)
    try:
        created = coaching_scale.seed(sizes.cycles)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    note(created or coaching_scale.ALREADY_PRESENT)
    # Fresh bulk data has no planner statistics yet; autovacuum would gather them soon.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    on_scale = TargetCondition.objects.filter(storyboard__team__slug__regex=SCALE_SLUG_PATTERN)
    counts = {
        "teams": Team.objects.filter(slug__regex=SCALE_SLUG_PATTERN).count(),
        "storyboards": Storyboard.objects.filter(team__slug__regex=SCALE_SLUG_PATTERN).count(),
        "experiments": on_scale.aggregate(n=Count("experiments"))["n"],
        "measurements": on_scale.aggregate(n=Count("metrics__measurements"))["n"],
        "coaching cycles": CoachingCycle.objects.filter(
            storyboard__team__slug__regex=SCALE_SLUG_PATTERN
        ).count(),
    }
    note("Scale data: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
    return counts


def _seed_boards(sizes: Sizes, note: Note) -> None:
    """What ``seed_demo --teams ... --measurements ...`` does, and says."""
    try:
        totals = scale_plan.sizes(
            sizes.teams, sizes.storyboards, sizes.experiments, sizes.measurements
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    started = stopwatch.perf_counter()
    seeder = scale.ScaleSeeder(*totals)
    with transaction.atomic():
        counts = seeder.run()
    elapsed = stopwatch.perf_counter() - started
    summary = ", ".join(f"{count} {name}" for name, count in counts.items())
    note(f"Scale data created in {elapsed:.1f} s: {summary}.")
    first = seeder.prefix(0)
    note(
        f"Its people sign in as {first}-manager, {first}-coach1, {first}-learner1 ... "
        f"with the password {DEMO_PASSWORD}."
    )


def people(note: Note) -> People:
    """A manager in every scale team; a typical board and the busiest; their coaches."""
    manager, _ = User.objects.get_or_create(
        username=BENCH_MANAGER, defaults={"first_name": "Bench", "last_name": "Manager"}
    )
    teams = Team.objects.filter(slug__regex=SCALE_SLUG_PATTERN).values_list("pk", flat=True)
    Membership.objects.bulk_create(
        [Membership(user=manager, team_id=pk, role=Role.MANAGER) for pk in teams],
        ignore_conflicts=True,
    )
    # Fresh statistics with the manager's 200 memberships: without them the planner expects
    # one and joins the dashboard's page of ids badly.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE boards_membership")
    # Every active scale board by how much its page shows: PDCA steps on the active
    # target and process measurements on its run chart. The targets apply to the typical
    # (median) board; the busiest is measured too, for the record.
    active = TargetCondition.objects.active().filter(
        storyboard__team__slug__regex=SCALE_SLUG_PATTERN
    )
    steps: dict[int, int] = dict(
        active.annotate(n=Count("experiments")).values_list("storyboard_id", "n")
    )
    measured: dict[int, int] = dict(
        active.annotate(
            n=Count("metrics__measurements", filter=Q(metrics__kind=Metric.Kind.PROCESS))
        ).values_list("storyboard_id", "n")
    )
    coached = set(
        Storyboard.objects.filter(pk__in=steps, coach__isnull=False).values_list("pk", flat=True)
    )
    ranked = sorted((steps[pk] + measured.get(pk, 0), pk) for pk in steps if pk in coached)
    if not ranked:
        raise CommandError("No scale storyboard with an active target and a coach.")
    middle = len(ranked) // 2
    boards = Storyboard.objects.select_related("coach").in_bulk(
        [ranked[middle][1], ranked[middle + 1][1], ranked[-1][1]]
    )
    chosen = {
        "typical": boards[ranked[middle][1]],
        "changing": boards[ranked[middle + 1][1]],
        "busiest": boards[ranked[-1][1]],
    }
    coach = coach_of(chosen["typical"])
    prefs, _ = CoachingPreferences.objects.get_or_create(user=coach)
    facts: dict[str, BoardFacts] = {
        name: {
            "storyboard": board.pk,
            "focus_process": board.focus_process,
            "pdca_steps_on_active_target": steps[board.pk],
            "process_measurements": measured.get(board.pk, 0),
            "coach": coach_of(board).username,
        }
        for name, board in chosen.items()
    }
    for name, fact in facts.items():
        note(
            f"{name.capitalize()} board: #{fact['storyboard']}, "
            f"{fact['pdca_steps_on_active_target']} PDCA steps and "
            f"{fact['process_measurements']} process measurements on its active target."
        )
    return People(
        manager=manager,
        board=chosen["typical"],
        changing=chosen["changing"],
        busiest=chosen["busiest"],
        coach=coach,
        prefs=prefs,
        facts=facts,
    )


def coach_of(board: Storyboard) -> User:
    """The boards measured were chosen for having a coach."""
    if board.coach is None:
        raise CommandError(f"Storyboard {board.pk} has no coach.")
    return board.coach
