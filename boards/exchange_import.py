"""Reading a team's document (see ``boards.exchange``) back in, as a new team.

``import_team`` recreates the team with new primary keys in one transaction: any refused row
leaves nothing behind. A user is matched to an existing account by email address; anyone else
gets a new account, inactive and without a usable password, that the person claims by
resetting the password. Every row is checked with the model's field validation before the
database sees it, so a refusal names the table, the row and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import DatabaseError, IntegrityError, models, transaction

from boards.exchange import (
    BATCH,
    FORMAT,
    USERS,
    VERSION,
    ExchangeError,
    ImportContext,
    Table,
    concrete_field,
    sections,
)
from boards.models import Team, User


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


def _import_users(rows: Any, ctx: ImportContext, result: ImportResult) -> None:
    _require(isinstance(rows, list), "The document's users must be a list.")
    for row in rows:
        _require(
            isinstance(row, dict) and isinstance(row.get("id"), int),
            "Every user needs a whole-number id.",
        )
        label = f"users row {row['id']}"
        _require(row["id"] not in ctx.ids[USERS], f"{label}: the id appears twice.")
        username, email = row.get("username"), row.get("email") or ""
        _require(isinstance(username, str) and bool(username.strip()), f"{label}: no username.")
        _require(isinstance(email, str), f"{label}: the email must be text.")
        email = email.strip()
        existing = None
        if email:
            existing = User.objects.filter(email__iexact=email).order_by("pk").first()
        if existing is not None:
            ctx.ids[USERS][row["id"]] = existing.pk
            result.users_matched += 1
            continue
        user = User(
            username=_free_username(username.strip()),
            email=email,
            first_name=row.get("first_name") or "",
            last_name=row.get("last_name") or "",
            time_zone=row.get("time_zone") or "UTC",
            is_active=False,
        )
        user.set_unusable_password()
        _clean(user, label, exclude=["password"])
        user.save()
        ctx.ids[USERS][row["id"]] = user.pk
        result.users_created.append(user.username)


def _clean(obj: models.Model, label: str, exclude: list[str]) -> None:
    try:
        obj.clean_fields(exclude=exclude)
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
        raise ExchangeError(f"{label}: {problems}") from None


def _import_table(table: Table, rows: Any, team: Team, ctx: ImportContext) -> int:
    _require(isinstance(rows, list), f"{table.name} must be a list of rows.")
    foreign = [*table.refs, *(["team"] if table.team_path == "team" else [])]
    objects: list[models.Model] = []
    ids: list[int] = []
    for row in rows:
        _require(
            isinstance(row, dict) and isinstance(row.get("id"), int),
            f"Every row of {table.name} needs a whole-number id.",
        )
        label = f"{table.name} row {row['id']}"
        _require(row["id"] not in ctx.ids[table.name] and row["id"] not in ids, f"{label}: twice.")
        if table.import_row is not None:
            row = dict(row)  # the hook rewrites it: leave the caller's document as it was
            table.import_row(row, ctx)
        values: dict[str, Any] = {}
        for name in table.fields:
            if name in row:
                try:
                    values[name] = _load(concrete_field(table.model, name), row[name])
                except ValidationError as error:
                    raise ExchangeError(f"{label}: {name}: {' '.join(error.messages)}") from None
        for name, target in table.refs.items():
            model_field = concrete_field(table.model, name)
            local = row.get(name)
            pk = ctx.pk(target, local)
            if pk is None and local is not None:
                raise ExchangeError(f"{label}: {name} {local!r} is not in the document's {target}.")
            if pk is None and not model_field.null:
                raise ExchangeError(f"{label}: {name} is missing.")
            values[model_field.attname] = pk
        if table.team_path == "team":
            values["team"] = team
        obj = table.model(**values)
        _clean(obj, label, exclude=foreign)
        objects.append(obj)
        ids.append(row["id"])
    for start in range(0, len(objects), BATCH):
        table.model._default_manager.bulk_create(objects[start : start + BATCH])
    for local, obj in zip(ids, objects, strict=True):
        ctx.ids[table.name][local] = obj.pk
    return len(objects)


def import_team(document: Any, *, slug: str | None = None) -> ImportResult:
    """Recreate a team from its document, all or nothing; ``slug`` gives it a new address."""
    _require(isinstance(document, dict), "This is not a Kata team document.")
    _require(document.get("format") == FORMAT, "This is not a Kata team document.")
    _require(
        document.get("version") == VERSION,
        f"This document has version {document.get('version')!r}; this Kata reads {VERSION}.",
    )
    registered = sections()
    known = {"format", "version", "exported_at", "source", "team", USERS, *registered}
    unknown = sorted(key for key in document if key not in known and document[key])
    _require(
        not unknown,
        f"The document holds {', '.join(unknown)} data, which this installation cannot take.",
    )
    head = document.get("team")
    _require(isinstance(head, dict), "The document has no team.")
    slug = slug or head.get("slug")
    try:
        validate_slug(slug)
    except (ValidationError, TypeError):
        raise ExchangeError(f"{slug!r} cannot be a team's address.") from None
    try:
        with transaction.atomic():
            return _import(document, head, slug, registered)
    except (IntegrityError, DatabaseError) as error:
        raise ExchangeError(f"The database refused the data: {error}") from None


def _import(
    document: dict[str, Any],
    head: dict[str, Any],
    slug: str,
    registered: dict[str, list[Table]],
) -> ImportResult:
    if Team.objects.filter(slug=slug).exists():
        raise ExchangeError(f"A team with the address {slug!r} exists already: choose another.")
    team = Team(name=head.get("name", ""), slug=slug)
    if head.get("created_at"):
        team.created_at = _load(Team._meta.get_field("created_at"), head["created_at"])
    _clean(team, "team", exclude=[])
    team.save()
    result = ImportResult(team=team)
    ctx = ImportContext()
    _import_users(document.get(USERS, []), ctx, result)
    for section, tables in registered.items():
        data = document.get(section) or {}
        _require(isinstance(data, dict), f"{section} must be an object of tables.")
        for table in tables:
            result.rows[table.name] = _import_table(table, data.get(table.name, []), team, ctx)
    return result


def _load(model_field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(model_field, models.JSONField):
        return value
    return model_field.to_python(value)
