"""The exercise admin: own rules refused at save when they coincide, a preview of what each
catches, question tests run on save with a red/green list."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth import get_user_model

from exercises import feedback, services
from exercises.models import Course, FeedbackRule, QuestionTest

EX3 = "x = 5\ny = x + 2\nz = x * 3\nL = y * z"


@pytest.fixture
def setup(db, client):
    user = get_user_model().objects.create_superuser("boss", "b@example.org", "pw")
    client.force_login(user)
    course = Course.objects.create(title="C")
    exercise = services.create_exercise(title="Example 3", program=EX3, course=course,
                                        author=user)
    return client, exercise


def _post(client, exercise, rules=(), tests=()):
    data = {"title": exercise.title, "course": exercise.course_id, "program": exercise.program,
            "mermaid": "", "difficulty": 1, "ask": "grad", "asked_nodes": "",
            "tolerance_rel": "0.01", "tolerance_abs": "1e-06", "tolerance_sig_figs": "",
            "feedback_rules-TOTAL_FORMS": len(rules), "feedback_rules-INITIAL_FORMS": 0,
            "question_tests-TOTAL_FORMS": len(tests), "question_tests-INITIAL_FORMS": 0}
    for k, rule in enumerate(rules):
        for key, value in rule.items():
            data[f"feedback_rules-{k}-{key}"] = value
    for k, test in enumerate(tests):
        for key, value in test.items():
            data[f"question_tests-{k}-{key}"] = value
    return client.post(f"/admin/exercises/exercise/{exercise.pk}/change/", data)


RULE = {"node": "x", "expression": "grad(y) * grad(z) * 3", "code": "multiplied_paths",
        "message": "You multiplied the two paths' shares; a gradient adds them."}


@pytest.mark.parametrize("expression, reason", [
    ("grad(y) * 1 + grad(z) * 3", "gives the correct answer"),
    ("grad(y)", "same number as the catalogue's missing_branch rule"),
    ("__import__('os')", "unknown function"),
    ("data(L) * 2", "not a neighbour of x"),
])
def test_a_rule_that_coincides_or_does_not_fit_is_refused(setup, expression, reason):
    client, exercise = setup
    response = _post(client, exercise, [{**RULE, "expression": expression}])
    assert response.status_code == 200  # the form again, with the reason at the row
    assert reason in html.unescape(response.content.decode())
    assert not FeedbackRule.objects.exists()


def test_two_rules_with_one_number_are_refused(setup):
    client, exercise = setup
    response = _post(client, exercise, [RULE, {**RULE, "code": "again",
                                               "expression": "3 * grad(z) * grad(y)"}])
    assert "same number as the rule multiplied_paths" in html.unescape(response.content.decode())


def test_a_rule_is_saved_previewed_and_used_in_grading(setup):
    client, exercise = setup
    response = _post(client, exercise, [RULE], [{
        "name": "paths multiplied", "seed": 0, "answers": '{"x": "315", "y": "15", "z": "7", '
        '"L": "1"}', "expected_score": "0.75", "expected": '{"x": "multiplied_paths"}'}])
    assert response.status_code == 302
    page = html.unescape(
        client.get(f"/admin/exercises/exercise/{exercise.pk}/change/").content.decode())
    assert "what each one catches" in page and "multiplied_paths" in page
    assert "315 (paths multiplied)" in page  # the question test's answer is caught
    assert "all 1 pass" in page and "✓ pass" in page
    attempt, _ = services.start_practice(get_user_model().objects.get(), exercise)
    submission = services.submit(attempt, {"x": "315", "y": "15", "z": "7", "L": "1"})
    node = submission.result["nodes"]["x"]
    assert (node["misconception"], node["rule"]) == ("authored", "multiplied_paths")


def test_a_failing_question_test_is_red_on_the_page(setup):
    client, exercise = setup
    _post(client, exercise, tests=[{"name": "wrong expectation", "seed": 0,
                                    "answers": '{"x": "15"}', "expected_score": "",
                                    "expected": '{"x": "sign"}'}])
    assert QuestionTest.objects.count() == 1
    page = html.unescape(
        client.get(f"/admin/exercises/exercise/{exercise.pk}/change/").content.decode())
    assert "1 failed" in page and "✗ fail" in page
    assert "x: missing_branch, expected sign" in page
    feedback.forget_rules(exercise)
