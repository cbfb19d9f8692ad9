"""A dashboard row: one storyboard's figures as read, and what it shows, worked out in Python.

Reads nothing: the figures come from ``queries``, the names from the filter form's lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString

from boards.models import Metric
from kata.dashboard.columns import QUIET_DAYS
from kata.dashboard.filters import person_name
from kata.dashboard.sparklines import Sparkline


class Row:
    """One storyboard's figures as read, and what ``Presenter.show`` works out for showing.

    Rows are read as plain values rather than model instances: fifty storyboards, each with its
    learner and coach built as models, cost more than the text worked out from them.
    """

    # As read (``queries.with_figures``).
    pk: int
    focus_process: str
    team_id: int
    coach_id: int | None
    learner_first: str
    learner_last: str
    learner_username: str
    coach_first: str | None
    coach_last: str | None
    coach_username: str | None
    challenge_title: str
    target_number: int | None
    target_pattern: str | None
    achieve_by: date | None
    metric_id: int | None
    # The process metric's columns: None exactly when metric_id is, read only when it is not.
    metric_name: str
    metric_unit: str
    metric_target: Decimal
    metric_higher: bool
    latest_value: Decimal | None
    spark_values: list[Decimal] | None  # PostgreSQL only: the latest first
    pdca_7: int
    pdca_30: int
    working_obstacle: str | None
    parked: int
    last_cycle: datetime | None
    next_session: datetime | None

    # Worked out for showing; those shown only sometimes have a default.
    team_name: str
    practice_url: str
    url: str
    learner_name: str
    coach_name: str
    days_left: int | None
    achieve_iso: str = ""
    achieve_label: str = ""
    overdue: bool
    days_overdue: int
    metric: Metric | None
    meets_target: bool | None
    latest_label: str
    cycle_days: int | None
    cycle_label: str = ""
    quiet: bool
    session_label: str = ""
    spark_svg: SafeString | str
    html: SafeString

    def __init__(self, values: dict[str, Any]):
        self.__dict__.update(values)


@dataclass(frozen=True)
class Presenter:
    """Works out what a row shows, for one user (their teams' names) at one moment."""

    teams: dict[int, tuple[str, str]]  # slug and name by team pk
    today: date
    now: datetime
    board_url: str  # with ``{}`` for the storyboard's pk
    practice_url: str  # with ``{}`` for the team's slug

    def show(self, row: Row, sparks: dict[int, Sparkline], zone: tzinfo) -> Row:
        """Names from the form's lists and what the table shows, worked out once in Python;
        times in ``zone``.

        Fifty rows of a dozen cells each make the template the costliest part of the page, so
        the rows arrive with their text and small SVG ready.
        """
        slug, row.team_name = self.teams[row.team_id]
        row.practice_url = self.practice_url.format(slug)
        row.url = self.board_url.format(row.pk)
        row.learner_name = person_name(row.learner_first, row.learner_last, row.learner_username)
        row.coach_name = (
            person_name(row.coach_first or "", row.coach_last or "", row.coach_username or "")
            if row.coach_id
            else ""
        )
        row.days_left = None
        if row.achieve_by:
            row.days_left = (row.achieve_by - self.today).days
            row.achieve_iso = row.achieve_by.isoformat()
            row.achieve_label = f"{row.achieve_by.day} {row.achieve_by:%b %Y}"
        row.overdue = row.days_left is not None and row.days_left < 0
        row.days_overdue = -row.days_left if row.days_left is not None and row.overdue else 0
        row.metric = None
        row.meets_target = None
        row.latest_label = ""
        if row.metric_id:
            row.metric = Metric(
                name=row.metric_name,
                unit=row.metric_unit,
                target_value=row.metric_target,
                higher_is_better=row.metric_higher,
            )
            if row.latest_value is not None:
                row.meets_target = row.metric.meets_target(row.latest_value)
                row.latest_label = row.metric.format_value(row.latest_value)
        row.cycle_days = None
        if row.last_cycle:
            row.last_cycle = row.last_cycle.astimezone(zone)
            row.cycle_days = (self.today - row.last_cycle.date()).days
            row.cycle_label = f"{row.last_cycle.day} {row.last_cycle:%b}"
        row.quiet = row.last_cycle is None or self.now - row.last_cycle >= timedelta(
            days=QUIET_DAYS
        )
        if row.next_session:
            row.next_session = row.next_session.astimezone(zone)
            row.session_label = (
                f"{row.next_session:%a} {row.next_session.day} {row.next_session:%b, %H:%M}"
            )
        spark = sparks.get(row.metric_id) if row.metric_id else None
        row.spark_svg = spark.svg(row.metric) if spark and row.metric else ""
        return row
