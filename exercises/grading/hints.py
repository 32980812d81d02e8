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

from .gate_rules import gate_rule
from .i18n import _, language, phrase
from .leaks import safe_hint
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

FORMULA_LEVEL = 2  # the highest level that works no numbers through
TOP_LEVEL = 3


def _count_word(n: int) -> str:
    words = {2: _("two"), 3: _("three"), 4: _("four"), 5: _("five")}
    return words.get(n, str(n))


def hint(solved: Solved, i: int, level: int, ask: str = "grad") -> Piece | None:
    """The hint at `level`; below level 3 held to what it may show (leaks.safe_hint)."""
    if level <= 0:
        return None
    level = min(level, TOP_LEVEL)
    # A hint is cached in the language it was written in.
    key = (i, level, ask, language())
    shown = solved.hints.get(key)
    if shown is None:
        shown = solved.hints[key] = safe_hint(_as_built(solved, i, level, ask), solved, i,
                                              level, ask)
    return shown


def _as_built(solved: Solved, i: int, level: int, ask: str) -> Piece:
    """Each level is the one below it and one more part: build on the cached one."""
    key = ("built", i, level, ask, language())
    built = solved.hints.get(key)
    if built is None:
        build = _grad_levels if ask == "grad" else _data_levels
        top = build(solved, i)[level - 1]()
        built = top if level == 1 else join([_as_built(solved, i, level - 1, ask), top], " ")
        solved.hints[key] = built
    return built


def carried_hint(solved: Solved, i: int, origin: int, level: int,
                 ask: str = "grad") -> Piece | None:
    """For upstream_carried: point at the node where the error started, then help there."""
    if level <= 0:
        return None
    x, o = solved.labels[i], solved.labels[origin]
    names = {"x": math(x, latex_name(x)), "o": math(o, latex_name(o))}
    lead = join([
        phrase(_("Your answer for {x} follows from your own answer for {o}, and that is where "
                 "the error started: fix {o} first."), **names),
        prose(" "), phrase(_("For {o}:"), **names), prose(" "),
    ])
    return join([lead, hint(solved, origin, level, ask)])


# -- gradients --------------------------------------------------------------------------


def _grad_levels(solved: Solved, i: int) -> list[Callable[[], Piece]]:
    """The three levels, each built only if the policy shows it."""
    out, x = solved.labels[solved.output], solved.labels[i]
    d_out = partial_parts(out, x)
    if i == solved.output:
        return [
            lambda: phrase(_("{x} is the output, where the backward pass starts: how much "
                             "does {x} change when you nudge {x} itself?"),
                           x=math(x, latex_name(x))),
            lambda: phrase(_("That is {d}, the derivative of {x} with respect to itself."),
                           d=math(*d_out), x=math(x, latex_name(x))),
            lambda: math(f"{d_out[0]} = 1", f"{d_out[1]} = 1"),
        ]
    edges = solved.consumers[i]
    if not edges:
        return [
            lambda: phrase(_("{x} feeds no operation on the way to {out}, so nudging it "
                             "cannot change {out}."),
                           x=math(x, latex_name(x)), out=math(out, latex_name(out))),
            lambda: prose(_("No path leads to the output, so the chain rule has no terms.")),
            lambda: math(f"{d_out[0]} = 0", f"{d_out[1]} = 0"),
        ]
    return [partial(build, solved, i, edges)
            for build in (_grad_nudge, _grad_formula, _grad_numbers)]


def _grad_nudge(solved: Solved, i: int, edges) -> Piece:
    x, out = solved.labels[i], solved.labels[solved.output]
    consumers = list(dict.fromkeys(c for c, _ in edges))
    defs = [definition(solved, c) for c in consumers]
    names = {"x": math(x, latex_name(x)), "out": math(out, latex_name(out))}
    if len(consumers) == 1 and len(edges) == 1:
        c = consumers[0]
        pieces = [phrase(_("{x} feeds one operation, {op}."), op=defs[0], **names),
                  prose(" " + _sentence(gate_rule(solved.ops[c])) + " ")]
        if c == solved.output:
            pieces.append(phrase(_("{out} is the output, so the gradient of {x} is just this "
                                   "gate's local derivative."), **names))
        else:
            pieces.append(phrase(_("Multiply the upstream gradient {upstream} by the local "
                                   "derivative {local}."),
                                 upstream=math(*partial_parts(out, solved.labels[c])),
                                 local=math(*partial_parts(solved.labels[c], x))))
        return join(pieces)
    if len(consumers) == 1:
        pieces = [phrase(_("{x} is more than one input of {op}: each use is a path to the "
                           "output; a gradient sums over every path (the branch gate sums)."),
                         op=defs[0], **names)]
    else:
        pieces = [phrase(_("{x} feeds {count} operations ({ops}); a gradient sums over every "
                           "path (the branch gate sums)."),
                         count=prose(_count_word(len(consumers))), ops=_and(defs), **names)]
    for name in dict.fromkeys(solved.ops[c].name for c in consumers):
        op = next(solved.ops[c] for c in consumers if solved.ops[c].name == name)
        pieces.append(prose(" " + _sentence(gate_rule(op))))
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
    formula = math(f"{lhs[0]} = {' + '.join(terms_t)}", f"{lhs[1]} = {' + '.join(terms_l)}")
    locals_ = []
    for c, positions in _group(edges).items():
        if c == solved.output:
            continue
        loc = partial_parts(solved.labels[c], x)
        formulas = [local_formula(solved, c, p) for p in positions]
        text, latex = _formula_list(formulas)
        locals_.append(math(f"{loc[0]} = {text}", f"{loc[1]} = {latex}"))
    # (When the output is the only consumer the nudge has said this already.)
    into_output = len(edges) > 1 and any(c == solved.output for c, _p in edges)
    parts = {"formula": formula, "out": math(out, latex_name(out))}
    if locals_ and into_output:
        template = _("By the chain rule, {formula}, with {locals} ({out} is the output, so a "
                     "path into it is just its local derivative).")
    elif locals_:
        template = _("By the chain rule, {formula}, with {locals}.")
    elif into_output:
        template = _("By the chain rule, {formula} ({out} is the output, so a path into it is "
                     "just its local derivative).")
    else:
        template = _("By the chain rule, {formula}.")
    return phrase(template, locals=_and(locals_), **parts)


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
        return phrase(_("With the numbers, {total}."), total=total)
    return phrase(_("Here {locals}, so {total}."), locals=_and(list(dict.fromkeys(locals_))),
                  total=total)


def _group(edges) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for c, p in edges:
        grouped.setdefault(c, []).append(p)
    return grouped


def _formula_list(formulas: list[tuple[str, str]]) -> tuple[str, str]:
    """One formula, or several for a node that is more than one input of the same op."""
    if len(set(formulas)) == 1:
        suffix = "" if len(formulas) == 1 else " " + _("for each of its inputs")
        text, latex = formulas[0]
        return text + suffix, latex + (f"\\text{{{suffix}}}" if suffix else "")
    word, each = _("and"), _("input {k}")
    text = f" {word} ".join(f"{t} ({each.format(k=k + 1)})" for k, (t, _l) in enumerate(formulas))
    latex = f" \\text{{ {word} }} ".join(f"{t}\\ \\text{{({each.format(k=k + 1)})}}"
                                         for k, (_t, t) in enumerate(formulas))
    return text, latex


# -- forward values ---------------------------------------------------------------------


def _data_levels(solved: Solved, i: int) -> list[Callable[[], Piece]]:
    x = solved.labels[i]
    if solved.ops[i] is None:
        value = number(solved.data[i])
        return [
            lambda: phrase(_("{x} is an input: its value is given in the program."),
                           x=math(x, latex_name(x))),
            lambda: prose(_("Read it from the program, not from a computation.")),
            lambda: math(f"{x} = {value}", f"{latex_name(x)} = {value}"),
        ]
    return [partial(build, solved, i) for build in (_data_nudge, _data_formula, _data_numbers)]


def _data_nudge(solved: Solved, i: int) -> Piece:
    x = solved.labels[i]
    args = list(dict.fromkeys(solved.labels[j] for j in solved.inputs[i]))
    return phrase(_("{x} is computed forward from {args}: apply its operation to their "
                    "values."), x=math(x, latex_name(x)),
                  args=_and([math(a, latex_name(a)) for a in args]))


def _data_formula(solved: Solved, i: int) -> Piece:
    return phrase(_("The forward pass computes {definition}."), definition=definition(solved, i))


def _data_numbers(solved: Solved, i: int) -> Piece:
    x = solved.labels[i]
    worked = expression(solved, i, values=True)
    value = number(solved.data[i])
    return phrase(_("With the numbers, {total}."),
                  total=math(f"{x} = {worked[0]} = {value}",
                             f"{latex_name(x)} = {worked[1]} = {value}"))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _and(pieces: list[Piece]) -> Piece:
    if len(pieces) <= 1:
        return join(pieces)
    return phrase(_("{first} and {last}"), first=join(pieces[:-1], ", "), last=pieces[-1])
