"""An attempt's graded submissions in brief, kept on the attempt for item analysis.

Item analysis groups a class's attempts at an item by the marks of their first graded
submission, of their best one, and by their whole history (exercises.statistics). Read
from the submissions, that is a join, two window sorts and three groupings of JSON over
every graded submission of the class (120,000 at 2,000 learners: 1.3 s); grouped by keys
kept on the attempts, it is three groupings of integers, and only one attempt of each group
has its submissions read. So each attempt keeps, of its counted full submissions as graded
now (by its latest regrade where it has one), in order:

- analysis_count: how many there are;
- analysis_first_key: a key of the first one's marks;
- analysis_best_at, analysis_best_score, analysis_best_key: the best one's position
  (the highest score, the earliest on a tie), score and marks' key;
- analysis_history_key: a key of all of them (scores and marks), chained one submission
  at a time, so the submission path keeps it in constant time whatever the attempt's
  length; it changes whenever anything here does (and the submission path checks it has
  not, see submission_sql.COUNTERS); 0 for an attempt with none.

The submission path adds one (`appended`) in the statement that stores the submission; a
regrade makes them again (`regraded`, `refresh`). `summary` is the definition they follow.
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.db.models import OuterRef, Subquery

from .models import Attempt, Regrade, Submission

FIELDS = ("analysis_count", "analysis_first_key", "analysis_best_at", "analysis_best_score",
          "analysis_best_key", "analysis_history_key")


def key(value) -> int:
    """A signed 64-bit key of a JSON value (never 0, which stands for "none")."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True) or 1


def _fields(held: dict, score: float, marks: list) -> dict:
    """`held` (the fields, as on an attempt) once a graded submission (score, marks)
    follows."""
    marks_key, count = key(marks), held["analysis_count"]
    fields = {**held, "analysis_count": count + 1,
              "analysis_history_key": key([held["analysis_history_key"], score, marks_key])}
    if count == 0:
        fields["analysis_first_key"] = marks_key
    if count == 0 or score > held["analysis_best_score"]:
        fields.update(analysis_best_at=count, analysis_best_score=score,
                      analysis_best_key=marks_key)
    return fields


NONE = dict(zip(FIELDS, (0, 0, 0, 0.0, 0, 0), strict=True))


def summary(history: list) -> dict:
    """The fields for an attempt whose graded submissions, in order, are `history`
    ([score, marks] each)."""
    fields = NONE
    for score, marks in history:
        fields = _fields(fields, score, marks)
    return dict(fields)


def appended(attempt, score: float, marks: list) -> dict:
    """The fields once a new graded submission (score, marks) follows those of `attempt`."""
    return _fields({name: getattr(attempt, name) for name in FIELDS}, score, marks)


def refresh(attempt_ids: list[int]) -> None:
    """Make the fields again from the attempts' submissions and their latest regrades.
    The attempts are locked first: a submission stored meanwhile is then either read here
    or, finding the history key changed, counted again on top of what this stores."""
    with transaction.atomic(savepoint=False):  # a regrade's own transaction, if in one
        _lock(attempt_ids)
        latest = Regrade.objects.filter(submission=OuterRef("pk"), latest=True)
        graded = _graded(attempt_ids).annotate(
            regraded_score=Subquery(latest.values("new_score")[:1]),
            regraded_marks=Subquery(latest.values("marks")[:1])).values_list(
            "attempt_id", "score", "marks", "regraded_score", "regraded_marks")
        histories: dict[int, list] = {pk: [] for pk in attempt_ids}
        for attempt_id, score, marks, regraded_score, regraded_marks in graded:
            if regraded_score is not None:
                score, marks = regraded_score, regraded_marks
            histories[attempt_id].append([score, marks])
        _write(histories)


def regraded(histories: dict[int, list], seen: dict[int, list[int]]) -> None:
    """After a regrade, inside its transaction: `histories` are the attempts' histories
    as just regraded, made from the graded submissions `seen` (their ids, in order). An
    attempt with a graded submission the regrade did not see (stored while it graded) is
    made again from the database instead (`refresh`)."""
    with transaction.atomic(savepoint=False):
        ids = list(histories)
        _lock(ids)
        now: dict[int, list[int]] = {pk: [] for pk in ids}
        for attempt_id, pk in _graded(ids).values_list("attempt_id", "id"):
            now[attempt_id].append(pk)
        moved = [pk for pk in ids if now[pk] != seen.get(pk, [])]
        _write({pk: history for pk, history in histories.items() if pk not in moved})
        if moved:
            refresh(moved)


BATCH = 500


def _lock(attempt_ids: list[int]) -> None:
    for start in range(0, len(attempt_ids), BATCH):
        list(Attempt.objects.select_for_update().filter(
            pk__in=attempt_ids[start:start + BATCH]).values_list("pk"))


def _graded(attempt_ids: list[int]):
    return Submission.objects.filter(
        attempt_id__in=attempt_ids, kind=Submission.Kind.FULL, counted=True).order_by(
        "attempt_id", "created_at", "id")


def _write(histories: dict[int, list]) -> None:
    """One UPDATE per distinct history (per batch of attempts): a class's histories repeat."""
    alike: dict[int, tuple[dict, list[int]]] = {}
    for pk, history in histories.items():
        fields = summary(history)
        alike.setdefault(fields["analysis_history_key"], (fields, []))[1].append(pk)
    for fields, pks in alike.values():
        for start in range(0, len(pks), BATCH):
            Attempt.objects.filter(pk__in=pks[start:start + BATCH]).update(**fields)
