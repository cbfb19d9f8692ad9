"""The dashboard's table rows, its header row and the filters' options, written as HTML here.

Fifty rows of nine cells through the template engine cost more than all the dashboard's
queries together; written here they cost a fraction. So do the header's fourteen sort links,
each a query string, and a manager's hundreds of coach and learner options. Every value goes
through ``format_html``, which escapes it; each cell picks one of a few fixed formats, so that
a row costs few calls. The page template keeps the rest (filters, paging). Reads nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from kata.dashboard.rows import Row

SELECTED = mark_safe(" selected")
HEADER_SEP = mark_safe('<span class="sep" aria-hidden="true"> · </span>')

# A row, and each cell's formats by its state; only format_html fills them in.
ROW = (
    "<tr{overdue}>"
    '<td class="col-team" data-label="Team"><a class="above" href="{practice_url}">'
    "{team}</a></td>"
    '<th scope="row" class="col-focus" data-label="Focus process">'
    '<a class="row-link" href="{url}">{focus}</a>'
    '<span class="challenge-line clamp"><span class="visually-hidden">Challenge: </span>'
    "{challenge}</span></th>"
    '<td class="col-people" data-label="Learner"><span class="person">{learner}</span> '
    '<span class="inline-sep" aria-hidden="true">· </span>'
    '<span class="muted person">{coach}</span></td>'
    '<td class="col-target" data-label="Target condition">{target}</td>'
    '<td class="col-achieve_by" data-label="Achieve by">{achieve_by}</td>'
    '<td class="col-metric" data-label="Process metric">{metric}</td>'
    '<td class="col-pdca" data-label="PDCA cycles"><span class="count"><strong>'
    "{pdca_7}</strong> in 7 days</span> "
    '<span class="inline-sep" aria-hidden="true">· </span>'
    '<span class="count muted">{pdca_30} in 30 days</span></td>'
    '<td class="col-obstacle" data-label="Working on">{working} '
    '<span class="inline-sep" aria-hidden="true">· </span>'
    '<span class="muted count">{parked} parked</span></td>'
    '<td class="col-coaching" data-label="Coaching">{coaching}</td>'
    "</tr>"
)
OVERDUE = mark_safe(' class="is-overdue"')
TARGET = '<span class="clamp"><strong>{}:</strong> {}</span>'
NO_TARGET = mark_safe('<span class="muted">none active</span>')
WORKING = '<span class="clamp">{}</span>'
NO_OBSTACLE = mark_safe('<span class="muted">no obstacle</span>')
ACHIEVE_BY = '<time datetime="{iso}">{label}</time> '
ACHIEVE_OVERDUE = ACHIEVE_BY + '<strong class="status status-overdue">⚠ overdue by {days}</strong>'
ACHIEVE_TODAY = ACHIEVE_BY + '<strong class="status status-due">⚠ due today</strong>'
ACHIEVE_LEFT = ACHIEVE_BY + '<span class="muted">{days} left</span>'
METRIC_NAME = '<span class="metric-name">{name}</span> '
METRIC_TARGET = ' <span class="muted">target {target}</span>{spark}'
METRIC = {  # by whether the latest value meets the target; None: nothing measured yet
    True: METRIC_NAME + '<span class="metric-now">{latest} '
    '<span class="status status-achieved">✓ meets target</span></span>' + METRIC_TARGET,
    False: METRIC_NAME + '<span class="metric-now">{latest} '
    '<span class="status status-working">✗ not yet</span></span>' + METRIC_TARGET,
    None: METRIC_NAME + '<span class="muted">no measurements yet</span>' + METRIC_TARGET,
}
NO_METRIC = mark_safe('<span class="muted">—</span>')
COACHING_LAST = '<span class="count">Last <time datetime="{iso}">{label}</time>'
COACHING_NEXT = (
    ' <span class="inline-sep" aria-hidden="true">· </span><span class="count muted">{next}</span>'
)
COACHING = {  # by how long ago the last coaching cycle was
    "never": '<strong class="status status-working count">⚠ never coached</strong>' + COACHING_NEXT,
    "quiet": COACHING_LAST
    + ' <strong class="status status-working">⚠ {days} days ago</strong></span>'
    + COACHING_NEXT,
    "today": COACHING_LAST + ' <span class="muted">today</span></span>' + COACHING_NEXT,
    "days": COACHING_LAST + ' <span class="muted">{days} ago</span></span>' + COACHING_NEXT,
}
NEXT_SESSION = 'next <time datetime="{iso}">{label}</time>'


class SortLink(TypedDict):
    label: str
    href: str
    arrow: str


class HeaderCell(TypedDict):
    css: str
    links: list[SortLink]
    aria_sort: str


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _achieve_by(row: Row) -> SafeString | str:
    if not row.achieve_by or row.days_left is None:
        return "—"
    if row.overdue:
        form, days = ACHIEVE_OVERDUE, _plural(row.days_overdue, "day")
    elif row.days_left == 0:
        form, days = ACHIEVE_TODAY, ""
    else:
        form, days = ACHIEVE_LEFT, _plural(row.days_left, "day")
    return format_html(form, iso=row.achieve_iso, label=row.achieve_label, days=days)


def _metric(row: Row) -> SafeString:
    metric = row.metric
    if metric is None:
        return NO_METRIC
    return format_html(
        METRIC[bool(row.meets_target) if row.latest_label else None],
        name=metric.name,
        latest=row.latest_label,
        target=metric.target_label,
        spark=row.spark_svg,
    )


def _coaching(row: Row) -> SafeString:
    upcoming: SafeString | str = "nothing scheduled"
    if row.next_session:
        upcoming = format_html(
            NEXT_SESSION, iso=row.next_session.isoformat(), label=row.session_label
        )
    if not row.last_cycle:
        return format_html(COACHING["never"], next=upcoming)
    if row.quiet:
        form, days = COACHING["quiet"], str(row.cycle_days)
    elif row.cycle_days == 0:
        form, days = COACHING["today"], ""
    else:
        form, days = COACHING["days"], _plural(row.cycle_days or 0, "day")
    return format_html(
        form,
        iso=row.last_cycle.isoformat(),
        label=row.cycle_label,
        days=days,
        next=upcoming,
    )


def row_html(row: Row) -> SafeString:
    """One storyboard's row."""
    return format_html(
        ROW,
        overdue=OVERDUE if row.overdue else "",
        practice_url=row.practice_url,
        team=row.team_name,
        url=row.url,
        focus=row.focus_process,
        challenge=row.challenge_title,
        learner=row.learner_name,
        coach=f"coach {row.coach_name}" if row.coach_name else "no coach",
        target=(
            format_html(TARGET, row.target_number, row.target_pattern)
            if row.target_number
            else NO_TARGET
        ),
        achieve_by=_achieve_by(row),
        metric=_metric(row),
        pdca_7=row.pdca_7,
        pdca_30=row.pdca_30,
        working=(
            format_html(WORKING, row.working_obstacle) if row.working_obstacle else NO_OBSTACLE
        ),
        parked=row.parked,
        coaching=_coaching(row),
    )


def rows_html(rows: Iterable[Row]) -> SafeString:
    return format_html_join("", "{}\n    ", ((row.html,) for row in rows))


def header_html(cells: list[HeaderCell]) -> SafeString:
    """The header row: each cell's sort links, the current one with its arrow."""
    parts = []
    for cell in cells:
        links = format_html_join(HEADER_SEP, "{}", ((_sort_link(link),) for link in cell["links"]))
        aria = format_html(' aria-sort="{}"', cell["aria_sort"]) if cell["aria_sort"] else ""
        parts.append(
            format_html(
                '\n      <th scope="col" class="col-{}"{}>{}</th>', cell["css"], aria, links
            )
        )
    return format_html("<tr>{}\n    </tr>", format_html_join("", "{}", ((p,) for p in parts)))


def _sort_link(link: SortLink) -> SafeString:
    if link["arrow"]:
        return format_html(
            '<a href="{}">{} <span aria-hidden="true">{}</span></a>',
            link["href"],
            link["label"],
            link["arrow"],
        )
    return format_html('<a href="{}">{}</a>', link["href"], link["label"])


def options_html(choices: Iterable[tuple[object, str]], selected: str) -> SafeString:
    """``<option>``s, the one whose value is ``selected`` selected."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, SELECTED if value == selected else "", label)
            for value, label in ((str(value), label) for value, label in choices)
        ),
    )
