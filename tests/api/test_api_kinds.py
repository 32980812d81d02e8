"""The local, update and nudge kinds over the API: create with their settings, the
attempt tells the learner what they need, answers keyed by the kind, graded with hints."""

from __future__ import annotations

import json

import pytest
from api_helpers import find_leaks, start

from exercises.demo import read
from exercises.models import Exercise, Submission

pytestmark = pytest.mark.django_db

WORKED = "x = 2\ny = 3\nz = x * y\nloss = z + 1"
# The notes' network without biases: one node per line at either granularity.
NETWORK = ("x = 1.0\nw1 = 0.5\nw2 = 0.8\ny = const(1.0)\nz1 = w1 * x\na1 = sigmoid(z1)\n"
           "z2 = w2 * a1\na2 = sigmoid(z2)\nd = a2 - y\nL = d ** 2")
CHAIN = ["L/d", "d/a2", "a2/z2", "z2/a1", "a1/z1", "z1/w1"]


def create(cast, **body):
    return cast.client("instructor").post(
        "/api/v1/exercises/", {"title": body.pop("title", "kind"), **body}, format="json")


def answer(client, attempt: dict, answers: dict, field: str = "answers"):
    return client.post(f"/api/v1/attempts/{attempt['id']}/submissions/", {field: answers},
                       format="json")


def test_a_local_exercise_end_to_end(cast):
    created = create(cast, program=NETWORK, kind="local", ask=CHAIN)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["mode"] == "local" and body["answers"]["z2/a1"] == 0.8
    learner = cast.client("learner_a")
    attempt = start(learner, body["id"])
    assert attempt["mode"] == "local"
    assert attempt["ask"] == CHAIN and attempt["chain"] == CHAIN
    assert attempt["boxes"][3] == {"key": "z2/a1", "label": "∂z2/∂a1", "edge": ["a1", "z2"],
                                   "label_latex": "\\frac{\\partial z_{2}}{\\partial a_{1}}"}
    assert (attempt["learning_rate"], attempt["parameters"], attempt["nudge"]) == (
        None, None, None)
    # The sigmoids' and the loss's local derivatives are in no given value (a multiply's
    # local derivative, the other factor, is: it is read off the graph).
    hidden = [body["answers"][key] for key in ("L/d", "a2/z2", "a1/z1")]
    assert not find_leaks(attempt, hidden)
    response = answer(learner, attempt, {"z2/a1": "0.8", "z1/w1": "x"})
    assert response.status_code == 400
    assert "'x' is not a number" in response.json()["errors"]["z1/w1"]
    graded = answer(learner, attempt, {"z2/a1": "0.8", "z1/w1": "1", "a1/z1": "0.5"})
    assert graded.status_code == 201
    nodes = graded.json()["nodes"]
    assert nodes["z2/a1"]["correct"] and nodes["z1/w1"]["correct"]
    assert not nodes["a1/z1"]["correct"] and "sigmoid" in nodes["a1/z1"]["hint"].lower()


def test_an_update_exercise_end_to_end(cast):
    created = create(cast, program=WORKED, kind="update", learning_rate=0.1,
                     parameters=["x"])
    assert created.status_code == 201, created.content
    assert created.json()["mode"] == "update"
    assert created.json()["answers"] == {"x": pytest.approx(1.7)}
    learner = cast.client("learner_a")
    attempt = start(learner, created.json()["id"])
    assert attempt["ask"] == ["x"]
    assert (attempt["learning_rate"], attempt["parameters"]) == (0.1, ["x"])
    wrong = answer(learner, attempt, {"x": "2 + 0.1*3"}).json()
    assert wrong["nodes"]["x"]["misconception"] == "update_sign"
    assert "x − η·∂loss/∂x" in wrong["nodes"]["x"]["hint"]
    assert answer(learner, attempt, {"x": "1.7"}).json()["score"] == 1


def test_update_answers_are_graded_on_five_significant_figures(cast):
    created = create(cast, program=WORKED, kind="update", learning_rate=0.001,
                     parameters=["x"])
    learner = cast.client("learner_a")
    attempt = start(learner, created.json()["id"])
    # 2 is within 1 % of the new 1.997, but not to 5 figures.
    assert answer(learner, attempt, {"x": "2"}).json()["score"] == 0
    loose = create(cast, title="loose", program=WORKED, kind="update", learning_rate=0.001,
                   parameters=["x"], tolerance={"rel": 0.02})
    attempt = start(learner, loose.json()["id"])
    assert answer(learner, attempt, {"x": "2"}).json()["score"] == 1


def test_a_nudge_exercise_end_to_end(cast):
    created = create(cast, program=read("worked_xy.txt"), kind="nudge",
                     nudge={"input": "x", "h": 0.001})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["mode"] == "nudge" and body["answers"] == {"nudged": 7.003, "slope": 3.0}
    learner = cast.client("learner_a")
    attempt = start(learner, body["id"])
    assert attempt["ask"] == ["nudged", "slope"]
    assert attempt["nudge"] == {"input": "x", "h": 0.001} and attempt["chain"] is None
    assert [box["label"] for box in attempt["boxes"]] == ["loss(x + h)",
                                                          "(loss(x + h) − loss(x))/h"]
    assert "7.003" not in json.dumps(attempt)
    graded = answer(learner, attempt, {"nudged": "7.003", "slope": "0.003"}).json()
    assert graded["nodes"]["nudged"]["correct"]
    assert graded["nodes"]["slope"]["misconception"] == "slope_not_divided"
    solution = learner.get(f"/api/v1/attempts/{attempt['id']}/solution/").json()
    assert solution["answers"] == {"nudged": 7.003, "slope": 3.0}


@pytest.mark.parametrize("body, field, message", [
    ({"kind": "update"}, "learning_rate", "needs a learning_rate"),
    ({"kind": "update", "learning_rate": 0.5, "parameters": ["z"]}, "parameters",
     "must be inputs"),
    ({"kind": "nudge"}, "nudge", "needs the input"),
    ({"kind": "nudge", "nudge": {"input": "x", "h": 0}}, "nudge", "must not be 0"),
    ({"kind": "local", "ask": ["loss/x"]}, "ask", "unknown edge"),
    ({"kind": "nudge", "nudge": {"input": "x"}, "ask": ["slope", "curvature"]}, "ask",
     "unknown answer"),
])
def test_settings_that_do_not_fit_the_program_are_field_errors(cast, body, field, message):
    response = create(cast, program=WORKED, **body)
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert not Exercise.objects.filter(title="kind").exists()


def test_grads_are_refused_for_the_new_kinds_and_answers_accepted_for_the_old(cast):
    nudge = create(cast, program=WORKED, kind="nudge", nudge={"input": "y"})
    learner = cast.client("learner_a")
    attempt = start(learner, nudge.json()["id"])
    refused = answer(learner, attempt, {"nudged": 7.002}, field="grads")
    assert refused.status_code == 400
    assert refused.json()["grads"] == ["this exercise asks for a nudge: send answers"]
    assert not Submission.objects.exists()
    old = start(learner, cast.exercise.pk)  # gradients: {"answers": ...} works there too
    graded = answer(learner, old, {"x": "36", "y": 15, "z": 7, "L": 1})
    assert graded.status_code == 201 and graded.json()["score"] == 1


def test_an_exercise_switched_to_update_freezes_its_stored_variants_update_once(cast):
    exercise = Exercise.objects.get(pk=create(cast, program=WORKED).json()["id"])
    learner = cast.client("learner_a")
    attempt = start(learner, exercise.pk)  # a grad attempt on the seed-0 variant
    exercise.ask, exercise.learning_rate = "update", 0.5
    exercise.save()
    shown = learner.get(f"/api/v1/attempts/{attempt['id']}/").json()
    assert shown["ask"] == ["x", "y"] and shown["learning_rate"] == 0.5
    assert answer(learner, attempt, {"x": "0.5", "y": "2"}).json()["score"] == 1
    assert exercise.variants.get().graph["update"]["new_exact"] == {"x": "1/2", "y": "2"}


def test_the_schema_lists_the_kinds_as_enums_and_describes_their_fields(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    parts = schema["components"]["schemas"]
    kinds = {"grad", "data", "both", "local", "update", "nudge"}
    assert set(parts["ExerciseCreateKindEnum"]["enum"]) == kinds
    create = parts["ExerciseCreate"]["properties"]
    assert {"learning_rate", "parameters", "nudge"} <= set(create)
    attempt = parts["Attempt"]["properties"]
    assert {"learning_rate", "parameters", "nudge", "ask", "mode"} <= set(attempt)
    assert set(parts["ModeEnum"]["enum"]) == {"backward", "forward", "both", "local",
                                               "update", "nudge"}
    submission = parts["SubmissionCreate"]["properties"]
    assert {"answers", "grads", "data"} <= set(submission)
