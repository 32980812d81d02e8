"""The author's editor (issue #17): the program field is a code editor with line numbers and
colours; an error is marked at its line (underline, gutter mark, the message on hover and
below the field); the preview sits beside it on a wide screen and follows the typing; the
sample variants show before saving. At 1280 px and 390 px.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from exercises.models import Exercise

from .conftest import sign_in

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PROGRAM_EDITOR = ".field-program .cm-editor"


def type_program(page, text: str) -> None:
    content = page.locator(f"{PROGRAM_EDITOR} .cm-content")
    content.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_the_editor_marks_the_error_at_its_line(open_page, screenshots, viewport):
    page = open_page(viewport=viewport)
    sign_in(page, "instructor")
    page.goto("/admin/exercises/exercise/add/")
    editor = page.locator(PROGRAM_EDITOR)
    expect(editor).to_be_visible()
    expect(page.locator("#id_program")).to_be_hidden()  # the editor stands in for it
    type_program(page, "a = randint(2, 5)\nL = a * q\n")
    # the error at line 2: underlined, a gutter mark, the message below the field
    underline = editor.locator(".cm-lintRange-error")
    expect(underline).to_have_count(1)
    expect(editor).to_have_attribute("data-error-line", "2")
    lines = editor.locator(".cm-line")
    assert underline.evaluate("(u, line) => line.contains(u)", lines.nth(1).element_handle())
    expect(editor.locator(".cm-gutter-lint .cm-lint-marker-error")).to_have_count(1)
    message = page.locator("#id_program-message")
    expect(message).to_be_visible()
    expect(message).to_contain_text("line 2")
    expect(message).to_contain_text("'q'")
    # right below the editor, not a screen away
    gap = page.evaluate("""() => {
      const top = s => document.querySelector(s).getBoundingClientRect();
      return top('#id_program-message').top - top('.field-program .cm-editor').bottom; }""")
    assert 0 <= gap < 40, gap
    # the message on hover, too
    underline.hover()
    expect(page.locator(".cm-tooltip-lint")).to_contain_text("unknown name")
    # line numbers and colours for the authoring language
    expect(editor.locator(".cm-lineNumbers .cm-gutterElement", has_text="2")).to_have_count(1)
    colours = editor.locator(".cm-line").first.evaluate(
        "line => [...line.querySelectorAll('span')].map(s => getComputedStyle(s).color)")
    assert len(set(colours)) >= 3, colours  # name, draw function, numbers differ
    page.screenshot(path=screenshots / f"editor-error-{viewport['width']}.png")

    # fixed: the marks go, and the preview (graph and sample variants) follows, unsaved
    type_program(page, "a = randint(2, 5)\nq = 3\nL = a * q\n")
    expect(editor.locator(".cm-lintRange-error")).to_have_count(0)
    expect(message).to_be_hidden()
    preview = page.locator("#exercise-preview")
    preview.locator("[data-bp-graph].bp-drawn").wait_for()
    expect(preview.locator(".sample-variant")).to_have_count(3)
    expect(preview.locator(".sample-variant").first).to_contain_text("Output L")
    assert Exercise.objects.filter(program__contains="q = 3").count() == 0  # nothing saved
    frame_editor = editor.bounding_box()
    frame_preview = preview.bounding_box()
    if viewport is LAPTOP:  # beside the editor
        assert frame_preview["x"] >= frame_editor["x"] + frame_editor["width"] - 1
        assert frame_preview["y"] < frame_editor["y"] + frame_editor["height"]
    else:  # under it, the page no wider than the phone
        assert frame_preview["y"] >= frame_editor["y"] + frame_editor["height"]
    page.screenshot(path=screenshots / f"editor-{viewport['width']}.png")
    # a slip again: marked at its line, while the last good preview stays beside it
    type_program(page, "a = randint(2, 5)\nq = 3\nL = a * q +\n")
    expect(editor).to_have_attribute("data-error-line", "3")
    expect(preview.locator("[data-bp-graph].bp-drawn")).to_be_visible()
    page.mouse.move(0, 0)
    page.screenshot(path=screenshots / f"editor-slip-{viewport['width']}.png")


def test_mermaid_input_gets_the_same_editor(page):
    sign_in(page, "instructor")
    page.goto("/admin/exercises/exercise/add/")
    mermaid = page.locator(".field-mermaid .cm-editor")
    expect(mermaid).to_be_visible()
    mermaid.locator(".cm-content").click()
    page.keyboard.type("flowchart LR\n  a --> m((×))\n  m --> L\n  q[bad --> m\n")
    expect(mermaid).to_have_attribute("data-error-line", "4")
    expect(mermaid.locator(".cm-lintRange-error")).to_have_count(1)
    expect(mermaid.locator(".cm-gutter-lint .cm-lint-marker-error")).to_have_count(1)
    expect(page.locator("#id_mermaid-message")).to_contain_text("line 4")
    colours = mermaid.locator(".cm-line").first.evaluate(
        "line => [...line.querySelectorAll('span')].map(s => getComputedStyle(s).color)")
    assert colours, "the Mermaid keywords are coloured"


def test_a_saved_error_is_marked_when_the_page_comes_back(page):
    sign_in(page, "instructor")
    exercise = Exercise.objects.get(title__startswith="Refresher, Example 3")
    page.goto(f"/admin/exercises/exercise/{exercise.pk}/change/")
    type_program(page, "x = 2\ny = x +\n")
    page.get_by_role("button", name="Save", exact=True).click()
    editor = page.locator(PROGRAM_EDITOR)
    expect(editor).to_have_attribute("data-error-line", "2")
    expect(page.locator("#id_program-message")).to_contain_text("line 2")
