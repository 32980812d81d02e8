"""Fixing a broken exercise, and regrading set-based.

After an instructor fixes the program of an exercise that learners have worked on, the
stored variants still hold the old (wrong) solution: they are frozen. From here:
- `proposed_changes` says which variants' correct answers a re-solve would change (old
  and new value and gradient per node, attempts affected), without writing anything;
- `resolve_and_regrade` refreezes those variants from the current program and regrades
  every stored graded submission (a Regrade row each, old and new score), raising best
  scores only (nobody's score goes down through a regrade);
- `reset_attempts` refreezes them and gives the learners fresh attempts instead (their
  counters start again; their submissions stay, as submissions always do).

`regrade_attempts` is the one regrade (services.regrade_exercise uses it too): the
submissions and their latest scores in one query, the grading in Python (it has to be;
each distinct answer once), then the Regrade rows in bulk, the best scores raised in one
statement per batch, and the LMS told in one query per quiz.
Writes: only services, the admin and tasks call these.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from django.db import transaction
from django.db.models import Case, Count, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from lti import grade_sync

from . import attempt_marks, exercise_kinds, feedback, revisions, selectors, services, statistics
from .grading import grade
from .models import Attempt, Exercise, Regrade, Submission, Variant

BATCH = 500


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


def differences(old: dict, new: dict) -> list[dict]:
    """Per node whose value or gradient differs: old and new of each (None: no such node)."""
    before = {n["name"]: n for n in old.get("nodes", [])}
    after = {n["name"]: n for n in new.get("nodes", [])}
    changed = []
    for name in [*before, *(n for n in after if n not in before)]:
        was, now = before.get(name, {}), after.get(name, {})
        # A constant's gradient is asked of nobody: only its value matters.
        const = "const" in (was.get("kind"), now.get("kind"))
        if not (_close(was.get("data"), now.get("data"))
                and (const or _close(was.get("grad"), now.get("grad")))):
            changed.append({"node": name, "old_data": was.get("data"),
                            "new_data": now.get("data"), "old_grad": was.get("grad"),
                            "new_grad": now.get("grad")})
    return changed


def proposed_changes(exercise: Exercise) -> dict:
    """What re-solving the exercise's stored variants would change. Raises InvalidProgram
    if the current program cannot be solved."""
    variants = []
    for variant in Variant.objects.filter(exercise=exercise).annotate(
            attempt_count=Count("attempts")).order_by("seed"):
        new = services.solve_variant(exercise, variant.seed, variant.perturbed)
        nodes = differences(variant.graph, new)
        if nodes:
            variants.append({"variant": variant, "seed": variant.seed, "nodes": nodes,
                             "attempts": variant.attempt_count, "solution": new})
    return {"exercise": exercise, "variants": variants,
            "attempts": sum(v["attempts"] for v in variants)}


def _refreeze(plan: dict) -> list[int]:
    """Store the new solutions; a new created_at makes every process's grader cache
    (services.prepared, keyed by id and created_at) read them afresh."""
    now = timezone.now()
    revision = revisions.current_id(plan["exercise"])
    for change in plan["variants"]:
        Variant.objects.filter(pk=change["variant"].pk).update(
            graph=change["solution"], created_at=now, revision_id=revision)
    return [change["variant"].pk for change in plan["variants"]]


def resolve_and_regrade(exercise: Exercise, *, by=None, reason: str = "",
                        progress: Callable[[int, int], None] | None = None) -> dict:
    """Refreeze the variants whose answers changed, then regrade every graded submission
    at the exercise that `by` may regrade (selectors.regradable_attempts)."""
    with transaction.atomic():
        plan = proposed_changes(exercise)
        variants = _refreeze(plan)
    regrades = regrade_attempts(exercise, selectors.regradable_attempts(exercise, by),
                                by=by, reason=reason or "re-solved after a program fix",
                                progress=progress)
    return {"variants": variants, "regrades": regrades}


def reset_attempts(exercise: Exercise, *, by=None) -> dict:
    """Refreeze the changed variants and give the attempts at the exercise that `by` may
    regrade a fresh start on them: no graded submissions counted, no best score."""
    with transaction.atomic():
        plan = proposed_changes(exercise)
        variants = _refreeze(plan)
        attempts = list(selectors.regradable_attempts(exercise, by).select_related("item"))
        Attempt.objects.filter(pk__in=[a.pk for a in attempts]).update(
            graded_count=0, best_score=0.0, solved=False, override_score=None,
            updated_at=timezone.now())
    grade_sync.best_scores_changed(attempts)
    return {"variants": variants, "attempts": len(attempts)}


def regrade_attempts(exercise: Exercise, attempts, *, by=None, reason: str = "",
                     progress: Callable[[int, int], None] | None = None) -> list[Regrade]:
    """Grade the attempts' stored full, counted submissions again under the exercise's
    current settings and their variants' solutions; record each (Regrade: old and new
    score) and raise best scores where the new ones are higher.

    Each distinct (variant, grading policy, answers) is graded once: a class's answers
    repeat (the right ones above all), and grading is the cost here (about 1 ms each,
    against a few µs to look one up)."""
    attempts = list(attempts.select_related("variant", "item__quiz").order_by("pk"))
    latest = Regrade.objects.filter(submission=OuterRef("pk"), latest=True).values(
        "new_score")[:1]
    submissions = Submission.objects.filter(
        attempt__in=[a.pk for a in attempts], kind=Submission.Kind.FULL,
        counted=True).annotate(latest_score=Subquery(latest)).order_by(
        "attempt_id", "created_at", "id").only("id", "attempt_id", "raw_answers", "score")
    by_attempt: dict[int, list] = {}
    for submission in submissions:
        by_attempt.setdefault(submission.attempt_id, []).append(submission)
    ask = exercise_kinds.kind_of(exercise.ask).name
    rules = feedback.rules_for(exercise)
    solutions: dict[int, tuple] = {}  # variant id → its solution and the nodes asked
    graded: dict[tuple, int] = {}  # (variant, policy, answers) → its index in `results`
    results: list[tuple[dict, list]] = []  # each distinct result and its marks
    rows, which, raised, solved = [], [], {}, set()
    histories: dict[int, list] = {}  # attempt → its graded submissions' [score, marks] now
    seen: dict[int, list[int]] = {}  # attempt → the ids of those submissions
    for done, attempt in enumerate(attempts, start=1):
        attempt.exercise = exercise
        if attempt.variant_id not in solutions:
            # With the numbers its kind freezes (an update's, a nudge's), added if missing.
            solution = services.prepared(attempt.variant, exercise)
            solutions[attempt.variant_id] = (solution,
                                             services.asked_nodes(exercise, solution))
        solution, asked = solutions[attempt.variant_id]
        policy = services.grading_policy(attempt)
        quiz = attempt.item.quiz if attempt.item_id else None
        best = attempt.best_score
        for number, submission in enumerate(by_attempt.get(attempt.pk, [])):
            key = (attempt.variant_id, policy,
                   json.dumps(submission.raw_answers, sort_keys=True))
            if key not in graded:
                result = grade(solution, submission.raw_answers, policy, asked=asked,
                               ask=ask, rules=rules)
                graded[key] = len(results)
                results.append((result, statistics.marks_of(result)))
            which.append(graded[key])
            result = results[graded[key]][0]
            penalty = quiz.retry_penalty * number if quiz else 0.0
            new_score = max(0.0, float(result.get("score", 0)) - penalty)
            old = submission.latest_score
            rows.append(Regrade(submission_id=submission.pk,
                                old_score=submission.score if old is None else old,
                                new_score=new_score, latest=True, reason=reason,
                                created_by=by))
            histories.setdefault(attempt.pk, []).append([new_score,
                                                         results[graded[key]][1]])
            seen.setdefault(attempt.pk, []).append(submission.pk)
            best = max(best, new_score)
            if result.get("score", 0) >= 1.0 and not attempt.solved:
                solved.add(attempt.pk)
        if best > attempt.best_score:
            raised[attempt.pk] = best
        if progress is not None and (done % 50 == 0 or done == len(attempts)):
            progress(done, len(attempts))
    with transaction.atomic():
        _store(exercise, rows, which, results)
        _raise_best_scores(raised, solved)
        attempt_marks.regraded(histories, seen)
    grade_sync.best_scores_changed([a for a in attempts if a.pk in raised])
    return rows


def _store(exercise: Exercise, rows: list[Regrade], which: list[int],
           results: list[tuple[dict, list]]) -> None:
    """Store the regrades (row i graded as results[which[i]]); they become their
    submissions' latest, and the ones before stop being it. Regrades of one exercise take
    turns (its row locked), so each submission keeps one latest.

    The rows go in with their scores, then each distinct result onto its rows in one
    UPDATE per batch: a result (hints and all, ~2 kB) is sent once, not once per row. At
    2,000 learners × 3 submissions (3 distinct results) on PostgreSQL, on a loaded host:
    8.3 s for bulk_create with the results in the rows (Django's UNNEST insert escapes
    every JSON string in Python), 1.8 s this way."""
    list(Exercise.objects.select_for_update().filter(pk=exercise.pk).values_list("pk"))
    ids = [row.submission_id for row in rows]
    for start in range(0, len(ids), BATCH):
        Regrade.objects.filter(submission_id__in=ids[start:start + BATCH],
                               latest=True).update(latest=False)
    for row in rows:
        row.result, row.marks = {}, []
    Regrade.objects.bulk_create(rows, batch_size=BATCH)
    onto: dict[int, list[int]] = {}
    for row, index in zip(rows, which, strict=True):
        onto.setdefault(index, []).append(row.pk)
        row.result, row.marks = results[index]
    for index, pks in onto.items():
        result, marks = results[index]
        for start in range(0, len(pks), BATCH):
            Regrade.objects.filter(pk__in=pks[start:start + BATCH]).update(
                result=result, marks=marks)


def _raise_best_scores(raised: dict[int, float], solved: set[int]) -> None:
    """One UPDATE per batch; GREATEST keeps a higher score a submission stored meanwhile
    (and changes the counters it checks, so that submission counts again)."""
    ids = sorted(set(raised) | solved)
    now = timezone.now()
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        scores = [When(pk=pk, then=Value(raised[pk])) for pk in batch if pk in raised]
        changes = {"updated_at": now}
        if scores:
            changes["best_score"] = Greatest(F("best_score"), Case(
                *scores, default=F("best_score")))
        if solved & set(batch):
            changes["solved"] = Case(When(pk__in=solved & set(batch), then=Value(True)),
                                     default=F("solved"))
        Attempt.objects.filter(pk__in=batch).update(**changes)
