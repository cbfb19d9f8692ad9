"""The dashboard's table rows and its header row, written in Python.

Fifty rows of nine cells through the template engine cost more than all the dashboard's
queries together; written here they cost a fraction. So do the header's fourteen sort links,
each a query string. The markup is plain and the same for every row: the page template keeps
the rest (filters, paging).
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

OVERDUE = ' class="is-overdue"'
SEP = '<span class="inline-sep" aria-hidden="true">· </span>'
HEADER_SEP = '<span class="sep" aria-hidden="true"> · </span>'


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _achieve_by(row) -> str:
    if not row.achieve_by:
        return "—"
    date = f'<time datetime="{row.achieve_iso}">{row.achieve_label}</time> '
    if row.overdue:
        status = (
            '<strong class="status status-overdue">'
            f"⚠ overdue by {_plural(row.days_overdue, 'day')}</strong>"
        )
    elif row.days_left == 0:
        status = '<strong class="status status-due">⚠ due today</strong>'
    else:
        status = f'<span class="muted">{_plural(row.days_left, "day")} left</span>'
    return date + status


def _metric(row) -> str:
    metric = row.metric
    if metric is None:
        return '<span class="muted">—</span>'
    if row.latest_label:
        verdict = (
            '<span class="status status-achieved">✓ meets target</span>'
            if row.meets_target
            else '<span class="status status-working">✗ not yet</span>'
        )
        now = f'<span class="metric-now">{escape(row.latest_label)} {verdict}</span>'
    else:
        now = '<span class="muted">no measurements yet</span>'
    return (
        f'<span class="metric-name">{escape(metric.name)}</span> {now} '
        f'<span class="muted">target {escape(metric.target_label)}</span>{row.spark_svg}'
    )


def _coaching(row) -> str:
    if row.last_cycle:
        when = f'Last <time datetime="{row.last_cycle.isoformat()}">{row.cycle_label}</time>'
        if row.quiet:
            ago = f' <strong class="status status-working">⚠ {row.cycle_days} days ago</strong>'
        elif row.cycle_days == 0:
            ago = ' <span class="muted">today</span>'
        else:
            ago = f' <span class="muted">{_plural(row.cycle_days, "day")} ago</span>'
        last = f'<span class="count">{when}{ago}</span>'
    else:
        last = '<strong class="status status-working count">⚠ never coached</strong>'
    if row.next_session:
        upcoming = (
            f'next <time datetime="{row.next_session.isoformat()}">{row.session_label}</time>'
        )
    else:
        upcoming = "nothing scheduled"
    return f'{last} {SEP}<span class="count muted">{upcoming}</span>'


def row_html(row) -> SafeString:
    """One storyboard's row: every text from the database is escaped here."""
    coach = f"coach {escape(row.coach_name)}" if row.coach_name else "no coach"
    if row.target_number:
        target = (
            f'<span class="clamp"><strong>{row.target_number}:</strong> '
            f"{escape(row.target_pattern)}</span>"
        )
    else:
        target = '<span class="muted">none active</span>'
    if row.working_obstacle:
        working = f'<span class="clamp">{escape(row.working_obstacle)}</span>'
    else:
        working = '<span class="muted">no obstacle</span>'
    cells = (
        f"<tr{OVERDUE if row.overdue else ''}>"
        f'<td class="col-team" data-label="Team"><a class="above" href="{row.practice_url}">'
        f"{escape(row.team_name)}</a></td>"
        f'<th scope="row" class="col-focus" data-label="Focus process">'
        f'<a class="row-link" href="{row.url}">{escape(row.focus_process)}</a>'
        f'<span class="challenge-line clamp"><span class="visually-hidden">Challenge: </span>'
        f"{escape(row.challenge_title)}</span></th>"
        f'<td class="col-people" data-label="Learner"><span class="person">'
        f'{escape(row.learner_name)}</span> {SEP}<span class="muted person">{coach}</span></td>'
        f'<td class="col-target" data-label="Target condition">{target}</td>'
        f'<td class="col-achieve_by" data-label="Achieve by">{_achieve_by(row)}</td>'
        f'<td class="col-metric" data-label="Process metric">{_metric(row)}</td>'
        f'<td class="col-pdca" data-label="PDCA cycles"><span class="count"><strong>'
        f"{row.pdca_7}</strong> in 7 days</span> {SEP}"
        f'<span class="count muted">{row.pdca_30} in 30 days</span></td>'
        f'<td class="col-obstacle" data-label="Working on">{working} {SEP}'
        f'<span class="muted count">{row.parked} parked</span></td>'
        f'<td class="col-coaching" data-label="Coaching">{_coaching(row)}</td>'
        "</tr>"
    )
    return mark_safe(cells)  # every text from the database is escaped above


def rows_html(rows) -> SafeString:
    return mark_safe("".join(f"{row.html}\n    " for row in rows))  # each escaped by row_html


def header_html(cells: list[dict]) -> SafeString:
    """The header row: each cell's sort links, the current one with its arrow."""
    parts = []
    for cell in cells:
        aria = f' aria-sort="{cell["aria_sort"]}"' if cell["aria_sort"] else ""
        links = []
        for link in cell["links"]:
            arrow = f' <span aria-hidden="true">{link["arrow"]}</span>' if link["arrow"] else ""
            links.append(f'<a href="{escape(link["href"])}">{escape(link["label"])}{arrow}</a>')
        parts.append(
            f'\n      <th scope="col" class="col-{cell["css"]}"{aria}>{HEADER_SEP.join(links)}</th>'
        )
    return mark_safe(f"<tr>{''.join(parts)}\n    </tr>")  # the labels and links are escaped
