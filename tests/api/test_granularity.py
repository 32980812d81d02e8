"""Exercise.granularity: new exercises have one node per line, gate exercises keep their
gates, and the exercises that existed before the field keep the gate graphs their variants
froze (the migration gives them "gate")."""

from __future__ import annotations

import pytest
from api_helpers import start, submit
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from exercises import services
from exercises.demo import read
from exercises.models import Exercise, Granularity

NETWORK = read("two_weight_network.txt")
LINE_NODES = ["x", "w1", "b1", "w2", "b2", "y", "z1", "a1", "z2", "a2", "L"]


def test_a_new_exercise_has_one_node_per_line(cast):
    response = cast.client("instructor").post("/api/v1/exercises/", {
        "title": "The network", "program": NETWORK}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["granularity"] == "line"
    assert [n["name"] for n in body["graph"]["nodes"]] == LINE_NODES
    z1 = next(n for n in body["graph"]["nodes"] if n["name"] == "z1")
    assert z1["op"] == "expr" and z1["expression"] == "w1 * x + b1"
    assert body["ask"] == [n for n in LINE_NODES if n != "y"]
    assert Exercise.objects.get(pk=body["id"]).granularity == Granularity.LINE


def test_a_gate_exercise_keeps_its_gates(cast):
    response = cast.client("instructor").post("/api/v1/exercises/", {
        "title": "The network, gate by gate", "program": NETWORK, "granularity": "gate"},
        format="json")
    assert response.status_code == 201, response.content
    names = [n["name"] for n in response.json()["graph"]["nodes"]]
    assert "mul_1" in names and "sub_1" in names
    bad = cast.client("instructor").post("/api/v1/exercises/", {
        "title": "t", "program": NETWORK, "granularity": "atoms"}, format="json")
    assert bad.status_code == 400


def test_a_learner_is_graded_on_the_lines(cast):
    exercise = services.create_exercise(title="Network", program=NETWORK, course=cast.course,
                                        author=cast.instructor)
    solution = services.get_or_create_variant(exercise, 0).graph
    grads = {n["name"]: n["grad"] for n in solution["nodes"] if n["kind"] != "const"}
    learner = cast.client("learner_a")
    attempt = start(learner, exercise.pk)
    assert attempt["ask"] == list(grads)
    right = submit(learner, attempt["id"], grads)
    assert right.status_code == 201, right.content
    assert right.json()["score"] == 1
    wrong = dict(grads, w1=grads["w1"] * 3)
    result = submit(learner, attempt["id"], wrong).json()
    hint = result["nodes"]["w1"].get("hint") or ""
    assert not result["nodes"]["w1"]["correct"]
    assert "mul_" not in hint and "sub_" not in hint


@pytest.mark.django_db(transaction=True)
def test_exercises_made_before_the_field_keep_gate_granularity():
    executor = MigrationExecutor(connection)
    before = [("exercises", "0009_feedback_rules_question_tests")]
    after = [("exercises", "0010_exercise_granularity")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldExercise = old_apps.get_model("exercises", "Exercise")
    old = OldExercise.objects.create(title="made before", program="a = 2\nL = a * a")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new_apps = executor.loader.project_state(after).apps
    Migrated = new_apps.get_model("exercises", "Exercise")
    assert Migrated.objects.get(pk=old.pk).granularity == "gate"
    assert Migrated.objects.create(title="made after", program="a = 2").granularity == "line"
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
