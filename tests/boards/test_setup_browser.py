"""Setting up a team's work in headless Chromium: from an empty team page to a board, handing it
over, archiving and deleting it, at desktop and phone width. Screenshots go to var/screenshots.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from boards.models import Activity, Role, Storyboard
from boards.services.experiments import experiment_plan
from boards.services.storyboards import challenge_create, storyboard_archive, storyboard_create
from boards.services.targets import target_condition_start
from coaching.services.cycles import cycle_start
from tests.browser import screenshot
from tests.factories import MembershipFactory, TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def test_an_administrator_sets_up_the_teams_first_board(new_page, team, team_admin, learner, coach):
    page = new_page(team_admin, **DESKTOP)
    page.goto(team.get_absolute_url())
    expect(page.get_by_text("No challenge yet")).to_be_visible()
    screenshot(page, "setup-team-empty-desktop", full_page=True)

    page.get_by_role("link", name="Add a challenge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a challenge")
    page.get_by_label("Challenge").fill("Every order ships the day it arrives")
    page.get_by_label("By when").fill((timezone.localdate() + timedelta(days=300)).isoformat())
    page.get_by_label("Description (optional)").fill("Customers wait no longer than a day.")
    screenshot(page, "setup-challenge-form-desktop", full_page=True)
    page.get_by_role("button", name="Add the challenge").click()

    expect(page.get_by_text("No storyboards yet: who learns first")).to_be_visible()
    screenshot(page, "setup-team-challenge-only-desktop", full_page=True)
    page.locator("#storyboards").get_by_role("link", name="New storyboard").click()

    page.get_by_label("Focus process").fill("Order picking")
    page.get_by_label("Learner").select_option(label="Lena Park")
    page.get_by_label("Coach (optional)").select_option(label="Carl Moss")
    screenshot(page, "setup-storyboard-new-desktop", full_page=True)
    page.get_by_role("button", name="Start the storyboard").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Order picking")
    sb = Storyboard.objects.get(focus_process="Order picking")
    assert page.url.endswith(sb.get_absolute_url())

    # The heading, edited in place.
    page.locator("#head").get_by_role("link", name="Edit the focus process and challenge").click()
    field = page.get_by_label("Focus process")
    expect(field).to_be_focused()
    field.fill("Order picking, aisles 1 to 4")
    screenshot(page, "setup-heading-in-place-desktop")
    field.press("Enter")
    expect(page.locator("#board-title")).to_have_text("Order picking, aisles 1 to 4")
    assert page.url.endswith(sb.get_absolute_url())

    # Handed over, in place, with the word on schedules.
    page.get_by_role("link", name="Hand over…").click()
    expect(page.get_by_text("Coaching sessions already scheduled keep")).to_be_visible()
    page.get_by_label("Coach (optional)").select_option(label="Ada Lund")
    screenshot(page, "setup-hand-over-in-place-desktop")
    page.get_by_role("button", name="Hand over").click()
    expect(page.locator("#head .people")).to_contain_text("Ada Lund")
    expect(page.locator("#activity")).to_contain_text("coach Carl Moss → Ada Lund")
    assert Activity.objects.filter(action=Activity.Action.STORYBOARD_HANDED_OVER).exists()

    # Archived from the board, listed on the team page, restored.
    page.get_by_role("link", name="Archive…").click()
    screenshot(page, "setup-archive-desktop", full_page=True)
    page.get_by_role("button", name="Archive the storyboard").click()
    expect(page.locator("#archived")).to_be_visible()
    screenshot(page, "setup-team-archived-desktop", full_page=True)
    page.locator("#archived + ul").get_by_role("link", name="Order picking, aisles 1 to 4").click()
    expect(page.get_by_text("Archived: this storyboard can be read, not changed.")).to_be_visible()
    expect(page.get_by_role("link", name="Set the next target condition")).to_have_count(0)
    screenshot(page, "setup-board-archived-desktop")
    page.go_back()
    page.locator("#storyboards").get_by_role("button", name="Restore").click()
    expect(page.get_by_text("in use again")).to_be_visible()

    # Deleted after confirmation.
    page.get_by_role("link", name="Delete…").click()
    expect(page.get_by_text("1 storyboard")).to_have_count(0)
    expect(page.get_by_text("0 target conditions, 0 PDCA steps, 0 coaching cycles")).to_be_visible()
    screenshot(page, "setup-delete-desktop", full_page=True)
    page.get_by_role("button", name="Delete the storyboard").click()
    expect(page.get_by_text("Deleted the storyboard for Order picking")).to_be_visible()
    assert not Storyboard.objects.exists()


@pytest.fixture
def full_team(team, team_admin, learner, coach):
    """Two challenges, boards in use, one archived."""
    later = timezone.localdate() + timedelta(days=300)
    ship = challenge_create(
        team=team,
        title="Every order ships the day it arrives",
        horizon=later,
        description="Customers wait no longer than a day.",
    )
    challenge_create(team=team, title="No damaged parcels", horizon=later + timedelta(days=200))
    picking = storyboard_create(
        team=team,
        challenge=ship,
        focus_process="Order picking",
        learner=learner,
        coach=coach,
        by=coach,
    )
    storyboard_create(
        team=team, challenge=ship, focus_process="Packing", learner=coach, coach=team_admin
    )
    old = storyboard_create(team=team, challenge=ship, focus_process="Returns", learner=learner)
    storyboard_archive(storyboard=old, by=coach)
    target = target_condition_start(
        storyboard=picking,
        operating_pattern="Each order is picked in one walk, in aisle order.",
        achieve_by=timezone.localdate() + timedelta(days=14),
        process_metric={"name": "Pick time per order", "unit": "min", "target_value": "30"},
        by=learner,
    )
    experiment_plan(target_condition=target, step="Sort the list", expected="35 min", by=learner)
    cycle_start(storyboard=picking, coach=coach)
    return picking


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_setup_pages_at_each_width(new_page, team, team_admin, full_team, size):
    page = new_page(team_admin, **(DESKTOP if size == "desktop" else PHONE))
    empty = TeamFactory(name="Goods in", slug="goods-in")
    MembershipFactory(user=team_admin, team=empty, role=Role.ADMIN)
    pages = {
        "team-empty": empty.get_absolute_url(),
        "team-full": team.get_absolute_url(),
        "storyboard-new": f"/teams/{team.slug}/storyboards/new",
        "challenge-new": f"/teams/{team.slug}/challenges/new",
        "hand-over": f"/boards/{full_team.pk}/hand-over",
        "archive": f"/boards/{full_team.pk}/archive",
        "delete": f"/boards/{full_team.pk}/delete",
        "challenge-help": "/help/challenges",
    }
    for name, url in pages.items():
        page.goto(url)
        expect(page.locator("h1")).to_have_count(1)
        # Nothing wider than the screen: a phone never scrolls sideways.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], (name, width)
        screenshot(page, f"setup-{name}-{size}", full_page=True)
    page.goto(full_team.get_absolute_url())
    screenshot(page, f"setup-board-head-{size}")
    page.goto(f"/teams/{team.slug}/challenges/new")
    page.get_by_role("button", name="Add the challenge").click()
    expect(page.get_by_text("Describe the challenge in one line.")).to_be_visible()
    screenshot(page, f"setup-challenge-errors-{size}", full_page=True)
