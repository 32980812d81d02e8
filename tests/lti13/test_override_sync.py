"""A manual override reaches the LMS like any other score change: through the same hook
(lti.grade_sync.best_score_changed) and queue, with the override as the item's score."""

from __future__ import annotations

import pytest
from quizbank.helpers import MISSED_BRANCH

from exercises import accommodations, overrides
from exercises.models import Attempt

from .test_grades import answer, learner_in  # noqa: F401 (fixture)
from .test_launch import linked, quiz_claims  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_an_override_is_sent_to_the_line_item(learner_in, client, platform,  # noqa: F811
                                              django_capture_on_commit_callbacks):
    answer(client, learner_in, MISSED_BRANCH, django_capture_on_commit_callbacks)
    attempt = Attempt.objects.get()
    assert platform.scores[-1]["body"]["scoreGiven"] == pytest.approx(attempt.best_score * 4)
    actor = accommodations.Actor.of(learner_in.instructor)
    with django_capture_on_commit_callbacks(execute=True):
        overrides.override_score(attempt, score=1.0, reason="right, by hand", actor=actor)
    assert platform.scores[-1]["body"]["scoreGiven"] == 4
    with django_capture_on_commit_callbacks(execute=True):
        overrides.override_score(attempt, score=0.25, reason="too kind", actor=actor,
                                 confirm=True)
    assert platform.scores[-1]["body"]["scoreGiven"] == 1
    assert len(platform.scores) == 3


def test_a_quiz_override_is_sent_to_the_line_item(learner_in, client, platform,  # noqa: F811
                                                  django_capture_on_commit_callbacks):
    from exercises.models import Quiz

    answer(client, learner_in, MISSED_BRANCH, django_capture_on_commit_callbacks)
    attempt = Attempt.objects.get()
    sent = len(platform.scores)
    quiz = Quiz.objects.get(items=attempt.item_id)
    actor = accommodations.Actor.of(learner_in.instructor)
    with django_capture_on_commit_callbacks(execute=True):
        overrides.override_quiz_score(quiz, attempt.learner, score=0.5,
                                      reason="excused the rest", actor=actor, confirm=True)
    assert len(platform.scores) == sent + 1
    assert platform.scores[-1]["body"]["scoreGiven"] == 2  # 0.5 of the quiz's 4 points
    assert platform.scores[-1]["body"]["scoreMaximum"] == 4


def test_removing_an_override_sends_the_computed_score(learner_in, client, platform,  # noqa: F811
                                                       django_capture_on_commit_callbacks):
    from exercises.models import Quiz

    answer(client, learner_in, MISSED_BRANCH, django_capture_on_commit_callbacks)
    attempt = Attempt.objects.get()
    computed = pytest.approx(attempt.best_score * 4)
    quiz = Quiz.objects.get(items=attempt.item_id)
    actor = accommodations.Actor.of(learner_in.instructor)
    with django_capture_on_commit_callbacks(execute=True):
        overrides.override_score(attempt, score=1.0, reason="right, by hand", actor=actor)
    assert platform.scores[-1]["body"]["scoreGiven"] == 4
    with django_capture_on_commit_callbacks(execute=True):
        overrides.remove_override(attempt, reason="it was not", actor=actor)
    assert platform.scores[-1]["body"]["scoreGiven"] == computed  # queued and sent
    with django_capture_on_commit_callbacks(execute=True):
        overrides.override_quiz_score(quiz, attempt.learner, score=0.5, reason="excused",
                                      actor=actor, confirm=True)
    assert platform.scores[-1]["body"]["scoreGiven"] == 2
    sent = len(platform.scores)
    with django_capture_on_commit_callbacks(execute=True):
        overrides.remove_quiz_override(quiz, attempt.learner, actor=actor)
    assert len(platform.scores) == sent + 1
    assert platform.scores[-1]["body"]["scoreGiven"] == computed
