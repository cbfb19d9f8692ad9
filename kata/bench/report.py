"""The benchmark's report: the table README quotes, and the files under ``var/bench/``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from django.utils import timezone

from kata.bench import machine
from kata.bench.data import BoardFacts
from kata.bench.load import LoadFigures
from kata.bench.timing import Result


@dataclass(frozen=True)
class Run:
    """What one benchmark run measured, and how."""

    load_before: float | None
    scale: dict[str, int]
    boards: dict[str, BoardFacts]
    warmup: int
    iterations: int
    results: list[Result]
    load: LoadFigures | None


def text(run: Run) -> str:
    """The report as a plain-text table, one row per page, then the load test."""
    facts = machine.machine()
    lines = [
        f"Kata benchmark, {timezone.now():%Y-%m-%d %H:%M} UTC",
        f"Machine: {facts['cpus']} CPUs ({facts['cpu']}), "
        f"{facts.get('memory_gib', '?')} GiB; Python {facts['python']}, "
        f"Django {facts['django']}",
        f"Database: {machine.database()}",
        f"Load average when the run started: {run.load_before:.2f} "
        "(other work on the machine inflates the figures)"
        if run.load_before is not None
        else "",
        "Scale: " + ", ".join(f"{n} {name}" for name, n in run.scale.items()),
        *(
            f"{name.capitalize()} board: #{board['storyboard']}, "
            f"{board['pdca_steps_on_active_target']} PDCA steps and "
            f"{board['process_measurements']} process measurements on its active target"
            for name, board in run.boards.items()
        ),
        f"In-process, DEBUG off, {run.warmup} warm-up, then {run.iterations} "
        "requests per page mixed (shuffled rounds, one request per page each; the targets "
        "are judged on these) and as many back to back (one page at a time).",
        "",
        f"{'page':<50} {'median':>9} {'p95':>9} {'x floor':>8} {'p95 x':>7} "
        f"{'b2b':>9} {'b2b x':>6} {'queries':>8} {'target':>7}",
    ]
    for r in run.results:
        target = f"<= {r.target:g}x" if r.target else ""
        flag = "" if r.ok else "  OVER TARGET"
        lines.append(
            f"{r.label:<50} {r.median_ms:>7.2f}ms {r.p95_ms:>7.2f}ms {r.ratio:>7.1f}x "
            f"{r.p95_ratio:>6.1f}x {r.b2b_median_ms:>7.2f}ms {r.b2b_ratio:>5.1f}x "
            f"{r.queries:>8} {target:>7}{flag}"
        )
    load = run.load
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


def write(run: Run, report: str, out: Path) -> None:
    """``results.txt`` (the report) and ``results.json`` (the figures) in ``out``."""
    (out / "results.txt").write_text(report)
    (out / "results.json").write_text(
        json.dumps(
            {
                "machine": machine.machine(),
                "database": machine.database(),
                "scale": run.scale,
                "boards": run.boards,
                "results": [asdict(r) for r in run.results],
                "load": run.load,
            },
            indent=2,
            default=str,
        )
    )


def passed(run: Run) -> bool:
    """Every target met, and the load test (if any) answered without errors."""
    failed = [r for r in run.results if not r.ok]
    load = run.load
    return not (failed or (load and (load["failures"] or not load["requests"])))
