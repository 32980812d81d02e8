"""Switching language in the browser (issue #17), at 1280 px and 390 px: the header's
switch, or the browser's own language; the item page's graph and table follow."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import sign_in
from .test_quiz import EXAMPLE_3, GRAPH, NOTES_QUIZ

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800},
                                      {"width": 390, "height": 844}], ids=["1280", "390"])
def test_the_learner_switches_to_german(open_page, screenshots, viewport):
    page = open_page(viewport=viewport)
    sign_in(page)
    expect(page.get_by_role("heading", name="My quizzes", level=1)).to_be_visible()
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Switch language").click()
    expect(page.get_by_role("heading", name="Meine Quizze", level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.get_by_role("link", name=NOTES_QUIZ, exact=True).click()
    page.get_by_role("link", name=EXAMPLE_3, exact=True).click()
    page.wait_for_selector(f"{GRAPH}.bp-drawn")
    expect(page.get_by_role("button", name="Tabellenansicht").first).to_be_visible()
    expect(page.get_by_role("button", name="Vergrößern").first).to_be_visible()
    expect(page.get_by_label("Gradient von x")).to_be_visible()
    page.screenshot(path=screenshots / f"german-{viewport['width']}.png")
    # and back: the choice is kept across pages until changed
    page.get_by_label("Sprache").select_option("en")
    page.get_by_role("button", name="Sprache wechseln").click()
    expect(page.get_by_label("gradient of x")).to_be_visible()


def test_the_browsers_language_is_the_default(open_page):
    page = open_page(locale="de-DE", extra_http_headers={"Accept-Language": "de-DE,de;q=0.9"})
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Anmelden")).to_be_visible()
    page.get_by_label("Benutzername").fill("learner")
    page.get_by_label("Passwort").fill("pw")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Meine Quizze", level=1)).to_be_visible()


def test_a_hint_in_german_end_to_end(open_page, screenshots):
    page = open_page(locale="de-DE", extra_http_headers={"Accept-Language": "de-DE,de;q=0.9"})
    sign_in_german(page)
    page.get_by_role("link", name=NOTES_QUIZ, exact=True).click()
    page.get_by_role("link", name=EXAMPLE_3, exact=True).click()
    page.wait_for_selector(f"{GRAPH}.bp-drawn")
    for name, answer in (("L", "1"), ("y", "15"), ("z", "7"), ("x", "15")):
        page.get_by_label(f"Gradient von {name}").fill(answer)
    page.locator("#submit-answers").click()
    hint = page.locator(f"{GRAPH} .bp-pop")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("Nicht richtig")
    expect(hint).to_contain_text("Sie haben nur den Pfad über y addiert — x geht auch in z ein")
    expect(hint).to_contain_text("Hinweis:")
    expect(hint).to_contain_text("x geht in zwei Operationen ein")
    expect(hint.locator(".katex").first).to_be_visible()
    expect(page.locator(f"{GRAPH} .bp-live")).to_contain_text("Nicht richtig: x.")
    page.screenshot(path=screenshots / "german-hint.png", full_page=True)


def sign_in_german(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Benutzername").fill("learner")
    page.get_by_label("Passwort").fill("pw")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def test_a_nudge_exercise_hint_in_german_end_to_end(open_page):
    """A kind with its own boxes: the slip's explanation and the hint, both in German."""
    from exercises.demo.kinds import QUIZ_TITLE

    page = open_page(locale="de-DE", extra_http_headers={"Accept-Language": "de-DE,de;q=0.9"})
    sign_in_german(page)
    page.get_by_role("link", name=QUIZ_TITLE, exact=True).click()
    page.get_by_role("link", name="Check the derivative by nudging x by 0.001",
                     exact=True).click()
    page.wait_for_selector(f"{GRAPH}.bp-drawn")
    boxes = page.locator("#answer-form .bp-kind-boxes")
    expect(boxes.locator("caption")).to_have_text("Der Nudge")
    boxes.locator("input[name='answer-nudged']").fill("7.003")
    boxes.locator("input[name='answer-slope']").fill("0.003")  # the change, not divided by h
    page.locator("#submit-answers").click()
    slope = page.locator("#fb-slope")
    expect(slope).to_contain_text("Nicht richtig")
    expect(slope).to_contain_text("Das ist die Änderung der Ausgabe")
    expect(slope).to_contain_text("die Steigung teilt sie durch h")
    expect(slope).to_contain_text("Die geschätzte Steigung ist die Änderung der Ausgabe")
    expect(slope).not_to_contain_text("the slope")
