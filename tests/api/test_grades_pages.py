"""The grades API pages by keyset: every learner exactly once over all pages, in the
order of their latest change, a learner who changes again moves to the end, a bad cursor
is a 400, and a page's query count does not grow with the class."""

from __future__ import annotations

import pytest
from api_helpers import make_user
from django.db import connection
from django.utils import timezone

from exercises import services
from exercises.models import Attempt, Quiz, QuizItem

pytestmark = pytest.mark.django_db
BRANCH = {"x": "36", "y": "15", "z": "7", "L": "1"}


@pytest.fixture
def class_quiz(cast):
    quiz = Quiz.objects.create(course=cast.course, title="sync")
    # Two exercises with the same numbers: one exercise twice would be one set of numbers
    # in two places, whose answers the disclosure rule takes in one of them only.
    exercises = [cast.exercise, services.duplicate_exercise(cast.exercise)]
    items = [QuizItem.objects.create(quiz=quiz, exercise=exercises[n], position=n)
             for n in range(2)]
    learners = []
    for n in range(7):
        learner = make_user(f"l{n}")
        cast.course.learners.add(learner)
        for item in items[: 1 + n % 2]:
            services.submit(services.start_attempt(learner, item=item)[0], BRANCH)
        learners.append(learner)
    return quiz, items, learners


def walk(client, url, **params):
    pages, response = [], client.get(url, {"page_size": 3, **params})
    while True:
        assert response.status_code == 200, response.content
        pages.append(response.json())
        if pages[-1]["next"] is None:
            return pages
        response = client.get(pages[-1]["next"])


def test_every_learner_once_in_change_order(cast, class_quiz):
    quiz, items, learners = class_quiz
    url = f"/api/v1/quizzes/{quiz.pk}/grades/"
    pages = walk(cast.client("integration"), url)
    assert [len(page["results"]) for page in pages] == [3, 3, 1]
    assert pages[0]["count"] == 7 and pages[1]["count"] is None
    rows = [row for page in pages for row in page["results"]]
    assert [row["username"] for row in rows] == [f"l{n}" for n in range(7)]
    assert [row["updated_at"] for row in rows] == sorted(row["updated_at"] for row in rows)
    two = rows[1]
    assert two["items"] == {str(items[0].pk): 1.0, str(items[1].pk): 1.0} and two["score"] == 1

    # l0 answers again: they move to the end, and updated_since finds only them
    since = timezone.now()
    services.submit(Attempt.objects.get(learner=learners[0], item=items[0]), BRANCH)
    rows = [row for page in walk(cast.client("integration"), url) for row in page["results"]]
    assert [row["username"] for row in rows] == [f"l{n}" for n in (1, 2, 3, 4, 5, 6, 0)]
    changed = walk(cast.client("integration"), url, updated_since=since.isoformat())
    assert [row["username"] for page in changed for row in page["results"]] == ["l0"]


@pytest.mark.parametrize("cursor", ["nope", "bm9wZQ", "MjAyNi0wMS0wMXwx", "!!"])
def test_a_bad_cursor_is_400(cast, class_quiz, cursor):
    quiz, _, _ = class_quiz
    response = cast.client("instructor").get(f"/api/v1/quizzes/{quiz.pk}/grades/",
                                             {"cursor": cursor})
    assert response.status_code == 400 and "cursor" in response.json()


def test_a_page_costs_the_same_queries_in_a_larger_class(cast, class_quiz,
                                                         django_assert_max_num_queries):
    quiz, items, _ = class_quiz
    url = f"/api/v1/quizzes/{quiz.pk}/grades/"
    client = cast.client("integration")
    client.get(url)  # warm the token lookup
    for n in range(20):
        learner = make_user(f"more{n}")
        cast.course.learners.add(learner)
        services.submit(services.start_attempt(learner, item=items[0])[0], BRANCH)
    # On PostgreSQL each of the page's two reads (its rows, the count) is planned for this
    # quiz (grades.planned_for_this_quiz): one statement sets it.
    planning = 1 if connection.vendor == "postgresql" else 0
    with django_assert_max_num_queries(7 + 2 * planning):
        first = client.get(url, {"page_size": 3}).json()
    with django_assert_max_num_queries(6 + planning):
        client.get(first["next"])
