"""``manage.py seed_coaching_demo``: coaching for the demo storyboards ``seed_demo`` made.

For every active storyboard with a coach it adds a weekday 09:30 coaching series in the coach's
time zone, three past coaching cycles and, on one of them, a second coach's observation. Run it
again and it adds nothing: each part is skipped where it exists already.

The series and the observation go through the coaching services. The past cycles are written
as records: the board already holds the history they talked through (seed_demo wrote it), and
running the cycle services would write new entries onto the board today instead.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from boards.access import can_edit
from boards.demo.constants import SCALE_SLUG_PREFIX
from boards.models import (
    ActualCondition,
    Experiment,
    Membership,
    Role,
    Storyboard,
    TargetCondition,
    User,
)
from coaching import recurrence
from coaching.models import CoachingCycle, SecondCoachObservation, SessionSeries
from coaching.services.cycles import experiment_snapshot
from coaching.services.observations import observation_save
from coaching.services.scheduling import series_create
from coaching.steps import FINISHED, STEPS

WEEKDAYS = "FREQ=WEEKLY;BYDAY=" + ",".join(recurrence.WORKING_DAYS)
PAST_CYCLES = 3
# Minutes spent on each step of the past cycles, in STEPS order.
STEP_MINUTES = [(1, 3, 4, 2, 4, 1, 1), (2, 4, 5, 2, 3, 1, 1), (1, 2, 3, 2, 3, 1, 0)]
COACH_NOTES = [
    "The learner read the target condition off the board; next time ask first.",
    "Good prediction, specific and measurable. Went to the line to see the actual condition.",
    "Learner at the threshold of knowledge on the changeover sequence: keep steps small.",
]


class Command(BaseCommand):
    help = "Add coaching series, past coaching cycles and an observation to the demo boards."

    def handle(self, *args, **options):
        storyboards = (
            Storyboard.objects.filter(is_active=True, coach__isnull=False)
            # seed_demo's bulk data for load tests gets no coaching.
            .exclude(team__slug__startswith=SCALE_SLUG_PREFIX)
            .select_related("team", "coach", "learner")
            .order_by("team__name", "focus_process")
        )
        observed = SecondCoachObservation.objects.exists()
        for storyboard in storyboards:
            roles = dict(
                Membership.objects.filter(team=storyboard.team).values_list("user_id", "role")
            )
            coach = storyboard.coach
            if coach is None or not can_edit(coach, storyboard):
                continue
            with transaction.atomic():
                made = self.series(storyboard, coach)
                cycles = self.past_cycles(storyboard, coach)
                if not observed and cycles:
                    observed = self.observation(storyboard, cycles[-1], roles)
            self.stdout.write(
                f"  {storyboard.team.name} / {storyboard.focus_process}: "
                f"{'a weekday 09:30 series' if made else 'series already there'}, "
                f"{len(cycles) or 'no new'} past cycle{'s' if len(cycles) != 1 else ''}"
            )
        self.stdout.write(self.style.SUCCESS("Coaching demo data is in place."))

    def series(self, storyboard: Storyboard, coach: User) -> bool:
        exists = SessionSeries.objects.filter(
            storyboard=storyboard,
            coach=coach,
            learner=storyboard.learner,
            cancelled_at=None,
        ).exists()
        if exists:
            return False
        today = timezone.localtime(timezone=zoneinfo.ZoneInfo(coach.time_zone)).date()
        series_create(
            storyboard=storyboard,
            coach=coach,
            learner=storyboard.learner,
            start_date=today,
            start_time=time(9, 30),
            duration_minutes=20,
            rrule=WEEKDAYS,
            time_zone=coach.time_zone,
            by=coach,
        )
        # After 09:30 the weekday series starts tomorrow; a one-off session later today keeps
        # the coach's Today page from being empty on the day the demo is set up.
        now = timezone.localtime(timezone=zoneinfo.ZoneInfo(coach.time_zone))
        later = (now + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        if now.time() > time(9, 30) and later.date() == today and later.hour < 22:
            series_create(
                storyboard=storyboard,
                coach=coach,
                learner=storyboard.learner,
                start_date=today,
                start_time=later.time(),
                duration_minutes=20,
                time_zone=coach.time_zone,
                by=coach,
            )
        return True

    def past_cycles(self, storyboard: Storyboard, coach: User) -> list[CoachingCycle]:
        if CoachingCycle.objects.filter(storyboard=storyboard).exists():
            return []
        target = TargetCondition.objects.filter(storyboard=storyboard).order_by("-number").first()
        if target is None:
            return []
        done = list(
            Experiment.objects.filter(target_condition=target, result_recorded_at__isnull=False)
            .select_related("obstacle")
            .order_by("number")
        )
        following = {
            e.number: e
            for e in Experiment.objects.filter(target_condition=target).select_related("obstacle")
        }
        zone = zoneinfo.ZoneInfo(coach.time_zone)
        days = _past_weekdays(timezone.localtime(timezone=zone).date(), PAST_CYCLES)
        # The latest cycle reflected on the latest step with a result, and so on backwards.
        reflected = [None] * PAST_CYCLES + done
        reflected = reflected[-PAST_CYCLES:]
        cycles = []
        for index, day in enumerate(days):
            started = datetime.combine(day, time(9, 31), tzinfo=zone)
            step = reflected[index]
            after = following.get(step.number + 1) if step else None
            cycles.append(self.cycle(storyboard, target, started, index, step, after))
        return cycles

    def cycle(self, storyboard, target, started, index, step, after) -> CoachingCycle:
        answers, moment = {}, started
        minutes = STEP_MINUTES[index % len(STEP_MINUTES)]
        obstacle = (after or step).obstacle if (after or step) else None
        seen = (
            ActualCondition.objects.filter(storyboard=storyboard, observed_at__lte=started)
            .order_by("-observed_at")
            .first()
        )
        for number, spec in enumerate(STEPS):
            moment += timedelta(minutes=minutes[number], seconds=10 * number)
            answers[spec.key] = _answer(spec.key, target, step, after, obstacle)
            answers[spec.key]["saved_at"] = moment.isoformat()
        if seen is not None:
            answers["actual"].update(
                actual_condition=seen.pk, operating_pattern=seen.operating_pattern
            )
        return CoachingCycle.objects.create(
            storyboard=storyboard,
            coach=storyboard.coach,
            learner=storyboard.learner,
            started_at=started,
            finished_at=moment,
            step=FINISHED,
            coach_notes=COACH_NOTES[index % len(COACH_NOTES)],
            answers=answers,
            reflected_experiment=step,
            obstacle=obstacle,
            next_experiment=after,
        )

    def observation(self, storyboard, cycle: CoachingCycle, roles: dict[int, str]) -> bool:
        """A second coach: another member who coaches, else the team's manager."""
        others = {
            user_id: role
            for user_id, role in roles.items()
            if user_id not in (storyboard.coach_id, storyboard.learner_id)
        }
        observer_id = next(
            (uid for uid, role in others.items() if role in (Role.COACH, Role.ADMIN)),
            next((uid for uid, role in others.items() if role == Role.MANAGER), None),
        )
        if observer_id is None:
            return False
        observer = storyboard.team.memberships.get(user_id=observer_id).user
        seconds = {
            key: value
            for key, value in zip(
                (s.key for s in STEPS), (m * 60 for m in STEP_MINUTES[-1]), strict=True
            )
            if key != "notes"
        }
        observation_save(
            cycle=cycle,
            observer=observer,
            notes={
                "target": "The learner answered from memory. Good.",
                "reflect": "The coach filled the silence after 'what did you learn?'. Wait.",
                "next": "The prediction named a number: well done.",
            },
            seconds=seconds,
            feedback=(
                "A calm cycle inside 15 minutes. Let the learner take the pen at question 2, and "
                "ask 'what do you expect?' before they describe the step in detail."
            ),
        )
        self.stdout.write(f"  second coach {observer} observed a cycle on {storyboard}")
        return True


def _past_weekdays(today: date, count: int) -> list[date]:
    days: list[date] = []
    day = today
    while len(days) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return sorted(days)


def _answer(key, target, step, after, obstacle) -> dict:
    if key == "target":
        return {
            "target_condition": target.pk,
            "number": target.number,
            "operating_pattern": target.operating_pattern,
            "achieve_by": target.achieve_by.isoformat(),
            "said": "",
        }
    if key == "actual":
        return {"actual_condition": None, "operating_pattern": "", "measurements": []}
    if key == "reflect":
        if step is None:
            return {"experiment": None}
        return {**experiment_snapshot(step), "already_recorded": True}
    if key == "obstacles":
        if obstacle is None:
            return {"obstacle": None, "description": "", "changed": False, "added": None}
        return {
            "obstacle": obstacle.pk,
            "description": obstacle.description,
            "changed": False,
            "added": None,
            "added_description": "",
        }
    if key == "next":
        return experiment_snapshot(after) if after else {"experiment": None}
    if key == "when":
        return {"session": None, "starts_at": "", "action": "confirmed"}
    return {}
