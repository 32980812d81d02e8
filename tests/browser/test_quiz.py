"""The learner's quiz in a real browser: the issue's scenarios, step by step.

Screenshots go to test-results/screenshots/ (the graph, the feedback, step-through …).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from exercises.models import Attempt, Exercise

from .conftest import sign_in

pytestmark = pytest.mark.browser

NOTES_QUIZ = "The course notes, worked through"
EXAMPLE_1 = "Refresher, Example 1: (a + b) × d"
EXAMPLE_2 = "Refresher, Example 2: c = a × b, e = c + d, L = e × f"
EXAMPLE_3 = "Refresher, Example 3: x feeds two operations"
TWO_WEIGHTS = "The two-weight network with a squared loss"
GRAPH = "#answer-form [data-bp-graph]"


def open_item(page, title: str) -> None:
    page.get_by_role("link", name=NOTES_QUIZ, exact=True).click()
    page.get_by_role("link", name=title, exact=True).click()
    page.wait_for_selector(f"{GRAPH}.bp-drawn")


def box(page, name: str):
    return page.locator(f"{GRAPH} .bp-node[data-node='{name}']")


def working_order(page) -> list[str]:
    """The boxes in DOM order — the order Tab visits them."""
    return page.eval_on_selector_all(f"{GRAPH} .bp-node:has(input)",
                                     "boxes => boxes.map(b => b.dataset.node)")


def status_icon(page, name: str) -> tuple[str, str]:
    """The verdict mark in a box: its text, and the name a screen reader reads."""
    mark = box(page, name).locator(".bp-node-status")
    return mark.inner_text(), mark.get_attribute("aria-label")


def solution_grads(title: str) -> dict[str, float]:
    attempt = Attempt.objects.select_related("variant").get(exercise__title=title)
    return {n["name"]: n["grad"] for n in attempt.variant.graph["nodes"]}


def test_example3_x_wrong_then_fixed(page, screenshots):
    sign_in(page)
    open_item(page, EXAMPLE_3)
    for name, answer in (("L", "1"), ("y", "15"), ("z", "7"), ("x", "15")):
        page.get_by_label(f"gradient of {name}").fill(answer)
    # the answers sit in the boxes of the drawn graph: boxes, circles, arrows
    expect(box(page, "x").get_by_label("gradient of x")).to_be_visible()
    # one op shape per line (y = x + 2, z = x * 3, L = y * z); its numbers are in the line
    expect(page.locator(f"{GRAPH} .bp-op")).to_have_count(3)
    expect(page.locator(f"{GRAPH} .bp-node.bp-kind-const")).to_have_count(0)
    page.locator(f"{GRAPH} .bp-canvas").screenshot(path=screenshots / "example3-graph.png")

    page.get_by_role("button", name="Submit answers").click()
    expect(box(page, "x")).to_have_attribute("data-status", "wrong")
    for name in ("L", "y", "z"):
        expect(box(page, name)).to_have_attribute("data-status", "correct")
    assert status_icon(page, "x") == ("✗", "wrong") and status_icon(page, "y") == ("✓", "correct")
    expect(page.locator(f"{GRAPH} .bp-live")).to_have_text("Correct: L, y, z. Not right: x.")
    hint = page.locator(f"{GRAPH} .bp-pop")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("You added only the path through y — x also feeds z")
    expect(hint.locator(".katex").first).to_be_visible()  # the hint's maths, by KaTeX
    expect(page.get_by_label("gradient of x")).to_be_focused()
    expect(page.locator("#feedback")).to_contain_text("Last submission: 75%")
    expect(page.locator("#feedback")).to_contain_text("3 of 4 nodes right")
    expect(page.locator("#solution")).to_contain_text("grad: 36")  # policy: after a try
    page.screenshot(path=screenshots / "example3-feedback.png", full_page=True)

    page.get_by_label("gradient of x").fill("36")
    page.get_by_label("gradient of x").press("Enter")
    expect(box(page, "x")).to_have_attribute("data-status", "correct")
    expect(hint).to_be_hidden()
    expect(page.locator("#feedback")).to_contain_text("Solved.")
    expect(page.locator("#feedback")).to_contain_text("Last submission: 100%")
    expect(page.locator("#feedback")).to_contain_text("Best score: 100% (1 of 1 point)")
    page.screenshot(path=screenshots / "example3-solved.png", full_page=True)
    page.get_by_role("link", name="Next exercise →").first.click()
    expect(page.locator("h1")).to_contain_text("The worked example")
    page.goto("/")
    expect(page.locator("main")).to_contain_text("1 of 11 solved")


def test_invalid_input_is_flagged_at_the_box_and_costs_nothing(page):
    sign_in(page)
    open_item(page, EXAMPLE_1)
    for name, answer in (("L", "1"), ("c", "4"), ("d", "5"), ("a", "4"), ("b", "4x")):
        page.get_by_label(f"gradient of {name}").fill(answer)
    page.get_by_role("button", name="Submit answers").click()
    expect(box(page, "b")).to_have_attribute("data-status", "invalid")
    expect(page.get_by_label("gradient of b")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"{GRAPH} .bp-pop")).to_contain_text("costs nothing")
    expect(page.locator("#form-message")).to_contain_text("could not be read")
    assert Attempt.objects.get(exercise__title=EXAMPLE_1).graded_count == 0
    page.get_by_label("gradient of b").fill("4")
    page.get_by_label("gradient of b").press("Enter")
    expect(page.locator("#feedback")).to_contain_text("Solved.")


def test_a_carried_mistake_links_to_where_it_started(page):
    sign_in(page)
    open_item(page, EXAMPLE_3)
    for name, answer in (("L", "1"), ("y", "16"), ("z", "7"), ("x", "37")):
        page.get_by_label(f"gradient of {name}").fill(answer)
    page.get_by_label("gradient of x").press("Enter")
    expect(box(page, "x")).to_have_attribute("data-status", "wrong")
    page.get_by_label("gradient of x").focus()
    hint = page.locator(f"{GRAPH} .bp-pop")
    expect(hint).to_contain_text("This follows from your answer at y")
    hint.get_by_role("link", name="y").click()
    expect(page.get_by_label("gradient of y")).to_be_focused()
    expect(hint).to_contain_text("Hint:")  # now y's own hint


def test_step_through_the_two_weight_network(page, screenshots):
    sign_in(page)
    open_item(page, TWO_WEIGHTS)
    page.get_by_role("button", name="Step through").click()
    grads = solution_grads(TWO_WEIGHTS)
    order = working_order(page)
    assert order[0] == "L" and set(order[-3:]) == {"w1", "x", "b1"}
    assert "mul_1" not in order and "sub_1" not in order  # one box per line
    chain = page.locator("#steps .chain li")
    for number, name in enumerate(order, start=1):
        field = page.get_by_label(f"gradient of {name}")
        expect(field).to_be_focused()
        expect(box(page, name)).to_have_class(re.compile("bp-current"))
        expect(chain).to_have_count(number)  # the chain grows one line per node
        if name == "a2":  # one wrong try: a verdict and the hint at once, nothing spent
            field.fill("0.5")
            field.press("Enter")
            expect(box(page, name)).to_have_attribute("data-status", "wrong")
            expect(page.locator(f"{GRAPH} .bp-pop")).to_be_visible()
            expect(chain.last).to_contain_text("= ?")
        if name == "w1":
            # the notes' chain, written out: five boxes
            expect(chain.last).to_contain_text(
                "∂L/∂w₁ = ∂L/∂a₂ · ∂a₂/∂z₂ · ∂z₂/∂a₁ · ∂a₁/∂z₁ · ∂z₁/∂w₁")
            page.wait_for_timeout(600)  # a box that grew is laid out again once typing pauses
            page.screenshot(path=screenshots / "step-through.png", full_page=True)
        field.fill(f"{grads[name]:.4g}")  # as a learner types it: within the 1 % tolerance
        field.press("Enter")
        expect(box(page, name)).to_have_attribute("data-status", "correct")
    expect(page.locator("#feedback")).to_contain_text("Solved.")
    attempt = Attempt.objects.get(exercise__title=TWO_WEIGHTS)
    assert attempt.solved and attempt.graded_count == 1  # only the final answer counted
    assert attempt.submissions.filter(kind="step").count() == len(order) + 1


def test_reload_keeps_the_draft(page):
    sign_in(page)
    open_item(page, EXAMPLE_1)
    page.get_by_label("gradient of L").type("1")
    page.get_by_label("gradient of c").type("4")
    page.reload()
    page.wait_for_selector(f"{GRAPH}.bp-drawn")
    expect(page.get_by_label("gradient of L")).to_have_value("1")
    expect(page.get_by_label("gradient of c")).to_have_value("4")
    expect(page.get_by_label("gradient of d")).to_have_value("")
    for name, answer in (("d", "5"), ("a", "4"), ("b", "4")):
        page.get_by_label(f"gradient of {name}").fill(answer)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator("#feedback")).to_contain_text("Solved.")
    attempt = Attempt.objects.get(exercise__title=EXAMPLE_1)
    assert page.evaluate(f"localStorage.getItem('bp-draft:{attempt.pk}')") is None


def _tab_until(page, predicate_js: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        script = f"(() => {{ const el = document.activeElement; return {predicate_js}; }})()"
        if page.evaluate(script):
            return
    raise AssertionError(f"Tab never reached: {predicate_js}")


def test_keyboard_only_completion(page, screenshots):
    page.goto("/accounts/login/")
    page.screenshot(path=screenshots / "sign-in.png")
    page.keyboard.type("learner")  # the username box has the focus
    page.keyboard.press("Tab")
    page.keyboard.type("pw")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)
    page.screenshot(path=screenshots / "dashboard.png", full_page=True)
    _tab_until(page, f"el.textContent.trim() === {NOTES_QUIZ!r}")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/quizzes/\d+/$"))
    page.screenshot(path=screenshots / "quiz.png", full_page=True)
    _tab_until(page, f"el.textContent.trim() === {EXAMPLE_2!r}")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/items/\d+/$"))
    page.wait_for_selector(f"{GRAPH}.bp-drawn")
    _tab_until(page, "el.id === 'answer-L'")
    grads = solution_grads(EXAMPLE_2)
    visited = []
    for _ in range(len(grads)):
        name = page.evaluate("document.activeElement.id").removeprefix("answer-")
        visited.append(name)
        page.keyboard.type(repr(grads[name]).removesuffix(".0"))
        if len(visited) == len(working_order(page)):
            break
        page.keyboard.press("Tab")
    # Tab followed the backward pass: every node after all the nodes it feeds
    assert visited == working_order(page) and visited[0] == "L"
    feeds = {"a": "c", "b": "c", "c": "e", "d": "e", "e": "L", "f": "L"}
    for node, consumer in feeds.items():
        assert visited.index(consumer) < visited.index(node)
    page.keyboard.press("Enter")
    expect(page.locator("#feedback")).to_contain_text("Solved.")
    expect(page.locator("#feedback")).to_be_focused()


def test_table_view_is_one_click_away(page, screenshots):
    sign_in(page)
    open_item(page, EXAMPLE_3)
    page.get_by_role("button", name="Table view").first.click()
    table = page.locator(f"{GRAPH} .bp-table")
    expect(table).to_be_visible()
    expect(page.locator(f"{GRAPH} .bp-canvas")).to_be_hidden()
    rows = table.locator("tbody tr th")
    expect(rows.first).to_have_text("L")
    for name, answer in (("L", "1"), ("y", "15"), ("z", "7"), ("x", "15")):
        expect(table.get_by_label(f"gradient of {name}")).to_be_visible()
        table.get_by_label(f"gradient of {name}").fill(answer)
    page.get_by_role("button", name="Submit answers").click()
    row_x = table.locator("tr[data-node='x']")
    expect(row_x).to_have_attribute("data-status", "wrong")
    expect(row_x).to_contain_text("x also feeds z")
    page.screenshot(path=screenshots / "table-view.png", full_page=True)
    page.get_by_role("button", name="Graph view").first.click()
    expect(box(page, "x").get_by_label("gradient of x")).to_have_value("15")


def test_without_javascript_the_page_shows_the_exercise_and_says_why_it_cannot_submit(
        open_page):
    # Answers go through the versioned API only (one way in), which the page's script calls.
    page = open_page(java_script_enabled=False)
    sign_in(page)
    page.get_by_role("link", name=NOTES_QUIZ, exact=True).click()
    page.get_by_role("link", name=EXAMPLE_3, exact=True).click()
    expect(page.locator("#answer-form tr[data-node='x']")).to_contain_text("input")
    expect(page.get_by_text("turn JavaScript on to submit them")).to_be_visible()
    expect(page.get_by_role("button", name="Submit answers")).to_be_hidden()


def _layout_problems(page, root: str) -> list[str]:
    """Boxes that overlap, and arrows that run through a box or circle they don't join."""
    return page.evaluate("""root => {
      const stage = document.querySelector(root + ' .bp-stage');
      const rects = [...stage.querySelectorAll('.bp-node')].map(b => ({name: b.dataset.node,
        x: b.offsetLeft, y: b.offsetTop, w: b.offsetWidth, h: b.offsetHeight}));
      stage.querySelectorAll('.bp-op circle').forEach(c => {
        const r = +c.getAttribute('r');
        rects.push({name: 'op ' + c.parentNode.dataset.op, x: c.cx.baseVal.value - r,
                    y: c.cy.baseVal.value - r, w: 2 * r, h: 2 * r});
      });
      const problems = [];
      rects.forEach((a, i) => rects.slice(i + 1).forEach(b => {
        if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
          problems.push('overlap ' + a.name + ' / ' + b.name);
      }));
      stage.querySelectorAll('path.bp-edge').forEach((path, k) => {
        const total = path.getTotalLength();
        for (let s = 4; s < total - 4; s += 2) {
          const p = path.getPointAtLength(s);
          const hit = rects.find(r => p.x > r.x + 2 && p.x < r.x + r.w - 2 &&
                                      p.y > r.y + 2 && p.y < r.y + r.h - 2);
          if (hit) { problems.push('edge ' + k + ' crosses ' + hit.name); break; }
        }
      });
      const edges = stage.querySelectorAll('path.bp-edge').length;
      if (rects.length < 3 || edges < 2) problems.push('nothing drawn');
      return problems;
    }""", root)


FORTY_NODES = """# A small two-layer network: about forty nodes
x1 = 0.5
x2 = -1.0
x3 = 2.0
w11 = 0.1
w12 = -0.2
w13 = 0.3
w21 = 0.4
w22 = 0.1
w23 = -0.5
w31 = 0.7
b1 = 0.1
b2 = -0.1
v1 = 0.6
v2 = -0.4
v3 = 0.2
h1 = tanh(w11 * x1 + w12 * x2 + w13 * x3 + b1)
h2 = sigmoid(w21 * x1 + w22 * x2 + w23 * x3 + b2)
h3 = relu(w31 * x1)
out = v1 * h1 + v2 * h2 + v3 * h3
L = (out - 1) ** 2
"""


def test_forty_nodes_stay_legible_and_stack_on_a_phone(browser, live_server, demo,
                                                         open_page, screenshots):
    from django.contrib.auth import get_user_model

    from exercises import services
    from exercises.models import Course

    instructor = get_user_model().objects.get(username="instructor")
    exercise = services.create_exercise(title="Forty nodes", program=FORTY_NODES,
                                        author=instructor, course=Course.objects.get(),
                                        granularity="gate")  # every gate: forty nodes
    assert len(exercise.variants.get().graph["nodes"]) >= 38
    page = open_page()
    sign_in(page, "instructor")
    page.goto(f"/preview/exercise/{exercise.pk}/")
    page.wait_for_selector(f"{GRAPH}.bp-drawn")
    assert _layout_problems(page, GRAPH) == []
    sizes = page.eval_on_selector_all(
        f"{GRAPH} .bp-node-name", "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert min(sizes) >= 13
    page.locator(f"{GRAPH} .bp-canvas").evaluate(  # unclip, to photograph all of it
        "c => { c.style.maxHeight = 'none'; c.style.overflow = 'visible'; }")
    page.locator(f"{GRAPH} .bp-stage").screenshot(path=screenshots / "forty-nodes.png")

    phone = open_page(viewport={"width": 390, "height": 844})
    sign_in(phone)
    open_item(phone, TWO_WEIGHTS)
    assert _layout_problems(phone, GRAPH) == []
    canvas = phone.locator(f"{GRAPH} .bp-canvas")
    # too wide for the phone left to right: stacked, output on top, and it scrolls downwards
    expect(phone.locator(GRAPH)).to_have_attribute("data-direction", "up")
    assert canvas.evaluate("c => c.scrollHeight > c.clientHeight")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    phone.screenshot(path=screenshots / "phone.png", full_page=True)


def test_the_notes_graphs_draw_cleanly(page):
    sign_in(page)
    for title in (EXAMPLE_1, EXAMPLE_2, EXAMPLE_3, TWO_WEIGHTS, "A sigmoid neuron",
                  "The staged f(x, y) with eight stored values"):
        page.goto("/")
        open_item(page, title)
        assert _layout_problems(page, GRAPH) == [], title


def test_page_weight_in_the_browser(page):
    sign_in(page)
    sizes: dict[str, int] = {}
    page.on("response", lambda response: sizes.__setitem__(response.url, len(response.body()))
            if response.ok else None)
    page.goto("/")
    sizes.clear()
    open_item(page, TWO_WEIGHTS)
    own = {url: size for url, size in sizes.items() if "/static/vendor/" not in url}
    assert any(url.endswith("graph.js") for url in own)
    item_page = [url for url in own if re.search(r"/items/\d+/$", url)]
    assert item_page, own
    assert sum(size for url, size in own.items()
               if not re.search(r"/quizzes/\d+/$", url)) < 150 * 1024


def test_instructor_previews_as_a_learner(page):
    sign_in(page, "instructor")
    exercise = Exercise.objects.get(title=EXAMPLE_3)
    page.goto(f"/preview/exercise/{exercise.pk}/")
    expect(page.locator(".banner")).to_contain_text("Preview as a learner")
    page.wait_for_selector(f"{GRAPH}.bp-drawn")
    expect(page.get_by_label("gradient of x")).to_be_visible()


def test_the_nudge_answered_in_its_own_boxes_wrong_then_right(page, screenshots):
    from exercises import exercise_kinds, services
    from exercises.demo.kinds import QUIZ_TITLE

    sign_in(page)
    page.get_by_role("link", name=QUIZ_TITLE, exact=True).click()
    page.get_by_role("link", name="Check the derivative by nudging x by 0.001",
                     exact=True).click()
    page.wait_for_selector(f"{GRAPH}.bp-drawn")  # the graph still shows the data
    expect(page.locator("#answer-form .bp-kind-boxes")).to_be_visible()
    attempt = Attempt.objects.select_related("exercise", "variant").get(
        exercise__title__startswith="Check the derivative by nudging")
    solution = services.variant_solution(attempt.exercise, attempt.variant)
    labels = {b["key"]: b["label"] for b in exercise_kinds.boxes(attempt.exercise, solution)}
    right = exercise_kinds.answers(attempt.exercise, solution)
    assert sorted(labels) == ["nudged", "slope"]
    row = lambda key: page.locator(f"#answer-form .bp-kind-boxes .bp-row[data-node='{key}']")  # noqa: E731

    page.get_by_label(labels["nudged"], exact=True).fill(repr(right["nudged"]))
    page.get_by_label(labels["slope"], exact=True).fill(repr(right["slope"] + 5))
    page.get_by_role("button", name="Submit answers").click()
    expect(row("slope")).to_have_attribute("data-status", "wrong")
    expect(row("nudged")).to_have_attribute("data-status", "correct")
    expect(page.locator("#fb-slope")).to_contain_text("Not right")
    expect(page.get_by_label(labels["slope"], exact=True)).to_be_focused()
    page.screenshot(path=screenshots / "nudge-wrong.png", full_page=True)

    page.get_by_label(labels["slope"], exact=True).fill(repr(right["slope"]))
    page.get_by_role("button", name="Submit answers").click()
    expect(row("slope")).to_have_attribute("data-status", "correct")
    expect(page.locator("#fb-slope")).to_contain_text("Correct")
    expect(page.locator("#feedback")).to_contain_text("Solved")


def test_step_through_the_networks_chain_box_by_box_then_its_product(page, screenshots):
    from exercises import exercise_kinds, services
    from exercises.demo.kinds import QUIZ_TITLE

    sign_in(page)
    page.get_by_role("link", name=QUIZ_TITLE, exact=True).click()
    page.get_by_role("link", name="The network's chain for w1, box by box (local derivatives)",
                     exact=True).click()
    page.wait_for_selector(f"{GRAPH}.bp-drawn")
    attempt = Attempt.objects.select_related("exercise", "variant").get(
        exercise__title__startswith="The network's chain for w1")
    solution = services.variant_solution(attempt.exercise, attempt.variant)
    right = exercise_kinds.answers(attempt.exercise, solution)
    right["grad:w1"] = solution_grads(attempt.exercise.title)["w1"]
    keys = ["L/a2", "a2/z2", "z2/a1", "a1/z1", "z1/w1", "grad:w1"]
    assert list(right) == keys[:5] + ["grad:w1"]
    row = lambda key: page.locator(f"#answer-form .bp-kind-boxes .bp-row[data-node='{key}']")  # noqa: E731
    field = lambda key: page.locator(f"#answer-{key.replace('/', '__').replace(':', '-')}")  # noqa: E731
    expect(row("grad:w1")).to_be_hidden()  # the product is a step, not an answer box

    page.get_by_role("button", name="Step through").click()
    expect(page.get_by_role("heading", name="The chain, box by box")).to_be_visible()
    expect(row("grad:w1")).to_be_visible()
    chain = page.locator("#steps .chain li")
    for number, key in enumerate(keys, start=1):
        expect(field(key)).to_be_focused()
        expect(chain).to_have_count(number)  # the chain grows one box at a time
        for other in keys:
            if other != key:
                expect(field(other)).to_have_attribute("readonly", "")
        if key == "a1/z1":  # z1's own value: a verdict and the hint at once, nothing spent
            field(key).fill("0.5")
            field(key).press("Enter")
            expect(row(key)).to_have_attribute("data-status", "wrong")
            expect(page.locator("#fb-a1__z1")).to_contain_text("Hint:")
            expect(chain.last).to_contain_text("= ?")
            expect(page.locator("#form-message")).to_contain_text("∂a₁/∂z₁ is not right yet")
        if key == "z2/a1":
            expect(chain.last).to_contain_text("∂z₂/∂a₁ = ∂(w₂·a₁ + b₂)/∂a₁")
            expect(chain.last).to_contain_text("with w₂ = 0.8")
        if key == "grad:w1":
            # the notes' chain, written out: the five boxes just checked, then their product
            expect(chain.last).to_contain_text(
                "∂L/∂w₁ = ∂L/∂a₂ · ∂a₂/∂z₂ · ∂z₂/∂a₁ · ∂a₁/∂z₁ · ∂z₁/∂w₁")
            expect(chain.last).to_contain_text("∂z₂/∂a₁ = 0.8")
            expect(page.locator("#submit-answers")).to_have_text("Check ∂L/∂w₁")
            page.screenshot(path=screenshots / "step-through-local.png", full_page=True)
        # arithmetic is read by the server: the chain shows the number, not the typing
        typed = "4/5" if key == "z2/a1" else repr(right[key])
        field(key).fill(typed)
        field(key).press("Enter")
        expect(row(key)).to_have_attribute("data-status", "correct")
    expect(page.locator("#feedback")).to_contain_text("Solved")
    text = page.locator("#steps .chain").inner_text()
    assert "4/5" not in text and "mul_" not in text and "sub_" not in text
    attempt.refresh_from_db()
    assert attempt.solved and attempt.graded_count == 1  # only the final answers counted
    assert attempt.submissions.filter(kind="step").count() == len(keys) + 1
    final = attempt.submissions.get(kind="full")
    assert sorted(final.raw_answers) == sorted(keys[:5])  # the product is never an answer


@pytest.mark.parametrize("title, keys, first", [
    ("The network's weights after one step with η = 0.5",
     ["grad:w1", "w1", "grad:b1", "b1", "grad:w2", "w2", "grad:b2", "b2"],
     "∂L/∂w₁ = ∂L/∂a₂ · ∂a₂/∂z₂ · ∂z₂/∂a₁ · ∂a₁/∂z₁ · ∂z₁/∂w₁"),
    ("Check the derivative by nudging x by 0.001", ["nudged", "slope"],
     "= 7 (from the graph)"),
])
def test_step_through_an_update_and_a_nudge(page, screenshots, title, keys, first):
    from exercises import exercise_kinds, services
    from exercises.demo.kinds import QUIZ_TITLE

    sign_in(page)
    page.get_by_role("link", name=QUIZ_TITLE, exact=True).click()
    page.get_by_role("link", name=title, exact=True).click()
    page.wait_for_selector(f"{GRAPH}.bp-drawn")
    attempt = Attempt.objects.select_related("exercise", "variant").get(exercise__title=title)
    solution = services.variant_solution(attempt.exercise, attempt.variant)
    right = exercise_kinds.answers(attempt.exercise, solution)
    grads = solution_grads(title)
    right.update({f"grad:{name}": grads[name] for name in grads})
    field = lambda key: page.locator(f"#answer-{key.replace(':', '-')}")  # noqa: E731
    page.get_by_role("button", name="Step through").click()
    chain = page.locator("#steps .chain li")
    expect(chain.first).to_contain_text(first)
    if "nudged" in keys:  # L(x) is known: the graph shows it
        expect(chain.first.locator(".chain-formula")).to_have_text("loss(x)")
        expect(chain.first.locator(".chain-known")).to_have_text("with x = 2")
    for key in keys:
        expect(field(key)).to_be_focused()
        if key == "w1":  # w1 + η·∂L/∂w1: the update's own slip, at once and for free
            field(key).fill("0.5 - 0.5*0.0334194")
            field(key).press("Enter")
            expect(page.locator("#fb-w1")).to_contain_text("Not right")
            expect(chain.last).to_contain_text("w₁ ← w₁ − η·∂L/∂w₁")
            expect(chain.last).to_contain_text("with w₁ = 0.5, η = 0.5, ∂L/∂w₁ = -0.0334194")
            page.screenshot(path=screenshots / "step-through-update.png", full_page=True)
        if key == "slope":
            expect(chain.last).to_contain_text("with loss(x + h) = 7.003, loss(x) = 7, h = 0.001")
            page.screenshot(path=screenshots / "step-through-nudge.png", full_page=True)
        field(key).fill(repr(right[key]))
        field(key).press("Enter")
        expect(page.locator(f"#answer-form .bp-kind-boxes .bp-row[data-node='{key}']")
               ).to_have_attribute("data-status", "correct")
    expect(page.locator("#feedback")).to_contain_text("Solved")
    attempt.refresh_from_db()
    assert attempt.solved and attempt.graded_count == 1
