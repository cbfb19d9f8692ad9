"""The coaching cycle's steps: the five questions, the reflection on the back of the card, notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Step:
    key: str
    question: str  # the number on the five-question card ("2" for the reflection too)
    title: str
    prompt: str = ""

    @property
    def label(self) -> str:
        if self.key == "reflect":
            return "Reflect on the last step"
        return f"Question {self.question}" if self.question else self.title


STEPS = [
    Step("target", "1", "What is the target condition?", "Shown from the board."),
    Step(
        "actual",
        "2",
        "What is the actual condition now?",
        "Record what the learner observes now and/or the latest measurement.",
    ),
    Step(
        "reflect",
        "2",
        "Reflect on the last step taken",
        "Turn the card over: you don't actually know what the result of a step will be.",
    ),
    Step(
        "obstacles",
        "3",
        "What obstacles do you think are preventing you from reaching the target condition? "
        "Which one are you addressing now?",
    ),
    Step("next", "4", "What is your next step? What do you expect?"),
    Step("when", "5", "When can we go and see what we have learned from taking that step?"),
    Step("notes", "", "Coach's notes", "Anything to remember for the next cycle."),
]
STEP_INDEX = {step.key: index for index, step in enumerate(STEPS)}
FINISHED = len(STEPS)
# The parts a second coach gives feedback on: each question, the reflection counted apart.
OBSERVED_PARTS = [step for step in STEPS if step.key != "notes"]


def step_seconds(cycle) -> dict[str, int]:
    """How long each answered step took, from the moments the cycle saved them."""
    result = {}
    previous = cycle.started_at
    for step in STEPS:
        saved = (cycle.answers.get(step.key) or {}).get("saved_at")
        if not saved:
            break
        at = datetime.fromisoformat(saved)
        result[step.key] = max(0, int((at - previous).total_seconds()))
        previous = at
    return result
