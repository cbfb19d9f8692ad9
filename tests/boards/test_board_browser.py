"""The storyboard as a person uses it, in headless Chromium."""

import re

import pytest
from playwright.sync_api import expect

from boards.models import Experiment, Measurement, Obstacle
from boards.services.experiments import experiment_plan, experiment_record_result
from boards.services.obstacles import obstacle_add, obstacle_update, obstacle_work_on
from boards.services.targets import actual_condition_record
from tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board(target, learner):
    """The target fixture's board with an actual condition, three obstacles and some history."""
    actual_condition_record(
        storyboard=target.storyboard,
        operating_pattern="Pickers walk each aisle twice; 41 minutes per order.",
        by=learner,
    )
    walk = obstacle_add(
        target_condition=target, description="Pick list not in aisle order", by=learner
    )
    obstacle_add(target_condition=target, description="Scanner batteries flat", by=learner)
    obstacle_work_on(obstacle=walk, version=walk.version, by=learner)
    for value, happened in [("41", "41 minutes"), ("37", "37 minutes")]:
        step = experiment_plan(
            target_condition=target,
            step="Sort the list by aisle",
            expected="Under 38 minutes",
            obstacle=walk,
            by=learner,
        )
        experiment_record_result(
            experiment=step,
            version=step.version,
            happened=happened,
            learned="Sorting helps",
            measurement_value=value,
            by=learner,
        )
    return target.storyboard


def open_board(new_page, user, board, **size):
    page = new_page(user, **size)
    page.goto(board.get_absolute_url())
    return page


def test_a_learner_plans_a_step_and_records_its_result(new_page, learner, board):
    page = open_board(new_page, learner, board)
    chart_points = page.locator("#chart circle.point")
    expect(chart_points).to_have_count(2)

    page.get_by_role("link", name="Plan next step").click()
    page.get_by_role("textbox", name="Step").fill("Put the printer next to aisle 1")
    page.get_by_role("button", name="Plan step").click()
    expect(page.get_by_text("Write what you expect before taking the step.")).to_be_visible()
    assert not Experiment.objects.filter(step__startswith="Put the printer").exists()

    page.get_by_label("What do you expect?").fill("Pick time under 35 minutes")
    page.get_by_label("What do you expect?").press("Control+Enter")
    row = page.locator("#record tr.in-progress")
    expect(row).to_contain_text("Put the printer next to aisle 1")
    expect(row).to_contain_text("Pick list not in aisle order")
    assert page.url.endswith(board.get_absolute_url())  # no reload, no redirect

    row.get_by_role("link", name="Record result").click()
    page.get_by_label("What happened?").fill("34 minutes")
    page.get_by_label("What did we learn?").fill("The walk to the printer was 4 minutes")
    page.get_by_label("Process metric measured (optional)").fill("34")
    page.get_by_role("button", name="Record result").click()
    expect(page.locator("#record tr.in-progress")).to_have_count(0)
    expect(page.locator("#record")).to_contain_text("The walk to the printer was 4 minutes")
    expect(chart_points).to_have_count(3)
    measurement = Measurement.objects.latest("pk")
    assert measurement.experiment.step == "Put the printer next to aisle 1"
    # The point on the chart links to its step (and so does the row listed under the chart).
    link = f'#chart svg a[href="#experiment-{measurement.experiment_id}"]'
    expect(page.locator(link)).to_have_count(1)


def test_switching_the_obstacle_puts_the_previous_one_back(new_page, learner, board):
    page = open_board(new_page, learner, board)
    page.get_by_role("button", name="Work on this: Scanner batteries flat").click()
    expect(page.locator("#obstacles .obstacle-working")).to_contain_text("Scanner batteries flat")
    expect(page.locator("#obstacles .obstacle-working")).to_have_count(1)
    statuses = dict(Obstacle.objects.values_list("description", "status"))
    assert statuses == {
        "Scanner batteries flat": "working",
        "Pick list not in aisle order": "parked",
    }

    page.get_by_role("button", name="Cleared ✓: Scanner batteries flat").click()
    expect(page.locator("#obstacles s", has_text="Scanner batteries flat")).to_be_visible()


def test_editing_in_place_with_the_keyboard(new_page, learner, board):
    page = open_board(new_page, learner, board)
    page.get_by_role("link", name="Scanner batteries flat").focus()
    page.keyboard.press("Enter")
    field = page.get_by_role("textbox", name="Obstacle")
    expect(field).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#obstacles form.item-form")).to_have_count(0)
    expect(page.get_by_role("link", name="Scanner batteries flat")).to_be_focused()
    page.get_by_role("link", name="Scanner batteries flat").click()
    field = page.get_by_role("textbox", name="Obstacle")
    expect(field).to_be_focused()
    field.fill("Scanner batteries flat by mid-shift")
    field.press("Enter")
    expect(page.locator("#obstacles")).to_contain_text("Scanner batteries flat by mid-shift")
    obstacle = Obstacle.objects.get(description="Scanner batteries flat by mid-shift")
    expect(page.locator(f"#obstacle-{obstacle.pk} a.editable")).to_be_focused()


def test_a_measurement_in_two_keystrokes_changes_the_chart(new_page, learner, board):
    page = open_board(new_page, learner, board)
    points = page.locator("#chart circle.point")
    expect(points).to_have_count(2)
    page.keyboard.press("m")
    expect(page.locator("#quick-value")).to_be_focused()
    page.keyboard.type("33")
    page.keyboard.press("Enter")
    expect(points).to_have_count(3)
    expect(page.locator("#actual")).to_contain_text("33 min")


def test_a_change_in_another_browser_appears_without_reload(new_page, learner, coach, board):
    learner_page = open_board(new_page, learner, board)
    coach_page = open_board(new_page, coach, board)
    # The learner is typing the next step while the coach adds an obstacle.
    learner_page.get_by_role("link", name="Plan next step").click()
    learner_page.get_by_role("textbox", name="Step").fill("Half-typed step")

    coach_page.get_by_role("link", name="+ Obstacle").click()
    coach_page.get_by_role("textbox", name="Obstacle").fill("Printer jams at shift start")
    coach_page.get_by_role("button", name="Add to the parking lot").click()
    expect(coach_page.locator("#obstacles")).to_contain_text("Printer jams at shift start")

    expect(learner_page.locator("#obstacles")).to_contain_text(
        "Printer jams at shift start", timeout=5000
    )
    expect(learner_page.locator("#live-region")).to_contain_text("Printer jams at shift start")
    # The open form was not replaced under the learner's fingers.
    expect(learner_page.get_by_role("textbox", name="Step")).to_have_value("Half-typed step")


def test_another_browser_sees_a_step_planned_then_its_result_recorded(
    new_page, learner, coach, board
):
    learner_page = open_board(new_page, learner, board)
    # The step in progress has a panel of its own on a phone (on a desktop, the record's row).
    coach_page = open_board(new_page, coach, board, width=375, height=812)
    coach_page.evaluate("window.kataNotReloaded = true")
    step = coach_page.locator("#step")
    expect(step).to_contain_text("No step in progress.")

    learner_page.get_by_role("link", name="Plan next step").click()
    learner_page.get_by_role("textbox", name="Step").fill("Put the printer next to aisle 1")
    learner_page.get_by_label("What do you expect?").fill("Pick time under 35 minutes")
    learner_page.get_by_role("button", name="Plan step").click()
    expect(learner_page.locator("#record tr.in-progress")).to_contain_text("next to aisle 1")

    # The coach's step in progress becomes the planned step, ready for its result.
    expect(step).to_contain_text("Put the printer next to aisle 1", timeout=10_000)
    expect(step).to_contain_text("Pick time under 35 minutes")
    expect(step.get_by_role("link", name="Record result")).to_be_visible()

    row = learner_page.locator("#record tr.in-progress")
    row.get_by_role("link", name="Record result").click()
    learner_page.get_by_label("What happened?").fill("34 minutes")
    learner_page.get_by_label("What did we learn?").fill("The walk to the printer was 4 minutes")
    learner_page.get_by_role("button", name="Record result").click()
    expect(learner_page.locator("#record tr.in-progress")).to_have_count(0)

    # And once the result is recorded, no step is in progress there any more.
    expect(step).to_contain_text("No step in progress.", timeout=10_000)
    expect(step.get_by_role("link", name="Record result")).to_have_count(0)
    expect(coach_page.locator("#record")).to_contain_text("The walk to the printer was 4 minutes")
    assert coach_page.evaluate("window.kataNotReloaded") is True


def test_a_conflicting_save_shows_both_versions(new_page, learner, coach, board):
    obstacle = Obstacle.objects.get(description="Scanner batteries flat")
    page = open_board(new_page, learner, board)
    page.get_by_role("link", name="Scanner batteries flat").click()
    page.get_by_role("textbox", name="Obstacle").fill("Scanners die before lunch")

    obstacle_update(
        obstacle=obstacle,
        version=obstacle.version,
        description="Spare batteries are locked away",
        by=coach,
    )
    page.get_by_role("button", name="Save").click()
    conflict = page.locator(".conflict")
    expect(conflict).to_contain_text("Carl Moss saved a change while you were editing")
    expect(conflict.locator("td.theirs")).to_have_text("Spare batteries are locked away")
    expect(conflict.locator("td.mine")).to_have_text("Scanners die before lunch")
    obstacle.refresh_from_db()
    assert obstacle.description == "Spare batteries are locked away"

    page.get_by_role("button", name="Use mine").click()
    expect(page.locator("#obstacles form.item-form")).to_have_count(0)
    expect(page.locator("#obstacles")).to_contain_text("Scanners die before lunch")
    obstacle.refresh_from_db()
    assert obstacle.description == "Scanners die before lunch"


def test_a_viewer_sees_no_edit_controls(new_page, viewer, board):
    page = open_board(new_page, viewer, board)
    expect(page.locator("#record")).to_contain_text("Sort the list by aisle")
    expect(page.get_by_role("link", name="Plan next step")).to_have_count(0)
    expect(page.locator("#obstacles form")).to_have_count(0)


def test_the_board_works_without_javascript(browser, live_server, learner, board):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Username").fill(learner.username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.goto(board.get_absolute_url())
    page.get_by_role("link", name="Plan next step").click()
    page.get_by_role("textbox", name="Step").fill("Label the aisles")
    page.get_by_label("What do you expect?").fill("Fewer wrong turns")
    page.get_by_role("button", name="Plan step").click()
    expect(page).to_have_url(re.compile(re.escape(board.get_absolute_url()) + "#record$"))
    expect(page.locator("#record tr.in-progress")).to_contain_text("Label the aisles")
    context.close()


def test_screenshots_at_desktop_phone_and_print(new_page, learner, board):
    """Saves var/screenshots/board-*.png for a person to look at; checks the layout."""
    desktop = open_board(new_page, learner, board, width=1440, height=900)
    screenshot(desktop, "board-desktop", full_page=True)
    target_box = desktop.locator("#target").bounding_box()
    actual_box = desktop.locator("#actual").bounding_box()
    assert actual_box["x"] > target_box["x"]  # side by side

    phone = open_board(new_page, learner, board, width=375, height=812)
    screenshot(phone, "board-phone", full_page=True)
    order = ["#target", "#actual", "#step", "#chart", "#obstacles", "#record"]
    tops = [phone.locator(s).bounding_box()["y"] for s in order]
    assert tops == sorted(tops)  # one column in the order a learner needs at the process
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    printed = open_board(new_page, learner, board, width=1587, height=1123)
    printed.goto(board.get_absolute_url() + "?mode=print")
    printed.emulate_media(media="print")
    screenshot(printed, "board-print", full_page=True)
    expect(printed.get_by_role("link", name="Plan next step")).to_have_count(0)
    pdf = printed.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # the whole board on one A3 sheet
