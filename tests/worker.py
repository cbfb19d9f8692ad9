"""Start a real Celery worker process against the test database and the configured broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
# The running workers by queue, so that a test can kill one as a crash would.
_running: dict[str, subprocess.Popen] = {}


def test_database_url() -> str:
    """The URL of the database the tests are using, for a process started by a test."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


@contextmanager
def celery_worker(extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``celery worker`` on a queue of its own; yields the queue name to send tasks to."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "KATA_VAR_DIR": str(settings.VAR_DIR),
        "DJANGO_SETTINGS_MODULE": "kata.settings",
        **(extra_env or {}),
    }
    log_path = settings.VAR_DIR / f"{queue}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "kata",
                "worker",
                "--pool=solo",
                "--queues",
                queue,
                "--hostname",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _running[queue] = process
    try:
        yield queue
    finally:
        _running.pop(queue, None)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        output = log_path.read_text(errors="replace")
        log_path.unlink(missing_ok=True)
        if process.returncode not in (0, -signal.SIGTERM, -signal.SIGKILL):
            raise AssertionError(f"celery worker exited with {process.returncode}:\n{output}")


def kill_worker(queue: str) -> None:
    """SIGKILL the worker serving ``queue``: no handler runs, nothing is acknowledged."""
    process = _running[queue]
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=15)


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False
