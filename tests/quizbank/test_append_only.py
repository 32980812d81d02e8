"""Submissions are append-only: stored as typed, never rewritten or deleted; unreadable ones
are kept too but cost no attempt."""

from __future__ import annotations

import pytest

from exercises import services
from exercises.models import Submission

from .helpers import BRANCH_ANSWERS, submit


def test_a_stored_submission_cannot_be_saved_again(item, learner):
    submission = submit(learner, item, BRANCH_ANSWERS)
    submission.score = 0
    with pytest.raises(ValueError, match="append-only"):
        submission.save()
    assert Submission.objects.get(pk=submission.pk).score == 1.0


def test_a_submission_cannot_be_deleted(item, learner):
    submission = submit(learner, item, BRANCH_ANSWERS)
    with pytest.raises(ValueError, match="append-only"):
        submission.delete()
    assert Submission.objects.filter(pk=submission.pk).exists()


def test_invalid_answers_are_stored_but_not_counted(quiz, item, learner):
    quiz.attempts_allowed = 1
    quiz.save()
    with pytest.raises(services.InvalidAnswers) as caught:
        submit(learner, item, {**BRANCH_ANSWERS, "x": "thirty-six"})
    assert "x" in caught.value.errors
    stored = caught.value.submission
    assert Submission.objects.filter(pk=stored.pk, valid=False, counted=False).exists()
    assert stored.raw_answers["x"] == "thirty-six"
    attempt = learner.attempts.get()
    assert attempt.graded_count == 0 and attempt.best_score == 0
    submit(learner, item, BRANCH_ANSWERS)  # the one allowed attempt is still there
    assert learner.attempts.get().graded_count == 1


def test_step_checks_are_stored_and_not_counted(item, learner):
    attempt, _ = services.start_attempt(learner, item=item)
    check = services.submit(attempt, {"L": "1"}, kind=Submission.Kind.STEP)
    assert check.counted is False and check.kind == "step"
    attempt.refresh_from_db()
    assert attempt.graded_count == 0
