"""The dashboard's CSV export: every filtered row, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import codecs
import csv
import io

import pytest
import time_machine
from django.http import StreamingHttpResponse
from django.urls import reverse

from kata.dashboard.export import CSV_HEADER, csv_safe
from kata.dashboard.page import PAGE_SIZE
from tests.kata.practice_data import board

EXPORT = reverse("dashboard_export")


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel("2026-03-11 10:00:00+00:00", tick=False):
        yield


def export(client, **params) -> list[list[str]]:
    response = client.get(EXPORT, params)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)  # Excel on Windows reads UTF-8 only with it
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(EXPORT)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_is_a_csv_download(client_for, manager, team):
    board(team, "Order picking")
    response = client_for(manager).get(EXPORT)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="kata-dashboard-2026-03-11.csv"'


def test_it_has_every_filtered_row_not_just_a_page(client_for, manager, team):
    for n in range(PAGE_SIZE + 15):
        board(team, f"Process {n:02d}", achieve_in=-1 if n % 2 else 5)
    lines = export(client_for(manager), overdue="1", sort="focus", page="1")
    assert lines[0] == CSV_HEADER
    focus = [line[1] for line in lines[1:]]
    assert len(focus) == 32
    assert focus == sorted(focus) and focus[0] == "Process 01"


def test_it_has_what_the_dashboard_shows(client_for, manager, team, learner, coach):
    sb = board(
        team,
        "Order picking",
        learner=learner,
        coach=coach,
        achieve_in=-2,
        values=(40, 36),
        steps_ago=(1, 20),
        working="Printer queue",
        parked=1,
        cycles_ago=(1,),
        sessions_in=(1,),
    )
    (row,) = export(client_for(manager))[1:]
    assert dict(zip(CSV_HEADER, row, strict=True)) == {
        "Team": "Dispatch",
        "Focus process": "Order picking",
        "Learner": "Lena Park",
        "Coach": "Carl Moss",
        "Challenge": sb.challenge.title,
        "Target condition": "1",
        "Operating pattern": sb.target_conditions.get().operating_pattern,
        "Achieve by": "2026-03-09",
        "Days left": "-2",
        "Achieve-by passed": "yes",
        "Process metric": "Pick time per order",
        "Latest value": "36 min",
        "Target": "≤ 30 min",
        "Meets target": "no",
        "PDCA cycles, 7 days": "1",
        "PDCA cycles, 30 days": "2",
        "Working on obstacle": "Printer queue",
        "Parked obstacles": "1",
        "Last coaching cycle": "2026-03-10T10:00+00:00",
        "Next coaching session": "2026-03-12T10:00+00:00",
        "Storyboard": f"http://127.0.0.1:8000/boards/{sb.pk}/",
    }


def test_times_are_in_the_readers_time_zone(client_for, manager, team):
    manager.time_zone = "Europe/Berlin"
    manager.save(update_fields=["time_zone"])
    board(team, "Order picking", cycles_ago=(1,), sessions_in=(1,))
    (row,) = export(client_for(manager))[1:]
    cells = dict(zip(CSV_HEADER, row, strict=True))
    assert cells["Last coaching cycle"] == "2026-03-10T11:00+01:00"
    assert cells["Next coaching session"] == "2026-03-12T11:00+01:00"


def test_names_in_any_script_survive_the_round_trip(client_for, manager, team):
    board(team, "Wójcik ≤ 20 min, 東京")
    raw = b"".join(client_for(manager).get(EXPORT).streaming_content)
    assert "Wójcik ≤ 20 min, 東京".encode() in raw
    assert raw.count(codecs.BOM_UTF8) == 1


def test_it_never_includes_another_teams_boards(client_for, manager, team, outsider):
    board(team, "Order picking")
    board(outsider.memberships.get().team, "Goods receiving")
    assert [line[1] for line in export(client_for(manager))[1:]] == ["Order picking"]
    assert [line[1] for line in export(client_for(outsider))[1:]] == ["Goods receiving"]


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("Plain text", "Plain text"),
    ],
)
def test_cells_that_could_start_a_formula_are_quoted(client_for, manager, team, text, cell):
    board(team, text, working=text)
    (row,) = export(client_for(manager))[1:]
    assert row[1] == cell
    assert row[CSV_HEADER.index("Working on obstacle")] == cell


def test_numbers_stay_numbers():
    assert csv_safe(-3) == -3
    assert csv_safe(None) == ""


def test_nonsense_filters_are_ignored(client_for, manager, team):
    board(team, "Order picking")
    lines = export(client_for(manager), coach="x", sort="nope", team="other")
    assert [line[1] for line in lines[1:]] == ["Order picking"]


def test_the_query_count_does_not_grow_with_the_rows(
    client_for, manager, team, django_assert_max_num_queries
):
    client = client_for(manager)

    def make(count: int, start: int) -> None:
        for n in range(start, start + count):
            board(team, f"Board {n}", values=(31, 29), steps_ago=(1,), cycles_ago=(2,))

    make(3, 0)
    with django_assert_max_num_queries(8) as small:
        assert len(export(client)) == 4
    make(30, 3)
    with django_assert_max_num_queries(8) as large:
        assert len(export(client)) == 34
    assert len(large.captured_queries) == len(small.captured_queries)
