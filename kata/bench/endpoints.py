"""The pages the benchmark times, who asks for each, and the targets they must meet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from boards.sections import board_changed
from kata.bench.data import People

# Targets as ratios of the median time to the floor's median, from the issue.
TARGETS = {"poll": 2, "fragment": 5, "board": 10, "dashboard": 15}


@dataclass
class Endpoint:
    key: str
    label: str
    url: str
    # Who asks: the typical board's "coach", the "busiest" or "changing" board's, or "manager".
    client: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    target: float | None = None
    # Run, untimed, before every request: a change to the board, so nothing of it is cached.
    before: Callable[[], None] | None = None


def endpoints(people: People) -> list[Endpoint]:
    """Every page timed, the floor (a trivial signed-in view) first."""
    board = f"/boards/{people.board.pk}/"
    htmx = {"HX-Request": "true"}

    def change_board() -> None:
        """What any write does to a board's cached sections: retires them all."""
        board_changed(storyboards=[people.changing.pk])

    return [
        Endpoint("floor", "Trivial signed-in view (the floor)", "/bench/floor", "coach"),
        Endpoint(
            "poll",
            "Live-update poll, nothing changed",
            f"{board}poll?since={people.board.revision}",
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
            f"/boards/{people.changing.pk}/",
            "changing",
            before=change_board,
        ),
        Endpoint(
            "fragment_changed",
            "htmx fragment, first read after a change",
            f"/boards/{people.changing.pk}/?section=record",
            "changing",
            htmx,
            before=change_board,
        ),
        Endpoint(
            "board_busiest",
            "Storyboard page, full (busiest board)",
            f"/boards/{people.busiest.pk}/",
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
        Endpoint("export", "Dashboard CSV export, every row", "/dashboard/export.csv", "manager"),
        Endpoint("today", "Coach's today page", "/today/", "coach"),
        Endpoint(
            "calendar",
            "Calendar feed (iCalendar)",
            f"/calendar/{people.prefs.calendar_token}.ics",
            "coach",
        ),
    ]
