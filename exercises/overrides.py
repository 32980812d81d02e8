"""Manual score overrides: the only writer of ScoreOverride and QuizOverride, and the rule
for who may set one.

An override is an instructor's score, with a reason, for one attempt (an item) or for a
learner's whole quiz. The submissions and their scores stay as they were.
- An item: `Attempt.override_score` holds the latest override, and `Attempt.score` (what
  grades, the gradebook and the LMS read) is it when set.
- A quiz: the latest QuizOverride (`latest`) is the learner's quiz score instead of their
  items' weighted sum (the items still show their own scores). It needs an attempt in
  the quiz: the grades API lists a learner by their attempts, and the override counts as
  a change of their latest one (its `updated_at`), so an LMS syncing `updated_since` sees it.
A regrade never lowers a learner's best score; an override may, but only when the caller
confirms it (else Conflict, 409, saying so). Either is passed on to the LMS like any other
score change.

An instructor can also remove the override in force (`remove_override`,
`remove_quiz_override`): the computed score counts again, the removal is recorded like a
setting (who, why, when, the score before and after: action "removed") and nothing is
deleted from the history; the LMS is told as of any other change. With no override in
force there is nothing to remove (NoOverride, 404).
"""

from __future__ import annotations

import math

from django.db import transaction
from django.utils import timezone

from lti import grade_sync

from . import selectors, services
from .accommodations import Actor
from .course_records import OverrideAction, QuizOverride, ScoreOverride
from .models import Attempt, Quiz

MAX_REASON = 500


class NoOverride(services.ServiceError):
    """There is no override in force to remove."""

    status = 404


def attempt_course(attempt: Attempt):
    """The course whose grades an attempt counts in: its quiz's, else its exercise's."""
    return attempt.item.quiz.course if attempt.item_id else attempt.exercise.course


def may_override(user, attempt: Attempt) -> bool:
    return selectors.teaches(user, attempt_course(attempt))


def may_override_quiz(user, quiz: Quiz) -> bool:
    return selectors.teaches(user, quiz.course)


def _checked(score, reason: str, current: float, confirm: bool) -> str:
    """The one rule for both kinds: a score 0..1, a reason, and lowering only confirmed."""
    if not isinstance(score, int | float) or not math.isfinite(score) or not 0 <= score <= 1:
        raise services.ServiceError("score must be a number from 0 to 1", field="score")
    reason = (reason or "").strip()
    if not reason:
        raise services.ServiceError("say why the score is overridden", field="reason")
    if len(reason) > MAX_REASON:
        raise services.ServiceError(f"a reason has at most {MAX_REASON} characters",
                                    field="reason")
    if score < current and not confirm:
        raise services.Conflict(
            f"this lowers the score from {current:g} to {score:g}: send \"confirm\": true "
            "to lower it", current_score=current, score=score)
    return reason


@transaction.atomic
def override_score(attempt: Attempt, *, score: float, reason: str, actor: Actor,
                   confirm: bool = False) -> ScoreOverride:
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    current = locked.score
    reason = _checked(score, reason, current, confirm)
    return _record(attempt, locked, OverrideAction.SET, score=score, previous=current,
                   reason=reason, actor=actor, counting=score)


@transaction.atomic
def override_quiz_score(quiz: Quiz, learner, *, score: float, reason: str, actor: Actor,
                        confirm: bool = False) -> QuizOverride:
    """Set the learner's score for the whole quiz (0..1). Their attempts in the quiz are
    locked while it is decided, so two overrides (or an override and a submission's new
    best score) take turns."""
    attempts = list(Attempt.objects.select_for_update().filter(
        learner=learner, item_id__in=quiz.items.values("pk")).order_by(
        "-updated_at", "-pk"))
    if not attempts:
        raise services.Conflict(
            f"{learner.get_username()} has no attempt in this quiz yet: a quiz score can "
            "be set once they have started it", score=score)
    before = selectors.quiz_overrides(quiz, [learner.pk]).get(learner.pk)
    current = before.score if before else computed_quiz_score(quiz, attempts)
    reason = _checked(score, reason, current, confirm)
    if before is not None:
        QuizOverride.objects.filter(pk=before.pk).update(latest=False)
    override = QuizOverride.objects.create(
        quiz=quiz, learner=learner, score=score, previous_score=current, reason=reason,
        latest=True, created_by=actor.user, by_label=actor.label)
    changed = attempts[0]  # the learner's latest change in the quiz becomes this one
    changed.updated_at = timezone.now()
    Attempt.objects.filter(pk=changed.pk).update(updated_at=changed.updated_at)
    _score_changed(changed)
    return override


def _removal_reason(reason: str) -> str:
    """A removal may say why (kept with it); it need not."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON:
        raise services.ServiceError(f"a reason has at most {MAX_REASON} characters",
                                    field="reason")
    return reason


@transaction.atomic
def remove_override(attempt: Attempt, *, reason: str = "", actor: Actor) -> ScoreOverride:
    """Remove the attempt's override in force: its best score counts again."""
    reason = _removal_reason(reason)
    locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if locked.override_score is None:
        raise NoOverride("this attempt's score is not overridden")
    return _record(attempt, locked, OverrideAction.REMOVED, score=locked.best_score,
                   previous=locked.override_score, reason=reason, actor=actor, counting=None)


def _record(attempt: Attempt, locked: Attempt, action: str, *, score: float,
            previous: float, reason: str, actor: Actor,
            counting: float | None) -> ScoreOverride:
    """Keep the record of setting or removing an item's override, make `counting` (None:
    the best score) the attempt's override, and tell the gradebook's readers and the LMS."""
    record = ScoreOverride.objects.create(
        attempt=locked, action=action, score=score, previous_score=previous, reason=reason,
        created_by=actor.user, by_label=actor.label)
    now = timezone.now()
    Attempt.objects.filter(pk=locked.pk).update(override_score=counting, updated_at=now)
    attempt.override_score, attempt.updated_at = counting, now
    _score_changed(attempt)
    return record


@transaction.atomic
def remove_quiz_override(quiz: Quiz, learner, *, reason: str = "",
                         actor: Actor) -> QuizOverride:
    """Remove the learner's quiz override in force: their items' weighted scores count
    again. Like setting one, it counts as a change of their latest attempt in the quiz."""
    reason = _removal_reason(reason)
    attempts = list(Attempt.objects.select_for_update().filter(
        learner=learner, item_id__in=quiz.items.values("pk")).order_by(
        "-updated_at", "-pk"))
    before = selectors.quiz_overrides(quiz, [learner.pk]).get(learner.pk)
    if before is None:
        raise NoOverride(f"{learner.get_username()}'s score in this quiz is not overridden")
    QuizOverride.objects.filter(pk=before.pk).update(latest=False)
    removal = QuizOverride.objects.create(
        quiz=quiz, learner=learner, action=OverrideAction.REMOVED,
        score=computed_quiz_score(quiz, attempts), previous_score=before.score,
        reason=reason, latest=False, created_by=actor.user, by_label=actor.label)
    if attempts:  # (an override needs an attempt; a reset may have removed it since)
        changed = attempts[0]
        changed.updated_at = timezone.now()
        Attempt.objects.filter(pk=changed.pk).update(updated_at=changed.updated_at)
        _score_changed(changed)
    return removal


def computed_quiz_score(quiz: Quiz, attempts) -> float:
    """The items' scores (each an override where set) weighted by their points, 0..1."""
    points = dict(quiz.items.values_list("pk", "points"))
    total = sum(points.values())
    if not total:
        return 0.0
    return sum(a.score * points.get(a.item_id, 0) for a in attempts) / total


def history(attempt: Attempt) -> list[ScoreOverride]:
    """Every override of the attempt's score, set and removed, newest first."""
    return list(attempt.overrides.order_by("-created_at", "-id"))


def quiz_history(quiz: Quiz, learner) -> list[QuizOverride]:
    return list(QuizOverride.objects.filter(quiz=quiz, learner=learner).order_by(
        "-created_at", "-id"))


def _score_changed(attempt: Attempt) -> None:
    """Pass the new score on to the LMS like any other score change (the same hook
    services calls after a higher best score or a regrade)."""
    grade_sync.best_score_changed(attempt)


def latest(attempt: Attempt) -> ScoreOverride | None:
    if attempt.override_score is None:
        return None
    return attempt.overrides.select_related("created_by").order_by("-created_at",
                                                                   "-id").first()


def shown(override: ScoreOverride | QuizOverride | None) -> dict | None:
    """An override (an item's or a quiz's) as the API and the gradebook show it."""
    if override is None:
        return None
    return {"score": override.score, "reason": override.reason,
            "by": override.by_label, "at": override.created_at}
