"""Every write to teams and storyboards goes through these functions.

Each one runs in a transaction, writes what changed to the storyboard's append-only activity
log in that same transaction, and bumps the board's revision so open browsers see the change.
Editable rows carry a version: an update names the version it started from and is refused with
``Conflict`` if someone else saved in between.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from boards.models import (
    ActualCondition,
    Challenge,
    Experiment,
    Invitation,
    Measurement,
    Membership,
    Metric,
    Obstacle,
    Role,
    Storyboard,
    TargetCondition,
    Team,
    User,
    hash_invitation_token,
)
from boards.services.base import (
    Conflict,  # noqa: F401 (callers catch services.Conflict until the split)
    board_write,
    change_logged,
    clean_decimal,
    clean_text,
    log_activity,
    required_text,
    save_versioned,
    snapshot,
)

# Teams -----------------------------------------------------------------------------------------


@transaction.atomic
def team_create(*, name: str, slug: str, by: User | None = None) -> Team:
    """Create a team; whoever creates it becomes its administrator."""
    name = required_text(name, "name", "Give the team a name.", max_length=120)
    try:
        validate_slug(slug)
    except ValidationError:
        raise ValidationError(
            {"slug": "Use letters, numbers, hyphens or underscores for the address."}
        ) from None
    if Team.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": "Another team already uses this address."})
    team = Team.objects.create(name=name, slug=slug)
    if by is not None:
        Membership.objects.create(user=by, team=team, role=Role.ADMIN)
    return team


@transaction.atomic
def membership_set(*, team: Team, user: User, role: str) -> Membership:
    """Add a user to a team with a role, or change the role they have."""
    if role not in Role.values:
        raise ValidationError({"role": f"{role!r} is not a role."})
    membership, _ = Membership.objects.update_or_create(
        team=team, user=user, defaults={"role": role}
    )
    return membership


# Challenge and storyboard ----------------------------------------------------------------------


def _require_members(team: Team, **people: User | None) -> None:
    ids = {user.pk for user in people.values() if user is not None}
    members = set(
        Membership.objects.filter(team=team, user_id__in=ids).values_list("user_id", flat=True)
    )
    for role, user in people.items():
        if user is not None and user.pk not in members:
            raise ValidationError({role: f"{user} is not a member of {team}."})


@transaction.atomic
def challenge_create(*, team: Team, title: str, horizon: date, description: str = "") -> Challenge:
    return Challenge.objects.create(
        team=team,
        title=required_text(title, "title", "Describe the challenge.", max_length=200),
        horizon=horizon,
        description=clean_text(description, "description"),
    )


@board_write
def storyboard_create(
    *,
    team: Team,
    challenge: Challenge,
    focus_process: str,
    learner: User,
    coach: User | None = None,
    by: User | None = None,
) -> Storyboard:
    if challenge.team_id != team.pk:
        raise ValidationError({"challenge": "The challenge must belong to the same team."})
    _require_members(team, learner=learner, coach=coach)
    storyboard = Storyboard.objects.create(
        team=team,
        challenge=challenge,
        focus_process=required_text(
            focus_process, "focus_process", "Name the focus process.", max_length=200
        ),
        learner=learner,
        coach=coach,
    )
    log_activity(
        storyboard=storyboard,
        by=by,
        action="storyboard.created",
        obj=storyboard,
        summary=f"Started the storyboard for {storyboard.focus_process}",
        after=snapshot(storyboard, ["focus_process", "challenge", "learner", "coach"]),
    )
    return storyboard


@board_write
def storyboard_update(
    *,
    storyboard: Storyboard,
    version: int,
    focus_process: str,
    challenge: Challenge,
    learner: User,
    coach: User | None,
    by: User | None,
) -> Storyboard:
    focus_process = required_text(
        focus_process, "focus_process", "Name the focus process.", max_length=200
    )
    if challenge.team_id != storyboard.team_id:
        raise ValidationError({"challenge": "The challenge must belong to the same team."})
    _require_members(storyboard.team, learner=learner, coach=coach)
    change_logged(
        storyboard,
        version=version,
        changes={
            "focus_process": focus_process,
            "challenge": challenge,
            "learner": learner,
            "coach": coach,
        },
        fields=["focus_process", "challenge", "learner", "coach"],
        storyboard=storyboard,
        by=by,
        action="storyboard.updated",
        summary=f"Changed the storyboard for {focus_process}",
    )
    return storyboard


# Target conditions -----------------------------------------------------------------------------


def _require_active(target_condition: TargetCondition) -> None:
    if not target_condition.is_active:
        raise ValidationError("This target condition is closed; its record can only be read.")


TARGET_FIELDS = ["operating_pattern", "achieve_by", "status", "reflection"]
METRIC_FIELDS = ["name", "unit", "target_value", "higher_is_better"]


def _metric_spec(spec: dict | None, kind: str) -> dict | None:
    if not spec:
        return None
    return {
        "kind": kind,
        "name": required_text(
            spec.get("name"), f"{kind}_metric_name", "Name the metric.", max_length=120
        ),
        "unit": clean_text(spec.get("unit"), f"{kind}_metric_unit", max_length=32),
        "target_value": clean_decimal(spec.get("target_value"), f"{kind}_metric_target"),
        "higher_is_better": bool(spec.get("higher_is_better", False)),
    }


@board_write
def target_condition_start(
    *,
    storyboard: Storyboard,
    operating_pattern: str,
    achieve_by: date,
    process_metric: dict | None = None,
    outcome_metric: dict | None = None,
    by: User | None,
) -> TargetCondition:
    """Set the next target condition; the board may have only one active at a time.

    ``process_metric`` and ``outcome_metric`` are dicts of name, unit, target_value and
    higher_is_better.
    """
    pattern = required_text(
        operating_pattern, "operating_pattern", "Describe how the process should operate."
    )
    # Lock the board so two people setting the next target condition at once take turns.
    Storyboard.objects.select_for_update().filter(pk=storyboard.pk).first()
    if TargetCondition.objects.filter(storyboard=storyboard, status="active").exists():
        raise ValidationError(
            "This storyboard already has an active target condition: close it before setting "
            "the next one."
        )
    if achieve_by < timezone.localdate():
        raise ValidationError({"achieve_by": "The achieve-by date cannot be in the past."})
    specs = [_metric_spec(process_metric, "process"), _metric_spec(outcome_metric, "outcome")]
    number = (storyboard.target_conditions.aggregate(n=Max("number"))["n"] or 0) + 1
    target = TargetCondition.objects.create(
        storyboard=storyboard, number=number, operating_pattern=pattern, achieve_by=achieve_by
    )
    for spec in specs:
        if spec:
            Metric.objects.create(target_condition=target, **spec)
    log_activity(
        storyboard=storyboard,
        by=by,
        action="target_condition.started",
        obj=target,
        summary=f"Set target condition {number}, achieve by {achieve_by:%d %b %Y}",
        after=snapshot(target, TARGET_FIELDS),
    )
    return target


@board_write
def target_condition_update(
    *,
    target_condition: TargetCondition,
    version: int,
    operating_pattern: str,
    achieve_by: date,
    by: User | None,
) -> TargetCondition:
    _require_active(target_condition)
    if achieve_by < timezone.localdate() and achieve_by != target_condition.achieve_by:
        raise ValidationError({"achieve_by": "The achieve-by date cannot be in the past."})
    change_logged(
        target_condition,
        version=version,
        changes={
            "operating_pattern": required_text(
                operating_pattern, "operating_pattern", "Describe how the process should operate."
            ),
            "achieve_by": achieve_by,
        },
        fields=TARGET_FIELDS,
        storyboard=target_condition.storyboard,
        by=by,
        action="target_condition.updated",
        summary=f"Changed target condition {target_condition.number}",
    )
    return target_condition


@board_write
def target_condition_close(
    *,
    target_condition: TargetCondition,
    version: int,
    status: str,
    reflection: str,
    by: User | None,
) -> TargetCondition:
    """Close the active target condition as achieved or abandoned, with a short reflection."""
    if status not in (TargetCondition.Status.ACHIEVED, TargetCondition.Status.ABANDONED):
        raise ValidationError({"status": "Close a target condition as achieved or abandoned."})
    if not target_condition.is_active:
        raise ValidationError("This target condition is already closed.")
    in_progress = target_condition.experiments.filter(result_recorded_at__isnull=True).first()
    if in_progress is not None:
        raise ValidationError(
            f"Step #{in_progress.number} is still in progress: record what happened before "
            "closing the target condition."
        )
    reflection = required_text(
        reflection, "reflection", "Write a short reflection: what did reaching for it teach us?"
    )
    change_logged(
        target_condition,
        version=version,
        changes={"status": status, "reflection": reflection, "closed_at": timezone.now()},
        fields=TARGET_FIELDS,
        storyboard=target_condition.storyboard,
        by=by,
        action=f"target_condition.{status}",
        summary=f"Closed target condition {target_condition.number} as {status}",
    )
    return target_condition


@board_write
def metric_update(
    *,
    metric: Metric,
    version: int,
    name: str,
    unit: str,
    target_value: Any,
    higher_is_better: bool,
    by: User | None,
) -> Metric:
    _require_active(metric.target_condition)
    name = required_text(name, "name", "Name the metric.", max_length=120)
    change_logged(
        metric,
        version=version,
        changes={
            "name": name,
            "unit": clean_text(unit, "unit", max_length=32),
            "target_value": clean_decimal(target_value, "target_value"),
            "higher_is_better": higher_is_better,
        },
        fields=METRIC_FIELDS,
        storyboard=metric.target_condition.storyboard,
        by=by,
        action="metric.updated",
        summary=f"Changed the {metric.get_kind_display().lower()} {name}",
    )
    return metric


# Actual condition and measurements -------------------------------------------------------------


@board_write
def actual_condition_record(
    *,
    storyboard: Storyboard,
    operating_pattern: str,
    observed_at: datetime | None = None,
    by: User | None,
) -> ActualCondition:
    observation = ActualCondition.objects.create(
        storyboard=storyboard,
        operating_pattern=required_text(
            operating_pattern, "operating_pattern", "Describe what you observed."
        ),
        observed_at=observed_at or timezone.now(),
        recorded_by=by,
    )
    log_activity(
        storyboard=storyboard,
        by=by,
        action="actual_condition.recorded",
        obj=observation,
        summary="Recorded the actual condition",
        after=snapshot(observation, ["observed_at", "operating_pattern"]),
    )
    return observation


@board_write
def measurement_add(
    *,
    metric: Metric,
    value: Any,
    measured_at: datetime | None = None,
    note: str = "",
    experiment: Experiment | None = None,
    by: User | None,
) -> Measurement:
    _require_active(metric.target_condition)
    if experiment is not None and experiment.target_condition_id != metric.target_condition_id:
        raise ValidationError({"experiment": "The experiment belongs to another target condition."})
    measured_at = measured_at or timezone.now()
    if measured_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"measured_at": "A measurement cannot be in the future."})
    measurement = Measurement.objects.create(
        metric=metric,
        value=clean_decimal(value, "value"),
        measured_at=measured_at,
        note=clean_text(note, "note", max_length=300),
        experiment=experiment,
        recorded_by=by,
    )
    log_activity(
        storyboard=metric.target_condition.storyboard,
        by=by,
        action="measurement.added",
        obj=measurement,
        summary=f"Measured {metric.name}: {metric.format_value(measurement.value)}",
        after=snapshot(measurement, ["metric", "value", "measured_at", "note", "experiment"]),
    )
    return measurement


# Obstacles -------------------------------------------------------------------------------------

OBSTACLE_FIELDS = ["description", "status", "position", "cleared_at"]


@board_write
def obstacle_add(
    *, target_condition: TargetCondition, description: str, by: User | None
) -> Obstacle:
    _require_active(target_condition)
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
        action="obstacle.added",
        obj=obstacle,
        summary=f"Added obstacle: {description}",
        after=snapshot(obstacle, OBSTACLE_FIELDS),
    )
    return obstacle


@board_write
def obstacle_update(
    *, obstacle: Obstacle, version: int, description: str, by: User | None
) -> Obstacle:
    _require_active(obstacle.target_condition)
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
        action="obstacle.updated",
        summary=f"Changed obstacle: {description}",
    )
    return obstacle


@board_write
def obstacle_work_on(*, obstacle: Obstacle, version: int, by: User | None) -> Obstacle:
    """Make this the one obstacle worked on now; the previous one goes back to the lot."""
    _require_active(obstacle.target_condition)
    if obstacle.status == Obstacle.Status.CLEARED:
        raise ValidationError("This obstacle is cleared; add it again if it came back.")
    # Lock the target condition: two people picking different obstacles at once take turns
    # instead of tripping the one-worked-on constraint.
    TargetCondition.objects.select_for_update().filter(pk=obstacle.target_condition_id).first()
    before = snapshot(obstacle, OBSTACLE_FIELDS)
    previous = (
        Obstacle.objects.filter(target_condition_id=obstacle.target_condition_id, status="working")
        .exclude(pk=obstacle.pk)
        .first()
    )
    if previous is not None:
        save_versioned(previous, version=previous.version, changes={"status": "parked"})
    save_versioned(obstacle, version=version, changes={"status": "working"})
    summary = f"Now working on: {obstacle.description}"
    if previous is not None:
        summary += f" (back to the parking lot: {previous.description})"
    log_activity(
        storyboard=obstacle.target_condition.storyboard,
        by=by,
        action="obstacle.working_on",
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
    _require_active(obstacle.target_condition)
    if obstacle.status == Obstacle.Status.CLEARED:
        raise ValidationError("This obstacle is already cleared.")
    change_logged(
        obstacle,
        version=version,
        changes={"status": "cleared", "cleared_at": cleared_on or timezone.now()},
        fields=OBSTACLE_FIELDS,
        storyboard=obstacle.target_condition.storyboard,
        by=by,
        action="obstacle.cleared",
        summary=f"Cleared obstacle: {obstacle.description}",
    )
    return obstacle


@board_write
def obstacle_park(*, obstacle: Obstacle, version: int, by: User | None) -> Obstacle:
    """Put an obstacle back in the parking lot (stop working on it, or reopen a cleared one)."""
    _require_active(obstacle.target_condition)
    change_logged(
        obstacle,
        version=version,
        changes={"status": "parked", "cleared_at": None},
        fields=OBSTACLE_FIELDS,
        storyboard=obstacle.target_condition.storyboard,
        by=by,
        action="obstacle.parked",
        summary=f"Parked obstacle: {obstacle.description}",
    )
    return obstacle


@board_write
def obstacle_move(*, obstacle: Obstacle, offset: int, by: User | None) -> Obstacle:
    """Move an obstacle up (negative offset) or down in the parking lot."""
    _require_active(obstacle.target_condition)
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
        action="obstacle.moved",
        obj=obstacle,
        summary=f"Moved obstacle {'up' if offset < 0 else 'down'}: {obstacle.description}",
        before={"position": index + 1},
        after={"position": new_index + 1},
    )
    return obstacle


# Experiments (the PDCA cycles record) ----------------------------------------------------------

EXPERIMENT_FIELDS = [
    "step",
    "expected",
    "obstacle",
    "planned_for",
    "happened",
    "learned",
    "threshold_of_knowledge",
]


@board_write
def experiment_plan(
    *,
    target_condition: TargetCondition,
    step: str,
    expected: str,
    obstacle: Obstacle | None = None,
    planned_for: date | None = None,
    by: User | None,
) -> Experiment:
    """Plan the next step. What we expect is written before the step exists."""
    _require_active(target_condition)
    step = required_text(step, "step", "Describe the next step.")
    expected = required_text(expected, "expected", "Write what you expect before taking the step.")
    if obstacle is not None and obstacle.target_condition_id != target_condition.pk:
        raise ValidationError({"obstacle": "That obstacle belongs to another target condition."})
    # Lock the target condition so two people planning at once get consecutive numbers.
    TargetCondition.objects.select_for_update().filter(pk=target_condition.pk).first()
    in_progress = target_condition.experiments.filter(result_recorded_at__isnull=True).first()
    if in_progress is not None:
        raise ValidationError(
            f"Step #{in_progress.number} is still in progress: record what happened before "
            "planning the next step."
        )
    number = (target_condition.experiments.aggregate(n=Max("number"))["n"] or 0) + 1
    experiment = Experiment.objects.create(
        target_condition=target_condition,
        number=number,
        obstacle=obstacle,
        step=step,
        expected=expected,
        planned_for=planned_for or timezone.localdate(),
        created_by=by,
    )
    log_activity(
        storyboard=target_condition.storyboard,
        by=by,
        action="experiment.planned",
        obj=experiment,
        summary=f"Planned step #{number}: {step}",
        after=snapshot(experiment, EXPERIMENT_FIELDS),
    )
    return experiment


@board_write
def experiment_update(
    *,
    experiment: Experiment,
    version: int,
    step: str,
    expected: str,
    obstacle: Obstacle | None,
    planned_for: date | None,
    by: User | None,
) -> Experiment:
    """Correct the plan of a step. Once its result is in, the prediction stays as written."""
    _require_active(experiment.target_condition)
    if not experiment.in_progress and expected.strip() != experiment.expected:
        raise ValidationError(
            {"expected": "The result is recorded: what we expected can no longer change."}
        )
    if obstacle is not None and obstacle.target_condition_id != experiment.target_condition_id:
        raise ValidationError({"obstacle": "That obstacle belongs to another target condition."})
    change_logged(
        experiment,
        version=version,
        changes={
            "step": required_text(step, "step", "Describe the step."),
            "expected": required_text(expected, "expected", "Write what you expect."),
            "obstacle": obstacle,
            "planned_for": planned_for or experiment.planned_for,
        },
        fields=EXPERIMENT_FIELDS,
        storyboard=experiment.target_condition.storyboard,
        by=by,
        action="experiment.updated",
        summary=f"Changed step #{experiment.number}",
    )
    return experiment


@board_write
def experiment_record_result(
    *,
    experiment: Experiment,
    version: int,
    happened: str,
    learned: str,
    threshold_of_knowledge: bool = False,
    measurement_value: Any = None,
    measured_at: datetime | None = None,
    by: User | None,
) -> Experiment:
    """Record what happened and what we learned, and optionally the measurement it produced."""
    _require_active(experiment.target_condition)
    happened = required_text(happened, "happened", "Write what actually happened.")
    learned = required_text(learned, "learned", "Write what you learned.")
    metric = None
    if measurement_value not in (None, ""):
        # Check the measurement before touching the experiment, so a refusal changes nothing.
        metric = experiment.target_condition.metrics.filter(kind=Metric.Kind.PROCESS).first()
        if metric is None:
            raise ValidationError(
                {"measurement_value": "This target condition has no process metric to measure."}
            )
        measurement_value = clean_decimal(measurement_value, "measurement_value")
    change_logged(
        experiment,
        version=version,
        changes={
            "happened": happened,
            "learned": learned,
            "threshold_of_knowledge": threshold_of_knowledge,
            "result_recorded_at": experiment.result_recorded_at or timezone.now(),
        },
        fields=EXPERIMENT_FIELDS,
        storyboard=experiment.target_condition.storyboard,
        by=by,
        action="experiment.result_recorded",
        summary=f"Recorded the result of step #{experiment.number}",
    )
    if metric is not None:
        measurement_add(
            metric=metric,
            value=measurement_value,
            measured_at=measured_at,
            experiment=experiment,
            note=f"From step #{experiment.number}",
            by=by,
        )
    return experiment


# Members, roles and invitations ----------------------------------------------------------------

LAST_ADMIN_MESSAGE = (
    "A team needs at least one team administrator: make someone else an administrator first."
)


def _lock_team(team_id: int) -> None:
    """Make changes to one team's members take turns (PostgreSQL; SQLite takes turns anyway)."""
    Team.objects.select_for_update().filter(pk=team_id).first()


def _require_admin(team_id: int, by: User) -> None:
    # Read inside the transaction, after the lock: an administrator demoted a moment ago by
    # another administrator can no longer act as one.
    if not Membership.objects.filter(team_id=team_id, user_id=by.pk, role=Role.ADMIN).exists():
        raise PermissionDenied("Only a team administrator can change the team's members.")


def _require_an_admin_left(team_id: int) -> None:
    """Refuse (rolling the whole transaction back) when the team has no administrator left.

    The count runs after the change, in the same transaction, and after ``_lock_team``:
    on PostgreSQL a concurrent change to the same team waits at the lock, and once it gets the
    lock its count (a new snapshot per statement under READ COMMITTED) sees what the first one
    committed. ``select_for_update`` does nothing on SQLite, but there every transaction starts
    with BEGIN IMMEDIATE (``transaction_mode`` in settings), so writers already run one after the
    other; should that ever be turned off, a second writer whose snapshot is stale fails with
    "database is locked" rather than committing. Either way two administrators demoting or
    removing each other at the same moment leave at least one of them in place.
    """
    if not Membership.objects.filter(team_id=team_id, role=Role.ADMIN).exists():
        raise ValidationError(LAST_ADMIN_MESSAGE)


def _role(role: str) -> str:
    if role not in Role.values:
        raise ValidationError({"role": "Choose one of the roles in the list."})
    return role


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, by: User) -> Membership:
    """Give a member another role; refused if it would leave the team without an administrator."""
    role = _role(role)
    _lock_team(membership.team_id)
    _require_admin(membership.team_id, by)
    updated = Membership.objects.filter(pk=membership.pk, team_id=membership.team_id).update(
        role=role
    )
    if not updated:
        raise ValidationError(f"{membership.user} is no longer a member of this team.")
    _require_an_admin_left(membership.team_id)
    membership.role = role
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Take someone off a team (an administrator), or leave it (anyone, for themselves).

    Storyboards keep naming a removed learner or coach; they can no longer open them.
    """
    _lock_team(membership.team_id)
    if by.pk != membership.user_id:
        _require_admin(membership.team_id, by)
    deleted, _ = Membership.objects.filter(pk=membership.pk, team_id=membership.team_id).delete()
    if not deleted:
        raise ValidationError(f"{membership.user} is no longer a member of this team.")
    _require_an_admin_left(membership.team_id)


EMAIL_INVALID = "Enter an email address, such as ana@example.com."


def _email(value: str | None) -> str:
    email = clean_text(value, "email", max_length=254).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": "Enter an email address, such as ana@example.com."}
        ) from None
    return email


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("boards:invitation", args=[token])


def _send_invitation(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "team": invitation.team,
        "role": invitation.get_role_display(),
        "inviter": invitation.invited_by,
        "link": invitation_link(token),
        "days": settings.KATA_INVITATION_DAYS,
        "site_url": settings.SITE_URL,
    }
    subject = render_to_string("boards/email/invitation_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("boards/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("boards/email/invitation.html", context), "text/html"
    )
    message.send()


@transaction.atomic
def invitation_create(*, team: Team, email: str, role: str, by: User) -> Invitation:
    """Invite someone by email to join ``team`` with ``role``; the link goes out on commit.

    The random token exists only in that email: the row keeps its SHA-256.
    """
    email = _email(email)
    role = _role(role)
    _lock_team(team.pk)
    _require_admin(team.pk, by)
    member = Membership.objects.filter(team=team, user__email__iexact=email).select_related("user")
    if member.exists():
        raise ValidationError({"email": f"{member[0].user} is already a member of this team."})
    now = timezone.now()
    open_invitation = Invitation.objects.filter(
        team=team, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).first()
    if open_invitation is not None:
        if open_invitation.expires_at > now:
            raise ValidationError(
                {
                    "email": f"{email} already has an invitation waiting: revoke it first to "
                    "send a new one."
                }
            )
        # An expired invitation can no longer be accepted; closing it frees its place under
        # the one-open-invitation constraint for the new one.
        Invitation.objects.filter(pk=open_invitation.pk).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                team=team,
                email=email,
                role=role,
                token_hash=hash_invitation_token(token),
                invited_by=by,
                created_at=now,
                expires_at=now + timedelta(days=settings.KATA_INVITATION_DAYS),
            )
    except IntegrityError:  # someone invited the same address a moment ago
        raise ValidationError(
            {"email": f"{email} already has an invitation waiting: revoke it first."}
        ) from None
    transaction.on_commit(partial(_send_invitation, invitation, token))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """Withdraw an invitation that has not been accepted; its link stops working at once."""
    _require_admin(invitation.team_id, by)
    now = timezone.now()
    updated = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    if not updated:
        raise ValidationError("This invitation was already accepted or revoked.")
    invitation.revoked_at = now
    return invitation


INVITATION_REFUSALS = {
    Invitation.State.EXPIRED: "This invitation has expired. Ask a team administrator to invite "
    "you again.",
    Invitation.State.REVOKED: "This invitation was withdrawn. Ask a team administrator if you "
    "should still join.",
    Invitation.State.ACCEPTED: "This invitation has already been used. Sign in to open the team.",
}


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, whatever its state; None for a made-up one."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("team", "invited_by")
        .filter(token_hash=hash_invitation_token(token))
        .first()
    )


def _new_account(*, email: str, username: str, first_name: str, last_name: str, password: str):
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            "An account with this email address already exists: sign in, then open the "
            "invitation link again."
        )
    username = required_text(username, "username", "Choose a username to sign in with.")
    user = User(
        username=username,
        email=email,
        first_name=required_text(
            first_name, "first_name", "Enter your first name.", max_length=150
        ),
        last_name=clean_text(last_name, "last_name", max_length=150),
    )
    errors: dict[str, list] = {}
    try:
        user.clean_fields(exclude=["password", "email", "first_name", "last_name"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if "username" not in errors and User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["That username is taken: choose another."]
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same username was taken a moment ago
        raise ValidationError({"username": "That username is taken: choose another."}) from None
    return user


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user: User | None = None,
    username: str = "",
    first_name: str = "",
    last_name: str = "",
    password: str = "",
) -> Membership:
    """Join the team an invitation is for, with its role.

    A signed-in ``user`` joins as themselves if the invitation was sent to their email address;
    otherwise a new account is made from ``username``, the names and ``password`` (checked by
    the password validators in settings). An expired, withdrawn or used invitation is refused.
    """
    invitation = invitation_for_token(token)
    if invitation is None:
        raise ValidationError("This invitation link is not valid: check that it was copied whole.")
    state = invitation.state
    if state != Invitation.State.PENDING:
        raise ValidationError(INVITATION_REFUSALS[state])
    if user is not None and user.is_authenticated:
        if (user.email or "").lower() != invitation.email:
            raise ValidationError(
                f"This invitation was sent to {invitation.email}, but you are signed in as "
                f"{user.email or user.username}. Sign out, then open the link again."
            )
        joiner = user
    else:
        joiner = _new_account(
            email=invitation.email,
            username=username,
            first_name=first_name,
            last_name=last_name,
            password=password,
        )
    # Claim the invitation with a conditional UPDATE: of two people using the link at once,
    # exactly one gets it; the other's transaction, new account included, is rolled back.
    claimed = Invitation.objects.filter(
        pk=invitation.pk,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).update(accepted_at=timezone.now(), accepted_by=joiner)
    if not claimed:
        raise ValidationError("This invitation was used or withdrawn a moment ago.")
    membership, _ = Membership.objects.get_or_create(
        team=invitation.team, user=joiner, defaults={"role": invitation.role}
    )
    return membership


# People ----------------------------------------------------------------------------------------


@transaction.atomic
def profile_update(*, user: User, first_name: str, last_name: str, email: str) -> User:
    """Change a person's own name and email address (where invitations and resets go)."""
    first_name = required_text(first_name, "first_name", "Enter your first name.", max_length=150)
    last_name = clean_text(last_name, "last_name", max_length=150)
    email = clean_text(email, "email", max_length=254)
    if not email:
        raise ValidationError(
            {"email": "Enter your email address: password resets are sent there."}
        )
    email = User.objects.normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": "Enter an email address, such as ana@example.com."}
        ) from None
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": "Another account already uses this email address."})
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.save(update_fields=["first_name", "last_name", "email"])
    return user
