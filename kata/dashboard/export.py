"""The dashboard's rows as CSV: every filtered row, read a chunk at a time.

Reads through ``Dashboard.rows`` what the page shows, without paging and without sparklines.
The file opens right in the spreadsheets people use: UTF-8 with a byte-order mark (Excel on
Windows reads it as UTF-8 only then), times in the reader's own time zone, links to SITE_URL.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import datetime, tzinfo

from kata.dashboard.page import Dashboard

CSV_HEADER = [
    "Team",
    "Focus process",
    "Learner",
    "Coach",
    "Challenge",
    "Target condition",
    "Operating pattern",
    "Achieve by",
    "Days left",
    "Achieve-by passed",
    "Process metric",
    "Latest value",
    "Target",
    "Meets target",
    "PDCA cycles, 7 days",
    "PDCA cycles, 30 days",
    "Working on obstacle",
    "Parked obstacles",
    "Last coaching cycle",
    "Next coaching session",
    "Storyboard",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """Text a spreadsheet shows as text: anything that could start a formula gets a quote.

    Numbers stay numbers (a negative "days left" is not a formula).
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


BYTE_ORDER_MARK = "\ufeff"


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer to stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(dashboard: Dashboard, *, site_url: str, zone: tzinfo) -> Iterator[str]:
    """The file, line by line: the byte-order mark, the header, every row.

    ``zone`` is the reader's, taken while the request runs: the lines are read after the
    response has left the view, when the time-zone middleware has already reset it.
    """
    writer = csv.writer(_Echo())
    yield BYTE_ORDER_MARK
    for row in csv_rows(dashboard, site_url=site_url, zone=zone):
        yield writer.writerow(row)


def _local(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="minutes") if moment else ""


def csv_rows(dashboard: Dashboard, *, site_url: str, zone: tzinfo) -> Iterator[Sequence[object]]:
    """The header and every filtered row, read from the database a chunk at a time."""
    yield CSV_HEADER
    for row in dashboard.rows():
        metric = row.metric
        yield [
            csv_safe(cell)
            for cell in (
                row.team_name,
                row.focus_process,
                row.learner_name,
                row.coach_name,
                row.challenge_title,
                row.target_number,
                row.target_pattern,
                row.achieve_by.isoformat() if row.achieve_by else "",
                row.days_left,
                "yes" if row.overdue else "no",
                metric.name if metric else "",
                row.latest_label,
                metric.target_label if metric else "",
                {True: "yes", False: "no", None: ""}[row.meets_target],
                row.pdca_7,
                row.pdca_30,
                row.working_obstacle,
                row.parked,
                _local(row.last_cycle, zone),
                _local(row.next_session, zone),
                f"{site_url}{row.url}",
            )
        ]
