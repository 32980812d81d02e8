"""Expression trees: one program line's right-hand side, its renderings and its derivatives.

A tree node is a tuple (kind, payload, children):

    ("name", "w1", ())                     a named node the line reads
    ("const", (Fraction(2), "2"), ())      a literal: its exact value and its text
    ("gate", op, (child, ...))             one of the registry's ops applied to its children
    ("iverson", "≥", (left, right))        [left ≥ right], only in derivatives (max, relu, …)
    ("sign", None, (child,))               sign(child), only in derivatives (abs)

Trees come from the parser's whitelist (or from a gate graph), never from evaluating text.
Every walk here is a loop over `postorder`, not recursion: a line may be 500 gates deep.
`derivative` is our own symbolic differentiation of the line's gates, in the notes' form
(∂L/∂a2 = 2·(a2 − y), not sympy's expanded 2·a2 − 2·y); `to_sympy` builds the same tree
in sympy from the ops' own sympy forms, for cross-checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from fractions import Fraction

from .ops import REGISTRY, power

Tree = tuple
MAX_FORMULA_NODES = 120  # past this a formula helps nobody: hints fall back to numbers

NAME, CONST, GATE, IVERSON, SIGN = "name", "const", "gate", "iverson", "sign"


def name(text: str) -> Tree:
    return (NAME, text, ())


def const(value, text: str | None = None) -> Tree:
    return (CONST, (value, text if text is not None else number_text(value)), ())


def gate(op, *children: Tree) -> Tree:
    return (GATE, op, children)


def number_text(value) -> str:
    """Exact text for a constant: '2', '0.25', '-3', '1/3' (a decimal when there is one)."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        d = value.denominator
        for p in (2, 5):
            while d % p == 0:
                d //= p
        if d == 1:
            from decimal import Decimal, localcontext

            with localcontext() as ctx:
                ctx.prec = 1000
                text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
            return text
        return str(value)
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def postorder(tree: Tree) -> Iterator[Tree]:
    """Every distinct node (by identity), children before their parent, left to right."""
    seen: set[int] = set()
    stack: list[tuple[Tree, bool]] = [(tree, False)]
    while stack:
        node, expanded = stack.pop()
        if id(node) in seen:
            continue
        if expanded or not node[2]:
            seen.add(id(node))
            yield node
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node[2]))


def substitute(tree: Tree, trees: dict[str, Tree]) -> Tree:
    """The tree with each name in `trees` replaced by its tree."""
    done: dict[int, Tree] = {}
    for node in postorder(tree):
        if node[0] == NAME:
            done[id(node)] = trees.get(node[1], node)
        elif node[2]:
            done[id(node)] = (node[0], node[1], tuple(done[id(c)] for c in node[2]))
        else:
            done[id(node)] = node
    return done[id(tree)]


def names_in(tree: Tree) -> tuple[str, ...]:
    """The names a tree reads, in order of first mention."""
    return tuple(dict.fromkeys(n[1] for n in postorder(tree) if n[0] == NAME))


# -- rendering ----------------------------------------------------------------------------
# Precedence: sums 1, products 2, unary minus 3, powers 4, atoms and calls 5.
_SUM, _PRODUCT, _UNARY, _POWER, _ATOM = 1, 2, 3, 4, 5
_BINARY = {"add": ("+", _SUM), "sub": ("-", _SUM), "mul": ("*", _PRODUCT),
           "div": ("/", _PRODUCT)}
_TEXT_FUNCTIONS = {"exp": "exp", "log": "log", "sigmoid": "σ", "tanh": "tanh", "relu": "ReLU",
                   "max": "max", "min": "min", "sqrt": "√"}
_LATEX_FUNCTIONS = {"log": "\\log", "sigmoid": "\\sigma", "tanh": "\\tanh",
                    "relu": "\\mathrm{ReLU}", "max": "\\max", "min": "\\min"}
_INDEXED = re.compile(r"^([A-Za-z]+)_?(\d+)$")
_RELATIONS_LATEX = {"≥": "\\ge", "≤": "\\le", ">": ">", "<": "<"}


def latex_name(label: str) -> str:
    """x → x, w1 → w_{1}, a_long_name → \\mathrm{a\\_long\\_name} (as the hints write it)."""
    if not label or label[0].isdigit() or label[0] == "-":
        return label
    indexed = _INDEXED.match(label)
    if indexed:
        stem, digits = indexed.groups()
        return f"{_latex_stem(stem)}_{{{digits}}}"
    return _latex_stem(label)


def _latex_stem(stem: str) -> str:
    return stem if len(stem) == 1 else "\\mathrm{" + stem.replace("_", "\\_") + "}"


def render(tree: Tree, style: str = "python",
           leaf: Callable[[str], str] | None = None) -> str:
    """The tree as text: "python" (what the parser reads back: w1 * x + b1), "text" (the
    notes' Unicode: w1·x + b1) or "latex" (w_{1} x + b_{1}). `leaf` renders a name (for
    instance as its value); a leaf that renders as a negative number is bracketed where an
    operand needs it, like a negative constant."""
    done: dict[int, tuple[str, int]] = {}
    for node in postorder(tree):
        done[id(node)] = _render_node(node, style, leaf, [done[id(c)] for c in node[2]])
    return done[id(tree)][0]


def _render_node(node, style, leaf, parts) -> tuple[str, int]:
    kind, payload, _ = node
    latex, python = style == "latex", style == "python"
    if kind == NAME:
        text = leaf(payload) if leaf else (latex_name(payload) if latex else payload)
        return text, _UNARY if text.startswith(("-", "−")) else _ATOM
    if kind == CONST:
        text = payload[1]
        if not python:
            text = text.replace("-", "−") if not latex else text
        if "/" in text and not python:
            return (f"\\frac{{{text.split('/')[0]}}}{{{text.split('/')[1]}}}" if latex
                    else f"({text})"), _ATOM
        if "/" in text:
            return f"({text})", _ATOM
        return text, _UNARY if text.startswith(("-", "−")) else _ATOM
    if kind == IVERSON:
        (lt, _), (rt, _) = parts
        relation = _RELATIONS_LATEX[payload] if latex else payload
        if python:
            raise ValueError("a comparison has no program form")
        return f"[{lt} {relation} {rt}]", _ATOM
    if kind == SIGN:
        (inner, _), = parts
        return (f"\\operatorname{{sign}}\\left({inner}\\right)" if latex
                else f"sign({inner})"), _ATOM
    op = payload
    if op.name in _BINARY:
        return _render_binary(op.name, parts, style)
    if op.name == "neg":
        (inner, prec), = parts
        inner = _bracket(inner, style) if prec < _UNARY or (
            not python and prec == _UNARY) else inner
        return ("-" if python or latex else "−") + inner, _UNARY
    if op.name == "pow":
        (base, prec), = parts
        base = _bracket(base, style) if prec <= _POWER else base
        n = op.exponent
        n_text = number_text(n)
        if python:
            shown = f"({n_text})" if "/" in n_text else n_text
            return f"{base} ** {shown}", _POWER
        if latex:
            if "/" in n_text:
                num, den = n_text.lstrip("-").split("/")
                n_text = ("-" if n < 0 else "") + f"\\frac{{{num}}}{{{den}}}"
            return f"{{{base}}}^{{{n_text}}}", _POWER
        shown = n_text.replace("-", "−")
        shown = f"({shown})" if len(shown) > 1 and not shown.isdigit() else shown
        return f"{base}^{shown}", _POWER
    args = [p for p, _ in parts]
    if python:
        return f"{op.name}({', '.join(args)})", _ATOM
    if latex:
        if op.name == "exp":
            return f"e^{{{args[0]}}}", _POWER
        if op.name == "sqrt":
            return f"\\sqrt{{{args[0]}}}", _ATOM
        if op.name == "abs":
            return f"\\left|{args[0]}\\right|", _ATOM
        return f"{_LATEX_FUNCTIONS[op.name]}\\left({', '.join(args)}\\right)", _ATOM
    if op.name == "abs":
        return f"|{args[0]}|", _ATOM
    return f"{_TEXT_FUNCTIONS[op.name]}({', '.join(args)})", _ATOM


def _bracket(text: str, style: str) -> str:
    return f"\\left({text}\\right)" if style == "latex" else f"({text})"


def _render_binary(op_name: str, parts, style: str) -> tuple[str, int]:
    symbol, prec = _BINARY[op_name]
    (left, lp), (right, rp) = parts
    python, latex = style == "python", style == "latex"
    if latex and op_name == "div":
        return f"\\frac{{{left}}}{{{right}}}", _ATOM
    if lp < prec:
        left = _bracket(left, style)
    # The right operand keeps its brackets at equal precedence, so the text reads back as
    # the same tree (a + (b + c) is not (a + b) + c in floating point); outside the
    # program form a negative right operand is bracketed too (x·(−2), not x·−2).
    if rp <= prec or (not python and rp == _UNARY):
        right = _bracket(right, style)
    if python:
        return f"{left} {symbol} {right}", prec
    if latex:
        if op_name == "mul":
            glue = " \\cdot " if right[:1].isdigit() or left == right else " "
            return f"{left}{glue}{right}", prec
        return f"{left} {symbol} {right}", prec
    shown = {"add": " + ", "sub": " − ", "mul": "·", "div": "/"}[op_name]
    return f"{left}{shown}{right}", prec


# -- differentiation ----------------------------------------------------------------------
ZERO, ONE, MINUS_ONE = const(Fraction(0)), const(Fraction(1)), const(Fraction(-1))


def _value(tree: Tree):
    return tree[1][0] if tree[0] == CONST else None


def _mul(a: Tree, b: Tree) -> Tree:
    va, vb = _value(a), _value(b)
    if va == 0 or vb == 0:
        return ZERO
    if va == 1:
        return b
    if vb == 1:
        return a
    if va is not None and vb is not None:
        return const(va * vb)
    if va == -1:
        return _neg(b)
    if vb == -1:
        return _neg(a)
    if vb is not None:  # coefficients first: 2·x, not x·2
        return gate(REGISTRY["mul"], b, a)
    return gate(REGISTRY["mul"], a, b)


def _neg(a: Tree) -> Tree:
    va = _value(a)
    if va is not None:
        return const(-va)
    if a[0] == GATE and a[1].name == "neg":
        return a[2][0]
    return gate(REGISTRY["neg"], a)


def _add(a: Tree, b: Tree) -> Tree:
    if _value(a) == 0:
        return b
    if _value(b) == 0:
        return a
    return gate(REGISTRY["add"], a, b)


def _div(a: Tree, b: Tree) -> Tree:
    return gate(REGISTRY["div"], a, b)


def _pow(a: Tree, n: Fraction) -> Tree:
    if n == 1:
        return a
    if n == 0:
        return ONE
    return gate(power(n), a)


def _local(node: Tree, own: Tree) -> tuple[Tree, ...]:
    """∂node/∂child for each child, as trees; `own` stands for the node's value (the line's
    own name when the node is the line's last gate: ∂a1/∂z1 = a1·(1 − a1))."""
    op, children = node[1], node[2]
    a = children[0]
    b = children[1] if len(children) > 1 else None
    name = op.name
    if name == "add":
        return ONE, ONE
    if name == "sub":
        return ONE, MINUS_ONE
    if name == "mul":
        return b, a
    if name == "div":
        return _div(ONE, b), _neg(_div(a, _pow(b, Fraction(2))))
    if name == "neg":
        return (MINUS_ONE,)
    if name == "exp":
        return (own,)
    if name == "log":
        return (_div(ONE, a),)
    if name == "sqrt":
        return (_div(ONE, _mul(const(Fraction(2)), own)),)
    if name == "sigmoid":
        return (_mul(own, gate(REGISTRY["sub"], ONE, own)),)
    if name == "tanh":
        return (gate(REGISTRY["sub"], ONE, _pow(own, Fraction(2))),)
    if name == "relu":
        return ((IVERSON, ">", (a, ZERO)),)
    if name == "abs":
        return ((SIGN, None, (a,)),)
    if name == "max":
        return (IVERSON, "≥", (a, b)), (IVERSON, ">", (b, a))
    if name == "min":
        return (IVERSON, "≤", (a, b)), (IVERSON, "<", (b, a))
    if name == "pow":
        n = op.exponent
        if n == 0:
            return (ZERO,)
        return (_mul(const(n), _pow(a, n - 1)),)
    raise KeyError(f"no derivative rule for {name}")


def derivative(tree: Tree, wrt: str, own_name: str | None = None) -> Tree:
    """∂tree/∂wrt as a tree, simplified the way the notes write it: no ×1 or +0, like
    terms collected (∂(x·x + x)/∂x = 2·x + 1). `own_name` names the line's value."""
    results: dict[int, Tree] = {}
    for node in postorder(tree):
        kind = node[0]
        if kind == NAME:
            results[id(node)] = ONE if node[1] == wrt else ZERO
        elif kind == GATE:
            own = name(own_name) if own_name and node is tree else node
            total = ZERO
            for child, local in zip(node[2], _local(node, own), strict=True):
                inner = results[id(child)]
                if _value(inner) != 0:
                    total = _add(total, _mul(local, inner))
            results[id(node)] = total
        else:
            results[id(node)] = ZERO
    return _collect(results[id(tree)])


def _collect(tree: Tree) -> Tree:
    """Merge like terms of a sum (by their program text), keeping first-seen order."""
    terms: dict[str, list] = {}
    stack = [(tree, Fraction(1))]
    while stack:
        node, sign = stack.pop()
        if node[0] == GATE and node[1].name in ("add", "sub"):
            left, right = node[2]
            stack.append((right, sign if node[1].name == "add" else -sign))
            stack.append((left, sign))
            continue
        if node[0] == GATE and node[1].name == "neg":
            stack.append((node[2][0], -sign))
            continue
        coefficient = sign
        if node[0] == GATE and node[1].name == "mul" and _value(node[2][0]) is not None:
            coefficient, node = sign * _value(node[2][0]), node[2][1]
        if _value(node) is not None:
            coefficient, node = coefficient * _value(node), ONE
        key = "1" if node is ONE else _key(node)
        entry = terms.setdefault(key, [Fraction(0), node])
        entry[0] += coefficient
    result = None
    for coefficient, node in terms.values():
        if coefficient == 0:
            continue
        term = _mul(const(abs(coefficient)), node)
        if result is None:
            result = term if coefficient > 0 else (
                _neg(node) if coefficient == -1 else _mul(const(coefficient), node))
        else:
            result = gate(REGISTRY["add" if coefficient > 0 else "sub"], result, term)
    return result if result is not None else ZERO


def _key(node: Tree) -> str:
    return render(node, "text")


def size(tree: Tree) -> int:
    """How many nodes the tree prints (shared subtrees count every time they print)."""
    sizes: dict[int, int] = {}
    for node in postorder(tree):
        sizes[id(node)] = 1 + sum(sizes[id(c)] for c in node[2])
    return sizes[id(tree)]


def to_sympy(tree: Tree, symbols: dict[str, object]):
    """The tree in sympy, from the ops' own sympy forms (for cross-checks and display)."""
    import sympy

    done: dict[int, object] = {}
    for node in postorder(tree):
        kind = node[0]
        if kind == NAME:
            done[id(node)] = symbols[node[1]]
        elif kind == CONST:
            value = node[1][0]
            done[id(node)] = (sympy.Rational(value.numerator, value.denominator)
                              if isinstance(value, Fraction) else sympy.Float(value, 17))
        elif kind == GATE:
            done[id(node)] = node[1].sympy(*(done[id(c)] for c in node[2]))
        else:
            raise ValueError("derivative-only nodes have no sympy form here")
    return done[id(tree)]
