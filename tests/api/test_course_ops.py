"""Running a course over the API: accommodations (instructors and the course's LMS key;
learners 403) and manual overrides (201; lowering needs "confirm": true, else 409), as
the contract in issue 16 says, and what learners' submissions then get."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.course_records import AccommodationLog
from exercises.models import Attempt, Quiz

pytestmark = pytest.mark.django_db

WRONG = {name: "0" for name in ("w0", "x0", "w1", "x1", "w2", "dot", "f")}


def url(cast, suffix=""):
    return f"/api/v1/quizzes/{cast.quiz.pk}/accommodations/{suffix}"


def start_item(client, cast) -> int:
    response = client.post(f"/api/v1/quiz-items/{cast.item.pk}/attempts/", format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()["id"]


def send(client, attempt_id):
    return client.post(f"/api/v1/attempts/{attempt_id}/submissions/", {"grads": WRONG},
                       format="json")


@pytest.mark.parametrize("role, expected", [
    ("instructor", 201), ("integration", 201), ("learner_a", 403), ("learner_b", 403),
    ("other_instructor", 404), ("other_integration", 404), ("anonymous", 401)])
def test_who_may_set_an_accommodation(cast, role, expected):
    response = cast.client(role).post(url(cast), {"learner": cast.learner_a.pk,
                                                  "extra_attempts": 2}, format="json")
    assert response.status_code == expected, response.content
    listed = cast.client(role).get(url(cast))
    assert listed.status_code == (200 if expected == 201 else expected)


def test_extra_attempts_through_the_api(cast):
    set_up = cast.client("instructor").post(url(cast), {
        "learner": cast.learner_a.pk, "extra_attempts": 2, "reason": "exam arrangements"},
        format="json")
    assert set_up.status_code == 201
    body = set_up.json()
    assert (body["learner"], body["quiz"], body["applies_to"], body["extra_attempts"],
            body["time_multiplier"], body["due_at"], body["reason"], body["by"]) == (
        cast.learner_a.pk, cast.quiz.pk, "quiz", 2, None, None, "exam arrangements", "ines")
    learner = cast.client("learner_a")
    attempt = start_item(learner, cast)
    lefts = [send(learner, attempt).json()["submissions_left"] for _ in range(3)]
    assert lefts == [2, 1, 0]  # 1 allowed + 2 extra
    assert send(learner, attempt).status_code == 409
    other = cast.client("learner_b")
    theirs = start_item(other, cast)
    assert send(other, theirs).status_code == 201
    assert send(other, theirs).status_code == 409


def test_an_extended_due_date_through_the_api_from_the_lms(cast):
    Quiz.objects.filter(pk=cast.quiz.pk).update(due_at=timezone.now() - timedelta(hours=1))
    due = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    response = cast.client("integration").post(url(cast), {
        "learner": cast.learner_a.pk, "due_at": due.isoformat(), "reason": "sick note"},
        format="json")
    assert response.status_code == 201
    assert response.json()["by"].startswith("LMS key")
    learner = cast.client("learner_a")
    assert send(learner, start_item(learner, cast)).status_code == 201
    other = cast.client("learner_b")
    closed = send(other, start_item(other, cast))
    assert closed.status_code == 409 and "due date" in closed.json()["detail"]


def test_course_wide_then_changed_then_deleted(cast):
    instructor = cast.client("instructor")
    created = instructor.post(url(cast), {"learner": cast.learner_a.pk, "time_multiplier": 1.5,
                                          "applies_to": "course"}, format="json")
    assert created.status_code == 201 and created.json()["quiz"] is None
    changed = instructor.post(url(cast), {"learner": cast.learner_a.pk, "extra_attempts": 1,
                                          "applies_to": "course", "reason": "more"},
                              format="json")
    assert changed.status_code == 200
    assert (changed.json()["time_multiplier"], changed.json()["extra_attempts"]) == (1.5, 1)
    attempt_id = start_item(cast.client("learner_a"), cast)
    assert Attempt.objects.get(pk=attempt_id).time_multiplier == 1.5
    listed = instructor.get(url(cast)).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == created.json()["id"]
    acc_id = created.json()["id"]
    assert cast.client("learner_a").delete(url(cast, f"{acc_id}/")).status_code == 403
    gone = instructor.delete(url(cast, f"{acc_id}/"), {"reason": "term over"}, format="json")
    assert gone.status_code == 204
    assert instructor.delete(url(cast, f"{acc_id}/")).status_code == 404
    assert Attempt.objects.get(pk=attempt_id).time_multiplier == 1.0
    assert list(AccommodationLog.objects.order_by("id").values_list("action", "by_label")) == [
        ("set", "ines"), ("changed", "ines"), ("removed", "ines")]


@pytest.mark.parametrize("payload, field", [
    ({"extra_attempts": 1}, "learner"),
    ({"learner": "x"}, "learner"),
    ({"learner": 1, "time_multiplier": 0.5}, "time_multiplier"),
    ({"learner": 1, "extra_attempts": -1}, "extra_attempts"),
    ({"learner": 1, "due_at": "soon"}, "due_at"),
    ({"learner": 1, "applies_to": "everyone"}, "applies_to"),
])
def test_bad_accommodations_are_field_errors(cast, payload, field):
    response = cast.client("instructor").post(url(cast), payload, format="json")
    assert response.status_code == 400 and field in response.json(), response.content


def test_a_learner_outside_the_course_is_a_400(cast):
    response = cast.client("instructor").post(url(cast), {"learner": cast.outsider.pk,
                                                          "extra_attempts": 1}, format="json")
    assert response.status_code == 400 and "learner" in response.json()


# -- overrides ---------------------------------------------------------------------------------
def override(client, attempt_id, **body):
    return client.post(f"/api/v1/attempts/{attempt_id}/override/", body, format="json")


def test_override_shows_in_the_attempt_and_the_grades(cast):
    learner = cast.client("learner_a")
    attempt_id = start_item(learner, cast)
    assert send(learner, attempt_id).json()["score"] == 0.0
    instructor = cast.client("instructor")
    before = timezone.now()
    response = override(instructor, attempt_id, score=0.8, reason="partial credit by hand")
    assert response.status_code == 201, response.content
    assert {k: response.json()[k] for k in ("score", "reason", "by", "previous_score")} == {
        "score": 0.8, "reason": "partial credit by hand", "by": "ines", "previous_score": 0.0}
    shown = instructor.get(f"/api/v1/attempts/{attempt_id}/").json()["override"]
    assert {k: shown[k] for k in ("score", "reason", "by")} == {
        "score": 0.8, "reason": "partial credit by hand", "by": "ines"}
    assert shown["at"]
    grades = cast.client("integration").get(
        f"/api/v1/quizzes/{cast.quiz.pk}/grades/",
        {"updated_since": before.isoformat()}).json()
    assert [(row["learner"], row["items"], row["score"]) for row in grades["results"]] == [
        (cast.learner_a.pk, {str(cast.item.pk): 0.8}, 0.8)]


def test_lowering_needs_confirmation(cast):
    learner = cast.client("learner_a")
    attempt_id = start_item(learner, cast)
    send(learner, attempt_id)
    instructor = cast.client("instructor")
    assert override(instructor, attempt_id, score=0.9, reason="generous").status_code == 201
    refused = override(instructor, attempt_id, score=0.5, reason="too generous")
    assert refused.status_code == 409
    assert '"confirm": true' in refused.json()["detail"] and "0.9" in refused.json()["detail"]
    assert Attempt.objects.get(pk=attempt_id).score == 0.9
    lowered = override(instructor, attempt_id, score=0.5, reason="too generous", confirm=True)
    assert lowered.status_code == 201 and lowered.json()["previous_score"] == 0.9
    assert Attempt.objects.get(pk=attempt_id).score == 0.5


@pytest.mark.parametrize("role, expected", [
    ("learner_a", 403), ("integration", 403), ("other_instructor", 404), ("anonymous", 401)])
def test_who_may_override(cast, role, expected):
    attempt_id = start_item(cast.client("learner_a"), cast)
    response = override(cast.client(role), attempt_id, score=1, reason="mine")
    assert response.status_code == expected
    assert Attempt.objects.get(pk=attempt_id).override_score is None


@pytest.mark.parametrize("body, field", [
    ({"score": 1.5, "reason": "x"}, "score"), ({"score": 0.5}, "reason"),
    ({"score": "nan", "reason": "x"}, "score"), ({"score": 0.5, "reason": " "}, "reason")])
def test_bad_overrides_are_field_errors(cast, body, field):
    attempt_id = start_item(cast.client("learner_a"), cast)
    response = override(cast.client("instructor"), attempt_id, **body)
    assert response.status_code == 400 and field in response.json(), response.content


# -- quiz overrides ----------------------------------------------------------------------
def quiz_override(client, cast, learner, **body):
    return client.post(f"/api/v1/quizzes/{cast.quiz.pk}/learners/{learner.pk}/override/",
                       body, format="json")


def test_a_quiz_override_is_the_quiz_score_in_grades(cast):
    from exercises.models import QuizItem

    second = QuizItem.objects.create(quiz=cast.quiz, exercise=cast.quiz_exercise,
                                     position=2, points=3)
    learner = cast.client("learner_a")
    attempt_id = start_item(learner, cast)
    send(learner, attempt_id)
    assert override(cast.client("instructor"), attempt_id, score=0.5,
                    reason="item by hand").status_code == 201
    before = timezone.now()
    response = quiz_override(cast.client("instructor"), cast, cast.learner_a, score=0.9,
                             reason="excused the second item")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("quiz", "learner", "score", "previous_score", "reason",
                                 "by")} == {
        "quiz": cast.quiz.pk, "learner": cast.learner_a.pk, "score": 0.9,
        "previous_score": 0.125, "reason": "excused the second item", "by": "ines"}
    assert body["at"]
    grades = cast.client("integration").get(
        f"/api/v1/quizzes/{cast.quiz.pk}/grades/",
        {"updated_since": before.isoformat()}).json()  # the override is a change
    [row] = grades["results"]
    assert (row["learner"], row["items"], row["score"]) == (
        cast.learner_a.pk, {str(cast.item.pk): 0.5}, 0.9)  # the items keep theirs
    assert {k: row["override"][k] for k in ("score", "reason", "by")} == {
        "score": 0.9, "reason": "excused the second item", "by": "ines"}
    assert second.attempts.count() == 0


def test_lowering_a_quiz_score_needs_confirmation(cast):
    from exercises.models import QuizOverride

    learner = cast.client("learner_a")
    send(learner, start_item(learner, cast))
    instructor = cast.client("instructor")
    assert quiz_override(instructor, cast, cast.learner_a, score=0.9,
                         reason="generous").status_code == 201
    refused = quiz_override(instructor, cast, cast.learner_a, score=0.4, reason="too much")
    assert refused.status_code == 409
    assert '"confirm": true' in refused.json()["detail"] and "0.9" in refused.json()["detail"]
    lowered = quiz_override(instructor, cast, cast.learner_a, score=0.4, reason="too much",
                            confirm=True)
    assert lowered.status_code == 201 and lowered.json()["previous_score"] == 0.9
    # The audit trail: every override, who, why and what it replaced; the latest counts.
    assert list(QuizOverride.objects.order_by("id").values_list(
        "previous_score", "score", "reason", "by_label", "latest")) == [
        (0.0, 0.9, "generous", "ines", False), (0.9, 0.4, "too much", "ines", True)]
    assert Attempt.objects.get(learner=cast.learner_a).best_score == 0.0  # original kept


def test_a_quiz_override_needs_an_attempt(cast):
    response = quiz_override(cast.client("instructor"), cast, cast.learner_b, score=1,
                             reason="excused")
    assert response.status_code == 409 and "no attempt" in response.json()["detail"]


@pytest.mark.parametrize("role, expected", [
    ("learner_a", 403), ("integration", 403), ("other_instructor", 404), ("anonymous", 401)])
def test_who_may_override_a_quiz_score(cast, role, expected):
    from exercises.models import QuizOverride

    send(cast.client("learner_a"), start_item(cast.client("learner_a"), cast))
    response = quiz_override(cast.client(role), cast, cast.learner_a, score=1, reason="mine")
    assert response.status_code == expected
    assert not QuizOverride.objects.exists()


def test_a_quiz_override_for_someone_outside_the_course_is_404(cast):
    response = quiz_override(cast.client("instructor"), cast, cast.outsider, score=1,
                             reason="x")
    assert response.status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"score": 1.5, "reason": "x"}, "score"), ({"score": 0.5}, "reason"),
    ({"score": 0.5, "reason": " "}, "reason")])
def test_bad_quiz_overrides_are_field_errors(cast, body, field):
    send(cast.client("learner_a"), start_item(cast.client("learner_a"), cast))
    response = quiz_override(cast.client("instructor"), cast, cast.learner_a, **body)
    assert response.status_code == 400 and field in response.json(), response.content


# -- removing overrides ------------------------------------------------------------------
def grades_row(cast, **params) -> dict | None:
    rows = cast.client("integration").get(f"/api/v1/quizzes/{cast.quiz.pk}/grades/",
                                          params).json()["results"]
    return rows[0] if rows else None


def test_removing_an_item_override(cast):
    from exercises.course_records import ScoreOverride

    learner = cast.client("learner_a")
    attempt_id = start_item(learner, cast)
    send(learner, attempt_id)
    instructor = cast.client("instructor")
    override_url = f"/api/v1/attempts/{attempt_id}/override/"
    assert override(instructor, attempt_id, score=0.8, reason="partial credit").status_code == 201
    before = timezone.now()
    removed = instructor.delete(override_url, {"reason": "the grader was right"},
                                format="json")
    assert removed.status_code == 204, removed.content
    assert instructor.get(f"/api/v1/attempts/{attempt_id}/").json()["override"] is None
    row = grades_row(cast, updated_since=before.isoformat())  # the removal is a change
    assert (row["items"], row["score"]) == ({str(cast.item.pk): 0.0}, 0.0)
    # Audited like a setting, and the setting stays on record.
    assert list(ScoreOverride.objects.order_by("id").values_list(
        "action", "previous_score", "score", "reason", "by_label")) == [
        ("set", 0.0, 0.8, "partial credit", "ines"),
        ("removed", 0.8, 0.0, "the grader was right", "ines")]
    assert instructor.delete(override_url).status_code == 404  # none in force now
    # Without a body, and after setting one again.
    assert override(instructor, attempt_id, score=1, reason="again").status_code == 201
    assert instructor.delete(override_url).status_code == 204
    assert ScoreOverride.objects.order_by("id").last().reason == ""
    assert Attempt.objects.get(pk=attempt_id).override_score is None


def test_removing_a_quiz_override(cast):
    from exercises.models import QuizOverride

    learner = cast.client("learner_a")
    attempt_id = start_item(learner, cast)
    send(learner, attempt_id)
    instructor = cast.client("instructor")
    quiz_url = f"/api/v1/quizzes/{cast.quiz.pk}/learners/{cast.learner_a.pk}/override/"
    assert quiz_override(instructor, cast, cast.learner_a, score=0.9,
                         reason="excused").status_code == 201
    assert grades_row(cast)["score"] == 0.9
    before = timezone.now()
    removed = instructor.delete(quiz_url, {"reason": "not excused after all"},
                                format="json")
    assert removed.status_code == 204, removed.content
    row = grades_row(cast, updated_since=before.isoformat())  # the removal is a change
    assert (row["score"], row["override"]) == (0.0, None)
    assert list(QuizOverride.objects.order_by("id").values_list(
        "action", "previous_score", "score", "reason", "by_label", "latest")) == [
        ("set", 0.0, 0.9, "excused", "ines", False),
        ("removed", 0.9, 0.0, "not excused after all", "ines", False)]
    assert instructor.delete(quiz_url).status_code == 404
    other = f"/api/v1/quizzes/{cast.quiz.pk}/learners/{cast.learner_b.pk}/override/"
    assert instructor.delete(other).status_code == 404  # never overridden
    too_long = instructor.delete(quiz_url, {"reason": "x" * 501}, format="json")
    assert too_long.status_code == 400 and "reason" in too_long.json()


@pytest.mark.parametrize("role, expected", [
    ("learner_a", 403), ("integration", 403), ("other_instructor", 404), ("anonymous", 401)])
def test_who_may_remove_an_override(cast, role, expected):
    learner = cast.client("learner_a")
    attempt_id = start_item(learner, cast)
    send(learner, attempt_id)
    instructor = cast.client("instructor")
    assert override(instructor, attempt_id, score=0.8, reason="x").status_code == 201
    assert quiz_override(instructor, cast, cast.learner_a, score=0.9,
                         reason="y").status_code == 201
    client = cast.client(role)
    assert client.delete(f"/api/v1/attempts/{attempt_id}/override/").status_code == expected
    assert client.delete(f"/api/v1/quizzes/{cast.quiz.pk}/learners/{cast.learner_a.pk}"
                         "/override/").status_code == expected
    assert Attempt.objects.get(pk=attempt_id).override_score == 0.8
    assert grades_row(cast)["score"] == 0.9


# -- statistics --------------------------------------------------------------------------
ITEM_KEYS = {"item", "facility", "sd", "discrimination_index", "discrimination_27",
             "discrimination_efficiency", "n", "nodes", "misconceptions",
             "ambiguous_misconceptions"}


def test_statistics_shape_and_csv(cast):
    for role in ("learner_a", "learner_b"):
        learner = cast.client(role)
        send(learner, start_item(learner, cast))
    stats_url = f"/api/v1/quizzes/{cast.quiz.pk}/statistics/"
    body = cast.client("instructor").get(stats_url).json()
    assert set(body) == {"cronbach_alpha", "learners", "items"}
    assert body["learners"] == 2
    (item,) = body["items"]
    assert set(item) == ITEM_KEYS and item["item"] == cast.item.pk and item["n"] == 2
    assert item["facility"] == 0.0 and item["sd"] == 0.0
    assert item["nodes"]["f"] == {"first_correct": 0.0, "best_correct": 0.0}
    assert cast.client("integration").get(stats_url).status_code == 200
    as_csv = cast.client("instructor").get(stats_url, {"format": "csv"})
    assert as_csv.status_code == 200 and as_csv["Content-Type"].startswith("text/csv")
    lines = as_csv.content.decode().splitlines()
    assert lines[0].startswith("item,n,facility,sd,discrimination_index,discrimination_27,")
    assert lines[1].startswith(f"{cast.item.pk},2,0,0,")


@pytest.mark.parametrize("role, expected", [
    ("learner_a", 403), ("other_instructor", 404), ("other_integration", 404),
    ("anonymous", 401)])
def test_who_may_read_statistics(cast, role, expected):
    response = cast.client(role).get(f"/api/v1/quizzes/{cast.quiz.pk}/statistics/")
    assert response.status_code == expected
