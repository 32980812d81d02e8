"""Buggy rules at one gate: what a learner's local derivative is when they slip there.

Each function takes a `Slip` (one inner gate of a node's consumer, at one argument that
lies on a path from the node) and yields (the learner's local derivative at that gate,
the misconception in words). The catalogue (misconceptions.py) turns a slip's local into
the node's whole gradient: at gate granularity the gate is the consumer; at line
granularity it is one gate inside the consumer's line (LINES.md), and the change flows
through the line's other gates.

Words name only the program's own names (a line's text, its inputs' names) and values
the learner has on the page (a node's forward value, the learner's own number); never the
correct gradient, nor a factor whose value is the answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .gates import CONST, INPUT, Arg, Gate, Line
from .i18n import _, gettext_noop
from .notation import expression, number

Words = Callable[[float], str]  # the learner's number → the misconception in words
GateSlip = tuple[float, Words]


@dataclass(frozen=True, slots=True)
class Slip:
    site: object  # misconceptions.Site (not imported: it imports this module)
    k: int  # which of the node's edges
    line: Line
    g: int  # which inner gate of the consumer
    a: int  # which argument of that gate
    op: str  # the gate's op name

    @property
    def gate(self) -> Gate:
        return self.line.gates[self.g]

    @property
    def local(self) -> float:
        return self.gate.local[self.a]

    @property
    def value(self) -> float:
        """The forward value flowing into the gate at this argument."""
        return self.gate.args[self.a].value

    @property
    def other(self) -> Arg | None:
        args = self.gate.args
        return args[1 - self.a] if len(args) == 2 else None

    def other_is_node(self) -> bool:
        other = self.other
        inputs = self.site.solved.inputs[self.line.node]
        return other is not None and other.kind == INPUT and inputs[other.ref] == self.site.node

    def other_const(self) -> float | None:
        other = self.other
        return other.value if other is not None and other.kind == CONST else None

    def local_with(self, slip: float) -> float:
        """The node's gradient had the learner used `slip` as this gate's local."""
        site = self.site
        e = site.edges[self.k]
        if len(self.line.gates) == 1:  # gate granularity: the slip is the edge's local
            return site.with_path(self.k, e.upstream * slip)
        changed = self.line.changed_local(e.position, e.local, self.g, self.a, slip)
        return site.with_path(self.k, e.upstream * changed)

    # -- words --------------------------------------------------------------------------
    @property
    def place(self) -> str:
        """'c = a × b', or 'z1 = w1·x + b1 (at w1·x)' for a gate inside a line (the line's
        last gate is the line itself: 'L = (a2 − y)^2', with no "at")."""
        if self.g == len(self.line.gates) - 1:
            return self.definition
        return inside(self.definition, self.line.text(self.g))

    @property
    def definition(self) -> str:
        """The consumer's line: 'c = a × b', 'z1 = w1·x + b1'."""
        c = self.line.node
        return f"{self.site.label(c)} = {expression(self.site.solved, c)[0]}"

    @property
    def unit(self) -> str:
        """An activation where it stands: 'o = tanh(n)' (its line's value), or
        'tanh(n) in L = tanh(n)·3' inside a longer line."""
        text = self.line.text(self.g)
        if self.g == len(self.line.gates) - 1:
            return f"{self.out} = {text}"
        return _("{gate} in {definition}").format(gate=text, definition=self.definition)

    @property
    def arg(self) -> str:
        return self.line.arg_text(self.g, self.a)

    @property
    def other_text(self) -> str:
        return self.line.arg_text(self.g, 1 - self.a)

    @property
    def out(self) -> str:
        """The gate's output: the line's name when it is the line's last gate."""
        if self.g == len(self.line.gates) - 1:
            return self.site.label(self.line.node)
        return self.line.text(self.g)


def inside(definition: str, gate: str) -> str:
    """A gate inside a line, where explanations point: 'z1 = w1·x + b1 (at w1·x)'."""
    return _("{definition} (at {gate})").format(definition=definition, gate=gate)


def _wrapped(text: str) -> str:
    """A name or a call (σ(z), tanh(x·w)) as it is; anything longer in brackets."""
    if text.replace("_", "").isalnum() or _CALL.fullmatch(text):
        return text
    return f"({text})"


_CALL = re.compile(r"[A-Za-zσ√]+\((?:[^()]|\([^()]*\))*\)")


# -- activations ----------------------------------------------------------------------


def max_routing(slip: Slip) -> Iterator[GateSlip]:
    if slip.op not in ("max", "min", "relu"):
        return
    if slip.local == 0:  # the gradient sent down the losing (or blocked) side
        yield 1.0, lambda value: _routing_words(slip)
    elif slip.local == 1:  # the winner (or a positive ReLU input) given nothing
        yield 0.0, lambda value: _winner_words(slip)


def _winner_words(slip: Slip) -> str:
    if slip.op == "relu":
        return _("{name} is positive ({value}), so the ReLU in {definition} passes the "
                 "gradient through unchanged; you blocked it.").format(
            name=slip.arg, value=number(slip.value), definition=slip.place)
    template = (_("A max gate routes the whole gradient to the larger input: {name} won in "
                  "{definition}, so the gradient flows to {name}, not to {other}.")
                if slip.op == "max" else
                _("A min gate routes the whole gradient to the smaller input: {name} won in "
                  "{definition}, so the gradient flows to {name}, not to {other}."))
    return template.format(name=slip.arg, definition=slip.place, other=slip.other_text)


def _routing_words(slip: Slip) -> str:
    if slip.op == "relu":
        return _("{name} was not positive ({value}), so the ReLU in {definition} blocks the "
                 "gradient: nothing flows back to {name} through it.").format(
            name=slip.arg, value=number(slip.value), definition=slip.place)
    template = (_("A max gate routes the whole gradient to the larger input ({winner}); {name} "
                  "lost in {definition}, so it gets nothing from it.") if slip.op == "max" else
                _("A min gate routes the whole gradient to the smaller input ({winner}); "
                  "{name} lost in {definition}, so it gets nothing from it."))
    return template.format(winner=slip.other_text, name=slip.arg, definition=slip.place)


def sigmoid_argument(slip: Slip) -> Iterator[GateSlip]:
    if slip.op == "sigmoid":
        z = slip.value
        local = z * (1 - z)
        yield local, lambda value: _argument_words(slip, value, local, "σ", "{s}·(1−{s})")


def tanh_argument(slip: Slip) -> Iterator[GateSlip]:
    if slip.op == "tanh":
        z = slip.value
        local = 1 - z * z
        yield local, lambda value: _argument_words(slip, value, local, "tanh", "1 − {s}²")


def _argument_words(slip: Slip, value: float, local: float, name: str, formula: str) -> str:
    s, z = _wrapped(slip.out), _wrapped(slip.arg)
    right, used = formula.format(s=s), formula.format(s=z)
    if math.isclose(value, local, rel_tol=1e-3, abs_tol=1e-9):
        # the learner's number is that formula itself (the upstream gradient is 1)
        template = (_("You typed {value}, which is what {used} gives with the input {z} = "
                      "{data}. At {gate} the local derivative is {right}, from the "
                      "sigmoid's output {s}, not from its input.") if name == "σ" else
                    _("You typed {value}, which is what {used} gives with the input {z} = "
                      "{data}. At {gate} the local derivative is {right}, from the "
                      "tanh's output {s}, not from its input."))
    else:  # the formula is one factor of the learner's number
        template = (_("You typed {value}, which is what you get with {used}, from the input "
                      "{z} = {data}, as the local derivative of {gate}. The local "
                      "derivative is {right}, from the sigmoid's output {s}, not from its "
                      "input.") if name == "σ" else
                    _("You typed {value}, which is what you get with {used}, from the input "
                      "{z} = {data}, as the local derivative of {gate}. The local "
                      "derivative is {right}, from the tanh's output {s}, not from its "
                      "input."))
    return template.format(value=number(value), used=used, z=slip.arg, data=number(slip.value),
                           s=slip.out, right=right, gate=slip.unit)


# (the learner's local, how they wrote it) for each misremembered formula, s the output.
_MISREMEMBERED = {
    "sigmoid": ((lambda s: s, gettext_noop("σ itself, {s}")),
                (lambda s: 1 - s, gettext_noop("1 − {s}")),
                (lambda s: 1 - s * s, gettext_noop("1 − {s}², the tanh formula"))),
    "tanh": ((lambda s: 1 - s, gettext_noop("1 − {s}, without the square")),
             (lambda s: s, gettext_noop("tanh itself, {s}")),
             (lambda s: s * (1 - s), gettext_noop("{s}·(1 − {s}), the sigmoid formula"))),
}
_RIGHT = {"sigmoid": ("σ", "{s}·(1−{s})"), "tanh": ("tanh", "1 − {s}²")}


def activation_formula(slip: Slip) -> Iterator[GateSlip]:
    for local, written in _MISREMEMBERED.get(slip.op, ()):
        yield local(slip.gate.data), _formula_words(slip, written)


def _formula_words(slip: Slip, written: str) -> Words:
    def words(value: float) -> str:
        right = _RIGHT[slip.op][1]
        s = _wrapped(slip.out)
        template = (_("You typed {value}: as the local derivative at {gate} you used "
                      "{used}. The sigmoid's derivative is {right}, from its output {s}.")
                    if slip.op == "sigmoid" else
                    _("You typed {value}: as the local derivative at {gate} you used "
                      "{used}. The tanh's derivative is {right}, from its output {s}."))
        return template.format(value=number(value), s=slip.out, gate=slip.unit,
                               used=_(written).format(s=s), right=right.format(s=s))
    return words


def activation_skipped(slip: Slip) -> Iterator[GateSlip]:
    if slip.op in ("sigmoid", "tanh"):
        right = _RIGHT[slip.op][1]
        yield 1.0, lambda value: _(
            "You passed the gradient through {gate} unchanged, as if the activation were not "
            "there; multiply by its local derivative {right}.").format(
            gate=slip.unit, right=right.format(s=_wrapped(slip.out)))


# -- powers, quotients, constants -----------------------------------------------------


def power_rule(slip: Slip) -> Iterator[GateSlip]:
    if slip.op != "pow":
        return
    n, v = slip.gate.op.exponent, slip.value
    if v == 0 and n < 1:
        return
    for power, words in ((n - 1, _power_dropped), (n, _power_value)):
        try:
            local = v ** float(power)
        except (OverflowError, ZeroDivisionError):
            continue
        if isinstance(local, float):  # (a complex number from a negative base: skip)
            yield local, words(slip)


def _power_dropped(slip: Slip) -> Words:
    n = slip.gate.op.exponent
    return lambda value: _(
        "For {definition}, the power rule brings the exponent down: the derivative of {power} "
        "is {formula}; the factor {n} is missing.").format(
        definition=slip.place, power=slip.line.text(slip.g), formula=_power_formula(slip),
        n=number(n))


def _power_value(slip: Slip) -> Words:
    return lambda value: _(
        "You used the value {power} itself where its derivative belongs. For {definition}, "
        "the power rule gives {formula}: bring the exponent down and lower it by one.").format(
        power=slip.line.text(slip.g), definition=slip.place, formula=_power_formula(slip))


def _power_formula(slip: Slip) -> str:
    n, base = slip.gate.op.exponent, _wrapped(slip.arg)
    return f"{number(n)}·{base}" if n == 2 else f"{number(n)}·{base}^{number(n - 1)}"


def quotient(slip: Slip) -> Iterator[GateSlip]:
    if slip.op == "div" and slip.a == 1 and slip.value != 0:
        yield -slip.gate.args[0].value / slip.value, lambda value: _(
            "For {definition}, the local derivative for the denominator {name} is "
            "−{top}/{name}², not −{top}/{name}.").format(
            definition=slip.place, name=_wrapped(slip.arg), top=_wrapped(slip.other_text))


def dropped_constant(slip: Slip) -> Iterator[GateSlip]:
    factor = _constant_factor(slip)
    if factor is not None:
        yield 1.0, lambda value: _dropped_words(slip, factor, value)


def _dropped_words(slip: Slip, factor: str, value: float) -> str:
    if len(slip.line.gates) == 1:  # the constant is the whole line's: J = 3·v
        template = _("At {definition}, the constant {factor} is part of the local derivative "
                     "for {name}: a constant factor stays in the derivative. You typed "
                     "{value}, which leaves it out.")
    elif slip.op == "mul":  # inside a line: E = 0.5·(t − o)^2, the ½ of ∂E/∂o
        template = _("At {definition}, the constant {factor} multiplies {operand}, so it "
                     "stays in ∂{line}/∂{node}: a constant factor stays in the derivative. You "
                     "typed {value}, which leaves it out.")
    else:
        template = _("At {definition}, {operand} is divided by the constant {divisor}, so the "
                     "factor {factor} stays in ∂{line}/∂{node}: a constant factor stays in the "
                     "derivative. You typed {value}, which leaves it out.")
    return template.format(definition=slip.place, factor=factor, name=slip.arg,
                           operand=slip.arg, line=slip.site.label(slip.line.node),
                           node=slip.site.name, divisor=slip.other_text, value=number(value))


def _constant_factor(slip: Slip) -> str | None:
    """The constant text whose factor the local derivative carries, if any (±1 aside: a
    dropped −1 is a sign slip, and a 1 changes nothing)."""
    other = slip.other
    if other is None or other.kind != CONST or abs(other.value) == 1:
        return None
    if slip.op == "mul" or (slip.op == "div" and slip.a == 0):
        return other.label if slip.op == "mul" else f"1/{other.label}"
    return None


def own_value(slip: Slip) -> Iterator[GateSlip]:
    if slip.op == "mul" and not slip.other_is_node():
        yield slip.value, lambda value: _(
            "At {definition}, a multiply gate swaps: the local derivative for {name} is the "
            "other factor, {other}, not {name}'s own value.").format(
            definition=slip.place, name=slip.arg, other=slip.other_text)


def add_as_mul(slip: Slip) -> Iterator[GateSlip]:
    if slip.op not in ("add", "sub"):
        return
    other = slip.other.value

    def words(value: float) -> str:
        template = (_("At {definition}, an add gate distributes the gradient unchanged; you "
                      "scaled it by the other input {other} as if it were a multiply gate.")
                    if slip.op == "add" else
                    _("At {definition}, a subtract gate passes the gradient on (negated for the "
                      "second input); you scaled it by the other input {other} as if it were a "
                      "multiply gate."))
        return template.format(definition=slip.place, other=slip.other_text)
    yield other, words
    if slip.local != 1:  # a subtract gate's second input: with and without its sign
        yield slip.local * other, words


def sign_slip(slip: Slip) -> Iterator[GateSlip]:
    """The −1 of a subtraction or negation (or of a negative constant factor) lost."""
    if negates(slip) and slip.local != 0:
        yield -slip.local, lambda value: _negation(slip)


def negates(slip: Slip) -> bool:
    """Is this gate a subtraction or negation, where a lost sign is the likeliest slip?"""
    if slip.op == "neg" or (slip.op == "sub" and slip.a == 1):
        return True
    factor = slip.other_const()
    return slip.op in ("mul", "div") and factor is not None and factor < 0 and (
        slip.op == "mul" or slip.a == 0)


def _negation(slip: Slip) -> str:
    if slip.op == "neg":
        template = _("At {definition}, a negate gate flips the sign of the gradient for {name}; "
                     "your number is what a sign slip at that gate gives.")
    elif slip.op == "sub":
        template = _("At {definition}, a subtract gate passes the negative of the gradient to "
                     "{name}; your number is what a sign slip at that gate gives.")
    else:
        template = _("At {definition}, the negative factor {other} flips the sign of the "
                     "gradient for {name}; your number is what a sign slip at that gate gives.")
    return template.format(definition=slip.place, name=slip.arg,
                           other=slip.other_text if slip.other else "")


def most_plausible(slip: Slip) -> str | None:
    """The code a coincidence at this gate should be read as (the issue's rule: a
    subtraction or negation makes a sign slip likeliest; a multiply, the own value)."""
    if slip.op in ("sub", "neg") or negates(slip):
        return "sign"
    if slip.op == "mul":
        return "dropped_constant" if _constant_factor(slip) else "own_value"
    return {"pow": "power_rule", "div": "quotient"}.get(slip.op)
