"""Challenges and storyboards: creating a board for a focus process and changing its heading."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from boards.models import Activity, Challenge, Membership, Storyboard, Team, User
from boards.services.base import (
    board_write,
    change_logged,
    clean_text,
    log_activity,
    required_text,
    snapshot,
)


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
    """Set a team's challenge: where it is heading, by ``horizon``."""
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
    """Start a learner's storyboard for a focus process, under one of the team's challenges."""
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
        action=Activity.Action.STORYBOARD_CREATED,
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
    """Change the board's heading: its focus process, challenge, learner or coach."""
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
        action=Activity.Action.STORYBOARD_UPDATED,
        summary=f"Changed the storyboard for {focus_process}",
    )
    return storyboard
