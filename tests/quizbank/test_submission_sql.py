"""The submission hot path's SQL (exercises/submission_sql.py) against the ORM: the same
instances, rows and values, on SQLite and PostgreSQL alike; a store whose counters moved
on stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exercises import attempt_marks, services
from exercises.models import Attempt, Quiz, Submission
from exercises.submission_sql import read_own_attempt, store

pytestmark = pytest.mark.django_db


def same_fields(a, b, model) -> None:
    for field in model._meta.concrete_fields:
        assert getattr(a, field.attname) == getattr(b, field.attname), field.name


def test_lock_reads_what_the_orm_reads_for_a_quiz_attempt(learner, item, quiz):
    Quiz.objects.filter(pk=quiz.pk).update(due_at=timezone.now() + timedelta(days=2),
                                           time_limit_minutes=30, attempts_allowed=3)
    attempt, _ = services.start_attempt(learner, item=item)
    orm = Attempt.objects.select_related("exercise", "item__quiz", "variant").get(pk=attempt.pk)
    read = read_own_attempt(attempt.pk, learner.pk)
    same_fields(read, orm, Attempt)
    same_fields(read.exercise, orm.exercise, type(orm.exercise))
    same_fields(read.item, orm.item, type(orm.item))
    same_fields(read.item.quiz, orm.item.quiz, Quiz)
    assert read.item.quiz.due_at == orm.item.quiz.due_at and read.item.quiz.due_at.tzinfo
    assert (read.variant.pk, read.variant.created_at) == (orm.variant.pk, orm.variant.created_at)
    # The variant's solution is left out of the read and loads on first use.
    assert "graph" in read.variant.get_deferred_fields()
    assert read.variant.graph == orm.variant.graph
    assert read.exercise.asked_nodes == orm.exercise.asked_nodes


def test_lock_reads_a_practice_attempt_without_a_quiz(learner, exercise):
    attempt, _ = services.start_practice(learner, exercise)
    read = read_own_attempt(attempt.pk, learner.pk)
    assert read.item is None and read.item_id is None
    assert read.exercise.pk == exercise.pk and read.exercise.program == exercise.program


def test_lock_finds_only_the_learners_own_attempt(learner, learner2, exercise):
    attempt, _ = services.start_practice(learner, exercise)
    assert read_own_attempt(attempt.pk, learner2.pk) is None
    assert read_own_attempt(attempt.pk + 1000, learner.pk) is None


def new_submission(attempt, now, **extra) -> Submission:
    fields = {"kind": "full", "raw_answers": {"x": "36"}, "parsed": {"x": 36.0},
              "result": {"score": 1.0}, "valid": True, "counted": True, "raw_score": 1.0,
              "score": 1.0, "created_at": now}
    return Submission(attempt=attempt, **{**fields, **extra})


def test_store_writes_what_the_orm_reads_back(learner, exercise):
    attempt, _ = services.start_practice(learner, exercise)
    now = timezone.now()
    answers = {"x": "36", "y": "1/4", "<b>": "'; DROP TABLE --"}
    result = {"score": 0.5, "nodes": {"x": {"correct": True, "hint": "ünïcode ∂L/∂x"}}}
    stored = new_submission(attempt, now, raw_answers=answers, result=result, raw_score=0.5,
                            score=0.25)
    marks = [["x", 1, None, 0]]
    assert store(stored, {"graded_count": 4, "best_score": 0.75, "solved": True,
                          "updated_at": now, **attempt_marks.appended(attempt, 0.25, marks)})
    read = Submission.objects.get(pk=stored.pk)
    assert read.raw_answers == answers and read.result == result
    assert read.parsed == {"x": 36.0} and read.created_at == now
    assert (read.kind, read.valid, read.counted, read.raw_score, read.score) == (
        "full", True, True, 0.5, 0.25)
    assert not stored._state.adding  # a stored submission is never saved again
    with pytest.raises(ValueError, match="append-only"):
        stored.save()
    fresh = Attempt.objects.get(pk=attempt.pk)
    assert (fresh.graded_count, fresh.best_score, fresh.solved, fresh.updated_at) == (
        4, 0.75, True, now)
    assert (fresh.analysis_count, fresh.analysis_best_at, fresh.analysis_best_score) == (
        1, 0, 0.25)
    assert fresh.analysis_history_key == attempt_marks.summary([[0.25, marks]])[
        "analysis_history_key"] != 0
    assert fresh.analysis_first_key == fresh.analysis_best_key == attempt_marks.key(marks)


def test_an_uncounted_submission_leaves_the_attempt_alone(learner, exercise):
    attempt, _ = services.start_practice(learner, exercise)
    before = Attempt.objects.get(pk=attempt.pk)
    stored = new_submission(attempt, timezone.now(), valid=False, counted=False, score=0.0)
    assert store(stored) and Submission.objects.get(pk=stored.pk).valid is False
    after = Attempt.objects.get(pk=attempt.pk)
    assert (after.graded_count, after.updated_at) == (before.graded_count, before.updated_at)


@pytest.mark.parametrize("moved", [{"graded_count": 1}, {"best_score": 0.9},
                                   {"solved": True}, {"analysis_history_key": 5}])
def test_nothing_is_stored_when_the_counters_moved_on(learner, exercise, moved):
    attempt, _ = services.start_practice(learner, exercise)
    read = read_own_attempt(attempt.pk, learner.pk)
    Attempt.objects.filter(pk=attempt.pk).update(**moved)  # another submission, a regrade
    now = timezone.now()
    counters = {"graded_count": 1, "best_score": 0.5, "solved": False, "updated_at": now,
                **attempt_marks.appended(read, 0.5, [])}
    assert not store(new_submission(read, now), counters)
    assert not Submission.objects.exists()
    fresh = Attempt.objects.filter(pk=attempt.pk).values(*moved).get()
    assert fresh == moved


def test_a_submission_to_a_quiz_item_is_one_read_and_one_write(learner, item, quiz):
    """Nothing the hot path needs was left deferred: no extra query loads it."""
    Quiz.objects.filter(pk=quiz.pk).update(due_at=timezone.now() + timedelta(days=2),
                                           time_limit_minutes=30, retry_penalty=0.1)
    attempt, _ = services.start_attempt(learner, item=item)
    services.submit_own(learner, attempt.pk, {"x": "15"})  # prepares the variant once
    with CaptureQueriesContext(connection) as done:
        second = services.submit_own(learner, attempt.pk, {"x": "36", "y": "15", "z": "7",
                                                           "L": "1"})
    assert second.score == pytest.approx(0.9)
    # A higher best score costs one more read: the LTI hook asks whether the quiz is linked
    # to an LMS (lti.grade_sync.best_score_changed).
    lti = [q for q in done.captured_queries if '"lti_quizlink"' in q["sql"]]
    assert len(lti) == 1
    statements = [q["sql"].split()[0] for q in done.captured_queries
                  if not q["sql"].startswith(("SAVEPOINT", "RELEASE")) and q not in lti]
    # PostgreSQL: the update and the insert are one statement (WITH ... INSERT).
    assert statements in (["SELECT", "WITH"], ["SELECT", "UPDATE", "INSERT"])
