"""The board's sections as HTML, cached until anything they show changes.

A board is read far more often than it is written: the team at the wall screen, the coach, the
manager, and every open browser refreshing a section after a change all ask for the same HTML.
Each section is stored under the board's ``revision``, which every service write bumps when it
logs the change, and its ``cache_version``, which the signals below bump for any other write
through the ORM (the admin, a shell, test factories). The key is read from the database with
the board itself, so no process ever serves a section older than what it has just read.
Writes that skip ``save()`` and ``delete()`` (``bulk_create``, ``QuerySet.update``) must call
:func:`board_changed` themselves.

A section also depends on who asks (editing controls), the mode (wall, print), the reader's
time zone and today's date (days left, local times); all of them are in the key. The CSRF token
belongs to a session, so sections are stored with a placeholder in its place: a secret of the
installation, put only where ``{% csrf_token %}`` wrote its hidden field, which no text a member
typed can reproduce (it would come out escaped). Each reader's token goes in there alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from boards.board import Board
from boards.models import (
    Activity,
    ActualCondition,
    Challenge,
    Experiment,
    Measurement,
    Metric,
    Obstacle,
    Storyboard,
    TargetCondition,
    Team,
    User,
)

logger = logging.getLogger(__name__)

# The head shows only the storyboard's row with its team, challenge and people, all loaded
# with the board anyway: rendering it is cheap, and renaming a team then needs no invalidation.
UNCACHED = {"head"}
# Every change writes new keys; the old ones age out within a working shift, which bounds what
# Redis (the Celery broker too) holds to the boards read lately.
TIMEOUT = 60 * 60 * 6
CSRF_PLACEHOLDER = "kata-csrf-" + salted_hmac("boards.sections", "csrf placeholder").hexdigest()
# What {% csrf_token %} writes (django.template.defaulttags.CsrfTokenNode), placeholder and all.
CSRF_FIELD = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'


def _key(board: Board, name: str) -> str:
    sb = board.storyboard
    return ":".join(
        [
            "board-section",
            str(sb.pk),
            # A database rebuilt under the same cache reuses pks, never creation times.
            f"{sb.created_at.timestamp():.6f}",
            str(sb.revision),
            str(sb.cache_version),
            name,
            board.mode or "board",
            "edit" if board.can_edit else "read",
            timezone.get_current_timezone_name(),
            timezone.localdate().isoformat(),
        ]
    )


def _cache_call(method, *args):
    """The cache answering, or nothing if it is down: the board renders without it, slower."""
    try:
        return method(*args) or {}
    except Exception:  # the backend's own errors (redis-py's) are not Django's to name
        logger.warning("The board section cache is unavailable", exc_info=True)
        return {}


def render_sections(
    request: HttpRequest, board: Board, names: Iterable[str]
) -> dict[str, SafeString]:
    """Each named section's HTML: from the cache where it can be, else rendered and stored."""
    # A past target shown read-only, or a section saying why an action was refused, is
    # rendered for this response only.
    cacheable = not board.notice and not board.past_target
    keys = {name: _key(board, name) for name in names if cacheable and name not in UNCACHED}
    found = _cache_call(cache.get_many, list(keys.values())) if keys else {}
    context = {"board": board, "sb": board.storyboard, "csrf_token": CSRF_PLACEHOLDER}
    html, fresh = {}, {}
    for name in names:
        key = keys.get(name)
        text = found.get(key) if key else None
        if text is None:
            text = render_to_string(f"boards/sections/{name}.html", context)
            if key:
                fresh[key] = text
        html[name] = text
    if fresh:
        _cache_call(cache.set_many, fresh, TIMEOUT)
    field = format_html(CSRF_FIELD, get_token(request))
    placeholder = CSRF_FIELD.format(CSRF_PLACEHOLDER)
    # Rendered HTML, escaped when it was rendered: only the hidden fields change.
    return {name: mark_safe(text.replace(placeholder, field)) for name, text in html.items()}


# Invalidation ----------------------------------------------------------------------------------

# Set while a service writes: it logs the change, which bumps the board's revision in the same
# transaction. Bumping the cache version as well, at the first row written, would lock the
# board's row before the service's other rows, an order two services could deadlock on.
_service_writing: ContextVar[bool] = ContextVar("service_writing", default=False)


@contextmanager
def service_writing() -> Iterator[None]:
    token = _service_writing.set(True)
    try:
        yield
    finally:
        _service_writing.reset(token)


def board_changed(
    *,
    storyboards: Iterable[int] = (),
    targets: Iterable[int] = (),
    metrics: Iterable[int] = (),
    challenges: Iterable[int] = (),
    people: Iterable[int] = (),
    teams: Iterable[int] = (),
) -> None:
    """Retire the cached sections of every board that shows one of these rows."""
    where = Q(pk__in=list(storyboards))
    if targets:
        where |= Q(pk__in=TargetCondition.objects.filter(pk__in=targets).values("storyboard"))
    if metrics:
        boards = Metric.objects.filter(pk__in=metrics).values("target_condition__storyboard")
        where |= Q(pk__in=boards)
    if challenges:
        where |= Q(challenge__in=challenges)
    if teams:  # a board's head names its team
        where |= Q(team__in=teams)
    if people:
        acted = Activity.objects.filter(actor__in=people).values("storyboard")
        where |= Q(learner__in=people) | Q(coach__in=people) | Q(pk__in=acted)
    Storyboard.objects.filter(where).update(cache_version=F("cache_version") + 1)


# What each kind of row names its board by: the board_changed keyword and the row's attribute.
SHOWN_ON = {
    Storyboard: ("storyboards", "pk"),
    TargetCondition: ("storyboards", "storyboard_id"),
    ActualCondition: ("storyboards", "storyboard_id"),
    Activity: ("storyboards", "storyboard_id"),
    Metric: ("targets", "target_condition_id"),
    Obstacle: ("targets", "target_condition_id"),
    Experiment: ("targets", "target_condition_id"),
    Measurement: ("metrics", "metric_id"),
    Challenge: ("challenges", "pk"),
    Team: ("teams", "pk"),
}


def _changed(sender, instance, **kwargs) -> None:
    if not _service_writing.get():
        keyword, attribute = SHOWN_ON[sender]
        board_changed(**{keyword: [getattr(instance, attribute)]})


def _person_changed(sender, instance, created, update_fields, **kwargs) -> None:
    # Signing in saves the user too, with only last_login: nothing any board shows.
    if created:
        return
    if update_fields is None or {"first_name", "last_name", "username"} & set(update_fields):
        board_changed(people=[instance.pk])


for _model in SHOWN_ON:
    post_save.connect(_changed, sender=_model, dispatch_uid=f"sections-save-{_model.__name__}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"sections-del-{_model.__name__}")
post_save.connect(_person_changed, sender=User, dispatch_uid="sections-person")
