"""Playwright (sync API) driving Debian's chromium against Django's live server.

Never `playwright install`: the browser is /usr/bin/chromium (`make chromium` installs the
Debian package). Every test fails on a JavaScript error or a CSP violation in the page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. Not per session: Playwright's sync API keeps an event
    loop running in this thread, and later suites (asyncio.run, `check --deploy`) must not
    inherit it, nor the async-unsafe switch Django needs while it runs."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make chromium` installs Debian's package")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    # The test's own ORM calls run in the thread that has Playwright's loop.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM,
                                                  args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo(transactional_db):
    from exercises.demo.load import load_demo

    return load_demo(instructor_password="pw", learner_password="pw")


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def _expected_refusal(text: str) -> bool:
    """Chromium logs every 4xx fetch; a refused answer (400) or a closed quiz (409) is
    part of a scenario, not a fault of the page."""
    return bool(re.search(r"status of (400|409) ", text))


def _open_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url,
                                  viewport=options.pop("viewport", {"width": 1280,
                                                                    "height": 900}),
                                  **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda message: message.type == "error"
            and not _expected_refusal(message.text)
            and problems.append(f"console: {message.text}"))
    return context, page, problems


@pytest.fixture
def page(browser, live_server, demo):
    context, page, problems = _open_page(browser, live_server)
    yield page
    context.close()
    assert not problems, problems


@pytest.fixture
def open_page(browser, live_server, demo):
    """For a page with other options (a phone's viewport, JavaScript off)."""
    opened = []

    def opener(**options):
        context, page, problems = _open_page(browser, live_server, **options)
        opened.append((context, problems))
        return page

    yield opener
    for context, problems in opened:
        context.close()
        assert not problems, problems


def sign_in(page, username: str = "learner", password: str = "pw") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
