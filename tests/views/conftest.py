"""The demo course (the notes' examples) as every learner-page test's starting point."""

from __future__ import annotations

import pytest

from exercises.demo.load import load_demo
from exercises.models import Quiz, QuizItem


@pytest.fixture
def demo(db):
    return load_demo(instructor_password="pw", learner_password="pw")


@pytest.fixture
def notes_quiz(demo) -> Quiz:
    return Quiz.objects.get(title="The course notes, worked through")


def notes_item(quiz: Quiz, title_start: str) -> QuizItem:
    return quiz.items.select_related("exercise").get(exercise__title__startswith=title_start)


@pytest.fixture
def example3(notes_quiz) -> QuizItem:
    return notes_item(notes_quiz, "Refresher, Example 3")


@pytest.fixture
def learner_client(client, demo):
    assert client.login(username="learner", password="pw")
    return client


@pytest.fixture
def instructor_client(client, demo):
    assert client.login(username="instructor", password="pw")
    return client
