"""The `grad` and `data` kinds: one answer per node, with follow-through and the
misconception catalogue.

Per node: read the answer → verdict within tolerance → for a wrong one, follow-through
and the misconception catalogue → a hint at the policy's level. A node with a level-3
hint also gets the level-2 (formula) hint as "hint_formula" / "hint_formula_latex", for a
learner who may not see the correct value yet (`selectors.learner_result`).
"""

from __future__ import annotations

from functools import partial

from .answers import Answer, read_answer
from .authored import AuthoredRule, RuleError, evaluate
from .followthrough import FollowThrough, follow_through
from .hints import FORMULA_LEVEL, carried_hint, hint
from .i18n import _
from .leaks import safe_explanation, safe_hint
from .misconceptions import BY_CODE, Diagnosis, Edge, Site, diagnose
from .policy import GradingPolicy
from .solution import Solved

NODE_KINDS = ("grad", "data")  # the kinds graded here (a learning rate and rules apply)


def frozen_rate(solved: Solved) -> float | None:
    """The η a solution froze (an update exercise's), if any."""
    update = solved.frozen.get("update")
    rate = update.get("learning_rate") if isinstance(update, dict) else None
    return float(rate) if isinstance(rate, int | float) and not isinstance(rate, bool) else None


def node_keys(solved: Solved) -> list[str]:
    """Every node may be asked about by name (services refuse constants)."""
    return solved.names


def grade_nodes(solved: Solved, keys: list[str], answers: dict, policy: GradingPolicy,
                ask: str, learning_rate: float | None = None,
                rules: tuple[AuthoredRule, ...] = ()) -> dict[str, dict]:
    targets = [solved.index[name] for name in keys]
    read = {i: read_answer(answers.get(solved.names[i])) for i in targets}
    given = {i: a.value for i, a in read.items() if a.valid and not a.missing}
    ft = follow_through(solved, given, policy.tolerance, ask)
    authored = _authored(solved, rules, learning_rate)
    return {solved.names[i]: _grade_node(solved, i, read[i], ft, policy, ask, learning_rate,
                                         authored.get(i, ())) for i in targets}


def _authored(solved: Solved, rules, eta) -> dict[int, tuple]:
    """Each authored rule's number on this variant, by node. A rule that cannot be worked
    out here (checked when it was saved, but this variant's numbers may differ) is left out:
    it is the instructor's feedback, never a reason to fail a learner's submission."""
    found: dict[int, list] = {}
    for rule in rules:
        try:
            value = evaluate(rule, solved, eta)
        except RuleError:
            continue
        found.setdefault(solved.index[rule.node], []).append((value, rule.code, rule.message))
    return {i: tuple(values) for i, values in found.items()}


def empty_result(answer: Answer) -> dict:
    """A result before its verdict: the shape every kind's per-key result has."""
    return {"correct": False, "valid": answer.valid, "misconception": None, "hint": None,
            "hint_latex": None, "answer": answer.raw, "value": answer.value,
            "error": answer.error, "missing": answer.missing, "upstream": None,
            "credit": 0.0, "explanation": None, "also": [], "ambiguous": False, "rule": None}


def _grade_node(solved: Solved, i: int, answer: Answer, ft: FollowThrough,
                policy: GradingPolicy, ask: str, eta: float | None, authored: tuple) -> dict:
    result = empty_result(answer)
    if not answer.valid:
        return result  # invalid is not wrong: no diagnosis, no hint, just the error
    truth = solved.grad[i] if ask == "grad" else solved.data[i]
    tol = policy.tolerance
    if not answer.missing and tol.close(answer.value, truth):
        result.update(correct=True, credit=1.0)
        return result

    diagnosis = Diagnosis()
    if answer.missing:
        result["explanation"] = _("No answer was given.")
    else:
        site = _site(solved, i, ask, truth, ft, own=False, eta=eta, authored=authored)
        own = _site(solved, i, ask, truth, ft, own=True, eta=eta) if ask == "grad" else None
        diagnosis = diagnose(answer.value, site, own, tol, demote_carried=ft.leans_on_zero[i])
        rule = BY_CODE.get(diagnosis.code) if diagnosis.code else None
        result.update(misconception=diagnosis.code, also=diagnosis.also,
                      upstream=diagnosis.upstream, ambiguous=diagnosis.ambiguous,
                      rule=diagnosis.rule, explanation=safe_explanation(
                          diagnosis.explanation, rule.summary if rule else None, solved, i,
                          ask))
    if diagnosis.code == "upstream_carried":
        if ft.leans_on_zero[i]:
            result["explanation"] += " " + (
                _("Consistency with a gradient of 0 earns no credit.") if ask == "grad" else
                _("Consistency with a value of 0 earns no credit."))
        else:
            result["credit"] = float(policy.follow_through_credit)
        make = partial(carried_hint, solved, i, ft.origin[i])
    else:
        make = partial(hint, solved, i)
    pieces = safe_hint(make(policy.hint_level, ask), solved, i, policy.hint_level, ask)
    if pieces is not None:
        result["hint"], result["hint_latex"] = pieces
        if policy.hint_level > FORMULA_LEVEL:
            # The worked numbers end in the correct value; the formula never works one out.
            result["hint_formula"], result["hint_formula_latex"] = safe_hint(
                make(FORMULA_LEVEL, ask), solved, i, FORMULA_LEVEL, ask)
    return result


def _site(solved: Solved, i: int, ask: str, truth: float, ft: FollowThrough,
          own: bool, eta: float | None = None, authored: tuple = ()) -> Site | None:
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
                sum(e.path for e in edges), eta, authored)
