"""``manage.py import_team <file.json> [--slug new-slug]``: recreate an exported team here.

All or nothing: a refused row leaves the database as it was. People are matched to existing
accounts by email address; the others get inactive accounts without a password, which they
claim with "Forgot your password?" on the sign-in page.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from boards import exchange, exchange_import


class Command(BaseCommand):
    help = "Recreate a team from a file written by export_team or the team's Export link."
    # call_command(..., stdin=StringIO(...)) stands in for standard input, as in createsuperuser.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The JSON file; - reads standard input.")
        parser.add_argument(
            "--slug", help="A new address for the team, if its own is taken here already."
        )

    def handle(self, *args: Any, path: str, slug: str | None, **options: Any) -> None:
        try:
            if path == "-":
                document = json.load(options.get("stdin") or sys.stdin)
            else:
                with open(path, encoding="utf-8") as file:
                    document = json.load(file)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CommandError(f"{path} is not valid JSON: {error}.") from None
        try:
            result = exchange_import.import_team(document, slug=slug)
        except exchange.ExchangeError as error:
            raise CommandError(f"Nothing was imported. {error}") from None
        team = result.team
        rows = sum(result.rows.values())
        self.stdout.write(
            f"Imported {team.name} as /teams/{team.slug}/: {rows} rows, "
            f"{result.users_matched} people matched by email, "
            f"{len(result.users_created)} new inactive accounts."
        )
        if result.users_created:
            self.stdout.write(
                "New accounts (they set a password with 'Forgot your password?'): "
                + ", ".join(result.users_created)
            )
