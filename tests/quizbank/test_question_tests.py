"""Question tests (STACK's): stored answers with the score and the code per node they must
get, run by `manage.py test_exercises`; every demo exercise's pass (this is CI's run)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from exercises import feedback
from exercises.demo import SEED_EXAMPLES
from exercises.demo.kinds import exercises as kind_exercises
from exercises.demo.load import load_demo
from exercises.models import Course, Exercise, QuestionTest


@pytest.mark.django_db
def test_every_demo_exercise_has_question_tests_that_pass(capsys):
    load_demo("pw-instructor", "pw-learner")
    course = Course.objects.get()
    exercises = Exercise.objects.filter(course=course)
    assert exercises.count() == len(SEED_EXAMPLES) + 5 + len(kind_exercises())
    for exercise in exercises:
        tests = exercise.question_tests.all()
        assert tests.count() >= 1, exercise.title
        if not exercise.title.startswith("Generated") and exercise.ask != "local":
            assert tests.count() >= 2, exercise.title  # all correct, and a mistake
    call_command("test_exercises", "--course", str(course.pk))
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert f"{QuestionTest.objects.count()} of {QuestionTest.objects.count()} question tests " \
           "passed" in out


@pytest.mark.django_db
def test_a_failing_question_test_says_what_moved_and_exits_1(capsys):
    load_demo("pw-instructor", "pw-learner")
    test = QuestionTest.objects.filter(expected__x="missing_branch").first()
    test.expected = {"x": "no_upstream", "L": "sign"}
    test.expected_score = 0.5
    test.save()
    with pytest.raises(CommandError) as raised:
        call_command("test_exercises")
    assert raised.value.returncode == 1
    out = capsys.readouterr().out
    assert (f"FAIL {test.exercise.title} — {test.name}: score 0.75, expected 0.5; "
            "x: missing_branch, expected no_upstream; L: correct, expected sign") in out


@pytest.mark.django_db
def test_an_unknown_course_is_a_clear_error():
    with pytest.raises(CommandError, match="no course 'nope'"):
        call_command("test_exercises", "--course", "nope")


@pytest.mark.django_db
def test_an_authored_rule_is_named_by_its_code(capsys):
    load_demo("pw-instructor", "pw-learner")
    exercise = Exercise.objects.get(title__startswith="Refresher, Example 3")
    exercise.feedback_rules.create(node="x", expression="grad(y) * grad(z) * 3",
                                   code="multiplied_paths",
                                   message="You multiplied the two paths' shares; a gradient "
                                           "adds them.")
    feedback.forget_rules(exercise)
    feedback.one_mistake_test(exercise, "paths multiplied", {"x": "315"},
                              {"x": "multiplied_paths"})
    results = feedback.run_question_tests(exercise)
    assert all(r.passed for r in results), [r.problems for r in results]
