"""The graph on the learner's page at a laptop's and a phone's width (issue #17): fitted
with the output's box in view on load, zoom and pan by mouse and keyboard, the same layout
for the quiz and its solution, and the table view's verdicts on a phone.

Screenshots go to test-results/screenshots/ (network-1280.png, network-390.png, …).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import sign_in
from .test_quiz import EXAMPLE_3, GRAPH, TWO_WEIGHTS, box, open_item

CHAIN = "The chain rule on (3x + 1)² at x = 2"
NEURON = "A sigmoid neuron"

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def rect(locator) -> dict:
    return locator.evaluate(
        "e => { const r = e.getBoundingClientRect(); "
        "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }")


def inside(inner: dict, outer: dict) -> bool:
    return (inner["top"] >= outer["top"] - 0.5 and inner["bottom"] <= outer["bottom"] + 0.5
            and inner["left"] >= outer["left"] - 0.5 and inner["right"] <= outer["right"] + 0.5)


def positions(page, root: str) -> dict[str, list]:
    """Where each box sits and the size it was laid out with."""
    return page.eval_on_selector_all(
        f"{root} .bp-node", "bs => Object.fromEntries(bs.map(b => "
        "[b.dataset.node, [b.offsetLeft, b.offsetTop, b.style.minWidth, b.style.minHeight]]))")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_the_output_box_is_in_view_on_load(open_page, screenshots, viewport):
    page = open_page(viewport=viewport)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    sign_in(page)
    open_item(page, TWO_WEIGHTS)
    assert any(url.endswith("elk-worker.min.js") for url in requested)  # laid out off-thread
    output = box(page, "L")
    page.screenshot(path=screenshots / f"network-{viewport['width']}.png")
    canvas = page.locator(f"{GRAPH} .bp-canvas")
    window = {"top": 0, "left": 0, "bottom": viewport["height"], "right": viewport["width"]}
    if viewport is LAPTOP:
        # the whole box, on the screen as the page opens: no scrolling at all
        assert page.evaluate("window.scrollY") == 0
        assert inside(rect(output), window), (rect(output), window)
    else:
        canvas.scroll_into_view_if_needed()
    assert inside(rect(output), rect(canvas)), (rect(output), rect(canvas))
    # never wider than the screen: the page itself does not scroll sideways
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")



def shape(page) -> dict:
    return page.eval_on_selector(GRAPH, "g => { const c = g.querySelector('.bp-canvas'); "
                                 "return {direction: g.dataset.direction, "
                                 "wrapped: g.hasAttribute('data-wrapped'), "
                                 "scale: +c.dataset.scale, scroll: c.scrollWidth, "
                                 "room: c.clientWidth}; }")


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_wide_graphs_stack_or_wrap_on_a_phone(open_page, viewport):
    """Left to right where that fits; on a phone, a graph that would have to shrink below
    the threshold is stacked (output on top) or, still too wide stacked, wrapped into rows:
    fitted to the width (no sideways scrolling), the output's box in view."""
    page = open_page(viewport=viewport)
    sign_in(page)
    for title, on_a_phone in ((CHAIN, "up"), (NEURON, "wrapped"), (TWO_WEIGHTS, "up")):
        open_item(page, title)
        seen = shape(page)
        if viewport is LAPTOP:
            assert seen["direction"] == ("up" if title == TWO_WEIGHTS else "right"), seen
            assert not seen["wrapped"] and seen["scale"] == 1, seen
        elif on_a_phone == "wrapped":
            assert seen["direction"] == "right" and seen["wrapped"], seen
        else:
            assert seen["direction"] == "up" and not seen["wrapped"], seen
        assert seen["scale"] >= 0.6 and seen["scroll"] <= seen["room"] + 1, seen
        canvas = page.locator(f"{GRAPH} .bp-canvas")
        canvas.scroll_into_view_if_needed()
        output = page.locator(f"{GRAPH} .bp-node.bp-output")
        assert inside(rect(output), rect(canvas)), (title, rect(output), rect(canvas))
        page.go_back()
        page.go_back()


OVERLAPS = """root => {
  const g = document.querySelector(root);
  const parts = [...g.querySelectorAll('.bp-node')].map(e => ['box ' + e.dataset.node, e])
    .concat([...g.querySelectorAll('.bp-ops .bp-op')].map(e => ['op ' + e.dataset.op, e]))
    .map(([name, e]) => [name, e.getBoundingClientRect()]);
  const hits = [];
  for (let i = 0; i < parts.length; i++) for (let j = i + 1; j < parts.length; j++) {
    const [a, r] = parts[i], [b, q] = parts[j];
    if (r.left < q.right - 0.5 && q.left < r.right - 0.5 &&
        r.top < q.bottom - 0.5 && q.top < r.bottom - 0.5) hits.push([a, b]);
  }
  return hits;
}"""


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_a_long_answer_grows_its_box_without_covering_a_neighbour(open_page, viewport):
    page = open_page(viewport=viewport)
    sign_in(page)
    for title, name in ((EXAMPLE_3, "y"), (TWO_WEIGHTS, "a1")):
        open_item(page, title)
        assert page.evaluate(OVERLAPS, GRAPH) == []
        field = page.get_by_label(f"gradient of {name}")
        field.click()
        answer = "0.25*(1 - 0.25)*0.8*2"
        field.press_sequentially(answer)
        # the box outgrew its room: laid out again, once typing paused
        expect(page.locator(GRAPH)).to_have_attribute("data-layouts", "2")
        assert page.evaluate(OVERLAPS, GRAPH) == []
        expect(field).to_be_focused()
        expect(field).to_have_value(answer)
        assert field.evaluate("i => i.scrollWidth <= i.clientWidth")  # nothing cut off
        assert inside(rect(field), rect(page.locator(f"{GRAPH} .bp-canvas")))
        page.go_back()
        page.go_back()


def test_zoom_and_pan_by_keyboard_buttons_and_mouse(page):
    sign_in(page)
    open_item(page, TWO_WEIGHTS)
    canvas = page.locator(f"{GRAPH} .bp-canvas")

    def scale() -> float:
        return float(canvas.get_attribute("data-scale"))

    fitted = scale()
    canvas.focus()
    page.keyboard.press("+")
    assert scale() == pytest.approx(fitted * 1.25, rel=0.01)
    page.keyboard.press("+")
    page.keyboard.press("-")
    assert scale() == pytest.approx(fitted * 1.25, rel=0.01)
    page.keyboard.press("0")
    assert scale() == pytest.approx(fitted)
    page.get_by_role("button", name="Zoom in").first.click()
    page.get_by_role("button", name="Zoom in").first.click()
    assert scale() == pytest.approx(fitted * 1.5625, rel=0.01)
    # zoomed in the drawing is larger than the canvas: drag the background to pan
    canvas.evaluate("c => { c.scrollLeft = 0; c.scrollTop = 0; }")
    frame = rect(canvas)
    start = (frame["left"] + 8, frame["top"] + 8)
    under = f"document.elementFromPoint({start[0]}, {start[1]}).closest('input')"
    assert page.evaluate(under) is None  # the drag starts on the background
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] - 5, start[1] - 5)
    page.mouse.move(start[0] - 30, start[1] - 150)
    page.mouse.up()
    scrolled = canvas.evaluate("c => [c.scrollLeft, c.scrollTop]")
    assert scrolled[1] >= 140, scrolled  # the stacked network pans up and down
    # arrow keys pan too
    canvas.focus()
    page.keyboard.press("ArrowUp")
    assert canvas.evaluate("c => c.scrollTop") < scrolled[1]
    # Ctrl + wheel zooms (a trackpad's pinch arrives the same way)
    page.mouse.move(frame["left"] + 100, frame["top"] + 60)
    before = scale()
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)
    page.keyboard.up("Control")
    expect(canvas).not_to_have_attribute("data-scale", f"{before:.3f}")
    assert scale() > before
    # typing a minus sign in an answer box is typing, not zooming
    field = page.get_by_label("gradient of L")
    field.fill("")
    field.type("-0.5")
    expect(field).to_have_value("-0.5")


def test_quiz_and_solution_share_one_layout(page, screenshots):
    sign_in(page)
    open_item(page, EXAMPLE_3)
    quiz = positions(page, GRAPH)
    for name, answer in (("L", "1"), ("y", "15"), ("z", "7"), ("x", "15 + 7*3")):
        page.get_by_label(f"gradient of {name}").fill(answer)
    # the answer box grows with what is typed
    width = page.get_by_label("gradient of x").evaluate("i => [i.clientWidth, i.scrollWidth]")
    assert width[1] <= width[0], width
    page.get_by_role("button", name="Submit answers").click()
    expect(box(page, "x")).to_have_attribute("data-status", "correct")
    page.wait_for_selector("#solution [data-bp-graph].bp-drawn")
    solution = positions(page, "#solution")
    assert quiz.keys() == solution.keys()
    for name in quiz:
        assert quiz[name] == solution[name], name
    after = positions(page, GRAPH)
    assert after == quiz  # and the quiz's own boxes did not move when graded
    page.screenshot(path=screenshots / "quiz-and-solution.png", full_page=True)


def test_the_table_view_shows_verdicts_and_hints_on_a_phone(open_page, screenshots):
    page = open_page(viewport=PHONE, has_touch=True, is_mobile=True)
    sign_in(page)
    open_item(page, EXAMPLE_3)
    page.get_by_role("button", name="Table view").first.click()
    table = page.locator(f"{GRAPH} .bp-table")
    for name, answer in (("L", "1"), ("y", "15"), ("z", "7"), ("x", "15")):
        table.get_by_label(f"gradient of {name}").fill(answer)
    page.get_by_role("button", name="Submit answers").click()
    row_x = table.locator("tr[data-node='x']")
    expect(row_x).to_have_attribute("data-status", "wrong")
    screen = {"top": -1e9, "bottom": 1e9, "left": 0, "right": PHONE["width"]}
    for part in (".bp-verdict", ".bp-hint-text"):
        element = row_x.locator(part)
        element.scroll_into_view_if_needed()
        expect(element).to_be_visible()
        assert inside(rect(element), screen), (part, rect(element))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    row_x.screenshot(path=screenshots / "table-phone.png")


def test_touch_targets_are_at_least_44px_high(open_page):
    page = open_page(viewport=PHONE, has_touch=True, is_mobile=True)
    sign_in(page)
    open_item(page, EXAMPLE_3)
    small = page.evaluate("""() => [...document.querySelectorAll(
        'main button, main input:not([type=hidden]), main select, main .button')]
      .filter(e => e.offsetParent !== null)
      .map(e => [e.textContent.trim() || e.name || e.id, e.getBoundingClientRect().height])
      .filter(([, h]) => h < 44)""")
    assert small == []


def test_step_through_shows_the_number_read_and_a_chain_that_says_something(page):
    sign_in(page)
    open_item(page, TWO_WEIGHTS)
    page.get_by_role("button", name="Step through").click()
    field = page.get_by_label("gradient of L")
    expect(field).to_be_focused()
    field.fill("2/2")
    field.press("Enter")
    chain = page.locator("#steps .chain li")
    expect(chain.first).to_contain_text("= 1 ✓")  # what was read, not the text typed
    expect(chain.first).not_to_contain_text("2/2")
    # a₂ feeds the output directly (one node per line: L = (a2 − y)²): upstream 1 times
    # L's own derivative, not ∂L/∂a₂ twice
    expect(chain.last).to_contain_text("∂L/∂a₂ = 1 · ∂((a₂ − y)^2)/∂a₂")
    expect(chain.last).not_to_contain_text("∂L/∂L · ∂L/∂a₂")
