"""What the dashboard's table shows and sorts by, and its quick filters: constants only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # What to order by: annotations of ``queries.figures()`` or lookups through joins.
    order_by: tuple[str, ...]


# Every figure sorts; nulls (no target, never coached...) go last either way.
COLUMNS = (
    Column("team", "Team", ("team__name",)),
    Column("focus", "Focus process", ("focus_process",)),
    Column("challenge", "Challenge", ("challenge__title",)),
    Column("learner", "Learner", ("learner__first_name", "learner__last_name", "learner_id")),
    Column("coach", "Coach", ("coach__first_name", "coach__last_name", "coach_id")),
    Column("target", "Target condition", ("target_number",)),
    Column("achieve_by", "Achieve by", ("achieve_by",)),
    Column("metric", "Process metric", ("latest_value",)),
    Column("pdca_7", "PDCA cycles, 7 days", ("pdca_7",)),
    Column("pdca_30", "PDCA cycles, 30 days", ("pdca_30",)),
    Column("obstacle", "Working on", ("working_obstacle",)),
    Column("parked", "Parked obstacles", ("parked",)),
    Column("last_cycle", "Last coaching cycle", ("last_cycle",)),
    Column("next_session", "Next coaching session", ("next_session",)),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
# The table's header cells; related figures share a cell, each with its own sort link, so that
# the table fits a laptop screen.
HEADERS = (
    ("team", (("team", "Team"),)),
    ("focus", (("focus", "Focus process"), ("challenge", "challenge"))),
    ("people", (("learner", "Learner"), ("coach", "coach"))),
    ("target", (("target", "Target condition"),)),
    ("achieve_by", (("achieve_by", "Achieve by"),)),
    ("metric", (("metric", "Process metric"),)),
    ("pdca", (("pdca_7", "PDCA cycles 7 days"), ("pdca_30", "30 days"))),
    ("obstacle", (("obstacle", "Working on"), ("parked", "parked"))),
    ("coaching", (("last_cycle", "Last coaching cycle"), ("next_session", "next session"))),
)
DEFAULT_SORT = "team"
QUICK_FILTERS = (
    ("overdue", "the achieve-by date has passed"),
    ("no_step", "no experiment in the last 7 days"),
    ("no_cycle", "no coaching cycle in the last 7 days"),
)
# A board whose last coaching cycle is this old is marked; it matches the quick filter.
QUIET_DAYS = 7


def sort_choices() -> list[tuple[str, str]]:
    choices = []
    for column in COLUMNS:
        choices.append((column.key, f"{column.label}, ascending"))
        choices.append((f"-{column.key}", f"{column.label}, descending"))
    return choices
