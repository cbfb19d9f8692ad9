"""``manage.py bench`` (``make bench``): how fast the main pages are at scale, and under load.

1. Builds scale data once (``boards.demo.scale`` and ``coaching.demo.scale``) and updates the
   planner statistics (``kata.bench.data``).
2. Times each page in-process with Django's test client, after a warm-up, interleaving the
   pages so that they share the machine's ups and downs: median, 95th percentile and query
   count, each time also as a ratio to the floor (a signed-in view that returns "ok" through
   the same middleware, session and user lookup). The dashboard's query plans go to a file
   (``kata.bench.endpoints``, ``kata.bench.timing``).
3. Serves the app with gunicorn and drives it from a separate locust process for a fixed time
   at 50 concurrent users opening boards and polling them; reports requests per second and
   errors (``kata.bench.load``).

It always measures with DEBUG off (as production runs): started with DEBUG on, it runs itself
again with production-like settings. Results go to ``var/bench/`` (``kata.bench.report``).
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kata.bench import data, machine, report, timing
from kata.bench.endpoints import endpoints
from kata.bench.load import Load, load_test


class Command(BaseCommand):
    help = (
        "Benchmark at scale: seed bulk data if missing, time the main pages against a trivial "
        "view, then load-test under gunicorn with locust. Writes var/bench/."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sizes = parser.add_argument_group("scale data (used only when none exists yet)")
        sizes.add_argument("--teams", type=int, default=200)
        sizes.add_argument("--storyboards", type=int, default=1000)
        sizes.add_argument("--experiments", type=int, default=50_000)
        sizes.add_argument("--measurements", type=int, default=200_000)
        sizes.add_argument("--cycles", type=int, default=20_000)
        timing = parser.add_argument_group("timing")
        timing.add_argument("--warmup", type=int, default=20, help="requests per page first")
        timing.add_argument("--iterations", type=int, default=200, help="timed requests per page")
        load = parser.add_argument_group("load test")
        load.add_argument("--users", type=int, default=50, help="concurrent locust users")
        load.add_argument("--duration", type=int, default=30, help="seconds of load")
        load.add_argument(
            "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
        )
        load.add_argument("--no-load", action="store_true", help="skip gunicorn and locust")
        parser.add_argument("--out", default=str(settings.VAR_DIR / "bench"))

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DEBUG:
            self.note("DEBUG is on: running the benchmark again with production-like settings.")
            if code := machine.rerun_without_debug():
                raise CommandError(f"The benchmark stopped with exit status {code}.")
            return
        load_before = machine.load_average()
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        self.note(f"Database: {machine.database()}")
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        sizes = data.Sizes(
            *(options[k] for k in ("teams", "storyboards", "experiments", "measurements", "cycles"))
        )
        scale = data.seed(sizes, self.note)
        people = data.people(self.note)
        warmup, iterations = options["warmup"], options["iterations"]
        results = timing.measure(endpoints(people), people, warmup, iterations, self.note)
        timing.explain_dashboard(people.manager, out, self.note)
        load = None
        if not options["no_load"]:
            how_much = Load(options["users"], options["duration"], options["workers"])
            load = load_test(how_much, people.manager, out, self.note)
        run = report.Run(load_before, scale, people.facts, warmup, iterations, results, load)
        text = report.text(run)
        report.write(run, text, out)
        self.stdout.write(text)
        self.note(f"Written to {out / 'results.txt'} and results.json")
        if not report.passed(run):
            raise CommandError("A target was missed or the load test had errors: see above.")

    def note(self, text: str) -> None:
        self.stderr.write(text)
