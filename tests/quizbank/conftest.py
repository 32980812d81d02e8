"""Fixtures for the quiz bank: two courses with their own instructors, learners, exercises."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from exercises import services
from exercises.models import Course, Quiz, QuizItem

from .helpers import BRANCH_ANSWERS, BRANCH_PROGRAM, RANDOM_PROGRAM, make_user


@pytest.fixture
def instructor(db):
    return make_user("ada", staff=True)


@pytest.fixture
def other_instructor(db):
    return make_user("grace", staff=True)


@pytest.fixture
def superuser(db):
    return make_user("root", superuser=True)


@pytest.fixture
def learner(db):
    return make_user("lee")


@pytest.fixture
def learner2(db):
    return make_user("kim")


@pytest.fixture
def course(instructor, learner, learner2):
    course = Course.objects.create(title="Course A")
    course.instructors.add(instructor)
    course.learners.add(learner, learner2)
    return course


@pytest.fixture
def other_course(other_instructor):
    course = Course.objects.create(title="Course B")
    course.instructors.add(other_instructor)
    return course


@pytest.fixture
def exercise(course, instructor):
    return services.create_exercise(title="x feeds two operations", program=BRANCH_PROGRAM,
                                    course=course, author=instructor, difficulty=2,
                                    tags=["branch"])


@pytest.fixture
def other_exercise(other_course, other_instructor):
    return services.create_exercise(title="Course B secret exercise",
                                    program="p = 2\nq = p * 3\n", course=other_course,
                                    author=other_instructor)


@pytest.fixture
def random_exercise(course, instructor):
    return services.create_exercise(title="Random numbers", program=RANDOM_PROGRAM,
                                    course=course, author=instructor)


@pytest.fixture
def quiz(course, exercise):
    quiz = Quiz.objects.create(course=course, title="Quiz A")
    QuizItem.objects.create(quiz=quiz, exercise=exercise, position=1)
    return quiz


@pytest.fixture
def other_quiz(other_course, other_exercise):
    quiz = Quiz.objects.create(course=other_course, title="Course B quiz")
    QuizItem.objects.create(quiz=quiz, exercise=other_exercise, position=1)
    return quiz


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


@pytest.fixture
def item(quiz):
    return quiz.items.get()


@pytest.fixture
def shared_two_courses(course, other_course, learner):
    """A shared exercise (no course) in a quiz of course A and a quiz of course B, each
    with a learner's quiz attempt and practice attempt, all graded 0.75 (x is 1.4% off:
    wrong at the 1% tolerance, right at 5%)."""
    shared = services.create_exercise(title="Shared: x feeds two operations",
                                      program=BRANCH_PROGRAM, difficulty=2)
    bea = make_user("bea")
    other_course.learners.add(bea)
    answers = {**BRANCH_ANSWERS, "x": "36.5"}
    attempts = {}
    for label, quiz_course, who in (("a", course, learner), ("b", other_course, bea)):
        # Practice first: once a running quiz has the same (fixed) numbers, answers for
        # them are taken in the quiz only (the disclosure rule).
        practice, _ = services.start_attempt(who, exercise=shared)
        assert services.submit(practice, answers).score == 0.75
        quiz = Quiz.objects.create(course=quiz_course, title=f"{quiz_course} quiz")
        item = QuizItem.objects.create(quiz=quiz, exercise=shared, position=1)
        quiz_attempt, _ = services.start_attempt(who, item=item)
        assert services.submit(quiz_attempt, answers).score == 0.75
        attempts[f"{label}_quiz"], attempts[f"{label}_practice"] = quiz_attempt, practice
    return SimpleNamespace(exercise=shared, learner_b=bea, **attempts)
