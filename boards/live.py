"""Live updates: which sections of the board each kind of change shows in.

A change reaches an open board two ways: the browser that saved it refreshes the sections its
response names (``kata:saved``); every other open browser hears of it from the poll
(``kata:changed``). Both read this one table, by the action the change was logged with, so
they refresh the same sections. An entry names the sections that show what the change
touches, and no more: a section renders again only when something it shows has changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from boards.board import SECTIONS
from boards.models import Activity

Action = Activity.Action

# Every change is an entry in the activity feed.
FEED = frozenset({"activity"})

# What belongs to the active target condition: its own section, the actual condition beside
# its metrics (latest values, quick measurement), and its step, run chart, obstacles and record.
ACTIVE_TARGET = frozenset({"target", "actual", "step", "chart", "obstacles", "record"})

SHOWN_IN: dict[str, frozenset[str]] = {
    # The head shows the focus process, challenge, learner and coach; history the challenge.
    Action.STORYBOARD_CREATED: frozenset({"head", "history"}),
    Action.STORYBOARD_UPDATED: frozenset({"head", "history"}),
    # Setting up the board (boardsetup): its people show in the head only; archiving and
    # restoring change who may edit, so every section comes back with or without its controls.
    Action.STORYBOARD_HANDED_OVER: frozenset({"head"}),
    Action.STORYBOARD_ARCHIVED: frozenset(SECTIONS),
    Action.STORYBOARD_RESTORED: frozenset(SECTIONS),
    # The challenge's wording and date, in the head and above the history.
    Action.CHALLENGE_UPDATED: frozenset({"head", "history"}),
    # A new target fills every section of the active target (each empty until now).
    Action.TARGET_CONDITION_STARTED: ACTIVE_TARGET,
    # Its pattern and achieve-by date; the date also ends the run chart's time axis.
    Action.TARGET_CONDITION_UPDATED: frozenset({"target", "chart"}),
    # A closed target leaves the board without an active one and joins the history.
    Action.TARGET_CONDITION_ACHIEVED: ACTIVE_TARGET | {"history"},
    Action.TARGET_CONDITION_ABANDONED: ACTIVE_TARGET | {"history"},
    # Name, unit and target value: in the target, beside the latest value, and on the chart.
    Action.METRIC_UPDATED: frozenset({"target", "actual", "chart"}),
    # The target section's empty state waits for the first observation, and offers the first
    # target condition once it is there.
    Action.ACTUAL_CONDITION_RECORDED: frozenset({"actual", "target"}),
    # The latest value beside the actual condition, and a point on the run chart.
    Action.MEASUREMENT_ADDED: frozenset({"actual", "chart"}),
    # An obstacle's status and place show in the parking lot only; its description also
    # beside every step that addresses it (the step in progress, the PDCA record).
    # The record's empty state waits for the first obstacle before offering the first step.
    Action.OBSTACLE_ADDED: frozenset({"obstacles", "record"}),
    Action.OBSTACLE_UPDATED: frozenset({"obstacles", "step", "record"}),
    Action.OBSTACLE_WORKING_ON: frozenset({"obstacles"}),
    Action.OBSTACLE_CLEARED: frozenset({"obstacles"}),
    Action.OBSTACLE_PARKED: frozenset({"obstacles"}),
    Action.OBSTACLE_MOVED: frozenset({"obstacles"}),
    # A step is a row of the record, and the step in progress until its result is recorded.
    # A measurement taken with the result is logged as a change of its own.
    Action.EXPERIMENT_PLANNED: frozenset({"step", "record"}),
    Action.EXPERIMENT_UPDATED: frozenset({"step", "record"}),
    Action.EXPERIMENT_RESULT_RECORDED: frozenset({"step", "record"}),
    # Metrics added and retired, and what a member takes back (issue 11) ----------------------
    # Gone with the target condition: everything of the active target, as when it is closed.
    Action.TARGET_CONDITION_DELETED: ACTIVE_TARGET,
    # A metric is named in the target, measured beside the actual condition, charted.
    Action.METRIC_ADDED: frozenset({"target", "actual", "chart"}),
    Action.METRIC_RETIRED: frozenset({"target", "actual", "chart"}),
    # The latest observation and the figures it held; the target's empty state waits for one.
    Action.ACTUAL_CONDITION_DELETED: frozenset({"actual", "target"}),
    # The latest value beside the actual condition, and a point and a row of the run chart.
    Action.MEASUREMENT_DELETED: frozenset({"actual", "chart"}),
    # The parking lot; the record's empty state waits for an obstacle.
    Action.OBSTACLE_DELETED: frozenset({"obstacles", "record"}),
    # A step in progress: its row of the record, the step panel, and the run chart's points
    # that linked to it.
    Action.EXPERIMENT_DELETED: frozenset({"step", "chart", "record"}),
    # Coaching's sessions and cycles show on the coaching pages; on the board, in the feed.
    Action.SESSION_SERIES_UPDATED: frozenset(),
    Action.SESSION_SERIES_CANCELLED: frozenset(),
    Action.SESSION_RESCHEDULED: frozenset(),
    Action.SESSION_CANCELLED: frozenset(),
    Action.COACHING_CYCLE_TARGET_RECORDED: frozenset(),
    Action.COACHING_CYCLE_FINISHED: frozenset(),
}

# A logged action this table does not name (a row imported from elsewhere) refreshes it all.
EVERYWHERE = frozenset(SECTIONS)


def sections_for(actions: Iterable[str]) -> list[str]:
    """The sections these changes show in, the feed included, in the board's order."""
    shown = set(FEED)
    for action in actions:
        shown |= SHOWN_IN.get(action, EVERYWHERE)
    return [name for name in SECTIONS if name in shown]
