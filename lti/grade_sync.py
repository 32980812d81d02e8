"""Assignment and Grade Services: a learner's score on a linked quiz goes to the platform's
line item whenever their best score changes.

`best_score_changed(attempt)` is the one hook (`exercises.services` calls it after storing
a higher best score, and after a regrade). It costs one query — "is this quiz linked to an
LMS?" — and nothing more when it is not; the rest runs in a Celery task after the commit.

What is sent: scoreGiven = Σ best score × item points over the link's items (the whole quiz,
or the one item a link opens; an item's override instead of its best score, and for the
whole quiz an instructor's quiz override × the points instead of the sum), scoreMaximum =
those points. activityProgress is Completed
once every item has a graded submission (InProgress before); gradingProgress FullyGraded
(every score here is final when it is sent). A score equal to the last one recorded for that
learner and link is not sent again.

When: on every change, unless the quiz's `GradePolicy` says after the due date. Either way a
score is held while the quiz does not yet show learners their scores (the disclosure rule:
the LMS gradebook must not reveal what the quiz hides); held scores go out with
`send_held_scores` (a periodic task, or `manage.py lti_send_held_scores`)."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from lti_tool.models import LtiUser
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector

from exercises import selectors
from exercises.models import Attempt, Quiz, QuizOverride

from .models import GradePolicy, QuizLink, ScoreSend
from .tool import TimeoutSession, current_key

logger = logging.getLogger(__name__)
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}


def best_score_changed(attempt: Attempt) -> None:
    """A learner's best score on an item changed: queue their scores for the LMS."""
    if not attempt.item_id:
        return
    # The submission path has the item loaded: ask by its quiz, without a join.
    linked = (QuizLink.objects.filter(quiz_id=attempt.item.quiz_id)
              if Attempt.item.is_cached(attempt) else
              QuizLink.objects.filter(quiz__items=attempt.item_id))
    links = list(linked.values_list("pk", flat=True))
    if links:
        from .tasks import record_scores
        enqueue(record_scores, links, attempt.learner_id)


def best_scores_changed(attempts) -> None:
    """best_score_changed for many attempts at once (a regrade): one query per quiz."""
    learners: dict[int, set[int]] = {}
    for attempt in attempts:
        if attempt.item_id:
            learners.setdefault(attempt.item.quiz_id, set()).add(attempt.learner_id)
    for quiz_id, ids in learners.items():
        links = list(QuizLink.objects.filter(quiz_id=quiz_id).values_list("pk", flat=True))
        if links:
            from .tasks import record_scores
            for learner_id in sorted(ids):
                enqueue(record_scores, links, learner_id)


def enqueue(task, *args) -> None:
    """After the commit, and never at the learner's expense: a broker that is down loses
    this sync (logged; the gradebook's resend and the next change send it), not the
    submission that caused it."""
    def send():
        try:
            task.delay(*args)
        except Exception:  # noqa: BLE001 - kombu's errors vary by transport
            logger.exception("LTI: could not queue %s%r", task.name, args)
    transaction.on_commit(send)


# -- what a score is ---------------------------------------------------------------------
def score_of(link: QuizLink, learner_id: int) -> tuple[float, float, str]:
    """(scoreGiven, scoreMaximum, activityProgress) for a learner on a link."""
    items = link.quiz.items.all() if link.item_id is None else [link.item]
    points = {item.pk: item.points for item in items}
    attempts = Attempt.objects.filter(learner_id=learner_id, item_id__in=points).values_list(
        "item_id", "best_score", "override_score", "graded_count")
    given, graded = 0.0, 0
    for item_id, best, override, count in attempts:
        # An instructor's override counts instead of the best score (Attempt.score).
        given += (best if override is None else override) * points[item_id]
        graded += count > 0
    progress = "Completed" if points and graded == len(points) else "InProgress"
    maximum = float(sum(points.values()))
    if link.item_id is None:
        # The whole quiz: an instructor's quiz override is the learner's score.
        override = QuizOverride.objects.filter(
            quiz_id=link.quiz_id, learner_id=learner_id, latest=True).values_list(
            "score", flat=True).first()
        if override is not None:
            given = override * maximum
    return round(given, 6), maximum, progress


def hold_reason(link: QuizLink, learner_id: int, now: datetime | None = None) -> str:
    """Why the learner's score on this link may not go out yet ("" if it may). Whether the
    learner may see their score is the learner pages' own rule (selectors)."""
    quiz = link.quiz
    attempt = Attempt.objects.filter(learner_id=learner_id, item__quiz=quiz).select_related(
        "item__quiz").first()
    if attempt is not None and not selectors.reveals_correctness(attempt, now):
        return "held while the quiz does not show learners their scores"
    policy = GradePolicy.objects.filter(quiz=quiz).values_list("send", flat=True).first()
    if policy == GradePolicy.Send.AFTER_DUE and not quiz.is_past_due(now):
        return "held until the due date"
    return ""


def record(link: QuizLink, learner_id: int, *, force: bool = False) -> ScoreSend | None:
    """Record the learner's current score for the link, unless it is the one recorded last
    (`force`: the gradebook's resend). A score that may go out is queued for sending."""
    if learner_sub(link, learner_id) is None:
        return None  # not a member of that LMS course: nothing to send there
    given, maximum, progress = score_of(link, learner_id)
    last = ScoreSend.objects.filter(link=link, learner_id=learner_id).first()
    if not force and last is not None and last.status != ScoreSend.Status.FAILED and (
            last.score_given == given and last.score_maximum == maximum
            and last.activity_progress == progress):
        return None
    reason = "" if force else hold_reason(link, learner_id)
    score = ScoreSend.objects.create(
        link=link, learner_id=learner_id, score_given=given, score_maximum=maximum,
        activity_progress=progress, grading_progress="FullyGraded", reason=reason,
        status=ScoreSend.Status.HELD if reason else ScoreSend.Status.QUEUED)
    if not reason:
        from .tasks import send_score
        enqueue(send_score, score.pk)
    return score


SWEEP_TRIES = 20  # a score the platform keeps failing is left for the gradebook's resend


def release_held(now: datetime | None = None) -> list[int]:
    """Queue the held scores whose quiz may now send them, and the failed ones worth another
    try (the platform was unreachable or busy); the latest per learner and link only."""
    released = []
    retryable = Q(status=ScoreSend.Status.FAILED, tries__lt=SWEEP_TRIES) & (
        Q(response_status__in=RETRY_STATUSES) | Q(response_status__isnull=True, tries__gt=0))
    waiting = ScoreSend.objects.filter(Q(status=ScoreSend.Status.HELD) | retryable)
    for score in waiting.select_related("link__quiz"):
        newest = ScoreSend.objects.filter(link=score.link_id, learner=score.learner_id).first()
        if newest.pk != score.pk:
            ScoreSend.objects.filter(pk=score.pk).update(
                status=ScoreSend.Status.FAILED, reason="superseded by a later score",
                tries=SWEEP_TRIES)
            continue
        if hold_reason(score.link, score.learner_id, now):
            continue
        ScoreSend.objects.filter(pk=score.pk).update(status=ScoreSend.Status.QUEUED, reason="")
        released.append(score.pk)
    return released


# -- sending ------------------------------------------------------------------------------
def learner_sub(link: QuizLink, learner_id: int) -> str | None:
    """The learner's user id on the link's platform, if they are a member of the link's
    LMS course (a quiz linked in two LMS courses sends each its own members only)."""
    return LtiUser.objects.filter(
        auth_user_id=learner_id, memberships__context=link.resource_link.context_id,
    ).values_list("sub", flat=True).first()


def send(score_id: int) -> str:
    """POST one score to its line item; "sent", "failed" or "retry" (worth trying again)."""
    score = ScoreSend.objects.select_related(
        "link__resource_link__context__deployment__registration").get(pk=score_id)
    link = score.link
    sub = learner_sub(link, score.learner_id)
    problem = ("no line item known yet (no launch of this link carried one)"
               if not link.lineitem_url else
               "the platform did not grant the score scope" if not link.can_publish_scores
               else "the learner has no account on this platform" if sub is None else "")
    if problem:
        _finish(score, ScoreSend.Status.FAILED, None, problem)
        return "failed"
    grade = (Grade().set_score_given(score.score_given).set_score_maximum(score.score_maximum)
             .set_activity_progress(score.activity_progress)
             .set_grading_progress(score.grading_progress)
             .set_timestamp(timezone.now().isoformat(timespec="milliseconds"))
             .set_user_id(sub))
    ScoreSend.objects.filter(pk=score.pk).update(payload=json.loads(grade.get_value()),
                                                 tries=score.tries + 1)
    current_key()
    registration = link.resource_link.context.deployment.registration.to_registration()
    connector = CachedTokenConnector(link.resource_link.context.deployment.registration_id,
                                     registration)
    service = AssignmentsGradesService(
        connector, {"scope": [SCORE_SCOPE], "lineitem": link.lineitem_url})
    try:
        answer = service.put_grade(grade)
    except LtiServiceException as exc:
        status = exc.response.status_code
        if status == 401:
            connector.forget_tokens()  # revoked or expired early: a new one next time
        outcome = "retry" if status in RETRY_STATUSES | {401} else "failed"
        _finish(score, ScoreSend.Status.FAILED, status, exc.response.text)
        return outcome
    except (OSError, LtiException, ValueError) as exc:  # unreachable, or not JSON
        _finish(score, ScoreSend.Status.FAILED, None, str(exc))
        return "retry"
    _finish(score, ScoreSend.Status.SENT, 200, str(answer.get("body") or ""))
    return "sent"


class CachedTokenConnector(ServiceConnector):
    """pylti1p3's connector asks for a new access token per connector; this one keeps the
    token in the cache (shared by processes with Redis) for a while, so a class submitting
    at once costs the platform one token request, not one per score."""

    TOKEN_SECONDS = 300  # well inside the hour platforms give a token

    def __init__(self, registration_id: int, registration):
        super().__init__(registration, TimeoutSession())
        self.prefix = f"lti-token:{registration_id}:"

    def get_access_token(self, scopes):
        key = self.prefix + " ".join(sorted(scopes))
        token = cache.get(key)
        if token is None:
            token = super().get_access_token(scopes)
            cache.set(key, token, self.TOKEN_SECONDS)
        return token

    def forget_tokens(self) -> None:
        cache.delete(self.prefix + SCORE_SCOPE)
        self._access_tokens.clear()


def _finish(score: ScoreSend, status: str, http_status: int | None, body: str) -> None:
    ScoreSend.objects.filter(pk=score.pk).update(
        status=status, response_status=http_status, response_body=body[:2000],
        sent_at=timezone.now() if status == ScoreSend.Status.SENT else None)


# -- for the gradebook ----------------------------------------------------------------------
def sync_status(quiz: Quiz, learner_ids=None) -> list[dict]:
    """Per learner and link, the latest score recorded (for the gradebook): every learner's,
    or those of `learner_ids` (the gradebook page's)."""
    rows = []
    links = list(QuizLink.objects.filter(quiz=quiz).select_related(
        "resource_link__context", "item"))
    for link in links:
        latest: dict[int, ScoreSend] = {}
        sends = ScoreSend.objects.filter(link=link)
        if learner_ids is not None:
            sends = sends.filter(learner_id__in=learner_ids)
        for score in sends.select_related("learner"):
            latest.setdefault(score.learner_id, score)
        for score in sorted(latest.values(), key=lambda s: s.learner.get_username()):
            rows.append({"link": link, "score": score})
    return rows
