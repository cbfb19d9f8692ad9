"""Rules on values that every way in (forms, services, import) applies alike.

Dates and times: what Kata accepts lies between 1970 and 2200. Outside that range a value is a
typo or an attack, and some of it cannot even be stored (a year-1 time in Berlin is a date BC
in UTC) or computed with (9999-12-31 plus four hours overflows).

Names and titles (a team's name, a focus process, a metric and its unit, a person's name) are
shown on one line, in lists, headings, email subjects and calendar entries: they hold no line
breaks, tabs or other control characters, yet keep every script's letters and spaces and the
joiners that emoji and some scripts need.
"""

from __future__ import annotations

import unicodedata
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


# Names and titles ------------------------------------------------------------------------------

ONE_LINE = "Keep this to one line: remove line breaks, tabs and other control characters."
INVISIBLE = "Write this with visible characters."
# Invisible format characters (category Cf) that names in some script, or emoji, need: the
# joiners (emoji sequences such as "woman, ZWJ, wrench", Persian and Indic words), the implicit
# direction marks of mixed right-to-left text, the Mongolian vowel separator, and the tag
# characters of subdivision flags (Scotland's). The rest of Cf (bidirectional overrides and
# isolates, zero-width spaces, byte-order marks, whatever a later Unicode adds) can hide or
# reorder what a name shows, and is refused.
NAME_FORMAT_CHARACTERS = frozenset(
    ["\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\u180e"]
    + [chr(code) for code in range(0xE0020, 0xE0080)]
)
# Controls (tab, line feed, DEL...), lone surrogates, and the line and paragraph separators.
REFUSED_CATEGORIES = frozenset(["Cc", "Cs", "Zl", "Zp"])


def validate_single_line(value: str) -> None:
    """A name or title shown on one line: no line breaks, tabs or other control characters.

    Spaces of any script (category Zs) and the format characters names and emoji need
    (``NAME_FORMAT_CHARACTERS``) are kept; a value made of those format characters only shows
    nothing and is refused too.
    """
    for character in value:
        category = unicodedata.category(character)
        if category in REFUSED_CATEGORIES or (
            category == "Cf" and character not in NAME_FORMAT_CHARACTERS
        ):
            raise ValidationError(ONE_LINE, code="single_line")
    if value and all(character in NAME_FORMAT_CHARACTERS for character in value):
        raise ValidationError(INVISIBLE, code="invisible")


def check_single_line(value: str, field: str) -> None:
    """The same rule for a service: the error names the field it is about."""
    try:
        validate_single_line(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
