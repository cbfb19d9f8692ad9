"""The dashboard's table rows, its header row and the filters' options, written as HTML here.

Fifty rows of nine cells through the template engine cost more than all the dashboard's
queries together; written here they cost a fraction. So do the header's fourteen sort links,
each a query string, and a manager's hundreds of coach and learner options. Every value goes
through ``format_html``, which escapes it; the page template keeps the rest (filters, paging).
Reads nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from kata.dashboard.rows import Row

# Fixed markup, no values in it.
OVERDUE = mark_safe(' class="is-overdue"')
SELECTED = mark_safe(" selected")
SEP = mark_safe('<span class="inline-sep" aria-hidden="true">· </span>')
HEADER_SEP = mark_safe('<span class="sep" aria-hidden="true"> · </span>')
DUE_TODAY = mark_safe('<strong class="status status-due">⚠ due today</strong>')
NO_METRIC = mark_safe('<span class="muted">—</span>')
MEETS = mark_safe('<span class="status status-achieved">✓ meets target</span>')
NOT_YET = mark_safe('<span class="status status-working">✗ not yet</span>')
NOT_MEASURED = mark_safe('<span class="muted">no measurements yet</span>')
COACHED_TODAY = mark_safe(' <span class="muted">today</span>')
NEVER_COACHED = mark_safe('<strong class="status status-working count">⚠ never coached</strong>')
NO_TARGET = mark_safe('<span class="muted">none active</span>')
NO_OBSTACLE = mark_safe('<span class="muted">no obstacle</span>')

ROW = (
    "<tr{overdue}>"
    '<td class="col-team" data-label="Team"><a class="above" href="{practice_url}">'
    "{team}</a></td>"
    '<th scope="row" class="col-focus" data-label="Focus process">'
    '<a class="row-link" href="{url}">{focus}</a>'
    '<span class="challenge-line clamp"><span class="visually-hidden">Challenge: </span>'
    "{challenge}</span></th>"
    '<td class="col-people" data-label="Learner"><span class="person">'
    '{learner}</span> {sep}<span class="muted person">{coach}</span></td>'
    '<td class="col-target" data-label="Target condition">{target}</td>'
    '<td class="col-achieve_by" data-label="Achieve by">{achieve_by}</td>'
    '<td class="col-metric" data-label="Process metric">{metric}</td>'
    '<td class="col-pdca" data-label="PDCA cycles"><span class="count"><strong>'
    "{pdca_7}</strong> in 7 days</span> {sep}"
    '<span class="count muted">{pdca_30} in 30 days</span></td>'
    '<td class="col-obstacle" data-label="Working on">{working} {sep}'
    '<span class="muted count">{parked} parked</span></td>'
    '<td class="col-coaching" data-label="Coaching">{coaching}</td>'
    "</tr>"
)


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
    if not row.achieve_by:
        return "—"
    status: SafeString
    if row.overdue:
        status = format_html(
            '<strong class="status status-overdue">⚠ overdue by {}</strong>',
            _plural(row.days_overdue, "day"),
        )
    elif row.days_left == 0:
        status = DUE_TODAY
    else:
        status = format_html(
            '<span class="muted">{} left</span>', _plural(row.days_left or 0, "day")
        )
    return format_html(
        '<time datetime="{}">{}</time> {}', row.achieve_iso, row.achieve_label, status
    )


def _metric(row: Row) -> SafeString:
    metric = row.metric
    if metric is None:
        return NO_METRIC
    if row.latest_label:
        verdict = MEETS if row.meets_target else NOT_YET
        now = format_html('<span class="metric-now">{} {}</span>', row.latest_label, verdict)
    else:
        now = NOT_MEASURED
    return format_html(
        '<span class="metric-name">{}</span> {} <span class="muted">target {}</span>{}',
        metric.name,
        now,
        metric.target_label,
        row.spark_svg,
    )


def _coaching(row: Row) -> SafeString:
    if row.last_cycle:
        when = format_html(
            'Last <time datetime="{}">{}</time>', row.last_cycle.isoformat(), row.cycle_label
        )
        if row.quiet:
            ago = format_html(
                ' <strong class="status status-working">⚠ {} days ago</strong>', row.cycle_days
            )
        elif row.cycle_days == 0:
            ago = COACHED_TODAY
        else:
            ago = format_html(
                ' <span class="muted">{} ago</span>', _plural(row.cycle_days or 0, "day")
            )
        last = format_html('<span class="count">{}{}</span>', when, ago)
    else:
        last = NEVER_COACHED
    upcoming: SafeString | str = "nothing scheduled"
    if row.next_session:
        upcoming = format_html(
            'next <time datetime="{}">{}</time>', row.next_session.isoformat(), row.session_label
        )
    return format_html('{} {}<span class="count muted">{}</span>', last, SEP, upcoming)


def row_html(row: Row) -> SafeString:
    """One storyboard's row."""
    target = NO_TARGET
    if row.target_number:
        target = format_html(
            '<span class="clamp"><strong>{}:</strong> {}</span>',
            row.target_number,
            row.target_pattern,
        )
    working = NO_OBSTACLE
    if row.working_obstacle:
        working = format_html('<span class="clamp">{}</span>', row.working_obstacle)
    return format_html(
        ROW,
        sep=SEP,
        overdue=OVERDUE if row.overdue else "",
        practice_url=row.practice_url,
        team=row.team_name,
        url=row.url,
        focus=row.focus_process,
        challenge=row.challenge_title,
        learner=row.learner_name,
        coach=f"coach {row.coach_name}" if row.coach_name else "no coach",
        target=target,
        achieve_by=_achieve_by(row),
        metric=_metric(row),
        pdca_7=row.pdca_7,
        pdca_30=row.pdca_30,
        working=working,
        parked=row.parked,
        coaching=_coaching(row),
    )


def rows_html(rows: Iterable[Row]) -> SafeString:
    return format_html_join("", "{}\n    ", ((row.html,) for row in rows))


def header_html(cells: list[HeaderCell]) -> SafeString:
    """The header row: each cell's sort links, the current one with its arrow."""
    parts = []
    for cell in cells:
        links = format_html_join(
            HEADER_SEP,
            "{}",
            ((_sort_link(link),) for link in cell["links"]),
        )
        aria = format_html(' aria-sort="{}"', cell["aria_sort"]) if cell["aria_sort"] else ""
        parts.append(
            format_html(
                '\n      <th scope="col" class="col-{}"{}>{}</th>', cell["css"], aria, links
            )
        )
    return format_html("<tr>{}\n    </tr>", format_html_join("", "{}", ((p,) for p in parts)))


def _sort_link(link: SortLink) -> SafeString:
    arrow = (
        format_html(' <span aria-hidden="true">{}</span>', link["arrow"]) if link["arrow"] else ""
    )
    return format_html('<a href="{}">{}{}</a>', link["href"], link["label"], arrow)


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
