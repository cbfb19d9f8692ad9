"""Shared fixtures: one team and its named people, and a storyboard with an active target.

``team`` has a team administrator, a learner (member), a coach, a manager and a read-only
viewer; ``outsider`` is a member of another team only, so every page of ``team`` should be a 404
for them.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from boards.models import Role, Storyboard, TargetCondition, Team, User
from boards.services.storyboards import challenge_create, storyboard_create
from boards.services.targets import target_condition_start
from tests.factories import MembershipFactory, TeamFactory, UserFactory


def pytest_report_header(config) -> list[str]:
    from django.conf import settings

    from tests.browser import browser_required, chromium_path

    chromium = chromium_path()
    if chromium:
        browsers = f"browser tests: run in {chromium}"
    elif browser_required():
        browsers = "browser tests: REQUIRED but no Chromium found, they will fail"
    else:
        browsers = "browser tests: NOT RUN, no Chromium found (apt-get install chromium)"
    return [
        f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}",
        f"broker: {settings.CELERY_BROKER_URL.split('://')[0]}",
        browsers,
    ]


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    # The production hasher takes a noticeable fraction of a second per user on purpose.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _cache_of_its_own(settings):
    # The database starts afresh for every test, so must the cache: a board's rendered sections
    # from one test must not answer for another board under the same primary key in the next.
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for alias, config in settings.CACHES.items()
    }


@pytest.fixture
def db_vendor(db) -> str:
    """``"postgresql"`` or ``"sqlite"``: for the few assertions that differ by database."""
    return connection.vendor


def _person(username: str, first_name: str, last_name: str, team: Team, role: str) -> User:
    user = UserFactory(username=username, first_name=first_name, last_name=last_name)
    MembershipFactory(user=user, team=team, role=role)
    return user


@pytest.fixture
def team(db) -> Team:
    return TeamFactory(name="Dispatch", slug="dispatch")


@pytest.fixture
def team_admin(team) -> User:
    return _person("ada", "Ada", "Lund", team, Role.ADMIN)


@pytest.fixture
def learner(team) -> User:
    return _person("lena", "Lena", "Park", team, Role.MEMBER)


@pytest.fixture
def coach(team) -> User:
    return _person("carl", "Carl", "Moss", team, Role.COACH)


@pytest.fixture
def manager(team) -> User:
    return _person("maria", "Maria", "Stone", team, Role.MANAGER)


@pytest.fixture
def viewer(team) -> User:
    return _person("vic", "Vic", "Hale", team, Role.VIEWER)


@pytest.fixture
def outsider(db) -> User:
    other_team = TeamFactory(name="Goods in", slug="goods-in")
    return _person("otto", "Otto", "Field", other_team, Role.MEMBER)


@pytest.fixture
def storyboard(team, learner, coach) -> Storyboard:
    challenge = challenge_create(
        team=team,
        title="Ship every order the day it arrives",
        horizon=timezone.localdate() + timedelta(days=365),
    )
    return storyboard_create(
        team=team,
        challenge=challenge,
        focus_process="Order picking",
        learner=learner,
        coach=coach,
        by=coach,
    )


@pytest.fixture
def target(storyboard, learner) -> TargetCondition:
    return target_condition_start(
        storyboard=storyboard,
        operating_pattern="Each order is picked in one walk, in aisle order.",
        achieve_by=timezone.localdate() + timedelta(days=14),
        process_metric={"name": "Pick time per order", "unit": "min", "target_value": "30"},
        outcome_metric={
            "name": "Orders shipped same day",
            "unit": "%",
            "target_value": "95",
            "higher_is_better": True,
        },
        by=learner,
    )


@pytest.fixture
def client_for(db) -> Callable[[User], Client]:
    """``client_for(user)``: a test client signed in as that user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


# Playwright fixtures (headless Chromium) for the browser tests.
from tests.browser import browser, new_page  # noqa: E402, F401
