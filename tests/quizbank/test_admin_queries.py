"""No N+1 in the admin: a page's query count does not grow with the rows it shows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exercises import services
from exercises.models import Quiz, QuizItem

from .helpers import BRANCH_ANSWERS, make_user, submit


def queries(client, url) -> int:
    """The page's queries in a steady state: a first request makes the lookups a process
    makes once (the content types' cache), which a test run alone would count."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def add_work(course, quiz, number):
    """One more exercise in the quiz, with a learner's attempt, submission and regrade."""
    exercise = services.create_exercise(title=f"Exercise {number}",
                                        program=f"x = {number + 1}\ny = x * x\n",
                                        course=course, tags=[f"t{number}", "common"])
    item = QuizItem.objects.create(quiz=quiz, exercise=exercise, position=number)
    learner = make_user(f"learner-{number}")
    course.learners.add(learner)
    submit(learner, item, {"x": str(2 * (number + 1)), "y": "1"})
    services.regrade_exercise(exercise, reason="check")


@pytest.mark.parametrize("url_name", [
    "exercise_changelist", "quiz_changelist", "submission_changelist",
    "attempt_changelist", "variant_changelist", "regrade_changelist", "course_changelist",
])
def test_changelists_do_not_grow_with_rows(instructor_client, course, url_name):
    quiz = Quiz.objects.create(course=course, title="Q")
    for number in range(2):
        add_work(course, quiz, number)
    url = reverse(f"admin:exercises_{url_name}")
    before = queries(instructor_client, url)
    for number in range(2, 7):
        add_work(course, quiz, number)
    assert queries(instructor_client, url) == before


def test_quiz_change_page_does_not_grow_with_items(instructor_client, course, item, quiz,
                                                   learner):
    submit(learner, item, BRANCH_ANSWERS)
    url = reverse("admin:exercises_quiz_change", args=[quiz.pk])
    before = queries(instructor_client, url)
    for number in range(2, 8):
        exercise = services.create_exercise(title=f"E{number}", program="a = 1\nb = a * 2\n",
                                            course=course)
        QuizItem.objects.create(quiz=quiz, exercise=exercise, position=number)
    assert queries(instructor_client, url) == before
