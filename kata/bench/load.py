"""The load test: the app under gunicorn, driven from a separate locust process.

locust runs ``kata/bench/locustfile.py`` (by path) with a plan written here: signed-in sessions
for its users and the scale boards they watch. Its statistics come back as figures.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management.base import CommandError
from django.utils.module_loading import import_string

from boards.demo.constants import SCALE_SLUG_PATTERN
from boards.models import Storyboard, User

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"


@dataclass(frozen=True)
class Load:
    """How much load: concurrent locust users, seconds, gunicorn workers."""

    users: int
    duration: int
    workers: int


class RequestFigures(TypedDict):
    requests: int
    failures: int
    median_ms: float
    p95_ms: float


class LoadFigures(TypedDict):
    users: int
    duration_s: int
    workers: int
    requests: int
    failures: int
    rps: float
    median_ms: float
    p95_ms: float
    by_request: dict[str, RequestFigures]


def load_test(load: Load, manager: User, out: Path, note: Callable[[str], None]) -> LoadFigures:
    """Serve the app with gunicorn and let locust's users, all ``manager``, watch boards."""
    # Only looked up, not imported: locust patches the standard library with gevent.
    if importlib.util.find_spec("locust") is None:
        raise CommandError(
            "The load test needs locust: pip install -e '.[bench]' (or pass --no-load)."
        )
    port = _free_port()
    host = f"http://127.0.0.1:{port}"
    plan = out / "locust-plan.json"
    plan.write_text(json.dumps(locust_plan(load.users, manager)))
    env = {**os.environ, "KATA_BENCH_PLAN": str(plan)}
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kata.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(load.workers),
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    try:
        _wait_until_up(f"{host}/login/")
        note(
            f"gunicorn with {load.workers} workers on {host}; locust with "
            f"{load.users} users for {load.duration} s..."
        )
        prefix = out / "locust"
        locust = shutil.which("locust", path=str(Path(sys.executable).parent)) or "locust"
        completed = subprocess.run(
            [
                locust,
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--users",
                str(load.users),
                "--spawn-rate",
                str(load.users),
                "--run-time",
                f"{load.duration}s",
                "--host",
                host,
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "5",
                "--loglevel",
                "WARNING",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        (out / "locust.log").write_text(completed.stdout + completed.stderr)
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=20)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
    return locust_figures(prefix, load, out)


def locust_plan(users: int, manager: User) -> dict[str, object]:
    """Signed-in sessions for the simulated users and the boards they watch."""
    engine = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    # The backend that loads users back from a session (django-axes' comes first, for sign-in
    # attempts only).
    backend = next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if hasattr(import_string(path), "get_user")
    )
    sessions = []
    for _ in range(users):
        store = engine()
        store[SESSION_KEY] = str(manager.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = manager.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    boards = list(
        Storyboard.objects.filter(team__slug__regex=SCALE_SLUG_PATTERN, is_active=True)
        .order_by("?")
        .values_list("pk", "revision")[:200]
    )
    return {
        "cookie": settings.SESSION_COOKIE_NAME,
        "sessions": sessions,
        "boards": boards,
    }


def locust_figures(prefix: Path, load: Load, out: Path) -> LoadFigures:
    """The totals and per-request figures from locust's statistics file."""
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise CommandError(f"locust wrote no statistics: see {out / 'locust.log'}")
    with stats.open() as file:
        rows = {row["Name"]: row for row in csv.DictReader(file)}
    total = rows["Aggregated"]
    per_name: dict[str, RequestFigures] = {
        name: {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "median_ms": float(row["Median Response Time"]),
            "p95_ms": float(row["95%"]),
        }
        for name, row in rows.items()
        if name != "Aggregated"
    }
    return {
        "users": load.users,
        "duration_s": load.duration,
        "workers": load.workers,
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": round(float(total["Requests/s"]), 1),
        "median_ms": float(total["Median Response Time"]),
        "p95_ms": float(total["95%"]),
        "by_request": per_name,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise CommandError(f"gunicorn did not answer {url} within {timeout:g} s.")
        time.sleep(0.3)
