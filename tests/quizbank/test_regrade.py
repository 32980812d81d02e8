"""Regrading after a tolerance change: recorded with old and new scores, submissions kept,
best scores never lowered."""

from __future__ import annotations

from exercises import services
from exercises.models import Exercise, Regrade

from .helpers import BRANCH_ANSWERS, submit


def retolerance(exercise, rel):
    Exercise.objects.filter(pk=exercise.pk).update(tolerance_rel=rel)
    exercise.refresh_from_db()


def test_widening_the_tolerance_raises_scores(exercise, item, learner, instructor):
    submission = submit(learner, item, {**BRANCH_ANSWERS, "x": "36.5"})
    assert submission.score == 0.75
    retolerance(exercise, 0.05)
    regrades = services.regrade_exercise(exercise, by=instructor, reason="5%")
    assert [(r.old_score, r.new_score) for r in regrades] == [(0.75, 1.0)]
    assert regrades[0].created_by == instructor and regrades[0].reason == "5%"
    submission.refresh_from_db()
    assert submission.score == 0.75  # the original grading stays as it was
    attempt = learner.attempts.get()
    assert attempt.best_score == 1.0 and attempt.solved


def test_tightening_the_tolerance_never_lowers_the_best_score(exercise, item, learner):
    submit(learner, item, {**BRANCH_ANSWERS, "x": "36.2"})  # 0.6% off: right at 1%
    assert learner.attempts.get().best_score == 1.0
    retolerance(exercise, 0.001)
    regrade = services.regrade_exercise(exercise)[0]
    assert (regrade.old_score, regrade.new_score) == (1.0, 0.75)
    assert learner.attempts.get().best_score == 1.0


def test_a_second_regrade_starts_from_the_first(exercise, item, learner):
    submit(learner, item, {**BRANCH_ANSWERS, "x": "36.5"})
    retolerance(exercise, 0.05)
    services.regrade_exercise(exercise)
    retolerance(exercise, 0.01)
    second = services.regrade_exercise(exercise)[0]
    assert (second.old_score, second.new_score) == (1.0, 0.75)
    assert Regrade.objects.count() == 2


def test_invalid_and_step_submissions_are_not_regraded(exercise, item, learner):
    attempt, _ = services.start_attempt(learner, item=item)
    services.submit(attempt, {"L": "1"}, kind="step")
    try:
        services.submit(attempt, {"x": "??"})
    except services.InvalidAnswers:
        pass
    assert services.regrade_exercise(exercise) == []
