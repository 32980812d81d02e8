"""grade(): one submission against one stored solution, in the contract's result shape.

    {"score": 0.78, "valid": true, "errors": {},
     "nodes": {"x": {"correct": false, "valid": true, "misconception": "missing_branch",
                     "hint": "...", "hint_latex": "...", ...}}}

Per node: read the answer → verdict within tolerance → for a wrong one, follow-through
and the misconception catalogue → a hint at the policy's level. The result is plain JSON
data; nothing in it reveals a correct value unless the hint level is 3. A node with a
level-3 hint also gets the level-2 (formula) hint as "hint_formula" / "hint_formula_latex",
for a learner who may not see the correct value yet (`selectors.learner_result`).
"""

from __future__ import annotations

from functools import partial

from .answers import Answer, read_answer
from .followthrough import FollowThrough, follow_through
from .hints import FORMULA_LEVEL, carried_hint, hint
from .misconceptions import Diagnosis, Edge, Site, diagnose
from .policy import GradingPolicy
from .solution import Solved, read_solution

ASKS = ("grad", "data")


def grade(solution: dict | Solved, answers: dict, policy: GradingPolicy | dict | None = None,
          asked: list[str] | None = None, ask: str = "grad") -> dict:
    """Grade `answers` ({node name: text or number}) against a stored solution.

    `solution` is the stored dict, or `prepare(dict)` when one variant is graded many times.
    `asked` names the nodes the exercise asks about (default: every input and op node for
    gradients, every op node for forward values). Raises ValueError for a bad call (unknown
    node, unreadable solution) — never for anything a learner typed.
    """
    if not isinstance(policy, GradingPolicy):
        policy = GradingPolicy.from_dict(policy)  # None or an exercise's stored JSON form
    if ask not in ASKS:
        raise ValueError(f"ask must be one of {', '.join(ASKS)}")
    if not isinstance(answers, dict):
        raise ValueError("answers must be an object mapping node names to answers")
    solved = solution if isinstance(solution, Solved) else read_solution(solution)
    targets = _asked(solved, asked, ask)
    read = {i: read_answer(answers.get(solved.names[i])) for i in targets}
    given = {i: a.value for i, a in read.items() if a.valid and not a.missing}
    ft = follow_through(solved, given, policy.tolerance, ask)

    nodes, errors, credit = {}, {}, 0.0
    for i in targets:
        result = _grade_node(solved, i, read[i], ft, policy, ask)
        nodes[solved.names[i]] = result
        credit += result["credit"]
        if not result["valid"]:
            errors[solved.names[i]] = result["error"]
    asked_names = {solved.names[i] for i in targets}
    return {
        "score": round(credit / len(targets), 4),
        "valid": not errors,  # False: refuse the submission, costing no attempt
        "errors": errors,
        "nodes": nodes,
        "ask": ask,
        "hint_level": policy.hint_level,
        "ignored": sorted(str(k) for k in answers if k not in asked_names),
    }


def _asked(solved: Solved, asked: list[str] | None, ask: str) -> list[int]:
    if asked is None:
        return solved.default_asked(ask)
    if not isinstance(asked, list | tuple) or not all(isinstance(n, str) for n in asked):
        raise ValueError("asked must be a list of node names")
    unknown = [name for name in asked if name not in solved.index]
    if unknown:
        raise ValueError(f"asked about unknown node(s): {', '.join(map(str, unknown))}")
    targets = list(dict.fromkeys(solved.index[name] for name in asked))
    if not targets:
        raise ValueError("nothing to grade: no nodes are asked")
    return targets


def _grade_node(solved: Solved, i: int, answer: Answer, ft: FollowThrough,
                policy: GradingPolicy, ask: str) -> dict:
    result = {"correct": False, "valid": answer.valid, "misconception": None, "hint": None,
              "hint_latex": None, "answer": answer.raw, "value": answer.value,
              "error": answer.error, "missing": answer.missing, "upstream": None,
              "credit": 0.0, "explanation": None, "also": []}
    if not answer.valid:
        return result  # invalid is not wrong: no diagnosis, no hint, just the error
    truth = solved.grad[i] if ask == "grad" else solved.data[i]
    tol = policy.tolerance
    if not answer.missing and tol.close(answer.value, truth):
        result.update(correct=True, credit=1.0)
        return result

    diagnosis = Diagnosis(also=[])
    if answer.missing:
        result["explanation"] = "No answer was given."
    else:
        site = _site(solved, i, ask, truth, ft, own=False)
        own = _site(solved, i, ask, truth, ft, own=True) if ask == "grad" else None
        diagnosis = diagnose(answer.value, site, own, tol, demote_carried=ft.leans_on_zero[i])
        result.update(misconception=diagnosis.code, explanation=diagnosis.explanation,
                      also=diagnosis.also, upstream=diagnosis.upstream)
    if diagnosis.code == "upstream_carried":
        if ft.leans_on_zero[i]:
            what = "gradient" if ask == "grad" else "value"
            result["explanation"] += f" Consistency with a {what} of 0 earns no credit."
        else:
            result["credit"] = float(policy.follow_through_credit)
        make = partial(carried_hint, solved, i, ft.origin[i])
    else:
        make = partial(hint, solved, i)
    pieces = make(policy.hint_level, ask)
    if pieces is not None:
        result["hint"], result["hint_latex"] = pieces
        if policy.hint_level > FORMULA_LEVEL:
            # The worked numbers end in the correct value; the formula never works one out.
            result["hint_formula"], result["hint_formula_latex"] = make(FORMULA_LEVEL, ask)
    return result


def _site(solved: Solved, i: int, ask: str, truth: float, ft: FollowThrough,
          own: bool) -> Site | None:
    edges: tuple[Edge, ...] = ()
    if ask == "grad":
        upstream = ft.own if own else solved.grad
        if own and all(ft.origin[c] is None for c, _ in solved.consumers[i]):
            return None  # the learner's upstream answers are right: nothing new to try
        if any(upstream[c] is None for c, _ in solved.consumers[i]):
            return None
        edges = tuple(Edge(c, p, solved.local[c][p], upstream[c])
                      for c, p in solved.consumers[i])
    return Site(solved, i, ask, truth, edges, ft.implied[i], ft.origin[i],
                sum(e.path for e in edges))
