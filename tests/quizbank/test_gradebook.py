"""The gradebook: learners × items with best scores, node statistics in plain words, the
CSV export (escaped), who may see it, and a query count that does not grow with learners."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from exercises import services
from exercises.models import QuizItem

from .helpers import BRANCH_ANSWERS, MISSED_BRANCH, make_user, submit


def gradebook_url(quiz):
    return reverse("admin:exercises_quiz_gradebook", args=[quiz.pk])


def csv_url(quiz):
    return reverse("admin:exercises_quiz_gradebook_csv", args=[quiz.pk])


@pytest.fixture
def second_item(quiz, course, instructor):
    exercise = services.create_exercise(title='Chain, "quoted", with commas',
                                        program="x = 3\nf = x ** 2\n", course=course,
                                        author=instructor)
    return QuizItem.objects.create(quiz=quiz, exercise=exercise, position=2, points=2)


@pytest.fixture
def graded(quiz, item, second_item, learner, learner2, course):
    """lee: item 1 right after a miss, item 2 not tried; kim: missed the branch once; and
    three more learners who forgot the branch, so 4 of 5 made that mistake at x."""
    submit(learner, item, MISSED_BRANCH)
    submit(learner, item, BRANCH_ANSWERS)
    submit(learner2, item, MISSED_BRANCH)
    for name in ("ann", "bob", "cy"):
        other = make_user(name)
        course.learners.add(other)
        submit(other, item, MISSED_BRANCH)
    return quiz


def test_gradebook_values(instructor_client, graded, item, second_item):
    response = instructor_client.get(gradebook_url(graded))
    assert response.status_code == 200
    rows = {row["learner"].username: row for row in response.context["rows"]}
    assert list(rows) == ["ann", "bob", "cy", "kim", "lee"]
    assert [c["points"] for c in rows["lee"]["cells"]] == ["1", ""]
    assert rows["lee"]["total"] == "1"
    assert [c["points"] for c in rows["kim"]["cells"]] == ["0.75", ""]
    assert response.context["max_total"] == "3"
    page = response.content.decode()
    # lee forgot the branch first and fixed it later: still counted (5 of 5), not 4 of 5
    assert "100% forgot to sum the branches at x" in page
    stats = response.context["statistics"][0]
    x = next(node for node in stats["nodes"] if node["node"] == "x")
    assert x["share_correct"] == "20%" and x["correct"] == 1
    assert stats["learners"] == 5
    assert response.context["statistics"][1]["learners"] == 0


def test_gradebook_csv(instructor_client, graded, item, second_item):
    response = instructor_client.get(csv_url(graded))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["username", str(item), str(second_item), "total", "overrides"]
    assert '"quoted", with commas' in rows[0][2]  # the csv module quoted it, intact
    assert rows[1:] == [["ann", "0.75", "", "0.75", ""], ["bob", "0.75", "", "0.75", ""],
                        ["cy", "0.75", "", "0.75", ""], ["kim", "0.75", "", "0.75", ""],
                        ["lee", "1", "", "1", ""]]


@pytest.mark.parametrize("username", ["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)"])
def test_csv_cells_cannot_become_formulas(instructor_client, quiz, course, username):
    course.learners.add(make_user(username))
    rows = list(csv.reader(io.StringIO(instructor_client.get(csv_url(quiz)).content.decode())))
    names = [row[0] for row in rows[1:]]
    assert "'" + username in names and username not in names


def test_only_the_quizs_instructors_see_its_gradebook(client, graded, other_instructor,
                                                      learner, superuser):
    client.force_login(other_instructor)
    assert client.get(gradebook_url(graded)).status_code == 404
    assert client.get(csv_url(graded)).status_code == 404
    client.force_login(learner)
    for url in (gradebook_url(graded), csv_url(graded)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(superuser)
    assert client.get(gradebook_url(graded)).status_code == 200
    assert client.get(reverse("admin:exercises_quiz_gradebook", args=[999999])).status_code \
        == 404


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_gradebook_queries_do_not_grow_with_learners(instructor_client, graded, course,
                                                     item, django_assert_max_num_queries):
    page_before = count_queries(instructor_client, gradebook_url(graded))
    csv_before = count_queries(instructor_client, csv_url(graded))
    for number in range(6):
        more = make_user(f"extra{number}")
        course.learners.add(more)
        submit(more, item, BRANCH_ANSWERS)
    assert count_queries(instructor_client, gradebook_url(graded)) == page_before
    assert count_queries(instructor_client, csv_url(graded)) == csv_before
    # session + user + quiz + items + learners + attempts + the statistics' two
    with django_assert_max_num_queries(12):
        instructor_client.get(gradebook_url(graded))
    with django_assert_max_num_queries(8):
        instructor_client.get(csv_url(graded))


def test_quiz_pages_link_to_the_gradebook(instructor_client, quiz):
    change = instructor_client.get(reverse("admin:exercises_quiz_change", args=[quiz.pk]))
    assert gradebook_url(quiz) in change.content.decode()
    listing = instructor_client.get(reverse("admin:exercises_quiz_changelist"))
    assert gradebook_url(quiz) in listing.content.decode()


def test_the_gradebook_page_shows_learners_a_page_at_a_time(instructor_client, graded,
                                                            monkeypatch):
    from exercises.admin import gradebook as pages

    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    first = instructor_client.get(gradebook_url(graded))
    assert [row["learner"].username for row in first.context["rows"]] == ["ann", "bob"]
    assert first.context["learner_count"] == 5 and "next ›" in first.content.decode()
    last = instructor_client.get(gradebook_url(graded), {"page": 3})
    assert [row["learner"].username for row in last.context["rows"]] == ["lee"]
    assert [c["points"] for c in last.context["rows"][0]["cells"]] == ["1", ""]
    rows = list(csv.reader(io.StringIO(instructor_client.get(csv_url(graded)).content.decode())))
    assert len(rows) == 6  # the CSV: every learner
