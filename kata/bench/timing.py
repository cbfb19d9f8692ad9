"""In-process timings with Django's test client, as ratios to the floor, and the query plans.

Each page is asked for after a warm-up, in shuffled rounds so that the pages share the
machine's ups and downs (the targets are judged on these), then as many times back to back.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from boards.models import User
from kata.bench.data import People, coach_of
from kata.bench.endpoints import Endpoint

# The dashboard pages whose query plans are written out.
EXPLAINED = ("/dashboard/", "/dashboard/?q=scale&overdue=1&sort=-pdca_7")


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


@contextmanager
def bench_site() -> Iterator[None]:
    """The site with the floor view added, answering the test client over plain HTTP."""
    with override_settings(
        ROOT_URLCONF="kata.bench.urls",
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        SECURE_SSL_REDIRECT=False,
    ):
        yield


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def measure(
    endpoints: list[Endpoint],
    people: People,
    warmup: int,
    iterations: int,
    note: Callable[[str], None],
) -> list[Result]:
    """Each endpoint's median, 95th percentile and query count, and how they compare."""
    with bench_site():
        clients = {
            "changing": signed_in(coach_of(people.changing)),
            "coach": signed_in(people.coach),
            "manager": signed_in(people.manager),
            "busiest": signed_in(coach_of(people.busiest)),
        }

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
        note(f"Timing {len(endpoints)} pages, {iterations} requests each, twice...")
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


def explain_dashboard(manager: User, out: Path, note: Callable[[str], None]) -> None:
    """The dashboard's queries with their plans, as the database ran them just now."""
    lines = []
    explain = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with bench_site():
        client = signed_in(manager)
        for url in EXPLAINED:
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            lines.append(f"==== {url}: {len(captured)} queries ====\n")
            for query in captured.captured_queries:
                sql = query["sql"]
                if "django_session" in sql or sql.startswith('SELECT "boards_user"."id", '):
                    lines.append(f"-- (session and user lookup) {sql[:90]}...\n")
                    continue
                with connection.cursor() as cursor:
                    cursor.execute(explain + sql)
                    plan = [" | ".join(map(str, row)) for row in cursor.fetchall()]
                lines.append(f"\n{sql}\n\n" + "\n".join(plan) + "\n\n")
    path = out / "explain-dashboard.txt"
    path.write_text("".join(lines))
    note(f"Dashboard query plans written to {path}")
