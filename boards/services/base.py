"""What every service that writes to a board shares, in both apps.

``board_write`` wraps a service in a transaction; ``log_activity`` appends the change to the
board's activity log and bumps its revision, so open browsers see it; ``save_versioned`` writes
a row only if nobody saved it since the reader's version, else raises ``Conflict``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from boards.access import BOARD_ARCHIVED_MESSAGE
from boards.models import Activity, Storyboard, TargetCondition, User
from boards.sections import service_writing
from boards.selectors import step_in_progress
from boards.validators import check_single_line

P = ParamSpec("P")
R = TypeVar("R")


class Conflict(Exception):
    """Someone else saved the row first; ``current`` is the row as they left it."""

    def __init__(self, current: models.Model):
        super().__init__(f"{current._meta.verbose_name} was changed by someone else")
        self.current = current


def board_write(service: Callable[P, R]) -> Callable[P, R]:
    """Run a service writing to a board in one transaction.

    The service logs its change with ``log_activity``, which bumps the board's revision and so
    retires the cached sections; the save signals, which retire them for writes outside the
    services, stand aside meanwhile.
    """

    @wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with service_writing(), transaction.atomic():
            return service(*args, **kwargs)

    return run


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """``fields`` of ``obj`` as JSON values (rows as their keys), for a log entry's before/after."""
    return {name: _jsonable(getattr(obj, name)) for name in fields}


def log_activity(
    *,
    storyboard: Storyboard,
    by: User | None,
    action: Activity.Action,
    obj: models.Model,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Activity:
    """Append a change to the board's log and bump its revision, in the caller's transaction.

    Every change to a board is logged, so this is where an archived board refuses them all
    (the caller's transaction then undoes what it wrote): archiving logs before the board is
    archived, restoring after it is back.
    """
    now = timezone.now()
    Storyboard.objects.filter(pk=storyboard.pk).update(revision=F("revision") + 1, changed_at=now)
    revision, active = Storyboard.objects.filter(pk=storyboard.pk).values_list(
        "revision", "is_active"
    )[0]
    if not active:
        raise ValidationError(BOARD_ARCHIVED_MESSAGE)
    storyboard.revision = revision
    return Activity.objects.create(
        storyboard=storyboard,
        actor=by,
        at=now,
        revision=revision,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=obj.pk,
        summary=summary[:300],
        before=before,
        after=after,
    )


def save_versioned(obj: models.Model, *, version: int, changes: dict[str, Any]) -> None:
    """Write ``changes`` only if the row is still at ``version``; else raise Conflict."""
    rows = type(obj)._default_manager
    updated = rows.filter(pk=obj.pk, version=version).update(**changes, version=F("version") + 1)
    if not updated:
        raise Conflict(rows.get(pk=obj.pk))
    for name, value in {**changes, "version": version + 1}.items():
        setattr(obj, name, value)


def clean_text(
    value: str | None, field: str, *, max_length: int | None = None, single_line: bool = False
) -> str:
    """``value`` stripped; refused, as an error on ``field``, if it holds NULs or is too long.

    ``single_line`` for a name or title: line breaks and control characters are refused too.
    """
    value = (value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: "Remove the null characters from this text."})
    if single_line:
        check_single_line(value, field)
    if max_length is not None and len(value) > max_length:
        raise ValidationError(
            {field: f"Keep this to {max_length} characters or fewer (it has {len(value)})."}
        )
    return value


def change_logged(
    obj: models.Model,
    *,
    version: int,
    changes: dict[str, Any],
    fields: list[str],
    storyboard: Storyboard,
    by: User | None,
    action: Activity.Action,
    summary: str,
) -> None:
    """Save a versioned change and log it with the row's values before and after."""
    before = snapshot(obj, fields)
    save_versioned(obj, version=version, changes=changes)
    log_activity(
        storyboard=storyboard,
        by=by,
        action=action,
        obj=obj,
        summary=summary,
        before=before,
        after=snapshot(obj, fields),
    )


def required_text(
    value: str | None,
    field: str,
    message: str,
    *,
    max_length: int | None = None,
    single_line: bool = False,
) -> str:
    """``clean_text``, refused with ``message`` when nothing is left."""
    value = clean_text(value, field, max_length=max_length, single_line=single_line)
    if not value:
        raise ValidationError({field: message})
    return value


def clean_decimal(value: Any, field: str) -> Decimal:
    """A number as the columns store it (4 places, under ten billion); "12,5" reads as 12.5."""
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "Enter a number, such as 31 or 12.5."}) from None
    if not number.is_finite():
        raise ValidationError({field: "Enter a number, such as 31 or 12.5."})
    # Round as the column stores it, so the check, the log and the row agree.
    if abs(number) >= Decimal("1e10"):
        raise ValidationError({field: "Enter a number smaller than ten billion."})
    number = number.quantize(Decimal("0.0001"))
    if abs(number) >= Decimal("1e10"):
        raise ValidationError({field: "Enter a number smaller than ten billion."})
    return number


CLOSED = "This target condition is closed; its record can only be read."


def require_active(target_condition: TargetCondition) -> None:
    """A closed target condition's record is history: it can be read, not written."""
    if not target_condition.is_active:
        raise ValidationError(CLOSED)


def require_no_step_in_progress(target_condition: TargetCondition, *, before: str) -> None:
    """One step at a time: refuse ``before`` (planning the next step...) while one is open."""
    in_progress = step_in_progress(target_condition)
    if in_progress is not None:
        raise ValidationError(
            f"Step #{in_progress.number} is still in progress: record what happened before "
            f"{before}."
        )


def refuse(reason: str) -> None:
    """Refuse with ``reason`` if there is one: a ``..._kept_because`` rule's answer, which the
    confirmation page shows before anyone asks."""
    if reason:
        raise ValidationError(reason)
