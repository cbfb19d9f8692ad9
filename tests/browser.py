"""Playwright fixtures driving the system Chromium (Debian's `chromium` package).

Browser tests run whenever a Chromium is found. Where none is, they are skipped with a plain
reason, except in CI (CI or KATA_REQUIRE_BROWSER set), where a missing browser fails them.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def chromium_path() -> str | None:
    candidates = [os.environ.get("KATA_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")]
    return next((c for c in candidates if c and Path(c).exists()), None)


def browser_required() -> bool:
    return any(
        os.environ.get(name, "").lower() in ("1", "true", "yes")
        for name in ("CI", "KATA_REQUIRE_BROWSER")
    )


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "no Chromium found (install Debian's chromium or set KATA_CHROMIUM)"
        if browser_required():
            pytest.fail(f"Browser tests are required here but {message}")
        pytest.skip(f"Browser tests not run: {message}")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server):
    """Open pages, signed in as a given user, at a given viewport; closes them afterwards."""
    contexts = []

    def open_page(user=None, *, width=1366, height=900):
        context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        if user is not None:
            page.goto("/login/")
            page.get_by_label("Username").fill(user.username)
            page.get_by_label("Password").fill("pw")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{live_server.url}/")
        return page

    yield open_page
    for context in contexts:
        context.close()
    # A live poll the browser sent just before closing may still be running in the live
    # server's thread; flushing the database under it can deadlock on PostgreSQL (seen once in
    # a full run). Its requests take milliseconds: let them finish before the flush.
    if contexts:
        time.sleep(0.5)


def screenshot(page, name: str, **kwargs) -> Path:
    """Save a screenshot under var/screenshots for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), **kwargs)
    return path
