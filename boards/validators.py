"""Rules on values that every way in (forms, services, import) applies alike.

Dates and times: what Kata accepts lies between 1970 and 2200. Outside that range a value is a
typo or an attack, and some of it cannot even be stored (a year-1 time in Berlin is a date BC
in UTC) or computed with (9999-12-31 plus four hours overflows).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError

EARLIEST = date(1970, 1, 1)
LATEST = date(2200, 12, 31)
OUT_OF_RANGE = "Enter a date between 1970 and 2200."


def validate_sensible_date(value: date | datetime) -> None:
    """A date, or a time (in its own zone and in UTC), between 1970 and 2200."""
    days = [value.date() if isinstance(value, datetime) else value]
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            days.append(value.astimezone(UTC).date())
        except OverflowError:
            raise ValidationError(OUT_OF_RANGE, code="date_range") from None
    if not all(EARLIEST <= day <= LATEST for day in days):
        raise ValidationError(OUT_OF_RANGE, code="date_range")


def check_sensible_date(value: date | datetime, field: str) -> None:
    """The same rule for a service: the error names the field it is about."""
    try:
        validate_sensible_date(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None

