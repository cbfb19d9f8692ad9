"""Challenges and storyboards: setting a team's direction, starting a board for a focus process,
changing its heading, handing it to other people, archiving, restoring and deleting it.

A retired challenge and an archived board are history: both stay readable. An archived board
refuses every change (``log_activity`` says no), and a challenge is retired only once none of
its boards is still in use, so a board in use always works toward a current challenge.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from boards.models import (
    EDITING_ROLES,
    Activity,
    Challenge,
    Membership,
    Role,
    Storyboard,
    Team,
    User,
)
from boards.sections import board_changed
from boards.services.base import (
    board_write,
    change_logged,
    clean_text,
    log_activity,
    required_text,
    save_versioned,
    snapshot,
)
from boards.validators import check_sensible_date

HEADING = ["focus_process", "challenge"]
PEOPLE = ["learner", "coach"]
CHALLENGE_FIELDS = ["title", "horizon", "description"]


def _require_people(team: Team, *, learner: User, coach: User | None) -> None:
    """The learner and the coach are two members of the team whose role may change boards."""
    if coach is not None and coach.pk == learner.pk:
        raise ValidationError({"coach": "The coach and the learner are two people."})
    people = {"learner": learner, "coach": coach}
    ids = [user.pk for user in people.values() if user is not None]
    roles = dict(
        Membership.objects.filter(team=team, user_id__in=ids).values_list("user_id", "role")
    )
    for field, user in people.items():
        if user is None:
            continue
        role = roles.get(user.pk)
        if role is None:
            raise ValidationError({field: f"{user} is not a member of {team}."})
        if role not in EDITING_ROLES:
            raise ValidationError(
                {
                    field: f"{user} cannot be the {field}: as {Role(role).label.lower()} they can "
                    "read storyboards but not change them. Choose someone else, or give them "
                    "another role on the members page."
                }
            )


def _require_current(challenge: Challenge, team_id: int) -> None:
    """A board works toward one of its own team's challenges that is not retired."""
    if challenge.team_id != team_id:
        raise ValidationError({"challenge": "The challenge must belong to the same team."})
    # Read again under a lock: a challenge retired a moment ago takes no new boards.
    retired = (
        Challenge.objects.select_for_update()
        .filter(pk=challenge.pk)
        .values_list("retired_at", flat=True)
        .first()
    )
    if retired is not None:
        raise ValidationError(
            {"challenge": f"“{challenge}” is retired: restore it first, or choose another."}
        )


# Challenges ------------------------------------------------------------------------------------


def _challenge_fields(title: str, horizon: date, description: str) -> dict[str, Any]:
    check_sensible_date(horizon, "horizon")
    return {
        "title": required_text(
            title, "title", "Describe the challenge.", max_length=200, single_line=True
        ),
        "horizon": horizon,
        "description": clean_text(description, "description", max_length=4000),
    }


@transaction.atomic
def challenge_create(*, team: Team, title: str, horizon: date, description: str = "") -> Challenge:
    """Set a team's challenge: where it is heading, by ``horizon``."""
    return Challenge.objects.create(team=team, **_challenge_fields(title, horizon, description))


@board_write
def challenge_update(
    *,
    challenge: Challenge,
    version: int,
    title: str,
    horizon: date,
    description: str,
    by: User | None,
) -> Challenge:
    """Reword a challenge or move its date; every board in use under it logs the change."""
    if challenge.is_retired:
        raise ValidationError("A retired challenge stays as it was: restore it to change it.")
    changes = _challenge_fields(title, horizon, description)
    before = snapshot(challenge, CHALLENGE_FIELDS)
    save_versioned(challenge, version=version, changes=changes)
    after = snapshot(challenge, CHALLENGE_FIELDS)
    # Archived boards show the challenge too; they log nothing, their cached sections retire.
    board_changed(challenges=[challenge.pk])
    for storyboard in Storyboard.objects.filter(challenge=challenge, is_active=True):
        log_activity(
            storyboard=storyboard,
            by=by,
            action=Activity.Action.CHALLENGE_UPDATED,
            obj=challenge,
            summary=f"Changed the challenge: {challenge.title}",
            before=before,
            after=after,
        )
    return challenge


@transaction.atomic
def challenge_retire(*, challenge: Challenge) -> Challenge:
    """Retire a challenge the team no longer works toward; its boards' history stays readable.

    Refused while any of its storyboards is still in use: archive them, or move them to another
    challenge, first.
    """
    Challenge.objects.select_for_update().filter(pk=challenge.pk).first()
    in_use = list(
        Storyboard.objects.filter(challenge=challenge, is_active=True).values_list(
            "focus_process", flat=True
        )
    )
    if in_use:
        names = ", ".join(in_use[:5]) + (f" and {len(in_use) - 5} more" if len(in_use) > 5 else "")
        raise ValidationError(
            f"“{challenge}” still has {len(in_use)} storyboard{'s' if len(in_use) > 1 else ''} "
            f"in use ({names}): archive {'them' if len(in_use) > 1 else 'it'}, or move "
            f"{'them' if len(in_use) > 1 else 'it'} to another challenge, first."
        )
    now = timezone.now()
    if not Challenge.objects.filter(pk=challenge.pk, retired_at__isnull=True).update(
        retired_at=now, version=F("version") + 1
    ):
        raise ValidationError(f"“{challenge}” is already retired.")
    challenge.refresh_from_db(fields=["retired_at", "version"])
    return challenge


@transaction.atomic
def challenge_restore(*, challenge: Challenge) -> Challenge:
    """Bring a retired challenge back: it takes new storyboards again."""
    if not Challenge.objects.filter(pk=challenge.pk, retired_at__isnull=False).update(
        retired_at=None, version=F("version") + 1
    ):
        raise ValidationError(f"“{challenge}” is not retired.")
    challenge.refresh_from_db(fields=["retired_at", "version"])
    return challenge


# Storyboards -----------------------------------------------------------------------------------


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
    """Start a learner's storyboard for a focus process, under one of the team's challenges."""
    focus_process = required_text(
        focus_process,
        "focus_process",
        "Name the focus process.",
        max_length=200,
        single_line=True,
    )
    _require_current(challenge, team.pk)
    _require_people(team, learner=learner, coach=coach)
    storyboard = Storyboard.objects.create(
        team=team, challenge=challenge, focus_process=focus_process, learner=learner, coach=coach
    )
    log_activity(
        storyboard=storyboard,
        by=by,
        action=Activity.Action.STORYBOARD_CREATED,
        obj=storyboard,
        summary=f"Started the storyboard for {storyboard.focus_process}",
        after=snapshot(storyboard, [*HEADING, *PEOPLE]),
    )
    return storyboard


@board_write
def storyboard_update(
    *,
    storyboard: Storyboard,
    version: int,
    focus_process: str,
    challenge: Challenge,
    by: User | None,
) -> Storyboard:
    """Change the board's heading: its focus process and the challenge it works toward."""
    focus_process = required_text(
        focus_process,
        "focus_process",
        "Name the focus process.",
        max_length=200,
        single_line=True,
    )
    if challenge.pk != storyboard.challenge_id:
        _require_current(challenge, storyboard.team_id)
    change_logged(
        storyboard,
        version=version,
        changes={"focus_process": focus_process, "challenge": challenge},
        fields=HEADING,
        storyboard=storyboard,
        by=by,
        action=Activity.Action.STORYBOARD_UPDATED,
        summary=f"Changed the storyboard's heading: {focus_process}, toward {challenge}",
    )
    return storyboard


def _pk(user: User | None) -> int | None:
    return user.pk if user is not None else None


def _who(user: User | None) -> str:
    return str(user) if user is not None else "no coach"


@board_write
def storyboard_hand_over(
    *,
    storyboard: Storyboard,
    version: int,
    learner: User,
    coach: User | None,
    by: User | None,
) -> Storyboard:
    """Hand the board to another learner or coach; the log keeps who had it before.

    Coaching sessions already scheduled keep the people their series names.
    """
    if learner.pk == storyboard.learner_id and _pk(coach) == storyboard.coach_id:
        raise ValidationError("These are the board's learner and coach already: choose others.")
    _require_people(storyboard.team, learner=learner, coach=coach)
    moves = []
    if learner.pk != storyboard.learner_id:
        moves.append(f"learner {storyboard.learner} → {learner}")
    if _pk(coach) != storyboard.coach_id:
        moves.append(f"coach {_who(storyboard.coach)} → {_who(coach)}")
    change_logged(
        storyboard,
        version=version,
        changes={"learner": learner, "coach": coach},
        fields=PEOPLE,
        storyboard=storyboard,
        by=by,
        action=Activity.Action.STORYBOARD_HANDED_OVER,
        summary="Handed the storyboard over: " + "; ".join(moves),
    )
    return storyboard


@board_write
def storyboard_archive(*, storyboard: Storyboard, by: User | None) -> Storyboard:
    """Take a board out of the lists, read only, until someone restores it."""
    if not storyboard.is_active:
        raise ValidationError("This storyboard is archived already.")
    # Logged while the board still takes changes: the entry is its last one until restored.
    log_activity(
        storyboard=storyboard,
        by=by,
        action=Activity.Action.STORYBOARD_ARCHIVED,
        obj=storyboard,
        summary=f"Archived the storyboard for {storyboard.focus_process}",
        before={"is_active": True},
        after={"is_active": False},
    )
    Storyboard.objects.filter(pk=storyboard.pk).update(is_active=False)
    storyboard.is_active = False
    return storyboard


@board_write
def storyboard_restore(*, storyboard: Storyboard, by: User | None) -> Storyboard:
    """Bring an archived board back into use, as it was left (under a current challenge)."""
    try:
        _require_current(storyboard.challenge, storyboard.team_id)
    except ValidationError:
        raise ValidationError(
            f"Its challenge, “{storyboard.challenge}”, is retired: restore the challenge first."
        ) from None
    if not Storyboard.objects.filter(pk=storyboard.pk, is_active=False).update(is_active=True):
        raise ValidationError("This storyboard is in use, not archived.")
    storyboard.is_active = True
    log_activity(
        storyboard=storyboard,
        by=by,
        action=Activity.Action.STORYBOARD_RESTORED,
        obj=storyboard,
        summary=f"Restored the storyboard for {storyboard.focus_process}",
        before={"is_active": False},
        after={"is_active": True},
    )
    return storyboard


@board_write
def storyboard_delete(*, storyboard: Storyboard, by: User) -> None:
    """Delete a board with everything on it, its log and its coaching; team administrators only.

    Nothing of it remains, so the team's administrators alone decide it, after confirmation.
    """
    admin = Membership.objects.filter(team_id=storyboard.team_id, user_id=by.pk, role=Role.ADMIN)
    if not admin.exists():
        raise PermissionDenied("Only a team administrator can delete a storyboard.")
    # One delete through Django's collector: every row on the board, whichever app holds it.
    storyboard.delete()
