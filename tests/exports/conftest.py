"""A small bank with every shape the exports carry: programs and Mermaid, random inputs,
each tolerance form, asked nodes, forward-pass exercises, fixed items and pools, policies."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from exercises import services
from exercises.demo import read
from exercises.models import Ask, Course, Quiz, QuizItem, Reveal

BRANCH_PROGRAM = read("refresher_3.txt")  # x = 5 feeds y = x + 2 and z = x * 3; L = y * z
MERMAID = read("refresher_1.mmd")
RANDOM_PROGRAM = "a = randint(1, 9)\nb = choice(0.5, 2)\nc = a * b\nL = sigmoid(c)\n"


def make_user(username: str, *, staff: bool = False):
    return get_user_model().objects.create_user(username=username, password="pw",
                                                is_staff=staff)


@pytest.fixture
def instructor(db):
    return make_user("ada", staff=True)


@pytest.fixture
def course(instructor):
    course = Course.objects.create(title="Course A")
    course.instructors.add(instructor)
    return course


@pytest.fixture
def other_course(db):
    return Course.objects.create(title="Course B")


@pytest.fixture
def bank(course, instructor):
    """Course A's bank: a quiz of two fixed items and two pools, and one learner's work."""
    make = services.create_exercise
    branch = make(title="x feeds two operations", program=BRANCH_PROGRAM, course=course,
                  author=instructor, difficulty=2, tags=["branch", "notes"],
                  tolerance={"rel": 0.05, "abs": 0.001})
    diagram = make(title="From a diagram", mermaid=MERMAID, course=course, difficulty=1,
                   tags=["notes"], asked_nodes=["a", "b", "L"])
    forward = make(title="Forward pass", program=BRANCH_PROGRAM, course=course,
                   ask=Ask.DATA, tolerance={"sig_figs": 3}, tags=["pool-a"], difficulty=3)
    random = make(title="Random numbers", program=RANDOM_PROGRAM, course=course,
                  tags=["pool-a"], difficulty=3, ask=Ask.BOTH)
    off_level = make(title="Pool tag, other level", program="p = 2\nq = p * p\n",
                     course=course, tags=["pool-a"], difficulty=5)
    quiz = Quiz.objects.create(
        course=course, title="Midterm", due_at=datetime.datetime(2027, 1, 2, 3, 4,
                                                                 tzinfo=datetime.UTC),
        time_limit_minutes=40, attempts_allowed=3, retry_penalty=0.1, hint_level=1,
        follow_through_credit=0.25, show_correctness=Reveal.AFTER_DUE,
        show_solution=Reveal.NEVER, step_through=False)
    QuizItem.objects.create(quiz=quiz, exercise=branch, position=1, points=2)
    QuizItem.objects.create(quiz=quiz, exercise=diagram, position=2)
    QuizItem.objects.create(quiz=quiz, pool_tag=forward.tags.get(), pool_difficulty=3,
                            position=3, points=1.5)
    QuizItem.objects.create(quiz=quiz, pool_tag=forward.tags.get(), position=4)
    learner = make_user("lee")
    course.learners.add(learner)
    attempt, _ = services.start_attempt(learner, item=quiz.items.get(position=1))
    services.submit(attempt, {"x": "36", "y": "15", "z": "7", "L": "1"})
    return SimpleNamespace(quiz=quiz, branch=branch, diagram=diagram, forward=forward,
                           random=random, off_level=off_level, learner=learner)
