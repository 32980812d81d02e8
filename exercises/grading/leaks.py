"""What a hint may show at each level, and the guard that holds every hint to it.

    level 0  only ✓/✗ (the selectors drop every hint and diagnosis)
    level 1  the rule in words
    level 2  the formula
    level 3  worked numbers, shown only once the policy reveals the solution

Below level 3 a hint (and a misconception's explanation) must not pin the node's correct
value: it never contains that value to the precision shown, and never names a single
factor whose value on the graph equals it (at L = y × z, "∂L/∂z = y" *is* the answer when
y's value is on the graph). Hints are written from the notes' gate rules and can't see
the numbers, so this guard looks at what came out; a hint that pins the answer is replaced
by one that keeps the chain rule in words and names only derivatives.
"""

from __future__ import annotations

import math
import re

from .gate_rules import gate_rule
from .gate_slips import inside
from .i18n import _, ngettext, phrase
from .notation import Piece, expression, join, partial_parts, prose
from .notation import math as math_piece
from .solution import Solved

_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])")
_SYMBOLS = set("=×·+−-/()²³^,*[]|√")


def pins(text: str | None, solved: Solved, node: int, ask: str, quotes: bool = False) -> bool:
    """True if `text` states node's correct value, or names one of its factors whose value
    on the graph equals it. `quotes`: the text quotes program lines ("At L = (c3 − d3)·2,
    …"), which state nothing the learner does not have in front of them: a number or name
    inside such a quote does not count (an explanation's; a hint is held to every word)."""
    if not text:
        return False
    if quotes and _pins(text, solved, node, ask):
        return _pins(without_quotes(text, solved), solved, node, ask)
    return _pins(text, solved, node, ask)


def without_quotes(text: str, solved: Solved) -> str:
    """`text` with every program line it quotes ("L = (c3 − d3)·2", or with a gate inside
    it, "L = (c3 − d3)·2 (at c3 − d3)") taken out."""
    quoted = []
    for i, kind in enumerate(solved.kinds):
        if kind != "op":
            continue
        definition = f"{solved.labels[i]} = {expression(solved, i)[0]}"
        line = solved.line(i)
        quoted.extend(inside(definition, line.text(g)) for g in range(len(line.gates) - 1))
        quoted.append(definition)
    for quote in sorted(quoted, key=len, reverse=True):
        text = re.sub(rf"(?<![\w=]){re.escape(quote)}(?=$|[\s,.:;)])", " ", text)
    return text


def _pins(text: str, solved: Solved, node: int, ask: str) -> bool:
    truth = solved.grad[node] if ask == "grad" else solved.data[node]
    for found in _NUMBER.finditer(text):
        if _same(float(found.group()), truth) and _stated(text, found, truth):
            return True
    stated_only = _trivial(truth)  # see _stated
    for j in factors(solved, node, ask):
        if solved.kinds[j] != "const" and _same(solved.data[j], truth) and names(
                text, solved.labels[j], stated_only):
            return True
    return False


# Ops whose local derivative is written with their own output (σ' = σ(1 − σ), exp' = exp).
_OWN_OUTPUT = frozenset({"exp", "sigmoid", "tanh", "sqrt"})


def factors(solved: Solved, node: int, ask: str) -> set[int]:
    """The nodes whose values enter the node's correct answer as a factor: for a gradient,
    the other inputs of every operation it feeds (a multiply gate swaps), and those
    operations themselves where their local derivative is written with their output; for
    a forward value, its inputs."""
    if ask != "grad":
        return set(solved.inputs[node]) - {node}
    found = set()
    for consumer, _position in solved.consumers[node]:
        found |= set(solved.inputs[consumer])
        if solved.ops[consumer].name in _OWN_OUTPUT:
            found.add(consumer)
    return found - {node}


def _stated(text: str, found: re.Match, truth: float) -> bool:
    """A 0 or a 1 is in half the rules (1 − σ, "else 0"): it tells the answer only when
    it is stated as a value ("= 1"), not as a term of a formula. Any other number equal to
    the answer tells it wherever it stands."""
    if not _trivial(truth):
        return True
    return text[:found.start()].rstrip().endswith("=")


def names(text: str, label: str, stated_only: bool = False) -> bool:
    """Does `text` use `label` as a value: not as ∂label (a derivative's name), and — for
    a one-letter name, which is also an English word — next to a maths symbol.
    `stated_only`: only as "= label" (a factor worth 0 or 1 is a term like any other)."""
    for found in re.finditer(rf"(?<![\w]){re.escape(label)}(?![\w])", text):
        before = text[:found.start()].rstrip()
        if before.endswith("∂") or (stated_only and not before.endswith("=")):
            continue
        if len(label) > 1:
            return True
        after = text[found.end():].lstrip()
        if (before[-1:] in _SYMBOLS) or (after[:1] in _SYMBOLS):
            return True
    return False


def _trivial(truth: float) -> bool:
    return _same(truth, 0.0) or _same(truth, 1.0)


def _same(value: float, truth: float) -> bool:
    """Equal at the precision a learner is shown (4 significant figures), sign aside:
    the size of a gradient is most of the work."""
    return math.isclose(abs(value), abs(truth), rel_tol=5e-4, abs_tol=1e-9)


def safe_hint(piece: Piece | None, solved: Solved, node: int, level: int,
              ask: str) -> Piece | None:
    """The hint as built, unless it pins the answer below level 3: then the chain rule in
    words, naming only derivatives."""
    if piece is None or level >= 3 or not pins(piece[0], solved, node, ask):
        return piece
    return fallback(solved, node, level, ask)


def fallback(solved: Solved, node: int, level: int, ask: str) -> Piece:
    x = solved.labels[node]
    if ask != "grad":
        return prose(_("{x} is computed forward from its inputs: apply its operation to "
                       "their values.").format(x=x))
    out = solved.labels[solved.output]
    consumers = list(dict.fromkeys(c for c, _position in solved.consumers[node]))
    count = len(consumers)
    gates = []
    for name in dict.fromkeys(solved.ops[c].name for c in consumers):
        gate = gate_rule(next(solved.ops[c] for c in consumers if solved.ops[c].name == name))
        sentence = gate[:1].upper() + gate[1:] + "."
        if not pins(sentence, solved, node, ask):
            gates.append(sentence)
    first = prose(" ".join([ngettext(
        "{x} feeds one operation on the way to the output: multiply the upstream gradient "
        "by each operation's local derivative with respect to it, and add up the paths.",
        "{x} feeds {count} operations on the way to the output: multiply the upstream "
        "gradient by each operation's local derivative with respect to it, and add up the "
        "paths.", count).format(x=x, count=count), *gates]))
    if level < 2:
        return (first[0].strip(), first[1].strip())
    lhs = partial_parts(out, x)
    return join([first, prose(" "), phrase(_(
        "By the chain rule, {d} is that sum, path by path: the upstream gradient of each "
        "operation times its local derivative."), d=math_piece(*lhs))])


def safe_explanation(text: str | None, summary: str | None, solved: Solved, node: int,
                     ask: str) -> str | None:
    """A misconception's explanation, or its bare summary if the sentence pins the answer
    (or nothing, if even that does)."""
    if not pins(text, solved, node, ask, quotes=True):
        return text
    short = _("This answer fits a known slip: {summary}.").format(
        summary=_(summary)) if summary else None
    return None if pins(short, solved, node, ask) else short
