"""Long jobs as Celery tasks: thin wrappers that call services by id."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.cache import cache

from . import services
from .models import Exercise


def progress_key(task_id: str) -> str:
    return f"regrade-progress:{task_id}"


def regrade_progress(task_id: str) -> dict | None:
    """{"done", "total"} attempts of a running (or finished) regrade task, kept in the
    cache (shared by every host with Redis) for an hour; None if unknown."""
    return cache.get(progress_key(task_id))


@shared_task(bind=True)
def regrade_exercise(self, exercise_id: int, user_id: int | None = None,
                     reason: str = "") -> dict:
    """Counts, and the ids of the Regrade rows made (the admin lists them when eager).
    Only what the user may regrade is regraded (services.regrade_exercise); no user id is
    the system, which regrades everything, but a user deleted since the task was queued
    regrades nothing (not everything, as user=None would)."""
    exercise = Exercise.objects.get(pk=exercise_id)
    user = None
    if user_id is not None:
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:
            return {"regraded": 0, "changed": 0, "regrade_ids": []}
    def progress(done: int, total: int) -> None:
        if self.request.id:
            cache.set(progress_key(self.request.id), {"done": done, "total": total}, 3600)

    regrades = services.regrade_exercise(exercise, by=user, reason=reason, progress=progress)
    changed = sum(1 for r in regrades if r.old_score != r.new_score)
    return {"regraded": len(regrades), "changed": changed,
            "regrade_ids": [r.pk for r in regrades]}


@shared_task
def make_variants(exercise_id: int, seeds: list[int]) -> int:
    exercise = Exercise.objects.get(pk=exercise_id)
    for seed in seeds:
        services.get_or_create_variant(exercise, seed)
    return len(seeds)
