"""Reads about boards that more than one view, service or app asks (HackSoft's selectors)."""

from __future__ import annotations

from boards.models import Storyboard, TargetCondition


def active_target_condition(storyboard: Storyboard | int) -> TargetCondition | None:
    """The target condition the board works toward now, or None between target conditions."""
    return TargetCondition.objects.filter(storyboard=storyboard).active().first()
