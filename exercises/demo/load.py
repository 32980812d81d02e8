"""Builds the demo course from the notes' examples (used by `manage.py load_demo`)."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from .. import feedback, services
from ..engine.generator import generate
from ..models import Course, Exercise, Granularity, Quiz, QuizItem, Reveal
from . import SEED_EXAMPLES, read
from .kinds import load_kinds_quiz
from .question_tests import QUESTION_TESTS

COURSE_TITLE = "Backprop 101 (demo)"


def _user(username: str, password: str, **extra):
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=username, defaults=extra)
    user.set_password(password)
    for key, value in extra.items():
        setattr(user, key, value)
    user.save()
    return user


@transaction.atomic
def load_demo(instructor_password: str | None = None,
              learner_password: str | None = None) -> dict:
    """Idempotent: running it again refreshes the passwords and keeps everything else."""
    instructor_password = instructor_password or secrets.token_urlsafe(9)
    learner_password = learner_password or secrets.token_urlsafe(9)
    instructor = _user("instructor", instructor_password, is_staff=True,
                       first_name="Ada", last_name="Instructor")
    learner = _user("learner", learner_password, first_name="Lee", last_name="Learner")
    course, _ = Course.objects.get_or_create(title=COURSE_TITLE)
    course.instructors.add(instructor)
    course.learners.add(learner)

    notes_quiz, created = Quiz.objects.get_or_create(
        course=course, title="The course notes, worked through",
        defaults={"hint_level": 2, "show_solution": Reveal.IMMEDIATELY})
    if created:
        for position, (slug, title, program, mermaid, difficulty, tags) in enumerate(
                SEED_EXAMPLES, start=1):
            exercise = _exercise(course, instructor, title, read(program), read(mermaid),
                                 difficulty, tags)
            QuizItem.objects.create(quiz=notes_quiz, exercise=exercise, position=position)
            if not exercise.question_tests.exists():
                feedback.demo_question_tests(exercise, [
                    test[1:] for test in QUESTION_TESTS if test[0] == slug])

    levels_quiz, created = Quiz.objects.get_or_create(
        course=course, title="Practice at every difficulty",
        defaults={"hint_level": 2, "show_solution": Reveal.IMMEDIATELY})
    if created:
        for difficulty in range(1, 6):
            exercise = _exercise(course, instructor, f"Generated, difficulty {difficulty}",
                                 generate(difficulty, seed=1), "", difficulty,
                                 ["generated", f"difficulty-{difficulty}"])
            QuizItem.objects.create(quiz=levels_quiz, exercise=exercise, position=difficulty)
            if not exercise.question_tests.exists():
                feedback.demo_question_tests(exercise, _output_value_test(exercise))

    load_kinds_quiz(course, instructor)
    return {"course": course, "instructor": ("instructor", instructor_password),
            "learner": ("learner", learner_password)}


def _output_value_test(exercise: Exercise) -> list:
    """A generated exercise's one-mistake test: the output's forward value typed for
    ∂L/∂L = 1 (left out where that value is 1 itself, which would be right)."""
    solution = services.get_or_create_variant(exercise, 0).graph
    output = next(n for n in solution["nodes"] if n["name"] == solution["output"])
    if abs(output["data"] - 1) < 0.05:
        return []
    return [("the output's value for its gradient", {output["name"]: output["data_exact"]},
             {output["name"]: "data_for_grad"})]


def _exercise(course, author, title, program, mermaid, difficulty, tags) -> Exercise:
    existing = Exercise.objects.filter(course=course, title=title).first()
    if existing:
        return existing
    # One node per line, as the notes draw and ask them (the two-weight network asks x, w1,
    # b1, w2, b2, z1, a1, z2, a2 and L).
    return services.create_exercise(title=title, program=program, mermaid=mermaid,
                                    author=author, course=course, difficulty=difficulty,
                                    tags=tags, granularity=Granularity.LINE)
