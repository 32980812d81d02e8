"""Submitting answers: the form POST, the JSON endpoint the page uses, step-through."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exercises import services
from exercises.models import Attempt, Submission

from .conftest import notes_item

RIGHT = {"answer-L": "1", "answer-y": "15", "answer-z": "7", "answer-x": "36"}
X_WRONG = {**RIGHT, "answer-x": "15"}


@pytest.fixture
def attempt(demo, example3):
    learner = example3.quiz.course.learners.get()
    return services.start_attempt(learner, item=example3)[0]


def url(name, attempt):
    return reverse(f"exercises:{name}", args=[attempt.pk])


def test_json_submit_marks_each_node(learner_client, attempt):
    response = learner_client.post(url("submit_json", attempt), X_WRONG)
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == {"L": "correct", "y": "correct", "z": "correct", "x": "wrong"}
    assert data["score"] == pytest.approx(0.75)
    assert data["attempts_left"] is None and data["graded_count"] == 1
    assert "x also feeds z" in data["feedback"]["x"]
    assert data["result"]["nodes"]["x"]["misconception"] == "missing_branch"
    assert "75%" in data["summary_html"]
    assert "grad: 36" not in data["summary_html"]
    assert "36" in data["solution_html"]  # "immediately": shown after a graded try

    fixed = learner_client.post(url("submit_json", attempt), RIGHT).json()
    assert fixed["solved"] is True and fixed["score"] == 1.0
    assert "Solved." in fixed["summary_html"]


def test_upstream_mistake_links_to_where_it_started(learner_client, attempt):
    data = learner_client.post(url("submit_json", attempt),
                               {**RIGHT, "answer-y": "16", "answer-x": "37"}).json()
    assert data["status"]["x"] == "wrong"
    assert 'data-focus-node="y"' in data["feedback"]["x"]
    assert "fix that first" in data["feedback"]["x"]


def test_invalid_answer_is_flagged_and_costs_nothing(learner_client, attempt):
    response = learner_client.post(url("submit_json", attempt), {**RIGHT, "answer-x": "abc"})
    assert response.status_code == 400
    data = response.json()
    assert set(data["errors"]) == {"x"}
    assert "costs nothing" in data["feedback"]["x"]
    attempt.refresh_from_db()
    assert attempt.graded_count == 0


def test_form_post_without_javascript(learner_client, attempt, example3):
    page_url = reverse("exercises:item", args=[example3.quiz_id, example3.pk])
    response = learner_client.post(url("submit", attempt), X_WRONG)
    assert response.status_code == 302 and response.url == page_url + "#feedback"
    invalid = learner_client.post(url("submit", attempt), {**RIGHT, "answer-x": "2 +* 3"})
    assert invalid.status_code == 400
    text = invalid.content.decode()
    assert "Could not read this" in text and 'value="2 +* 3"' in text
    empty = learner_client.post(url("submit", attempt), {})
    assert empty.status_code == 302
    attempt.refresh_from_db()
    assert attempt.graded_count == 1


def test_exhausted_attempts_answer_409(learner_client, attempt):
    quiz = attempt.item.quiz
    quiz.attempts_allowed = 1
    quiz.save()
    first = learner_client.post(url("submit_json", attempt), X_WRONG).json()
    assert first["attempts_left"] == 0 and "used every attempt" in first["closed"]
    again = learner_client.post(url("submit_json", attempt), RIGHT)
    assert again.status_code == 409
    assert "no attempts left" in again.json()["detail"]


def test_someone_elses_attempt_is_not_found(client, attempt, django_user_model):
    django_user_model.objects.create_user("mallory", password="pw")
    client.login(username="mallory", password="pw")
    assert client.post(url("submit_json", attempt), RIGHT).status_code == 404
    assert client.post(url("step_json", attempt), {"answer-x": "36"}).status_code == 404


def test_get_is_not_allowed(learner_client, attempt):
    assert learner_client.get(url("submit_json", attempt)).status_code == 405


def test_step_checks_one_node_for_free(learner_client, attempt):
    response = learner_client.post(url("step_json", attempt), {"answer-x": "15"})
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == {"x": "wrong"} and data["kind"] == "step"
    assert "x also feeds z" in data["feedback"]["x"]
    ok = learner_client.post(url("step_json", attempt), {"answer-x": "36"}).json()
    assert ok["status"] == {"x": "correct"}
    two = learner_client.post(url("step_json", attempt), {"answer-x": "36", "answer-y": "1"})
    assert two.status_code == 400
    attempt.refresh_from_db()
    assert attempt.graded_count == 0 and not attempt.solved
    assert Submission.objects.filter(attempt=attempt, kind="step", counted=False).count() == 2


def test_answers_too_long_are_refused_at_the_box(learner_client, attempt):
    response = learner_client.post(url("submit_json", attempt), {**RIGHT, "answer-x": "1" * 500})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"x"}


def test_closed_quiz_refuses_with_a_message(learner_client, attempt, example3):
    from django.utils import timezone

    quiz = example3.quiz
    quiz.due_at = timezone.now() - timezone.timedelta(minutes=1)
    quiz.save()
    response = learner_client.post(url("submit_json", attempt), RIGHT)
    assert response.status_code == 409 and "closed" in response.json()["detail"]
    page = learner_client.get(reverse("exercises:item", args=[quiz.pk, example3.pk]))
    assert b"This quiz is closed" in page.content and b"Submit answers" not in page.content


def test_pool_items_and_practice_share_the_page(learner_client, notes_quiz):
    item = notes_item(notes_quiz, "The two-weight network")
    learner_client.get(reverse("exercises:item", args=[notes_quiz.pk, item.pk]))
    attempt = Attempt.objects.get(item=item)
    solution = attempt.variant.graph
    answers = {f"answer-{n['name']}": repr(n["grad"]) for n in solution["nodes"]
               if n["kind"] != "const"}
    data = learner_client.post(url("submit_json", attempt), answers).json()
    assert data["solved"] is True
