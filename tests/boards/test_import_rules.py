"""The import applies the rules the forms and services apply, and refuses a bad file whole.

A refusal is one line naming the value and its place in the document, and leaves every table as
it was. A file too large, too deeply nested or with too many objects is refused before it is
parsed (or as it is), never with a traceback. Hypothesis then puts extreme values anywhere in a
real team's document: each is refused in one line with nothing imported, or imported with every
page of the new team answering.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, time, timedelta
from io import StringIO
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from boards import exchange
from boards.models import Membership, Role, Storyboard, Team
from boards.services.experiments import experiment_plan
from boards.services.obstacles import obstacle_add
from boards.services.storyboards import storyboard_create
from boards.services.targets import (
    actual_condition_record,
    measurement_add,
    target_condition_start,
)
from coaching.models import CoachingCycle
from coaching.services.cycles import cycle_record_target, cycle_start
from coaching.services.observations import observation_save
from coaching.services.scheduling import series_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
REFUSED = "Nothing was imported. "


@pytest.fixture
def coached_team(team, team_admin, learner, coach, storyboard, target):
    """Two boards, each with a target condition and a series; on the first a step planned and
    a cycle held in a session, observed."""
    walk = obstacle_add(
        target_condition=target, description="Pick list out of aisle order", by=learner
    )
    actual_condition_record(
        storyboard=storyboard, operating_pattern="Pickers walk each aisle twice.", by=learner
    )
    experiment_plan(
        target_condition=target,
        step="Sort the pick list by aisle",
        expected="Pick time under 35 minutes",
        obstacle=walk,
        by=learner,
    )
    tomorrow = date.today() + timedelta(days=1)
    weekdays = series_create(
        storyboard=storyboard,
        coach=coach,
        learner=learner,
        start_date=tomorrow,
        start_time=time(9, 30),
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        time_zone="Europe/Berlin",
        by=coach,
    )
    packing = storyboard_create(
        team=team,
        challenge=storyboard.challenge,
        focus_process="Packing",
        learner=team_admin,
        coach=coach,
        by=coach,
    )
    packed = target_condition_start(
        storyboard=packing,
        operating_pattern="Every parcel packed within ten minutes of picking.",
        achieve_by=tomorrow + timedelta(days=20),
        process_metric={"name": "Minutes to pack", "unit": "min", "target_value": "10"},
        by=coach,
    )
    measurement_add(metric=packed.metrics.get(), value="14.5", note="Monday", by=coach)
    series_create(
        storyboard=packing,
        coach=coach,
        learner=team_admin,
        start_date=tomorrow,
        start_time=time(14, 0),
        rrule="FREQ=DAILY",
        time_zone="America/New_York",
        by=coach,
    )
    session = weekdays.sessions.order_by("starts_at").first()
    cycle = cycle_start(storyboard=storyboard, coach=coach, session=session, now=session.starts_at)
    cycle = cycle_record_target(
        cycle=cycle,
        version=cycle.version,
        said="Under 30 minutes a pick",
        coach_notes="Calm start",
        by=coach,
        now=session.starts_at + timedelta(minutes=3),
    )
    observation_save(
        cycle=cycle,
        observer=team_admin,
        notes={"target": "Clear question"},
        seconds={"target": 95},
        feedback="Good pace",
    )
    return team


@pytest.fixture
def document(coached_team) -> dict[str, Any]:
    return exchange.export_document(coached_team)


def row_counts() -> dict[str, int]:
    """Rows in every table of the two apps and the accounts: an import adds to them or not."""
    tables = [
        *apps.get_app_config("boards").get_models(),
        *apps.get_app_config("coaching").get_models(),
    ]
    return {model.__name__: model._default_manager.count() for model in tables}


# A string the file then holds as JSON text (NaN, 1e400, [[[...]]]) rather than as a string.
RAW = "kata-test-raw-"


def raw(literal: str) -> str:
    return RAW + literal


def write(tmp_path: Path, document: Any) -> str:
    """The document as a file, with ``raw`` strings in place as JSON text."""
    text = json.dumps(document)
    for literal in {value for value in _strings(document) if value.startswith(RAW)}:
        text = text.replace(json.dumps(literal), literal.removeprefix(RAW))
    path = tmp_path / f"team-{uuid.uuid4().hex}.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return str(path)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def refusal(path: str, *args: str) -> str:
    """The import's one line of refusal; the test fails if it imported anything."""
    before = row_counts()
    with pytest.raises(CommandError) as refused:
        call_command("import_team", path, "--slug", "copy", *args, stdout=StringIO())
    assert row_counts() == before
    message = str(refused.value)
    assert message.startswith(REFUSED) and "\n" not in message, message
    return message.removeprefix(REFUSED)


def refused(tmp_path: Path, document: Any) -> str:
    return refusal(write(tmp_path, document))


# The coaching schedule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY",
        "FREQ=MINUTELY",
        "FREQ=HOURLY",
        "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23",
        "FREQ=WEEKLY;BYDAY=MO,TU;BYMINUTE=0,15,30,45",
        "FREQ=YEARLY",
        "not a rule",
    ],
)
def test_it_refuses_a_series_the_schedule_form_cannot_write(tmp_path, document, rule):
    document["coaching"]["coaching_series"][0]["rrule"] = rule

    assert refused(tmp_path, document) == (
        "coaching.coaching_series[0].rrule: Sessions repeat daily, on weekdays or on chosen days "
        f"of the week, written as the schedule form writes them: {rule!r} is not such a rule."
    )


def test_it_refuses_a_series_beyond_the_schedules_limits(tmp_path, document):
    document["coaching"]["coaching_series"][0].update(count=100_000, until=None)

    assert refused(tmp_path, document) == (
        "coaching.coaching_series[0].count: Between 1 and 500 sessions."
    )


def test_it_refuses_a_session_of_a_day(tmp_path, document):
    session = document["coaching"]["coaching_sessions"][0]
    ends = datetime.fromisoformat(session["starts_at"]) + timedelta(days=1)
    session["ends_at"] = ends.isoformat()

    assert refused(tmp_path, document) == (
        "coaching.coaching_sessions[0].ends_at: A session lasts 5 to 240 minutes."
    )


# Rows of one board point at rows of that board -------------------------------------------------


def _other_boards_session(document: dict[str, Any]) -> int:
    sessions = document["coaching"]["coaching_sessions"]
    return next(s["id"] for s in sessions if s["storyboard"] == 2)


@pytest.mark.parametrize("reference", ["session", "next_session"])
def test_it_refuses_a_cycle_held_in_another_boards_session(tmp_path, document, reference):
    cycle = document["coaching"]["coaching_cycles"][0]
    other = _other_boards_session(document)
    cycle[reference] = other

    assert refused(tmp_path, document) == (
        f"coaching.coaching_cycles[0].{reference}: The session {other} belongs to another "
        "storyboard (2, not 1)."
    )


def test_it_refuses_a_session_on_another_board_than_its_series(tmp_path, document):
    index, session = next(
        (i, s) for i, s in enumerate(document["coaching"]["coaching_sessions"]) if s["series"] == 1
    )
    session["storyboard"] = 2

    assert refused(tmp_path, document) == (
        f"coaching.coaching_sessions[{index}].series: The session series 1 belongs to another "
        "storyboard (1, not 2)."
    )


def test_it_refuses_a_measurement_of_another_boards_step(tmp_path, document):
    boards = document["boards"]
    packing_metrics = {m["id"] for m in boards["metrics"] if m["target_condition"] == 2}
    index = next(i for i, m in enumerate(boards["measurements"]) if m["metric"] in packing_metrics)
    boards["measurements"][index]["experiment"] = 1

    assert refused(tmp_path, document) == (
        f"boards.measurements[{index}].experiment: The experiment 1 belongs to another "
        "storyboard (1, not 2)."
    )


def test_it_refuses_a_step_addressing_another_target_conditions_obstacle(tmp_path, document):
    boards = document["boards"]
    boards["obstacles"][0]["target_condition"] = 2  # moves to the packing board's target
    boards["experiments"][0]["obstacle"] = 1

    assert refused(tmp_path, document) == (
        "boards.experiments[0].obstacle: The obstacle 1 belongs to another storyboard (2, not 1)."
    )


def test_the_coached_team_round_trips(tmp_path, document):
    call_command("import_team", write(tmp_path, document), "--slug", "copy", stdout=StringIO())

    copied = exchange.export_document(Team.objects.get(slug="copy"))
    for key in ("boards", "coaching", "users"):
        assert copied[key] == document[key]


# Dates, times and numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "table", "name", "value"),
    [
        ("boards", "target_conditions", "achieve_by", "0001-01-01"),
        ("boards", "target_conditions", "achieve_by", "9999-12-31"),
        ("boards", "challenges", "horizon", "1969-12-31"),
        ("boards", "experiments", "planned_for", "2201-01-01"),
        ("boards", "actual_conditions", "observed_at", "0001-01-01T00:00:00+01:00"),
        ("boards", "actual_conditions", "observed_at", "9999-12-31T23:59:00-05:00"),
        ("boards", "storyboards", "changed_at", "0001-01-01T00:00:00+00:00"),
        ("coaching", "coaching_series", "start_date", "9999-12-31"),
        ("coaching", "coaching_sessions", "starts_at", "0001-01-01T09:30:00+00:00"),
        ("coaching", "coaching_cycles", "started_at", "9999-12-31T23:59:59+00:00"),
    ],
)
def test_it_refuses_dates_outside_1970_to_2200(tmp_path, document, section, table, name, value):
    document[section][table][0][name] = value

    assert refused(tmp_path, document) == (
        f"{section}.{table}[0].{name}: Enter a date between 1970 and 2200."
    )


def test_it_refuses_a_team_created_in_year_one(tmp_path, document):
    document["team"]["created_at"] = "0001-01-01T00:00:00+00:00"

    assert refused(tmp_path, document) == "team.created_at: Enter a date between 1970 and 2200."


@pytest.mark.parametrize("literal", ["1099511627776", "2147483647", "-1"])
def test_it_refuses_counters_no_board_reaches(tmp_path, document, literal):
    document["boards"]["storyboards"][0]["version"] = raw(literal)

    line = refused(tmp_path, document)

    assert line == "boards.storyboards[0].version: Give a whole number from 0 to 1,000,000,000."


def test_it_refuses_a_number_of_thousands_of_digits_as_json(tmp_path, document):
    document["boards"]["storyboards"][0]["version"] = raw("1" + "0" * 5000)

    line = refused(tmp_path, document)

    assert line.endswith(
        "is not valid JSON: a number of 5,001 digits, more than any in a team document."
    )


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_it_refuses_json_that_is_not_json(tmp_path, document, literal):
    document["coaching"]["coaching_observations"][0]["seconds"] = {"target": raw(literal)}

    line = refused(tmp_path, document)

    assert line.endswith(f"is not valid JSON: {literal} is not a number JSON allows.")


@pytest.mark.parametrize(
    ("section", "table", "name", "value", "message"),
    [
        (
            "coaching",
            "coaching_cycles",
            "answers",
            {"target": {"took": raw("1e400")}},
            "Holds a number that is not finite.",
        ),
        (
            "coaching",
            "coaching_observations",
            "seconds",
            {"target": 10**18},
            "Holds a whole number beyond ±2**53: 1000000000000000000.",
        ),
        (
            "coaching",
            "coaching_observations",
            "seconds",
            {"target": 86_400},
            "Between 0 and 4 hours.",
        ),
        (
            "boards",
            "activities",
            "after",
            {"x": raw("-1e400")},
            "Holds a number that is not finite.",
        ),
    ],
)
def test_it_refuses_numbers_in_json_values_no_page_can_show(
    tmp_path, document, section, table, name, value, message
):
    document[section][table][0][name] = value

    line = refused(tmp_path, document)

    assert line == f"{section}.{table}[0].{name}: {message}"


def test_it_refuses_a_metric_target_beyond_ten_billion(tmp_path, document):
    document["boards"]["metrics"][0]["target_value"] = raw("1e400")

    line = refused(tmp_path, document)

    assert line == "boards.metrics[0].target_value: Enter a number, such as 31 or 12.5."


# Text ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        (
            ("boards", "obstacles", "description"),
            "Scanner\x00",
            "Remove the null characters from this text.",
        ),
        (
            ("boards", "target_conditions", "operating_pattern"),
            "x" * 4001,
            "Keep this to 4000 characters or fewer (it has 4001).",
        ),
        (
            ("coaching", "coaching_cycles", "coach_notes"),
            "x" * 8001,
            "Keep this to 8000 characters or fewer (it has 8001).",
        ),
        (
            ("boards", "obstacles", "description"),
            "\ud800",
            "This text holds a lone surrogate (such as \\ud800), which is no character.",
        ),
        (("boards", "obstacles", "description"), "   ", "This field cannot be blank."),
        (("boards", "obstacles", "description"), 42, "Give a text, not 42."),
        (
            ("boards", "obstacles", "status"),
            "gone\nnow",
            "Value 'gone\\nnow' is not a valid choice.",
        ),
    ],
)
def test_it_refuses_text_the_forms_refuse(tmp_path, document, where, value, message):
    section, table, name = where
    document[section][table][0][name] = value

    assert refused(tmp_path, document) == f"{section}.{table}[0].{name}: {message}"


@pytest.mark.parametrize(
    ("table", "name"),
    [("challenges", "title"), ("storyboards", "focus_process"), ("metrics", "name")],
)
def test_it_refuses_a_name_that_is_not_one_line(tmp_path, document, table, name):
    # The same rule as the forms, the services and the admin: it lives on the model's field.
    document["boards"][table][0][name] = "Two\nlines"

    assert refused(tmp_path, document) == (
        f"boards.{table}[0].{name}: Keep this to one line: remove line breaks, tabs and other "
        "control characters."
    )


def test_it_refuses_a_team_name_that_is_not_one_line(tmp_path, document):
    document["team"]["name"] = "R&D\tLab"

    assert refused(tmp_path, document).endswith(
        "name: Keep this to one line: remove line breaks, tabs and other control characters."
    )


# Files that are no team document ---------------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_it_refuses_a_deeply_nested_file_in_one_line(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"format": "kata.team", "version": 1, "team": ' + _nested(100_000) + "}")

    assert refusal(str(path)) == (
        f"{path} nests lists and objects too deeply to be read: a team document is a few levels "
        "deep."
    )


def test_it_refuses_deeply_nested_answers_before_reading_them(tmp_path, document):
    document["coaching"]["coaching_cycles"][0]["answers"] = {"target": raw(_nested(600))}

    line = refused(tmp_path, document)

    assert line == "coaching.coaching_cycles[0].answers: Nests more than 8 levels deep."


def test_an_operator_sees_one_line_and_no_traceback(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"format": "kata.team", "version": 1, "team": ' + _nested(100_000) + "}")

    ran = subprocess.run(
        [sys.executable, "manage.py", "import_team", str(path)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "kata.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert ran.returncode == 1
    assert "Traceback" not in ran.stdout  # (the stdout holds only the log of starting up)
    assert ran.stderr == (
        f"CommandError: Nothing was imported. {path} nests lists and objects too deeply to be "
        "read: a team document is a few levels deep.\n"
    )


def test_it_refuses_a_file_over_the_limit_before_reading_it(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (3 * 1024 * 1024 + 1))

    assert refusal(str(path), "--max-megabytes", "3") == (
        f"{path} is 3.0 MB: a team document may have at most 3 MB here (import_team "
        "--max-megabytes raises the limit)."
    )


def test_it_refuses_standard_input_over_the_limit(tmp_path):
    before = row_counts()
    with pytest.raises(CommandError) as refused_:
        call_command(
            "import_team", "-", "--max-megabytes", "1", stdin=StringIO("[" * (1024 * 1024 + 1))
        )

    assert str(refused_.value) == (
        f"{REFUSED}standard input holds more than 1 MB: a team document may have at most 1 MB "
        "here (import_team --max-megabytes raises the limit)."
    )
    assert row_counts() == before


def test_it_refuses_ten_million_objects_without_parsing_them(tmp_path):
    path = tmp_path / "wide.json"
    path.write_text('{"format": "kata.team", "version": 1, "users": [' + "{}," * 10**7 + "{}]}")

    assert refusal(str(path)) == (
        f"{path} holds more than 1,048,576 JSON objects and lists, more than a team document "
        "within the limit does: a team document may have at most 64 MB here (import_team "
        "--max-megabytes raises the limit)."
    )


# Any value anywhere: refused in one line, or every page of the new team answers -----------------

_slugs = count(1)

DATES = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.sampled_from(
        ["0001-01-01", "9999-12-31", "1969-12-31", "1970-01-01", "2200-12-31", "2201-01-01"]
    ),
    st.sampled_from(["2026-02-30", "", "tomorrow", "+10000-01-01", "2026-W10-1"]),
)
MOMENTS = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
DATETIMES = st.one_of(
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.timezones()
    ).map(datetime.isoformat),
    MOMENTS.map(datetime.isoformat),  # without an offset
    MOMENTS.map(lambda moment: moment.replace(tzinfo=UTC).isoformat()),
    st.sampled_from(
        [
            "0001-01-01T00:00:00+14:00",
            "0001-01-01T00:00:00-12:00",
            "9999-12-31T23:59:59-12:00",
            "1970-01-01T00:30:00+01:00",
            "2200-12-31T23:30:00-01:00",
            "2026-03-29T02:30:00+01:00",
            "2026-13-01T00:00:00+00:00",
            "2026-03-02T09:30:00+99:00",
        ]
    ),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 5, 241, 2**31 - 1, 2**31, 2**63, 10**10, "1e400", "NaN", "12,5"]),
    st.sampled_from(["1e400", "-1e400", "NaN", "Infinity", "1" + "0" * 5000, "-0.0"]).map(raw),
)
TEXTS = st.one_of(
    st.text(max_size=40),
    st.text(min_size=1, max_size=3).map(lambda chunk: chunk * 3000),
    st.sampled_from(
        [
            "",
            "   ",
            "\x00",
            "a\x00b",
            "\ud800",
            "line\nbreak",
            "\u202eevil",
            "e\u0301",
            "🙂" * 5000,
            "<script>alert(1)</script>",
            "{{ request }}",
            "kata-csrf-placeholder",
            "FREQ=SECONDLY",
            "Europe/Berlin",
            "Mars/Olympus",
        ]
    ),
)
SHAPES = st.one_of(
    st.sampled_from([None, True, False, [], {}, [1, 2], {"a": 1}, {"target": []}, 1.5]),
    st.integers(min_value=1, max_value=2000).map(lambda depth: raw("[" * depth + "]" * depth)),
)
ANYTHING = st.one_of(DATES, DATETIMES, NUMBERS, TEXTS, SHAPES)


def _places(document: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Every value of the document's rows, users and team, as a path of keys."""
    places: list[tuple[Any, ...]] = [("team", "name"), ("team", "created_at")]
    places += [("users", i, key) for i, row in enumerate(document["users"]) for key in row]
    for section in exchange.sections():
        for table, rows in document[section].items():
            places += [(section, table, i, key) for i, row in enumerate(rows) for key in row]
    return places


def _column(place: tuple[Any, ...]) -> models.Field | None:
    tables = {t.name: t for tables in exchange.sections().values() for t in tables}
    if len(place) != 4 or place[-1] == "id":
        return None
    model = tables[place[1]].model
    return exchange.concrete_field(model, place[-1])


def _put(document: dict[str, Any], place: tuple[Any, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    *parents, last = place
    holder: Any = changed
    for key in parents:
        holder = holder[key]
    holder[last] = value
    return changed


def _import_or_refuse(client_for, tmp_path: Path, document: dict[str, Any]) -> None:
    """Refused in one line with nothing imported, or imported with every page answering."""
    slug = f"copy-{next(_slugs)}"
    before = row_counts()
    try:
        call_command("import_team", write(tmp_path, document), "--slug", slug, stdout=StringIO())
    except CommandError as refused_:
        message = str(refused_)
        assert message.startswith(REFUSED) and "\n" not in message, message
        assert row_counts() == before
        event("refused")
        return
    event("imported")
    copied = Team.objects.get(slug=slug)
    reader = UserFactory(username=f"reader-{slug}")
    Membership.objects.create(user=reader, team=copied, role=Role.ADMIN)
    client = client_for(reader)
    urls = [
        reverse("boards:team", args=[slug]),
        reverse("dashboard"),
        reverse("dashboard_export"),
        reverse("team_practice", args=[slug]),
        reverse("boards:team_export", args=[slug]),
    ]
    for board in Storyboard.objects.filter(team=copied):
        page = reverse("boards:storyboard", args=[board.pk])
        urls += [page, f"{page}?mode=print", f"{page}?mode=wall"]
        urls.append(reverse("boards:activity", args=[board.pk]))
        urls.append(reverse("coaching:storyboard", args=[board.pk]))
    for cycle in CoachingCycle.objects.filter(storyboard__team=copied):
        urls.append(reverse("coaching:cycle", args=[cycle.storyboard_id, cycle.pk]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)


FUZZ = hypothesis_settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.data())
def test_extreme_dates_and_times_anywhere(client_for, tmp_path, document, data):
    places = [
        place
        for place in _places(document)
        if isinstance(_column(place), models.DateField | models.DateTimeField)
    ]
    place = data.draw(st.sampled_from(places), label="place")
    column = _column(place)
    value = data.draw(DATETIMES if isinstance(column, models.DateTimeField) else DATES)

    _import_or_refuse(client_for, tmp_path, _put(document, place, value))


@FUZZ
@given(data=st.data())
def test_extreme_numbers_anywhere(client_for, tmp_path, document, data):
    numeric = models.IntegerField | models.DecimalField | models.JSONField
    places = [place for place in _places(document) if isinstance(_column(place), numeric)]
    place = data.draw(st.sampled_from(places), label="place")

    _import_or_refuse(client_for, tmp_path, _put(document, place, data.draw(NUMBERS)))


@FUZZ
@given(data=st.data())
def test_anything_anywhere(client_for, tmp_path, document, data):
    place = data.draw(st.sampled_from(_places(document)), label="place")

    _import_or_refuse(client_for, tmp_path, _put(document, place, data.draw(ANYTHING)))
