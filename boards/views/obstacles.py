"""The obstacles parking lot: add, edit, work on, clear, park and reorder obstacles."""

from __future__ import annotations

from typing import Protocol

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST

from boards import access, forms
from boards.http import AuthenticatedHttpRequest
from boards.models import Obstacle, User
from boards.services.base import Conflict
from boards.services.obstacles import (
    obstacle_add,
    obstacle_clear,
    obstacle_delete,
    obstacle_kept_because,
    obstacle_move,
    obstacle_park,
    obstacle_update,
    obstacle_work_on,
)
from boards.views.base import active_target, create, edit, last_editor, refused, remove, saved


@login_required
@require_http_methods(["GET", "POST"])
def obstacle_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sb = access.get_storyboard_for_user(request.user, pk, write=True)
    target = active_target(sb)
    data = request.POST if request.method == "POST" else None
    return create(
        request,
        sb=sb,
        form=forms.ObstacleForm(data),
        template="boards/forms/obstacle_new.html",
        section="obstacles",
        save=lambda data: obstacle_add(
            target_condition=target, description=data["description"], by=request.user
        ),
        message="Obstacle added to the parking lot.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def obstacle_edit(request: AuthenticatedHttpRequest, pk: int, obstacle_pk: int) -> HttpResponse:
    obstacle = access.get_obstacle_for_user(request.user, obstacle_pk, storyboard=pk, write=True)
    return edit(
        request,
        sb=obstacle.target_condition.storyboard,
        obj=obstacle,
        form_class=forms.ObstacleEditForm,
        template="boards/forms/obstacle_edit.html",
        section="obstacles",
        initial={"description": obstacle.description},
        save=lambda data: obstacle_update(
            obstacle=obstacle,
            version=data["version"],
            description=data["description"],
            by=request.user,
        ),
        message="Obstacle saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def obstacle_remove(request: AuthenticatedHttpRequest, pk: int, obstacle_pk: int) -> HttpResponse:
    """Delete an obstacle added by mistake; one that steps address can be cleared instead."""
    obstacle = access.get_obstacle_for_user(request.user, obstacle_pk, storyboard=pk, write=True)
    target = obstacle.target_condition
    return remove(
        request,
        sb=target.storyboard,
        obj=obstacle,
        template="boards/forms/obstacle_delete.html",
        section="obstacles",
        refusal=obstacle_kept_because(obstacle),
        save=lambda data: obstacle_delete(
            obstacle=obstacle, version=data["version"], by=request.user
        ),
        message="Obstacle deleted.",
    )


class ObstacleAction(Protocol):
    def __call__(self, *, obstacle: Obstacle, version: int, by: User | None) -> Obstacle: ...


OBSTACLE_ACTIONS: dict[str, tuple[ObstacleAction, str]] = {
    "work-on": (obstacle_work_on, "Now working on this obstacle."),
    "clear": (obstacle_clear, "Obstacle cleared."),
    "park": (obstacle_park, "Obstacle back in the parking lot."),
}


@login_required
@require_POST
def obstacle_action(
    request: AuthenticatedHttpRequest, pk: int, obstacle_pk: int, action: str
) -> HttpResponse:
    """Work on, clear or park an obstacle; move it up or down the parking lot."""
    obstacle = access.get_obstacle_for_user(request.user, obstacle_pk, storyboard=pk, write=True)
    sb = obstacle.target_condition.storyboard
    since = sb.revision
    try:
        if action in ("up", "down"):
            obstacle_move(obstacle=obstacle, offset=-1 if action == "up" else 1, by=request.user)
            message = "Obstacle moved."
        elif action in OBSTACLE_ACTIONS:
            service, message = OBSTACLE_ACTIONS[action]
            version = int(request.POST.get("version", obstacle.version))
            service(obstacle=obstacle, version=version, by=request.user)
        else:
            raise Http404("No such action.")
    except ValueError:
        return refused(request, sb, "obstacles", "That request was malformed.", 400)
    except ValidationError as error:
        return refused(request, sb, "obstacles", " ".join(error.messages), 422)
    except Conflict:
        return refused(
            request,
            sb,
            "obstacles",
            f"{last_editor(obstacle)} changed this obstacle a moment ago: here is the parking "
            "lot as it is now. Nothing was changed.",
            409,
        )
    return saved(request, sb, "obstacles", message, since=since, focus=f"obstacle-{obstacle.pk}")
