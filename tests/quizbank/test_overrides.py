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


# -- a learner's whole quiz ---------------------------------------------------------------
def quiz_override_url(quiz, learner):
    return reverse("admin:exercises_quiz_override", args=[quiz.pk, learner.pk])


def test_a_quiz_override_through_the_admin(instructor_client, quiz, item, learner,
                                           learner2, instructor):
    from exercises.models import QuizItem, QuizOverride

    QuizItem.objects.create(quiz=quiz, exercise=item.exercise, position=2, points=3)
    submit(learner, item, MISSED_BRANCH)
    submit(learner2, item, MISSED_BRANCH)
    url = quiz_override_url(quiz, learner)
    page = instructor_client.get(url)
    assert page.status_code == 200 and page.context["computed"] == "0.1875"  # 0.75 of 4
    done = instructor_client.post(url, {"score": "0.9", "reason": "excused item 2"})
    assert done.status_code == 302
    assert done["Location"] == reverse("admin:exercises_quiz_gradebook", args=[quiz.pk])
    # Lowering it asks first, and stores nothing until confirmed.
    asked = instructor_client.post(url, {"score": "0.5", "reason": "too kind"})
    assert asked.status_code == 200
    assert "lowers the score from 0.9 to 0.5" in asked.content.decode()
    assert QuizOverride.objects.count() == 1
    assert instructor_client.post(url, {"score": "0.5", "reason": "too kind",
                                        "confirm": "on"}).status_code == 302
    history = instructor_client.get(url)
    assert [(o.previous_score, o.score, o.by_label) for o in history.context["history"]] == [
        (0.9, 0.5, "ada"), (0.1875, 0.9, "ada")]
    assert "too kind" in history.content.decode()

    book = instructor_client.get(reverse("admin:exercises_quiz_gradebook", args=[quiz.pk]))
    rows = {row["learner"].username: row for row in book.context["rows"]}
    assert rows["lee"]["total"] == "2" and rows["lee"]["override"].score == 0.5  # 0.5 × 4
    assert rows["lee"]["cells"][0]["points"] == "0.75"  # the item keeps its score
    assert rows["kim"]["total"] == "0.75" and rows["kim"]["override"] is None
    assert "✎ quiz overridden" in book.content.decode()

    listed = list(csv.reader(io.StringIO(instructor_client.get(reverse(
        "admin:exercises_quiz_gradebook_csv", args=[quiz.pk])).content.decode())))
    assert listed[2][0] == "lee" and listed[2][3] == "2"
    assert listed[2][4] == "quiz: overridden to 0.5 (was 0.9) by ada: too kind"
    assert listed[1][3:] == ["0.75", ""]
    canvas = list(csv.reader(io.StringIO(instructor_client.get(reverse(
        "admin:exercises_quiz_gradebook_canvas_csv", args=[quiz.pk])).content.decode())))
    assert canvas[1][-1] == "4" and [row[-1] for row in canvas[2:]] == ["0.75", "2"]


def test_a_quiz_override_needs_the_quiz_and_an_attempt(client, instructor_client, quiz,
                                                      learner, other_instructor):
    page = instructor_client.get(quiz_override_url(quiz, learner))
    assert page.status_code == 200 and page.context["computed"] is None
    refused = instructor_client.post(quiz_override_url(quiz, learner),
                                     {"score": "1", "reason": "excused"})
    assert refused.status_code == 200 and "no attempt" in refused.content.decode()
    client.force_login(other_instructor)
    assert client.get(quiz_override_url(quiz, learner)).status_code == 404


def test_the_learner_sees_the_quiz_override_on_the_dashboard_and_quiz_page(
        client, quiz, item, learner, instructor):
    """The learner's own pages count as the gradebook does (selectors.quiz_progress): an
    item override instead of the best score, and a quiz override instead of the sum."""
    from exercises.models import QuizItem

    QuizItem.objects.create(quiz=quiz, exercise=item.exercise, position=2, points=3)
    submit(learner, item, MISSED_BRANCH)  # 0.75 of item 1's 1 point
    client.force_login(learner)
    quiz_page = reverse("exercises:quiz", args=[quiz.pk])

    def shown() -> tuple[str, str]:
        dashboard = client.get(reverse("exercises:dashboard")).content.decode()
        page = client.get(quiz_page).content.decode()
        return dashboard, page

    dashboard, page = shown()
    assert "0.75 of 4 points" in dashboard and "0.75 of 4 points" in page
    assert "best 75%" in page
    set_override(Attempt.objects.get(learner=learner), instructor, 1.0)
    dashboard, page = shown()
    assert "1 of 4 points" in dashboard and "1 of 4 points" in page
    assert "100%, set by your instructor" in page and "best 75%" not in page  # the item's badge
    overrides.override_quiz_score(quiz, learner, score=0.9, reason="excused item 2",
                                  actor=accommodations.Actor.of(instructor))
    dashboard, page = shown()
    assert "3.60 of 4 points" in dashboard and "3.60 of 4 points" in page  # 0.9 × 4


# -- removing an override ------------------------------------------------------------------
def gradebook_csv(client, quiz) -> list[list[str]]:
    return list(csv.reader(io.StringIO(client.get(reverse(
        "admin:exercises_quiz_gradebook_csv", args=[quiz.pk])).content.decode())))


def test_removing_an_item_override_through_the_admin(instructor_client, quiz, overridden):
    book_url = reverse("admin:exercises_quiz_gradebook", args=[quiz.pk])
    page_url = reverse("admin:exercises_quiz_item_override", args=[quiz.pk, overridden.pk])
    assert page_url in instructor_client.get(book_url).content.decode()  # the ✎ cell links
    page = instructor_client.get(page_url)
    assert page.status_code == 200 and 'id="remove-override"' in page.content.decode()
    done = instructor_client.post(page_url, {"reason": "the grader was right"})
    assert done.status_code == 302 and done["Location"] == book_url
    rows = {row["learner"].username: row
            for row in instructor_client.get(book_url).context["rows"]}
    assert rows["lee"]["cells"][0]["points"] == "0.75"  # the computed score again
    assert rows["lee"]["cells"][0]["override"] is None
    assert gradebook_csv(instructor_client, quiz)[2] == ["lee", "0.75", "0.75", ""]
    history = instructor_client.get(page_url)
    text = history.content.decode()
    assert 'id="remove-override"' not in text and "removed the override" in text
    assert [(o.action, o.previous_score, o.score, o.reason, o.by_label)
            for o in history.context["history"]] == [
        ("removed", 1.0, 0.75, "the grader was right", "ada"),
        ("set", 0.75, 1.0, "x was right, written as 36.0", "ada")]
    # Nothing left to remove: said on the page, nothing recorded.
    again = instructor_client.post(page_url, {"reason": ""})
    assert again.status_code == 200 and "not overridden" in again.content.decode()
    assert overridden.overrides.count() == 2


def test_removing_a_quiz_override_through_the_admin(instructor_client, quiz, item, learner,
                                                   learner2, instructor):
    submit(learner, item, MISSED_BRANCH)
    submit(learner2, item, MISSED_BRANCH)
    overrides.override_quiz_score(quiz, learner, score=0.2, reason="late", confirm=True,
                                  actor=accommodations.Actor.of(instructor))
    assert gradebook_csv(instructor_client, quiz)[2][2:] == [
        "0.2", "quiz: overridden to 0.2 (was 0.75) by ada: late"]
    page = instructor_client.get(quiz_override_url(quiz, learner))
    remove_url = reverse("admin:exercises_quiz_override_remove", args=[quiz.pk, learner.pk])
    assert remove_url in page.content.decode()
    done = instructor_client.post(remove_url, {"reason": "late was excused"})
    assert done.status_code == 302
    book = instructor_client.get(reverse("admin:exercises_quiz_gradebook", args=[quiz.pk]))
    rows = {row["learner"].username: row for row in book.context["rows"]}
    assert rows["lee"]["total"] == "0.75" and rows["lee"]["override"] is None
    assert gradebook_csv(instructor_client, quiz)[2] == ["lee", "0.75", "0.75", ""]
    canvas = list(csv.reader(io.StringIO(instructor_client.get(reverse(
        "admin:exercises_quiz_gradebook_canvas_csv", args=[quiz.pk])).content.decode())))
    assert [row[-1] for row in canvas[2:]] == ["0.75", "0.75"]
    after = instructor_client.get(quiz_override_url(quiz, learner))
    assert remove_url not in after.content.decode()  # nothing in force to remove
    assert [(o.action, o.previous_score, o.score, o.reason) for o in
            after.context["history"]] == [("removed", 0.2, 0.75, "late was excused"),
                                          ("set", 0.75, 0.2, "late")]
    # A second removal has nothing to remove: a message, no record.
    again = instructor_client.post(remove_url, {"reason": ""}, follow=True)
    assert "not overridden" in again.content.decode()
    assert len(overrides.quiz_history(quiz, learner)) == 2


def test_another_courses_instructor_cannot_remove(client, quiz, overridden, learner,
                                                  other_instructor):
    client.force_login(other_instructor)
    assert client.post(reverse("admin:exercises_quiz_item_override",
                               args=[quiz.pk, overridden.pk])).status_code == 404
    assert client.post(reverse("admin:exercises_quiz_override_remove",
                               args=[quiz.pk, learner.pk])).status_code == 404
    assert Attempt.objects.get(pk=overridden.pk).override_score == 1.0
