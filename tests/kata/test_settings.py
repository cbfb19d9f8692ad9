"""Settings come from the environment; a bad one stops start-up with one line naming it."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 60
# The test run's own database and broker, and the browser tests' async switch, are not what a
# fresh start sees.
IGNORED = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")


def start(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in IGNORED}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "kata.settings",
            "KATA_VAR_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_nothing_set_starts_in_development_mode(tmp_path):
    env = dict.fromkeys(("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"), "")
    result = start(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DEBUG": "false", "SECRET_KEY": "", "ALLOWED_HOSTS": "kata.example.com"}, "SECRET_KEY"),
        ({"DEBUG": "false", "SECRET_KEY": "short", "ALLOWED_HOSTS": "x.org"}, "SECRET_KEY"),
        ({"DEBUG": "false", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        (
            {"DEBUG": "false", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "x.org", "SITE_URL": ""},
            "SITE_URL",
        ),
        (
            {"DEBUG": "false", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "x.org", "SITE_URL": "x"},
            "SITE_URL",
        ),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DATABASE_URL": "nonsense://"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"TIME_ZONE": "Mars/Olympus"}, "TIME_ZONE"),
        ({"EMAIL_HOST": "smtp.example.com", "EMAIL_PORT": "twenty-five"}, "EMAIL_PORT"),
        ({"KATA_TEAM_CREATORS": "admins"}, "KATA_TEAM_CREATORS"),
    ],
)
def test_a_missing_or_invalid_setting_fails_with_one_line_naming_it(tmp_path, env, named):
    result = start(tmp_path, **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Kata configuration error: {named} ")


@pytest.mark.parametrize(("value", "read"), [("", "everyone"), ("Staff", "staff")])
def test_who_may_create_teams_is_read_in_any_case(tmp_path, value, read):
    clean = {k: v for k, v in os.environ.items() if k not in IGNORED}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from django.conf import settings; print(settings.KATA_TEAM_CREATORS)",
        ],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "kata.settings",
            "KATA_VAR_DIR": str(tmp_path),
            "KATA_TEAM_CREATORS": value,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == read


def test_production_settings_pass_the_deployment_checks(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k not in IGNORED}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **clean,
            "DEBUG": "false",
            "SECRET_KEY": GOOD_KEY + "-x9!Q",
            "KATA_VAR_DIR": str(tmp_path),
            "ALLOWED_HOSTS": "kata.example.com",
            "SITE_URL": "https://kata.example.com",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_environment_variable_is_documented_in_env_example():
    read = set(
        re.findall(
            r'env(?:str|bool|int|list)\("([A-Z_]+)"', (ROOT / "kata" / "settings.py").read_text()
        )
    )
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert read - documented == set()
