"""Error carried forward: what each answer *should* be, given the learner's own answers.

For gradients the sources of a node are its consumers (nearer the output): the value
implied for x is Σ over x's consumers c of (the learner's ∂L/∂c) × (the correct local
∂c/∂x). For forward values the sources are the node's inputs, run through the correct op.
A node the learner did not answer passes the implied value on, so a chain of unasked
nodes still carries the learner's error.

A wrong answer that equals its implied value is the learner's own step done right on a
wrong premise: `upstream_carried`, pointing at the node where the error started (`origin`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from exercises.engine.ops import DomainError

from .solution import Solved
from .verdicts import Tolerance


@dataclass(slots=True)
class FollowThrough:
    implied: list[float | None]  # from the learner's values at the sources (None: cannot say)
    own: list[float | None]  # the learner's value: their answer where given, else implied
    origin: list[int | None]  # where the error in `own` started (None when own is right)
    leans_on_zero: list[bool]  # the implied value rests on a wrong learner value of 0


def follow_through(solved: Solved, answers: dict[int, float], tol: Tolerance,
                   ask: str = "grad") -> FollowThrough:
    n = len(solved)
    truth = solved.grad if ask == "grad" else solved.data
    ft = FollowThrough([None] * n, [None] * n, [None] * n, [False] * n)
    order = reversed(range(n)) if ask == "grad" else range(n)
    for i in order:
        sources = _grad_sources(solved, i) if ask == "grad" else _data_sources(solved, i)
        implied = _grad_implied(solved, ft, i, sources) if ask == "grad" else (
            _data_implied(solved, ft, i))
        ft.implied[i] = implied
        given = answers.get(i)
        ft.own[i] = given if given is not None else implied
        if ft.own[i] is not None and tol.close(ft.own[i], truth[i]):
            continue  # right (or rightly implied): no error to trace
        if given is not None and (implied is None or not tol.close(given, implied)):
            ft.origin[i] = i  # the learner's own step went wrong here
            continue
        # Consistent with (or implied by) wrong values at the sources: blame the worst one.
        worst, worst_error = None, 0.0
        for j, weight in sources:
            if weight == 0 or ft.origin[j] is None:
                continue
            if ft.own[j] is not None and tol.is_zero(ft.own[j]):
                ft.leans_on_zero[i] = True
            error = math.inf if ft.own[j] is None else abs((ft.own[j] - truth[j]) * weight)
            if worst is None or error > worst_error:
                worst, worst_error = j, error
        ft.origin[i] = ft.origin[worst] if worst is not None else None
        if implied is not None and tol.is_zero(implied):
            ft.leans_on_zero[i] = True
        if worst is not None and ft.leans_on_zero[worst] and given is None:
            ft.leans_on_zero[i] = True  # an unanswered node passes the zero on
    return ft


def _grad_sources(solved: Solved, i: int) -> list[tuple[int, float]]:
    return [(c, solved.local[c][p]) for c, p in solved.consumers[i]]


def _data_sources(solved: Solved, i: int) -> list[tuple[int, float]]:
    return [(j, 1.0) for j in solved.inputs[i]]


def _grad_implied(solved, ft, i, sources) -> float | None:
    if i == solved.output:
        return 1.0  # ∂L/∂L needs no upstream answer
    total = 0.0
    for c, local in sources:
        if ft.own[c] is None:
            return None
        total += ft.own[c] * local
    return total if math.isfinite(total) else None


def _data_implied(solved, ft, i) -> float | None:
    op = solved.ops[i]
    if op is None:
        return solved.data[i]  # inputs and constants are given
    args = [ft.own[j] for j in solved.inputs[i]]
    if any(a is None for a in args):
        return None
    try:
        value = float(op.forward(*args))
    except (DomainError, ArithmeticError, ValueError, TypeError):
        return None  # the learner's values lie outside the op's domain: nothing implied
    return value if math.isfinite(value) else None
