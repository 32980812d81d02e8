"""The item page's step-through for local, update and nudge exercises (kind_steps): the
steps the page walks, in the program's names, with only the numbers the graph shows; a
row for each gradient on the way, hidden until the learner steps through; none of it
where the policy offers no step-through."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from exercises import exercise_kinds, services
from exercises.api.serializers import attempt_solution
from exercises.demo.kinds import QUIZ_TITLE
from exercises.models import Attempt, Quiz

TITLES = {"local": "The network's chain for w1", "update": "The network's weights",
          "nudge": "Check the derivative by nudging"}
GATE_NAMES = re.compile(r"\b(mul|add|sub|pow|neg|div)_\d")


@pytest.fixture
def kinds_quiz(demo) -> Quiz:
    return Quiz.objects.get(title=QUIZ_TITLE)


def start(quiz: Quiz, kind: str) -> Attempt:
    item = quiz.items.select_related("exercise").get(exercise__title__startswith=TITLES[kind])
    return services.start_attempt(quiz.course.learners.get(), item=item)[0]


def page(client, attempt) -> str:
    response = client.get(reverse("exercises:item", args=[attempt.item.quiz_id,
                                                          attempt.item_id]))
    assert response.status_code == 200
    return response.content.decode()


def config(text: str) -> dict:
    found = re.search(r'<script id="item-config" type="application/json">(.*?)</script>',
                      text, re.S)
    return json.loads(found.group(1))


def secrets(attempt: Attempt) -> list[float]:
    """What no step may show: every gradient, every local derivative, every asked answer."""
    solution = attempt_solution(attempt)
    values = [n["grad"] for n in solution["nodes"]]
    values += [v for n in solution["nodes"] for v in n.get("local") or []]
    values += list(exercise_kinds.answers(attempt.exercise, solution).values())
    shown = {n["data"] for n in solution["nodes"]} | {0.5, 0.001, 1.0}  # data, η, h
    return [v for v in values if not any(abs(v - s) <= 1e-6 * max(1, abs(s)) for s in shown)]


def numbers_in(steps: list[dict]) -> list[float]:
    return [float(k["value"]) for step in steps for k in step["known"] if "value" in k] + [
        float(step["value"]) for step in steps if step.get("value")]


def test_the_local_chain_steps_are_the_notes_boxes_then_their_product(learner_client,
                                                                      kinds_quiz):
    attempt = start(kinds_quiz, "local")
    text = page(learner_client, attempt)
    steps = config(text)["steps"]
    assert [s["key"] for s in steps] == ["L/a2", "a2/z2", "z2/a1", "a1/z1", "z1/w1", "grad:w1"]
    assert [s["box"] for s in steps] == [True] * 5 + [False]
    assert steps[2]["formula"] == "∂z₂/∂a₁ = ∂(w₂·a₁ + b₂)/∂a₁"
    assert steps[-1]["formula"] == "∂L/∂w₁ = ∂L/∂a₂ · ∂a₂/∂z₂ · ∂z₂/∂a₁ · ∂a₁/∂z₁ · ∂z₁/∂w₁"
    assert [k["key"] for k in steps[-1]["known"]] == [s["key"] for s in steps[:5]]
    # the product's row: hidden until stepping through, never sent with a full submission
    assert re.search(r'<tr class="bp-row" data-node="grad:w1" data-status="" data-step-only '
                     r'hidden>', text)
    assert 'id="answer-grad-w1"' in text and 'id="fb-grad-w1"' in text
    assert "The chain, box by box" in text


def test_an_update_steps_each_gradient_then_its_new_value(learner_client, kinds_quiz):
    attempt = start(kinds_quiz, "update")
    steps = config(page(learner_client, attempt))["steps"]
    assert [s["key"] for s in steps] == ["grad:w1", "w1", "grad:b1", "b1", "grad:w2", "w2",
                                         "grad:b2", "b2"]
    assert steps[1]["formula"] == "w₁ ← w₁ − η·∂L/∂w₁"
    assert steps[1]["known"] == [{"label": "w₁", "value": "0.5"},
                                 {"label": "η", "value": "0.5"},
                                 {"label": "∂L/∂w₁", "key": "grad:w1"}]
    assert steps[4]["formula"] == "∂L/∂w₂ = ∂L/∂a₂ · ∂a₂/∂z₂ · ∂z₂/∂w₂"


def test_a_nudge_starts_from_the_output_the_graph_shows(learner_client, kinds_quiz):
    attempt = start(kinds_quiz, "nudge")
    steps = config(page(learner_client, attempt))["steps"]
    assert [(s["key"], s["label"]) for s in steps] == [
        (None, "loss(x)"), ("nudged", "loss(x + h)"), ("slope", "(loss(x + h) − loss(x))/h")]
    assert steps[0]["value"] == "7" and steps[0]["box"] is False
    assert {"label": "x + h", "value": "2.001"} in steps[1]["known"]
    assert {"label": "loss(x + h)", "key": "nudged"} in steps[2]["known"]


@pytest.mark.parametrize("kind", ["local", "update", "nudge"])
def test_the_steps_name_program_nodes_and_show_only_what_the_graph_shows(
        learner_client, kinds_quiz, kind):
    attempt = start(kinds_quiz, kind)
    steps = config(page(learner_client, attempt))["steps"]
    assert not GATE_NAMES.search(json.dumps(steps, ensure_ascii=False))
    hidden = secrets(attempt)
    assert hidden
    for value in numbers_in(steps):
        assert not any(abs(value - s) <= 1e-5 * max(1, abs(s)) for s in hidden), value


@pytest.mark.parametrize("kind", ["local", "update", "nudge"])
def test_no_steps_where_the_quiz_offers_no_step_through(learner_client, kinds_quiz, kind):
    kinds_quiz.attempts_allowed = 2
    kinds_quiz.save()
    text = page(learner_client, start(kinds_quiz, kind))
    shown = config(text)
    assert shown["stepAllowed"] is False and shown["steps"] is None
    assert "data-step-only" not in text and 'data-mode="step"' not in text


# -- the plan itself, for exercises the demo does not have ------------------------------------


def unsaved(program: str, **fields):
    from exercises.engine import solve_text
    from exercises.models import Exercise

    exercise = Exercise(**{"asked_nodes": [], "parameters": [], "nudge_input": "", **fields})
    return exercise, exercise_kinds.solution(exercise, solve_text(program))


def test_a_local_exercise_of_every_edge_steps_through_them_without_a_product():
    from exercises import kind_steps

    exercise, solution = unsaved("x = 2\ny = x + 2\nz = x * 3\nL = y * z", ask="local")
    plan = kind_steps.steps(exercise, solution)
    assert [s["key"] for s in plan] == exercise_kinds.asked_keys(exercise, solution)
    assert all(s["box"] for s in plan)  # several paths: no one product to end with
    assert exercise_kinds.step_keys(exercise, solution) == []


def test_an_updates_gradient_is_written_as_the_chain_rule_at_the_programs_lines():
    from exercises import kind_steps
    from exercises.grading import prepare

    exercise, solution = unsaved("x = 2\ny = x + 2\nz = x * 3\nL = y * z\nM = L + x",
                                 ask="update", learning_rate=0.1)
    solved = prepare(solution)
    # x feeds three lines: a sum over them, one straight into the output
    assert kind_steps.gradient_formula(solved, "x") == (
        "∂M/∂x = ∂M/∂y·∂y/∂x + ∂M/∂z·∂z/∂x + ∂(L + x)/∂x")
    plan = kind_steps.steps(exercise, solution)
    assert [s["key"] for s in plan] == ["grad:x", "x"]
    assert exercise_kinds.step_keys(exercise, solution) == ["grad:x"]
