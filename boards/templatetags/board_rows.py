"""The PDCA record's rows, written in Python.

A record runs to dozens of rows of a dozen cells each; through the template engine they cost
more than the rest of the section, and the section is what every other change refreshes.
The markup is what ``boards/sections/record.html`` had in its loop, cell for cell.
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _lines(text: str) -> str:
    """What ``|linebreaksbr`` writes: escaped, with a <br> for each line break."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return escape(text).replace("\n", "<br>")


@register.simple_tag(takes_context=True)
def pdca_rows(context) -> SafeString:
    board, sb = context["board"], context["sb"]
    can_edit = board.can_edit
    result_url = reverse("boards:experiment_result", args=[sb.pk, 0])
    edit_url = reverse("boards:experiment_edit", args=[sb.pk, 0])
    htmx = 'hx-target="closest tr" hx-swap="outerHTML"'
    rows = []
    for e in board.experiments:
        result = result_url.replace("/experiments/0/", f"/experiments/{e.pk}/")
        obstacle = escape(e.obstacle.description) if e.obstacle else "—"
        row = [
            f'<tr id="experiment-{e.pk}" class="item{" in-progress" if e.in_progress else ""}">',
            f'<th scope="row">{e.number}</th>',
            f'<td data-label="Date"><time datetime="{e.planned_for.isoformat()}">'
            f"{date_format(e.planned_for, 'j M')}</time></td>",
            f'<td data-label="Obstacle">{obstacle}</td>',
            f'<td data-label="Step">{_lines(e.step)}</td>',
            f'<td data-label="What we expect">{_lines(e.expected)}</td>',
        ]
        if e.in_progress:
            row.append(
                '<td colspan="2" data-label="Result">'
                '<strong class="status status-progress">● In progress</strong>'
            )
            if can_edit:
                edit = edit_url.replace("/experiments/0/", f"/experiments/{e.pk}/")
                row.append(
                    '<span class="row-actions">'
                    f'<a class="button primary small" href="{result}" hx-get="{result}" {htmx}>'
                    "Record result</a> "
                    f'<a class="button small" href="{edit}" hx-get="{edit}" {htmx}>Edit plan</a>'
                    "</span>"
                )
            row.append("</td>")
        else:
            row.append(f'<td data-label="What happened">{_lines(e.happened)}</td>')
            row.append(f'<td data-label="What we learned">{_lines(e.learned)}')
            if can_edit:
                row.append(
                    f' <a class="small-link" href="{result}" hx-get="{result}" {htmx} '
                    f'aria-label="Edit the result of step {e.number}">Edit</a>'
                )
            row.append("</td>")
        if e.threshold_of_knowledge:
            row.append(
                '<td data-label="Threshold of knowledge"><span title="Threshold of knowledge '
                'reached">◆<span class="visually-hidden"> threshold of knowledge reached</span>'
                "</span></td>"
            )
        else:
            row.append("<td></td>")
        row.append("</tr>")
        rows.append("".join(row))
    return mark_safe("\n".join(rows))  # every text from the database is escaped above
