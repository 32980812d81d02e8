"""The item page's answer boxes for local, update and nudge exercises: labelled as the API
labels them, answered through the API, their verdicts shown on the page again."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from exercises import exercise_kinds, services
from exercises.api.serializers import attempt_solution
from exercises.demo.kinds import QUIZ_TITLE
from exercises.models import Attempt, Quiz

KINDS_TITLES = {"local": "The network's chain for w1", "update": "The network's weights",
                "nudge": "Check the derivative by nudging"}


@pytest.fixture
def kinds_quiz(demo) -> Quiz:
    return Quiz.objects.get(title=QUIZ_TITLE)


def start(kinds_quiz, kind) -> Attempt:
    item = kinds_quiz.items.select_related("exercise").get(
        exercise__title__startswith=KINDS_TITLES[kind])
    assert item.exercise.ask == kind
    return services.start_attempt(kinds_quiz.course.learners.get(), item=item)[0]


def page(client, attempt) -> str:
    response = client.get(reverse("exercises:item", args=[attempt.item.quiz_id,
                                                          attempt.item_id]))
    assert response.status_code == 200
    return response.content.decode()


def row(text: str, key: str) -> tuple[str, str]:
    pattern = ('<tr class="bp-row" data-node="' + re.escape(key)
               + r'" data-status="(\w*)">(.*?)</tr>')
    found = re.search(pattern, text, re.S)
    assert found, f"no box for {key}"
    return found.group(1), found.group(2)


def truth(attempt) -> dict:
    return exercise_kinds.answers(attempt.exercise, attempt_solution(attempt))


def submit(client, attempt, answers):
    return client.post(reverse("api:attempt-submissions", args=[attempt.pk]),
                       {"answers": answers}, content_type="application/json")


@pytest.mark.parametrize("kind", ["local", "update", "nudge"])
def test_each_asked_key_gets_a_labelled_box(learner_client, kinds_quiz, kind):
    attempt = start(kinds_quiz, kind)
    text = page(learner_client, attempt)
    # the boxes the API sends for this attempt, with their labels
    api = learner_client.post(reverse("api:quiz-item-attempts", args=[attempt.item_id]))
    assert api.status_code in (200, 201), api.content
    assert api.json()["id"] == attempt.pk
    boxes = api.json()["boxes"]
    assert [b["key"] for b in boxes] == api.json()["ask"]
    assert boxes == exercise_kinds.boxes(attempt.exercise, attempt_solution(attempt))
    for box in boxes:
        status, cells = row(text, box["key"])
        assert status == ""
        safe = box["key"].replace("/", "__")
        assert f'name="answer-{box["key"]}"' in cells and f'id="fb-{safe}"' in cells
        assert f'<label for="answer-{safe}">{box["label"]}</label>' in cells
    # the demo's quiz offers step-through, for these kinds too (kind_steps)
    assert '"answersKey": "answers"' in text and '"stepAllowed": true' in text
    assert 'data-mode="step"' in text


def test_the_settings_are_stated(learner_client, kinds_quiz):
    update = page(learner_client, start(kinds_quiz, "update"))
    assert "η = 0.5" in update and "w1, b1, w2, b2" in update
    nudge = page(learner_client, start(kinds_quiz, "nudge"))
    assert "Nudge the input x by h = 0.001" in nudge


@pytest.mark.parametrize("kind", ["local", "update", "nudge"])
def test_a_submission_through_the_api_shows_each_verdict(learner_client, kinds_quiz, kind):
    attempt = start(kinds_quiz, kind)
    right = truth(attempt)
    wrong_key = next(iter(right))
    answers = {key: repr(value) for key, value in right.items()}
    answers[wrong_key] = repr(right[wrong_key] + 7)
    response = submit(learner_client, attempt, answers)
    assert response.status_code == 201, response.json()
    text = page(learner_client, attempt)
    for key in right:
        status, cells = row(text, key)
        assert status == ("wrong" if key == wrong_key else "correct")
        assert ("Not right" if key == wrong_key else "Correct") in cells
    # what the disclosure rule lets this quiz show (hint level 2) is what the page shows
    shown = response.json()["nodes"][wrong_key]
    assert shown["correct"] is False
    assert shown["hint"] and escape(shown["hint"]) in row(text, wrong_key)[1]


def test_an_unreadable_box_is_marked_at_its_row(learner_client, kinds_quiz):
    attempt = start(kinds_quiz, "local")
    key = next(iter(truth(attempt)))
    response = submit(learner_client, attempt, {key: "2 +"})
    assert response.status_code == 400
    assert key in response.json()["errors"]
