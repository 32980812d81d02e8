"""Authoring through services, as the admin and the API use them."""

from __future__ import annotations

import io

import pytest

from exercises import services
from exercises.forms import ExerciseForm, NodeListField
from exercises.models import Exercise

from .helpers import BRANCH_PROGRAM


def test_create_exercise_freezes_variant_zero(course, instructor):
    exercise = services.create_exercise(title="Branch", program=BRANCH_PROGRAM, course=course,
                                        author=instructor, difficulty=2,
                                        tags=["Branch", " chain-rule ", ""],
                                        tolerance={"rel": 0.02, "sig_figs": None})
    assert sorted(exercise.tags.values_list("name", flat=True)) == ["branch", "chain-rule"]
    assert exercise.tolerance_rel == 0.02
    variant = exercise.variants.get()
    grads = {node["name"]: node["grad"] for node in variant.graph["nodes"]}
    assert (variant.seed, grads["x"], grads["y"], grads["z"]) == (0, 36, 15, 7)


def test_invalid_program_names_its_line(course):
    with pytest.raises(services.InvalidProgram) as caught:
        services.create_exercise(title="Bad", program="x = 1\ny = x + 2\nz = q * y\n",
                                 course=course)
    assert caught.value.details["line"] == 3
    assert str(caught.value) == "line 3: unknown name 'q' (names must be assigned before " \
                                "they are used)"
    assert not Exercise.objects.exists()


@pytest.mark.parametrize("asked, message", [
    (["x", "nope"], "asked nodes not in the graph: nope"),
    (["const_2"], "constants have no gradient to ask for: const_2"),
])
def test_asked_nodes_must_be_askable(course, asked, message):
    with pytest.raises(services.ServiceError, match=message):
        services.create_exercise(title="Bad", program=BRANCH_PROGRAM, course=course,
                                 asked_nodes=asked, granularity="gate")  # has const nodes


def test_an_empty_exercise_is_refused(course):
    with pytest.raises(services.ServiceError, match="write a program or a Mermaid"):
        services.create_exercise(title="Empty", program=" ", mermaid="", course=course)


def test_form_puts_errors_on_the_right_field(course):
    def errors(**data):
        base = {"title": "T", "course": course.pk, "program": BRANCH_PROGRAM, "mermaid": "",
                "difficulty": 1, "ask": "grad", "asked_nodes": "", "tolerance_rel": 0.01,
                "tolerance_abs": 1e-6}
        form = ExerciseForm({**base, **data})
        form.is_valid()
        return form.errors, form

    assert errors()[0] == {}
    found, form = errors(program="x = 1\nL = x ** x\n")
    assert list(found) == ["program"] and found["program"][0].startswith("line 2:")
    assert form.error_line == 2
    found, _ = errors(asked_nodes="x; y")
    assert "not a node name: x;" in found["asked_nodes"][0]
    found, _ = errors(mermaid="flowchart LR\n  a[\"a<br/>data: 1\"] --> b((\"??\"))\n  b --> c\n")
    assert list(found) == ["mermaid"]


def test_node_list_field_round_trip():
    field = NodeListField(required=False)
    assert field.prepare_value(["x", "y"]) == "x, y"
    assert field.clean("x, y  z,x") == ["x", "y", "z"]
    assert field.clean("") == []


def test_duplicate_and_generated_exercises(exercise, instructor, course):
    copy = services.duplicate_exercise(exercise, author=instructor)
    assert copy.pk != exercise.pk and copy.variants.filter(seed=0).exists()
    from exercises.engine.generator import generate_many

    made = services.create_generated_exercises(generate_many(2, 3, seed=5), 2, "gen",
                                               course=course, author=instructor)
    assert len(made) == 3
    assert all(e.difficulty == 2 and e.tags.filter(name="gen").exists() for e in made)


def test_generate_command_saves_into_a_course(course):
    from django.core.management import CommandError, call_command

    call_command("generate", "--difficulty", "1", "--count", "2", "--seed", "3", "--save",
                 "--tag", "drill", "--course", str(course.pk), stdout=io.StringIO())
    made = Exercise.objects.filter(tags__name="drill")
    assert made.count() == 2 and all(e.course == course for e in made)
    with pytest.raises(CommandError, match="no course with id"):
        call_command("generate", "--difficulty", "1", "--save", "--course", "999999",
                     stdout=io.StringIO())
    with pytest.raises(CommandError, match="only apply with --save"):
        call_command("generate", "--difficulty", "1", "--course", str(course.pk),
                     stdout=io.StringIO())
