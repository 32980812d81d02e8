"""The submission hot path's SQL (exercises/submission_sql.py) against the ORM: the same
instances, rows and values, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from exercises import services
from exercises.models import Attempt, Quiz, Submission
from exercises.submission_sql import insert_submission, lock_own_attempt, update_counters

pytestmark = pytest.mark.django_db


def same_fields(a, b, model) -> None:
    for field in model._meta.concrete_fields:
        assert getattr(a, field.attname) == getattr(b, field.attname), field.name


def test_lock_reads_what_the_orm_reads_for_a_quiz_attempt(learner, item, quiz):
    Quiz.objects.filter(pk=quiz.pk).update(due_at=timezone.now() + timedelta(days=2),
                                           time_limit_minutes=30, attempts_allowed=3)
    attempt, _ = services.start_attempt(learner, item=item)
    orm = Attempt.objects.select_related("exercise", "item__quiz", "variant").get(pk=attempt.pk)
    with transaction.atomic():
        read = lock_own_attempt(attempt.pk, learner.pk)
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
    with transaction.atomic():
        read = lock_own_attempt(attempt.pk, learner.pk)
    assert read.item is None and read.item_id is None
    assert read.exercise.pk == exercise.pk and read.exercise.program == exercise.program


def test_lock_finds_only_the_learners_own_attempt(learner, learner2, exercise):
    attempt, _ = services.start_practice(learner, exercise)
    with transaction.atomic():
        assert lock_own_attempt(attempt.pk, learner2.pk) is None
        assert lock_own_attempt(attempt.pk + 1000, learner.pk) is None


def test_insert_and_update_store_what_the_orm_reads_back(learner, exercise):
    attempt, _ = services.start_practice(learner, exercise)
    now = timezone.now()
    answers = {"x": "36", "y": "1/4", "<b>": "'; DROP TABLE --"}
    result = {"score": 0.5, "nodes": {"x": {"correct": True, "hint": "ünïcode ∂L/∂x"}}}
    with transaction.atomic():
        stored = insert_submission(Submission(
            attempt=attempt, kind="full", raw_answers=answers, parsed={"x": 36.0}, result=result,
            valid=True, counted=True, raw_score=0.5, score=0.25, created_at=now))
        attempt.graded_count, attempt.best_score, attempt.solved = 4, 0.75, True
        attempt.updated_at = now
        update_counters(attempt)
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
