"""The analysis fields each attempt keeps (exercises.attempt_marks) against what they stand
for, worked out here from the submissions and their latest regrades: after submissions
with a retry penalty, a regrade that changes scores and marks, a reset, and submissions
after it. Item analysis read from them must equal item analysis worked out here, in
Python, from every graded submission (the definition in exercises.statistics' docstring)."""

from __future__ import annotations

import pytest
from django.db.models import F

from exercises import attempt_marks, resolve, services, statistics
from exercises.models import Attempt, Exercise, Quiz, Regrade, Submission

from .test_statistics import answers, make_analysed_quiz


def graded_now(attempt: Attempt) -> list:
    """[score, marks] of each counted full submission, in order, as graded now."""
    history = []
    for submission in Submission.objects.filter(
            attempt=attempt, kind="full", counted=True).order_by("created_at", "id"):
        regrade = Regrade.objects.filter(submission=submission, latest=True).first()
        history.append([regrade.new_score, regrade.marks] if regrade else
                       [submission.score, submission.marks])
    return history


def diagnoses_by_hand(quiz: Quiz) -> tuple[list, list]:
    shares, mistakes = {}, {}
    learners: dict[int, int] = {}
    for attempt in Attempt.objects.filter(item__quiz=quiz):
        history = graded_now(attempt)
        if not history:
            continue
        item = attempt.item_id
        learners[item] = learners.get(item, 0) + 1
        best = max(range(len(history)), key=lambda k: (history[k][0], -k))
        for node, correct, _code, _ambiguous in history[0][1]:
            shares.setdefault((item, node), [0, 0])[0] += correct
        for node, correct, _code, _ambiguous in history[best][1]:
            shares.setdefault((item, node), [0, 0])[1] += correct
        seen = set()
        for _score, marks in history:
            for node, _correct, code, ambiguous in marks:
                if code is None:
                    continue
                key = (item, node, code, bool(ambiguous))
                count = mistakes.setdefault(key, [0, 0])
                count[0] += 1
                if key not in seen:
                    count[1] += 1
                    seen.add(key)
    return (sorted((item, node, first, best, learners[item])
                   for (item, node), (first, best) in shares.items()),
            sorted((*key, submissions, learners_) for key, (submissions, learners_)
                   in mistakes.items()))


def check(quiz: Quiz) -> None:
    for attempt in Attempt.objects.filter(item__quiz=quiz):
        kept = {name: getattr(attempt, name) for name in attempt_marks.FIELDS}
        assert kept == attempt_marks.summary(graded_now(attempt)), attempt
    shares, mistakes = statistics._diagnoses(quiz)
    assert (sorted(shares), sorted(mistakes)) == diagnoses_by_hand(quiz)


@pytest.fixture
def quiz_with_history(course, instructor):
    return make_analysed_quiz(course, instructor, "Kept", retry_penalty=0.1,
                              learner_prefix="kept")


def test_kept_fields_follow_submissions_a_regrade_and_a_reset(quiz_with_history, instructor):
    quiz, items = quiz_with_history
    check(quiz)
    shares, mistakes = statistics._diagnoses(quiz)
    assert mistakes and any(first != best for _i, _n, first, best, _l in shares)
    # A regrade that changes marks and scores: 999 for ∂L/∂x is now within tolerance.
    exercise = items[0].exercise
    Exercise.objects.filter(pk=exercise.pk).update(tolerance_abs=1000.0)
    exercise.refresh_from_db()
    assert services.regrade_exercise(exercise, by=instructor)
    assert Regrade.objects.exclude(new_score=F("old_score")).exists()
    check(quiz)
    # A reset keeps the submissions (they are still graded); the next ones follow them.
    resolve.reset_attempts(exercise, by=instructor)
    for attempt in Attempt.objects.filter(item=items[0])[:4]:
        services.submit(attempt, answers(0, ("y",)))
    check(quiz)


def test_a_submission_after_the_best_does_not_move_it_unless_it_is_higher():
    history = [[0.5, [["x", 0, "sign", 0]]], [1.0, [["x", 1, None, 0]]]]
    kept = attempt_marks.summary(history)
    tie = attempt_marks.appended(_Held(kept), 1.0, [["x", 1, None, 1]])
    assert tie["analysis_best_at"] == 1 and tie["analysis_best_key"] == kept[
        "analysis_best_key"]
    assert tie["analysis_history_key"] != kept["analysis_history_key"]
    higher = attempt_marks.summary([[0.25, []], [0.75, []], [0.5, []]])
    assert higher["analysis_best_at"] == 1
    assert attempt_marks.summary([])["analysis_history_key"] == 0


class _Held:
    def __init__(self, fields):
        self.__dict__.update(fields)


def test_a_submission_stored_while_a_regrade_graded_is_kept(quiz_with_history):
    """The regrade read the attempt's submissions before the learner's last one arrived:
    what it worked out lacks that one, so the attempt is made again from the database."""
    quiz, items = quiz_with_history
    attempt = Attempt.objects.filter(item=items[1], graded_count=2).first()
    history = graded_now(attempt)
    ids = list(Submission.objects.filter(attempt=attempt, kind="full", counted=True).order_by(
        "created_at", "id").values_list("pk", flat=True))
    assert len(history) == len(ids) == 2
    attempt_marks.regraded({attempt.pk: history[:-1]}, {attempt.pk: ids[:-1]})
    check(quiz)
