"""``manage.py bench`` (``make bench``): how fast the main pages are at scale, and under load.

1. Builds scale data once (``seed_demo`` bulk options and ``seed_scale_coaching``) and updates
   the planner statistics.
2. Times each page in-process with Django's test client, after a warm-up, interleaving the
   pages so that they share the machine's ups and downs: median, 95th percentile and query
   count, each time also as a ratio to the floor (a signed-in view that returns "ok" through
   the same middleware, session and user lookup). The dashboard's query plans go to a file.
3. Serves the app with gunicorn and drives it from a separate locust process for a fixed time
   at 50 concurrent users opening boards and polling them; reports requests per second and
   errors.

It always measures with DEBUG off (as production runs): started with DEBUG on, it runs itself
again with production-like settings. Results go to ``var/bench/``.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import platform
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import django
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, Q
from django.http import StreamingHttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.module_loading import import_string

from boards.demo.constants import SCALE_SLUG_PATTERN
from boards.models import Membership, Role, Storyboard, TargetCondition, Team, User
from boards.sections import board_changed
from coaching.models import CoachingCycle, CoachingPreferences

BENCH_MANAGER = "bench-manager"
# Targets as ratios of the median time to the floor's median, from the issue.
TARGETS = {"poll": 2, "fragment": 5, "board": 10, "dashboard": 15}
LOCUSTFILE = Path(__file__).resolve().parents[2] / "bench" / "locustfile.py"


@dataclass
class Endpoint:
    key: str
    label: str
    url: str
    # Who asks: the typical board's "coach", the "busiest" or "changing" board's, or "manager".
    client: str
    headers: dict = field(default_factory=dict)
    status: int = 200
    target: float | None = None
    # Run, untimed, before every request: a change to the board, so nothing of it is cached.
    before: Callable[[], None] | None = None


@dataclass
class Result:
    key: str
    label: str
    url: str
    median_ms: float
    p95_ms: float
    ratio: float
    p95_ratio: float
    b2b_median_ms: float
    b2b_ratio: float
    queries: int
    target: float | None
    ok: bool


class Command(BaseCommand):
    help = (
        "Benchmark at scale: seed bulk data if missing, time the main pages against a trivial "
        "view, then load-test under gunicorn with locust. Writes var/bench/."
    )

    def add_arguments(self, parser):
        sizes = parser.add_argument_group("scale data (used only when none exists yet)")
        sizes.add_argument("--teams", type=int, default=200)
        sizes.add_argument("--storyboards", type=int, default=1000)
        sizes.add_argument("--experiments", type=int, default=50_000)
        sizes.add_argument("--measurements", type=int, default=200_000)
        sizes.add_argument("--cycles", type=int, default=20_000)
        timing = parser.add_argument_group("timing")
        timing.add_argument("--warmup", type=int, default=20, help="requests per page first")
        timing.add_argument("--iterations", type=int, default=200, help="timed requests per page")
        load = parser.add_argument_group("load test")
        load.add_argument("--users", type=int, default=50, help="concurrent locust users")
        load.add_argument("--duration", type=int, default=30, help="seconds of load")
        load.add_argument(
            "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers"
        )
        load.add_argument("--no-load", action="store_true", help="skip gunicorn and locust")
        parser.add_argument("--out", default=str(settings.VAR_DIR / "bench"))

    def handle(self, *args, **options):
        if settings.DEBUG:
            return self.rerun_without_debug()
        self.load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        self.out = Path(options["out"])
        self.out.mkdir(parents=True, exist_ok=True)
        self.vendor = connection.vendor
        self.note(f"Database: {self.database()}")
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        self.seed(options)
        self.setup_people()
        endpoints = self.endpoints()
        results = self.measure(endpoints, options["warmup"], options["iterations"])
        self.explain_dashboard()
        load = None if options["no_load"] else self.load_test(options)
        report = self.report(results, load, options)
        (self.out / "results.txt").write_text(report)
        (self.out / "results.json").write_text(
            json.dumps(
                {
                    "machine": self.machine(),
                    "database": self.database(),
                    "scale": self.scale,
                    "boards": self.board_facts,
                    "results": [asdict(r) for r in results],
                    "load": load,
                },
                indent=2,
                default=str,
            )
        )
        self.stdout.write(report)
        self.note(f"Written to {self.out / 'results.txt'} and results.json")
        failed = [r for r in results if not r.ok]
        if failed or (load and (load["failures"] or not load["requests"])):
            raise CommandError("A target was missed or the load test had errors: see above.")

    # Settings ------------------------------------------------------------------------------------

    def rerun_without_debug(self) -> None:
        """Run again as production runs: DEBUG off (no query log, cached templates, manifest
        static files), HTTPS redirects off since everything here is plain loopback HTTP."""
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
        self.note("DEBUG is on: running the benchmark again with production-like settings.")
        command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "bench", *sys.argv[2:]]
        code = subprocess.call(command, env=env, cwd=settings.BASE_DIR)
        if code:
            raise CommandError(f"The benchmark stopped with exit status {code}.")

    def note(self, text: str) -> None:
        self.stderr.write(text)

    def database(self) -> str:
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
            return f"PostgreSQL {version} ({settings.DATABASES['default']['NAME']})"
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} ({settings.DATABASES['default']['NAME']})"

    def machine(self) -> dict:
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

    # Data ----------------------------------------------------------------------------------------

    def seed(self, options) -> None:
        if not Team.objects.filter(slug__regex=SCALE_SLUG_PATTERN).exists():
            self.note("Seeding scale data (a minute or two)...")
            call_command(
                "seed_demo",
                teams=options["teams"],
                storyboards=options["storyboards"],
                experiments=options["experiments"],
                measurements=options["measurements"],
                stdout=self.stderr,
            )
        call_command("seed_scale_coaching", cycles=options["cycles"], stdout=self.stderr)
        # Fresh bulk data has no planner statistics yet; autovacuum would gather them soon.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if self.vendor == "postgresql" else "ANALYZE")
        scale = Q(team__slug__regex=SCALE_SLUG_PATTERN)
        self.scale = {
            "teams": Team.objects.filter(slug__regex=SCALE_SLUG_PATTERN).count(),
            "storyboards": Storyboard.objects.filter(scale).count(),
            "experiments": TargetCondition.objects.filter(
                storyboard__team__slug__regex=SCALE_SLUG_PATTERN
            ).aggregate(n=Count("experiments"))["n"],
            "measurements": TargetCondition.objects.filter(
                storyboard__team__slug__regex=SCALE_SLUG_PATTERN
            ).aggregate(n=Count("metrics__measurements"))["n"],
            "coaching cycles": CoachingCycle.objects.filter(
                storyboard__team__slug__regex=SCALE_SLUG_PATTERN
            ).count(),
        }
        self.note("Scale data: " + ", ".join(f"{n} {name}" for name, n in self.scale.items()))

    def setup_people(self) -> None:
        """A manager in every scale team; a typical board and the busiest; their coaches."""
        self.manager, _ = User.objects.get_or_create(
            username=BENCH_MANAGER, defaults={"first_name": "Bench", "last_name": "Manager"}
        )
        teams = Team.objects.filter(slug__regex=SCALE_SLUG_PATTERN).values_list("pk", flat=True)
        Membership.objects.bulk_create(
            [Membership(user=self.manager, team_id=pk, role=Role.MANAGER) for pk in teams],
            ignore_conflicts=True,
        )
        # Fresh statistics with the manager's 200 memberships: without them the planner expects
        # one and joins the dashboard's page of ids badly.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE boards_membership")
        # Every active scale board by how much its page shows: PDCA steps on the active
        # target and process measurements on its run chart. The targets apply to the typical
        # (median) board; the busiest is measured too, for the record.
        steps = dict(
            TargetCondition.objects.filter(
                status="active", storyboard__team__slug__regex=SCALE_SLUG_PATTERN
            )
            .annotate(n=Count("experiments"))
            .values_list("storyboard_id", "n")
        )
        measured = dict(
            TargetCondition.objects.filter(
                status="active", storyboard__team__slug__regex=SCALE_SLUG_PATTERN
            )
            .annotate(n=Count("metrics__measurements", filter=Q(metrics__kind="process")))
            .values_list("storyboard_id", "n")
        )
        coached = set(
            Storyboard.objects.filter(pk__in=steps, coach__isnull=False).values_list(
                "pk", flat=True
            )
        )
        ranked = sorted((steps[pk] + measured.get(pk, 0), pk) for pk in steps if pk in coached)
        if not ranked:
            raise CommandError("No scale storyboard with an active target and a coach.")
        middle = len(ranked) // 2
        boards = Storyboard.objects.select_related("coach").in_bulk(
            [ranked[middle][1], ranked[middle + 1][1], ranked[-1][1]]
        )
        self.board = boards[ranked[middle][1]]
        # Its neighbour by size is changed before every read, leaving the typical board's
        # cached sections alone, as a change on one board does for every other.
        self.changing = boards[ranked[middle + 1][1]]
        self.busiest = boards[ranked[-1][1]]
        self.coach = _coach_of(self.board)
        self.prefs, _ = CoachingPreferences.objects.get_or_create(user=self.coach)
        self.board_facts = {
            name: {
                "storyboard": board.pk,
                "focus_process": board.focus_process,
                "pdca_steps_on_active_target": steps[board.pk],
                "process_measurements": measured.get(board.pk, 0),
                "coach": _coach_of(board).username,
            }
            for name, board in (
                ("typical", self.board),
                ("changing", self.changing),
                ("busiest", self.busiest),
            )
        }
        for name, facts in self.board_facts.items():
            self.note(
                f"{name.capitalize()} board: #{facts['storyboard']}, "
                f"{facts['pdca_steps_on_active_target']} PDCA steps and "
                f"{facts['process_measurements']} process measurements on its active target."
            )

    def endpoints(self) -> list[Endpoint]:
        board = f"/boards/{self.board.pk}/"
        htmx = {"HX-Request": "true"}
        return [
            Endpoint("floor", "Trivial signed-in view (the floor)", "/bench/floor", "coach"),
            Endpoint(
                "poll",
                "Live-update poll, nothing changed",
                f"{board}poll?since={self.board.revision}",
                "coach",
                htmx,
                status=204,
                target=TARGETS["poll"],
            ),
            Endpoint(
                "fragment",
                "htmx fragment update (PDCA record section)",
                f"{board}?section=record",
                "coach",
                htmx,
                target=TARGETS["fragment"],
            ),
            Endpoint(
                "board",
                "Storyboard page, full (typical board)",
                board,
                "coach",
                target=TARGETS["board"],
            ),
            Endpoint(
                "board_changed",
                "Storyboard page, first read after a change",
                f"/boards/{self.changing.pk}/",
                "changing",
                before=self.change_board,
            ),
            Endpoint(
                "fragment_changed",
                "htmx fragment, first read after a change",
                f"/boards/{self.changing.pk}/?section=record",
                "changing",
                htmx,
                before=self.change_board,
            ),
            Endpoint(
                "board_busiest",
                "Storyboard page, full (busiest board)",
                f"/boards/{self.busiest.pk}/",
                "busiest",
            ),
            Endpoint(
                "dashboard",
                "Dashboard, first page",
                "/dashboard/",
                "manager",
                target=TARGETS["dashboard"],
            ),
            Endpoint(
                "dashboard_filtered",
                "Dashboard, search + quick filter + computed sort",
                "/dashboard/?q=scale&overdue=1&sort=-pdca_7",
                "manager",
                target=TARGETS["dashboard"],
            ),
            Endpoint(
                "export", "Dashboard CSV export, every row", "/dashboard/export.csv", "manager"
            ),
            Endpoint("today", "Coach's today page", "/today/", "coach"),
            Endpoint(
                "calendar",
                "Calendar feed (iCalendar)",
                f"/calendar/{self.prefs.calendar_token}.ics",
                "coach",
            ),
        ]

    def change_board(self) -> None:
        """What any write does to a board's cached sections: retires them all."""
        board_changed(storyboards=[self.changing.pk])

    # In-process timing ---------------------------------------------------------------------------

    def measure(self, endpoints: list[Endpoint], warmup: int, iterations: int) -> list[Result]:
        with override_settings(
            ROOT_URLCONF="kata.bench.urls",
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            SECURE_SSL_REDIRECT=False,
        ):
            clients = {
                "coach": Client(),
                "manager": Client(),
                "busiest": Client(),
                "changing": Client(),
            }
            clients["changing"].force_login(_coach_of(self.changing))
            clients["coach"].force_login(self.coach)
            clients["manager"].force_login(self.manager)
            clients["busiest"].force_login(_coach_of(self.busiest))

            def fetch(endpoint: Endpoint) -> float:
                """Seconds to answer one request (its untimed ``before`` done first)."""
                if endpoint.before:
                    endpoint.before()
                started = time.perf_counter()
                response = clients[endpoint.client].get(endpoint.url, headers=endpoint.headers)
                if isinstance(response, StreamingHttpResponse):
                    response.getvalue()
                elapsed = time.perf_counter() - started
                if response.status_code != endpoint.status:
                    raise CommandError(
                        f"{endpoint.url} answered {response.status_code}, not {endpoint.status}."
                    )
                return elapsed

            queries = {}
            for endpoint in endpoints:
                for _ in range(warmup):
                    fetch(endpoint)
                if endpoint.before:
                    endpoint.before()
                with CaptureQueriesContext(connection) as captured:
                    fetch(replace(endpoint, before=None))
                queries[endpoint.key] = len(captured)
            self.note(f"Timing {len(endpoints)} pages, {iterations} requests each, twice...")
            # Mixed: every round asks for each page once, in a shuffled order, as a server
            # handling mixed traffic would. Back to back: each page many times in a row, every
            # cache warm for it; the floor gains most from that.
            mixed: dict[str, list[float]] = {e.key: [] for e in endpoints}
            order = list(endpoints)
            shuffle = random.Random(2026).shuffle
            for _ in range(iterations):
                shuffle(order)
                for endpoint in order:
                    mixed[endpoint.key].append(fetch(endpoint))
            back_to_back = {
                endpoint.key: [fetch(endpoint) for _ in range(iterations)] for endpoint in endpoints
            }
        floor = statistics.median(mixed["floor"])
        floor_b2b = statistics.median(back_to_back["floor"])
        results = []
        for endpoint in endpoints:
            samples = mixed[endpoint.key]
            median = statistics.median(samples)
            p95 = statistics.quantiles(samples, n=20)[18]
            ratio = median / floor
            b2b = statistics.median(back_to_back[endpoint.key])
            results.append(
                Result(
                    key=endpoint.key,
                    label=endpoint.label,
                    url=endpoint.url,
                    median_ms=round(median * 1000, 2),
                    p95_ms=round(p95 * 1000, 2),
                    ratio=round(ratio, 2),
                    p95_ratio=round(p95 / floor, 2),
                    b2b_median_ms=round(b2b * 1000, 2),
                    b2b_ratio=round(b2b / floor_b2b, 2),
                    queries=queries[endpoint.key],
                    target=endpoint.target,
                    ok=endpoint.target is None or ratio <= endpoint.target,
                )
            )
        return results

    def explain_dashboard(self) -> None:
        """The dashboard's queries with their plans, as the database ran them just now."""
        lines = []
        with override_settings(
            ROOT_URLCONF="kata.bench.urls",
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            SECURE_SSL_REDIRECT=False,
        ):
            client = Client()
            client.force_login(self.manager)
            for url in ("/dashboard/", "/dashboard/?q=scale&overdue=1&sort=-pdca_7"):
                with CaptureQueriesContext(connection) as captured:
                    client.get(url)
                lines.append(f"==== {url}: {len(captured)} queries ====\n")
                for query in captured.captured_queries:
                    sql = query["sql"]
                    if "django_session" in sql or sql.startswith('SELECT "boards_user"."id", '):
                        lines.append(f"-- (session and user lookup) {sql[:90]}...\n")
                        continue
                    explain = (
                        "EXPLAIN (ANALYZE, BUFFERS) "
                        if self.vendor == "postgresql"
                        else "EXPLAIN QUERY PLAN "
                    )
                    with connection.cursor() as cursor:
                        cursor.execute(explain + sql)
                        plan = [" | ".join(map(str, row)) for row in cursor.fetchall()]
                    lines.append(f"\n{sql}\n\n" + "\n".join(plan) + "\n\n")
        path = self.out / "explain-dashboard.txt"
        path.write_text("".join(lines))
        self.note(f"Dashboard query plans written to {path}")

    # Load test -----------------------------------------------------------------------------------

    def load_test(self, options) -> dict:
        # Only looked up, not imported: locust patches the standard library with gevent.
        if importlib.util.find_spec("locust") is None:
            raise CommandError(
                "The load test needs locust: pip install -e '.[bench]' (or pass --no-load)."
            )
        port = _free_port()
        host = f"http://127.0.0.1:{port}"
        plan = self.out / "locust-plan.json"
        plan.write_text(json.dumps(self.locust_plan(options["users"])))
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
                str(options["workers"]),
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )
        try:
            _wait_until_up(f"{host}/login/")
            self.note(
                f"gunicorn with {options['workers']} workers on {host}; locust with "
                f"{options['users']} users for {options['duration']} s..."
            )
            prefix = self.out / "locust"
            locust = shutil.which("locust", path=str(Path(sys.executable).parent)) or "locust"
            completed = subprocess.run(
                [
                    locust,
                    "-f",
                    str(LOCUSTFILE),
                    "--headless",
                    "--users",
                    str(options["users"]),
                    "--spawn-rate",
                    str(options["users"]),
                    "--run-time",
                    f"{options['duration']}s",
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
            (self.out / "locust.log").write_text(completed.stdout + completed.stderr)
        finally:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=20)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        return self.locust_figures(prefix, options)

    def locust_plan(self, users: int) -> dict:
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
            store[SESSION_KEY] = str(self.manager.pk)
            store[BACKEND_SESSION_KEY] = backend
            store[HASH_SESSION_KEY] = self.manager.get_session_auth_hash()
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

    def locust_figures(self, prefix: Path, options) -> dict:
        stats = Path(f"{prefix}_stats.csv")
        if not stats.exists():
            raise CommandError(f"locust wrote no statistics: see {self.out / 'locust.log'}")
        rows = {row["Name"]: row for row in csv.DictReader(stats.open())}
        total = rows["Aggregated"]
        per_name = {
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
            "users": options["users"],
            "duration_s": options["duration"],
            "workers": options["workers"],
            "requests": int(total["Request Count"]),
            "failures": int(total["Failure Count"]),
            "rps": round(float(total["Requests/s"]), 1),
            "median_ms": float(total["Median Response Time"]),
            "p95_ms": float(total["95%"]),
            "by_request": per_name,
        }

    # Report --------------------------------------------------------------------------------------

    def report(self, results: list[Result], load: dict | None, options) -> str:
        machine = self.machine()
        lines = [
            f"Kata benchmark, {timezone.now():%Y-%m-%d %H:%M} UTC",
            f"Machine: {machine['cpus']} CPUs ({machine['cpu']}), "
            f"{machine.get('memory_gib', '?')} GiB; Python {machine['python']}, "
            f"Django {machine['django']}",
            f"Database: {self.database()}",
            f"Load average when the run started: {self.load_before:.2f} "
            "(other work on the machine inflates the figures)"
            if self.load_before is not None
            else "",
            "Scale: " + ", ".join(f"{n} {name}" for name, n in self.scale.items()),
            *(
                f"{name.capitalize()} board: #{facts['storyboard']}, "
                f"{facts['pdca_steps_on_active_target']} PDCA steps and "
                f"{facts['process_measurements']} process measurements on its active target"
                for name, facts in self.board_facts.items()
            ),
            f"In-process, DEBUG off, {options['warmup']} warm-up, then {options['iterations']} "
            "requests per page mixed (shuffled rounds, one request per page each; the targets "
            "are judged on these) and as many back to back (one page at a time).",
            "",
            f"{'page':<50} {'median':>9} {'p95':>9} {'x floor':>8} {'p95 x':>7} "
            f"{'b2b':>9} {'b2b x':>6} {'queries':>8} {'target':>7}",
        ]
        for r in results:
            target = f"<= {r.target:g}x" if r.target else ""
            flag = "" if r.ok else "  OVER TARGET"
            lines.append(
                f"{r.label:<50} {r.median_ms:>7.2f}ms {r.p95_ms:>7.2f}ms {r.ratio:>7.1f}x "
                f"{r.p95_ratio:>6.1f}x {r.b2b_median_ms:>7.2f}ms {r.b2b_ratio:>5.1f}x "
                f"{r.queries:>8} {target:>7}{flag}"
            )
        if load:
            lines += [
                "",
                f"Load: gunicorn, {load['workers']} sync workers; locust, {load['users']} users, "
                f"{load['duration_s']} s, no think time; each user opens a board, then polls it "
                "nine times (the live-update poll), then moves to another board.",
                f"  {load['requests']} requests, {load['rps']} requests/s, "
                f"{load['failures']} errors; median {load['median_ms']:g} ms, "
                f"95th percentile {load['p95_ms']:g} ms",
            ]
            for name, row in load["by_request"].items():
                lines.append(
                    f"  {name:<28} {row['requests']:>7} requests, {row['failures']} errors, "
                    f"median {row['median_ms']:g} ms, p95 {row['p95_ms']:g} ms"
                )
        return "\n".join(lines) + "\n"


def _coach_of(board: Storyboard) -> User:
    """The boards measured were chosen for having a coach."""
    if board.coach is None:
        raise CommandError(f"Storyboard {board.pk} has no coach.")
    return board.coach


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
