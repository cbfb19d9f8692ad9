"""What the scale data holds: totals, and for each storyboard its target conditions over time.

``scale`` writes what ``plan`` lays out. Everything random comes from the generator it is given,
so a run is the same every time for the same sizes and clock.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from boards.demo.specs import ScaleProcess
from boards.demo.story import SCALE_PROCESSES
from boards.models import TargetCondition


def sizes(
    teams: int | None, storyboards: int | None, experiments: int | None, measurements: int | None
) -> tuple[int, int, int, int]:
    """The totals to generate, the ones not given derived from the others.

    Raises ValueError for sizes that cannot be generated.
    """
    if teams is None:
        teams = max(1, math.ceil(storyboards / 5)) if storyboards else 10
    if storyboards is None:
        storyboards = teams * 5
    if experiments is None:
        experiments = storyboards * 20
    if measurements is None:
        measurements = storyboards * 60
    if min(teams, storyboards, experiments, measurements) < 0:
        raise ValueError("Sizes cannot be negative.")
    if storyboards and not teams:
        raise ValueError("Storyboards need at least one team.")
    if (experiments or measurements) and not storyboards:
        raise ValueError("Experiments and measurements need at least one storyboard.")
    return teams, storyboards, experiments, measurements


@dataclass(kw_only=True)
class ScaleTarget:
    """A target condition to write, and once written the pks the later inserts link to."""

    status: TargetCondition.Status
    start: datetime
    end: datetime  # when it was closed, or now for the active one
    achieve_by: date
    number: int = 0
    baseline: float = 0
    target: float = 0
    experiments: int = 0
    measurements: int = 0
    in_progress: bool = False
    pk: int = 0  # set once inserted
    finished: list[int] = field(default_factory=list)  # pks of experiments with a result
    obstacles: list[int] = field(default_factory=list)  # pks of cleared or worked-on obstacles

    @property
    def closed_at(self) -> datetime | None:
        return None if self.status == TargetCondition.Status.ACTIVE else self.end

    def step_times(self, number: int) -> tuple[datetime, datetime | None]:
        """When step ``number`` was planned and when its result was recorded (None: not yet)."""
        gap = (self.end - self.start) / (self.experiments + 1)
        planned = self.start + gap * number
        if self.in_progress and number == self.experiments:
            return planned, None
        return planned, planned + gap * 0.8


@dataclass
class ScaleBoard:
    """A storyboard to write, with its target conditions oldest first."""

    team: int
    number: int  # within its team
    process: ScaleProcess
    created_at: datetime
    targets: list[ScaleTarget]
    # Set once inserted: the storyboard's pk and its learner's and coach's user pks.
    pk: int = 0
    learner: int = 0
    coach: int = 0
    focus_process: str = ""


def plan(
    rng: random.Random,
    now: datetime,
    teams: int,
    storyboards: int,
    experiments: int,
    measurements: int,
) -> list[ScaleBoard]:
    """Storyboards spread over the teams, experiments and measurements over their targets."""
    Status = TargetCondition.Status
    boards: list[ScaleBoard] = []
    for index in range(storyboards):
        team = index % teams
        process = SCALE_PROCESSES[team % len(SCALE_PROCESSES)]
        start = now - timedelta(days=rng.uniform(3, 30))
        # A few active ones are overdue, as on real boards.
        achieve_by = start.date() + timedelta(days=rng.randint(10, 35))
        targets = [ScaleTarget(status=Status.ACTIVE, start=start, end=now, achieve_by=achieve_by)]
        for _ in range(rng.choice((0, 1, 1, 2))):
            end = targets[-1].start - timedelta(days=rng.uniform(0.5, 3))
            targets.append(
                ScaleTarget(
                    status=Status.ACHIEVED if rng.random() < 0.75 else Status.ABANDONED,
                    start=end - timedelta(days=rng.uniform(14, 40)),
                    end=end,
                    achieve_by=end.date() + timedelta(days=rng.randint(-3, 5)),
                )
            )
        targets.reverse()
        toward = process.process[3] - process.process[2]
        for number, target in enumerate(targets, start=1):
            target.number = number
            target.baseline = process.process[2] + toward * 0.12 * (number - 1)
            target.target = target.baseline + toward * 0.12
        created_at = targets[0].start - timedelta(days=2)
        boards.append(ScaleBoard(team, index // teams + 1, process, created_at, targets))

    every = [target for board in boards for target in board.targets]
    if every and experiments:
        chosen = rng.choices(range(len(every)), k=experiments)
        for position, count in Counter(chosen).items():
            every[position].experiments = count
    if every and measurements:
        weights = [(t.end - t.start).total_seconds() for t in every]
        chosen = rng.choices(range(len(every)), weights=weights, k=measurements)
        for position, count in Counter(chosen).items():
            every[position].measurements = count
    for target in every:
        # Most active boards have a step under way; the others are between two steps.
        if target.status == Status.ACTIVE and target.experiments and rng.random() < 0.6:
            target.in_progress = True
    return boards
