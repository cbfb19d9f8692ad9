"""A coaching cycle as a coach runs it, in headless Chromium, beside the board."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from boards.models import ActualCondition, Experiment, Measurement, Obstacle
from coaching.models import CoachingCycle
from coaching.services.scheduling import series_create
from tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def due_session(storyboard, coach, learner, second_coach, berlin, mid_experiment):
    """A session that started two minutes ago, on the real clock (the browser's)."""
    berlin_now = timezone.localtime(timezone=ZoneInfo("Europe/Berlin"))
    start = berlin_now - timedelta(minutes=2)
    series = series_create(
        storyboard=storyboard,
        coach=coach,
        learner=learner,
        second_coach=second_coach,
        start_date=start.date(),
        start_time=start.time(),
        rrule="",
        time_zone="Europe/Berlin",
        by=coach,
        now=timezone.now() - timedelta(minutes=5),
    )
    return series.sessions.get()


def save(page):
    page.get_by_role("button", name="Save and continue").click()


def test_a_coach_runs_a_coaching_cycle_beside_the_board(new_page, coach, due_session):
    page = new_page(coach, width=1440, height=1000)
    page.goto("/today/")
    row = page.locator(f"#session-{due_session.pk}")
    expect(row).to_contain_text("● Due now")
    row.get_by_role("button", name="Start the cycle").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Coaching cycle: Order picking")
    expect(page.locator("#card-h")).to_have_text("What is the target condition?")
    expect(page.locator(".cycle-card .from-board")).to_contain_text(
        "Each order is picked in one walk, in aisle order."
    )
    page.get_by_label("What the learner said (optional)").fill("One walk, in aisle order")
    page.get_by_role("textbox", name="Coach's notes").fill("Answered without looking")
    save(page)

    expect(page.locator("#card-h")).to_have_text("What is the actual condition now?")
    observe = page.get_by_label("What do you observe now?")
    expect(observe).to_be_focused()  # the next question is ready to type into
    observe.fill("Two of five pickers still walk twice")
    page.get_by_label("Pick time per order now (min)").fill("37")
    save(page)
    expect(page.locator("#live-region")).to_contain_text("Actual condition recorded")
    board = page.locator(".cycle-board")
    expect(board.locator("#actual")).to_contain_text("Two of five pickers still walk twice")
    expect(board.locator("#actual")).to_contain_text("37 min")

    expect(page.locator("#card-h")).to_have_text("Reflect on the last step taken")
    card_back = page.locator(".card-back")
    expect(card_back).to_contain_text("Sort the pick list by aisle")
    expect(card_back).to_contain_text("Pick time under 35 minutes")
    screenshot(page, "coaching-cycle-desktop", full_page=True)
    cycle_box = page.locator(".cycle-card").bounding_box()
    board_box = board.bounding_box()
    assert board_box["x"] > cycle_box["x"] + cycle_box["width"] - 1  # side by side
    page.get_by_label("What actually happened?").fill("37 minutes: two pickers kept the old list")
    page.get_by_label("What did you learn?").fill("The printed list order comes from the ERP")
    save(page)
    expect(board.locator("#record")).to_contain_text("The printed list order comes from the ERP")

    expect(page.locator("#card-h")).to_contain_text("Which one are you addressing now?")
    page.get_by_label("Scanner batteries flat").check()
    page.get_by_label("A newly seen obstacle (optional)").fill("ERP sorts by item number")
    save(page)
    working = board.locator("#obstacles .obstacle-working")
    expect(working).to_contain_text("Scanner batteries flat")
    expect(board.locator("#obstacles")).to_contain_text("ERP sorts by item number")

    expect(page.locator("#card-h")).to_have_text("What is your next step? What do you expect?")
    page.get_by_role("textbox", name="What is your next step?").fill(
        "Charge spare batteries at shift start"
    )
    save(page)
    expect(page.locator(".cycle-card")).to_contain_text(
        "Write what you expect before taking the step."
    )
    assert Experiment.objects.count() == 1
    page.get_by_role("textbox", name="What do you expect?").fill("No picker waits for a scanner")
    page.get_by_role("textbox", name="What do you expect?").press("Control+Enter")
    in_progress = board.locator("#record tr.in-progress")
    expect(in_progress).to_contain_text("Charge spare batteries at shift start")

    expect(page.locator("#card-h")).to_contain_text("When can we go and see")
    tomorrow = timezone.localtime(timezone=ZoneInfo("Europe/Berlin")) + timedelta(days=1)
    page.get_by_label("When can we go and see?").fill(f"{tomorrow:%Y-%m-%d}T09:30")
    save(page)

    expect(page.locator("#card-h")).to_have_text("Coach's notes")
    page.get_by_role("textbox", name="Coach's notes").fill("Ask about the ERP export next time.")
    page.get_by_role("button", name="Finish the cycle").click()
    expect(page.locator("#card-h")).to_have_text("The cycle is finished")
    answered = page.get_by_role("region", name="Answered in this cycle")
    expect(answered).to_contain_text("Charge spare batteries at shift start")
    expect(page.get_by_role("region", name="Your notes")).to_contain_text("ERP export")
    screenshot(page, "coaching-cycle-finished", full_page=True)

    cycle = CoachingCycle.objects.get()
    assert cycle.is_finished
    assert cycle.session == due_session
    assert ActualCondition.objects.filter(operating_pattern__startswith="Two of five").exists()
    assert Measurement.objects.get().value == 37
    assert Obstacle.objects.get(status="working").description == "Scanner batteries flat"
    assert Experiment.objects.get(number=1).learned == "The printed list order comes from the ERP"
    assert Experiment.objects.get(number=2).expected == "No picker waits for a scanner"
    next_session = cycle.next_session.starts_at.astimezone(ZoneInfo("Europe/Berlin"))
    assert (next_session.date(), f"{next_session:%H:%M}") == (tomorrow.date(), "09:30")


def test_a_cycle_interrupted_on_a_phone_resumes_where_it_stopped(new_page, coach, due_session):
    page = new_page(coach, width=375, height=812)
    page.goto(f"/boards/{due_session.storyboard_id}/coaching/")
    page.get_by_role("button", name="Start the cycle").click()
    save(page)  # question 1, nothing noted
    expect(page.locator("#card-h")).to_have_text("What is the actual condition now?")
    page.get_by_label("Pick time per order now (min)").fill("36")
    save(page)
    expect(page.locator("#card-h")).to_have_text("Reflect on the last step taken")
    screenshot(page, "coaching-cycle-phone", full_page=True)
    # One column: the card, then the board; nothing wider than the screen.
    card = page.locator(".cycle-card").bounding_box()
    board = page.locator(".cycle-board").bounding_box()
    assert board["y"] >= card["y"] + card["height"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.context.close()  # the browser is closed mid-cycle

    later = new_page(coach, width=375, height=812)
    later.goto("/today/")
    later.get_by_role("link", name="Resume the cycle").click()
    expect(later.locator("#card-h")).to_have_text("Reflect on the last step taken")
    expect(later.get_by_role("region", name="Answered in this cycle")).to_contain_text("36 min")
    assert CoachingCycle.objects.get().step == 2


def test_the_coaching_pages_at_phone_width(new_page, coach, due_session):
    page = new_page(coach, width=375, height=812)
    for url, name in [
        ("/today/", "coaching-today-phone"),
        (f"/boards/{due_session.storyboard_id}/coaching/", "coaching-board-phone"),
        (f"/boards/{due_session.storyboard_id}/coaching/schedule", "coaching-schedule-phone"),
    ]:
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        screenshot(page, name, full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
