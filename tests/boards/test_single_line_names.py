"""Names and titles stay on one line (issue 12, item 5).

A team's name, a challenge's title, a focus process, a metric's name and unit and a person's
names are shown in headings, lists, email subjects and calendar entries: a line break, a tab or
another control character in one is refused, at the form and at the service, with one message
(``boards.validators.validate_single_line``). Letters and spaces of every script, and the
invisible joiners emoji and some scripts need, are kept.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from boards.models import Metric, Storyboard, Team, User
from boards.services.invitations import invitation_accept, invitation_create
from boards.services.metrics import metric_add
from boards.services.profiles import profile_update
from boards.services.storyboards import (
    challenge_create,
    challenge_update,
    storyboard_create,
    storyboard_update,
)
from boards.services.targets import (
    actual_condition_record,
    metric_update,
    target_condition_start,
)
from boards.services.teams import team_create, team_rename
from boards.validators import INVISIBLE, ONE_LINE, validate_single_line
from tests.extreme import FUZZ

ZWJ, ZWNJ = "\u200d", "\u200c"
# What a name may hold, whatever the script.
GOOD_NAMES = [
    "Zoë O'Brien-Smith",
    "Müller",
    "山田\u3000太郎",  # an ideographic space, as Japanese names are written
    "Jean\u00a0Paul",  # a no-break space
    "Nguyễn Thị Minh Khai",
    "Ольга",
    "क्षत्रिय",  # Devanagari conjunct
    "ശ്രീ" + ZWJ,  # Malayalam chillu with a zero-width joiner
    "می" + ZWNJ + "خواهم",  # Persian: a zero-width non-joiner inside the word
    "דוד\u200f (David)",  # a right-to-left mark in mixed text
    "ᠮᠣᠩᠭᠣᠯ\u180eᠠ",  # Mongolian, with its vowel separator
    "Team 👩" + ZWJ + "🔧",  # woman mechanic: an emoji joined by ZWJ
    "👨" + ZWJ + "👩" + ZWJ + "👧" + ZWJ + "👦 Family",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f Scotland",  # tag letters
    "👍🏽 1️⃣ ❤️",  # a skin tone, a keycap, a variation selector
    "Line 3 / Press 5",
]
BAD_NAMES = {
    "line feed": "Ana\nBanana",
    "carriage return": "Ana\rBanana",
    "tab": "Ana\tBanana",
    "vertical tab": "Ana\x0bBanana",
    "form feed": "Ana\x0cBanana",
    "next line": "Ana\x85Banana",
    "line separator": "Ana\u2028Banana",
    "paragraph separator": "Ana\u2029Banana",
    "escape": "Ana\x1b[31mBanana",
    "delete": "Ana\x7f",
    "bell": "Ana\x07",
    "right-to-left override": "Ana\u202eananaB",
    "left-to-right isolate": "Ana\u2066Banana\u2069",
    "zero-width space": "Ana\u200bBanana",
    "byte-order mark": "Ana\ufeffBanana",
    "word joiner": "Ana\u2060Banana",
    "lone surrogate": "Ana\ud800",
}


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_names_in_every_script_and_emoji_are_kept(name):
    validate_single_line(name)


@pytest.mark.parametrize("name", BAD_NAMES.values(), ids=BAD_NAMES.keys())
def test_line_breaks_and_control_characters_are_refused(name):
    with pytest.raises(ValidationError) as refused:
        validate_single_line(name)
    assert refused.value.messages == [ONE_LINE]


def test_a_name_of_joiners_only_is_refused_as_invisible():
    with pytest.raises(ValidationError) as refused:
        validate_single_line(ZWJ + ZWNJ)
    assert refused.value.messages == [INVISIBLE]


VISIBLE = st.characters(categories=["L", "M", "N", "P", "S", "Zs"])


@FUZZ
@given(name=st.text(VISIBLE, min_size=1, max_size=40))
def test_any_letters_marks_numbers_punctuation_symbols_and_spaces_make_a_name(name):
    validate_single_line(name)


@FUZZ
@given(
    before=st.text(VISIBLE, max_size=10),
    control=st.characters(categories=["Cc", "Zl", "Zp"]),
    after=st.text(VISIBLE, max_size=10),
)
def test_any_control_character_inside_a_name_is_refused(before, control, after):
    with pytest.raises(ValidationError):
        validate_single_line(before + control + after)


# At the services --------------------------------------------------------------------------------


def _outcome_metric(w, *, name: str, unit: str):
    Metric.objects.filter(target_condition=w.target, kind="outcome").delete()  # room for one
    return metric_add(
        target_condition=w.target,
        kind="outcome",
        name=name,
        unit=unit,
        target_value="95",
        higher_is_better=True,
        by=w.learner,
    )


def _first_grasp(w, figure: dict):
    board = storyboard_create(
        team=w.team, challenge=w.storyboard.challenge, focus_process="Packing", learner=w.learner
    )
    return actual_condition_record(
        storyboard=board, operating_pattern="Two walks", figures=[figure], by=w.learner
    )


NAMED = {
    "team_create": (
        "name",
        lambda w, name: team_create(name=name, slug="another"),
    ),
    "team_rename": (
        "name",
        lambda w, name: team_rename(team=w.team, name=name, slug="another", by=w.team_admin),
    ),
    "challenge_create": (
        "title",
        lambda w, name: challenge_create(team=w.team, title=name, horizon=w.target.achieve_by),
    ),
    "challenge_update": (
        "title",
        lambda w, name: challenge_update(
            challenge=w.storyboard.challenge,
            version=w.storyboard.challenge.version,
            title=name,
            horizon=w.storyboard.challenge.horizon,
            description="",
            by=w.learner,
        ),
    ),
    "storyboard_create": (
        "focus_process",
        lambda w, name: storyboard_create(
            team=w.team,
            challenge=w.storyboard.challenge,
            focus_process=name,
            learner=w.learner,
            by=w.learner,
        ),
    ),
    "storyboard_update": (
        "focus_process",
        lambda w, name: storyboard_update(
            storyboard=w.storyboard,
            version=w.storyboard.version,
            focus_process=name,
            challenge=w.storyboard.challenge,
            by=w.learner,
        ),
    ),
    "metric_update name": (
        "name",
        lambda w, name: metric_update(
            metric=w.process,
            version=w.process.version,
            name=name,
            unit="min",
            target_value="30",
            higher_is_better=False,
            by=w.learner,
        ),
    ),
    "metric_update unit": (
        "unit",
        lambda w, name: metric_update(
            metric=w.process,
            version=w.process.version,
            name="Pick time",
            unit=name,
            target_value="30",
            higher_is_better=False,
            by=w.learner,
        ),
    ),
    "metric_add name": (
        "outcome_metric_name",
        lambda w, name: _outcome_metric(w, name=name, unit="%"),
    ),
    "metric_add unit": (
        "outcome_metric_unit",
        lambda w, name: _outcome_metric(w, name="On time", unit=name),
    ),
    "actual_condition_record name": (
        "process_name",
        lambda w, name: _first_grasp(w, {"kind": "process", "name": name, "value": "41"}),
    ),
    "actual_condition_record unit": (
        "outcome_unit",
        lambda w, name: _first_grasp(
            w, {"kind": "outcome", "name": "Same day", "unit": name, "value": "80"}
        ),
    ),
    "target_condition_start metric": (
        "process_metric_name",
        lambda w, name: target_condition_start(
            storyboard=storyboard_create(
                team=w.team,
                challenge=w.storyboard.challenge,
                focus_process="Packing",
                learner=w.learner,
            ),
            operating_pattern="Flow",
            achieve_by=w.target.achieve_by,
            process_metric={"name": name, "target_value": "3"},
            by=w.learner,
        ),
    ),
    "target_condition_start unit": (
        "outcome_metric_unit",
        lambda w, name: target_condition_start(
            storyboard=storyboard_create(
                team=w.team,
                challenge=w.storyboard.challenge,
                focus_process="Packing",
                learner=w.learner,
            ),
            operating_pattern="Flow",
            achieve_by=w.target.achieve_by,
            outcome_metric={"name": "On time", "unit": name, "target_value": "95"},
            by=w.learner,
        ),
    ),
    "profile_update first": (
        "first_name",
        lambda w, name: profile_update(
            user=w.learner, first_name=name, last_name="Park", email=w.learner.email
        ),
    ),
    "profile_update last": (
        "last_name",
        lambda w, name: profile_update(
            user=w.learner, first_name="Lena", last_name=name, email=w.learner.email
        ),
    ),
    "invitation_accept first": (
        "first_name",
        lambda w, name: invitation_accept(
            token=w.invite(),
            username="nina",
            first_name=name,
            last_name="Berg",
            password="mauve-tractor-41-lantern",
        ),
    ),
    "invitation_accept last": (
        "last_name",
        lambda w, name: invitation_accept(
            token=w.invite(),
            username="nina",
            first_name="Nina",
            last_name=name,
            password="mauve-tractor-41-lantern",
        ),
    ),
}


class World:
    def __init__(self, target, team_admin, learner, capture):
        self.target = target
        self.storyboard = target.storyboard
        self.team = target.storyboard.team
        self.process = target.metrics.get(kind="process")
        self.team_admin = team_admin
        self.learner = learner
        self._capture = capture

    def invite(self) -> str:
        with self._capture(execute=True):
            invitation_create(
                team=self.team, email="nina@example.com", role="member", by=self.team_admin
            )
        return re.search(r"/invitations/([A-Za-z0-9_-]+)/", mail.outbox[-1].body).group(1)


@pytest.fixture
def world(target, team_admin, learner, django_capture_on_commit_callbacks):
    return World(target, team_admin, learner, django_capture_on_commit_callbacks)


@pytest.mark.parametrize("name", ["Line\nbreak", "Tab\there", "Over\u202eride"])
@pytest.mark.parametrize("service", NAMED)
def test_every_service_refuses_a_name_that_is_not_one_line(world, service, name):
    field, call = NAMED[service]
    with pytest.raises(ValidationError) as refused:
        call(world, name)
    assert refused.value.message_dict == {field: [ONE_LINE]}


@pytest.mark.parametrize("service", NAMED)
def test_every_service_keeps_a_name_with_emoji_and_joiners(world, service):
    name = "Zoë 👩" + ZWJ + "🔧 می" + ZWNJ + "خواهم"
    NAMED[service][1](world, name)
    stored = {
        "team_create": lambda: Team.objects.get(slug="another").name,
        "team_rename": lambda: Team.objects.get(slug="another").name,
        "challenge_create": lambda: world.team.challenges.order_by("pk").last().title,
        "challenge_update": lambda: world.team.challenges.get().title,
        "storyboard_create": lambda: world.team.storyboards.order_by("pk").last().focus_process,
        "storyboard_update": lambda: Storyboard.objects.get(pk=world.storyboard.pk).focus_process,
        "metric_update name": lambda: Metric.objects.get(pk=world.process.pk).name,
        "metric_update unit": lambda: Metric.objects.get(pk=world.process.pk).unit,
        "metric_add name": lambda: world.target.metrics.get(kind="outcome").name,
        "metric_add unit": lambda: world.target.metrics.get(kind="outcome").unit,
        "actual_condition_record name": lambda: (
            world.team.storyboards.order_by("pk").last().actual_conditions.get().figures[0]["name"]
        ),
        "actual_condition_record unit": lambda: (
            world.team.storyboards.order_by("pk").last().actual_conditions.get().figures[0]["unit"]
        ),
        "target_condition_start metric": lambda: (
            world.team.storyboards.order_by("pk").last().target_conditions.get().metrics.get().name
        ),
        "target_condition_start unit": lambda: (
            world.team.storyboards.order_by("pk").last().target_conditions.get().metrics.get().unit
        ),
        "profile_update first": lambda: User.objects.get(pk=world.learner.pk).first_name,
        "profile_update last": lambda: User.objects.get(pk=world.learner.pk).last_name,
        "invitation_accept first": lambda: User.objects.get(username="nina").first_name,
        "invitation_accept last": lambda: User.objects.get(username="nina").last_name,
    }
    assert stored[service]() == name


# At the forms -----------------------------------------------------------------------------------


def test_the_account_page_refuses_a_name_with_a_line_break(client_for, learner):
    data = {"first_name": "Lena\nDROP", "last_name": "Park\t", "email": learner.email}
    response = client_for(learner).post(reverse("account"), data)
    assert response.status_code == 422
    assert ONE_LINE in response.content.decode()
    assert User.objects.get(pk=learner.pk).first_name == "Lena"


def test_the_invitation_refuses_a_name_with_a_control_character(world, client):
    token = world.invite()
    data = {
        "first_name": "Nina",
        "last_name": "Berg\x1b[2J",
        "username": "nina",
        "password1": "mauve-tractor-41-lantern",
        "password2": "mauve-tractor-41-lantern",
    }
    response = client.post(reverse("boards:invitation", args=[token]), data)
    assert response.status_code == 422
    assert ONE_LINE in response.content.decode()
    assert not User.objects.filter(username="nina").exists()


def test_a_metric_cannot_be_renamed_across_two_lines(client_for, learner, world):
    url = reverse("boards:metric_edit", args=[world.storyboard.pk, world.process.pk])
    data = {
        "name": "Pick time\nper order",
        "unit": "min",
        "target_value": "30",
        "higher_is_better": "0",
        "version": world.process.version,
    }
    response = client_for(learner).post(url, data)
    assert response.status_code == 422
    assert ONE_LINE in response.content.decode()
    assert Metric.objects.get(pk=world.process.pk).name == "Pick time per order"


def test_a_new_target_conditions_metric_unit_stays_on_one_line(client_for, learner, storyboard):
    url = reverse("boards:target_new", args=[storyboard.pk])
    data = {
        "operating_pattern": "Flow",
        "achieve_by": (timezone.localdate() + timedelta(days=14)).isoformat(),
        "process_name": "Lead time",
        "process_unit": "working\u2028days",
        "process_target": "3",
        "process_higher": "0",
    }
    response = client_for(learner).post(url, data)
    assert response.status_code == 422
    assert ONE_LINE in response.content.decode()
    assert not storyboard.target_conditions.exists()


def test_a_team_cannot_be_created_or_renamed_across_two_lines(
    client_for, team_admin, team, settings
):
    settings.KATA_TEAM_CREATORS = "everyone"
    client = client_for(team_admin)
    response = client.post(reverse("boards:team_new"), {"name": "Dispatch\nNight", "slug": "x"})
    assert response.status_code == 422
    assert ONE_LINE in response.content.decode()
    assert not Team.objects.filter(slug="x").exists()
    url = reverse("boards:team_settings", args=[team.slug])
    response = client.post(url, {"name": "Dis\tpatch", "slug": team.slug})
    assert response.status_code == 422
    assert ONE_LINE in response.content.decode()
    assert Team.objects.get(pk=team.pk).name == "Dispatch"


def test_a_challenge_and_a_focus_process_stay_on_one_line(client_for, learner, world):
    client = client_for(learner)
    url = reverse("boards:challenge_new", args=[world.team.slug])
    horizon = (timezone.localdate() + timedelta(days=365)).isoformat()
    response = client.post(url, {"title": "Ship\nsame day", "horizon": horizon})
    assert response.status_code == 422
    assert ONE_LINE in response.content.decode()
    assert world.team.challenges.count() == 1
    url = reverse("boards:storyboard_edit", args=[world.storyboard.pk])
    data = {
        "focus_process": "Order\tpicking",
        "challenge": world.storyboard.challenge_id,
        "version": world.storyboard.version,
    }
    response = client.post(url, data)
    assert response.status_code == 422
    assert ONE_LINE in response.content.decode()
    assert Storyboard.objects.get(pk=world.storyboard.pk).focus_process == "Order picking"


def test_a_new_metric_and_a_first_grasp_stay_on_one_line(client_for, learner, world, storyboard):
    client = client_for(learner)
    Metric.objects.filter(target_condition=world.target, kind="outcome").delete()
    data = {"kind": "outcome", "name": "On\ntime", "unit": "%", "target_value": "95"}
    data["higher_is_better"] = "1"
    response = client.post(reverse("boards:metric_new", args=[world.storyboard.pk]), data)
    assert response.status_code == 422
    assert ONE_LINE in response.content.decode()
    assert not world.target.metrics.filter(kind="outcome").exists()
    board = storyboard_create(
        team=world.team, challenge=storyboard.challenge, focus_process="Packing", learner=learner
    )
    data = {
        "operating_pattern": "Two walks",
        "process_name": "Pick time",
        "process_unit": "min\tper order",
        "process_higher": "0",
        "process_value": "41",
    }
    response = client.post(reverse("boards:actual_new", args=[board.pk]), data)
    assert response.status_code == 422
    assert ONE_LINE in response.content.decode()
    assert not board.actual_conditions.exists()
