"""Bulk-inserted data for load tests: far too many rows to go through the services one by one.

``scale_plan`` lays out what to write; the words it is made of are in ``story``. Its teams are
named ``scale-<n>`` (``SCALE_SLUG_PATTERN``) so that other commands can find them.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from functools import partial
from operator import attrgetter

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from boards.demo.constants import BATCH, DEMO_PASSWORD, SCALE_SLUG_PATTERN, SCALE_SLUG_PREFIX
from boards.demo.scale_plan import ScaleBoard, ScaleTarget, plan
from boards.demo.story import FIRST_NAMES, LAST_NAMES, SCALE_OBSTACLES, SCALE_PROCESSES, SCALE_STEPS
from boards.models import (
    Activity,
    Challenge,
    Experiment,
    Measurement,
    Membership,
    Metric,
    Obstacle,
    Role,
    Storyboard,
    TargetCondition,
    Team,
    User,
)

# Each target condition with the storyboard it is on.
Targets = list[tuple[ScaleBoard, ScaleTarget]]


def existing_teams() -> int:
    """How many scale teams there are already (scale data is written once)."""
    return Team.objects.filter(slug__regex=SCALE_SLUG_PATTERN).count()


class ScaleSeeder:
    """Generates load-test data with bulk inserts.

    The activity log gets what the services would have written for storyboards, target
    conditions and experiments, numbered by revision, so feeds and live updates have realistic
    volume; measurements are not logged one by one.
    """

    def __init__(self, teams: int, storyboards: int, experiments: int, measurements: int):
        self.sizes = (teams, storyboards, experiments, measurements)
        self.rng = random.Random(2026)
        self.now = timezone.now()
        self.width = max(3, len(str(teams)))
        self.counts: Counter[str] = Counter()

    def prefix(self, team: int) -> str:
        return f"scale{team + 1:0{self.width}d}"

    def run(self) -> dict[str, int]:
        teams, storyboards, experiments, measurements = self.sizes
        boards = plan(self.rng, self.now, teams, storyboards, experiments, measurements)
        team_pks, challenge_pks = self.create_teams(teams)
        people = self.create_people(teams, boards, team_pks)
        self.create_storyboards(boards, team_pks, challenge_pks, people)
        targets = [(board, target) for board in boards for target in board.targets]
        metric_pks = self.create_targets(targets)
        self.create_obstacles(targets)
        steps = self.create_experiments(targets)
        self.create_activities(boards, steps)
        self.create_measurements(targets, metric_pks)
        return dict(self.counts)

    def create_teams(self, teams: int) -> tuple[list[int], list[int]]:
        created = self.now - timedelta(days=400)
        rows = [
            Team(
                name=f"Scale team {n:0{self.width}d}",
                slug=f"{SCALE_SLUG_PREFIX}{n:0{self.width}d}",
                created_at=created,
            )
            for n in range(1, teams + 1)
        ]
        Team.objects.bulk_create(rows, batch_size=BATCH)
        challenges = [
            Challenge(
                team=team,
                title=SCALE_PROCESSES[index % len(SCALE_PROCESSES)].challenge,
                description="Generated for load tests.",
                horizon=(self.now + timedelta(days=365 + 30 * (index % 12))).date(),
                created_at=created,
            )
            for index, team in enumerate(rows)
        ]
        Challenge.objects.bulk_create(challenges, batch_size=BATCH)
        self.counts["teams"] = len(rows)
        return [team.pk for team in rows], [challenge.pk for challenge in challenges]

    def create_people(
        self, teams: int, boards: list[ScaleBoard], team_pks: list[int]
    ) -> dict[str, int]:
        """A manager per team, a coach per three storyboards and a learner per storyboard."""
        password = make_password(DEMO_PASSWORD)
        joined = self.now - timedelta(days=400)
        per_team = Counter(board.team for board in boards)
        wanted: list[tuple[str, int, str]] = []  # username, team index, role
        for team in range(teams):
            wanted.append((f"{self.prefix(team)}-manager", team, Role.MANAGER))
            for coach in range(1, math.ceil(per_team[team] / 3) + 1):
                wanted.append((f"{self.prefix(team)}-coach{coach}", team, Role.COACH))
        for board in boards:
            wanted.append(
                (f"{self.prefix(board.team)}-learner{board.number}", board.team, Role.MEMBER)
            )

        # Users left behind by deleted scale teams are reused rather than clashing.
        pks = dict(User.objects.filter(username__startswith="scale").values_list("username", "pk"))
        fresh = [
            User(
                username=username,
                first_name=FIRST_NAMES[count % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(count // len(FIRST_NAMES) + count) % len(LAST_NAMES)],
                email=f"{username}@example.com",
                password=password,
                time_zone="Europe/Berlin",
                date_joined=joined,
            )
            for count, (username, _team, _role) in enumerate(wanted)
            if username not in pks
        ]
        User.objects.bulk_create(fresh, batch_size=BATCH)
        pks.update((user.username, user.pk) for user in fresh)
        memberships = [
            Membership(user_id=pks[username], team_id=team_pks[team], role=role, joined_at=joined)
            for username, team, role in wanted
        ]
        Membership.objects.bulk_create(memberships, batch_size=BATCH)
        self.counts["users"] = len(fresh)
        self.counts["memberships"] = len(memberships)
        return pks

    def create_storyboards(
        self,
        boards: list[ScaleBoard],
        team_pks: list[int],
        challenge_pks: list[int],
        people: dict[str, int],
    ) -> None:
        rows = []
        for board in boards:
            board.focus_process = board.process.focus.format(n=board.number)
            board.learner = people[f"{self.prefix(board.team)}-learner{board.number}"]
            board.coach = people[f"{self.prefix(board.team)}-coach{(board.number - 1) // 3 + 1}"]
            rows.append(
                Storyboard(
                    team_id=team_pks[board.team],
                    challenge_id=challenge_pks[board.team],
                    focus_process=board.focus_process,
                    learner_id=board.learner,
                    coach_id=board.coach,
                    created_at=board.created_at,
                    # Revision and changed_at are set once the activity log is written.
                )
            )
        Storyboard.objects.bulk_create(rows, batch_size=BATCH)
        for board, row in zip(boards, rows, strict=True):
            board.pk = row.pk
        self.counts["storyboards"] = len(rows)

    def create_targets(self, targets: Targets) -> dict[int, int]:
        """Target conditions and their metrics; returns the process metric pk per target pk."""
        rows = [
            TargetCondition(
                storyboard_id=board.pk,
                number=target.number,
                operating_pattern=(
                    f"{board.process.process[0]} at {target.target:.0f} "
                    f"{board.process.process[1]} with the agreed sequence on every shift."
                ),
                achieve_by=target.achieve_by,
                status=target.status,
                reflection="" if target.closed_at is None else "Generated for load tests.",
                created_at=target.start,
                closed_at=target.closed_at,
            )
            for board, target in targets
        ]
        TargetCondition.objects.bulk_create(rows, batch_size=BATCH)
        metrics = []
        for (board, target), row in zip(targets, rows, strict=True):
            target.pk = row.pk
            name, unit, _start, _toward, higher = board.process.process
            metrics.append(
                Metric(
                    target_condition_id=row.pk,
                    kind=Metric.Kind.PROCESS,
                    name=name,
                    unit=unit,
                    target_value=Decimal(f"{target.target:.1f}"),
                    higher_is_better=higher,
                )
            )
            name, unit, start, toward, higher = board.process.outcome
            goal = start + (toward - start) * 0.12 * target.number
            metrics.append(
                Metric(
                    target_condition_id=row.pk,
                    kind=Metric.Kind.OUTCOME,
                    name=name,
                    unit=unit,
                    target_value=Decimal(f"{goal:.1f}"),
                    higher_is_better=higher,
                )
            )
        Metric.objects.bulk_create(metrics, batch_size=BATCH)
        self.counts["target conditions"] = len(rows)
        self.counts["metrics"] = len(metrics)
        return {m.target_condition_id: m.pk for m in metrics if m.kind == Metric.Kind.PROCESS}

    def create_obstacles(self, targets: Targets) -> None:
        rng = self.rng
        Status = Obstacle.Status
        rows: list[Obstacle] = []
        owners: list[ScaleTarget] = []
        for _board, target in targets:
            descriptions = rng.sample(SCALE_OBSTACLES, rng.randint(3, 5))
            span = target.end - target.start
            for position, description in enumerate(descriptions, start=1):
                if target.closed_at is not None:
                    status = Status.CLEARED if position < len(descriptions) else Status.PARKED
                else:
                    # The first is cleared, the second worked on now, the rest parked.
                    status = {1: Status.CLEARED, 2: Status.WORKING_ON}.get(position, Status.PARKED)
                created_at = target.start + span * (0.05 * position)
                rows.append(
                    Obstacle(
                        target_condition_id=target.pk,
                        description=description,
                        position=position,
                        status=status,
                        created_at=created_at,
                        cleared_at=created_at + span * 0.4 if status == Status.CLEARED else None,
                    )
                )
                owners.append(target)
        Obstacle.objects.bulk_create(rows, batch_size=BATCH)
        for row, target in zip(rows, owners, strict=True):
            if row.status != Status.PARKED:
                target.obstacles.append(row.pk)
        self.counts["obstacles"] = len(rows)

    def create_experiments(self, targets: Targets) -> dict[int, list[Experiment]]:
        """The PDCA records; returns each target condition's experiments by its pk."""
        rng = self.rng
        texts = {
            process: [
                [
                    text.format(metric=process.process[0].lower(), unit=process.process[1])
                    for text in row
                ]
                for row in SCALE_STEPS
            ]
            for process in SCALE_PROCESSES
        }
        rows: list[Experiment] = []
        for board, target in targets:
            for number in range(1, target.experiments + 1):
                step, expected, happened, learned = texts[board.process][
                    (number - 1) % len(SCALE_STEPS)
                ]
                created_at, recorded_at = target.step_times(number)
                done = recorded_at is not None
                obstacle = None
                if target.obstacles:
                    # Several steps in a row address the same obstacle, as on a real record.
                    share = (number - 1) * len(target.obstacles) // target.experiments
                    obstacle = target.obstacles[share]
                rows.append(
                    Experiment(
                        target_condition_id=target.pk,
                        number=number,
                        obstacle_id=obstacle,
                        step=step,
                        expected=expected,
                        planned_for=(created_at + timedelta(days=1)).date(),
                        happened=happened if done else "",
                        learned=learned if done else "",
                        result_recorded_at=recorded_at,
                        threshold_of_knowledge=done and rng.random() < 0.05,
                        created_by_id=board.learner,
                        created_at=created_at,
                    )
                )
        Experiment.objects.bulk_create(rows, batch_size=BATCH)
        by_target: dict[int, list[Experiment]] = {}
        for row in rows:
            by_target.setdefault(row.target_condition_id, []).append(row)
        for _board, target in targets:
            target.finished = [
                row.pk for row in by_target.get(target.pk, []) if row.result_recorded_at
            ]
        self.counts["experiments"] = len(rows)
        return by_target

    def create_activities(
        self, boards: list[ScaleBoard], steps: dict[int, list[Experiment]]
    ) -> None:
        """What the services would have logged, board by board in time order, with revisions."""
        batch: list[Activity] = []
        revisions: list[Storyboard] = []
        for board in boards:
            log = partial(Activity, storyboard_id=board.pk)
            entries = [
                log(
                    at=board.created_at,
                    actor_id=board.coach,
                    action=Activity.Action.STORYBOARD_CREATED,
                    object_type="storyboard",
                    object_id=board.pk,
                    summary=f"Started the storyboard for {board.focus_process}",
                )
            ]
            for target in board.targets:
                achieve_by = f"{target.achieve_by:%d %b %Y}"
                entries.append(
                    log(
                        at=target.start,
                        actor_id=board.learner,
                        action=Activity.Action.TARGET_CONDITION_STARTED,
                        object_type="targetcondition",
                        object_id=target.pk,
                        summary=f"Set target condition {target.number}, achieve by {achieve_by}",
                    )
                )
                for row in steps.get(target.pk, ()):
                    entries.append(
                        log(
                            at=row.created_at,
                            actor_id=board.learner,
                            action=Activity.Action.EXPERIMENT_PLANNED,
                            object_type="experiment",
                            object_id=row.pk,
                            summary=f"Planned step #{row.number}: {row.step}"[:300],
                        )
                    )
                    if row.result_recorded_at is not None:
                        entries.append(
                            log(
                                at=row.result_recorded_at,
                                actor_id=board.learner,
                                action=Activity.Action.EXPERIMENT_RESULT_RECORDED,
                                object_type="experiment",
                                object_id=row.pk,
                                summary=f"Recorded the result of step #{row.number}",
                            )
                        )
                if target.closed_at is not None:
                    entries.append(
                        log(
                            at=target.closed_at,
                            actor_id=board.coach,
                            action=Activity.Action(f"target_condition.{target.status}"),
                            object_type="targetcondition",
                            object_id=target.pk,
                            summary=f"Closed target condition {target.number} as {target.status}",
                        )
                    )
            entries.sort(key=attrgetter("at"))
            # The board starts at revision 1 and every logged change bumps it.
            for revision, entry in enumerate(entries, start=2):
                entry.revision = revision
            batch += entries
            revisions.append(
                Storyboard(pk=board.pk, revision=len(entries) + 1, changed_at=entries[-1].at)
            )
            if len(batch) >= BATCH:
                Activity.objects.bulk_create(batch, batch_size=BATCH)
                self.counts["activities"] += len(batch)
                batch = []
        Activity.objects.bulk_create(batch, batch_size=BATCH)
        self.counts["activities"] += len(batch)
        Storyboard.objects.bulk_update(revisions, ["revision", "changed_at"], batch_size=500)

    def create_measurements(self, targets: Targets, metric_pks: dict[int, int]) -> None:
        rng = self.rng
        batch: list[Measurement] = []
        total = 0
        for _board, target in targets:
            count = target.measurements
            if not count:
                continue
            span = (target.end - target.start).total_seconds()
            moments = sorted(rng.random() * span for _ in range(count))
            reached = 1.0 if target.status == TargetCondition.Status.ACHIEVED else 0.7
            noise = abs(target.target - target.baseline) * 0.25 + 0.5
            finished = target.finished
            for position, offset in enumerate(moments):
                progress = position / count * reached
                value = target.baseline + (target.target - target.baseline) * progress
                value = max(0.0, value + rng.gauss(0, noise))
                # Every fifth reading came from a step, as on a board the learner keeps.
                experiment = None
                if finished and position % 5 == 0:
                    experiment = finished[position * len(finished) // count]
                batch.append(
                    Measurement(
                        metric_id=metric_pks[target.pk],
                        measured_at=target.start + timedelta(seconds=offset),
                        value=Decimal(f"{value:.1f}"),
                        experiment_id=experiment,
                    )
                )
                if len(batch) >= BATCH:
                    Measurement.objects.bulk_create(batch, batch_size=BATCH)
                    total += len(batch)
                    batch = []
        Measurement.objects.bulk_create(batch, batch_size=BATCH)
        self.counts["measurements"] = total + len(batch)
