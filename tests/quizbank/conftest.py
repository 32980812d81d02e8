"""Fixtures for the quiz bank: two courses with their own instructors, learners, exercises."""

from __future__ import annotations

import pytest

from exercises import services
from exercises.models import Course, Quiz, QuizItem

from .helpers import BRANCH_PROGRAM, RANDOM_PROGRAM, make_user


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
