"""Start Kata in its production shape natively and use it over HTTP, as docker-compose would.

gunicorn, a Celery worker and Celery beat run against PostgreSQL and Redis on loopback with
DEBUG off. The script checks /healthz, signs in, loads a storyboard and a static file, sees the
worker take a task from the broker, then stops everything. Requests carry X-Forwarded-Proto:
https, as they would behind the TLS proxy the production settings expect.
"""

import http.cookies
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PG = os.environ.get("SMOKE_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "kata_smoke"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
ENV = {
    **os.environ,
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DATABASE_URL": f"{PG}/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/5",
    "KATA_VAR_DIR": str(ROOT / "var" / "smoke"),
    "SITE_URL": BASE,
}
LOGS = ROOT / "var" / "smoke"


class Browser:
    """Just enough of a browser: cookies (Secure ones too, since the proxy speaks TLS)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        headers = {"X-Forwarded-Proto": "https", "Host": f"127.0.0.1:{PORT}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://127.0.0.1:{PORT}{path}"
            headers["Origin"] = f"https://127.0.0.1:{PORT}"
        request = urllib.request.Request(BASE + path, data=body, headers=headers)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            response = opener.open(request, timeout=20)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, response.read().decode(errors="replace"), dict(response.headers)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def run(*args: str) -> None:
    subprocess.run(args, cwd=ROOT, env=ENV, check=True)


def wait_until(check, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"smoke: timed out waiting for {what}")


def main() -> None:
    LOGS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", DB_NAME])
    run("createdb", "-h", "127.0.0.1", "-U", "postgres", DB_NAME)
    run(str(VENV / "python"), "manage.py", "migrate", "--noinput", "-v0")
    run(str(VENV / "python"), "manage.py", "collectstatic", "--noinput", "-v0")
    run(str(VENV / "python"), "manage.py", "seed_demo")

    commands = {
        "gunicorn": [str(VENV / "gunicorn"), "kata.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2"],
        "worker": [str(VENV / "celery"), "-A", "kata", "worker", "-l", "INFO", "-c", "2"],
        "beat": [
            str(VENV / "celery"),
            "-A",
            "kata",
            "beat",
            "-l",
            "INFO",
            "--schedule",
            str(LOGS / "celerybeat-schedule"),
        ],
    }
    processes = {}
    try:
        for name, command in commands.items():
            log = open(LOGS / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
            processes[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=ENV,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        browser = Browser()
        wait_until(lambda: browser.request("/healthz")[0] == 200, "/healthz")
        status, body, _ = browser.request("/healthz")
        print(f"smoke: /healthz {status} {body}")
        assert '"database": "ok"' in body and '"broker": "ok"' in body, body

        status, body, headers = browser.request("/login/")
        assert status == 200, status
        assert "Content-Security-Policy" in headers and "Strict-Transport-Security" in headers
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        status, _, headers = browser.request(
            "/login/",
            {"username": "lena", "password": "kata-demo-2026", "csrfmiddlewaretoken": token},
        )
        assert status == 302, f"sign-in answered {status}"
        print("smoke: signed in as lena over HTTP")

        status, body, _ = browser.request("/")
        board = re.search(r'href="(/boards/\d+/)"', body).group(1)
        status, body, _ = browser.request(board)
        assert status == 200 and "PDCA cycles record" in body, status
        print(f"smoke: loaded the storyboard {board}")
        css = re.search(r'href="(/static/css/kata\.[0-9a-f]+\.css)"', body).group(1)
        assert browser.request(css)[0] == 200, css
        print(f"smoke: WhiteNoise served {css}")

        run(
            str(VENV / "python"),
            "manage.py",
            "shell",
            "-c",
            "from kata.tasks import heartbeat; heartbeat.delay()",
        )
        check = (
            "from kata.models import WorkerHeartbeat; import sys; "
            "sys.exit(0 if WorkerHeartbeat.objects.exists() else 1)"
        )
        wait_until(
            lambda: (
                subprocess.run(
                    [str(VENV / "python"), "manage.py", "shell", "-c", check], cwd=ROOT, env=ENV
                ).returncode
                == 0
            ),
            "the worker to run a task",
        )
        print("smoke: the Celery worker took a task from Redis and wrote to PostgreSQL")
        for name, process in processes.items():
            assert process.poll() is None, f"{name} exited early: see {LOGS / (name + '.log')}"
        print("smoke: gunicorn, worker and beat all running; production shape OK")
    finally:
        for process in processes.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
