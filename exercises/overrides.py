"""Manual score overrides: the only writer of ScoreOverride, and the rule for who may set one.

An override is an instructor's score for one attempt (an item), with a reason. The
submissions and their scores stay as they were; `Attempt.override_score` holds the latest
override, and `Attempt.score` (what grades, the gradebook and the LMS read) is it when
set. A regrade never lowers a learner's best score; an override may, but only when the
caller confirms it (else Conflict, 409, saying so).
"""

from __future__ import annotations

import math

from django.db import transaction
from django.utils import timezone

from lti import grade_sync

from . import selectors, services
from .accommodations import Actor
from .course_records import ScoreOverride
from .models import Attempt

MAX_REASON = 500


def attempt_course(attempt: Attempt):
    """The course whose grades an attempt counts in: its quiz's, else its exercise's."""
    return attempt.item.quiz.course if attempt.item_id else attempt.exercise.course


def may_override(user, attempt: Attempt) -> bool:
    return selectors.teaches(user, attempt_course(attempt))


@transaction.atomic
def override_score(attempt: Attempt, *, score: float, reason: str, actor: Actor,
                   confirm: bool = False) -> ScoreOverride:
    if not isinstance(score, int | float) or not math.isfinite(score) or not 0 <= score <= 1:
        raise services.ServiceError("score must be a number from 0 to 1", field="score")
    reason = (reason or "").strip()
    if not reason:
        raise services.ServiceError("say why the score is overridden", field="reason")
    if len(reason) > MAX_REASON:
        raise services.ServiceError(f"a reason has at most {MAX_REASON} characters",
                                    field="reason")
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    current = locked.score
    if score < current and not confirm:
        raise services.Conflict(
            f"this lowers the score from {current:g} to {score:g}: send \"confirm\": true "
            "to lower it", current_score=current, score=score)
    override = ScoreOverride.objects.create(
        attempt=locked, score=score, previous_score=current, reason=reason,
        created_by=actor.user, by_label=actor.label)
    now = timezone.now()
    Attempt.objects.filter(pk=locked.pk).update(override_score=score, updated_at=now)
    attempt.override_score, attempt.updated_at = score, now
    _score_changed(attempt)
    return override


def _score_changed(attempt: Attempt) -> None:
    """Pass the new score on to the LMS like any other score change (the same hook
    services calls after a higher best score or a regrade)."""
    grade_sync.best_score_changed(attempt)


def latest(attempt: Attempt) -> ScoreOverride | None:
    if attempt.override_score is None:
        return None
    return attempt.overrides.select_related("created_by").order_by("-created_at",
                                                                   "-id").first()


def shown(override: ScoreOverride | None) -> dict | None:
    """An override as the API and the gradebook show it."""
    if override is None:
        return None
    return {"score": override.score, "reason": override.reason,
            "by": override.by_label, "at": override.created_at}
