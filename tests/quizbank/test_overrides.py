"""Manual overrides in the gradebook page, its CSV and against a regrade: the override
counts, is marked as one, and the original submissions and best score stay."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from exercises import accommodations, overrides, services
from exercises.models import Attempt, Exercise

from .helpers import MISSED_BRANCH, submit


def set_override(attempt, instructor, score, reason="marked by hand", confirm=False):
    return overrides.override_score(attempt, score=score, reason=reason, confirm=confirm,
                                    actor=accommodations.Actor.of(instructor))


@pytest.fixture
def overridden(item, learner, learner2, instructor):
    submit(learner, item, MISSED_BRANCH)
    submit(learner2, item, MISSED_BRANCH)
    attempt = Attempt.objects.get(learner=learner)
    set_override(attempt, instructor, 1.0, reason="x was right, written as 36.0")
    return attempt


def test_override_in_the_gradebook_page(instructor_client, quiz, overridden):
    response = instructor_client.get(reverse("admin:exercises_quiz_gradebook", args=[quiz.pk]))
    rows = {row["learner"].username: row for row in response.context["rows"]}
    assert rows["lee"]["cells"][0]["points"] == "1" and rows["lee"]["cells"][0]["override"]
    assert rows["kim"]["cells"][0]["points"] == "0.75"
    assert rows["kim"]["cells"][0]["override"] is None
    page = response.content.decode()
    assert "✎ overridden" in page and "x was right, written as 36.0" in page


def test_override_in_the_csv(instructor_client, quiz, overridden, item):
    response = instructor_client.get(reverse("admin:exercises_quiz_gradebook_csv",
                                             args=[quiz.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["username", str(item), "total", "overrides"]
    assert rows[1] == ["kim", "0.75", "0.75", ""]
    assert rows[2][:3] == ["lee", "1", "1"]
    assert rows[2][3] == (f"{item}: overridden to 1 (was 0.75) by ada: "
                          "x was right, written as 36.0")


def test_the_original_stays_and_a_regrade_leaves_the_override(overridden, exercise,
                                                              instructor):
    assert overridden.submissions.get().score == 0.75
    Exercise.objects.filter(pk=exercise.pk).update(tolerance_rel=0.0)
    set_override(overridden, instructor, 0.5, confirm=True)
    services.regrade_exercise(Exercise.objects.get(pk=exercise.pk), by=instructor)
    attempt = Attempt.objects.get(pk=overridden.pk)
    assert (attempt.best_score, attempt.override_score, attempt.score) == (0.75, 0.5, 0.5)
    assert list(attempt.overrides.values_list("previous_score", "score")) == [
        (0.75, 1.0), (1.0, 0.5)]


def test_canvas_csv(instructor_client, quiz, overridden, learner):
    learner.first_name, learner.last_name = "Lee", "Park"
    learner.save()
    response = instructor_client.get(reverse("admin:exercises_quiz_gradebook_canvas_csv",
                                             args=[quiz.pk]))
    assert response.status_code == 200 and "canvas" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       f"Quiz A ({quiz.pk})"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "1"]
    assert rows[2:] == [["kim", "", "", "kim", "Course A", "0.75"],
                        ["Park, Lee", "", "", "lee", "Course A", "1"]]
