"""Quiz policies: attempts, retry penalty, hints, when correctness is shown, best score."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from exercises import selectors, services
from exercises.models import Quiz, Reveal

from .helpers import BRANCH_ANSWERS, MISSED_BRANCH, submit


def set_policy(quiz, **policy):
    Quiz.objects.filter(pk=quiz.pk).update(**policy)
    quiz.refresh_from_db()


def test_attempts_allowed(quiz, item, learner):
    set_policy(quiz, attempts_allowed=2)
    submit(learner, item, MISSED_BRANCH)
    submit(learner, item, MISSED_BRANCH)
    with pytest.raises(services.Conflict, match="no attempts left"):
        submit(learner, item, BRANCH_ANSWERS)
    attempt = learner.attempts.get()
    assert attempt.graded_count == 2 and attempt.submissions.count() == 2


def test_retry_penalty(quiz, item, learner):
    set_policy(quiz, retry_penalty=0.1)
    first = submit(learner, item, MISSED_BRANCH)
    second = submit(learner, item, BRANCH_ANSWERS)
    assert (first.raw_score, first.score) == (0.75, 0.75)
    assert (second.raw_score, second.score) == (1.0, pytest.approx(0.9))
    assert learner.attempts.get().best_score == pytest.approx(0.9)


def test_hint_level_zero_gives_no_hints(quiz, item, learner, learner2):
    with_hints = submit(learner, item, MISSED_BRANCH)
    assert with_hints.result["nodes"]["x"]["hint"]
    set_policy(quiz, hint_level=0)
    item.refresh_from_db()
    without = submit(learner2, item, MISSED_BRANCH)
    assert without.result["nodes"]["x"]["misconception"] == "missing_branch"
    assert all(not node["hint"] and not node["hint_latex"]
               for node in without.result["nodes"].values())


def test_show_correctness_after_due_masks_scores_until_due(quiz, item, learner):
    due = timezone.now() + timedelta(days=1)
    set_policy(quiz, due_at=due, show_correctness=Reveal.AFTER_DUE)
    submission = submit(learner, item, MISSED_BRANCH)
    before = selectors.learner_result(submission)
    assert before["score"] is None
    assert all("correct" not in node and "misconception" not in node and "hint" not in node
               for node in before["nodes"].values())
    after = selectors.learner_result(submission, now=due + timedelta(minutes=1))
    assert after["score"] == 0.75 and after["nodes"]["x"]["correct"] is False


def test_submitting_after_the_due_date_is_refused(quiz, item, learner):
    set_policy(quiz, due_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(services.Conflict, match="closed"):
        submit(learner, item, BRANCH_ANSWERS)


def test_best_score_never_goes_down(quiz, item, learner):
    submit(learner, item, BRANCH_ANSWERS)
    submit(learner, item, MISSED_BRANCH)
    submit(learner, item, {"x": "0", "y": "0", "z": "0", "L": "0"})
    attempt = learner.attempts.get()
    assert attempt.best_score == 1.0 and attempt.solved
    assert [s.score for s in attempt.submissions.order_by("id")] == [1.0, 0.75, 0.0]


def test_a_submission_that_loses_a_race_is_counted_after_the_winner(quiz, item, learner,
                                                                     monkeypatch):
    """Two submissions read the same counters; the one stored second is counted as the
    second: its retry penalty, and the quiz's limit, see the first."""
    set_policy(quiz, retry_penalty=0.1, attempts_allowed=2)
    attempt, _ = services.start_attempt(learner, item=item)
    real_store = services.store
    raced = []

    def store_after_a_rival(submission, counters=None):
        if not raced:
            raced.append(True)
            rival, _ = services.start_attempt(learner, item=item)  # the same row, read anew
            services.submit(rival, MISSED_BRANCH)  # lands first
        return real_store(submission, counters)

    monkeypatch.setattr(services, "store", store_after_a_rival)
    second = services.submit(attempt, BRANCH_ANSWERS)
    assert (second.raw_score, second.score) == (1.0, pytest.approx(0.9))
    stored = list(attempt.submissions.order_by("id").values_list("score", flat=True))
    assert stored == [0.75, pytest.approx(0.9)]
    fresh = learner.attempts.get()
    assert fresh.graded_count == 2 and fresh.best_score == pytest.approx(0.9)
    assert attempt.graded_count == 2  # the caller's copy shows where the attempt stands
    with pytest.raises(services.Conflict, match="no attempts left"):
        services.submit(attempt, BRANCH_ANSWERS)
