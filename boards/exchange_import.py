"""Reading a team's document (see ``boards.exchange``) back in, as a new team.

``read_document`` reads the file, refused whole when it is larger than a limit (checked before
reading it all), nests deeper than JSON can be read, or is not JSON. ``import_team`` recreates
the team with new primary keys in one transaction: any refused row leaves nothing behind.

A document passes the rules the forms and services apply to the same values, asked of the same
functions (``boards.exchange_values``): every date and time between 1970 and 2200
(``boards.validators``), numbers finite and under ten billion and texts without NULs and no
longer than their form takes (``boards.services.base``), choices, names and time zones as the
models validate them, and the apps' own rules on a row (``Table.check``: a coaching schedule
the schedule form can write, for one). A row refers only to rows in the document, and never out
of its board or target condition (a coaching cycle cannot hold another board's session). Rules
about the moment of writing (an achieve-by date not in the past, a coach still on the team) are
left out: the document is history. A refusal is one line naming the value by its place in the
document: ``boards.target_conditions[0].achieve_by: Enter a date between 1970 and 2200.``

A user is matched to an existing account by email address; anyone else gets a new account,
inactive and without a usable password, that the person claims by resetting the password.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Container
from dataclasses import dataclass, field
from typing import IO, Any, NoReturn

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_slug
from django.db import DatabaseError, IntegrityError, models, transaction

from boards.exchange import (
    BATCH,
    FORMAT,
    USER_FIELDS,
    USERS,
    VERSION,
    ExchangeError,
    ImportContext,
    Table,
    concrete_field,
    sections,
)
from boards.exchange_values import check_json, describe, field_value, form_limits, whole
from boards.models import Team, User

MEGABYTE = 1024 * 1024
MAX_MEGABYTES = 64
# An export holds an object or a list per 200 bytes or so (a row is one). Parsed, a file of bare
# "{}," takes some 25 times its size in memory: one per 64 bytes is refused before parsing.
BYTES_PER_CONTAINER = 64
# No value of a team document has more digits (ids, counters, 2**53 in JSON values).
INTEGER_DIGITS = 20


# Reading the file ------------------------------------------------------------------------------


def read_document(
    path: str, *, stdin: IO[Any] | None = None, max_megabytes: int = MAX_MEGABYTES
) -> Any:
    """The JSON document in the file ``path`` ("-": standard input), or ExchangeError."""
    limit = max_megabytes * MEGABYTE
    name = "standard input" if path == "-" else path
    try:
        if path == "-":
            stream = stdin or sys.stdin
            data = _read(getattr(stream, "buffer", stream), limit, name, max_megabytes)
        else:
            with open(path, "rb") as file:
                size = os.fstat(file.fileno()).st_size
                if size > limit:
                    raise ExchangeError(
                        f"{name} is {size / MEGABYTE:,.1f} MB: {_over(max_megabytes)}"
                    )
                data = _read(file, limit, name, max_megabytes)
    except OSError as error:
        raise ExchangeError(f"Cannot read {path}: {error.strerror}.") from None
    return parse_document(data, name=name, max_megabytes=max_megabytes)


def _over(max_megabytes: int) -> str:
    return (
        f"a team document may have at most {max_megabytes:,} MB here "
        "(import_team --max-megabytes raises the limit)."
    )


def _read(stream: IO[Any], limit: int, name: str, max_megabytes: int) -> bytes:
    data = stream.read(limit + 1)
    if isinstance(data, str):  # a text stream stands in for standard input in tests
        data = data.encode("utf-8", "surrogatepass")
    if len(data) > limit:
        raise ExchangeError(f"{name} holds more than {max_megabytes:,} MB: {_over(max_megabytes)}")
    return data


def parse_document(data: bytes, *, name: str, max_megabytes: int = MAX_MEGABYTES) -> Any:
    """The document in ``data``; refused when it is no JSON a team document can be."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ExchangeError(f"{name} is not UTF-8 text (byte {error.start:,}).") from None
    containers = max_megabytes * MEGABYTE // BYTES_PER_CONTAINER
    if text.count("{") + text.count("[") > containers:
        raise ExchangeError(
            f"{name} holds more than {containers:,} JSON objects and lists, more than a team "
            f"document within the limit does: {_over(max_megabytes)}"
        )
    try:
        return json.loads(text, parse_constant=_constant, parse_int=_integer)
    except RecursionError:
        raise ExchangeError(
            f"{name} nests lists and objects too deeply to be read: a team document is a few "
            "levels deep."
        ) from None
    except ValueError as error:
        raise ExchangeError(f"{name} is not valid JSON: {error}.") from None
    except MemoryError:
        raise ExchangeError(f"{name} is too large to read into this process's memory.") from None


def _constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows")


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > INTEGER_DIGITS:
        raise ValueError(f"a number of {len(digits):,} digits, more than any in a team document")
    return int(digits)


# Values ----------------------------------------------------------------------------------------


def _refuse(where: str, message: str) -> NoReturn:
    _refuse_line(f"{where}: {message}")


def _refuse_line(line: str) -> NoReturn:
    # One line, however the message came: a validator's words may quote what was given.
    line = " ".join(line.split())
    raise ExchangeError(line if len(line) <= 400 else line[:399] + "…")


def _refuse_error(where: str, error: ValidationError) -> NoReturn:
    if not hasattr(error, "error_dict"):
        _refuse(where, " ".join(error.messages))
    _refuse_line(
        "; ".join(
            f"{where if name == NON_FIELD_ERRORS else f'{where}.{name}'}: {' '.join(messages)}"
            for name, messages in error.message_dict.items()
        )
    )


def _clean(obj: models.Model, where: str, exclude: list[str]) -> None:
    try:
        obj.clean_fields(exclude=exclude)
    except ValidationError as error:
        _refuse_error(where, error)


# The document ----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """The new team, rows made per table, and the people matched or given new accounts."""

    team: Team
    rows: dict[str, int] = field(default_factory=dict)
    users_matched: int = 0
    users_created: list[str] = field(default_factory=list)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ExchangeError(message)


def _free_username(wanted: str) -> str:
    base = wanted[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _rows(rows: Any, where: str) -> list[Any]:
    if not isinstance(rows, list):
        _refuse(where, f"Give a list of rows, not {describe(rows)}.")
    return rows


def _row_id(row: Any, where: str, *taken: Container[int]) -> int:
    if not isinstance(row, dict):
        _refuse(where, f"Give a row (an object), not {describe(row)}.")
    local = row.get("id")
    if not whole(local) or local < 1:
        _refuse(f"{where}.id", f"Every row needs a whole-number id from 1, not {describe(local)}.")
    if any(local in ids for ids in taken):
        _refuse(f"{where}.id", f"The id {local} appears twice.")
    return local


def _import_users(rows: Any, ctx: ImportContext, result: ImportResult) -> None:
    fields = {name: concrete_field(User, name) for name in USER_FIELDS}
    for index, row in enumerate(_rows(rows, USERS)):
        where = f"{USERS}[{index}]"
        local = _row_id(row, where, ctx.ids[USERS])
        try:
            values = {
                name: field_value(column, row[name])
                for name, column in fields.items()
                if name in row
            }
        except ValidationError as error:
            _refuse_error(where, error)
        values["email"] = values.get("email", "").strip()
        existing = None
        if values["email"]:
            existing = User.objects.filter(email__iexact=values["email"]).order_by("pk").first()
        if existing is not None:
            ctx.ids[USERS][local] = existing.pk
            result.users_matched += 1
            continue
        values["username"] = _free_username(values.get("username", "").strip())
        user = User(**values, is_active=False)
        user.set_unusable_password()
        _clean(user, where, exclude=["password"])
        user.save()
        ctx.ids[USERS][local] = user.pk
        result.users_created.append(user.username)


@functools.cache
def _verbose_names() -> dict[str, str]:
    return {
        table.name: str(table.model._meta.verbose_name)
        for tables in sections().values()
        for table in tables
    }


def _import_table(table: Table, rows: Any, section: str, team: Team, ctx: ImportContext) -> int:
    foreign = [*table.refs, *(["team"] if table.team_path == "team" else [])]
    limits = form_limits(table.forms)
    columns = {name: concrete_field(table.model, name) for name in (*table.fields, *table.refs)}
    objects: list[models.Model] = []
    ids: dict[int, None] = {}  # the rows' ids in order (a dict as an ordered set)
    for index, row in enumerate(_rows(rows, f"{section}.{table.name}")):
        where = f"{section}.{table.name}[{index}]"
        local = _row_id(row, where, ctx.ids[table.name], ids)
        try:
            obj, scope = _read_row(table, row, columns, limits, ctx)
        except ValidationError as error:
            _refuse_error(where, error)
        except _RefError as error:
            _refuse(f"{where}.{error.name}", error.message)
        if table.team_path == "team":
            setattr(obj, "team", team)  # noqa: B010 (every such model has a team; mypy knows not)
        _clean(obj, where, exclude=foreign)
        if table.check is not None:
            try:
                table.check(obj)
            except ValidationError as error:
                _refuse_error(where, error)
        objects.append(obj)
        ids[local] = None
        ctx.scopes[table.name][local] = {table.name: local, **scope}
    for start in range(0, len(objects), BATCH):
        table.model._default_manager.bulk_create(objects[start : start + BATCH])
    for local, obj in zip(ids, objects, strict=True):
        ctx.ids[table.name][local] = obj.pk
    return len(objects)


class _RefError(Exception):
    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name, self.message = name, message


def _read_row(
    table: Table,
    row: dict[str, Any],
    columns: dict[str, models.Field],
    limits: dict[str, int],
    ctx: ImportContext,
) -> tuple[models.Model, dict[str, int]]:
    """The row as an unsaved model instance, and the scopes it lies in (its parent's)."""
    # The hook walks JSON values: they pass their limits before it runs.
    for name in table.fields:
        if isinstance(columns[name], models.JSONField) and row.get(name) is not None:
            check_json(row[name], name)
    if table.import_row is not None:
        row = dict(row)  # the hook rewrites it: leave the caller's document as it was
        table.import_row(row, ctx)
    values: dict[str, Any] = {
        name: field_value(columns[name], row[name], text_limit=limits.get(name))
        for name in table.fields
        if name in row
    }
    scope: dict[str, int] = {}
    if table.parent is not None:
        values[columns[table.parent].attname] = _ref(table, table.parent, row, ctx)
        scope = ctx.scopes[table.refs[table.parent]][row[table.parent]]
    for name, target in table.refs.items():
        if name == table.parent:
            continue
        values[columns[name].attname] = _ref(table, name, row, ctx)
        if target != USERS and row.get(name) is not None:
            _same_scope(name, target, ctx.scopes[target][row[name]], scope)
    return table.model(**values), scope


def _ref(table: Table, name: str, row: dict[str, Any], ctx: ImportContext) -> int | None:
    target, local = table.refs[name], row.get(name)
    if local is None:
        if not concrete_field(table.model, name).null:
            raise _RefError(name, f"Missing: give the id of one of the document's {target}.")
        return None
    if not whole(local):
        raise _RefError(name, f"Give the id of a row of {target}, not {describe(local)}.")
    pk = ctx.pk(target, local)
    if pk is None:
        raise _RefError(name, f"{local} is not an id of the document's {target}.")
    return pk


def _same_scope(name: str, target: str, theirs: dict[str, int], ours: dict[str, int]) -> None:
    # Broadest first: a session on another board is "on another storyboard".
    for shared in reversed(list(ours)):
        if shared in theirs and theirs[shared] != ours[shared]:
            names = _verbose_names()
            raise _RefError(
                name,
                f"The {names[target]} {theirs[target]} belongs to another {names[shared]} "
                f"({theirs[shared]}, not {ours[shared]}).",
            )


def import_team(document: Any, *, slug: str | None = None) -> ImportResult:
    """Recreate a team from its document, all or nothing; ``slug`` gives it a new address."""
    _require(isinstance(document, dict), "This is not a Kata team document.")
    _require(document.get("format") == FORMAT, "This is not a Kata team document.")
    version = document.get("version")
    _require(
        whole(version) and version == VERSION,
        f"This document has version {describe(version)}; this Kata reads {VERSION}.",
    )
    registered = sections()
    known = {"format", "version", "exported_at", "source", "team", USERS, *registered}
    unknown = sorted(key for key in document if key not in known and document[key])
    _require(
        not unknown,
        f"The document holds {', '.join(describe(key) for key in unknown)} data, which this "
        "installation cannot take.",
    )
    head = document.get("team")
    _require(isinstance(head, dict), "The document has no team.")
    slug = slug or head.get("slug")
    try:
        validate_slug(slug)
    except (ValidationError, TypeError):
        raise ExchangeError(f"{describe(slug)} cannot be a team's address.") from None
    try:
        with transaction.atomic():
            return _import(document, head, str(slug), registered)
    except (IntegrityError, DatabaseError) as error:
        _refuse("The database refused the data", str(error))


def _import(
    document: dict[str, Any],
    head: dict[str, Any],
    slug: str,
    registered: dict[str, list[Table]],
) -> ImportResult:
    if Team.objects.filter(slug=slug).exists():
        raise ExchangeError(f"A team with the address {slug!r} exists already: choose another.")
    try:
        values = {
            name: field_value(concrete_field(Team, name), head[name])
            for name in ("name", "created_at")
            if name in head
        }
    except ValidationError as error:
        _refuse_error("team", error)
    team = Team(slug=slug, **values)
    _clean(team, "team", exclude=[])
    team.save()
    result = ImportResult(team=team)
    ctx = ImportContext()
    _import_users(document.get(USERS, []), ctx, result)
    for section, tables in registered.items():
        data = document.get(section) or {}
        if not isinstance(data, dict):
            _refuse(section, f"Give an object of tables, not {describe(data)}.")
        for table in tables:
            rows = data.get(table.name, [])
            result.rows[table.name] = _import_table(table, rows, section, team, ctx)
    return result
