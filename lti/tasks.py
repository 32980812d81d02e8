"""Celery tasks for LTI: thin wrappers around `lti.grade_sync` and `lti.roster`, by id.
Eager (in the calling process) when no broker is configured, like exercises.tasks."""

from __future__ import annotations

from celery import shared_task

from . import grade_sync
from .models import QuizLink

MAX_RETRIES = 5
EAGER_RETRIES = 2  # without a broker a retry runs at once, inside the learner's request


@shared_task
def record_scores(link_ids: list[int], learner_id: int) -> int:
    """A learner's best score changed: record (and queue) their score on each link."""
    made = 0
    for link in QuizLink.objects.filter(pk__in=link_ids).select_related("quiz", "item"):
        made += grade_sync.record(link, learner_id) is not None
    return made


@shared_task(bind=True, max_retries=MAX_RETRIES)
def send_score(self, score_id: int) -> str:
    """POST one score; a platform that is down or busy is tried again later (30 s, 1 min,
    2 min …); a refusal (4xx) is recorded as failed, for the gradebook's resend."""
    outcome = grade_sync.send(score_id)
    if self.request.is_eager:  # Celery does not run an eager task's retry: try here
        for _ in range(EAGER_RETRIES):
            if outcome != "retry":
                break
            outcome = grade_sync.send(score_id)
        return outcome
    if outcome == "retry" and self.request.retries < MAX_RETRIES:
        raise self.retry(countdown=30 * 2 ** self.request.retries)
    return outcome


@shared_task
def send_held_scores() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): send the held scores whose quiz now allows it, and
    try again those the platform could not take (down, busy) after the task's retries."""
    released = grade_sync.release_held()
    for score_id in released:
        send_score.delay(score_id)
    return len(released)
