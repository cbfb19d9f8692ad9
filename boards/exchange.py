"""A team's full data as one JSON document, and the same document back into an installation.

The document (``format`` "kata.team", ``version`` 1) holds the team, then one object per
contributing app (``"boards"``, and ``"coaching"`` once that app registers its tables), each
a list of rows per table, and last the ``"users"`` the rows refer to::

    {"format": "kata.team", "version": 1, "exported_at": "...", "source": "https://...",
     "team": {"name": "Dispatch", "slug": "dispatch", "created_at": "..."},
     "boards": {"memberships": [{"id": 1, "user": 1, "role": "admin", ...}, ...],
                "challenges": [...], "storyboards": [{"id": 1, "challenge": 1, ...}], ...},
     "users": [{"id": 1, "username": "lena", "email": "lena@example.com", ...}]}

Every ``id`` is local to the document: rows are numbered 1, 2, 3... per table in the order they
were created, and references (``"challenge": 1``) use those numbers, never database keys. Two
installations holding the same team therefore export the same document, apart from the slug
and the export's own time. Users carry their username, email address, name and time zone only:
never a password hash, staff flag or last sign-in. Pending invitations are not exported.

Apps contribute their tables through ``register``: ``boards`` never imports another app; an
app adds a module ``<app>/exchange.py`` calling ``register``, found the way the admin finds
``admin.py`` modules.

This module holds the document's shape (the registry, the id contexts) and writes it;
``boards.exchange_import`` reads it back in (``import_team``, the ``import_team`` command),
each value by the rules in ``boards.exchange_values``.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from boards.models import (
    Activity,
    ActualCondition,
    Challenge,
    Experiment,
    Measurement,
    Membership,
    Metric,
    Obstacle,
    Storyboard,
    TargetCondition,
    Team,
    User,
)

FORMAT = "kata.team"
VERSION = 1
USERS = "users"
USER_FIELDS = ("username", "email", "first_name", "last_name", "time_zone")
BATCH = 500


class ExchangeError(Exception):
    """The document cannot be imported (or the team exported); the message says why."""


class ExportContext:
    """Numbers rows as they are written, and turns database keys into those numbers."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[int, int]] = defaultdict(dict)

    def add(self, table: str, pk: int) -> int:
        local = len(self.ids[table]) + 1
        self.ids[table][pk] = local
        return local

    def ref(self, table: str, pk: int | None) -> int | None:
        """The document id of row ``pk`` of ``table``; None if it is not in the document."""
        if pk is None:
            return None
        if table == USERS and pk not in self.ids[USERS]:
            return self.add(USERS, pk)
        return self.ids[table].get(pk)


class ImportContext:
    """Maps the document's ids to the new rows' primary keys, and each row to where it lies.

    ``scopes[table][id]`` names the rows a row lies in, by table, itself included: a
    measurement's is ``{"measurements": 4, "metrics": 2, "target_conditions": 1,
    "storyboards": 1}``. A reference must not leave the scopes the two rows share.
    """

    def __init__(self) -> None:
        self.ids: dict[str, dict[int, int]] = defaultdict(dict)
        self.scopes: dict[str, dict[int, dict[str, int]]] = defaultdict(dict)

    def pk(self, table: str, local: Any) -> int | None:
        """The new key of ``table`` row ``local``; None when the document has no such row."""
        if local is None or isinstance(local, bool):
            return None
        return self.ids[table].get(local) if isinstance(local, int) else None


RowHook = Callable[[dict[str, Any], Any], None]
# Raises ValidationError (by field, as the services do) for a row the app's rules refuse.
RowCheck = Callable[[Any], None]


@dataclass(frozen=True)
class Table:
    """One model's rows of a team, as a list in the document.

    ``team_path`` is the lookup from the model to its team ("team", "storyboard__team"); its
    first step is the row's parent, whose scope the row lies in. ``fields`` are copied as
    values; ``refs`` maps each foreign key to the table it points at (``"users"`` for people).
    ``export_row``/``import_row`` adjust a row in place for values that hold keys in other
    forms, such as JSON snapshots; on import the hook runs before the row is read, and turns
    document ids into new keys with ``ImportContext.pk``.

    On import every value passes the rules the forms and services apply (see
    ``boards.exchange_import``); ``check`` adds the app's rules about a whole row, given the
    unsaved model instance, and ``forms`` names (dotted paths) the forms people write these
    rows with: a text is as long as their field of the same name allows, at most.
    """

    name: str
    model: type[models.Model]
    team_path: str
    fields: tuple[str, ...]
    refs: Mapping[str, str] = field(default_factory=dict)
    export_row: RowHook | None = None
    import_row: RowHook | None = None
    check: RowCheck | None = None
    forms: tuple[str, ...] = ()

    @property
    def parent(self) -> str | None:
        """The foreign key to the row this one belongs to; None for the team's own rows."""
        first = self.team_path.split("__", 1)[0]
        return None if first == "team" else first

    def queryset(self, team: Team) -> models.QuerySet:
        return self.model._default_manager.filter(**{self.team_path: team}).order_by("pk")


_sections: dict[str, list[Table]] = {}
_discovered = False


def register(section: str, tables: list[Table]) -> None:
    """Add an app's tables to the document under ``section``, after those already there.

    Tables may refer to tables registered before them, and to ``"users"``.
    """
    names = {table.name for tables_ in _sections.values() for table in tables_} | {USERS}
    for table in tables:
        if table.name in names:
            raise ValueError(f"Table {table.name!r} is already in the team document.")
        names.add(table.name)
    _sections[section] = list(tables)


def sections() -> dict[str, list[Table]]:
    """Every app's tables, by section, in the order the document holds them."""
    global _discovered
    if not _discovered:
        autodiscover_modules("exchange")
        _discovered = True
    return _sections


def _table_for_model(model_name: str) -> str | None:
    for tables in sections().values():
        for table in tables:
            if table.model._meta.model_name == model_name:
                return table.name
    return None


# Values ----------------------------------------------------------------------------------------


def map_keys(value: Any, keys: Mapping[str, str], lookup: Callable[[str, Any], Any]) -> Any:
    """Rewrite row keys held in JSON (``{"experiment": 12}``), at any depth, with ``lookup``.

    ``keys`` maps a JSON key to the table its whole-number values point at; ``lookup`` is
    ``ExportContext.ref`` or ``ImportContext.pk``. A key whose row is gone becomes None.
    """
    if isinstance(value, list):
        return [map_keys(item, keys, lookup) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        name: lookup(keys[name], item)
        if name in keys and isinstance(item, int) and not isinstance(item, bool)
        else map_keys(item, keys, lookup)
        for name, item in value.items()
    }


def concrete_field(model: type[models.Model], name: str) -> models.Field:
    """``model``'s field ``name``, which a table lists, so it must be a column of its own."""
    model_field = model._meta.get_field(name)
    if not isinstance(model_field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is not a column (a reverse or generic relation).")
    return model_field


def _dump(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


# Export ----------------------------------------------------------------------------------------


def _rows(table: Table, team: Team, ctx: ExportContext) -> Iterator[dict[str, Any]]:
    attnames = {name: concrete_field(table.model, name).attname for name in table.refs}
    values = table.queryset(team).values("pk", *table.fields, *attnames.values())
    for values_row in values.iterator(chunk_size=2000):
        row: dict[str, Any] = {"id": ctx.add(table.name, values_row["pk"])}
        for name in table.fields:
            row[name] = _dump(values_row[name])
        for name, target in table.refs.items():
            pk = values_row[attnames[name]]
            row[name] = ctx.ref(target, pk)
            if pk is not None and row[name] is None:
                raise ExchangeError(
                    f"{table.name} row {row['id']}: its {name} lies outside the team "
                    f"{team.slug!r}; fix the data before exporting."
                )
        if table.export_row is not None:
            table.export_row(row, ctx)
        yield row


def _user_rows(ctx: ExportContext) -> Iterator[dict[str, Any]]:
    order = ctx.ids[USERS]
    pks = sorted(order, key=order.__getitem__)
    for start in range(0, len(pks), BATCH):
        chunk = pks[start : start + BATCH]
        found = {u["pk"]: u for u in User.objects.filter(pk__in=chunk).values("pk", *USER_FIELDS)}
        for pk in chunk:
            yield {"id": order[pk], **{name: found[pk][name] for name in USER_FIELDS}}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def write_document(team: Team, write: Callable[[str], Any]) -> None:
    """Write the team's document through ``write``, a row per line, reading as it goes."""
    ctx = ExportContext()
    head = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "source": settings.SITE_URL,
        "team": {"name": team.name, "slug": team.slug, "created_at": _dump(team.created_at)},
    }
    write("{\n" + ",\n".join(f"{_json(key)}: {_json(value)}" for key, value in head.items()))
    for section, tables in sections().items():
        write(f",\n{_json(section)}: {{")
        for index, table in enumerate(tables):
            _write_list(write, table.name, _rows(table, team, ctx), first=index == 0)
        write("\n}")
    write(",")
    _write_list(write, USERS, _user_rows(ctx), first=True)
    write("\n}\n")


def _write_list(
    write: Callable[[str], Any], name: str, rows: Iterator[dict[str, Any]], *, first: bool
) -> None:
    write(("" if first else ",") + f"\n{_json(name)}: [")
    for index, row in enumerate(rows):
        write(("\n" if index == 0 else ",\n") + _json(row))
    write("\n]")


@contextmanager
def snapshot() -> Iterator[None]:
    """Read the whole document from one consistent state of the database.

    On PostgreSQL a REPEATABLE READ, READ ONLY transaction takes no locks. SQLite starts every
    transaction with BEGIN IMMEDIATE here, which holds off writers until the read is done: the
    document is written to a file first and sent from there, so a slow download never keeps
    that lock.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def export_to_file(team: Team) -> IO[bytes]:
    """The team's document in a temporary file (in memory while small), rewound for reading."""
    # Closed by whoever reads it (FileResponse closes it once sent).
    buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b")  # noqa: SIM115
    try:
        with snapshot():
            write_document(team, lambda text: buffer.write(text.encode("utf-8")))
    except BaseException:
        buffer.close()
        raise
    buffer.seek(0)
    return buffer


def export_document(team: Team) -> dict[str, Any]:
    """The team's document as Python data (for tests and small teams)."""
    parts: list[str] = []
    with snapshot():
        write_document(team, parts.append)
    return json.loads("".join(parts))


# The boards' own tables ------------------------------------------------------------------------

# Keys of the activity log's before/after snapshots that hold a row's key (see services.snapshot).
SNAPSHOT_REFS = {
    "challenge": "challenges",
    "learner": USERS,
    "coach": USERS,
    "obstacle": "obstacles",
    "metric": "metrics",
    "experiment": "experiments",
}


def _activity_export(row: dict[str, Any], ctx: ExportContext) -> None:
    table = _table_for_model(row["object_type"])
    row["object_id"] = ctx.ref(table, row["object_id"]) if table else None
    for key in ("before", "after"):
        row[key] = map_keys(row[key], SNAPSHOT_REFS, ctx.ref)


def _activity_import(row: dict[str, Any], ctx: ImportContext) -> None:
    object_type, object_id = row.get("object_type"), row.get("object_id")
    if object_id is not None and (not isinstance(object_id, int) or isinstance(object_id, bool)):
        raise ValidationError({"object_id": "Give the changed row's id, a whole number, or null."})
    table = _table_for_model(object_type) if isinstance(object_type, str) else None
    # A change to a row that is no longer there keeps 0, which no row has.
    row["object_id"] = (ctx.pk(table, object_id) if table else None) or 0
    for key in ("before", "after"):
        row[key] = map_keys(row.get(key), SNAPSHOT_REFS, ctx.pk)


def _check_activity(activity: Activity) -> None:
    # The services log a snapshot of fields (services.base.snapshot): an object, or nothing.
    for name in ("before", "after"):
        if not isinstance(getattr(activity, name), dict | None):
            raise ValidationError({name: "Give the snapshot as an object of fields, or null."})


BOARDS_TABLES = [
    Table("memberships", Membership, "team", ("role", "joined_at"), {"user": USERS}),
    Table(
        "challenges",
        Challenge,
        "team",
        ("title", "description", "horizon", "created_at", "retired_at", "version"),
    ),
    Table(
        "storyboards",
        Storyboard,
        "team",
        ("focus_process", "is_active", "created_at", "version", "revision", "changed_at"),
        {"challenge": "challenges", "learner": USERS, "coach": USERS},
    ),
    Table(
        "target_conditions",
        TargetCondition,
        "storyboard__team",
        (
            "number",
            "operating_pattern",
            "achieve_by",
            "status",
            "reflection",
            "created_at",
            "closed_at",
            "version",
        ),
        {"storyboard": "storyboards"},
        forms=("boards.forms.TargetConditionForm", "boards.forms.CloseTargetConditionForm"),
    ),
    Table(
        "metrics",
        Metric,
        "target_condition__storyboard__team",
        ("kind", "name", "unit", "target_value", "higher_is_better", "retired_at", "version"),
        {"target_condition": "target_conditions"},
    ),
    Table(
        "actual_conditions",
        ActualCondition,
        "storyboard__team",
        ("observed_at", "operating_pattern", "figures", "version"),
        {"storyboard": "storyboards", "recorded_by": USERS},
        forms=("boards.forms.ActualConditionForm",),
    ),
    Table(
        "obstacles",
        Obstacle,
        "target_condition__storyboard__team",
        ("description", "position", "status", "created_at", "cleared_at", "version"),
        {"target_condition": "target_conditions"},
    ),
    Table(
        "experiments",
        Experiment,
        "target_condition__storyboard__team",
        (
            "number",
            "step",
            "expected",
            "planned_for",
            "happened",
            "learned",
            "result_recorded_at",
            "threshold_of_knowledge",
            "created_at",
            "version",
        ),
        {"target_condition": "target_conditions", "obstacle": "obstacles", "created_by": USERS},
        forms=("boards.forms.ExperimentPlanForm", "boards.forms.ExperimentResultForm"),
    ),
    Table(
        "measurements",
        Measurement,
        "metric__target_condition__storyboard__team",
        ("measured_at", "value", "note"),
        {"metric": "metrics", "experiment": "experiments", "recorded_by": USERS},
    ),
    Table(
        "activities",
        Activity,
        "storyboard__team",
        ("at", "revision", "action", "object_type", "object_id", "summary", "before", "after"),
        {"storyboard": "storyboards", "actor": USERS},
        export_row=_activity_export,
        import_row=_activity_import,
        check=_check_activity,
    ),
]

register("boards", BOARDS_TABLES)
