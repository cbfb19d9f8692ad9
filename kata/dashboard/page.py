"""``Dashboard``: one user's storyboards, filtered, sorted and paged, or all of them for export.

Reads through ``filters`` (the form's lists), ``queries`` (the ids in order, then every figure
of a page's rows in one query) and ``sparklines`` (one more query, except on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, F, OrderBy, QuerySet, Window
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from boards.models import Storyboard, User
from kata.dashboard.columns import (
    COLUMNS_BY_KEY,
    DEFAULT_SORT,
    HEADERS,
    QUICK_FILTERS,
    QUIET_DAYS,
)
from kata.dashboard.filters import PEOPLE_LIST_BOARDS, DashboardForm, visible_storyboards
from kata.dashboard.markup import (
    HeaderCell,
    SortLink,
    header_html,
    options_html,
    row_html,
    rows_html,
)
from kata.dashboard.queries import (
    SEARCH_WORDS,
    cycles_since,
    figures,
    relations,
    rows_base,
    search,
    steps_since,
    with_figures,
)
from kata.dashboard.rows import Presenter, Row
from kata.dashboard.sparklines import Sparkline, spark, sparklines

PAGE_SIZE = 50


LAST_PAGE_ASKED = 10**9


class RowsPage(Page[Row]):
    """A page of rows, with their HTML ready for the table's body."""

    html: SafeString


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
        sort: str = self.filters.get("sort", DEFAULT_SORT)
        self.sort_key = sort.lstrip("-")
        self.descending = sort.startswith("-")
        self.presenter = Presenter(
            teams=self.form.teams,
            today=self.today,
            now=self.now,
            board_url=reverse("boards:storyboard", args=[0]).replace("/0/", "/{}/"),
            practice_url=reverse("team_practice", args=["slug"]).replace("/slug/", "/{}/"),
        )

    @property
    def is_filtered(self) -> bool:
        return any(key != "sort" for key in self.filters)

    def filtered(self, storyboards: QuerySet[Storyboard] | None = None) -> QuerySet[Storyboard]:
        """The visible storyboards the filters select, from ``storyboards`` if given, which
        carries ``relations()`` already; by default with them to hang figures on."""
        f = self.filters
        if storyboards is None:
            storyboards = Storyboard.objects.alias(**relations())
        queryset = visible_storyboards(self.user, storyboards)
        if "team" in f:
            queryset = queryset.filter(team_id=self.form.team_ids[f["team"]])
        if "coach" in f:
            queryset = queryset.filter(coach_id=f["coach"])
        if "learner" in f:
            queryset = queryset.filter(learner_id=f["learner"])
        if "q" in f:
            queryset = queryset.filter(search(f["q"].split()[:SEARCH_WORDS]))
        if f.get("overdue"):
            # django-stubs cannot see the ``active`` relation that ``relations()`` aliases.
            queryset = queryset.filter(active__achieve_by__lt=self.today)  # type: ignore[misc]
        if f.get("no_step"):
            queryset = queryset.filter(~Exists(steps_since(self.today - timedelta(days=6))))
        if f.get("no_cycle"):
            quiet_since = self.now - timedelta(days=QUIET_DAYS)
            queryset = queryset.filter(~Exists(cycles_since(quiet_since)))
        return queryset

    def ordering(self) -> list[OrderBy]:
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

    def _sorted_ids(self, *, with_figure: bool = False) -> QuerySet[Storyboard]:
        """The filtered ids in order, computing only the figure the order needs; with it
        selected if ``with_figure``, for the page's rows to take rather than compute again."""
        wanted = figures(self.today, self.now, only=COLUMNS_BY_KEY[self.sort_key].order_by)
        queryset = self.filtered()
        queryset = queryset.annotate(**wanted) if with_figure else queryset.alias(**wanted)
        return queryset.order_by(*self.ordering())

    def _page_of_ids(
        self, asked: str | int | None
    ) -> tuple[list[int], int, int, dict[int, dict[str, Any]]]:
        """A page of ids, its number and the total; the total comes with the ids (a window
        count), saving a COUNT query, and so does the figure the order is computed on, by id,
        for the rows to take."""
        try:
            number = max(1, int(asked if asked is not None else 1))
        except ValueError:
            number = 1
        # Past any real last page; keeps the OFFSET inside a 64-bit integer on PostgreSQL.
        number = min(number, LAST_PAGE_ASKED)
        ordered = self._sorted_ids(with_figure=True)
        sorted_by = list(ordered.query.annotation_select)
        start = (number - 1) * PAGE_SIZE
        rows = list(
            ordered.annotate(total=Window(Count("*"))).values_list("pk", "total", *sorted_by)[
                start : start + PAGE_SIZE
            ]
        )
        if rows:
            total = rows[0][1]
            sort_figures = {
                pk: dict(zip(sorted_by, values, strict=True)) for pk, _total, *values in rows
            }
            return [row[0] for row in rows], number, total, sort_figures
        # Past the last page, or nothing at all: count, then show the last page.
        ordered = self._sorted_ids()
        total = ordered.count()
        number = max(1, -(-total // PAGE_SIZE))
        start = (number - 1) * PAGE_SIZE
        ids = list(ordered.values_list("pk", flat=True)[start : start + PAGE_SIZE])
        return ids, number, total, {}

    def page(self, asked: str | int | None) -> RowsPage:
        """The page numbered ``asked`` (the last one if past it, the first if not a number)."""
        ids, number, total, sort_figures = self._page_of_ids(asked)
        inline = connection.vendor == "postgresql"
        figured = with_figures(
            rows_base().filter(pk__in=ids),
            today=self.today,
            now=self.now,
            sparks=inline,
            known={name for values in sort_figures.values() for name in values},
        )
        by_pk = {row["pk"]: Row(row) for row in figured} if ids else {}
        for pk, values in sort_figures.items():
            vars(by_pk[pk]).update(values)
        sparks: dict[int, Sparkline] = {}
        if inline:
            for row in by_pk.values():
                row.latest_value = row.spark_values[0] if row.spark_values else None
                if row.metric_id and row.spark_values:
                    sparks[row.metric_id] = spark(row.spark_values[::-1], row.metric_target)
        else:
            sparks = sparklines(
                {row.metric_id: row.metric_target for row in by_pk.values() if row.metric_id}
            )
        zone = timezone.get_current_timezone()
        shown = [self._with_html(self.presenter.show(by_pk[pk], sparks, zone)) for pk in ids]
        paginator: Paginator[Row] = Paginator([], PAGE_SIZE)
        paginator.count = total  # a cached_property on Paginator: set, it is never queried
        page = RowsPage(shown, number, paginator)
        page.html = rows_html(shown)
        return page

    def rows(self, *, chunk_size: int = 500) -> Iterator[Row]:
        """Every filtered row in order, read a chunk at a time (for the export)."""
        queryset = with_figures(self.filtered(rows_base()), today=self.today, now=self.now)
        queryset = queryset.order_by(*self.ordering())
        # The zone active as the rows are read: the export streams them after the view returns.
        zone = timezone.get_current_timezone()
        for row in queryset.iterator(chunk_size=chunk_size):
            yield self.presenter.show(Row(row), {}, zone)

    def _with_html(self, row: Row) -> Row:
        row.html = row_html(row)
        return row

    # The page's controls ------------------------------------------------------------------------

    def _options(self, name: str, default: str = "") -> SafeString:
        # Built in Python rather than by the form's widget: a manager's coach and learner lists
        # run to hundreds of names, and template-rendered options would cost more than the table.
        return options_html(self.form.choices(name), str(self.filters.get(name, default)))

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

    def columns(self) -> list[HeaderCell]:
        """Header cells: a link per figure that sorts by it, keeping the filters but not the
        page (as ``{% querystring sort=... page=None %}`` would), and which one sorts now."""
        query = self.params.copy()
        query.pop("page", None)
        cells: list[HeaderCell] = []
        for css, links_spec in HEADERS:
            links: list[SortLink] = []
            aria_sort = ""
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
