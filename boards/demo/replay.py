"""Plays the demo story (``story``) through the boards services, event by event in time order.

Every write goes through the services, each on the clock of the moment the story puts it at,
so the activity log fills the way it does in use.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from itertools import pairwise
from operator import itemgetter
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from boards.demo.constants import DEMO_PASSWORD, DEMO_TEAM_SLUGS
from boards.demo.specs import BoardSpec, StepSpec, TargetSpec, TeamSpec
from boards.demo.story import (
    ADD_OBSTACLE,
    BOARDS,
    CLEAR,
    CLOSE,
    MEASURE,
    MEASURE_OUTCOME,
    OBSERVE,
    PEOPLE,
    PLAN,
    RECORD_RESULT,
    START,
    TEAMS,
    WORK_ON,
)
from boards.models import (
    Challenge,
    Experiment,
    Membership,
    Metric,
    Obstacle,
    Role,
    Storyboard,
    TargetCondition,
    Team,
    User,
)
from boards.services.experiments import experiment_plan, experiment_record_result
from boards.services.obstacles import obstacle_add, obstacle_clear, obstacle_work_on
from boards.services.storyboards import challenge_create, storyboard_create
from boards.services.targets import (
    actual_condition_record,
    measurement_add,
    target_condition_close,
    target_condition_start,
)
from boards.services.teams import membership_set, team_create


def present() -> bool:
    """Whether the demo teams exist already (the demo is written once)."""
    return Team.objects.filter(slug__in=DEMO_TEAM_SLUGS).exists()


def sign_ins() -> list[str]:
    """Who to sign in as, and what each person does in the demo."""
    teams = {team.slug: team.name for team in TEAMS}
    lines = [f"\nDemo sign-ins, all with the password {DEMO_PASSWORD}:"]
    for person in PEOPLE:
        roles: dict[str, list[str]] = {}
        for slug, role in person.roles.items():
            roles.setdefault(Role(role).label.lower(), []).append(teams[slug])
        parts = [f"{role} in {', '.join(names)}" for role, names in roles.items()]
        learns = [b.focus_process for b in BOARDS if b.learner == person.username]
        coaches = [b.focus_process for b in BOARDS if b.coach == person.username]
        if learns:
            parts.append(f"learner on {'; '.join(learns)}")
        if coaches:
            parts.append(f"coaches {'; '.join(coaches)}")
        name = f"{person.first_name} {person.last_name}"
        lines.append(f"  {person.username:<8} {name:<16} {', '.join(parts)}")
    lines.append(f"  {'admin':<8} {'':<16} superuser for the Django admin at /admin/")
    return lines


def _workdays_back(today: date, count: int) -> list[date]:
    """Weekdays going back from today: [0] is today, or the last weekday if today is not one."""
    days: list[date] = []
    day = today
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return days


def _interpolate(anchors: list[tuple[int, float]], ago: int) -> float:
    """The value on day ``ago`` on the straight lines between (days ago, value) anchors."""
    for (day_a, value_a), (day_b, value_b) in pairwise(anchors):
        if day_b <= ago <= day_a:
            if day_a == day_b:
                return value_b
            return value_a + (value_b - value_a) * (day_a - ago) / (day_a - day_b)
    return anchors[-1][1]


# A write in the story: when it happens, and what to do then (given that moment).
Event = tuple[datetime, Callable[[datetime], object]]


@dataclass
class _BoardState:
    spec: BoardSpec
    storyboard: Storyboard
    learner: User
    coach: User
    time_zone: ZoneInfo
    targets: dict[int, TargetCondition] = field(default_factory=dict)
    obstacles: dict[tuple[int, int], int] = field(default_factory=dict)  # -> obstacle pk
    steps: dict[tuple[int, int], int] = field(default_factory=dict)  # -> experiment pk
    metrics: dict[tuple[int, str], Metric] = field(default_factory=dict)


class StoryReplay:
    """Tells each storyboard's story through the services, event by event in time order."""

    def __init__(self) -> None:
        self.today = timezone.localdate()
        self.workdays = _workdays_back(self.today, 80)
        # Hashing is slow on purpose; the demo users all share one password, so hash it once.
        self.password = make_password(DEMO_PASSWORD)
        self.users: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.challenges: dict[str, Challenge] = {}
        self.zones = {team.slug: ZoneInfo(team.time_zone) for team in TEAMS}

    def at(self, ago: int, clock: time, zone: ZoneInfo) -> datetime:
        return datetime.combine(self.workdays[ago], clock, tzinfo=zone).astimezone(UTC)

    @staticmethod
    @contextmanager
    def clock(when: datetime) -> Iterator[None]:
        """Run the services as if it were ``when``.

        The activity log is append-only (its rows cannot be updated afterwards), so each write
        happens with Django's clock set to the moment the story puts it at: the log, closed_at,
        result_recorded_at and the board's changed_at come out right, and the services' date
        checks judge an achieve-by date as of that day. Model field defaults keep the real
        clock; the callers move those few ``created_at`` columns themselves.
        """
        with mock.patch.object(timezone, "now", lambda: when):
            yield

    def run(self) -> None:
        self.create_people()
        for team in TEAMS:
            self.create_team(team)
        for board in BOARDS:
            self.create_board(board)

    def create_people(self) -> None:
        joined = self.at(60, time(8, 0), ZoneInfo("Europe/Berlin"))
        for person in PEOPLE:
            self.users[person.username] = self.user(
                person.username,
                first_name=person.first_name,
                last_name=person.last_name,
                time_zone=person.time_zone,
                date_joined=joined,
            )
        self.user("admin", superuser=True, date_joined=joined)

    def user(self, username: str, *, superuser: bool = False, **fields: Any) -> User:
        # Someone may already have signed up under a demo name: use that account as it is.
        existing = User.objects.filter(username=username).first()
        if existing is not None:
            return existing
        email = f"{username}@example.com"
        if superuser:
            user = User.objects.create_superuser(username, email, None, **fields)
        else:
            user = User.objects.create_user(username, email, None, **fields)
        user.password = self.password
        user.save(update_fields=["password"])
        return user

    def create_team(self, spec: TeamSpec) -> None:
        when = self.at(spec.created, time(8, 0), self.zones[spec.slug])
        admin = self.users[spec.admin] if spec.admin else None
        with self.clock(when):
            team = team_create(name=spec.name, slug=spec.slug, by=admin)
            for person in PEOPLE:
                role = person.roles.get(spec.slug)
                if role and person.username != spec.admin:
                    user = self.users[person.username]
                    membership_set(team=team, user=user, role=role)
            years, month, day = spec.horizon
            horizon = date(self.today.year + years, month, day)
            challenge = challenge_create(
                team=team,
                title=spec.challenge.format(year=horizon.year),
                horizon=horizon,
                description=spec.challenge_description,
            )
        Team.objects.filter(pk=team.pk).update(created_at=when)
        Membership.objects.filter(team=team).update(joined_at=when)
        Challenge.objects.filter(pk=challenge.pk).update(created_at=when)
        self.teams[spec.slug] = team
        self.challenges[spec.slug] = challenge

    def create_board(self, spec: BoardSpec) -> None:
        zone = self.zones[spec.team]
        learner, coach = self.users[spec.learner], self.users[spec.coach]
        when = self.at(spec.started, time(8, 30), zone)
        with self.clock(when):
            storyboard = storyboard_create(
                team=self.teams[spec.team],
                challenge=self.challenges[spec.team],
                focus_process=spec.focus_process,
                learner=learner,
                coach=coach,
                by=coach,
            )
        Storyboard.objects.filter(pk=storyboard.pk).update(created_at=when)
        state = _BoardState(spec, storyboard, learner, coach, zone)

        events: list[Event] = [
            (self.at(ago, OBSERVE, zone), partial(self.observe, state, text))
            for ago, text in spec.actuals
        ]
        for index, target in enumerate(spec.targets):
            events += self.target_events(state, index, target)
        # Stable: events at the same moment keep the order they are listed in.
        events.sort(key=itemgetter(0))
        for moment, action in events:
            with self.clock(moment):
                action(moment)

    def target_events(self, state: _BoardState, index: int, spec: TargetSpec) -> list[Event]:
        zone = state.time_zone
        events: list[Event] = [
            (self.at(spec.started, START, zone), partial(self.start, state, index, spec))
        ]
        for number, obstacle in enumerate(spec.obstacles):
            key = (index, number)
            events.append(
                (
                    self.at(obstacle.added, ADD_OBSTACLE, zone),
                    partial(self.add_obstacle, state, key, obstacle.description),
                )
            )
            if obstacle.work_on is not None:
                events.append(
                    (self.at(obstacle.work_on, WORK_ON, zone), partial(self.work_on, state, key))
                )
            if obstacle.cleared is not None:
                events.append(
                    (self.at(obstacle.cleared, CLEAR, zone), partial(self.clear, state, key))
                )

        # The process metric is read once a day, except on the days a step was taken: then the
        # step's own reading, linked to it, stands in for it.
        rng = random.Random(f"{state.spec.focus_process} {index}")
        step_days = {}
        for number, step in enumerate(spec.steps):
            key = (index, number)
            events.append((self.at(step.day, PLAN, zone), partial(self.plan, state, key, step)))
            if step.happened:
                taken = self.at(step.day, MEASURE, zone) + timedelta(minutes=rng.randint(0, 240))
                events.append(
                    (
                        self.at(step.day - 1, RECORD_RESULT, zone),
                        partial(self.record_result, state, key, step, taken),
                    )
                )
                if step.value is not None:
                    step_days[step.day] = step.value

        last = spec.closed if spec.closed is not None else 0
        start, end, noise = spec.run
        anchors = [(spec.started, start), *sorted(step_days.items(), reverse=True), (last, end)]
        for ago in range(spec.started, last, -1):
            # Some days the process doesn't run the measured way (no changeover planned, ...).
            if ago in step_days or (ago != spec.started and rng.random() < 0.1):
                continue
            value = round(_interpolate(anchors, ago) + rng.gauss(0, noise), spec.decimals)
            moment = self.at(ago, MEASURE, zone) + timedelta(minutes=rng.randint(0, 240))
            events.append(
                (moment, partial(self.measure, state, (index, Metric.Kind.PROCESS), value))
            )
        outcome_days = range(spec.started, last, -5)
        for ago, value in zip(outcome_days, spec.outcome_values, strict=False):
            events.append(
                (
                    self.at(ago, MEASURE_OUTCOME, zone),
                    partial(self.measure, state, (index, Metric.Kind.OUTCOME), value),
                )
            )
        if spec.closed is not None:
            events.append((self.at(spec.closed, CLOSE, zone), partial(self.close, state, index)))
        return events

    # One event each, run in time order on the clock of their moment.

    def observe(self, state: _BoardState, text: str, when: datetime) -> None:
        actual_condition_record(
            storyboard=state.storyboard, operating_pattern=text, observed_at=when, by=state.learner
        )

    def start(self, state: _BoardState, index: int, spec: TargetSpec, when: datetime) -> None:
        if spec.achieve_by_ago is not None:
            achieve_by = self.workdays[spec.achieve_by_ago]
        else:
            assert spec.achieve_in is not None, "an active target condition sets achieve_in"
            achieve_by = self.today + timedelta(days=spec.achieve_in)
            # Nobody sets a target for a Saturday: take the nearest working day.
            achieve_by += timedelta(days={5: -1, 6: 1}.get(achieve_by.weekday(), 0))
        target = target_condition_start(
            storyboard=state.storyboard,
            operating_pattern=spec.operating_pattern,
            achieve_by=achieve_by,
            process_metric=spec.process_metric,
            outcome_metric=spec.outcome_metric,
            by=state.learner,
        )
        TargetCondition.objects.filter(pk=target.pk).update(created_at=when)
        state.targets[index] = target
        for metric in target.metrics.all():
            state.metrics[(index, metric.kind)] = metric

    def close(self, state: _BoardState, index: int, when: datetime) -> None:
        target = TargetCondition.objects.get(pk=state.targets[index].pk)
        spec = state.spec.targets[index]
        target_condition_close(
            target_condition=target,
            version=target.version,
            status=spec.status,
            reflection=spec.reflection,
            by=state.coach,
        )
        state.targets[index] = target

    def add_obstacle(
        self, state: _BoardState, key: tuple[int, int], description: str, when: datetime
    ) -> None:
        obstacle = obstacle_add(
            target_condition=state.targets[key[0]], description=description, by=state.learner
        )
        Obstacle.objects.filter(pk=obstacle.pk).update(created_at=when)
        state.obstacles[key] = obstacle.pk

    def _obstacle(self, state: _BoardState, key: tuple[int, int]) -> Obstacle:
        # Fetched afresh: working on one obstacle parks another, which bumps its version.
        return Obstacle.objects.select_related("target_condition__storyboard").get(
            pk=state.obstacles[key]
        )

    def work_on(self, state: _BoardState, key: tuple[int, int], when: datetime) -> None:
        obstacle = self._obstacle(state, key)
        obstacle_work_on(obstacle=obstacle, version=obstacle.version, by=state.learner)

    def clear(self, state: _BoardState, key: tuple[int, int], when: datetime) -> None:
        obstacle = self._obstacle(state, key)
        obstacle_clear(obstacle=obstacle, version=obstacle.version, by=state.learner)

    def plan(
        self, state: _BoardState, key: tuple[int, int], step: StepSpec, when: datetime
    ) -> None:
        obstacle = None
        if step.obstacle is not None:
            obstacle = self._obstacle(state, (key[0], step.obstacle))
        experiment = experiment_plan(
            target_condition=state.targets[key[0]],
            step=step.step,
            expected=step.expected,
            obstacle=obstacle,
            # "When can we go and see what we have learned?": at the next coaching cycle.
            planned_for=self.workdays[step.day - 1],
            by=state.learner,
        )
        Experiment.objects.filter(pk=experiment.pk).update(created_at=when)
        state.steps[key] = experiment.pk

    def record_result(
        self,
        state: _BoardState,
        key: tuple[int, int],
        step: StepSpec,
        taken: datetime,
        when: datetime,
    ) -> None:
        experiment = Experiment.objects.select_related("target_condition__storyboard").get(
            pk=state.steps[key]
        )
        experiment_record_result(
            experiment=experiment,
            version=experiment.version,
            happened=step.happened,
            learned=step.learned,
            threshold_of_knowledge=step.threshold,
            measurement_value=step.value,
            measured_at=taken,
            by=state.learner,
        )

    def measure(
        self, state: _BoardState, key: tuple[int, str], value: float, when: datetime
    ) -> None:
        measurement_add(metric=state.metrics[key], value=value, measured_at=when, by=state.learner)
