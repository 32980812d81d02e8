"""Regrading after a tolerance change: recorded with old and new scores, submissions kept,
best scores never lowered."""

from __future__ import annotations

from exercises import selectors, services, tasks
from exercises.models import Attempt, Exercise, Quiz, QuizItem, Regrade

from .helpers import BRANCH_ANSWERS, make_user, submit


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


# -- who may regrade what: a shared exercise used by quizzes of two courses --------------
def regraded_attempts(regrades) -> set[int]:
    return {r.submission.attempt_id for r in regrades}


def best_scores(*attempts) -> list[float]:
    return [Attempt.objects.get(pk=a.pk).best_score for a in attempts]


def test_an_instructor_regrades_a_shared_exercise_only_in_their_courses(
        shared_two_courses, instructor, other_instructor):
    s = shared_two_courses
    retolerance(s.exercise, 0.05)
    regrades = services.regrade_exercise(s.exercise, by=instructor, reason="5%")
    # course A's quiz attempt, and the practice of a learner enrolled in course A
    assert regraded_attempts(regrades) == {s.a_quiz.pk, s.a_practice.pk}
    assert [(r.old_score, r.new_score) for r in regrades] == [(0.75, 1.0)] * 2
    assert best_scores(s.a_quiz, s.a_practice) == [1.0, 1.0]
    # course B's scores are untouched, with no Regrade rows
    assert best_scores(s.b_quiz, s.b_practice) == [0.75, 0.75]
    assert not Regrade.objects.filter(
        submission__attempt__in=[s.b_quiz, s.b_practice]).exists()

    # course B's instructor regrades course B's, and nothing of course A's again
    theirs = services.regrade_exercise(s.exercise, by=other_instructor)
    assert regraded_attempts(theirs) == {s.b_quiz.pk, s.b_practice.pk}
    assert best_scores(s.b_quiz, s.b_practice) == [1.0, 1.0]
    assert Regrade.objects.count() == 4


def test_the_superuser_regrades_a_shared_exercise_in_every_course(
        shared_two_courses, superuser):
    s = shared_two_courses
    retolerance(s.exercise, 0.05)
    regrades = services.regrade_exercise(s.exercise, by=superuser)
    every = {s.a_quiz.pk, s.a_practice.pk, s.b_quiz.pk, s.b_practice.pk}
    assert regraded_attempts(regrades) == every
    assert best_scores(s.a_quiz, s.a_practice, s.b_quiz, s.b_practice) == [1.0] * 4
    assert all(r.created_by == superuser for r in regrades)


def test_a_user_who_teaches_nothing_regrades_nothing(shared_two_courses, instructor):
    s = shared_two_courses
    retolerance(s.exercise, 0.05)
    nobody = make_user("staff-without-courses", staff=True)
    assert services.regrade_exercise(s.exercise, by=nobody) == []
    instructor.is_active = False  # a deactivated instructor keeps no rights
    instructor.save()
    assert services.regrade_exercise(s.exercise, by=instructor) == []
    assert not Regrade.objects.exists()
    assert best_scores(s.a_quiz, s.a_practice, s.b_quiz, s.b_practice) == [0.75] * 4


def test_own_practice_is_regradable_and_nobody_elses(shared_two_courses, other_instructor):
    """An instructor's "preview as learner" attempt: theirs to regrade, not another's."""
    s = shared_two_courses
    preview, _ = services.start_attempt(other_instructor, exercise=s.exercise)
    services.submit(preview, {**BRANCH_ANSWERS, "x": "36.5"})
    assert set(selectors.regradable_attempts(s.exercise, other_instructor)) == {
        s.b_quiz, s.b_practice, preview}
    outsider = make_user("outsider", staff=True)
    assert not selectors.regradable_attempts(s.exercise, outsider).exists()


def test_a_quiz_attempt_belongs_to_the_quizs_course_not_the_exercises(
        exercise, item, learner, instructor, other_course, other_instructor, superuser):
    """Course A's exercise in a quiz of course B (a superuser may set that up): course
    B's quiz attempts are B's to regrade; A's practice on it stays A's."""
    submit(learner, item, {**BRANCH_ANSWERS, "x": "36.5"})
    bea = make_user("bea")
    other_course.learners.add(bea)
    quiz_b = Quiz.objects.create(course=other_course, title="B borrows A's exercise")
    item_b = QuizItem.objects.create(quiz=quiz_b, exercise=exercise, position=1)
    b_attempt = submit(bea, item_b, {**BRANCH_ANSWERS, "x": "36.5"}).attempt
    practice, _ = services.start_attempt(bea, exercise=exercise)
    a_attempt = learner.attempts.get()
    assert set(selectors.regradable_attempts(exercise, instructor)) == {a_attempt, practice}
    assert set(selectors.regradable_attempts(exercise, other_instructor)) == {b_attempt}
    assert set(selectors.regradable_attempts(exercise, superuser)) == {
        a_attempt, b_attempt, practice}


def test_the_regrade_scope_per_course(shared_two_courses, instructor, superuser):
    s = shared_two_courses
    mine = selectors.regrade_scope(s.exercise, instructor)
    assert mine["courses"] == [
        {"course": "Course A", "attempts": 1, "submissions": 1},
        {"course": None, "attempts": 1, "submissions": 1}]  # practice, outside any quiz
    assert (mine["attempts"], mine["submissions"], mine["others"]) == (2, 2, True)
    every = selectors.regrade_scope(s.exercise, superuser)
    assert [row["course"] for row in every["courses"]] == ["Course A", "Course B", None]
    assert (every["attempts"], every["submissions"], every["others"]) == (4, 4, False)


def test_the_task_passes_the_user_through(shared_two_courses, instructor):
    s = shared_two_courses
    retolerance(s.exercise, 0.05)
    result = tasks.regrade_exercise(s.exercise.pk, instructor.pk, "5%")
    mine = Regrade.objects.filter(submission__attempt__in=[s.a_quiz, s.a_practice])
    assert result == {"regraded": 2, "changed": 2,
                      "regrade_ids": sorted(mine.values_list("pk", flat=True))}
    assert Regrade.objects.count() == 2
    # a user deleted after queueing regrades nothing (not everything, as no user would)
    gone = make_user("gone", superuser=True)
    gone_id = gone.pk
    gone.delete()
    assert tasks.regrade_exercise(s.exercise.pk, gone_id, "") == {
        "regraded": 0, "changed": 0, "regrade_ids": []}
    assert Regrade.objects.count() == 2
