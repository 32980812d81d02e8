"""Step-through for the local, update and nudge kinds over the API: each step is one
`kind: "step"` submission of one answer, under the same disclosure rule as every check.

A step checks an asked key, or a gradient on the way ("grad:w1", ∂L/∂w1): the product a
local chain ends with, the ∂L/∂w an update step uses. Where the policy offers no step-through
(limited attempts, a retry penalty, correctness shown later, or the quiz's switch off)
every one of them is refused, and none of them ever counts as an attempt.
"""

from __future__ import annotations

import pytest
from api_helpers import start
from test_api_kinds import CHAIN, NETWORK, WORKED, create

from exercises import selectors
from exercises.models import Attempt, Exercise, Quiz, QuizItem, Reveal, Submission

pytestmark = pytest.mark.django_db


def step(client, attempt_id: int, key: str, value):
    return client.post(f"/api/v1/attempts/{attempt_id}/submissions/",
                       {"answers": {key: value}, "kind": "step"}, format="json")


def solution_of(attempt_id: int) -> dict:
    attempt = Attempt.objects.select_related("variant").get(pk=attempt_id)
    return {n["name"]: n for n in attempt.variant.graph["nodes"]}


def kind_exercises(cast) -> dict[str, int]:
    made = {
        "local": create(cast, title="local", program=NETWORK, kind="local", ask=CHAIN),
        "update": create(cast, title="update", program=WORKED, kind="update",
                         learning_rate=0.1, parameters=["x"]),
        "nudge": create(cast, title="nudge", program=WORKED, kind="nudge",
                        nudge={"input": "x", "h": 0.001}),
    }
    for response in made.values():
        assert response.status_code == 201, response.content
    return {kind: response.json()["id"] for kind, response in made.items()}


def quiz_attempt(cast, exercise_id: int, **policy) -> dict:
    quiz = Quiz.objects.create(course=cast.course, title=f"Quiz {exercise_id} {policy}",
                               **policy)
    item = QuizItem.objects.create(quiz=quiz, exercise_id=exercise_id, position=1)
    response = cast.client("learner_a").post(f"/api/v1/quiz-items/{item.pk}/attempts/",
                                             format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def test_a_local_chain_steps_box_by_box_then_its_product(cast):
    learner = cast.client("learner_a")
    attempt = start(learner, kind_exercises(cast)["local"])
    nodes = solution_of(attempt["id"])
    assert attempt["chain"] == CHAIN
    wrong = step(learner, attempt["id"], "a1/z1", "0.5")  # z1's own value
    assert wrong.status_code == 201, wrong.content
    body = wrong.json()
    assert body["kind"] == "step" and body["counted"] is False
    assert list(body["nodes"]) == ["a1/z1"]
    assert body["nodes"]["a1/z1"]["misconception"] == "local_own_value"
    assert step(learner, attempt["id"], "z2/a1", "0.8").json()["nodes"]["z2/a1"]["correct"]
    # the boxes' product: ∂L/∂w1, checked as w1's gradient, reported under its own key
    product = nodes["w1"]["grad"]
    right = step(learner, attempt["id"], "grad:w1", repr(product)).json()
    assert list(right["nodes"]) == ["grad:w1"] and right["nodes"]["grad:w1"]["correct"]
    off = step(learner, attempt["id"], "grad:w1", repr(product * 2)).json()
    assert off["nodes"]["grad:w1"]["correct"] is False and off["nodes"]["grad:w1"]["hint"]
    assert "expected" not in off["nodes"]["grad:w1"]  # the solution is not shown yet
    # only the node the chain starts from has a product; no other gradient is checkable
    for other in ("grad:x", "grad:z1", "grad:L", "w1", "z1/x"):
        refused = step(learner, attempt["id"], other, "1")
        assert refused.status_code == 400, other
        assert "not asked" in refused.json()["detail"]
    shown = Attempt.objects.get(pk=attempt["id"])
    assert shown.graded_count == 0
    assert set(shown.submissions.values_list("kind", "counted")) == {("step", False)}


def test_an_update_steps_through_each_gradient_then_the_new_value(cast):
    learner = cast.client("learner_a")
    attempt = start(learner, kind_exercises(cast)["update"])
    assert attempt["ask"] == ["x"]
    gradient = step(learner, attempt["id"], "grad:x", "3").json()  # ∂loss/∂x = y = 3
    assert gradient["nodes"]["grad:x"]["correct"] and gradient["nodes"]["grad:x"]["value"] == 3
    # the new weight typed for the gradient: the gradient's own diagnosis
    mixed = step(learner, attempt["id"], "grad:x", "2 - 0.1*3").json()["nodes"]["grad:x"]
    assert mixed["correct"] is False and mixed["misconception"] == "update_for_grad"
    sign = step(learner, attempt["id"], "x", "2 + 0.1*3").json()["nodes"]["x"]
    assert sign["misconception"] == "update_sign" and "x − η·∂loss/∂x" in sign["hint"]
    assert step(learner, attempt["id"], "x", "1.7").json()["nodes"]["x"]["correct"]
    assert step(learner, attempt["id"], "grad:y", "2").status_code == 400  # not a parameter
    # a full submission takes the asked keys only: a gradient sent with it is not graded
    full = learner.post(f"/api/v1/attempts/{attempt['id']}/submissions/",
                        {"answers": {"x": "1.7", "grad:x": "3"}}, format="json").json()
    assert list(full["nodes"]) == ["x"] and full["score"] == 1 and full["counted"]


def test_a_nudge_steps_from_the_nudged_output_to_the_slope(cast):
    learner = cast.client("learner_a")
    attempt = start(learner, kind_exercises(cast)["nudge"])
    unchanged = step(learner, attempt["id"], "nudged", "7").json()["nodes"]["nudged"]
    assert unchanged["misconception"] == "nudge_unchanged"
    assert step(learner, attempt["id"], "nudged", "7.003").json()["nodes"]["nudged"]["correct"]
    assert step(learner, attempt["id"], "slope", "(7.003 - 7)/0.001").json()[
        "nodes"]["slope"]["correct"]
    for other in ("grad:x", "loss", "x"):
        assert step(learner, attempt["id"], other, "3").status_code == 400, other
    assert Attempt.objects.get(pk=attempt["id"]).graded_count == 0


@pytest.mark.parametrize("policy", [
    {"attempts_allowed": 3},
    {"retry_penalty": 0.1},
    {"show_correctness": Reveal.AFTER_DUE},
    {"step_through": False},
])
def test_every_step_key_is_refused_where_the_policy_offers_no_step_through(cast, policy):
    exercises = kind_exercises(cast)
    keys = {"local": ["z2/a1", "grad:w1"], "update": ["grad:x", "x"],
            "nudge": ["nudged", "slope"]}
    learner = cast.client("learner_a")
    for kind, exercise_id in exercises.items():
        attempt = quiz_attempt(cast, exercise_id, **policy)
        for key in keys[kind]:
            refused = step(learner, attempt["id"], key, "1")
            assert refused.status_code == 403, (kind, key, refused.content)
            assert "Step-through is not offered here" in refused.json()["detail"]
    assert not Submission.objects.exists()


def test_step_keys_are_checked_where_a_quiz_offers_step_through(cast):
    exercises = kind_exercises(cast)
    learner = cast.client("learner_a")
    attempt = quiz_attempt(cast, exercises["update"], step_through=True)
    assert step(learner, attempt["id"], "grad:x", "3").json()["nodes"]["grad:x"]["correct"]
    assert step(learner, attempt["id"], "x", "1.7").json()["nodes"]["x"]["correct"]
    assert Attempt.objects.get(pk=attempt["id"]).graded_count == 0


def test_a_gradient_steps_hints_follow_the_policy_when_it_gets_stricter(cast):
    exercise_id = kind_exercises(cast)["local"]
    learner = cast.client("learner_a")
    attempt = quiz_attempt(cast, exercise_id, step_through=True, hint_level=2)
    checked = step(learner, attempt["id"], "grad:w1", "5").json()["nodes"]["grad:w1"]
    assert checked["correct"] is False and checked["hint"]
    quiz = Quiz.objects.get(items__attempts__pk=attempt["id"])
    quiz.hint_level = 1  # the stored level-2 hint is graded again at level 1
    quiz.save()
    submission = Submission.objects.get(attempt_id=attempt["id"])
    shown = selectors.learner_result(submission)["nodes"]["grad:w1"]
    assert shown["correct"] is False and shown["hint"] and shown["hint"] != checked["hint"]
    assert Exercise.objects.get(pk=exercise_id).ask == "local"


def test_the_attempt_lists_its_steps_where_step_through_is_offered(cast):
    exercises = kind_exercises(cast)
    learner = cast.client("learner_a")
    local = start(learner, exercises["local"])
    assert [s["key"] for s in local["steps"]] == CHAIN + ["grad:w1"]
    assert local["steps"][-1]["box"] is False
    nudge = start(learner, exercises["nudge"])
    assert [s["key"] for s in nudge["steps"]] == [None, "nudged", "slope"]
    assert "7.003" not in str(nudge["steps"])
    # each step is a step check of its key
    for entry in start(learner, exercises["update"])["steps"]:
        checked = step(learner, start(learner, exercises["update"])["id"], entry["key"], "1")
        assert checked.status_code == 201, entry
    assert start(learner, cast.exercise.pk)["steps"] is None  # gradients: the graph's nodes
    limited = quiz_attempt(cast, exercises["local"], attempts_allowed=2)
    assert limited["steps"] is None
