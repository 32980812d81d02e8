"""An attempt's graded submissions in brief, kept on the attempt for item analysis.

Item analysis groups a class's attempts at an item by the marks of their first graded
submission, of their best one, and by their whole history (exercises.statistics). Read
from the submissions, that is a join, two window sorts and three groupings of JSON over
every graded submission of the class (120,000 at 2,000 learners: 1.3 s); read from here,
it is three groupings of integers over the attempts. So each attempt keeps:

- analysis_history: [score, marks] of each counted full submission, in order, as graded
  now (its latest regrade's score and marks where it has one);
- analysis_best_at: the position of the best (the highest score, the earliest on a tie);
- analysis_first_key, analysis_best_key: a key of the first's and the best's marks;
- analysis_history_key: a key of the whole history, scores included, so that it changes
  whenever anything here does (the submission path also checks it has not, see
  submission_sql.COUNTERS); 0 for an attempt with no graded submission.

The submission path appends (`appended`) in the statement that stores the submission; a
regrade makes them again from the submissions (`refresh`). `summary` is the definition
both follow.
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.db.models import OuterRef, Subquery

from .models import Attempt, Regrade, Submission

FIELDS = ("analysis_history", "analysis_best_at", "analysis_first_key", "analysis_best_key",
          "analysis_history_key")


def key(value) -> int:
    """A signed 64-bit key of a JSON value (0 is kept for "none")."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True) or 1


def summary(history: list) -> dict:
    """The fields for an attempt whose graded submissions, in order, are `history`
    ([score, marks] each)."""
    if not history:
        return dict(zip(FIELDS, ([], 0, 0, 0, 0), strict=True))
    best_at = 0
    for position, (score, _marks) in enumerate(history):
        if score > history[best_at][0]:
            best_at = position
    return {"analysis_history": history, "analysis_best_at": best_at,
            "analysis_first_key": key(history[0][1]),
            "analysis_best_key": key(history[best_at][1]),
            "analysis_history_key": key(history)}


def appended(attempt, score: float, marks: list) -> dict:
    """The fields once a new graded submission (score, marks) follows those of `attempt`."""
    return summary([*attempt.analysis_history, [score, marks]])


def refresh(attempt_ids: list[int]) -> None:
    """Make the fields again from the attempts' submissions and their latest regrades.
    The attempts are locked first: a submission stored meanwhile is then either read here
    or, finding the history key changed, counted again on top of what this stores."""
    with transaction.atomic(savepoint=False):  # a regrade's own transaction, if in one
        for start in range(0, len(attempt_ids), BATCH):
            list(Attempt.objects.select_for_update().filter(
                pk__in=attempt_ids[start:start + BATCH]).values_list("pk"))
        latest = Regrade.objects.filter(submission=OuterRef("pk"), latest=True)
        graded = Submission.objects.filter(
            attempt_id__in=attempt_ids, kind=Submission.Kind.FULL, counted=True).annotate(
            regraded_score=Subquery(latest.values("new_score")[:1]),
            regraded_marks=Subquery(latest.values("marks")[:1])).order_by(
            "attempt_id", "created_at", "id").values_list(
            "attempt_id", "score", "marks", "regraded_score", "regraded_marks")
        histories: dict[int, list] = {pk: [] for pk in attempt_ids}
        for attempt_id, score, marks, regraded_score, regraded_marks in graded:
            if regraded_score is not None:
                score, marks = regraded_score, regraded_marks
            histories[attempt_id].append([score, marks])
        attempts = []
        for pk, history in histories.items():
            attempt = Attempt(pk=pk)
            for name, value in summary(history).items():
                setattr(attempt, name, value)
            attempts.append(attempt)
        Attempt.objects.bulk_update(attempts, FIELDS, batch_size=BATCH)


BATCH = 500
