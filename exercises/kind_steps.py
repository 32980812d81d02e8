"""The step-through of a local, update or nudge exercise: its steps in order, each with the
key it checks, how it is written and the numbers it uses, all in the program's own names.

    local   the chain boxes in backward order (∂L/∂a2, ∂a2/∂z2, …, ∂z1/∂w1), then, when
            they are one node's path to the output, their product: that node's gradient
    update  per parameter: its gradient ∂L/∂w, then its new value w − η·∂L/∂w
    nudge   L(x), known from the graph; then L(x + h) ("nudged"); then the slope

Each step that checks something names a key the server takes as a step check: an asked
key, or a gradient on the way ("grad:w1", `exercise_kinds.step_keys`). The numbers a step
shows are the ones the learner's graph already shows (the data, η, h) or the learner's own
checked answers (a `key` the page fills in once it is right): never a gradient, a local
derivative or a frozen answer. The words around the maths are the page's (quiz.js).
"""

from __future__ import annotations

import re

from . import exercise_kinds
from .engine.numbers import format_number
from .grading import Solved, prepare
from .grading.kinds import chain_keys, gradient_key
from .grading.notation import expression
from .models import Ask, Exercise

STEP_KINDS = (Ask.LOCAL, Ask.UPDATE, Ask.NUDGE)
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_INDEXED = re.compile(r"^([A-Za-z]+)_?(\d+)$")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def pretty(name: str) -> str:
    """w1 → w₁, z_2 → z₂ (as quiz.js's `pretty` writes the grad step-through's chain)."""
    match = _INDEXED.match(name)
    return match[1] + match[2].translate(SUBSCRIPTS) if match else name


def _pretty_text(text: str) -> str:
    return _NAME.sub(lambda m: pretty(m[0]), text)


def partial(top: str, bottom: str) -> str:
    return f"∂{pretty(top)}/∂{pretty(bottom)}"


def _number(value: float) -> str:
    return format_number(value, 6)


def _given(label: str, value: float) -> dict:
    return {"label": label, "value": _number(value)}


def _checked(label: str, key: str) -> dict:
    return {"label": label, "key": key}


def _step(key: str | None, label: str, formula: str, known: list[dict], **more) -> dict:
    return {"key": key, "label": label, "formula": formula, "known": known, **more}


def steps(exercise: Exercise, solution: dict) -> list[dict] | None:
    """The exercise's steps ({key, label, formula, known, box}; a step with key None is
    known, with its `value`), or None for the kinds the graph's own step-through walks."""
    if exercise.ask not in STEP_KINDS:
        return None
    solved = prepare(solution)
    asked = exercise_kinds.asked_keys(exercise, solved)
    build = {Ask.LOCAL: _local, Ask.UPDATE: _update, Ask.NUDGE: _nudge}[exercise.ask]
    plan = build(exercise, solved, asked, solution)
    for step in plan:
        step["box"] = step["key"] in asked
    return plan


def _edge_formula(solved: Solved, key: str) -> tuple[str, list[dict]]:
    """∂z2/∂a1 = ∂(w2·a1 + b2)/∂a1, with the values the line reads (and its own)."""
    top, _, bottom = key.partition("/")
    c = solved.index[top]
    text = _pretty_text(expression(solved, c)[0])
    known, seen = [], set()
    for j in (*solved.inputs[c], c):
        if solved.kinds[j] != "const" and j not in seen:
            seen.add(j)
            known.append(_given(pretty(solved.names[j]), solved.data[j]))
    return f"{partial(top, bottom)} = ∂({text})/∂{pretty(bottom)}", known


def _local(exercise: Exercise, solved: Solved, asked: list[str], solution: dict) -> list[dict]:
    path = exercise_kinds.chain(exercise, solved)
    plan = []
    for key in path or asked:
        top, _, bottom = key.partition("/")
        formula, known = _edge_formula(solved, key)
        plan.append(_step(key, partial(top, bottom), formula, known))
    if path:  # one node's path to the output: the boxes' product is its gradient
        out = solved.names[solved.output]
        start = path[-1].partition("/")[2]
        factors = [partial(*key.split("/", 1)) for key in path]
        plan.append(_step(gradient_key(start), partial(out, start),
                          f"{partial(out, start)} = {' · '.join(factors)}",
                          [_checked(f, key) for f, key in zip(factors, path, strict=True)]))
    return plan


def gradient_formula(solved: Solved, name: str) -> str:
    """∂L/∂node written as the chain rule at the program's granularity: the product along
    its one path to the output (the notes' five boxes for w1), or a sum over the nodes
    that read it."""
    out = solved.names[solved.output]
    path = chain_keys(solved, name)
    if path and len(path) > 1:
        return f"{partial(out, name)} = {' · '.join(partial(*k.split('/', 1)) for k in path)}"
    terms = []
    for c in dict.fromkeys(c for c, _ in solved.consumers[solved.index[name]]):
        if c == solved.output:  # straight into the output: its line differentiated
            text = _pretty_text(expression(solved, c)[0])
            terms.append(f"∂({text})/∂{pretty(name)}")
        else:
            terms.append(f"{partial(out, solved.names[c])}·{partial(solved.names[c], name)}")
    return f"{partial(out, name)} = {' + '.join(terms)}"


def _update(exercise: Exercise, solved: Solved, asked: list[str], solution: dict) -> list[dict]:
    out = solved.names[solved.output]
    rate = solution[Ask.UPDATE]["learning_rate"]
    plan = []
    for name in asked:
        gradient = gradient_key(name)
        plan.append(_step(gradient, partial(out, name), gradient_formula(solved, name), []))
        w = pretty(name)
        plan.append(_step(name, f"{w} − η·{partial(out, name)}",
                          f"{w} ← {w} − η·{partial(out, name)}",
                          [_given(w, solved.data[solved.index[name]]), _given("η", rate),
                           _checked(partial(out, name), gradient)]))
    return plan


def _nudge(exercise: Exercise, solved: Solved, asked: list[str], solution: dict) -> list[dict]:
    frozen = solution[Ask.NUDGE]
    out, x, h = pretty(solved.names[solved.output]), pretty(frozen["input"]), frozen["h"]
    value_x = solved.data[solved.index[frozen["input"]]]
    base = solved.data[solved.output]
    before, after = f"{out}({x})", f"{out}({x} + h)"
    plan = [_step(None, before, before, [_given(x, value_x)], value=_number(base))]
    if "nudged" in asked:
        plan.append(_step("nudged", after, after,
                          [_given(f"{x} + h", value_x + h), _given("h", h)]))
    if "slope" in asked:
        known = [_checked(after, "nudged")] if "nudged" in asked else []
        plan.append(_step("slope", f"({after} − {before})/h", f"({after} − {before})/h",
                          [*known, _given(before, base), _given("h", h)]))
    return plan
