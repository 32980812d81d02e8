"""While a place hides verdicts, a submission takes as long to grade whatever its answers.

A right answer skips the diagnosis, follow-through and hints that a wrong one gets: on the
demo's sigmoid neuron, grading 13 right answers takes 25 µs and 13 wrong ones 230–480 µs.
Without this, a learner who may submit again and again before the due date could time
their submissions and tell, through the network's noise after a few dozen tries each,
whether a set of answers is all right, though the quiz shows no verdict until then.

So while correctness is hidden, grading is padded, by sleeping (no CPU spent), to a
budget: twice what this process takes to grade answers that are all wrong (the slow case)
for the same solution and policy, plus a millisecond. The budget is measured on first use,
the best of three runs, and kept per process. A grading that runs past it (a stall of the
machine, not of the answers) is not padded further.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

MARGIN = 2.0  # × the all-wrong grading time
SLACK = 0.001  # seconds on top: sleep's own granularity, scheduling
_RUNS = 3
_BUDGETS: dict[Hashable, float] = {}
_MAX = 4096


def budget(key: Hashable, grade_all_wrong: Callable[[], object]) -> float:
    """Seconds a hidden grading for `key` (a solution, policy and asked keys) takes at
    least; `grade_all_wrong` grades that solution with every asked answer wrong."""
    found = _BUDGETS.get(key)
    if found is None:
        runs = []
        for _ in range(_RUNS):
            start = time.perf_counter()
            grade_all_wrong()
            runs.append(time.perf_counter() - start)
        if len(_BUDGETS) >= _MAX:
            _BUDGETS.clear()  # crude but thread-safe bound; a miss costs three gradings
        found = _BUDGETS[key] = MARGIN * min(runs) + SLACK
    return found


def pad(started: float, seconds: float) -> None:
    """Sleep until `seconds` after `started` (a time.perf_counter() reading)."""
    left = started + seconds - time.perf_counter()
    if left > 0:
        time.sleep(left)


def all_wrong(keys: list[str]) -> dict[str, str]:
    """Answers that are wrong for any key of any exercise: far off every true value, and
    each other's (so follow-through finds every upstream answer wrong as well)."""
    return {key: str(1e9 + k) for k, key in enumerate(keys)}
