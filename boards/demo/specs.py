"""The shapes of the demo data in ``story``: plain frozen records, no behaviour.

Days are counted in working days before today ("ago"), so that coaching cycles, steps and
measurements always fall on weekdays whatever day the command runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from boards.models import TargetCondition


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    time_zone: str
    roles: dict[str, str]  # team slug -> role


@dataclass(frozen=True, kw_only=True)
class TeamSpec:
    slug: str
    name: str
    time_zone: str
    created: int
    admin: str | None
    challenge: str  # formatted with the horizon's year
    challenge_description: str
    horizon: tuple[int, int, int]  # years from now, month, day


@dataclass(frozen=True)
class ObstacleSpec:
    description: str
    added: int
    work_on: int | None = None
    cleared: int | None = None


@dataclass(frozen=True, kw_only=True)
class StepSpec:
    """One PDCA row: planned at the coaching cycle on ``day``, result recorded the next day."""

    day: int
    obstacle: int | None  # index into the target condition's obstacles
    step: str
    expected: str
    happened: str = ""  # empty: the step is still in progress
    learned: str = ""
    value: float | None = None  # the process metric measured when the step was taken
    threshold: bool = False


@dataclass(frozen=True, kw_only=True)
class TargetSpec:
    operating_pattern: str
    started: int
    process_metric: dict[str, Any]  # name, unit, target_value, higher_is_better
    outcome_metric: dict[str, Any]
    run: tuple[float, float, float]  # process metric at the start, at the end, daily noise
    decimals: int = 0
    outcome_values: tuple[float, ...]  # one a week from the start
    obstacles: tuple[ObstacleSpec, ...]
    steps: tuple[StepSpec, ...]
    achieve_in: int | None = None  # active: calendar days from today
    achieve_by_ago: int | None = None  # closed: working days ago
    closed: int | None = None
    status: str = TargetCondition.Status.ACTIVE
    reflection: str = ""


@dataclass(frozen=True, kw_only=True)
class BoardSpec:
    team: str
    focus_process: str
    learner: str
    coach: str
    started: int
    actuals: tuple[tuple[int, str], ...]
    targets: tuple[TargetSpec, ...]


@dataclass(frozen=True)
class ScaleProcess:
    """A kind of focus process the scale data is generated for."""

    focus: str  # formatted with the storyboard's number in its team
    challenge: str
    process: tuple[str, str, float, float, bool]  # name, unit, from, toward, higher is better
    outcome: tuple[str, str, float, float, bool]
