"""While a quiz hides verdicts, how long a submission takes says nothing about them.

A right answer is graded with less work than a wrong one (no diagnosis, no hint), so
grading under hidden correctness is padded to a budget measured per process
(exercises/grading_time.py). These tests hold the budget fixed, large enough that the
unpadded code answers well inside it, and check lower bounds only: a loaded machine can
make a request slower, never faster.
"""

from __future__ import annotations

import time

import pytest

from exercises import grading_time, services
from exercises.demo import read
from exercises.models import Course, Quiz, QuizItem, Reveal

from .helpers import EX3_RIGHT, api, make_user, start_item, submit

pytestmark = pytest.mark.django_db

BUDGET = 0.25  # seconds: far above grading Example 3 either way (well under 5 ms)
EX3_WRONG = {"L": "1", "y": "7", "z": "15", "x": "15"}  # swapped factors, a missed branch


@pytest.fixture
def budget(monkeypatch):
    asked = []

    def fixed(key, grade_all_wrong):
        asked.append(key)
        grade_all_wrong()  # it must run: a hidden submission measures its budget with it
        return BUDGET

    monkeypatch.setattr(grading_time, "budget", fixed)
    return asked


@pytest.fixture
def learner_and_exercise():
    course = Course.objects.create(title="Backprop")
    instructor = make_user("ines", is_staff=True)
    course.instructors.add(instructor)
    learner = make_user("lee")
    course.learners.add(learner)
    exercise = services.create_exercise(title="Example 3", program=read("refresher_3.txt"),
                                        course=course, author=instructor)
    return course, learner, exercise


def _item(course, exercise, show_correctness):
    quiz = Quiz.objects.create(course=course, title=f"Quiz {show_correctness}",
                               show_correctness=show_correctness, show_solution=Reveal.NEVER,
                               hint_level=0)
    return QuizItem.objects.create(quiz=quiz, exercise=exercise, position=1)


def _timed(client, attempt_id, answers) -> float:
    start = time.perf_counter()
    response = submit(client, attempt_id, answers)
    assert response.status_code == 201, response.content
    return time.perf_counter() - start


def test_hidden_verdicts_take_the_budget_right_or_wrong(budget, learner_and_exercise):
    course, learner, exercise = learner_and_exercise
    client = api(learner)
    attempt = start_item(client, _item(course, exercise, Reveal.NEVER))
    for answers in (EX3_RIGHT, EX3_WRONG, EX3_RIGHT):
        assert _timed(client, attempt["id"], answers) >= BUDGET
    assert len(set(budget)) == 1  # one budget for the attempt's numbers, whatever the answers


def test_shown_verdicts_are_not_padded(budget, learner_and_exercise):
    course, learner, exercise = learner_and_exercise
    client = api(learner)
    attempt = start_item(client, _item(course, exercise, Reveal.IMMEDIATELY))
    assert _timed(client, attempt["id"], EX3_RIGHT) < BUDGET
    assert budget == []


def test_the_budget_is_measured_once_on_all_wrong_answers(monkeypatch):
    runs = []
    key = ("variant", object())
    first = grading_time.budget(key, lambda: runs.append(1))
    assert len(runs) == 3 and first >= grading_time.SLACK
    assert grading_time.budget(key, lambda: runs.append(1)) == first and len(runs) == 3
    wrong = grading_time.all_wrong(["x", "y", "z"])
    assert len(set(wrong.values())) == 3


def test_pad_sleeps_only_the_rest_of_the_budget(monkeypatch):
    slept = []
    monkeypatch.setattr(grading_time.time, "sleep", slept.append)
    monkeypatch.setattr(grading_time.time, "perf_counter", lambda: 10.3)
    grading_time.pad(10.0, 0.5)
    grading_time.pad(9.0, 0.5)  # already past it
    assert slept == [pytest.approx(0.2)]
