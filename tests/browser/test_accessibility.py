"""Accessibility checks (issue #17): axe-core, through Playwright, on every learner page and
the admin's exercise pages in each of their states, against the WCAG 2.1 A and AA rules:
no serious or critical violation. And the whole task done with the keyboard alone.

axe-core's script ships inside axe-playwright-python (pinned in requirements-dev.txt);
nothing is fetched.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from exercises.models import Exercise

from .conftest import sign_in
from .test_quiz import EXAMPLE_2, EXAMPLE_3, GRAPH, NOTES_QUIZ, box, open_item, solution_grads

pytestmark = pytest.mark.browser

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}
PHONE = {"width": 390, "height": 844}
AXE = Axe()


def serious_violations(page) -> list[str]:
    """Each serious or critical violation, with the elements it was found on."""
    results = AXE.run(page, options=WCAG_21_AA).response
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def check(page, state: str, found: dict) -> None:
    problems = serious_violations(page)
    if problems:
        found[state] = problems


def answer(page, answers) -> None:
    for name, value in answers:
        page.get_by_label(f"gradient of {name}").fill(value)
    page.get_by_role("button", name="Submit answers").click()


def test_learner_pages_have_no_serious_violations(page):
    found: dict[str, list[str]] = {}
    page.goto("/accounts/login/")
    check(page, "sign in", found)
    sign_in(page)
    check(page, "dashboard", found)
    page.get_by_role("link", name=NOTES_QUIZ, exact=True).click()
    check(page, "quiz", found)
    page.get_by_role("link", name=EXAMPLE_3, exact=True).click()
    page.wait_for_selector(f"{GRAPH}.bp-drawn")
    check(page, "item, before", found)
    answer(page, (("L", "1"), ("y", "15"), ("z", "7"), ("x", "15")))
    expect(box(page, "x")).to_have_attribute("data-status", "wrong")
    expect(page.locator(f"{GRAPH} .bp-pop")).to_be_visible()
    check(page, "item, after a wrong submission (hint open)", found)
    page.get_by_role("button", name="Table view").first.click()
    check(page, "item, table view", found)
    page.get_by_role("button", name="Graph view").first.click()
    answer(page, (("x", "36"),))
    expect(page.locator("#feedback")).to_contain_text("Solved.")
    page.wait_for_selector("#solution [data-bp-graph].bp-drawn")
    check(page, "item, solved (with the solution)", found)
    page.goto("/")
    open_item(page, EXAMPLE_2)
    page.get_by_role("button", name="Step through").click()
    page.get_by_label("gradient of L").fill("2")
    page.get_by_label("gradient of L").press("Enter")
    expect(box(page, "L")).to_have_attribute("data-status", "wrong")
    check(page, "item, step-through with a wrong step", found)
    assert found == {}, found


def test_learner_pages_at_a_phones_width(open_page):
    page = open_page(viewport=PHONE, has_touch=True, is_mobile=True)
    found: dict[str, list[str]] = {}
    sign_in(page)
    check(page, "dashboard, phone", found)
    open_item(page, EXAMPLE_3)
    check(page, "item, phone", found)
    answer(page, (("L", "1"), ("y", "15"), ("z", "7"), ("x", "15")))
    expect(box(page, "x")).to_have_attribute("data-status", "wrong")
    check(page, "item, phone, wrong", found)
    page.get_by_role("button", name="Table view").first.click()
    check(page, "item, phone, table view", found)
    assert found == {}, found


def test_admin_exercise_pages_have_no_serious_violations(page):
    found: dict[str, list[str]] = {}
    sign_in(page, "instructor")
    page.goto("/admin/exercises/exercise/")
    check(page, "exercise list", found)
    exercise = Exercise.objects.get(title=EXAMPLE_3)
    page.goto(f"/admin/exercises/exercise/{exercise.pk}/change/")
    page.wait_for_selector("#exercise-preview [data-bp-graph].bp-drawn")
    check(page, "exercise change form", found)
    page.goto("/admin/exercises/exercise/add/")
    check(page, "exercise add form", found)
    page.goto("/admin/exercises/exercise/generate/")
    check(page, "generate", found)
    page.goto(f"/preview/exercise/{exercise.pk}/")
    page.wait_for_selector(f"{GRAPH}.bp-drawn")
    check(page, "preview as a learner", found)
    assert found == {}, found


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")


def tab_to(page, predicate_js: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        script = f"(() => {{ const el = document.activeElement; return {predicate_js}; }})()"
        if page.evaluate(script):
            return
    raise AssertionError(f"Tab never reached: {predicate_js}")


def test_keyboard_only_wrong_hint_fix_solved(page, screenshots):
    """Sign in, answer, read the hint, fix, solved: the keyboard alone, no mouse at all."""
    page.goto("/accounts/login/")
    # The page puts the focus in the username box (autofocus); keys typed before it has,
    # on a busy host, went nowhere and the sign-in failed.
    expect(page.locator("#id_username")).to_be_focused()
    page.keyboard.type("learner")
    page.keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    page.keyboard.type("pw")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)
    tab_to(page, f"el.textContent.trim() === {NOTES_QUIZ!r}")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/quizzes/\d+/$"))
    tab_to(page, f"el.textContent.trim() === {EXAMPLE_3!r}")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{GRAPH}.bp-drawn")
    # the canvas takes the focus on the way: + zooms, 0 fits again, by keys alone
    tab_to(page, "el.classList.contains('bp-canvas')")
    fitted = page.locator(f"{GRAPH} .bp-canvas").get_attribute("data-scale")
    page.keyboard.press("+")
    expect(page.locator(f"{GRAPH} .bp-canvas")).not_to_have_attribute("data-scale", fitted)
    page.keyboard.press("0")
    expect(page.locator(f"{GRAPH} .bp-canvas")).to_have_attribute("data-scale", fitted)
    tab_to(page, "el.id === 'answer-L'")
    for value in ("1", "15", "7", "15"):  # L, y, z and a wrong x (forgot a branch)
        page.keyboard.type(value)
        if value != "15" or focused(page) != "answer-x":
            page.keyboard.press("Tab")
    assert focused(page) == "answer-x"
    page.keyboard.press("Enter")
    expect(box(page, "x")).to_have_attribute("data-status", "wrong")
    # the focus is back on the wrong box, its hint open beside it and announced
    expect(page.get_by_label("gradient of x")).to_be_focused()
    hint = page.locator(f"{GRAPH} .bp-pop")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("x also feeds z")
    # each formula has a spoken label (KaTeX's MathML is missed by mobile screen readers)
    formula = hint.locator(".katex").first
    expect(formula).to_have_attribute("role", "img")
    expect(formula).to_have_attribute("aria-label", re.compile(r"\w"))
    expect(page.locator(f"{GRAPH} .bp-live")).to_contain_text("Not right: x.")
    described = page.get_by_label("gradient of x").evaluate(
        "i => document.getElementById(i.getAttribute('aria-describedby')).textContent")
    assert "x also feeds z" in described  # a screen reader reads the hint with the box
    page.locator("#answer-form").screenshot(path=screenshots / "hint.png")
    page.keyboard.press("Control+A")
    page.keyboard.type(repr(solution_grads(EXAMPLE_3)["x"]).removesuffix(".0"))
    page.keyboard.press("Enter")
    expect(page.locator("#feedback")).to_contain_text("Solved.")
    expect(page.locator("#feedback")).to_be_focused()


def test_admin_quiz_pages_fit_a_laptop(page):
    """The quiz's edit and add pages and its gradebook at 1280 px: nothing past the window's
    edge, the item headers whole, and no serious violations. (Django's split date-time and
    its tabular inline's cells and "Delete?" boxes have no label of their own: the admin
    names them, exercises/admin/base.py.)"""
    from exercises.models import Quiz

    found: dict[str, list[str]] = {}
    sign_in(page, "instructor")
    quiz = Quiz.objects.get(title=NOTES_QUIZ)
    for state, url in (("quiz change", f"/admin/exercises/quiz/{quiz.pk}/change/"),
                       ("quiz add", "/admin/exercises/quiz/add/"),
                       ("gradebook", f"/admin/exercises/quiz/{quiz.pk}/gradebook/")):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), state
        check(page, state, found)
        if state == "quiz change":
            expect(page.get_by_label("Opens at: Date", exact=False)).to_have_count(1)
            expect(page.get_by_label("Delete").first).to_be_attached()
    headers = page.eval_on_selector_all("#gradebook thead th", "ths => ths.map(t => t.textContent)")
    assert any(header.endswith("x feeds two operations") for header in headers), headers
    assert found == {}, found
