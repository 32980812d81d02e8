"""Per-learner grades of a quiz for an LMS to sync, a page at a time, in SQL.

A read (no writes; the API view checks who may read a course's grades). A learner's row
is their score per item (an override where set, else their best) and the quiz score (an
instructor's quiz override where set, else the items weighted by points), with the time
of their latest change. Rows come in the order
of that time, then the id of the attempt that changed last, and a page starts after the
last row of the one before (keyset pagination): each page reads only its own learners'
attempts, so reading every page costs about as much as reading them once, however large
the class, and `updated_since` reads only what changed since.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery

from . import overrides
from .models import Attempt, Quiz, QuizOverride


@dataclass(frozen=True)
class Key:
    """Where a page ends: the last row's change time and attempt id."""

    updated_at: datetime
    attempt_id: int


def latest_changes(quiz: Quiz, *, updated_since: datetime | None = None,
                   after: Key | None = None):
    """Each learner's attempt that changed last in the quiz, in keyset order: an attempt
    with no later one by the same learner in the quiz."""
    later = Attempt.objects.filter(learner_id=OuterRef("learner_id"), item__quiz=quiz).filter(
        Q(updated_at__gt=OuterRef("updated_at"))
        | Q(updated_at=OuterRef("updated_at"), pk__gt=OuterRef("pk")))
    attempts = Attempt.objects.filter(item__quiz=quiz).filter(~Exists(later))
    if updated_since is not None:
        attempts = attempts.filter(updated_at__gte=updated_since)
    if after is not None:
        attempts = attempts.filter(Q(updated_at__gt=after.updated_at)
                                   | Q(updated_at=after.updated_at, pk__gt=after.attempt_id))
    return attempts.order_by("updated_at", "pk")


def grades_page(quiz: Quiz, *, size: int, updated_since: datetime | None = None,
                after: Key | None = None) -> tuple[list[dict], Key | None]:
    """One page of rows, and the key to ask for the next (None: this was the last)."""
    with planned_for_this_quiz():
        return _grades_page(quiz, size, updated_since, after)


@contextmanager
def planned_for_this_quiz():
    """PostgreSQL plans each statement inside for its own values. A connection prepares a
    statement it has run twice (settings: prepare_threshold), and the generic plan it then
    keeps is blind to the quiz's size: after pages of smaller quizzes on the same
    connection, every page of a 2,000-learner quiz took 1.9–2.4 s where it takes 0.9 s
    planned for its values (bench/course.py). A local setting: it ends with the
    transaction (this one's, or the caller's: no savepoint is needed for it)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)")
        yield


def _grades_page(quiz: Quiz, size: int, updated_since: datetime | None,
                 after: Key | None) -> tuple[list[dict], Key | None]:
    quiz_override = QuizOverride.objects.filter(
        quiz=quiz, learner_id=OuterRef("learner_id"), latest=True).values("pk")[:1]
    found = list(latest_changes(quiz, updated_since=updated_since, after=after).annotate(
        quiz_override=Subquery(quiz_override)).values_list(
        "learner_id", "updated_at", "pk", f"learner__{username_field()}",
        "quiz_override")[:size + 1])
    more = len(found) > size
    found = found[:size]
    learners = [learner_id for learner_id, *_ in found]
    # The overrides themselves only for a page that has some (most have none).
    overridden = {o.learner_id: o for o in QuizOverride.objects.filter(
        pk__in=[row[4] for row in found if row[4]])} if any(row[4] for row in found) else {}
    points = dict(quiz.items.values_list("id", "points"))
    total = sum(points.values()) or 1.0
    items: dict[int, dict] = {learner_id: {} for learner_id in learners}
    for learner_id, item_id, best, override in Attempt.objects.filter(
            item__quiz=quiz, learner_id__in=learners).order_by("item_id").values_list(
            "learner_id", "item_id", "best_score", "override_score"):
        items[learner_id][str(item_id)] = best if override is None else override
    rows = [{"learner": learner_id, "username": username,
             "items": items[learner_id],
             "score": overridden[learner_id].score if learner_id in overridden else
             sum(score * points.get(int(item), 0)
                 for item, score in items[learner_id].items()) / total,
             "override": overrides.shown(overridden.get(learner_id)),
             "updated_at": updated_at}
            for learner_id, updated_at, _, username, _ in found]
    last = found[-1] if found else None
    return rows, (Key(last[1], last[2]) if more and last else None)


def username_field() -> str:
    return get_user_model().USERNAME_FIELD


def count(quiz: Quiz, *, updated_since: datetime | None = None) -> int:
    with planned_for_this_quiz():
        return latest_changes(quiz, updated_since=updated_since).count()
