"""A value of a team's document (see ``boards.exchange``), by the rules its forms and services
apply to the same value: ``field_value`` for a column, ``check_json`` for what is stored as JSON.

Each rule raises ValidationError on the field's name, as the services do, and describes what was
given without quoting it whole: a refusal fits on one line whatever the document holds.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeGuard

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.module_loading import import_string

from boards.services.base import clean_decimal, clean_text
from boards.validators import check_sensible_date

# Counters and numbers (versions, revisions, a step's number): far above any real board, and far
# enough below a 32-bit column's end that counting on from them never overflows it.
COUNTER_MAX = 1_000_000_000
# JSON values (answers, snapshots): the services write them a few levels deep, with few items
# and numbers that every JSON reader reads alike (RFC 7493).
JSON_DEPTH = 8
JSON_ITEMS = 10_000
JSON_INTEGER = 2**53


def describe(value: Any) -> str:
    """What was given, short and on one line, whatever it is (never its whole repr)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int | float):
        text = repr(value)
        return text if len(text) <= 24 else f"a number of {len(text):,} characters"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else f"a text of {len(value):,} characters"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else type(value).__name__


def whole(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _wrong(name: str, wanted: str, value: Any) -> ValidationError:
    return ValidationError({name: f"Give {wanted}, not {describe(value)}."})


def check_unicode(value: str, name: str) -> None:
    """Text as JSON may carry it but no page can show: a lone UTF-16 surrogate ("\\ud800")."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            {name: "This text holds a lone surrogate (such as \\ud800), which is no character."}
        ) from None


def check_json(value: Any, name: str) -> None:
    """A JSON value to store as it is: a few levels deep, of text without NULs, finite numbers."""
    stack = [(value, 0)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        seen += 1
        if seen > JSON_ITEMS:
            raise ValidationError({name: f"Holds more than {JSON_ITEMS:,} values."})
        if isinstance(item, dict | list):
            if depth >= JSON_DEPTH:
                raise ValidationError({name: f"Nests more than {JSON_DEPTH} levels deep."})
            if isinstance(item, dict):
                for key in item:
                    clean_text(key, name)
                    check_unicode(key, name)
            stack.extend((child, depth + 1) for child in _children(item))
        elif isinstance(item, str):
            clean_text(item, name)
            check_unicode(item, name)
        elif isinstance(item, float) and not math.isfinite(item):
            raise ValidationError({name: "Holds a number that is not finite."})
        elif whole(item) and abs(item) > JSON_INTEGER:
            raise ValidationError({name: f"Holds a whole number beyond ±2**53: {describe(item)}."})


def _children(item: dict[str, Any] | list[Any]) -> list[Any]:
    return list(item.values()) if isinstance(item, dict) else item


def datetime_value(raw: Any, name: str) -> datetime:
    """A date and time as the export writes it: ISO 8601 with its UTC offset, 1970 to 2200."""
    if not isinstance(raw, str):
        raise _wrong(name, "a date and time such as 2026-03-02T09:30:00+00:00", raw)
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise _wrong(name, "a date and time such as 2026-03-02T09:30:00+00:00", raw)
    if timezone.is_naive(value):
        raise ValidationError(
            {name: "Give the time with its offset from UTC, such as 2026-03-02T09:30:00+01:00."}
        )
    check_sensible_date(value, name)
    return value


@functools.cache
def form_limits(forms: tuple[str, ...]) -> dict[str, int]:
    """The longest text each field of these forms takes, by field name."""
    limits: dict[str, int] = {}
    for path in forms:
        for name, form_field in import_string(path).base_fields.items():
            max_length = getattr(form_field, "max_length", None)
            if max_length:
                limits[name] = min(max_length, limits.get(name, max_length))
    return limits


def _text(model_field: models.Field, raw: Any, limit: int | None) -> str:
    name = model_field.name
    if not isinstance(raw, str):
        raise _wrong(name, "a text", raw)
    check_unicode(raw, name)
    limits = [n for n in (limit, model_field.max_length) if n]
    clean_text(raw, name, max_length=min(limits) if limits else None)
    if not model_field.blank and not raw.strip():
        raise ValidationError({name: "This field cannot be blank."})
    return raw


def date_value(raw: Any, name: str) -> date:
    if not isinstance(raw, str):
        raise _wrong(name, "a date such as 2026-03-02", raw)
    try:
        day = parse_date(raw)
    except ValueError:
        day = None
    if day is None:
        raise _wrong(name, "a date such as 2026-03-02", raw)
    check_sensible_date(day, name)
    return day


def _time(raw: Any, name: str) -> time:
    try:
        moment = parse_time(raw) if isinstance(raw, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is not None:
        raise _wrong(name, "a local time such as 09:30:00", raw)
    return moment


def _number(raw: Any, name: str) -> Decimal:
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise _wrong(name, "a number such as 12.5", raw)
    return clean_decimal(raw, name)


def _counter(raw: Any, name: str) -> int:
    if not whole(raw):
        raise _wrong(name, "a whole number", raw)
    if not 0 <= raw <= COUNTER_MAX:
        raise ValidationError({name: f"Give a whole number from 0 to {COUNTER_MAX:,}."})
    return raw


def _boolean(raw: Any, name: str) -> bool:
    if not isinstance(raw, bool):
        raise _wrong(name, "true or false", raw)
    return raw


def _json(raw: Any, name: str) -> Any:
    check_json(raw, name)
    return raw


# By kind of column, the most specific first (a DateTimeField is a DateField).
READERS: list[tuple[type[models.Field], Callable[[Any, str], Any]]] = [
    (models.JSONField, _json),
    (models.BooleanField, _boolean),
    (models.DateTimeField, datetime_value),
    (models.DateField, date_value),
    (models.TimeField, _time),
    (models.DecimalField, _number),
    (models.IntegerField, _counter),
]


def field_value(model_field: models.Field, raw: Any, *, text_limit: int | None = None) -> Any:
    """A column's value from the document, by the rules its forms and services apply."""
    name = model_field.name
    if raw is None:
        if not model_field.null:
            raise ValidationError({name: "This field cannot be null."})
        return None
    if isinstance(model_field, models.CharField | models.TextField):
        return _text(model_field, raw, text_limit)
    for kind, read in READERS:
        if isinstance(model_field, kind):
            return read(raw, name)
    raise TypeError(f"The team document has no rule for {type(model_field).__name__} values.")
