"""Start Kata as docker-compose.yml describes it, natively, and use it over HTTP.

Nothing about the production shape is restated here: each service's command, each health
check's command and the environment come from docker-compose.yml, with .env.example's values
beneath them (as `env_file: .env` would give them) and the three values an operator must fill
in (SECRET_KEY, ALLOWED_HOSTS, SITE_URL) on top. Running natively changes only what a container
network gives: the hosts `db` and `redis` become 127.0.0.1, the web port a free one, the app's
/app folder this checkout, and the database and Redis index private to this run. Then the
script signs in through the TLS proxy's headers, loads a storyboard and a static file, sees the
worker take a task from the broker, and stops everything.
"""

import http.cookies
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
PG = os.environ.get("SMOKE_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "kata_smoke"
LOGS = ROOT / "var" / "smoke"
PUBLIC_HOST = "kata.example.com"  # what the README tells operators to put in ALLOWED_HOSTS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


DOTENV = env_example()


def interpolate(text: str) -> str:
    """Compose's ${VAR:-default} from the .env values; $$ is a literal $."""

    def value(match: re.Match) -> str:
        name, default = match.group(1), match.group(3) or ""
        return DOTENV.get(name) or os.environ.get(name) or default

    text = re.sub(r"\$\{(\w+)(:-([^}]*))?\}", value, text)
    return text.replace("$$", "$")


def native(text: str) -> str:
    """What the container network provides, mapped onto loopback and this checkout."""
    text = text.replace("@db:5432/kata", f"@127.0.0.1:5432/{DB_NAME}")
    text = text.replace("redis://redis:6379/0", "redis://127.0.0.1:6379/5")
    text = text.replace("0.0.0.0:8000", f"127.0.0.1:{PORT}").replace(":8000/", f":{PORT}/")
    return text.replace("/app/", f"{ROOT}/")


def service_env(name: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in DOTENV}
    env.update(DOTENV)  # env_file: .env, copied from .env.example
    for key, value in (SERVICES[name].get("environment") or {}).items():
        env[key] = native(interpolate(str(value)))
    env.update(
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS=PUBLIC_HOST,
        SITE_URL=f"https://{PUBLIC_HOST}",
        KATA_VAR_DIR=str(LOGS),
        PATH=f"{VENV}:{os.environ['PATH']}",
        HOSTNAME=socket.gethostname(),
    )
    return env


def command(name: str) -> list[str]:
    return command_line([native(interpolate(str(arg))) for arg in SERVICES[name]["command"]])


def health_check(name: str) -> list[str]:
    test = SERVICES[name]["healthcheck"]["test"]
    if test[0] == "CMD-SHELL":
        return ["sh", "-c", native(interpolate(test[1]))]
    assert test[0] == "CMD", test
    return command_line([native(interpolate(str(arg))) for arg in test[1:]])


def command_line(args: list[str]) -> list[str]:
    """`python`, `gunicorn` and `celery` are the checkout's own."""
    if (VENV / args[0]).exists():
        args[0] = str(VENV / args[0])
    return args


def healthy(name: str) -> bool:
    check = health_check(name)
    env = {**service_env(name), "PGHOST": "127.0.0.1"}
    done = subprocess.run(check, cwd=ROOT, env=env, capture_output=True, timeout=30)
    if done.returncode != 0:
        print(f"smoke: {name} health check not yet: {shlex.join(check)}: {done.stderr[-300:]!r}")
    return done.returncode == 0


ENV = service_env("web")


class Browser:
    """Just enough of a browser: cookies (Secure ones too, since the proxy speaks TLS)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        # Behind the TLS proxy: the public host name and the proxy's header.
        headers = {"X-Forwarded-Proto": "https", "Host": PUBLIC_HOST}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{PUBLIC_HOST}{path}"
            headers["Origin"] = f"https://{PUBLIC_HOST}"
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


def run(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(args, cwd=ROOT, env=env or ENV, check=True)


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
    # The compose file's database user, as the postgres image creates it from its environment.
    db_env = {key: interpolate(str(v)) for key, v in SERVICES["db"]["environment"].items()}
    user, password = db_env["POSTGRES_USER"], db_env["POSTGRES_PASSWORD"]
    sql = (
        f"DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{user}') THEN "
        f"CREATE ROLE {user} LOGIN; END IF; END$$; "
        f"ALTER ROLE {user} PASSWORD '{password}'; ALTER DATABASE {DB_NAME} OWNER TO {user};"
    )
    run("psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", DB_NAME, "-c", sql)
    for name in ("db", "redis"):
        wait_until(lambda name=name: healthy(name), f"the {name} health check")

    run(*command("migrate"), env=service_env("migrate"))
    # The image runs collectstatic when it is built (Dockerfile); seed_demo gives the walk a board.
    run(str(VENV / "python"), "manage.py", "collectstatic", "--noinput", "-v0")
    run(str(VENV / "python"), "manage.py", "seed_demo")

    processes = {}
    try:
        for name in ("web", "worker", "beat"):
            log = open(LOGS / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
            print(f"smoke: {name}: {shlex.join(command(name))}")
            processes[name] = subprocess.Popen(
                command(name),
                cwd=ROOT,
                env=service_env(name),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        for name in ("web", "worker"):
            wait_until(lambda name=name: healthy(name), f"the {name} health check", timeout=90)
            print(f"smoke: {name} health check passes: {shlex.join(health_check(name))}")

        browser = Browser()
        status, body, _ = browser.request("/healthz")
        print(f"smoke: /healthz through the proxy {status} {body}")
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
