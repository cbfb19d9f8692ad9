"""``manage.py seed_scale_coaching``: coaching for the scale boards ``seed_demo --teams`` made.

Bulk data for benchmarks (``coaching.demo.scale``): a daily coaching series on every active
scale storyboard with a coach, its sessions, and ``--cycles`` finished coaching cycles in all.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coaching.demo import scale


class Command(BaseCommand):
    help = "Bulk-insert coaching series, sessions and --cycles coaching cycles for scale boards."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--cycles", type=int, default=20_000, metavar="N", help="coaching cycles in all"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = scale.seed(options["cycles"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if created is None:
            self.stdout.write(scale.ALREADY_PRESENT)
        else:
            self.stdout.write(self.style.SUCCESS(created))
