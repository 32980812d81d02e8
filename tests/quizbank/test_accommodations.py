"""Accommodations: a time multiplier on the per-item and the quiz-wide clock, a learner's
own due date and extra attempts, through services and the learner's pages, with the audit
trail. They apply through the one rule services.submit enforces (selectors.closed_reason,
submissions_left), read with the attempt on the submission hot path."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from exercises import accommodations, selectors, services
from exercises.course_records import Accommodation, AccommodationLog
from exercises.models import Attempt, Quiz, QuizItem

from .helpers import BRANCH_ANSWERS, MISSED_BRANCH, submit


def set_policy(quiz, **policy):
    Quiz.objects.filter(pk=quiz.pk).update(**policy)
    quiz.refresh_from_db()


def started_ago(attempt, minutes, *, clock=None):
    """Move an attempt's start (and its quiz-wide clock) into the past."""
    start = timezone.now() - timedelta(minutes=minutes)
    clock_start = start if clock is None else timezone.now() - timedelta(minutes=clock)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=start, clock_started_at=clock_start)
    attempt.refresh_from_db()
    return attempt


def accommodate(learner, quiz, actor, whole_course=False, reason="letter from services",
                **values):
    acc, _ = accommodations.set_accommodation(
        learner=learner, course=quiz.course, quiz=None if whole_course else quiz,
        values=values, reason=reason, actor=accommodations.Actor.of(actor))
    return acc


@pytest.fixture
def second_item(quiz, course, instructor):
    exercise = services.create_exercise(title="Square", program="x = 3\nf = x ** 2\n",
                                        course=course, author=instructor)
    return QuizItem.objects.create(quiz=quiz, exercise=exercise, position=2)


def fresh(attempt):
    return Attempt.objects.select_related("item__quiz").get(pk=attempt.pk)


def test_time_multiplier_on_the_per_item_clock(quiz, item, learner, learner2, instructor):
    set_policy(quiz, time_limit_minutes=10)
    accommodate(learner, quiz, instructor, time_multiplier=1.5)
    mine = started_ago(services.start_attempt(learner, item=item)[0], 12)
    theirs = started_ago(services.start_attempt(learner2, item=item)[0], 12)
    assert fresh(mine).time_multiplier == 1.5
    assert selectors.attempt_deadline(fresh(mine)) == mine.started_at + timedelta(minutes=15)
    assert services.submit(fresh(mine), MISSED_BRANCH).score == 0.75  # 12 < 15 minutes
    with pytest.raises(services.Conflict, match="time limit"):
        services.submit(fresh(theirs), MISSED_BRANCH)  # 12 > 10 minutes
    started_ago(mine, 16)
    with pytest.raises(services.Conflict, match="time limit"):
        services.submit(fresh(mine), BRANCH_ANSWERS)


def test_time_multiplier_on_the_quiz_wide_clock(quiz, item, second_item, learner, learner2,
                                                instructor):
    """One clock for the quiz, started at the first item: a second item opened later has
    only what is left of it."""
    set_policy(quiz, quiz_time_limit_minutes=30)
    accommodate(learner, quiz, instructor, whole_course=True, time_multiplier=1.5)
    for who in (learner, learner2):
        first, _ = services.start_attempt(who, item=item)
        started_ago(first, 40)
        second, _ = services.start_attempt(who, item=second_item)
        assert second.clock_started_at == fresh(first).started_at  # the quiz's clock
    mine = Attempt.objects.get(learner=learner, item=second_item)
    theirs = Attempt.objects.get(learner=learner2, item=second_item)
    assert selectors.closed_reason(fresh(theirs)) == (
        "The time limit for this exercise has passed.")  # 40 > 30 minutes from the first
    assert selectors.closed_reason(fresh(mine)) == ""  # 40 < 45
    assert services.submit(fresh(mine), {"x": "6", "f": "1"}).score == 1.0
    with pytest.raises(services.Conflict, match="time limit"):
        services.submit(fresh(theirs), {"x": "6", "f": "1"})


def test_quiz_and_per_item_clocks_together_the_earlier_ends_it(quiz, item, learner,
                                                               instructor):
    set_policy(quiz, time_limit_minutes=60, quiz_time_limit_minutes=20)
    accommodate(learner, quiz, instructor, time_multiplier=2)
    attempt = started_ago(services.start_attempt(learner, item=item)[0], 5, clock=30)
    assert selectors.attempt_deadline(fresh(attempt)) == (
        attempt.clock_started_at + timedelta(minutes=40))


def test_extended_due_date(quiz, item, learner, learner2, instructor):
    set_policy(quiz, due_at=timezone.now() - timedelta(hours=1))
    accommodate(learner, quiz, instructor, due_at=timezone.now() + timedelta(days=2))
    assert services.submit(services.start_attempt(learner, item=item)[0],
                           MISSED_BRANCH).score == 0.75
    with pytest.raises(services.Conflict, match="due date has passed"):
        submit(learner2, item, MISSED_BRANCH)


def test_an_extended_due_date_keeps_the_solution_hidden_until_then(quiz, item, learner,
                                                                    instructor):
    set_policy(quiz, due_at=timezone.now() - timedelta(hours=1), show_solution="after_due")
    accommodate(learner, quiz, instructor, due_at=timezone.now() + timedelta(days=2))
    attempt = fresh(services.start_attempt(learner, item=item)[0])
    assert not selectors.reveals_solution(attempt)
    assert selectors.reveals_solution(attempt, now=timezone.now() + timedelta(days=3))


def test_extra_attempts(quiz, item, learner, learner2, instructor):
    set_policy(quiz, attempts_allowed=1)
    attempt, _ = services.start_attempt(learner, item=item)
    accommodate(learner, quiz, instructor, extra_attempts=2)  # after the attempt started
    attempt = fresh(attempt)
    assert selectors.submissions_left(attempt) == 3
    for _ in range(3):
        services.submit(attempt, MISSED_BRANCH)
    with pytest.raises(services.Conflict, match="no attempts left: 3 allowed"):
        services.submit(attempt, BRANCH_ANSWERS)
    submit(learner2, item, MISSED_BRANCH)
    with pytest.raises(services.Conflict, match="no attempts left: 1 allowed"):
        submit(learner2, item, MISSED_BRANCH)


def test_the_quizs_own_accommodation_wins_field_by_field(quiz, item, learner, instructor):
    set_policy(quiz, attempts_allowed=1)
    accommodate(learner, quiz, instructor, whole_course=True, extra_attempts=5,
                time_multiplier=2)
    accommodate(learner, quiz, instructor, extra_attempts=1)
    attempt = fresh(services.start_attempt(learner, item=item)[0])
    assert (attempt.extra_attempts, attempt.time_multiplier) == (1, 2)


def test_removing_it_takes_it_off_the_attempts_and_logs_who_and_why(quiz, item, learner,
                                                                    instructor):
    set_policy(quiz, attempts_allowed=1)
    acc = accommodate(learner, quiz, instructor, extra_attempts=2, reason="flu")
    acc_id = acc.pk
    accommodate(learner, quiz, instructor, extra_attempts=3, reason="flu, longer")
    attempt, _ = services.start_attempt(learner, item=item)
    assert fresh(attempt).extra_attempts == 3
    accommodations.remove_accommodation(acc, actor=accommodations.Actor.of(instructor),
                                        reason="recovered")
    assert fresh(attempt).extra_attempts == 0
    assert not Accommodation.objects.exists()
    log = list(AccommodationLog.objects.order_by("at", "id").values_list(
        "action", "reason", "by_label", "values__extra_attempts", "accommodation_ref"))
    assert log == [("set", "flu", "ada", 2, acc_id), ("changed", "flu, longer", "ada", 3, acc_id),
                   ("removed", "recovered", "ada", 3, acc_id)]


def test_only_enrolled_learners(quiz, instructor, other_instructor):
    with pytest.raises(services.ServiceError, match="not enrolled"):
        accommodate(other_instructor, quiz, instructor, extra_attempts=1)


def test_the_hot_path_reads_the_accommodation_with_the_attempt(quiz, item, learner,
                                                               instructor):
    """services.submit_own reads the attempt with its quiz in one query; the accommodation
    rides along on the attempt, so a submission asks nothing more for it."""
    set_policy(quiz, attempts_allowed=1, time_limit_minutes=10)
    accommodate(learner, quiz, instructor, extra_attempts=1, time_multiplier=2)
    attempt = started_ago(services.start_attempt(learner, item=item)[0], 15)
    services.submit_own(learner, attempt.pk, MISSED_BRANCH)  # warm the variant cache
    with CaptureQueriesContext(connection) as queries:
        services.submit_own(learner, attempt.pk, MISSED_BRANCH)  # 15 < 20 min; 2nd of 2
    statements = [q["sql"] for q in queries.captured_queries]
    assert not any("accommodation" in sql for sql in statements)
    assert len(statements) <= 5  # read, store (on SQLite: update and insert in a savepoint)
    with pytest.raises(services.Conflict, match="no attempts left: 2 allowed"):
        services.submit_own(learner, attempt.pk, MISSED_BRANCH)


# -- the learner's pages --------------------------------------------------------------------
def page_submit(client, attempt, answers):
    """As the item page's script sends answers: JSON to the API, with the session."""
    return client.post(reverse("api:attempt-submissions", args=[attempt.pk]),
                       {"grads": answers}, content_type="application/json")


def test_pages_extended_due_date_and_extra_attempts(client, quiz, item, learner, learner2,
                                                    instructor):
    set_policy(quiz, attempts_allowed=1, due_at=timezone.now() - timedelta(minutes=5))
    accommodate(learner, quiz, instructor, extra_attempts=1,
                due_at=timezone.now() + timedelta(days=1))
    page = reverse("exercises:item", args=[quiz.pk, item.pk])
    client.force_login(learner)
    assert client.get(page).status_code == 200  # starts the attempt
    attempt = Attempt.objects.get(learner=learner, item=item)
    state = client.get(page).context
    assert (state["attempts_left"], state["closed"]) == (2, "")
    page_submit(client, attempt, MISSED_BRANCH)
    page_submit(client, attempt, MISSED_BRANCH)
    assert fresh(attempt).graded_count == 2
    state = client.get(page).context
    assert state["attempts_left"] == 0 and state["closed"]
    client.force_login(learner2)
    state = client.get(page).context
    assert state["closed"] == "This quiz is closed: its due date has passed."
    theirs = Attempt.objects.get(learner=learner2, item=item)
    page_submit(client, theirs, MISSED_BRANCH)
    assert fresh(theirs).graded_count == 0


def test_admin_sets_it_with_a_reason(instructor_client, quiz, item, learner):
    set_policy(quiz, attempts_allowed=1)
    attempt, _ = services.start_attempt(learner, item=item)
    url = reverse("admin:exercises_accommodation_add")
    form = {"course": quiz.course_id, "quiz": quiz.pk, "learner": learner.pk,
            "extra_attempts": 2, "time_multiplier": "", "due_at_0": "", "due_at_1": "",
            "reason": ""}
    refused = instructor_client.post(url, form)
    assert refused.status_code == 200 and "Say why" in refused.content.decode()
    response = instructor_client.post(url, {**form, "reason": "exam arrangements"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert fresh(attempt).extra_attempts == 2
    entry = AccommodationLog.objects.get()
    assert (entry.action, entry.by_label, entry.reason) == ("set", "ada", "exam arrangements")
