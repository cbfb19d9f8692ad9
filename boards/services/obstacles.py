"""The obstacles parking lot: one obstacle worked on at a time, cleared ones struck through."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import F, Max
from django.utils import timezone

from boards.models import Activity, Experiment, Obstacle, TargetCondition, User
from boards.services.base import (
    CLOSED,
    Conflict,
    board_write,
    change_logged,
    log_activity,
    refuse,
    require_active,
    required_text,
    save_versioned,
    snapshot,
)
from boards.validators import check_sensible_date

OBSTACLE_FIELDS = ["description", "status", "position", "cleared_at"]


@board_write
def obstacle_add(
    *, target_condition: TargetCondition, description: str, by: User | None
) -> Obstacle:
    """Park a new obstacle at the bottom of the lot."""
    require_active(target_condition)
    description = required_text(
        description,
        "description",
        "Describe what stands between the actual and the target.",
        max_length=300,
    )
    TargetCondition.objects.select_for_update().filter(pk=target_condition.pk).first()
    position = (target_condition.obstacles.aggregate(p=Max("position"))["p"] or 0) + 1
    obstacle = Obstacle.objects.create(
        target_condition=target_condition, description=description, position=position
    )
    log_activity(
        storyboard=target_condition.storyboard,
        by=by,
        action=Activity.Action.OBSTACLE_ADDED,
        obj=obstacle,
        summary=f"Added obstacle: {description}",
        after=snapshot(obstacle, OBSTACLE_FIELDS),
    )
    return obstacle


@board_write
def obstacle_update(
    *, obstacle: Obstacle, version: int, description: str, by: User | None
) -> Obstacle:
    """Reword an obstacle."""
    require_active(obstacle.target_condition)
    description = required_text(
        description, "description", "Describe the obstacle.", max_length=300
    )
    change_logged(
        obstacle,
        version=version,
        changes={"description": description},
        fields=OBSTACLE_FIELDS,
        storyboard=obstacle.target_condition.storyboard,
        by=by,
        action=Activity.Action.OBSTACLE_UPDATED,
        summary=f"Changed obstacle: {description}",
    )
    return obstacle


@board_write
def obstacle_work_on(*, obstacle: Obstacle, version: int, by: User | None) -> Obstacle:
    """Make this the one obstacle worked on now; the previous one goes back to the lot."""
    require_active(obstacle.target_condition)
    if obstacle.status == Obstacle.Status.CLEARED:
        raise ValidationError("This obstacle is cleared; add it again if it came back.")
    # Lock the target condition: two people picking different obstacles at once take turns
    # instead of tripping the one-worked-on constraint.
    TargetCondition.objects.select_for_update().filter(pk=obstacle.target_condition_id).first()
    before = snapshot(obstacle, OBSTACLE_FIELDS)
    previous = (
        Obstacle.objects.filter(target_condition_id=obstacle.target_condition_id)
        .working_on()
        .exclude(pk=obstacle.pk)
        .first()
    )
    if previous is not None:
        save_versioned(
            previous, version=previous.version, changes={"status": Obstacle.Status.PARKED}
        )
    save_versioned(obstacle, version=version, changes={"status": Obstacle.Status.WORKING_ON})
    summary = f"Now working on: {obstacle.description}"
    if previous is not None:
        summary += f" (back to the parking lot: {previous.description})"
    log_activity(
        storyboard=obstacle.target_condition.storyboard,
        by=by,
        action=Activity.Action.OBSTACLE_WORKING_ON,
        obj=obstacle,
        summary=summary,
        before=before,
        after=snapshot(obstacle, OBSTACLE_FIELDS),
    )
    return obstacle


@board_write
def obstacle_clear(
    *, obstacle: Obstacle, version: int, by: User | None, cleared_on: datetime | None = None
) -> Obstacle:
    """Strike an obstacle through: it no longer stands in the way (as of ``cleared_on``)."""
    require_active(obstacle.target_condition)
    if cleared_on is not None:
        check_sensible_date(cleared_on, "cleared_on")
    if obstacle.status == Obstacle.Status.CLEARED:
        raise ValidationError("This obstacle is already cleared.")
    change_logged(
        obstacle,
        version=version,
        changes={"status": Obstacle.Status.CLEARED, "cleared_at": cleared_on or timezone.now()},
        fields=OBSTACLE_FIELDS,
        storyboard=obstacle.target_condition.storyboard,
        by=by,
        action=Activity.Action.OBSTACLE_CLEARED,
        summary=f"Cleared obstacle: {obstacle.description}",
    )
    return obstacle


@board_write
def obstacle_park(*, obstacle: Obstacle, version: int, by: User | None) -> Obstacle:
    """Put an obstacle back in the parking lot (stop working on it, or reopen a cleared one)."""
    require_active(obstacle.target_condition)
    change_logged(
        obstacle,
        version=version,
        changes={"status": Obstacle.Status.PARKED, "cleared_at": None},
        fields=OBSTACLE_FIELDS,
        storyboard=obstacle.target_condition.storyboard,
        by=by,
        action=Activity.Action.OBSTACLE_PARKED,
        summary=f"Parked obstacle: {obstacle.description}",
    )
    return obstacle


@board_write
def obstacle_move(*, obstacle: Obstacle, offset: int, by: User | None) -> Obstacle:
    """Move an obstacle up (negative offset) or down in the parking lot."""
    require_active(obstacle.target_condition)
    siblings = list(
        Obstacle.objects.select_for_update()
        .filter(target_condition_id=obstacle.target_condition_id)
        .order_by("position", "pk")
    )
    index = next(i for i, o in enumerate(siblings) if o.pk == obstacle.pk)
    new_index = max(0, min(len(siblings) - 1, index + offset))
    if new_index == index:
        return obstacle
    siblings.insert(new_index, siblings.pop(index))
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position:
            Obstacle.objects.filter(pk=sibling.pk).update(
                position=position, version=F("version") + 1
            )
    obstacle.refresh_from_db()
    log_activity(
        storyboard=obstacle.target_condition.storyboard,
        by=by,
        action=Activity.Action.OBSTACLE_MOVED,
        obj=obstacle,
        summary=f"Moved obstacle {'up' if offset < 0 else 'down'}: {obstacle.description}",
        before={"position": index + 1},
        after={"position": new_index + 1},
    )
    return obstacle


def obstacle_kept_because(obstacle: Obstacle) -> str:
    """Why this obstacle cannot be deleted, or "" if it can."""
    if not obstacle.target_condition.is_active:
        return CLOSED
    numbers = list(
        Experiment.objects.filter(obstacle=obstacle)
        .order_by("number")
        .values_list("number", flat=True)
    )
    if not numbers:
        return ""
    steps = ", ".join(f"#{n}" for n in numbers)
    who = f"Steps {steps} address" if len(numbers) > 1 else f"Step {steps} addresses"
    kept = f"{who} this obstacle, so it stays in the PDCA record and cannot be deleted."
    if obstacle.status == Obstacle.Status.CLEARED:
        return f"{kept} It stays struck through among the cleared obstacles."
    return f"{kept} Clear it instead once it no longer stands in the way."


@board_write
def obstacle_delete(*, obstacle: Obstacle, version: int, by: User | None) -> None:
    """Take back an obstacle added by mistake. One that steps address is part of the record:
    it is refused, and clearing it is what is left to do."""
    require_active(obstacle.target_condition)
    # Lock the target condition: a step planned against this obstacle meanwhile waits.
    TargetCondition.objects.select_for_update().filter(pk=obstacle.target_condition_id).first()
    refuse(obstacle_kept_because(obstacle))
    current = Obstacle.objects.filter(pk=obstacle.pk).first()
    if current is None or current.version != version:
        raise Conflict(current or obstacle)
    log_activity(
        storyboard=obstacle.target_condition.storyboard,
        by=by,
        action=Activity.Action.OBSTACLE_DELETED,
        obj=obstacle,
        summary=f"Deleted obstacle: {obstacle.description}",
        before=snapshot(current, OBSTACLE_FIELDS),
    )
    obstacle.delete()
