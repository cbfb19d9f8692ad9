"""Extreme dates, times and numbers for the property tests, and what must hold after each one.

The strategies give values as a browser would post them (text) and as a caller would pass them
to a service (dates, aware datetimes in any zone, numbers of every type): the full range of
years (1 to 9999, the edges of 1970 to 2200 the app accepts), every time zone, huge, tiny and
non-finite numbers. After an example that stored something, ``assert_pages_show`` opens every
page that shows the board (as its readers would) and ``assert_nothing_out_of_range`` looks for
a stored date the range rule should have refused.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Count, Max, Sum
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st

from boards.models import Challenge, Storyboard, User

ZONE_NAMES = sorted(zoneinfo.available_timezones())
ZONES = st.sampled_from(ZONE_NAMES)

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# A refusal or a success; never a server error.
ANSWERS = {200, 204, 302, 303, 400, 409, 422}

_TODAY = date.today()
EDGE_DAYS = [
    date(1, 1, 1),
    date(1969, 12, 31),
    date(1970, 1, 1),
    date(2200, 12, 31),
    date(2201, 1, 1),
    date(9999, 12, 31),
]
DAYS = st.one_of(
    st.sampled_from(EDGE_DAYS),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    # Near today, where the forms' own rules (not in the past, within a year...) decide.
    st.dates(min_value=_TODAY - timedelta(days=400), max_value=_TODAY + timedelta(days=400)),
)
EDGE_MOMENTS = [
    datetime(1, 1, 1, 0, 0),
    datetime(1969, 12, 31, 23, 59),
    datetime(1970, 1, 1, 0, 0),
    datetime(1970, 1, 2, 0, 0),
    datetime(2200, 12, 30, 12, 0),
    datetime(2200, 12, 31, 23, 59),
    datetime(9999, 12, 31, 23, 59),
]
_NOW = datetime.now().replace(second=0, microsecond=0)
# Naive: a wall-clock time as typed, read in the reader's (or the caller's) zone.
MOMENTS = st.one_of(
    st.sampled_from(EDGE_MOMENTS),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
    # Near now, mostly past (a measurement) and some future (a session).
    st.datetimes(min_value=_NOW - timedelta(days=400), max_value=_NOW - timedelta(minutes=1)),
    st.datetimes(min_value=_NOW + timedelta(hours=1), max_value=_NOW + timedelta(days=400)),
)
AWARE_MOMENTS = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zoneinfo.ZoneInfo(zone)),
    MOMENTS,
    st.one_of(st.just("UTC"), ZONES),
)
# From a day to a year ahead, wherever the clock is: a time a session may move to.
SOON = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zoneinfo.ZoneInfo(zone)),
    st.datetimes(min_value=_NOW + timedelta(days=1), max_value=_NOW + timedelta(days=365)),
    ZONES,
)
TOMORROW = (_NOW + timedelta(days=1)).replace(hour=10, minute=0)


def typed_day(day: date) -> str:
    return day.isoformat()  # always four digits for the year, as a date picker sends it


def typed_moment(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


DAY_TEXT = st.one_of(
    DAYS.map(typed_day),
    st.sampled_from(["", "0000-01-01", "10000-01-01", "2026-02-30", "-0001-01-01", "now"]),
)
MOMENT_TEXT = st.one_of(
    MOMENTS.map(typed_moment),
    DAYS.map(typed_day),  # a date alone is read as its midnight
    st.sampled_from(["", "0000-01-01T00:00", "10000-01-01T00:00", "2026-03-29T02:30", "T"]),
)
TIME_TEXT = st.one_of(
    st.times().map(lambda t: t.strftime("%H:%M")),
    st.sampled_from(["", "24:00", "23:59", "00:00", "99:99", "-1:00"]),
)
NUMBER_TEXT = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.from_regex(r"\A-?\d{1,12}[.,]\d{1,12}\Z"),
    st.sampled_from(
        [
            "1e309",
            "-1e309",
            "1e-400",
            "NaN",
            "sNaN",
            "-nan",
            "Infinity",
            "-inf",
            "-0",
            "-0.0",
            "0.00005",
            "0.00004999",
            "9999999999.9999",
            "9999999999.99995",
            "-9999999999.9999",
            "1" + "0" * 400,
            "0." + "0" * 400 + "1",
            "9" * 5000,
            "12,5",
            "1,5e3",
            "0x10",
            "1_000",
            "\uff11\uff12",  # full-width digits
            "\u0663",  # Arabic-Indic three
            " 7 ",
            "",
        ]
    ),
)
# What a caller may hand a service as a number.
NUMBERS = st.one_of(
    NUMBER_TEXT,
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
)
WHOLE_TEXT = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=-5, max_value=600).map(str),
    st.sampled_from(["9223372036854775807", "9223372036854775808", "99999999999999999999"]),
    st.sampled_from(["\u00b2", "\u0661\u0662", "+1", "1.0"]),  # a superscript two, Arabic 12
    NUMBER_TEXT,
)
TIMES = st.times()


def or_plain(strategy: st.SearchStrategy, plain: Any) -> st.SearchStrategy:
    """``strategy``, or half the time a plain valid value: so that an example with several
    extreme values still gets through often enough to be stored and shown."""
    return st.one_of(st.just(plain), strategy)


def varied(plain: dict[str, Any], extreme: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """A valid form's ``plain`` data with a few of its fields (often one) drawn from ``extreme``.

    A form with many fields, each given an extreme value, is refused nearly every time; one
    extreme value among valid ones is refused or stored on its own merit.
    """
    names = st.lists(st.sampled_from(sorted(extreme)), unique=True, max_size=len(extreme))
    return names.flatmap(
        lambda chosen: st.fixed_dictionaries({name: extreme[name] for name in chosen}).map(
            lambda values: {**plain, **values}
        )
    )


def in_zone(user: User, zone: str) -> None:
    """The reader's time zone, which their next request activates."""
    User.objects.filter(pk=user.pk).update(time_zone=zone)
    user.time_zone = zone


def footprint(storyboard: Storyboard) -> tuple[Any, ...]:
    """Changes whenever something about the board is written: board, its team's challenges,
    sessions, cycles and second coaches' observations of them."""
    from coaching.models import CoachingCycle, SecondCoachObservation, Session, SessionSeries

    def rows(queryset: models.QuerySet) -> tuple[Any, ...]:
        found = queryset.aggregate(n=Count("pk"), v=Sum("version"))
        return found["n"], found["v"]

    observations = SecondCoachObservation.objects.filter(cycle__storyboard=storyboard)
    return (
        Storyboard.objects.filter(pk=storyboard.pk).values_list("revision", flat=True).get(),
        rows(Challenge.objects.filter(team_id=storyboard.team_id)),
        rows(Session.objects.filter(storyboard=storyboard)),
        rows(SessionSeries.objects.filter(storyboard=storyboard)),
        rows(CoachingCycle.objects.filter(storyboard=storyboard)),
        tuple(observations.aggregate(n=Count("pk"), at=Max("updated_at")).values()),
    )


def _read_all(client: Client, url: str) -> int:
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)  # type: ignore[arg-type]
    else:
        response.content  # noqa: B018 - a page that cannot be shown fails here
    return response.status_code


def assert_pages_show(storyboard: Storyboard, *, reader: Client, admin: Client) -> None:
    """The board, its print and wall views, the team's export and the dashboard answer 200."""
    board = reverse("boards:storyboard", args=[storyboard.pk])
    pages = [
        (reader, board),
        (reader, board + "?mode=print"),
        (reader, board + "?mode=wall"),
        (reader, reverse("boards:activity", args=[storyboard.pk])),
        (reader, reverse("dashboard")),
        (reader, reverse("dashboard_export")),
        (admin, reverse("boards:team_export", args=[storyboard.team.slug])),
    ]
    for client, url in pages:
        assert _read_all(client, url) == 200, url


# What a stored date or time may be: the range rule's 1970 to 2200, plus a session's length
# past its last moment (a session may start at 23:59 on 31 December 2200).
STORED_FROM = datetime(1970, 1, 1, tzinfo=UTC)
STORED_UNTIL = datetime(2201, 1, 2, tzinfo=UTC)


def assert_nothing_out_of_range() -> None:
    """No date or time stored by the apps lies outside what the range rule lets through.

    Counted in SQL, so that a value no page could read (a date BC on PostgreSQL) is found too.
    """
    for app in ("boards", "coaching"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.DateTimeField):
                    low, high = STORED_FROM, STORED_UNTIL
                elif isinstance(field, models.DateField):
                    low, high = STORED_FROM.date(), STORED_UNTIL.date()
                else:
                    continue
                outside = model._default_manager.filter(
                    models.Q(**{f"{field.name}__lt": low}) | models.Q(**{f"{field.name}__gt": high})
                )
                assert not outside.exists(), f"{model.__name__}.{field.name} out of range"


def stored_and_shown(
    before: tuple[Any, ...], storyboard: Storyboard, *, reader: Client, admin: Client
) -> None:
    """After an example: if it stored anything, every page still shows the board."""
    assert_nothing_out_of_range()
    if footprint(storyboard) != before:
        event("stored")
        assert_pages_show(storyboard, reader=reader, admin=admin)
    else:
        event("refused")
