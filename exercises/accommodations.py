"""Accommodations: a learner's time multiplier, own due date and extra attempts.

Two halves, and nothing else may do either:
- The rule. `due_at`, `time_deadline`, `attempts_allowed` and `closed_reason` say what an
  attempt's learner is allowed; `selectors.closed_reason`, `attempt_deadline`,
  `submissions_left` and the attempts-left check in `services._grade_and_store` ask them.
  They read only the attempt and its quiz: the accommodation is copied onto the attempt
  (`Attempt.time_multiplier`, `extra_attempts`, `accommodated_due_at`), so the submission
  hot path, which reads the attempt with its quiz in one query, asks nothing more.
- The writes. `set_accommodation` and `remove_accommodation` keep the Accommodation rows,
  their audit trail (AccommodationLog: who, why, the values) and the copies on the
  learner's attempts in step, in one transaction; `new_attempt_fields` gives a new
  attempt its copy.

A learner's quiz has at most two accommodations: one for that quiz and one for every quiz
of the course. Each field comes from the quiz's own if it sets it, else the course's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext

from . import services
from .course_records import Accommodation, AccommodationLog
from .models import Attempt, Course, Quiz, Reveal

FIELDS = ("time_multiplier", "extra_attempts", "due_at")


# -- the rule ------------------------------------------------------------------------------
def due_at(attempt: Attempt, quiz: Quiz) -> datetime | None:
    """The attempt's learner's due date: their own if they have one, else the quiz's."""
    return attempt.accommodated_due_at or quiz.due_at


def is_past_due(attempt: Attempt, quiz: Quiz, now: datetime) -> bool:
    due = due_at(attempt, quiz)
    return due is not None and now >= due


def reveals(attempt: Attempt, quiz: Quiz, setting: str, now=None) -> bool:
    """Quiz.reveals for this learner: "after the due date" means after their own, so a
    learner with more time never sees the solution while they may still answer."""
    if setting == Reveal.AFTER_DUE:
        return is_past_due(attempt, quiz, now or timezone.now())
    return quiz.reveals(setting, now)


def time_deadline(attempt: Attempt, quiz: Quiz) -> datetime | None:
    """When the attempt's time runs out: the item's own clock (from when it was opened)
    or the quiz-wide clock (from the learner's first item), whichever ends first, each
    limit multiplied by the learner's time multiplier. None: no time limit."""
    multiplier = attempt.time_multiplier or 1.0
    ends = []
    if quiz.time_limit_minutes:
        ends.append(attempt.started_at + timedelta(minutes=quiz.time_limit_minutes
                                                   * multiplier))
    if quiz.quiz_time_limit_minutes:
        clock = attempt.clock_started_at or attempt.started_at
        ends.append(clock + timedelta(minutes=quiz.quiz_time_limit_minutes * multiplier))
    return min(ends) if ends else None


def attempts_allowed(attempt: Attempt, quiz: Quiz | None) -> int | None:
    """Graded submissions allowed on this attempt; None: unlimited."""
    if quiz is None or quiz.attempts_allowed is None:
        return None
    return quiz.attempts_allowed + (attempt.extra_attempts or 0)


def closed_reason(attempt: Attempt, quiz: Quiz, now: datetime) -> str:
    if is_past_due(attempt, quiz, now):
        return gettext("This quiz is closed: its due date has passed.")
    deadline = time_deadline(attempt, quiz)
    if deadline is not None and now > deadline:
        return gettext("The time limit for this exercise has passed.")
    return ""


# -- who is asking ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Actor:
    """Who set or removed an accommodation (or overrode a score): a user, or an LMS
    integration key, which is no user but is named in the audit trail."""

    user: object | None
    label: str

    @classmethod
    def of(cls, principal) -> Actor:
        user = principal if getattr(principal, "_meta", None) is not None else None
        return cls(user=user, label=principal.get_username() if principal else "system")


# -- the writes ------------------------------------------------------------------------------
def effective(learner_id: int, quiz: Quiz) -> dict:
    """The values a learner's attempts in `quiz` carry (one query)."""
    found = {acc.quiz_id: acc for acc in Accommodation.objects.filter(
        Q(quiz=quiz) | Q(quiz__isnull=True, course_id=quiz.course_id), learner_id=learner_id)}
    return _combine(found.get(quiz.pk), found.get(None))


def _combine(own: Accommodation | None, course_wide: Accommodation | None) -> dict:
    def pick(name):
        for acc in (own, course_wide):
            if acc is not None and getattr(acc, name) is not None:
                return getattr(acc, name)
        return None

    return {"time_multiplier": pick("time_multiplier") or 1.0,
            "extra_attempts": pick("extra_attempts") or 0,
            "accommodated_due_at": pick("due_at")}


def new_attempt_fields(learner, quiz: Quiz) -> dict:
    """What a new attempt in `quiz` starts with: the learner's accommodation and the start
    of their quiz-wide clock (their first attempt in the quiz; now, for the first)."""
    first = Attempt.objects.filter(learner=learner, item__quiz=quiz).aggregate(
        first=Min("started_at"))["first"]
    return {**effective(learner.pk, quiz), "clock_started_at": first or timezone.now()}


def refresh_attempts(learner_id: int, course: Course) -> int:
    """Copy the learner's accommodations onto their attempts in every quiz of the course
    (one update per quiz that has its own accommodation, one for the rest)."""
    found = {acc.quiz_id: acc for acc in Accommodation.objects.filter(
        learner_id=learner_id, course=course)}
    course_wide = found.pop(None, None)
    attempts = Attempt.objects.filter(learner_id=learner_id, item__quiz__course=course)
    changed = attempts.exclude(item__quiz_id__in=list(found)).update(
        **_combine(None, course_wide))
    for quiz_id, own in found.items():
        changed += attempts.filter(item__quiz_id=quiz_id).update(**_combine(own, course_wide))
    return changed


def _check_values(values: dict) -> None:
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise services.ServiceError(f"unknown fields: {', '.join(sorted(unknown))}")
    multiplier = values.get("time_multiplier")
    if multiplier is not None and not 1.0 <= multiplier <= 10.0:
        raise services.ServiceError("time_multiplier must be between 1 and 10",
                                    field="time_multiplier")
    extra = values.get("extra_attempts")
    if extra is not None and not 0 <= extra <= 1000:
        raise services.ServiceError("extra_attempts must be between 0 and 1000",
                                    field="extra_attempts")


def _logged_values(acc: Accommodation) -> dict:
    return {"time_multiplier": acc.time_multiplier, "extra_attempts": acc.extra_attempts,
            "due_at": acc.due_at.isoformat() if acc.due_at else None}


@transaction.atomic
def set_accommodation(*, learner, course: Course, quiz: Quiz | None = None, values: dict,
                      reason: str = "", actor: Actor) -> tuple[Accommodation, bool]:
    """Set (or change) a learner's accommodation in a quiz, or for the course with
    `quiz=None`. Fields in `values` are set (None clears one); the others stay. Logged,
    and copied onto the learner's attempts at once. Returns it and whether it is new."""
    _check_values(values)
    if quiz is not None and quiz.course_id != course.pk:
        raise services.ServiceError("the quiz is not in this course", field="quiz")
    if not course.learners.filter(pk=learner.pk).exists():
        raise services.ServiceError("this learner is not enrolled in the course",
                                    field="learner")
    acc = Accommodation.objects.select_for_update().filter(
        learner=learner, course=course, quiz=quiz).order_by("pk").first()
    created = acc is None
    if created:
        acc = Accommodation(learner=learner, course=course, quiz=quiz)
    for name, value in values.items():
        setattr(acc, name, value)
    acc.reason = reason
    acc.created_by = actor.user
    acc.by_label = actor.label
    acc.save()
    AccommodationLog.objects.create(
        accommodation_ref=acc.pk, course=course, quiz=quiz, learner=learner,
        action=AccommodationLog.Action.SET if created else AccommodationLog.Action.CHANGED,
        values=_logged_values(acc), reason=reason, by=actor.user, by_label=actor.label)
    refresh_attempts(learner.pk, course)
    return acc, created


@transaction.atomic
def remove_accommodation(acc: Accommodation, *, actor: Actor, reason: str = "") -> None:
    acc = Accommodation.objects.select_for_update(of=("self",)).select_related(
        "course", "quiz", "learner").get(pk=acc.pk)
    AccommodationLog.objects.create(
        accommodation_ref=acc.pk, course=acc.course, quiz=acc.quiz, learner=acc.learner,
        action=AccommodationLog.Action.REMOVED, values=_logged_values(acc), reason=reason,
        by=actor.user, by_label=actor.label)
    learner_id, course = acc.learner_id, acc.course
    acc.delete()
    refresh_attempts(learner_id, course)


def for_quiz(quiz: Quiz):
    """The accommodations that apply in a quiz: its own and its course's course-wide."""
    return Accommodation.objects.filter(
        Q(quiz=quiz) | Q(quiz__isnull=True, course_id=quiz.course_id)).select_related(
        "learner", "created_by").order_by("learner__username", "quiz_id", "id")
