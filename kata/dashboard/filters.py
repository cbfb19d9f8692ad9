"""The dashboard's filters, read from the query string, and who sees which storyboards.

Reads memberships, and the names of the teams, coaches and learners the filter lists offer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict

from boards.models import Membership, Storyboard, User
from kata.dashboard.columns import sort_choices

# A primary key fits in a signed 64-bit integer: a longer number in the address names nobody
# (and SQLite refuses to compare with it).
PK_DIGITS = 18
# Above this many storyboards the coach and learner lists wait for a team to be chosen.
PEOPLE_LIST_BOARDS = 200


def person_name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def visible_storyboards(
    user: User, storyboards: QuerySet[Storyboard] | None = None
) -> QuerySet[Storyboard]:
    """Active storyboards (of ``storyboards``, by default all) of every team the user belongs
    to, in any role; an archived team's boards are out."""
    teams = Membership.objects.filter(user=user, team__archived_at__isnull=True).values("team_id")
    if storyboards is None:
        storyboards = Storyboard.objects.all()
    return storyboards.filter(is_active=True, team_id__in=teams)


class DashboardForm(forms.Form):
    """The filters, read from the query string; an invalid one is ignored and said so.

    The coach and learner lists cover the chosen team's boards, or all the boards the user sees
    when there are at most PEOPLE_LIST_BOARDS: a manager of hundreds of teams picks a team
    first (or searches by name) rather than scroll through a thousand names, and the page does
    not read and send them all each time. They are plain dicts rather than choice fields, which
    copy and normalise their choices several times over for each request.
    """

    q = forms.CharField(label="Search", required=False, max_length=100)
    team = forms.CharField(label="Team", required=False)
    coach = forms.IntegerField(label="Coach", required=False)
    learner = forms.IntegerField(label="Learner", required=False)
    overdue = forms.BooleanField(label="Achieve-by passed", required=False)
    no_step = forms.BooleanField(label="No experiment in 7 days", required=False)
    no_cycle = forms.BooleanField(label="No coaching cycle in 7 days", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=sort_choices)

    def __init__(self, data: QueryDict, *, user: User):
        super().__init__(data)
        teams = (
            Membership.objects.filter(user=user, team__archived_at__isnull=True)
            .order_by("team__name", "team_id")
            .values_list("team_id", "team__slug", "team__name")
        )
        # Slug and name by team pk; the pk by slug.
        self.teams: dict[int, tuple[str, str]] = {pk: (slug, name) for pk, slug, name in teams}
        self.team_ids = {slug: pk for pk, (slug, _name) in self.teams.items()}
        visible = visible_storyboards(user)
        boards = visible
        team = data.get("team")
        if team in self.team_ids:
            boards = visible.filter(team_id=self.team_ids[team])
        self.coaches, self.learners, self.lists_complete = _people(boards, limit=PEOPLE_LIST_BOARDS)
        # Whoever the address asks for is named even when the lists are not shown; always
        # asked for, so that the query count depends on the address, never on the data.
        wanted = [
            int(v)
            for v in (data.get("coach"), data.get("learner"))
            if isinstance(v, str) and v.isascii() and v.isdigit() and len(v) <= PK_DIGITS
        ]
        if wanted:
            coaches, learners, _complete = _people(
                visible.filter(Q(coach_id__in=wanted) | Q(learner_id__in=wanted))
            )
            self.coaches.update((pk, name) for pk, name in coaches.items() if pk in wanted)
            self.learners.update((pk, name) for pk, name in learners.items() if pk in wanted)

    def clean_team(self) -> str:
        slug: str = self.cleaned_data["team"]
        if slug and slug not in self.team_ids:
            raise ValidationError("not one of your teams.")
        return slug

    def clean_coach(self) -> int | None:
        pk: int | None = self.cleaned_data["coach"]
        if pk is not None and pk not in self.coaches:
            raise ValidationError("not the coach of a storyboard you can see.")
        return pk

    def clean_learner(self) -> int | None:
        pk: int | None = self.cleaned_data["learner"]
        if pk is not None and pk not in self.learners:
            raise ValidationError("not the learner of a storyboard you can see.")
        return pk

    def values(self) -> dict[str, Any]:
        """The valid filters; fields with an invalid value are left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    @property
    def ignored(self) -> list[str]:
        return [
            f"{self.fields[name].label}: {' '.join(str(error) for error in errors)}"
            for name, errors in self.errors.items()
        ]

    def choices(self, name: str) -> Sequence[tuple[object, str]]:
        if name == "team":
            return [("", "All teams"), *self.teams.values()]
        if name == "coach":
            return [("", "All coaches"), *self.coaches.items()]
        if name == "learner":
            return [("", "All learners"), *self.learners.items()]
        return sort_choices()


def _people(
    storyboards: QuerySet[Storyboard], *, limit: int | None = None
) -> tuple[dict[int, str], dict[int, str], bool]:
    """The coaches and the learners of these storyboards, names by pk in name order, and
    whether that is all of them (with more than ``limit`` boards, the lists stay empty)."""
    query = storyboards.order_by().values_list(
        "learner_id",
        "learner__first_name",
        "learner__last_name",
        "learner__username",
        "coach_id",
        "coach__first_name",
        "coach__last_name",
        "coach__username",
    )
    rows = list(query if limit is None else query[: limit + 1])
    if limit is not None and len(rows) > limit:
        return {}, {}, False
    coaches: dict[int, str] = {}
    learners: dict[int, str] = {}
    for learner, l_first, l_last, l_user, coach, c_first, c_last, c_user in rows:
        learners[learner] = person_name(l_first, l_last, l_user)
        if coach is not None:
            coaches[coach] = person_name(c_first, c_last, c_user)

    def by_name(people: dict[int, str]) -> dict[int, str]:
        return dict(sorted(people.items(), key=lambda item: (item[1].casefold(), item[0])))

    return by_name(coaches), by_name(learners), True
