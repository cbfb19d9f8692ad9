"""The dashboard and the practice page in headless Chromium, at desktop and phone widths."""

import pytest
from playwright.sync_api import expect

from boards.models import Role
from tests.browser import screenshot
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.kata.practice_data import board

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def boards(team, manager, learner, coach):
    packing = TeamFactory(name="Packing", slug="packing")
    MembershipFactory(user=manager, team=packing, role=Role.MANAGER)
    olga = UserFactory(first_name="Olga", last_name="Kern")
    board(
        team,
        "Order picking, zone B",
        learner=learner,
        coach=coach,
        achieve_in=-3,
        values=(41, 39, 38, 36, 37, 35, 33),
        steps_ago=(1, 2, 9),
        working="Pick list printed out of aisle order",
        parked=2,
        cycles_ago=(1, 2),
        sessions_in=(1,),
    )
    board(
        team,
        "Returns handling",
        learner=UserFactory(first_name="Paul", last_name="Reed"),
        coach=coach,
        achieve_in=9,
        values=(12, 14, 11, 9),
        steps_ago=(12,),
        cycles_ago=(10,),
    )
    board(
        packing,
        "Carton sizing at the packing table",
        learner=UserFactory(first_name="Ines", last_name="Ruiz"),
        coach=olga,
        achieve_in=0,
        values=(6, 5, 5, 4, 4, 3),
        steps_ago=(0, 1, 3),
        working="Two carton sizes missing",
        cycles_ago=(0.2,),
        sessions_in=(1, 2),
    )
    board(packing, "Pallet wrapping", learner=UserFactory(), coach=olga, achieve_in=None)


def test_the_dashboard_on_a_desktop(new_page, manager, boards):
    page = new_page(manager)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    rows = page.locator("table.dashboard tbody tr")
    expect(rows).to_have_count(4)
    expect(page.locator("tr.is-overdue")).to_contain_text("⚠ overdue by 3 days")
    screenshot(page, "dashboard-desktop", full_page=True)

    # The table fits a laptop screen without scrolling sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366

    page.get_by_label("the achieve-by date has passed").check()
    page.get_by_role("button", name="Show").click()
    expect(rows).to_have_count(1)
    assert "overdue=1" in page.url

    page.get_by_role("link", name="Clear filters").click()
    page.get_by_role("link", name="PDCA cycles 7 days").click()
    page.get_by_role("link", name="PDCA cycles 7 days").click()
    expect(page.locator("th[aria-sort=descending]")).to_have_count(1)
    expect(rows.first).to_contain_text("Carton sizing at the packing table")

    # A click anywhere on a row opens its board.
    rows.first.locator("td.col-pdca").click(force=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Carton sizing at the packing table")


def test_the_dashboard_on_a_phone(new_page, manager, boards):
    page = new_page(manager, width=375, height=812)
    page.goto("/dashboard/?sort=achieve_by")
    expect(page.locator("table.dashboard tbody tr")).to_have_count(4)
    # Rows reflow into cards: nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    card = page.locator("table.dashboard tbody tr").first
    expect(card).to_contain_text("Order picking, zone B")
    label = card.locator("td.col-achieve_by").evaluate(
        "cell => getComputedStyle(cell, '::before').content"
    )
    assert label == '"Achieve by: "'  # each figure is labelled, the table head being hidden
    screenshot(page, "dashboard-phone", full_page=True)


def test_the_practice_page(new_page, manager, boards, team):
    page = new_page(manager)
    page.goto("/dashboard/")
    page.get_by_role("link", name="Dispatch").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dispatch: practice")
    expect(
        page.get_by_role("img", name="PDCA cycles and target conditions achieved per week")
    ).to_be_visible()
    screenshot(page, "practice-desktop", full_page=True)
    phone = new_page(manager, width=375, height=812)
    phone.goto(f"/teams/{team.slug}/practice/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "practice-phone", full_page=True)
