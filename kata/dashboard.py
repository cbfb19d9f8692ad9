"""The managers' dashboard: every active storyboard a user may see, with the state of its practice.

A page costs the same few queries whether a user sees three storyboards or three thousand:
the filter lists (teams, coaches, learners, which also name the rows), the page's ids in the
chosen order with the count and the figure that order is on (joining only what that order and
the filters need), every other per-row figure for those ids as joins and correlated subqueries
of one query, with the sparklines on PostgreSQL (elsewhere in one more query with a window
function). The CSV export streams the same rows.

It shows the practice and where help is needed; it does not score or rank learners.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from html import escape as html_escape

from django import forms
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from boards.models import (
    Challenge,
    Experiment,
    Measurement,
    Membership,
    Metric,
    Obstacle,
    Storyboard,
    Team,
    User,
)
from coaching.models import CoachingCycle, Session
from kata.dashboard_rows import header_html, row_html, rows_html

PAGE_SIZE = 50
# Above this many storyboards the coach and learner lists wait for a team to be chosen.
PEOPLE_LIST_BOARDS = 200
SPARK_POINTS = 20
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 96, 28, 3
SEARCH_WORDS = 5
STEP_WINDOWS = {"pdca_7": 7, "pdca_30": 30}
# The figures counted from today or from now; the others do not change with the time of asking.
TIMED_FIGURES = (*STEP_WINDOWS, "next_session")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # What to order by: annotations of ``figures()`` or lookups through joins.
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


def _sort_choices() -> list[tuple[str, str]]:
    choices = []
    for column in COLUMNS:
        choices.append((column.key, f"{column.label}, ascending"))
        choices.append((f"-{column.key}", f"{column.label}, descending"))
    return choices


def _person(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def visible_storyboards(
    user: User, storyboards: QuerySet[Storyboard] | None = None
) -> QuerySet[Storyboard]:
    """Active storyboards (of ``storyboards``, by default all) of every team the user belongs
    to, in any role."""
    teams = Membership.objects.filter(user=user).values("team_id")
    if storyboards is None:
        storyboards = Storyboard.objects.all()
    return storyboards.filter(is_active=True, team_id__in=teams)


class DashboardForm(forms.Form):
    """The filters, read from the query string; an invalid one is ignored and said so.

    The coach and learner lists cover the chosen team's boards, or all the boards the user sees
    when there are at most PEOPLE_LIST_BOARDS: a manager of hundreds of teams picks a team
    first (or searches by name) rather than scroll through a thousand names, and the page does
    not read and send them all each time. They are plain dicts rather than choice fields, which
    copy and normalise their choices several times over for each request.
    """

    q = forms.CharField(label="Search", required=False, max_length=100)
    team = forms.CharField(label="Team", required=False)
    coach = forms.IntegerField(label="Coach", required=False)
    learner = forms.IntegerField(label="Learner", required=False)
    overdue = forms.BooleanField(label="Achieve-by passed", required=False)
    no_step = forms.BooleanField(label="No experiment in 7 days", required=False)
    no_cycle = forms.BooleanField(label="No coaching cycle in 7 days", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=_sort_choices)

    def __init__(self, data: QueryDict, *, user: User):
        super().__init__(data)
        teams = (
            Membership.objects.filter(user=user)
            .order_by("team__name", "team_id")
            .values_list("team_id", "team__slug", "team__name")
        )
        self.teams = {pk: (slug, name) for pk, slug, name in teams}
        self.team_ids = {slug: pk for pk, (slug, _name) in self.teams.items()}
        visible = visible_storyboards(user)
        boards = visible
        if data.get("team") in self.team_ids:
            boards = visible.filter(team_id=self.team_ids[data["team"]])
        self.coaches, self.learners, self.lists_complete = _people(boards, limit=PEOPLE_LIST_BOARDS)
        # Whoever the address asks for is named even when the lists are not shown; always
        # asked for, so that the query count depends on the address, never on the data.
        wanted = [int(v) for v in (data.get("coach"), data.get("learner")) if v and v.isdigit()]
        if wanted:
            coaches, learners, _complete = _people(
                visible.filter(Q(coach_id__in=wanted) | Q(learner_id__in=wanted))
            )
            self.coaches.update((pk, name) for pk, name in coaches.items() if pk in wanted)
            self.learners.update((pk, name) for pk, name in learners.items() if pk in wanted)

    def clean_team(self) -> str:
        slug = self.cleaned_data["team"]
        if slug and slug not in self.team_ids:
            raise ValidationError("not one of your teams.")
        return slug

    def clean_coach(self) -> int | None:
        pk = self.cleaned_data["coach"]
        if pk is not None and pk not in self.coaches:
            raise ValidationError("not the coach of a storyboard you can see.")
        return pk

    def clean_learner(self) -> int | None:
        pk = self.cleaned_data["learner"]
        if pk is not None and pk not in self.learners:
            raise ValidationError("not the learner of a storyboard you can see.")
        return pk

    def values(self) -> dict:
        """The valid filters; fields with an invalid value are left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    @property
    def ignored(self) -> list[str]:
        return [
            f"{self.fields[name].label}: {' '.join(errors)}" for name, errors in self.errors.items()
        ]

    def choices(self, name: str) -> list[tuple]:
        if name == "team":
            return [("", "All teams"), *self.teams.values()]
        if name == "coach":
            return [("", "All coaches"), *self.coaches.items()]
        if name == "learner":
            return [("", "All learners"), *self.learners.items()]
        return self.fields[name].choices


def _people(
    storyboards: QuerySet[Storyboard], *, limit: int | None = None
) -> tuple[dict[int, str], dict[int, str], bool]:
    """The coaches and the learners of these storyboards, names by pk in name order, and
    whether that is all of them (with more than ``limit`` boards, the lists stay empty)."""
    rows = storyboards.order_by().values_list(
        "learner_id",
        "learner__first_name",
        "learner__last_name",
        "learner__username",
        "coach_id",
        "coach__first_name",
        "coach__last_name",
        "coach__username",
    )
    if limit is not None:
        rows = list(rows[: limit + 1])
        if len(rows) > limit:
            return {}, {}, False
    coaches, learners = {}, {}
    for learner, l_first, l_last, l_user, coach, c_first, c_last, c_user in rows:
        learners[learner] = _person(l_first, l_last, l_user)
        if coach is not None:
            coaches[coach] = _person(c_first, c_last, c_user)

    def by_name(people: dict[int, str]) -> dict[int, str]:
        return dict(sorted(people.items(), key=lambda item: (item[1].casefold(), item[0])))

    return by_name(coaches), by_name(learners), True


# The joins every figure hangs off. Only one target condition per storyboard is active, one
# metric per kind and target, one obstacle worked on per target (all unique constraints), so
# these joins never multiply rows; an unused one is not joined at all.
def _relations() -> dict[str, FilteredRelation]:
    return {
        "active": FilteredRelation(
            "target_conditions", condition=Q(target_conditions__status="active")
        ),
        "pm": FilteredRelation("active__metrics", condition=Q(active__metrics__kind="process")),
        "working": FilteredRelation(
            "active__obstacles", condition=Q(active__obstacles__status="working")
        ),
    }


class _CountAll(Func):
    """COUNT(*) as a plain column: with no GROUP BY, the subquery yields one row, 0 or more."""

    function = "COUNT"
    template = "COUNT(*)"
    output_field = IntegerField()


def _count(queryset: QuerySet) -> Subquery:
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


def _made(makers: dict, only: Iterable[str] | None) -> dict:
    names = makers if only is None else [name for name in only if name in makers]
    return {name: makers[name]() for name in names}


def lasting_figures(only: Iterable[str] | None = None) -> dict:
    """The per-row figures that do not change with the time of asking (see ``figures``)."""

    def latest_value():
        latest = Measurement.objects.filter(metric=OuterRef("pm__id"))
        return Subquery(latest.order_by("-measured_at", "-pk").values("value")[:1])

    def parked():
        lot = Obstacle.objects.filter(target_condition=OuterRef("active__id"), status="parked")
        return _count(lot)

    def last_cycle():
        cycles = CoachingCycle.objects.filter(storyboard=OuterRef("pk")).order_by("-started_at")
        return Subquery(cycles.values("started_at")[:1])

    makers = {
        "target_number": lambda: F("active__number"),
        "achieve_by": lambda: F("active__achieve_by"),
        "latest_value": latest_value,
        "working_obstacle": lambda: F("working__description"),
        "parked": parked,
        "last_cycle": last_cycle,
    }
    return _made(makers, only)


def timed_figures(today: date, now: datetime, only: Iterable[str] | None = None) -> dict:
    """The per-row figures counted from today or from now (see ``figures``)."""

    def steps(days: int):
        return lambda: _count(steps_since(today - timedelta(days=days - 1)))

    def next_session():
        sessions = Session.objects.filter(
            storyboard=OuterRef("pk"), status=Session.Status.SCHEDULED, starts_at__gte=now
        )
        return Subquery(sessions.order_by("starts_at").values("starts_at")[:1])

    makers = {
        **{name: steps(days) for name, days in STEP_WINDOWS.items()},
        "next_session": next_session,
    }
    return _made(makers, only)


def figures(today: date, now: datetime, only: Iterable[str] | None = None) -> dict:
    """The per-row figures a column sorts by, as expressions over ``_relations()``.

    Built on demand (``only``): compiling a correlated subquery is a good part of what the
    ORM spends on a page.
    """
    return {**lasting_figures(only), **timed_figures(today, now, only)}


class Row:
    """One storyboard's figures as read, and what ``Dashboard._decorate`` works out for showing.

    Rows are read as plain values rather than model instances: fifty storyboards, each with its
    learner and coach built as models, cost more than the text worked out from them.
    """

    def __init__(self, values: dict):
        self.__dict__.update(values)


# A row's own columns; the rest of what it shows are annotations of ``_rows_base()``.
ROW_FIELDS = ("pk", "focus_process", "team_id", "coach_id")


@functools.cache
def _rows_base() -> QuerySet[Storyboard]:
    """Storyboards with every figure a row shows that does not change with the time of asking.

    Built and resolved once per process: a dozen joins and correlated subqueries took a
    millisecond of each page to resolve. Every use filters a copy of it, as a class-based view
    does with its ``queryset``; it is never evaluated itself (it would keep its rows).
    """
    queryset = Storyboard.objects.alias(**_relations()).annotate(
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
) -> QuerySet:
    """Every figure a row shows but those ``known`` already, as a dict per row to make a
    ``Row`` of; ``queryset`` is ``_rows_base()`` filtered.

    With ``sparks`` (PostgreSQL), the sparkline's values come instead of the latest value,
    which is the first of them.
    """
    left_out = {"latest_value" if sparks else "spark_values", *known}
    names = [name for name in _rows_base().query.annotation_select if name not in left_out]
    timed = [name for name in TIMED_FIGURES if name not in left_out]
    return queryset.values(*ROW_FIELDS, *names, **timed_figures(today, now, only=timed))


def _search(words: list[str]) -> Q:
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


class Dashboard:
    """The dashboard for one user and one set of filters, as a page or as all rows."""

    quick_filters = QUICK_FILTERS
    people_list_boards = PEOPLE_LIST_BOARDS

    def __init__(self, user: User, params: QueryDict):
        self.user = user
        self.params = params
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.form = DashboardForm(params, user=user)
        self.filters = self.form.values()
        sort = self.filters.get("sort", DEFAULT_SORT)
        self.sort_key = sort.lstrip("-")
        self.descending = sort.startswith("-")
        self._board_url = reverse("boards:storyboard", args=[0]).replace("/0/", "/{}/")
        self._practice_url = reverse("team_practice", args=["slug"]).replace("/slug/", "/{}/")

    @property
    def is_filtered(self) -> bool:
        return any(key != "sort" for key in self.filters)

    def filtered(self, storyboards: QuerySet[Storyboard] | None = None) -> QuerySet[Storyboard]:
        """The visible storyboards the filters select, from ``storyboards`` if given, which
        carries ``_relations()`` already; by default with them to hang figures on."""
        f = self.filters
        if storyboards is None:
            storyboards = Storyboard.objects.alias(**_relations())
        queryset = visible_storyboards(self.user, storyboards)
        if "team" in f:
            queryset = queryset.filter(team_id=self.form.team_ids[f["team"]])
        if "coach" in f:
            queryset = queryset.filter(coach_id=f["coach"])
        if "learner" in f:
            queryset = queryset.filter(learner_id=f["learner"])
        if "q" in f:
            queryset = queryset.filter(_search(f["q"].split()[:SEARCH_WORDS]))
        if f.get("overdue"):
            queryset = queryset.filter(active__achieve_by__lt=self.today)
        if f.get("no_step"):
            queryset = queryset.filter(~Exists(steps_since(self.today - timedelta(days=6))))
        if f.get("no_cycle"):
            quiet_since = self.now - timedelta(days=QUIET_DAYS)
            queryset = queryset.filter(~Exists(cycles_since(quiet_since)))
        return queryset

    def ordering(self) -> list:
        column = COLUMNS_BY_KEY[self.sort_key]
        fields = [
            F(name).desc(nulls_last=True) if self.descending else F(name).asc(nulls_last=True)
            for name in column.order_by
        ]
        if self.sort_key != "team":
            fields.append(F("team__name").asc())
        if self.sort_key != "focus":
            fields.append(F("focus_process").asc())
        return [*fields, F("pk").asc()]

    def _sorted_ids(self, *, with_figure: bool = False) -> QuerySet:
        """The filtered ids in order, computing only the figure the order needs; with it
        selected if ``with_figure``, for the page's rows to take rather than compute again."""
        wanted = figures(self.today, self.now, only=COLUMNS_BY_KEY[self.sort_key].order_by)
        queryset = self.filtered()
        queryset = queryset.annotate(**wanted) if with_figure else queryset.alias(**wanted)
        return queryset.order_by(*self.ordering())

    def _page_of_ids(self, number) -> tuple[Page, dict[int, dict]]:
        """A page of ids; the total comes with them (a window count), saving a COUNT query, and
        so does the figure the order is computed on, by id, for the rows to take."""
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        ordered = self._sorted_ids(with_figure=True)
        sorted_by = list(ordered.query.annotation_select)
        start = (number - 1) * PAGE_SIZE
        rows = list(
            ordered.annotate(total=Window(Count("*"))).values_list("pk", "total", *sorted_by)[
                start : start + PAGE_SIZE
            ]
        )
        sort_figures = {}
        if rows:
            total = rows[0][1]
            sort_figures = {
                pk: dict(zip(sorted_by, values, strict=True)) for pk, _total, *values in rows
            }
        else:  # past the last page, or nothing at all: count, then show the last page
            ordered = self._sorted_ids()
            total = ordered.count()
            number = max(1, -(-total // PAGE_SIZE))
            start = (number - 1) * PAGE_SIZE
            ids = ordered.values_list("pk", flat=True)[start : start + PAGE_SIZE]
            rows = [(pk, total) for pk in ids]
        paginator = Paginator([], PAGE_SIZE)
        paginator.count = total  # a cached_property on Paginator: set, it is never queried
        return Page([pk for pk, _total, *_figure in rows], number, paginator), sort_figures

    def page(self, number) -> Page:
        page, sort_figures = self._page_of_ids(number)
        ids = list(page.object_list)
        inline = connection.vendor == "postgresql"
        figured = with_figures(
            _rows_base().filter(pk__in=ids),
            today=self.today,
            now=self.now,
            sparks=inline,
            known={name for values in sort_figures.values() for name in values},
        )
        by_pk = {row["pk"]: Row(row) for row in figured} if ids else {}
        for pk, values in sort_figures.items():
            vars(by_pk[pk]).update(values)
        if inline:
            sparks = {}
            for row in by_pk.values():
                row.latest_value = row.spark_values[0] if row.spark_values else None
                if row.metric_id and row.spark_values:
                    sparks[row.metric_id] = _spark(row.spark_values[::-1], row.metric_target)
        else:
            sparks = sparklines(
                {row.metric_id: row.metric_target for row in by_pk.values() if row.metric_id}
            )
        zone = timezone.get_current_timezone()
        page.object_list = [self._with_html(self._decorate(by_pk[pk], sparks, zone)) for pk in ids]
        page.html = rows_html(page.object_list)
        return page

    def rows(self, *, chunk_size: int = 500) -> Iterator[Row]:
        """Every filtered row in order, read a chunk at a time (for the export)."""
        queryset = with_figures(self.filtered(_rows_base()), today=self.today, now=self.now)
        queryset = queryset.order_by(*self.ordering())
        # The zone active as the rows are read: the export streams them after the view returns.
        zone = timezone.get_current_timezone()
        for row in queryset.iterator(chunk_size=chunk_size):
            yield self._decorate(Row(row), {}, zone)

    def _decorate(self, row: Row, sparks: dict[int, Sparkline], zone: tzinfo) -> Row:
        """Names from the form's lists and what the template shows, worked out once in Python;
        times in ``zone``.

        Fifty rows of a dozen cells each make the template the costliest part of the page, so
        the rows arrive with their text and small SVG ready.
        """
        slug, row.team_name = self.form.teams[row.team_id]
        row.practice_url = self._practice_url.format(slug)
        row.url = self._board_url.format(row.pk)
        row.learner_name = _person(row.learner_first, row.learner_last, row.learner_username)
        row.coach_name = (
            _person(row.coach_first, row.coach_last, row.coach_username) if row.coach_id else ""
        )
        row.days_left = None
        if row.achieve_by:
            row.days_left = (row.achieve_by - self.today).days
            row.achieve_iso = row.achieve_by.isoformat()
            row.achieve_label = f"{row.achieve_by.day} {row.achieve_by:%b %Y}"
        row.overdue = row.days_left is not None and row.days_left < 0
        row.days_overdue = -row.days_left if row.overdue else 0
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
        row.spark_svg = spark.svg(row.metric) if spark else ""
        return row

    def _with_html(self, row: Row) -> Row:
        row.html = row_html(row)
        return row

    # The page's controls ------------------------------------------------------------------------

    def _options(self, name: str, default: str = "") -> SafeString:
        # Built here rather than by the form's widget: a manager's coach and learner lists run
        # to hundreds of names, and template-rendered options would cost more than the table.
        selected = str(self.filters.get(name, default))
        parts = []
        for value, label in self.form.choices(name):
            value = str(value)
            mark = " selected" if value == selected else ""
            parts.append(
                f'<option value="{html_escape(value)}"{mark}>{html_escape(label)}</option>'
            )
        return mark_safe("".join(parts))  # every value and label is escaped above

    @property
    def team_options(self) -> SafeString:
        return self._options("team")

    @property
    def coach_options(self) -> SafeString:
        return self._options("coach")

    @property
    def learner_options(self) -> SafeString:
        return self._options("learner")

    @property
    def sort_options(self) -> SafeString:
        return self._options("sort", DEFAULT_SORT)

    @property
    def sort_label(self) -> str:
        direction = "descending" if self.descending else "ascending"
        return f"{COLUMNS_BY_KEY[self.sort_key].label.lower()}, {direction}"

    def columns(self) -> list[dict]:
        """Header cells: a link per figure that sorts by it, keeping the filters but not the
        page (as ``{% querystring sort=... page=None %}`` would), and which one sorts now."""
        query = self.params.copy()
        query.pop("page", None)
        cells = []
        for css, links_spec in HEADERS:
            links, aria_sort = [], ""
            for key, label in links_spec:
                current = key == self.sort_key
                if current:
                    aria_sort = "descending" if self.descending else "ascending"
                query["sort"] = f"-{key}" if current and not self.descending else key
                links.append(
                    {
                        "label": label,
                        "href": f"?{query.urlencode()}",
                        "arrow": ("▼" if self.descending else "▲") if current else "",
                    }
                )
            cells.append({"css": css, "links": links, "aria_sort": aria_sort})
        return cells

    @property
    def header(self) -> SafeString:
        return header_html(self.columns())


@dataclass
class Sparkline:
    """The last few values of a process metric as a tiny SVG line, with its target."""

    path: str
    last_x: float
    last_y: float
    target_y: float
    values: list[Decimal]

    def label(self, metric: Metric) -> str:
        return (
            f"Last {len(self.values)} values of {metric.name}: from "
            f"{metric.format_value(self.values[0])} to {metric.format_value(self.values[-1])}, "
            f"lowest {metric.format_value(min(self.values))}, "
            f"highest {metric.format_value(max(self.values))}; target {metric.target_label}."
        )

    def svg(self, metric: Metric) -> SafeString:
        label = html_escape(self.label(metric))
        w, h = SPARK_WIDTH, SPARK_HEIGHT
        return mark_safe(  # numbers and an escaped label only
            f'<svg class="spark" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
            f'aria-label="{label}"><title>{label}</title>'
            f'<line class="spark-target" x1="0" x2="{w}" y1="{self.target_y}" '
            f'y2="{self.target_y}"/><path class="spark-line" d="{self.path}"/>'
            f'<circle class="spark-last" cx="{self.last_x}" cy="{self.last_y}" r="2.5"/></svg>'
        )


def sparklines(targets: dict[int, Decimal]) -> dict[int, Sparkline]:
    """The last SPARK_POINTS measurements of each metric (target value by metric pk), in one
    query for the whole page."""
    if not targets:
        return {}
    rank = Window(
        RowNumber(),
        partition_by=[F("metric_id")],
        order_by=[F("measured_at").desc(), F("pk").desc()],
    )
    rows = (
        Measurement.objects.filter(metric_id__in=list(targets))
        .annotate(rank=rank)
        .filter(rank__lte=SPARK_POINTS)
        .values_list("metric_id", "value")
        .order_by("metric_id", "-rank")
    )
    series: dict[int, list[Decimal]] = defaultdict(list)
    for metric_id, value in rows:
        series[metric_id].append(value)
    return {metric_id: _spark(values, targets[metric_id]) for metric_id, values in series.items()}


@functools.cache
def _spark_xs(count: int) -> tuple[tuple[str, ...], float]:
    """The x of each of ``count`` points as the path writes it, and the last point's x."""
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(count - 1, 1)
    written = tuple(f"{SPARK_PAD + i * step:.1f}" for i in range(count))
    return written, round(SPARK_PAD + (count - 1) * step, 1)


def _spark(values: list[Decimal], target: Decimal) -> Sparkline:
    numbers = list(map(float, values))
    goal = float(target)
    low = min(goal, *numbers)
    high = max(goal, *numbers)
    if high == low:
        low, high = low - 1, high + 1
    scale = (SPARK_HEIGHT - 2 * SPARK_PAD) / (high - low)
    xs, last_x = _spark_xs(len(numbers))
    ys = [SPARK_PAD + (high - v) * scale for v in numbers]
    path = "M" + " L".join([f"{x},{y:.1f}" for x, y in zip(xs, ys, strict=True)])
    return Sparkline(
        path=path,
        last_x=last_x,
        last_y=round(ys[-1], 1),
        target_y=round(SPARK_PAD + (high - goal) * scale, 1),
        values=values,
    )


# CSV export -----------------------------------------------------------------------------------

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


def csv_safe(value):
    """Text a spreadsheet shows as text: anything that could start a formula gets a quote.

    Numbers stay numbers (a negative "days left" is not a formula).
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_rows(dashboard: Dashboard, *, site_url: str) -> Iterator[list]:
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
