"""``manage.py seed_demo``: a demo installation to explore, or bulk data to benchmark against.

Without options it creates three teams whose storyboards read like real kata practice: the
story in ``boards.demo.story``, played through the boards services by ``boards.demo.replay``.

With ``--teams``, ``--storyboards``, ``--experiments`` or ``--measurements`` it bulk-inserts
generated data for load tests instead (``boards.demo.scale``).
"""

from __future__ import annotations

import time as stopwatch
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from boards.demo import replay, scale, scale_plan
from boards.demo.constants import DEMO_PASSWORD
from boards.demo.story import BOARDS, TEAMS
from boards.models import Team


class Command(BaseCommand):
    help = (
        "Create demo teams, people and storyboards (password kata-demo-2026), or with --teams, "
        "--storyboards, --experiments, --measurements bulk data for benchmarks."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Seed only when there are no teams at all (used by make run).",
        )
        group = parser.add_argument_group(
            "scale data", "Bulk-insert generated data instead of the demo (totals, additive)."
        )
        group.add_argument("--teams", type=int, metavar="N", help="teams (default 10)")
        group.add_argument(
            "--storyboards", type=int, metavar="N", help="storyboards (default 5 per team)"
        )
        group.add_argument(
            "--experiments", type=int, metavar="N", help="experiments (default 20 per storyboard)"
        )
        group.add_argument(
            "--measurements",
            type=int,
            metavar="N",
            help="measurements (default 60 per storyboard)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Team.objects.exists():
            self.stdout.write("Teams exist already: seed_demo --if-empty left them alone.")
            return
        sizes = [options[name] for name in ("teams", "storyboards", "experiments", "measurements")]
        if any(size is not None for size in sizes):
            self.seed_scale(*sizes)
        else:
            self.seed_demo()

    def seed_demo(self) -> None:
        if replay.present():
            self.stdout.write("Demo data already present: nothing added.")
        else:
            started = stopwatch.perf_counter()
            with transaction.atomic():
                replay.StoryReplay().run()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data created: {len(TEAMS)} teams, {len(BOARDS)} storyboards "
                    f"({stopwatch.perf_counter() - started:.1f} s)."
                )
            )
        for line in replay.sign_ins():
            self.stdout.write(line)

    def seed_scale(
        self,
        teams: int | None,
        storyboards: int | None,
        experiments: int | None,
        measurements: int | None,
    ) -> None:
        try:
            totals = scale_plan.sizes(teams, storyboards, experiments, measurements)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        existing = scale.existing_teams()
        if existing:
            self.stdout.write(
                f"Scale data already present ({existing} teams named 'Scale team ...'): "
                "nothing added."
            )
            return
        started = stopwatch.perf_counter()
        seeder = scale.ScaleSeeder(*totals)
        with transaction.atomic():
            counts = seeder.run()
        elapsed = stopwatch.perf_counter() - started
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Scale data created in {elapsed:.1f} s: {summary}."))
        first = seeder.prefix(0)
        self.stdout.write(
            f"Its people sign in as {first}-manager, {first}-coach1, {first}-learner1 ... "
            f"with the password {DEMO_PASSWORD}."
        )
