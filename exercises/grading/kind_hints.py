"""Hints and explanations for the local, update and nudge kinds, as (plain text, LaTeX).

The same three levels as the gradient hints (hints.py): 1 says what is asked, 2 adds the
rule (the gate's rule for a local derivative, the update or nudge formula with the
numbers the exercise gives), 3 works the numbers through to the correct value. Each level
includes the ones below it. Hints name only the solution's own nodes.
"""

from __future__ import annotations

from collections.abc import Callable

from exercises.engine import numbers

from .gate_rules import gate_rule
from .i18n import _, language, phrase
from .notation import Piece, definition, join, latex_name, local_formula, math, partial_parts
from .notation import prose as text
from .solution import Solved

DIGITS = 8  # update and nudge answers are graded on 5 significant figures: show more


def _cached(kind: str, levels: Callable[[Solved, str], list[Callable[[], Piece]]],
            solved: Solved, key: str, level: int) -> Piece | None:
    if level <= 0:
        return None
    level = min(level, 3)
    # A hint is cached in the language it was written in (as hints.py does).
    cache_key = (kind, key, level, language())
    cached = solved.hints.get(cache_key)
    if cached is None:
        top = levels(solved, key)[level - 1]()
        below = _cached(kind, levels, solved, key, level - 1)
        cached = top if below is None else join([below, top], " ")
        solved.hints[cache_key] = cached
    return cached


def _n(value: float) -> str:
    return numbers.format_number(value, DIGITS)


def _operand(value: float) -> str:
    shown = _n(value)
    return f"({shown})" if shown.startswith("-") else shown


def _name(label: str) -> Piece:
    return math(label, latex_name(label))


def _edge(solved: Solved, key: str) -> tuple[int, int, list[int]]:
    from .kinds import edge  # kinds imports this module for its explanations

    return edge(solved, key)


# -- local ------------------------------------------------------------------------------------


def local_hint(solved: Solved, key: str, level: int) -> Piece | None:
    return _cached("local", _local_levels, solved, key, level)


def _local_levels(solved: Solved, key: str) -> list[Callable[[], Piece]]:
    c, j, positions = _edge(solved, key)
    top, node = solved.labels[c], solved.labels[j]
    d = partial_parts(top, node)

    def what() -> Piece:
        return phrase(_("{d} is the local derivative at {definition}: how {top} changes when "
                        "{node} alone is nudged, every other input held fixed. It has no "
                        "upstream gradient in it."),
                      d=math(*d), definition=definition(solved, c), top=_name(top),
                      node=_name(node))

    def rule() -> Piece:
        gate = gate_rule(solved.ops[c]) or _(
            "differentiate {top}'s expression with respect to {node}, treating every other "
            "name as a number").format(top=top, node=node)
        pieces = [text(gate[:1].upper() + gate[1:].rstrip(".") + ".")]
        if len(positions) > 1:
            pieces += [text(" "), phrase(_("{node} is {count} of the inputs of {top}: add "
                                           "the local derivative of each use."),
                                         node=_name(node), count=text(str(len(positions))),
                                         top=_name(top))]
        return join(pieces)

    def worked() -> Piece:
        formulas = [local_formula(solved, c, p) for p in positions]
        values = [local_formula(solved, c, p, values=True) for p in positions]
        total = _n(sum(solved.local[c][p] for p in positions))
        steps = [tuple(" + ".join(f[k] for f in formulas) for k in (0, 1)),
                 tuple(" + ".join(v[k] for v in values) for k in (0, 1)), (total, total)]
        if " if " in steps[1][0]:  # a relu's or abs's case formula: no numbers to put in
            del steps[1]
        shown = [s for k, s in enumerate(steps) if s[0] not in [t[0] for t in steps[:k]]]
        return phrase(_("Here {worked}."), worked=math(
            " = ".join([d[0]] + [s[0] for s in shown]),
            " = ".join([d[1]] + [s[1] for s in shown])))

    return [what, rule, worked]


def local_with_upstream(solved: Solved, key: str) -> str:
    c, j, _unused = _edge(solved, key)
    top, node, out = solved.labels[c], solved.labels[j], solved.labels[solved.output]
    return _("That is the share of ∂{out}/∂{node} through this edge, ∂{out}/∂{top}·∂{top}/∂"
             "{node}: the local derivative ∂{top}/∂{node} is the gate's own factor, without "
             "the upstream gradient ∂{out}/∂{top}.").format(out=out, node=node, top=top)


def local_own_value(solved: Solved, key: str) -> str:
    c, j, _unused = _edge(solved, key)
    top, node = solved.labels[c], solved.labels[j]
    return _("That is {node}'s own value; the local derivative ∂{top}/∂{node} is how much "
             "{top} changes per unit nudge of {node}, which is not {node} itself.").format(
        node=node, top=top)


# -- update -----------------------------------------------------------------------------------


def update_hint(solved: Solved, key: str, level: int) -> Piece | None:
    return _cached("update", _update_levels, solved, key, level)


def _update_levels(solved: Solved, key: str) -> list[Callable[[], Piece]]:
    frozen = solved.frozen["update"]
    rate = frozen["learning_rate"]
    i = solved.index[key]
    out = solved.labels[solved.output]
    d = partial_parts(out, key)
    w = latex_name(key)
    rule_t, rule_l = f"{key} − η·{d[0]}", f"{w} - \\eta \\cdot {d[1]}"

    def what() -> Piece:
        return phrase(_("Gradient descent moves each parameter a small step against its "
                        "gradient: the new {w} is {rule}."),
                      w=_name(key), rule=math(rule_t, rule_l))

    def rule() -> Piece:
        return phrase(_("Here {rate} and {w} are given: find {d} by the backward pass, then "
                        "subtract η times it from {name}."),
                      rate=math(f"η = {_n(rate)}", f"\\eta = {_n(rate)}"),
                      w=math(f"{key} = {_n(solved.data[i])}", f"{w} = {_n(solved.data[i])}"),
                      d=math(*d), name=_name(key))

    def worked() -> Piece:
        worked_t = f"{_n(solved.data[i])} − {_n(rate)}·{_operand(solved.grad[i])}"
        worked_l = f"{_n(solved.data[i])} - {_n(rate)} \\cdot {_operand(solved.grad[i])}"
        new = _n(frozen["new"][key])
        return phrase(_("With {d}, the new value is {worked}."),
                      d=math(f"{d[0]} = {_n(solved.grad[i])}", f"{d[1]} = {_n(solved.grad[i])}"),
                      worked=math(f"{rule_t} = {worked_t} = {new}",
                                  f"{rule_l} = {worked_l} = {new}"))

    return [what, rule, worked]


def _update_words(key: str, solved: Solved) -> tuple[str, str]:
    out = solved.labels[solved.output]
    return f"∂{out}/∂{key}", f"{key} − η·∂{out}/∂{key}"


def update_sign(solved: Solved, key: str) -> str:
    rule = _update_words(key, solved)[1]
    return _("You moved {name} along its gradient; gradient descent moves against it, "
             "{rule}.").format(name=key, rule=rule)


def update_no_rate(solved: Solved, key: str) -> str:
    _unused, rule = _update_words(key, solved)
    rate = _n(solved.frozen["update"]["learning_rate"])
    return _("You subtracted the whole gradient; scale it by the learning rate first: {rule} "
             "with η = {rate}.").format(rule=rule, rate=rate)


def update_step_only(solved: Solved, key: str) -> str:
    grad, rule = _update_words(key, solved)
    return _("That is the step −η·{grad} alone; the new value adds it to {name}: "
             "{rule}.").format(grad=grad, name=key, rule=rule)


def update_gradient(solved: Solved, key: str) -> str:
    grad, rule = _update_words(key, solved)
    return _("That is {grad} itself; the update uses it to move {name}: {rule}.").format(
        grad=grad, name=key, rule=rule)


# -- nudge ------------------------------------------------------------------------------------


def nudge_hint(solved: Solved, key: str, level: int) -> Piece | None:
    return _cached("nudge", _nudge_levels, solved, key, level)


def _nudge_levels(solved: Solved, key: str) -> list[Callable[[], Piece]]:
    frozen = solved.frozen["nudge"]
    x, h = frozen["input"], frozen["h"]
    out = solved.labels[solved.output]
    xl, ol = latex_name(x), latex_name(out)
    at_t, at_l = f"{out}({x} + h)", f"{ol}({xl} + h)"
    slope_t = f"({at_t} − {out}({x}))/h"
    slope_l = f"\\frac{{{at_l} - {ol}({xl})}}{{h}}"
    if key == "nudged":
        moved = (f"{x} + h = {_n(solved.data[solved.index[x]])} + {_operand(h)} = "
                 f"{_n(solved.data[solved.index[x]] + h)}")
        moved_l = (f"{xl} + h = {_n(solved.data[solved.index[x]])} + {_operand(h)} = "
                   f"{_n(solved.data[solved.index[x]] + h)}")
        return [
            lambda: phrase(_("Nudge the input: run the forward pass again with {x} replaced "
                             "by {moved}, every other input unchanged, and read the output "
                             "{out}."),
                           x=_name(x), moved=math(f"{x} + h", f"{xl} + h"), out=_name(out)),
            lambda: phrase(_("Here {moved}."), moved=math(moved, moved_l)),
            lambda: phrase(_("The forward pass from there gives {nudged}."),
                           nudged=math(f"{at_t} = {_n(frozen['nudged'])}",
                                       f"{at_l} = {_n(frozen['nudged'])}")),
        ]
    base = _n(solved.data[solved.output])
    return [
        lambda: phrase(_("The slope estimate is the change in the output over the change in "
                         "the input: {slope}."), slope=math(slope_t, slope_l)),
        lambda: phrase(_("{base} is the output's forward value and {h}."),
                       base=math(f"{out}({x}) = {base}", f"{ol}({xl}) = {base}"),
                       h=math(f"h = {_n(h)}", f"h = {_n(h)}")),
        lambda: phrase(_("So {worked}."), worked=math(
            f"{slope_t} = ({_n(frozen['nudged'])} − {_operand(solved.data[solved.output])})/"
            f"{_operand(h)} = {_n(frozen['slope'])}",
            f"{slope_l} = \\frac{{{_n(frozen['nudged'])} - "
            f"{_operand(solved.data[solved.output])}}}{{{_operand(h)}}} = "
            f"{_n(frozen['slope'])}")),
    ]


def _nudge_names(solved: Solved) -> tuple[str, str]:
    return solved.frozen["nudge"]["input"], solved.labels[solved.output]


def nudge_unchanged(solved: Solved, key: str) -> str:
    x, out = _nudge_names(solved)
    return _("That is the output before the nudge, {out}({x}); run the forward pass again "
             "with {x} + h.").format(out=out, x=x)


def nudge_output_plus_h(solved: Solved, key: str) -> str:
    x, out = _nudge_names(solved)
    return _("You added h to the output {out}; nudge the input {x} by h instead and run the "
             "forward pass again.").format(out=out, x=x)


def slope_not_divided(solved: Solved, key: str) -> str:
    x, out = _nudge_names(solved)
    return _("That is the change in the output, {out}({x} + h) − {out}({x}); the slope "
             "divides it by h.").format(out=out, x=x)


def slope_is_derivative(solved: Solved, key: str) -> str:
    x, out = _nudge_names(solved)
    return _("That is ∂{out}/∂{x}, the exact derivative at {x}; the nudge's slope "
             "({out}({x} + h) − {out}({x}))/h differs from it where {out} curves, and it is "
             "what the derivative is checked against.").format(out=out, x=x)
