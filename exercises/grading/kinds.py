"""Exercise kinds: what a learner is asked for, one `Kind` entry each.

    grad    ∂L/∂node for each node                     keys: node names
    data    each op node's forward value               keys: node names
    local   the local derivative on each edge          keys: "z2/a1" (∂z2/∂a1)
    update  one gradient-descent step, w − η·∂L/∂w     keys: parameter names
    nudge   the output with one input nudged by h,     keys: "nudged", "slope"
            and the slope (L(x + h) − L(x))/h

An entry says which keys its exercise can ask and asks by default, how a key's answer is
graded, its default tolerance, and, for the kinds that need numbers beyond data, grads and
locals, how those are frozen into the solution when a variant is made (`freeze`), so the
grader reads them and never re-solves. Adding a kind is one `Kind(...)` entry in `KINDS`.
Pure Python, no Django.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from exercises.engine import training
from exercises.engine.graph import CONST, INPUT, OP, Graph
from exercises.engine.numbers import exact_text

from . import kind_hints
from .answers import read_answer
from .hints import FORMULA_LEVEL
from .i18n import _
from .nodes import empty_result, grade_nodes, node_keys
from .policy import GradingPolicy
from .solution import Solved
from .verdicts import Tolerance

DEFAULT_H = "0.001"  # the notes' nudge ("The Math You Need")
# A 1 % tolerance would take an unchanged weight for its update, and 7 for 7.003.
FIVE_FIGURES = Tolerance.significant(5)


class SettingError(ValueError):
    """A kind's setting that does not fit the program; `field` names the setting
    ("learning_rate", "parameters" or "nudge")."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Settings:
    """An exercise's settings for the kinds that need more than its program."""

    learning_rate: object = None  # update: η (a number, or text like "1/2")
    parameters: tuple[str, ...] | None = None  # update: None means every input
    nudge_input: str | None = None  # nudge: the input x
    nudge_h: object = None  # nudge: the step h (default 0.001)


@dataclass(frozen=True, slots=True)
class Slip:
    """A wrong answer a kind recognises: the number a learner with this slip would give
    for a key (None: not applicable here) and what to tell them."""

    code: str
    candidate: Callable[[Solved, str], float | None]
    explanation: Callable[[Solved, str], str]


@dataclass(frozen=True)
class Kind:
    name: str
    what: str  # what a key names, for messages ("node", "edge", ...)
    keys: Callable[[Solved], list[str]]  # every key the kind can ask, in asking order
    grade: Callable[[Solved, list[str], dict, GradingPolicy], dict[str, dict]]
    truth: Callable[[Solved, str], float]  # a key's correct value
    tolerance: Tolerance = field(default_factory=Tolerance)  # unless the policy sets one
    default_keys: Callable[[Solved], list[str]] | None = None  # None: every key
    freeze: Callable[[Graph, Settings], dict] | None = None  # solution[name] at variant time

    def asked(self, solved: Solved, asked: list[str] | None) -> list[str]:
        """The keys to grade: `asked` checked against the kind's keys, or the default."""
        if asked is None:
            keys = (self.default_keys or self.keys)(solved)
        else:
            if not isinstance(asked, list | tuple) or not all(isinstance(k, str) for k in asked):
                raise ValueError(f"asked must be a list of {self.what} names")
            known = set(self.keys(solved))
            unknown = [key for key in asked if key not in known]
            if unknown:
                raise ValueError(f"asked about unknown {self.what}(s): "
                                 f"{', '.join(map(str, unknown))}")
            keys = list(dict.fromkeys(asked))
        if not keys:
            raise ValueError(f"nothing to grade: no {self.what}s are asked")
        return keys

    def solution(self, graph: Graph, settings: Settings | None = None) -> dict:
        """The stored solution of a solved graph for an exercise of this kind."""
        solution = graph.to_solution()
        if self.freeze is not None:
            solution[self.name] = self.freeze(graph, settings or Settings())
        return solution


# -- grading one key at a time (local, update, nudge) -----------------------------------------


def _grade_keys(truth: Callable[[Solved, str], float], slips: tuple[Slip, ...],
                hint: Callable[[Solved, str, int], tuple[str, str] | None],
                solved: Solved, keys: list[str], answers: dict,
                policy: GradingPolicy) -> dict[str, dict]:
    tol = policy.tolerance
    results = {}
    for key in keys:
        answer = read_answer(answers.get(key))
        result = results[key] = empty_result(answer)
        if not answer.valid:
            continue  # invalid is not wrong: no diagnosis, no hint, just the error
        expected = truth(solved, key)
        if not answer.missing and tol.close(answer.value, expected):
            result.update(correct=True, credit=1.0)
            continue
        if answer.missing:
            result["explanation"] = _("No answer was given.")
        else:
            fits = [slip for slip in slips
                    if (c := slip.candidate(solved, key)) is not None
                    and not tol.close(c, expected) and tol.close(answer.value, c)]
            if fits:
                result.update(misconception=fits[0].code,
                              explanation=fits[0].explanation(solved, key),
                              also=[slip.code for slip in fits[1:]])
        pieces = hint(solved, key, policy.hint_level)
        if pieces is not None:
            result["hint"], result["hint_latex"] = pieces
            if policy.hint_level > FORMULA_LEVEL:
                result["hint_formula"], result["hint_formula_latex"] = hint(
                    solved, key, FORMULA_LEVEL)
    return results


# -- local: ∂consumer/∂input on each edge --------------------------------------------------


def edge_key(consumer: str, node: str) -> str:
    return f"{consumer}/{node}"


def local_keys(solved: Solved) -> list[str]:
    """One key per edge from a non-constant node into an op, output first (the order the
    backward pass meets them); a node read twice by one op is one edge."""
    keys = []
    for c in range(len(solved) - 1, -1, -1):
        if solved.kinds[c] == OP:
            keys += [edge_key(solved.names[c], solved.names[j]) for j in solved.inputs[c]
                     if solved.kinds[j] != CONST]
    return list(dict.fromkeys(keys))


def edge(solved: Solved, key: str) -> tuple[int, int, list[int]]:
    """(consumer, node, the node's input positions at the consumer) for "consumer/node"."""
    top, _slash, bottom = key.partition("/")
    c, j = solved.index[top], solved.index[bottom]
    return c, j, [p for p, k in enumerate(solved.inputs[c]) if k == j]


def chain_keys(solved: Solved, name: str) -> list[str] | None:
    """The edges of the one path from node `name` to the output, output first: the notes'
    chain boxes (∂L/∂a2·∂a2/∂z2·…·∂z1/∂w1 for w1). None when more than one path (or none)
    leads from it to the output, where a gradient is a sum of such products."""
    i, path = solved.index[name], []
    while i != solved.output:
        consumers = {c for c, _position in solved.consumers[i]}
        if len(consumers) != 1:
            return None
        (c,) = consumers
        path.append(edge_key(solved.names[c], solved.names[i]))
        i = c
    return path[::-1]


# -- step-through: a gradient checked on the way (not an asked box) ---------------------------

GRADIENT_PREFIX = "grad:"  # "grad:w1" is ∂L/∂w1: node names never hold a colon


def gradient_key(name: str) -> str:
    """The step key of node `name`'s gradient: the product a local chain ends with, or the
    ∂L/∂w an update step uses. Checked in a step-through only, never a full answer."""
    return f"{GRADIENT_PREFIX}{name}"


def gradient_of(key: str) -> str | None:
    """The node a gradient step key names ("grad:w1" → "w1"); None for any other key."""
    return key[len(GRADIENT_PREFIX):] if key.startswith(GRADIENT_PREFIX) else None


def local_truth(solved: Solved, key: str) -> float:
    c, _node, positions = edge(solved, key)
    return sum(solved.local[c][p] for p in positions)


def _with_upstream(solved: Solved, key: str) -> float | None:
    c = edge(solved, key)[0]
    return None if c == solved.output else solved.grad[c] * local_truth(solved, key)


def _own_value(solved: Solved, key: str) -> float | None:
    return solved.data[edge(solved, key)[1]]


LOCAL_SLIPS = (
    Slip("local_with_upstream", _with_upstream, kind_hints.local_with_upstream),
    Slip("local_own_value", _own_value, kind_hints.local_own_value),
)


# -- update: w − η·∂L/∂w ---------------------------------------------------------------------


def _freeze_update(graph: Graph, settings: Settings) -> dict:
    if settings.learning_rate is None:
        raise SettingError("an update exercise needs a learning_rate", "learning_rate")
    try:
        rate = training.exact(settings.learning_rate, "learning_rate")
    except ValueError as exc:
        raise SettingError(str(exc), "learning_rate") from None
    if rate <= 0:
        raise SettingError("learning_rate must be greater than 0", "learning_rate")
    parameters = _parameters(graph, settings.parameters)
    try:
        new = training.gradient_step(graph, rate, parameters)
    except ArithmeticError as exc:
        raise SettingError(f"the update is too large to compute: {exc}", "learning_rate") from None
    return {"learning_rate": float(rate), "learning_rate_exact": exact_text(rate),
            "parameters": parameters, "new": {name: float(v) for name, v in new.items()},
            "new_exact": {name: exact_text(v) for name, v in new.items()}}


def _parameters(graph: Graph, names) -> list[str]:
    if names is None:
        names = training.inputs(graph)
    elif isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise SettingError("parameters must be a list of input names", "parameters")
    names = list(dict.fromkeys(names))
    bad = [n for n in names if n not in graph.index_of or graph[n].kind != INPUT]
    if bad:
        raise SettingError(f"parameters must be inputs of the program (not constants or "
                           f"computed nodes): {', '.join(map(str, bad))}", "parameters")
    if not names:
        raise SettingError("an update exercise needs at least one parameter (a non-constant "
                           "input)", "parameters")
    return names


def update_keys(solved: Solved) -> list[str]:
    return list(_frozen(solved, "update")["parameters"])


def update_truth(solved: Solved, key: str) -> float:
    return _frozen(solved, "update")["new"][key]


def _rate(solved: Solved) -> float:
    return _frozen(solved, "update")["learning_rate"]


def _weight(solved: Solved, key: str) -> tuple[float, float]:
    i = solved.index[key]
    return solved.data[i], solved.grad[i]


UPDATE_SLIPS = (
    Slip("update_sign", lambda s, k: _weight(s, k)[0] + _rate(s) * _weight(s, k)[1],
         kind_hints.update_sign),
    Slip("update_no_rate", lambda s, k: _weight(s, k)[0] - _weight(s, k)[1],
         kind_hints.update_no_rate),
    Slip("update_step_only", lambda s, k: -_rate(s) * _weight(s, k)[1],
         kind_hints.update_step_only),
    Slip("update_gradient", lambda s, k: _weight(s, k)[1], kind_hints.update_gradient),
)


# -- nudge: L(x + h) and (L(x + h) − L(x))/h -------------------------------------------------

NUDGE_KEYS = ("nudged", "slope")


def _freeze_nudge(graph: Graph, settings: Settings) -> dict:
    name = settings.nudge_input
    if not name:
        raise SettingError("a nudge exercise needs the input to nudge", "nudge")
    if not isinstance(name, str) or name not in graph.index_of or graph[name].kind != INPUT:
        raise SettingError(f"the nudged input must be an input of the program, not {name!r}",
                           "nudge")
    try:
        h = training.exact(DEFAULT_H if settings.nudge_h is None else settings.nudge_h, "h")
        if h == 0:
            raise ValueError("the nudge h must not be 0")
        nudged, slope = training.nudge(graph, name, h)
    except (ValueError, ArithmeticError) as exc:  # ProgramError too: out of the domain
        raise SettingError(str(exc), "nudge") from None
    return {"input": name, "h": float(h), "h_exact": exact_text(h),
            "nudged": float(nudged), "nudged_exact": exact_text(nudged),
            "slope": float(slope), "slope_exact": exact_text(slope)}


def nudge_truth(solved: Solved, key: str) -> float:
    return _frozen(solved, "nudge")[key]


def _base(solved: Solved) -> float:
    return solved.data[solved.output]


def _nudge_slip(key: str, value: Callable[[Solved], float]):
    return lambda solved, k: value(solved) if k == key else None


NUDGE_SLIPS = (
    Slip("nudge_unchanged", _nudge_slip("nudged", _base), kind_hints.nudge_unchanged),
    Slip("nudge_output_plus_h",
         _nudge_slip("nudged", lambda s: _base(s) + _frozen(s, "nudge")["h"]),
         kind_hints.nudge_output_plus_h),
    Slip("slope_not_divided",
         _nudge_slip("slope", lambda s: _frozen(s, "nudge")["nudged"] - _base(s)),
         kind_hints.slope_not_divided),
    Slip("slope_is_derivative",
         _nudge_slip("slope", lambda s: s.grad[s.index[_frozen(s, "nudge")["input"]]]),
         kind_hints.slope_is_derivative),
)


def _frozen(solved: Solved, name: str) -> dict:
    entry = solved.frozen.get(name)
    if not isinstance(entry, dict):
        raise ValueError(f"the solution has no frozen {name!r} entry: make the variant with "
                         f"the {name} kind's settings")
    return entry


# -- the registry ----------------------------------------------------------------------------

def _per_node(name: str) -> Kind:
    """grad or data: one answer per node, graded with follow-through (nodes.py)."""
    values = "grad" if name == "grad" else "data"
    return Kind(name, "node", node_keys, partial(grade_nodes, ask=name),
                lambda solved, key: getattr(solved, values)[solved.index[key]],
                default_keys=lambda solved: [solved.names[i] for i in solved.default_asked(name)])


def _per_key(name: str, what: str, keys, truth, slips, hint, **options) -> Kind:
    return Kind(name, what, keys, partial(_grade_keys, truth, slips, hint), truth, **options)


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    _per_node("grad"),
    _per_node("data"),
    _per_key("local", "edge", local_keys, local_truth, LOCAL_SLIPS, kind_hints.local_hint),
    _per_key("update", "parameter", update_keys, update_truth, UPDATE_SLIPS,
             kind_hints.update_hint, tolerance=FIVE_FIGURES, freeze=_freeze_update),
    _per_key("nudge", "answer", lambda solved: list(NUDGE_KEYS), nudge_truth, NUDGE_SLIPS,
             kind_hints.nudge_hint, tolerance=FIVE_FIGURES, freeze=_freeze_nudge),
)}
SLIP_CODES = tuple(slip.code for slips in (LOCAL_SLIPS, UPDATE_SLIPS, NUDGE_SLIPS)
                   for slip in slips)


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except (KeyError, TypeError):
        raise ValueError(f"ask must be one of {', '.join(KINDS)}") from None
