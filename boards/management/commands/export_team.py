"""``manage.py export_team <slug> [--output file.json]``: a team's data, see boards.exchange."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from boards import exchange
from boards.models import Team


class Command(BaseCommand):
    help = "Write a team's full data as JSON, to import into another installation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The team's address, as in /teams/<slug>/.")
        parser.add_argument("--output", "-o", help="File to write; default: standard output.")

    def handle(self, *args: Any, slug: str, output: str | None, **options: Any) -> None:
        team = Team.objects.filter(slug=slug).first()
        if team is None:
            raise CommandError(f"No team has the address {slug!r}.")
        try:
            if output:
                with open(output, "w", encoding="utf-8") as file, exchange.snapshot():
                    exchange.write_document(team, file.write)
                self.stderr.write(f"Wrote {team.name} to {output}.")
            else:
                with exchange.snapshot():
                    exchange.write_document(team, sys.stdout.write)
        except exchange.ExchangeError as error:
            raise CommandError(str(error)) from None
