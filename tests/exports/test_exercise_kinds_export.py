"""The local, update and nudge kinds in the exports: the JSON bank carries their settings
and imports them checked; QTI and Moodle get one numerical question per answer box."""

from __future__ import annotations

import json

import pytest

from exercises import services
from exercises.exports import export, questions
from exercises.exports.importing import BankError, import_bank

WORKED = "x = 2\ny = 3\nz = x * y\nloss = z + 1"


@pytest.fixture
def kinds(course, instructor):
    make = services.create_exercise
    return [
        make(title="Local", program=WORKED, course=course, ask="local",
             asked_nodes=["z/x", "loss/z"]),
        make(title="Update", program=WORKED, course=course, ask="update",
             learning_rate=0.1, parameters=["x"]),
        make(title="Nudge", program=WORKED, course=course, ask="nudge", nudge_input="x",
             nudge_h=0.001),
    ]


def test_the_bank_round_trip_keeps_each_kinds_settings(kinds):
    made = import_bank(export("json", exercises=kinds).content, course=None).exercises
    assert [(e.ask, e.asked_nodes, e.learning_rate, e.parameters, e.nudge_input, e.nudge_h)
            for e in made] == [("local", ["z/x", "loss/z"], None, [], "", None),
                               ("update", [], 0.1, ["x"], "", None),
                               ("nudge", [], None, [], "x", 0.001)]
    assert made[2].variants.get().graph["nudge"]["nudged_exact"] == "7003/1000"


def test_an_imported_kind_is_checked_against_its_program(kinds):
    data = json.loads(export("json", exercises=[kinds[1]]).content)
    data["exercises"][0]["fields"]["parameters"] = ["loss"]
    with pytest.raises(BankError, match="parameters must be inputs"):
        import_bank(json.dumps(data).encode(), course=None)
    data["exercises"][0]["fields"]["parameters"] = "x"
    with pytest.raises(BankError, match="must be a list of input names"):
        import_bank(json.dumps(data).encode(), course=None)


def test_each_answer_box_is_a_numerical_question_with_the_kinds_margin(kinds):
    local, update, nudge = (questions.questions_for(exercise) for exercise in kinds)
    assert [(q.node, q.answer) for q in local] == [("z/x", 3.0), ("loss/z", 1.0)]
    assert "What is ∂z/∂x?" in local[0].html and local[0].ident.endswith("local_z_by_x")
    assert (update[0].answer, update[0].margin) == (pytest.approx(1.7), pytest.approx(5e-5))
    assert "η = 0.1" in update[0].html
    assert [(q.node, q.answer) for q in nudge] == [("nudged", 7.003), ("slope", 3.0)]
    assert "by h = 0.001" in nudge[0].html and "What is loss(x + h)?" in nudge[0].html
    assert b"7.003" in export("moodle", exercises=kinds).content
