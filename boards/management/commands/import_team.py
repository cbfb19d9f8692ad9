"""``manage.py import_team <file.json> [--slug new-slug]``: recreate an exported team here.

All or nothing: a refused row leaves the database as it was, and the refusal is one line naming
the value and its place in the file. The file is refused by its size, before it is read, past
``--max-megabytes``. People are matched to existing accounts by email address; the others get
inactive accounts without a password, which they claim with "Forgot your password?" on the
sign-in page.
"""

from __future__ import annotations

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
        parser.add_argument(
            "--max-megabytes",
            type=int,
            default=exchange_import.MAX_MEGABYTES,
            help="Refuse a larger file without reading it (default: %(default)s).",
        )

    def handle(
        self, *args: Any, path: str, slug: str | None, max_megabytes: int, **options: Any
    ) -> None:
        if max_megabytes < 1:
            raise CommandError("--max-megabytes takes a whole number of megabytes from 1.")
        try:
            document = exchange_import.read_document(
                path, stdin=options.get("stdin"), max_megabytes=max_megabytes
            )
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
