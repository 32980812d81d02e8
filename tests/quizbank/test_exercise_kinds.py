"""The local, update and nudge kinds in the quiz bank: settings checked at creation and in
the admin form, frozen with each variant, step checks, regrades and tolerance defaults."""

from __future__ import annotations

import pytest

from exercises import services
from exercises.forms import ExerciseForm
from exercises.models import Exercise, Submission

WORKED = "x = 2\ny = 3\nz = x * y\nloss = z + 1"


def test_an_update_exercise_freezes_its_step_and_its_copy_keeps_the_settings(course):
    exercise = services.create_exercise(title="Step", program=WORKED, course=course,
                                        ask="update", learning_rate=0.5, parameters=["y"])
    frozen = exercise.variants.get().graph["update"]
    assert (frozen["learning_rate_exact"], frozen["new_exact"]) == ("1/2", {"y": "2"})
    copy = services.duplicate_exercise(exercise)
    assert (copy.ask, copy.learning_rate, copy.parameters) == ("update", 0.5, ["y"])
    assert copy.variants.get().graph["update"] == frozen


def test_a_nudge_exercise_with_the_default_step(course):
    exercise = services.create_exercise(title="Nudge", program=WORKED, course=course,
                                        ask="nudge", nudge_input="x")
    frozen = exercise.variants.get().graph["nudge"]
    assert (frozen["h_exact"], frozen["nudged_exact"], frozen["slope_exact"]) == (
        "1/1000", "7003/1000", "3")


@pytest.mark.parametrize("options, field", [
    ({"ask": "update"}, "learning_rate"),
    ({"ask": "update", "learning_rate": 0.1, "parameters": ["loss"]}, "parameters"),
    ({"ask": "nudge", "nudge_input": "q"}, "nudge"),
])
def test_settings_errors_name_their_field(course, options, field):
    with pytest.raises(services.ServiceError) as caught:
        services.create_exercise(title="Bad", program=WORKED, course=course, **options)
    assert caught.value.details["field"] == field
    assert not Exercise.objects.exists()


def form(**data):
    return ExerciseForm(data={"title": "Kinds", "program": WORKED, "difficulty": 1,
                              "tolerance_rel": 0.01, "tolerance_abs": 1e-6, **data})


def test_the_admin_form_takes_edges_and_puts_kind_errors_on_their_fields():
    assert form(ask="local", asked_nodes="z/x, loss/z").is_valid()
    unknown = form(ask="local", asked_nodes="z/x, loss/x")
    assert not unknown.is_valid() and "loss/x" in unknown.errors["asked_nodes"][0]
    no_rate = form(ask="update")
    assert not no_rate.is_valid() and "learning_rate" in no_rate.errors["learning_rate"][0]
    bad_input = form(ask="nudge", nudge_input="z", nudge_h="0.01")
    assert not bad_input.is_valid() and "must be an input" in bad_input.errors["nudge_input"][0]
    assert form(ask="nudge", nudge_input="x", nudge_h="0.01").is_valid()


def test_a_step_check_of_one_edge(course, learner):
    exercise = services.create_exercise(title="Local", program=WORKED, course=course,
                                        ask="local")
    attempt, _ = services.start_attempt(learner, exercise=exercise)
    step = services.submit(attempt, {"z/x": "3"}, kind=Submission.Kind.STEP)
    assert list(step.result["nodes"]) == ["z/x"] and step.result["nodes"]["z/x"]["correct"]
    assert not step.counted
    with pytest.raises(services.ServiceError, match="not asked in this exercise: z/loss"):
        services.submit(attempt, {"z/loss": "1"}, kind=Submission.Kind.STEP)


def test_update_and_nudge_default_to_five_figures_until_the_exercise_sets_a_tolerance(
        course, learner, instructor):
    exercise = services.create_exercise(title="Tiny step", program=WORKED, course=course,
                                        ask="update", learning_rate=0.001, parameters=["x"])
    attempt, _ = services.start_attempt(learner, exercise=exercise)
    # 2 is 0.15 % away from the new x = 1.997: right at 1 %, wrong at 5 figures.
    assert services.submit(attempt, {"x": "2"}).score == 0
    Exercise.objects.filter(pk=exercise.pk).update(tolerance_rel=0.02)
    exercise.refresh_from_db()
    regrade = services.regrade_exercise(exercise, by=instructor)[0]
    assert (regrade.old_score, regrade.new_score) == (0, 1)


def test_gradients_keep_the_one_percent_default(course, learner):
    exercise = services.create_exercise(title="Grad", program=WORKED, course=course)
    attempt, _ = services.start_attempt(learner, exercise=exercise)
    assert services.submit(attempt, {"x": "3.02", "y": 2, "z": 1, "loss": 1}).score == 1
