"""Expanding a session series into occurrences with ``dateutil.rrule``.

The rule is expanded in the series' local wall-clock time and each occurrence is then placed in
the series' zone and converted to UTC, so "every weekday at 09:30" stays 09:30 local across a
daylight-saving change while its UTC time moves by an hour. A local time that does not exist on
the day the clocks go forward (02:30 in Berlin on the last Sunday of March) resolves with the
offset before the change, which lands an hour later on the wall clock (03:30), as calendar
applications do.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

if TYPE_CHECKING:
    from coaching.models import SessionSeries

WEEKDAYS = [
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
]
WORKING_DAYS = ["MO", "TU", "WE", "TH", "FR"]


class InvalidRule(ValueError):
    pass


def build_rule(*, repeat: str, days: list[str] | None = None) -> str:
    """The RRULE value for the schedule form's choices: once, daily, weekdays or chosen days."""
    if repeat == "once":
        return ""
    if repeat == "daily":
        return "FREQ=DAILY"
    if repeat == "weekdays":
        return "FREQ=WEEKLY;BYDAY=" + ",".join(WORKING_DAYS)
    if repeat == "days":
        order = [code for code, _ in WEEKDAYS]
        chosen = [code for code in order if code in set(days or [])]
        if not chosen:
            raise InvalidRule("Choose at least one day of the week.")
        return "FREQ=WEEKLY;BYDAY=" + ",".join(chosen)
    raise InvalidRule(f"Unknown repeat choice {repeat!r}.")


def parse_rule(value: str) -> tuple[str, list[str]]:
    """The schedule form's (repeat, days) for a stored rule."""
    if not value:
        return "once", []
    parts = dict(part.split("=", 1) for part in value.split(";") if "=" in part)
    days = [d for d in parts.get("BYDAY", "").split(",") if d]
    if parts.get("FREQ") == "DAILY" and not days:
        return "daily", []
    if days == WORKING_DAYS:
        return "weekdays", days
    return "days", days


def check_rule(value: str) -> None:
    """Refuse a stored rule the schedule form cannot write (``build_rule`` writes them all).

    Once, daily, weekdays or chosen days of the week: anything finer ("FREQ=SECONDLY") would
    fill the calendar and the reminder queue with thousands of sessions an hour.
    """
    repeat, days = parse_rule(value)
    try:
        written: str | None = build_rule(repeat=repeat, days=days)
    except InvalidRule:
        written = None
    if written != value:
        raise InvalidRule(
            f"Sessions repeat daily, on weekdays or on chosen days of the week, written as "
            f"the schedule form writes them: {value[:80]!r} is not such a rule."
        )


def _rule(series: SessionSeries, dtstart: datetime) -> rrule:
    try:
        rule = rrulestr(series.rrule, dtstart=dtstart)
    except (ValueError, TypeError) as error:
        raise InvalidRule(f"Not a recurrence rule: {series.rrule!r} ({error})") from None
    if not isinstance(rule, rrule):  # a set of rules (RDATE, EXRULE...): not one we write
        raise InvalidRule(f"Not a single recurrence rule: {series.rrule!r}")
    if series.count:
        rule = rule.replace(count=series.count)
    elif series.until:
        rule = rule.replace(until=datetime.combine(series.until, time.max))
    return rule


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive local wall-clock time in ``zone`` as an aware UTC datetime."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def local_date(moment: datetime, time_zone: str) -> date:
    return moment.astimezone(ZoneInfo(time_zone)).date()


def occurrences(series: SessionSeries, start: datetime, end: datetime) -> list[datetime]:
    """The series' occurrence start times in UTC with ``start <= t < end``."""
    zone = ZoneInfo(series.time_zone)
    dtstart = datetime.combine(series.start_date, series.start_time)
    if not series.rrule:
        candidates = [dtstart]
    else:
        # Widen the local window by a day on each side: the zone's offset is not known until
        # each occurrence is placed in it.
        low = start.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
        high = end.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
        candidates = list(_rule(series, dtstart).between(low, high, inc=True))
    result = [to_utc(local, zone) for local in candidates]
    return [moment for moment in result if start <= moment < end]


def describe(series: SessionSeries) -> str:
    """A short human description: "Every weekday at 09:30 (Europe/Berlin), 20 minutes"."""
    at = f"{series.start_time:%H:%M} ({series.time_zone}), {series.duration_minutes} minutes"
    repeat, days = parse_rule(series.rrule)
    if repeat == "once":
        return f"Once on {series.start_date:%a %-d %b %Y} at {at}"
    names = dict(WEEKDAYS)
    when = {
        "daily": "Every day",
        "weekdays": "Every weekday",
        "days": "Every " + ", ".join(names[d] for d in days),
    }[repeat]
    if series.count:
        end = f", {series.count} times"
    elif series.until:
        end = f", until {series.until:%-d %b %Y}"
    else:
        end = ""
    return f"{when} at {at}{end}"
