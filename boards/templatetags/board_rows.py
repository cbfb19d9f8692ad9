"""The PDCA record's rows, written in Python.

A record runs to dozens of rows of a dozen cells each; through the template engine they cost
more than the rest of the section, and the section is what every other change refreshes.
The markup is what ``boards/sections/record.html`` had in its loop, cell for cell; every value
goes through ``format_html``, which escapes it.
"""

from __future__ import annotations

from django import template
from django.template import Context
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from boards.models import Experiment

register = template.Library()

# Fixed markup, no values in it.
IN_PROGRESS = mark_safe('<strong class="status status-progress">● In progress</strong>')
THRESHOLD = mark_safe(
    '<td data-label="Threshold of knowledge"><span title="Threshold of knowledge reached">◆'
    '<span class="visually-hidden"> threshold of knowledge reached</span></span></td>'
)
NO_THRESHOLD = mark_safe("<td></td>")

ROW = (
    '<tr id="experiment-{pk}" class="item{progress}">'
    '<th scope="row">{number}</th>'
    '<td data-label="Date"><time datetime="{iso}">{date}</time></td>'
    '<td data-label="Obstacle">{obstacle}</td>'
    '<td data-label="Step">{step}</td>'
    '<td data-label="What we expect">{expected}</td>'
    "{result}{threshold}</tr>"
)
IN_PROGRESS_CELL = '<td colspan="2" data-label="Result">{}{}</td>'
IN_PROGRESS_ACTIONS = (
    '<span class="row-actions">'
    '<a class="button primary small" href="{result}" hx-get="{result}" '
    'hx-target="closest tr" hx-swap="outerHTML">Record result</a> '
    '<a class="button small" href="{edit}" hx-get="{edit}" '
    'hx-target="closest tr" hx-swap="outerHTML">Edit plan</a></span>'
)
RESULT_CELLS = '<td data-label="What happened">{}</td><td data-label="What we learned">{}{}</td>'
EDIT_RESULT = (
    ' <a class="small-link" href="{result}" hx-get="{result}" hx-target="closest tr" '
    'hx-swap="outerHTML" aria-label="Edit the result of step {number}">Edit</a>'
)


def _row(e: Experiment, *, can_edit: bool, result_url: str, edit_url: str) -> SafeString:
    result = result_url.replace("/experiments/0/", f"/experiments/{e.pk}/")
    if e.in_progress:
        actions: SafeString | str = ""
        if can_edit:
            edit = edit_url.replace("/experiments/0/", f"/experiments/{e.pk}/")
            actions = format_html(IN_PROGRESS_ACTIONS, result=result, edit=edit)
        outcome = format_html(IN_PROGRESS_CELL, IN_PROGRESS, actions)
    else:
        link = format_html(EDIT_RESULT, result=result, number=e.number) if can_edit else ""
        outcome = format_html(RESULT_CELLS, linebreaksbr(e.happened), linebreaksbr(e.learned), link)
    return format_html(
        ROW,
        pk=e.pk,
        progress=" in-progress" if e.in_progress else "",
        number=e.number,
        iso=e.planned_for.isoformat(),
        date=date_format(e.planned_for, "j M"),
        obstacle=e.obstacle.description if e.obstacle else "—",
        step=linebreaksbr(e.step),
        expected=linebreaksbr(e.expected),
        result=outcome,
        threshold=THRESHOLD if e.threshold_of_knowledge else NO_THRESHOLD,
    )


@register.simple_tag(takes_context=True)
def pdca_rows(context: Context) -> SafeString:
    board, sb = context["board"], context["sb"]
    result_url = reverse("boards:experiment_result", args=[sb.pk, 0])
    edit_url = reverse("boards:experiment_edit", args=[sb.pk, 0])
    return format_html_join(
        "\n",
        "{}",
        (
            (_row(e, can_edit=board.can_edit, result_url=result_url, edit_url=edit_url),)
            for e in board.experiments
        ),
    )
