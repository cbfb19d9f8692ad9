"""A team's own pages in a real browser: the address proposed while the name is typed, and
screenshots of every new page at desktop and phone width (var/screenshots/teams-*.png)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from boards.models import Membership, Role, Team
from boards.services.teams import team_archive
from tests.browser import screenshot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


def test_the_address_follows_the_name_until_it_is_typed_over(new_page, team):
    ana = UserFactory(username="ana", first_name="Ana")
    page = new_page(ana)
    page.get_by_role("link", name="Create a team").click()
    page.get_by_label("Team name").fill("Dispatch")
    address = page.get_by_label("Address")
    expect(page.get_by_label("Address")).to_have_value("dispatch-2")
    page.get_by_label("Team name").fill("Dispatch west")
    expect(page.get_by_label("Address")).to_have_value("dispatch-west")
    address.fill("west")
    page.get_by_label("Team name").fill("Dispatch, west side")
    page.wait_for_timeout(700)  # the proposal comes back, and keeps what was typed
    assert address.input_value() == "west"
    page.keyboard.press("Enter")
    page.wait_for_url("**/teams/west/")
    assert page.get_by_role("heading", level=1).inner_text() == "Dispatch, west side"
    assert Membership.objects.get(team__slug="west").role == Role.ADMIN
    screenshot(page, "teams-created-desktop", full_page=True)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_screenshots_of_the_team_pages(new_page, team, team_admin, learner, storyboard, width):
    w, h = WIDTHS[width]
    staff = UserFactory(username="sam", first_name="Sam", last_name="Ops", is_staff=True)
    for n in range(3):
        other = Team.objects.create(name=f"Line {n + 1}", slug=f"line-{n + 1}")
        Membership.objects.create(user=UserFactory(), team=other, role=Role.ADMIN)
    newcomer = UserFactory(username="nina", first_name="Nina", email="nina@example.com")

    page = new_page(newcomer, width=w, height=h)
    screenshot(page, f"teams-home-empty-{width}", full_page=True)
    page.goto("/teams/new")
    page.get_by_label("Team name").fill("Dispatch")
    expect(page.get_by_label("Address")).to_have_value("dispatch-2")
    screenshot(page, f"teams-new-{width}", full_page=True)

    admin = new_page(team_admin, width=w, height=h)
    admin.goto("/teams/dispatch/settings")
    screenshot(admin, f"teams-settings-{width}", full_page=True)
    admin.goto("/teams/dispatch/delete")
    admin.get_by_label("Type Dispatch to confirm").fill("dispatch")
    admin.get_by_role("button", name="Delete Dispatch for good").click()
    admin.wait_for_load_state()
    screenshot(admin, f"teams-delete-refused-{width}", full_page=True)

    staff_page = new_page(staff, width=w, height=h)
    staff_page.goto("/teams/")
    screenshot(staff_page, f"teams-all-{width}", full_page=True)

    team_archive(team=team, by=team_admin)
    admin.goto("/teams/dispatch/")
    screenshot(admin, f"teams-archived-team-page-{width}", full_page=True)
    member = new_page(learner, width=w, height=h)
    screenshot(member, f"teams-home-archived-{width}", full_page=True)
    member.goto(storyboard.get_absolute_url())
    screenshot(member, f"teams-archived-board-{width}")
