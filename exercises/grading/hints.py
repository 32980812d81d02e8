"""Hints from the chain rule at one node, in three levels, as plain text and LaTeX.

    1 nudge    which gate/rule applies and which operations the node feeds
    2 formula  ∂L/∂x = ∂L/∂y·∂y/∂x + ∂L/∂z·∂z/∂x, with the local derivatives as formulas
    3 numbers  the same with the solution's numbers, ending in the node's value

Each level includes the ones below it, so a level-2 hint reads on its own. Level 3 works
the numbers through to the node's correct value (the product decides when to show it; until
then the grader's `hint_formula`, the level-2 hint, stands in for it). Levels 1 and 2 work
no number out from the data: they write names, the graph's own constants, a power gate's
exponent (and it less one) and the fixed numbers of the gate rules (1, −1, 0). So where a
node feeds the output through a gate whose local derivative is one of those, as in
L = a × 3 or L = a + b, the formula (∂L/∂a = 3, = 1) is also its gradient, but only ever
as a number the graph or the gate's rule shows anyway.
The wording keeps the notes' gate vocabulary: add distributes, multiply swaps, branch
sums, max routes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from .notation import (
    Piece,
    definition,
    expression,
    join,
    latex_name,
    local_formula,
    math,
    number,
    number_operand,
    partial_parts,
    prose,
)
from .solution import Solved

_COUNT_WORDS = {2: "two", 3: "three", 4: "four", 5: "five"}
FORMULA_LEVEL = 2  # the highest level that works no numbers through
TOP_LEVEL = 3


def hint(solved: Solved, i: int, level: int, ask: str = "grad") -> Piece | None:
    if level <= 0:
        return None
    level = min(level, TOP_LEVEL)
    key = (i, level, ask)
    cached = solved.hints.get(key)
    if cached is None:
        build = _grad_levels if ask == "grad" else _data_levels
        top = build(solved, i)[level - 1]()
        # Each level is the one below it and one more part: build on the cached one.
        cached = top if level == 1 else join([hint(solved, i, level - 1, ask), top], " ")
        solved.hints[key] = cached
    return cached


def carried_hint(solved: Solved, i: int, origin: int, level: int,
                 ask: str = "grad") -> Piece | None:
    """For upstream_carried: point at the node where the error started, then help there."""
    if level <= 0:
        return None
    x, o = solved.labels[i], solved.labels[origin]
    lead = join([
        prose("Your answer for "), math(x, latex_name(x)),
        prose(" follows from your own answer for "), math(o, latex_name(o)),
        prose(", and that is where the error started: fix "), math(o, latex_name(o)),
        prose(" first. "), prose("For "), math(o, latex_name(o)), prose(": "),
    ])
    return join([lead, hint(solved, origin, level, ask)])


# -- gradients --------------------------------------------------------------------------


def _grad_levels(solved: Solved, i: int) -> list[Callable[[], Piece]]:
    """The three levels, each built only if the policy shows it."""
    out, x = solved.labels[solved.output], solved.labels[i]
    d_out = partial_parts(out, x)
    if i == solved.output:
        return [
            lambda: join([math(x, latex_name(x)), prose(" is the output, where the backward "
                          "pass starts: how much does "), math(x, latex_name(x)),
                          prose(" change when you nudge "), math(x, latex_name(x)),
                          prose(" itself?")]),
            lambda: join([prose("That is "), math(*d_out), prose(", the derivative of "),
                          math(x, latex_name(x)), prose(" with respect to itself.")]),
            lambda: math(f"{d_out[0]} = 1", f"{d_out[1]} = 1"),
        ]
    edges = solved.consumers[i]
    if not edges:
        return [
            lambda: join([math(x, latex_name(x)), prose(" feeds no operation on the way to "),
                          math(out, latex_name(out)), prose(", so nudging it cannot change "),
                          math(out, latex_name(out)), prose(".")]),
            lambda: prose("No path leads to the output, so the chain rule has no terms."),
            lambda: math(f"{d_out[0]} = 0", f"{d_out[1]} = 0"),
        ]
    return [partial(build, solved, i, edges)
            for build in (_grad_nudge, _grad_formula, _grad_numbers)]


def _grad_nudge(solved: Solved, i: int, edges) -> Piece:
    x, out = solved.labels[i], solved.labels[solved.output]
    consumers = list(dict.fromkeys(c for c, _ in edges))
    defs = [definition(solved, c) for c in consumers]
    pieces = [math(x, latex_name(x))]
    if len(consumers) == 1 and len(edges) == 1:
        c = consumers[0]
        pieces += [prose(" feeds one operation, "), defs[0], prose(". "),
                   prose(_sentence(solved.ops[c].gate))]
        if c == solved.output:
            pieces += [prose(" "), math(out, latex_name(out)), prose(" is the output, so the "
                       "gradient of "), math(x, latex_name(x)), prose(" is just this gate's "
                       "local derivative.")]
        else:
            pieces += [prose(" Multiply the upstream gradient "),
                       math(*partial_parts(out, solved.labels[c])),
                       prose(" by the local derivative "),
                       math(*partial_parts(solved.labels[c], x)), prose(".")]
        return join(pieces)
    count = _COUNT_WORDS.get(len(consumers), str(len(consumers)))
    if len(consumers) == 1:
        pieces += [prose(" is more than one input of "), defs[0],
                   prose(": each use is a path to the output")]
    else:
        listed = _and([d for d in defs])
        pieces += [prose(f" feeds {count} operations ("), listed, prose(")")]
    pieces.append(prose("; a gradient sums over every path (the branch gate sums)."))
    for name in dict.fromkeys(solved.ops[c].name for c in consumers):
        gate = next(solved.ops[c].gate for c in consumers if solved.ops[c].name == name)
        pieces.append(prose(" " + _sentence(gate)))
    return join(pieces)


def _grad_formula(solved: Solved, i: int, edges) -> Piece:
    x, out = solved.labels[i], solved.labels[solved.output]
    lhs = partial_parts(out, x)
    terms_t, terms_l = [], []
    for c, p in edges:
        if c == solved.output:
            # ∂L/∂L·∂L/∂x would read like the answer itself: write the local formula.
            text, latex = local_formula(solved, c, p)
            terms_t.append(text)
            terms_l.append(latex)
            continue
        up, loc = partial_parts(out, solved.labels[c]), partial_parts(solved.labels[c], x)
        terms_t.append(f"{up[0]}·{loc[0]}")
        terms_l.append(f"{up[1]} \\cdot {loc[1]}")
    pieces = [prose("By the chain rule, "),
              math(f"{lhs[0]} = {' + '.join(terms_t)}", f"{lhs[1]} = {' + '.join(terms_l)}")]
    locals_ = []
    for c, positions in _group(edges).items():
        if c == solved.output:
            continue
        loc = partial_parts(solved.labels[c], x)
        formulas = [local_formula(solved, c, p) for p in positions]
        text, latex = _formula_list(formulas)
        locals_.append(math(f"{loc[0]} = {text}", f"{loc[1]} = {latex}"))
    if locals_:
        pieces += [prose(", with "), _and(locals_)]
    # (When the output is the only consumer the nudge has said this already.)
    if len(edges) > 1 and any(c == solved.output for c, _ in edges):
        pieces += [prose(" ("), math(out, latex_name(out)), prose(" is the output, so a path "
                   "into it is just its local derivative)")]
    pieces.append(prose("."))
    return join(pieces)


def _grad_numbers(solved: Solved, i: int, edges) -> Piece:
    x, out = solved.labels[i], solved.labels[solved.output]
    locals_ = []
    for c, p in edges:
        if c == solved.output:
            continue
        loc = partial_parts(solved.labels[c], x)
        value = number(solved.local[c][p])
        worked_t, worked_l = local_formula(solved, c, p, values=True)
        if worked_t != value and "if" not in worked_t:
            locals_.append(math(f"{loc[0]} = {worked_t} = {value}",
                                f"{loc[1]} = {worked_l} = {value}"))
        else:
            locals_.append(math(f"{loc[0]} = {value}", f"{loc[1]} = {value}"))
    products = [f"{number_operand(solved.grad[c])}·{number_operand(solved.local[c][p])}"
                for c, p in edges]
    products_latex = " + ".join(t.replace("·", " \\cdot ") for t in products)
    lhs = partial_parts(out, x)
    result = number(solved.grad[i])
    total = math(f"{lhs[0]} = {' + '.join(products)} = {result}",
                 f"{lhs[1]} = {products_latex} = {result}")
    if not locals_:
        return join([prose("With the numbers, "), total, prose(".")])
    return join([prose("Here "), _and(list(dict.fromkeys(locals_))), prose(", so "), total,
                 prose(".")])


def _group(edges) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for c, p in edges:
        grouped.setdefault(c, []).append(p)
    return grouped


def _formula_list(formulas: list[tuple[str, str]]) -> tuple[str, str]:
    """One formula, or several for a node that is more than one input of the same op."""
    if len(set(formulas)) == 1:
        suffix = "" if len(formulas) == 1 else " for each of its inputs"
        text, latex = formulas[0]
        return text + suffix, latex + (f"\\text{{{suffix}}}" if suffix else "")
    text = " and ".join(f"{t} (input {k + 1})" for k, (t, _) in enumerate(formulas))
    latex = " \\text{ and } ".join(f"{t}\\ \\text{{(input {k + 1})}}"
                                   for k, (_, t) in enumerate(formulas))
    return text, latex


# -- forward values ---------------------------------------------------------------------


def _data_levels(solved: Solved, i: int) -> list[Callable[[], Piece]]:
    x = solved.labels[i]
    if solved.ops[i] is None:
        value = number(solved.data[i])
        return [
            lambda: join([math(x, latex_name(x)), prose(" is an input: its value is given in "
                                                        "the program.")]),
            lambda: prose("Read it from the program, not from a computation."),
            lambda: math(f"{x} = {value}", f"{latex_name(x)} = {value}"),
        ]
    return [partial(build, solved, i) for build in (_data_nudge, _data_formula, _data_numbers)]


def _data_nudge(solved: Solved, i: int) -> Piece:
    x = solved.labels[i]
    args = list(dict.fromkeys(solved.labels[j] for j in solved.inputs[i]))
    return join([math(x, latex_name(x)), prose(" is computed forward from "),
                 _and([math(a, latex_name(a)) for a in args]),
                 prose(": apply its operation to their values.")])


def _data_formula(solved: Solved, i: int) -> Piece:
    return join([prose("The forward pass computes "), definition(solved, i), prose(".")])


def _data_numbers(solved: Solved, i: int) -> Piece:
    x = solved.labels[i]
    worked = expression(solved, i, values=True)
    value = number(solved.data[i])
    return join([prose("With the numbers, "),
                 math(f"{x} = {worked[0]} = {value}", f"{latex_name(x)} = {worked[1]} = {value}"),
                 prose(".")])


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _and(pieces: list[Piece]) -> Piece:
    if len(pieces) <= 1:
        return join(pieces)
    return join([join(pieces[:-1], ", "), prose(" and "), pieces[-1]])
