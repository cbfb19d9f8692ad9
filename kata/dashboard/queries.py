"""The dashboard's figures as SQL: every per-row figure a join or a correlated subquery.

Reads storyboards and, through the active target condition, its process metric and
measurements, obstacles and PDCA cycles; coaching cycles and sessions; and, for the search,
teams, challenges and people.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import (
    Expression,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from boards.models import (
    Challenge,
    Experiment,
    Measurement,
    Metric,
    Obstacle,
    Storyboard,
    TargetCondition,
    Team,
    User,
)
from coaching.models import CoachingCycle, Session
from kata.dashboard.sparklines import SPARK_POINTS

SEARCH_WORDS = 5
STEP_WINDOWS = {"pdca_7": 7, "pdca_30": 30}
# The figures counted from today or from now; the others do not change with the time of asking.
TIMED_FIGURES = (*STEP_WINDOWS, "next_session")
# A row's own columns; the rest of what it shows are annotations of ``rows_base()``.
ROW_FIELDS = ("pk", "focus_process", "team_id", "coach_id")

# A figure: an expression to annotate, or a subquery; built only when asked for.
Figure = Expression | F | Subquery
Makers = dict[str, Callable[[], Figure]]


# The joins every figure hangs off. Only one target condition per storyboard is active, one
# current (not retired) metric per kind and target, one obstacle worked on per target (all
# unique constraints), so these joins never multiply rows; an unused one is not joined at all.
def relations() -> dict[str, FilteredRelation]:
    return {
        "active": FilteredRelation(
            "target_conditions",
            condition=Q(target_conditions__status=TargetCondition.Status.ACTIVE),
        ),
        "pm": FilteredRelation(
            "active__metrics",
            condition=Q(
                active__metrics__kind=Metric.Kind.PROCESS,
                active__metrics__retired_at__isnull=True,
            ),
        ),
        "working": FilteredRelation(
            "active__obstacles",
            condition=Q(active__obstacles__status=Obstacle.Status.WORKING_ON),
        ),
    }


class _CountAll(Func):
    """COUNT(*) as a plain column: with no GROUP BY, the subquery yields one row, 0 or more."""

    function = "COUNT"
    template = "COUNT(*)"
    output_field = IntegerField()


def _count(queryset: QuerySet[Any]) -> Subquery:
    """A correlated COUNT(*) of ``queryset`` as an integer annotation."""
    return Subquery(queryset.order_by().annotate(n=_CountAll()).values("n"))


def steps_since(day: date) -> QuerySet[Experiment]:
    """A storyboard's PDCA cycles dated ``day`` or later, for a correlated subquery.

    A PDCA cycle counts by the day it is taken (planned for); a step planned ahead counts
    too, since it is on the board now.
    """
    return Experiment.objects.filter(
        target_condition__storyboard=OuterRef("pk"), planned_for__gte=day
    )


def cycles_since(moment: datetime) -> QuerySet[CoachingCycle]:
    return CoachingCycle.objects.filter(storyboard=OuterRef("pk"), started_at__gte=moment)


def _made(makers: Makers, only: Iterable[str] | None) -> dict[str, Figure]:
    names = makers if only is None else [name for name in only if name in makers]
    return {name: makers[name]() for name in names}


def lasting_figures(only: Iterable[str] | None = None) -> dict[str, Figure]:
    """The per-row figures that do not change with the time of asking (see ``figures``)."""

    def latest_value() -> Subquery:
        latest = Measurement.objects.filter(metric=OuterRef("pm__id"))
        return Subquery(latest.order_by("-measured_at", "-pk").values("value")[:1])

    def parked() -> Subquery:
        lot = Obstacle.objects.filter(
            target_condition=OuterRef("active__id"), status=Obstacle.Status.PARKED
        )
        return _count(lot)

    def last_cycle() -> Subquery:
        cycles = CoachingCycle.objects.filter(storyboard=OuterRef("pk")).order_by("-started_at")
        return Subquery(cycles.values("started_at")[:1])

    makers: Makers = {
        "target_number": lambda: F("active__number"),
        "achieve_by": lambda: F("active__achieve_by"),
        "latest_value": latest_value,
        "working_obstacle": lambda: F("working__description"),
        "parked": parked,
        "last_cycle": last_cycle,
    }
    return _made(makers, only)


def timed_figures(
    today: date, now: datetime, only: Iterable[str] | None = None
) -> dict[str, Figure]:
    """The per-row figures counted from today or from now (see ``figures``)."""

    def steps(days: int) -> Callable[[], Figure]:
        return lambda: _count(steps_since(today - timedelta(days=days - 1)))

    def next_session() -> Subquery:
        sessions = Session.objects.filter(
            storyboard=OuterRef("pk"), status=Session.Status.SCHEDULED, starts_at__gte=now
        )
        return Subquery(sessions.order_by("starts_at").values("starts_at")[:1])

    makers: Makers = {
        **{name: steps(days) for name, days in STEP_WINDOWS.items()},
        "next_session": next_session,
    }
    return _made(makers, only)


def figures(today: date, now: datetime, only: Iterable[str] | None = None) -> dict[str, Figure]:
    """The per-row figures a column sorts by, as expressions over ``relations()``.

    Built on demand (``only``): compiling a correlated subquery is a good part of what the
    ORM spends on a page.
    """
    return {**lasting_figures(only), **timed_figures(today, now, only)}


@functools.cache
def rows_base() -> QuerySet[Storyboard]:
    """Storyboards with every figure a row shows that does not change with the time of asking.

    Built and resolved once per process: a dozen joins and correlated subqueries took a
    millisecond of each page to resolve. Every use filters a copy of it, as a class-based view
    does with its ``queryset``; it is never evaluated itself (it would keep its rows).
    """
    queryset = Storyboard.objects.alias(**relations()).annotate(
        learner_first=F("learner__first_name"),
        learner_last=F("learner__last_name"),
        learner_username=F("learner__username"),
        coach_first=F("coach__first_name"),
        coach_last=F("coach__last_name"),
        coach_username=F("coach__username"),
        challenge_title=F("challenge__title"),
        target_pattern=F("active__operating_pattern"),
        metric_id=F("pm__id"),
        metric_name=F("pm__name"),
        metric_unit=F("pm__unit"),
        metric_target=F("pm__target_value"),
        metric_higher=F("pm__higher_is_better"),
        **lasting_figures(),
    )
    if connection.vendor == "postgresql":
        # PostgreSQL reads each row's sparkline with it: an index scan of a few entries per
        # board, where the window query elsewhere ranks every measurement of the page's
        # metrics.
        newest = Measurement.objects.filter(metric=OuterRef("pm__id")).order_by(
            "-measured_at", "-pk"
        )
        queryset = queryset.annotate(
            spark_values=ArraySubquery(newest.values("value")[:SPARK_POINTS])
        )
    return queryset.order_by()


def with_figures(
    queryset: QuerySet[Storyboard],
    *,
    today: date,
    now: datetime,
    sparks: bool = False,
    known: Iterable[str] = (),
) -> QuerySet[Storyboard, dict[str, Any]]:
    """Every figure a row shows but those ``known`` already, as a dict per row to make a
    ``Row`` of; ``queryset`` is ``rows_base()`` filtered.

    With ``sparks`` (PostgreSQL), the sparkline's values come instead of the latest value,
    which is the first of them.
    """
    left_out = {"latest_value" if sparks else "spark_values", *known}
    names = [name for name in rows_base().query.annotation_select if name not in left_out]
    timed = [name for name in TIMED_FIGURES if name not in left_out]
    return queryset.values(*ROW_FIELDS, *names, **timed_figures(today, now, only=timed))


def search(words: list[str]) -> Q:
    """Every word in the focus process or in a team, challenge, learner or coach name.

    Names are matched in subqueries rather than joins: PostgreSQL then hashes each list of
    matches once, instead of weighing every order of five more joins while planning.
    """
    condition = Q()
    for word in words:
        people = User.objects.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
        ).values("pk")
        condition &= (
            Q(focus_process__icontains=word)
            | Q(team_id__in=Team.objects.filter(name__icontains=word).values("pk"))
            | Q(challenge_id__in=Challenge.objects.filter(title__icontains=word).values("pk"))
            | Q(learner_id__in=people)
            | Q(coach_id__in=people)
        )
    return condition
