"""grade(): one submission against one stored solution, in the contract's result shape.

    {"score": 0.78, "valid": true, "errors": {},
     "nodes": {"x": {"correct": false, "valid": true, "misconception": "missing_branch",
                     "hint": "...", "hint_latex": "...", ...}}}

What is asked and how each answer is graded is the asked kind's (kinds.py): node names
for grad and data, "z2/a1" for local, parameter names for update, "nudged" and "slope"
for nudge; every kind reports under `nodes`. The result is plain JSON data; nothing in it
reveals a correct value unless the hint level is 3.
"""

from __future__ import annotations

from .kinds import KINDS, gradient_of, kind
from .nodes import NODE_KINDS, frozen_rate
from .policy import GradingPolicy
from .solution import Solved, read_solution

ASKS = tuple(KINDS)


def grade(solution: dict | Solved, answers: dict, policy: GradingPolicy | dict | None = None,
          asked: list[str] | None = None, ask: str = "grad",
          learning_rate: float | None = None, rules: tuple | list = ()) -> dict:
    """Grade `answers` ({key: text or number}) against a stored solution.

    `solution` is the stored dict, or `prepare(dict)` when one variant is graded many times.
    `asked` names the keys the exercise asks about (default: the kind's own — every input
    and op node for gradients, every op node for forward values, every edge for local
    derivatives, every parameter for an update, both numbers of a nudge). Raises ValueError
    for a bad call (unknown key, unreadable solution) — never for anything a learner typed.

    For the node kinds (grad, data): `learning_rate` is the exercise's η (default: the one
    its solution froze, if any), so a weight update typed for a gradient is diagnosed;
    `rules` are the exercise's own buggy rules (authored.py), matched first after the
    learner's own earlier answers.
    """
    if not isinstance(policy, GradingPolicy):
        policy = GradingPolicy.from_dict(policy)  # None or an exercise's stored JSON form
    asked_kind = kind(ask)
    if not isinstance(answers, dict):
        raise ValueError("answers must be an object mapping node names to answers")
    solved = solution if isinstance(solution, Solved) else read_solution(solution)
    keys = asked_kind.asked(solved, asked)
    policy = policy.with_default_tolerance(asked_kind.tolerance)
    if asked_kind.name in NODE_KINDS:
        eta = learning_rate if learning_rate is not None else frozen_rate(solved)
        nodes = asked_kind.grade(solved, keys, answers, policy, learning_rate=eta,
                                 rules=tuple(rules))
    else:
        nodes = asked_kind.grade(solved, keys, answers, policy)
    errors = {key: result["error"] for key, result in nodes.items() if not result["valid"]}
    credit = sum(result["credit"] for result in nodes.values())
    return {
        "score": round(credit / len(keys), 4),
        "valid": not errors,  # False: refuse the submission, costing no attempt
        "errors": errors,
        "nodes": nodes,
        "ask": ask,
        "hint_level": policy.hint_level,
        "ignored": sorted(str(k) for k in answers if k not in nodes),
    }


def grade_step(solution: dict | Solved, answers: dict, policy: GradingPolicy | dict | None = None,
               ask: str = "grad", **options) -> dict:
    """One step-through check: `answers` holds one key. A key the kind asks is graded as
    `grade` grades it; a gradient step "grad:<node>" (the product a local chain ends with,
    an update's ∂L/∂w) is graded as that node's gradient, with the gradient's hints, and
    reported under its own key. Which keys a step-through may check is the caller's rule
    (exercise_kinds.step_keys); `options` are grade()'s."""
    if not isinstance(answers, dict) or len(answers) != 1:
        raise ValueError("a step check takes exactly one answer")
    ((key, answer),) = answers.items()
    node = gradient_of(str(key))
    if node is None:
        return grade(solution, answers, policy, asked=[key], ask=ask, **options)
    options.pop("rules", None)  # an exercise's own rules are written for its kind's keys
    result = grade(solution, {node: answer}, policy, asked=[node], ask="grad", **options)
    result["nodes"] = {key: result["nodes"][node]}
    result["errors"] = {key: result["errors"][node]} if node in result["errors"] else {}
    result["ask"] = ask
    result["ignored"] = []
    return result
