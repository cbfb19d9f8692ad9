"""A brand-new board walks the Improvement Kata's order, in headless Chromium.

The learner needs to know nothing beforehand: on each screen exactly one primary action is
offered, and it is the next step (the current condition, the first target condition, the first
obstacle, the first step); the sections after it say what they wait for. Screenshots of each
step at desktop and phone width go to var/screenshots (and to $KATA_SHOTS, if set).
"""

from __future__ import annotations

import os
import shutil
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from boards.models import ActualCondition, Experiment, Measurement, Obstacle, TargetCondition
from tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
# Primary actions on the board itself (the head's print and wall links are never primary).
PRIMARY = ".board-grid a.button.primary:visible, .board-grid button.primary:visible"


def _shot(page, name: str) -> None:
    path = screenshot(page, name, full_page=True)
    extra = os.environ.get("KATA_SHOTS")
    if extra:
        os.makedirs(extra, exist_ok=True)
        shutil.copy(path, os.path.join(extra, path.name))


def _only_primary(page, name: str):
    primary = page.locator(PRIMARY)
    expect(primary).to_have_count(1)
    expect(primary).to_have_text(name)
    return primary


@pytest.mark.parametrize("size", list(SIZES))
def test_a_new_board_leads_the_learner_step_by_step(new_page, learner, storyboard, size):
    width, height = SIZES[size]
    page = new_page(learner, width=width, height=height)
    page.goto(storyboard.get_absolute_url())

    # Empty: the challenge is in the head; next, the current condition. The rest waits.
    expect(page.locator(".board-head")).to_contain_text("Ship every order the day it arrives")
    expect(page.locator("#actual")).to_contain_text("Next: grasp the current condition")
    expect(page.locator("#target")).to_contain_text("Waits for the current condition")
    expect(page.locator("#obstacles")).to_contain_text("Waits for the target condition")
    _shot(page, f"new-board-1-empty-{size}")
    _only_primary(page, "Record the current condition").click()
    expect(page.get_by_role("group", name="Process metric")).to_be_visible()
    _shot(page, f"new-board-1a-current-condition-form-{size}")

    page.get_by_label("What do you observe now?").fill(
        "Pickers walk each aisle twice; the list is printed in order of entry."
    )
    process = page.get_by_role("group", name="Process metric")
    process.get_by_label("Name").fill("Pick time per order")
    process.get_by_label("Unit").fill("min")
    process.get_by_label("Now").fill("41")
    outcome = page.get_by_role("group", name="Outcome metric")
    outcome.get_by_label("Name").fill("Orders shipped same day")
    outcome.get_by_label("Unit").fill("%")
    outcome.get_by_label("Better is").select_option("higher")
    outcome.get_by_label("Now").fill("81")
    page.get_by_role("button", name="Record the current condition").click()

    # After the first observation: its figures show; next, the first target condition.
    expect(page.locator("#actual")).to_contain_text("Pick time per order")
    expect(page.locator("#actual")).to_contain_text("41 min")
    expect(page.locator("#target")).to_contain_text("Next: the first target condition")
    observation = ActualCondition.objects.get()
    assert [f.name for f in observation.figure_list] == [
        "Pick time per order",
        "Orders shipped same day",
    ]
    _shot(page, f"new-board-2-current-condition-{size}")
    _only_primary(page, "Set the first target condition").click()

    # The metrics come from the current condition, with their values now beside the targets.
    process = page.get_by_role("group", name="Process metric")
    expect(process.get_by_label("Name")).to_have_value("Pick time per order")
    expect(process).to_contain_text("Now 41 min")
    page.get_by_label("Operating pattern").fill("Each order is picked in one walk, aisle order.")
    page.get_by_label("Achieve by").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    process.get_by_label("Target").fill("30")
    page.get_by_role("group", name="Outcome metric (optional)").get_by_label("Target").fill("95")
    _shot(page, f"new-board-2a-target-condition-form-{size}")
    page.get_by_role("button", name="Set target condition").click()

    # After the first target condition: a run chart per metric, starting at the current
    # condition's figures; next, the first obstacle.
    expect(page.locator("#target")).to_contain_text("Each order is picked in one walk")
    expect(page.locator("#chart figure.run-chart")).to_have_count(2)
    expect(page.locator("#chart circle.point")).to_have_count(2)
    expect(page.locator("#obstacles")).to_contain_text("Next: the first obstacle")
    expect(page.locator("#record")).to_contain_text("Waits for the first obstacle")
    target = TargetCondition.objects.get()
    assert Measurement.objects.filter(metric__target_condition=target).count() == 2
    _shot(page, f"new-board-3-target-condition-{size}")
    _only_primary(page, "+ Obstacle").click()

    page.get_by_role("textbox", name="Obstacle").fill("The pick list is not in aisle order")
    page.get_by_role("button", name="Add to the parking lot").click()

    # After the first obstacle: next, the first step with its expectation.
    expect(page.locator("#obstacles")).to_contain_text("The pick list is not in aisle order")
    expect(page.locator("#record")).to_contain_text("Next: the first step")
    assert Obstacle.objects.filter(target_condition=target).count() == 1
    _shot(page, f"new-board-4-obstacle-{size}")
    page.get_by_role("button", name="Work on this: The pick list is not in aisle order").click()
    expect(page.locator("#obstacles .obstacle-working")).to_have_count(1)
    _only_primary(page, "Plan next step").click()

    page.get_by_role("textbox", name="Step").fill("Print the pick list sorted by aisle")
    page.get_by_label("What do you expect?").fill("Pick time under 35 minutes")
    page.get_by_role("button", name="Plan step").click()

    # After the first step: it is in progress, waiting for its result.
    expect(page.locator("#record tr.in-progress")).to_contain_text("Print the pick list")
    # On a phone the step in progress has its panel (the record hides its row there).
    expect(page.locator("#step")).to_contain_text("Print the pick list sorted by aisle")
    expect(page.locator("#step")).to_contain_text("Pick time under 35 minutes")
    experiment = Experiment.objects.get()
    assert experiment.obstacle is not None
    _shot(page, f"new-board-5-first-step-{size}")
