"""The dashboard's rows as CSV: every filtered row, read a chunk at a time.

Reads through ``Dashboard.rows`` what the page shows, without paging and without sparklines.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

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


def csv_rows(dashboard: Dashboard, *, site_url: str) -> Iterator[Sequence[object]]:
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
                row.last_cycle.isoformat(timespec="minutes") if row.last_cycle else "",
                row.next_session.isoformat(timespec="minutes") if row.next_session else "",
                f"{site_url}{row.url}",
            )
        ]
