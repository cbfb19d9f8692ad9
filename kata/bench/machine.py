"""What the benchmark ran on: production-like settings, the machine and the database."""

from __future__ import annotations

import os
import platform
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import django
from django.conf import settings
from django.db import connection


def rerun_without_debug() -> int:
    """Run ``manage.py bench`` again as production runs, returning its exit status.

    DEBUG off (no query log, cached templates, manifest static files); HTTPS redirects off since
    everything here is plain loopback HTTP.
    """
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        # Required with DEBUG off; links in the calendar feed and the export are built from it.
        "SITE_URL": os.environ.get("SITE_URL") or "http://127.0.0.1:8000",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "bench", *sys.argv[2:]]
    return subprocess.call(command, env=env, cwd=settings.BASE_DIR)


def load_average() -> float | None:
    """The one-minute load average, where the platform has one."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


def database() -> str:
    """The database's product, version and name."""
    name = settings.DATABASES["default"]["NAME"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            row = cursor.fetchone()
        return f"PostgreSQL {row[0] if row else '?'} ({name})"
    return f"SQLite {sqlite3.sqlite_version} ({name})"


def machine() -> dict[str, str | int | float | None]:
    """CPUs, memory and software versions, for the report."""
    info: dict[str, str | int | float | None] = {
        "cpus": os.cpu_count(),
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return info
