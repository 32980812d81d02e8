"""Assignment and Grade Services against the emulator: login → launch → submission → the
platform receives the score; unchanged scores are not sent again; retries, refusals, the
after-due policy, the disclosure rule, the gradebook's status and resend; regrades."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lti_tool.models import LtiUser
from quizbank.helpers import BRANCH_ANSWERS, MISSED_BRANCH

from exercises import services
from exercises.models import Attempt, Reveal
from lti import grade_sync, tasks
from lti.models import GradePolicy, QuizLink, ScoreSend

from .conftest import launch
from .platform import LEARNER, SCORE_SCOPE
from .test_launch import linked, quiz_claims  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def answer(client, bank, answers, capture):
    page = client.get(f"/quizzes/{bank.quiz.pk}/items/{bank.item.pk}/")
    attempt = page.context["attempt"]
    with capture(execute=True):  # as the page's script sends them: to the API, by session
        response = client.post(f"/api/v1/attempts/{attempt.pk}/submissions/",
                               {"grads": answers}, content_type="application/json")
    assert response.status_code == 201
    return attempt


@pytest.fixture
def learner_in(linked, client, platform):  # noqa: F811
    response = launch(client, platform, sub="learner-1", roles=LEARNER,
                      **quiz_claims(linked, platform))
    client.get(response["Location"])
    return linked


def test_submission_sends_the_score_to_the_line_item(learner_in, client, platform,
                                                     django_capture_on_commit_callbacks):
    answer(client, learner_in, MISSED_BRANCH, django_capture_on_commit_callbacks)
    assert len(platform.scores) == 1
    sent = platform.scores[0]
    assert sent["path"] == "/lineitems/quiz/scores"
    assert sent["content_type"] == "application/vnd.ims.lis.v1.score+json"
    body = sent["body"]
    attempt = Attempt.objects.get()
    assert body["userId"] == "learner-1"
    assert body["scoreMaximum"] == 4
    assert body["scoreGiven"] == pytest.approx(attempt.best_score * 4)
    assert 0 < body["scoreGiven"] < 4
    assert body["activityProgress"] == "Completed"
    assert body["gradingProgress"] == "FullyGraded"
    assert body["timestamp"]
    assert platform.tokens[-1]["scope"] == SCORE_SCOPE
    assert platform.tokens[-1]["claims"]["iss"] == platform.client_id
    record = ScoreSend.objects.get()
    assert record.status == "sent" and record.response_status == 200
    assert record.payload == body and "resultUrl" in record.response_body

    answer(client, learner_in, BRANCH_ANSWERS, django_capture_on_commit_callbacks)
    assert [s["body"]["scoreGiven"] for s in platform.scores][-1] == 4


def test_an_unchanged_best_score_is_not_sent_again(learner_in, client, platform,
                                                   django_capture_on_commit_callbacks):
    answer(client, learner_in, BRANCH_ANSWERS, django_capture_on_commit_callbacks)
    answer(client, learner_in, MISSED_BRANCH, django_capture_on_commit_callbacks)  # lower
    assert len(platform.scores) == 1
    link = QuizLink.objects.get()
    assert grade_sync.record(link, Attempt.objects.get().learner_id) is None


def test_the_hook_costs_nothing_without_a_change_and_one_query_otherwise(learner_in):
    attempt = Attempt.objects.select_related("item").first() or services.start_attempt(
        LtiUser.objects.get(sub="learner-1").auth_user, item=learner_in.item)[0]
    with CaptureQueriesContext(connection) as queries:
        grade_sync.best_score_changed(attempt)
    assert len(queries) == 1
    fresh = Attempt.objects.get(pk=attempt.pk)  # the item not loaded: one query still
    with CaptureQueriesContext(connection) as queries:
        grade_sync.best_score_changed(fresh)
    assert len(queries) == 1
    attempt.item_id = None
    with CaptureQueriesContext(connection) as queries:
        grade_sync.best_score_changed(attempt)
    assert len(queries) == 0


def test_a_busy_platform_is_tried_again(learner_in, client, platform,
                                        django_capture_on_commit_callbacks):
    platform.score_answers[:] = [503]
    answer(client, learner_in, BRANCH_ANSWERS, django_capture_on_commit_callbacks)
    record = ScoreSend.objects.get()
    assert record.status == "sent" and record.tries == 2
    assert len(platform.scores) == 1


def test_a_refusal_is_recorded_and_resent_from_the_gradebook(learner_in, client, platform,
                                                             django_capture_on_commit_callbacks):
    platform.score_answers[:] = [400]
    answer(client, learner_in, BRANCH_ANSWERS, django_capture_on_commit_callbacks)
    record = ScoreSend.objects.get()
    assert record.status == "failed" and record.response_status == 400 and record.tries == 1
    assert "answering 400" in record.response_body
    client.logout()
    client.force_login(learner_in.instructor)
    page = client.get(f"/admin/exercises/quiz/{learner_in.quiz.pk}/gradebook/")
    assert b"Grades sent to the LMS" in page.content and b"failed" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/lti/scoresend/{record.pk}/resend/")
    assert response.status_code == 302
    assert ScoreSend.objects.first().status == "sent"
    assert len(platform.scores) == 1


def test_the_gradebook_lists_the_lms_scores_of_its_page_only(
        learner_in, client, platform, django_capture_on_commit_callbacks):
    answer(client, learner_in, BRANCH_ANSWERS, django_capture_on_commit_callbacks)
    record = ScoreSend.objects.get()
    assert [row["score"] for row in grade_sync.sync_status(learner_in.quiz)] == [record]
    assert [row["score"] for row in grade_sync.sync_status(
        learner_in.quiz, [record.learner_id])] == [record]
    assert grade_sync.sync_status(learner_in.quiz, []) == []  # a page without them


def test_another_courses_instructor_cannot_resend(learner_in, client, platform,
                                                  django_capture_on_commit_callbacks):
    from quizbank.helpers import make_user
    answer(client, learner_in, BRANCH_ANSWERS, django_capture_on_commit_callbacks)
    client.force_login(make_user("mallory", staff=True))
    response = client.post(f"/admin/lti/scoresend/{ScoreSend.objects.get().pk}/resend/")
    assert response.status_code == 404


def test_after_the_due_date_policy_holds_scores_until_then(learner_in, client, platform,
                                                          django_capture_on_commit_callbacks):
    quiz = learner_in.quiz
    quiz.due_at = timezone.now() + timedelta(days=1)
    quiz.save()
    GradePolicy.objects.create(quiz=quiz, send=GradePolicy.Send.AFTER_DUE)
    answer(client, learner_in, MISSED_BRANCH, django_capture_on_commit_callbacks)
    answer(client, learner_in, BRANCH_ANSWERS, django_capture_on_commit_callbacks)
    assert platform.scores == []
    assert tasks.send_held_scores() == 0
    quiz.due_at = timezone.now() - timedelta(minutes=1)
    quiz.save()
    assert tasks.send_held_scores() == 1
    assert [s["body"]["scoreGiven"] for s in platform.scores] == [4]  # the latest only


def test_scores_are_held_while_the_quiz_hides_them_from_learners(
        learner_in, client, platform, django_capture_on_commit_callbacks):
    quiz = learner_in.quiz
    quiz.show_correctness = Reveal.AFTER_DUE
    quiz.due_at = timezone.now() + timedelta(days=1)
    quiz.save()
    answer(client, learner_in, BRANCH_ANSWERS, django_capture_on_commit_callbacks)
    assert platform.scores == []
    assert "does not show learners" in ScoreSend.objects.get().reason


def test_a_regrade_that_raises_the_best_score_is_sent(learner_in, client, platform,
                                                      django_capture_on_commit_callbacks):
    answer(client, learner_in, {"x": "36.5", "y": "15", "z": "7", "L": "1"},
           django_capture_on_commit_callbacks)
    before = platform.scores[-1]["body"]["scoreGiven"]
    exercise = learner_in.exercise
    exercise.tolerance_rel = 0.05
    exercise.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.regrade_exercise(exercise)
    assert platform.scores[-1]["body"]["scoreGiven"] == 4 > before


def test_a_broker_that_is_down_never_fails_the_submission(learner_in, client, platform,
                                                          monkeypatch,
                                                          django_capture_on_commit_callbacks):
    def down(*args):
        raise ConnectionRefusedError("broker down")
    monkeypatch.setattr(tasks.record_scores, "delay", down)
    attempt = answer(client, learner_in, BRANCH_ANSWERS, django_capture_on_commit_callbacks)
    attempt.refresh_from_db()
    assert attempt.best_score == 1 and platform.scores == []


def test_a_link_without_the_score_scope_records_why(learner_in, client, platform,
                                                    django_capture_on_commit_callbacks):
    QuizLink.objects.update(can_publish_scores=False)
    answer(client, learner_in, BRANCH_ANSWERS, django_capture_on_commit_callbacks)
    record = ScoreSend.objects.get()
    assert record.status == "failed" and "score scope" in record.response_body
    assert platform.scores == []


def test_one_access_token_serves_many_scores_and_a_revoked_one_is_renewed(
        learner_in, client, platform, django_capture_on_commit_callbacks):
    answer(client, learner_in, MISSED_BRANCH, django_capture_on_commit_callbacks)
    client.logout()
    launch(client, platform, sub="learner-2", roles=LEARNER,
           **quiz_claims(learner_in, platform))
    answer(client, learner_in, BRANCH_ANSWERS, django_capture_on_commit_callbacks)
    assert len(platform.scores) == 2 and len(platform.tokens) == 1
    platform.tokens.clear()  # the platform revoked it
    answer(client, learner_in, MISSED_BRANCH, django_capture_on_commit_callbacks)  # lower
    learner = LtiUser.objects.get(sub="learner-1").auth_user
    with django_capture_on_commit_callbacks(execute=True):
        grade_sync.record(QuizLink.objects.get(), learner.pk, force=True)
    assert len(platform.scores) == 3 and len(platform.tokens) == 1
    assert ScoreSend.objects.first().tries == 2


def test_a_learner_outside_the_links_lms_course_gets_no_score_there(
        learner_in, client, platform, django_capture_on_commit_callbacks):
    from quizbank.helpers import make_user
    local = make_user("local-only")
    learner_in.course.learners.add(local)
    client.logout()
    client.force_login(local)
    answer(client, learner_in, BRANCH_ANSWERS, django_capture_on_commit_callbacks)
    assert platform.scores == [] and not ScoreSend.objects.exists()
