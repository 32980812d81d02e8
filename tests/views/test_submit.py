"""Submitting from the pages: the page's script sends answers to the versioned API with the
session (one way in), then reads the item page again for its feedback."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exercises import services
from exercises.models import Attempt, Submission

from .conftest import notes_item

RIGHT = {"L": "1", "y": "15", "z": "7", "x": "36"}
X_WRONG = {**RIGHT, "x": "15"}


@pytest.fixture
def attempt(demo, example3):
    learner = example3.quiz.course.learners.get()
    return services.start_attempt(learner, item=example3)[0]


def send(client, attempt, answers, kind="full"):
    """What quiz.js sends: JSON to the API, with the session's cookie."""
    return client.post(reverse("api:attempt-submissions", args=[attempt.pk]),
                       {"grads": answers, "kind": kind}, content_type="application/json")


def page(client, attempt):
    return client.get(reverse("exercises:item", args=[attempt.item.quiz_id, attempt.item_id]))


def test_the_item_page_sends_its_answers_to_the_api(learner_client, attempt):
    config = page(learner_client, attempt).context["config"]
    assert config["submitUrl"] == f"/api/v1/attempts/{attempt.pk}/submissions/"
    assert "stepUrl" not in config


def test_a_submission_marks_each_node_and_the_page_shows_it(learner_client, attempt):
    response = send(learner_client, attempt, X_WRONG)
    assert response.status_code == 201
    data = response.json()
    assert {name: node["correct"] for name, node in data["nodes"].items()} == {
        "L": True, "y": True, "z": True, "x": False}
    assert data["score"] == pytest.approx(0.75)
    assert data["submissions_left"] is None
    assert data["nodes"]["x"]["misconception"] == "missing_branch"
    text = page(learner_client, attempt).content.decode()
    assert "x also feeds z" in text and "75%" in text
    assert "36" in text  # "immediately": the solution after a graded try
    fixed = send(learner_client, attempt, RIGHT).json()
    assert fixed["best_score"] == 1.0 and fixed["score"] == 1.0
    assert "Solved." in page(learner_client, attempt).content.decode()


def test_upstream_mistake_links_to_where_it_started(learner_client, attempt):
    send(learner_client, attempt, {**RIGHT, "y": "16", "x": "37"})
    text = page(learner_client, attempt).content.decode()
    assert 'data-focus-node="y"' in text and "fix that first" in text


def test_invalid_answer_is_flagged_and_costs_nothing(learner_client, attempt):
    response = send(learner_client, attempt, {**RIGHT, "x": "abc"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"x"}
    attempt.refresh_from_db()
    assert attempt.graded_count == 0


def test_exhausted_attempts_answer_409(learner_client, attempt):
    quiz = attempt.item.quiz
    quiz.attempts_allowed = 1
    quiz.save()
    first = send(learner_client, attempt, X_WRONG).json()
    assert first["submissions_left"] == 0
    assert "used every attempt" in page(learner_client, attempt).content.decode()
    again = send(learner_client, attempt, RIGHT)
    assert again.status_code == 409
    assert "no attempts left" in again.json()["detail"]


def test_someone_elses_attempt_is_not_found(client, attempt, django_user_model):
    django_user_model.objects.create_user("mallory", password="pw")
    client.login(username="mallory", password="pw")
    assert send(client, attempt, RIGHT).status_code == 404
    assert send(client, attempt, {"x": "36"}, kind="step").status_code == 404


def test_the_session_needs_its_csrf_token(demo, attempt):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.login(username="learner", password="pw")
    assert send(client, attempt, RIGHT).status_code == 403
    token = page(client, attempt).context["csrf_token"]
    response = client.post(reverse("api:attempt-submissions", args=[attempt.pk]),
                           {"grads": RIGHT}, content_type="application/json",
                           HTTP_X_CSRFTOKEN=str(token))
    assert response.status_code == 201


def test_step_checks_one_node_for_free(learner_client, attempt):
    response = send(learner_client, attempt, {"x": "15"}, kind="step")
    assert response.status_code == 201
    data = response.json()
    assert data["kind"] == "step" and data["nodes"]["x"]["correct"] is False
    assert "x also feeds z" in data["nodes"]["x"]["explanation"]
    ok = send(learner_client, attempt, {"x": "36"}, kind="step").json()
    assert ok["nodes"]["x"]["correct"] is True
    assert send(learner_client, attempt, {"x": "36", "y": "15"}, kind="step").status_code == 400
    attempt.refresh_from_db()
    assert attempt.graded_count == 0 and not attempt.solved
    assert Submission.objects.filter(attempt=attempt, kind="step", counted=False).count() == 2


def test_answers_too_long_are_refused_at_the_box(learner_client, attempt):
    response = send(learner_client, attempt, {**RIGHT, "x": "1" * 5000})
    assert response.status_code == 400
    assert "x" in str(response.json())


def test_closed_quiz_refuses_with_a_message(learner_client, attempt, example3):
    from django.utils import timezone

    quiz = example3.quiz
    quiz.due_at = timezone.now() - timezone.timedelta(minutes=1)
    quiz.save()
    response = send(learner_client, attempt, RIGHT)
    assert response.status_code == 409 and "closed" in response.json()["detail"]
    text = page(learner_client, attempt).content.decode()
    assert "This quiz is closed" in text and "Submit answers" not in text


def test_pool_items_and_practice_share_the_page(learner_client, notes_quiz):
    item = notes_item(notes_quiz, "The two-weight network")
    learner_client.get(reverse("exercises:item", args=[notes_quiz.pk, item.pk]))
    attempt = Attempt.objects.get(item=item)
    solution = attempt.variant.graph
    answers = {n["name"]: repr(n["grad"]) for n in solution["nodes"] if n["kind"] != "const"}
    assert send(learner_client, attempt, answers).json()["best_score"] == 1.0
