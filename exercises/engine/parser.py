"""The authoring language: straight-line programs like the course notes' listings.

    a = 2                  # an input (learners are asked for its gradient)
    w = randint(-3, 3)     # an input drawn per variant; also choice(0.5, 1, 2)
    t = const(1.0)         # a named constant (no gradient asked), like a loss target
    c = a * w              # an op node named c
    L = (c - t) ** 2       # compound expressions make auto-named intermediate nodes

Parsed with a whitelist over Python's `ast`: only the node types below are accepted, and
nothing the user typed is ever evaluated by Python itself.
"""

from __future__ import annotations

import ast
import random
import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from . import expressions as ex
from . import numbers
from .errors import ProgramError
from .graph import OP, Graph
from .lines import GATE, LINE, check_granularity, line_op
from .names import check_name
from .ops import FUNCTIONS, REGISTRY, power

MAX_PROGRAM_CHARS = 20_000
MAX_NODES = 500
MAX_EXPONENT = 100
DEFAULT_SEED = 0

BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}
RANDOM_SOURCES = ("randint", "choice")
# What becomes a graph node (names only refer to nodes that exist already); the exact
# limit is checked again on the built graph.
_COUNTED = frozenset((ast.BinOp, ast.UnaryOp, ast.Call, ast.Constant))
RESERVED = frozenset(FUNCTIONS) | frozenset(RANDOM_SOURCES) | {"const"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # where Python's tokenizer starts a new line


@dataclass
class Statement:
    line: int
    target: str
    kind: str  # "input", "random", "const" or "expr"
    value: Fraction | None = None
    choices: tuple[Fraction, ...] = ()
    source: str = ""
    expr: ast.expr | None = None


@dataclass
class Program:
    text: str
    statements: list[Statement] = field(default_factory=list)
    # One compiled LineOp per expression statement, made on first use and shared by every
    # variant built from this program (the seed changes values, never a line's shape).
    _line_ops: dict = field(default_factory=dict, repr=False)
    _source: _Source | None = field(default=None, repr=False)

    @property
    def output(self) -> str:
        return self.statements[-1].target

    @property
    def has_random_inputs(self) -> bool:
        return any(s.kind == "random" for s in self.statements)

    def build(self, seed: int | None = DEFAULT_SEED, granularity: str = LINE) -> Graph:
        """The graph for one variant: random inputs drawn from `seed`, nothing computed yet.
        At line granularity each statement is one node; at gate granularity each operation
        is, with automatic names (mul_1) for the intermediate ones."""
        check_granularity(granularity)
        rng = random.Random(DEFAULT_SEED if seed is None else seed)
        graph = Graph()
        graph.granularity = granularity
        graph.reserved = {s.target for s in self.statements}
        source = self._source or _Source(self.text)
        for k, st in enumerate(self.statements):
            if st.kind == "input":
                graph.add_input(st.target, st.value, line=st.line)
            elif st.kind == "random":
                graph.add_input(st.target, rng.choice(st.choices), line=st.line,
                                source=st.source)
            elif st.kind == "const":
                graph.add_const(st.value, name=st.target, line=st.line)
            elif granularity == GATE:
                _Builder(graph, source, st).build()
            else:
                op = self._line_ops.get(k)
                if op is None:
                    names: dict[str, int] = {}
                    tree, shape = _shaped_tree(source, st.expr, names, st.line)
                    op = self._line_ops[k] = line_op(tree, st.target, shape, tuple(names))
                index_of = graph.index_of
                graph.append(st.target, OP, op, tuple([index_of[n] for n in op.input_names]),
                             None, st.line)
        if len(graph) > MAX_NODES:
            raise ProgramError(f"the program makes {len(graph)} nodes; the limit is {MAX_NODES}",
                               self.statements[-1].line)
        return graph

    def solve(self, seed: int | None = DEFAULT_SEED, granularity: str = LINE) -> Graph:
        return self.build(seed, granularity).solve()


class _Source:
    """The program text, read by the ast's positions. Python's ast.get_source_segment splits
    the whole text on every call, which made parsing quadratic (every decimal literal asks
    for its digits); this splits it once, when first asked."""

    def __init__(self, text: str):
        self.text = text
        self._lines: list[str] | None = None
        self._encoded: dict[int, bytes] = {}
        self._ascii = text.isascii()
        self._last: tuple = (None, None)

    def _line(self, number: int) -> bytes | str:
        if self._lines is None:
            self._lines = _LINE_BREAK.split(self.text)
        line = self._lines[number - 1]
        if self._ascii:
            return line  # byte offsets are character offsets
        encoded = self._encoded.get(number)
        if encoded is None:
            encoded = self._encoded[number] = line.encode("utf-8")
        return encoded

    def segment(self, node) -> str | None:
        if node is self._last[0]:  # a literal's text is asked for twice in a row
            return self._last[1]
        text = self._segment(node)
        self._last = (node, text)
        return text

    def _segment(self, node) -> str | None:
        start, end = getattr(node, "lineno", None), getattr(node, "end_lineno", None)
        if start is None or end is None or node.end_col_offset is None:
            return None
        try:
            if start == end:
                parts = [self._line(start)[node.col_offset:node.end_col_offset]]
            else:
                parts = [self._line(start)[node.col_offset:]]
                parts += [self._line(k) for k in range(start + 1, end)]
                parts.append(self._line(end)[:node.end_col_offset])
            if not self._ascii:
                parts = [p.decode("utf-8") for p in parts]
        except (IndexError, UnicodeDecodeError):
            return None
        return "\n".join(parts)


def parse(text: str, max_chars: int | None = MAX_PROGRAM_CHARS) -> Program:
    """Read a program (nothing is built yet). `max_chars` is the size limit; the benchmark
    alone lifts it, to show that parsing is linear in the text's length."""
    if not isinstance(text, str):
        raise ProgramError("a program must be text")
    if max_chars is not None and len(text) > max_chars:
        raise ProgramError(f"the program is {len(text)} characters; the limit is "
                           f"{MAX_PROGRAM_CHARS}")
    try:
        module = ast.parse(text, mode="exec")
    except SyntaxError as exc:
        raise ProgramError(f"syntax error: {exc.msg}", exc.lineno) from None
    except (ValueError, RecursionError, MemoryError):
        raise ProgramError("the program is nested too deeply or is not valid text") from None

    source = _Source(text)
    program = Program(text, _source=source)
    defined: dict[str, int] = {}
    node_budget = MAX_NODES
    # Names can only be non-ASCII in a non-ASCII text (comments may be): check only then.
    typed_lines = None if text.isascii() else [
        part.encode("utf-8") for part in _LINE_BREAK.split(text)]
    for stmt in module.body:
        line = stmt.lineno
        if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1 or not isinstance(
                stmt.targets[0], ast.Name):
            raise ProgramError("each line must be one assignment: name = expression", line)
        if typed_lines is not None:
            _check_names(typed_lines, stmt)
        target = stmt.targets[0].id
        if target in RESERVED:
            raise ProgramError(f"'{target}' is a function name and cannot be assigned", line)
        if target in defined:
            raise ProgramError(f"'{target}' is already assigned on line {defined[target]}; "
                               "names are never reassigned", line)
        # _walk is iterative: count before any recursive walk so depth stays bounded.
        nodes = _walk(stmt.value)
        size = max(1, sum(map(_COUNTED.__contains__, map(type, nodes))))
        node_budget -= size
        if node_budget < 0:
            raise ProgramError(f"the program is larger than the limit of {MAX_NODES} nodes",
                               line)
        program.statements.append(_statement(source, stmt.value, target, line, defined, nodes))
        defined[target] = line
    if not program.statements:
        raise ProgramError("the program is empty: write at least one assignment")
    last = program.statements[-1]
    if last.kind != "expr":
        raise ProgramError(f"the output '{last.target}' must be computed from other names, "
                           "not a number", last.line)
    return program


def _check_names(typed_lines: list[bytes], stmt: ast.stmt) -> None:
    """Every name in a statement, as typed, is plain ASCII; the first one that is not, in
    reading order, is refused. As typed, because Python folds some look-alikes together
    before the ast has them ('ａ' and 'ﬁ' arrive as 'a' and 'fi')."""
    names = sorted((n for n in ast.walk(stmt) if isinstance(n, ast.Name)),
                   key=lambda n: (n.lineno, n.col_offset))
    for name in names:
        try:  # ast offsets count UTF-8 bytes within the line
            typed = typed_lines[name.lineno - 1][name.col_offset:name.end_col_offset].decode()
        except (IndexError, TypeError, UnicodeDecodeError):
            typed = name.id
        if unicodedata.normalize("NFKC", typed) != name.id:
            typed = name.id  # not the name after all (never seen): judge the folded one
        check_name(typed, name.lineno)


def _walk(expr) -> list:
    """The expression's nodes in ast.walk's order (breadth first), read through only the
    fields the language has: ast.walk's generic field scan was most of parsing's time.
    A node of any other type is listed (the whitelist refuses it) but not entered."""
    found = [expr]
    k = 0
    while k < len(found):
        node = found[k]
        k += 1
        kind = type(node)
        if kind is ast.BinOp:
            found.append(node.left)
            found.append(node.right)
        elif kind is ast.UnaryOp:
            found.append(node.operand)
        elif kind is ast.Call:
            found.append(node.func)
            found.extend(node.args)
    return found


def _statement(source, value, target, line, defined, nodes=None) -> Statement:
    literal = _signed_literal(source, value)
    if literal is not None:
        return Statement(line, target, "input", value=literal)
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        name = value.func.id
        if name in RANDOM_SOURCES or name == "const":
            return _special_call(source, value, name, target, line)
    if isinstance(value, ast.Name):
        raise ProgramError(f"'{target} = {value.id}' only copies a name; use {value.id} directly",
                           line)
    nodes = _walk(value) if nodes is None else nodes
    _validate(source, value, line, defined, nodes)
    if not any(type(n) is ast.Name and n.id not in FUNCTIONS for n in nodes):
        # Literal arithmetic (x = 2/3) is an input with that value, worked out exactly.
        return Statement(line, target, "input", value=_evaluate(source, value, line))
    return Statement(line, target, "expr", expr=value)


def _evaluate(source, expr, line):
    from .expressions import CONST, postorder

    tree = _tree(source, expr, line)
    if tree[0] == CONST:
        return tree[1][0]
    done: dict[int, object] = {}
    try:
        for node in postorder(tree):
            if node[0] == CONST:
                done[id(node)] = node[1][0]
            else:
                done[id(node)] = numbers.check(node[1].forward(*(done[id(c)] for c in node[2])))
    except (ArithmeticError, ValueError, TypeError) as exc:
        reason = "division by zero" if isinstance(exc, ZeroDivisionError) else str(exc)
        raise ProgramError(f"cannot compute this input: {reason}", line) from None
    return done[id(tree)]


def _special_call(text, call, name, target, line) -> Statement:
    if call.keywords:
        raise ProgramError(f"{name}() takes no keyword arguments", line)
    values = [_signed_literal(text, arg) for arg in call.args]
    if any(v is None for v in values):
        raise ProgramError(f"the arguments of {name}() must be numbers", line)
    source = text.segment(call) or name
    if name == "const":
        if len(values) != 1:
            raise ProgramError("const() takes exactly one number", line)
        return Statement(line, target, "const", value=values[0])
    if name == "choice":
        if not values or len(values) > 100:
            raise ProgramError("choice() takes between 1 and 100 numbers", line)
        return Statement(line, target, "random", choices=tuple(values), source=source)
    if len(values) != 2 or any(v.denominator != 1 for v in values):
        raise ProgramError("randint(lo, hi) takes two whole numbers", line)
    lo, hi = (int(v) for v in values)
    if lo > hi or hi - lo > 10_000:
        raise ProgramError("randint(lo, hi) needs lo ≤ hi and at most 10,000 values", line)
    choices = tuple(Fraction(v) for v in range(lo, hi + 1))
    return Statement(line, target, "random", choices=choices, source=source)


def _signed_literal(text, node) -> Fraction | None:
    """A number literal, optionally with a leading sign, as an exact Fraction (`text` is
    the program's _Source)."""
    negative = False
    kind = type(node)
    if kind is ast.UnaryOp:
        sign = type(node.op)
        if sign is not ast.USub and sign is not ast.UAdd:
            return None
        negative = sign is ast.USub
        node = node.operand
        kind = type(node)
    if kind is not ast.Constant:
        return None
    value = node.value
    kind = type(value)  # exactly int or float: a bool, string or complex is no number here
    try:
        if kind is int:
            number = _int_literal(value)
        elif kind is float:
            number = numbers.parse_literal(text.segment(node) or repr(value))
        else:
            return None
    except (ValueError, ArithmeticError) as exc:
        raise ProgramError(str(exc), getattr(node, "lineno", None)) from None
    return -number if negative else number


@lru_cache(maxsize=4096)  # a program repeats its literals; Fractions are immutable
def _int_literal(value: int) -> Fraction:
    return numbers.check(Fraction(value))


def _validate(text, expr, line, defined, nodes=None) -> None:
    """Whitelist check of one expression, before anything is built from it."""
    nodes = _walk(expr) if nodes is None else nodes
    called = None  # the functions' names, made when a name is not a node's
    for node in nodes:
        kind = type(node)
        if kind is ast.Name:
            name = node.id
            if name in defined and name not in RESERVED:
                continue
            if called is None:
                called = {id(n.func) for n in nodes if type(n) is ast.Call}
            if name in FUNCTIONS and id(node) in called:
                continue  # checked as the call's function below
            if name in RESERVED:
                raise ProgramError(f"'{name}' is a function: call it, as in {name}(x)", line)
            raise ProgramError(f"unknown name '{name}' (names must be assigned before they "
                               "are used)", line)
        elif kind is ast.BinOp:
            if type(node.op) is ast.Pow:
                exponent = _signed_literal(text, node.right)
                if exponent is None:
                    raise ProgramError("the exponent of ** must be a number literal", line)
                if abs(exponent) > MAX_EXPONENT:
                    raise ProgramError(f"exponents are limited to ±{MAX_EXPONENT}", line)
            elif type(node.op) not in BINARY:
                raise ProgramError(f"the operator in '{_snippet(text, node)}' is not supported; "
                                   "use + - * / **", line)
        elif kind is ast.Constant:
            if type(node.value) not in (int, float):  # a bool, a string, a complex number
                raise ProgramError(f"'{_snippet(text, node)}' is not a number", line)
        elif kind is ast.UnaryOp:
            if type(node.op) not in (ast.USub, ast.UAdd):
                raise ProgramError(f"'{_snippet(text, node)}' is not supported", line)
        elif kind is ast.Call:
            if type(node.func) is not ast.Name or node.func.id not in FUNCTIONS:
                known = ", ".join(sorted(FUNCTIONS))
                raise ProgramError(f"unknown function '{_snippet(text, node.func)}' "
                                   f"(known: {known})", line)
            if node.keywords:
                raise ProgramError(f"{node.func.id}() takes no keyword arguments", line)
            arity = FUNCTIONS[node.func.id]
            if len(node.args) != arity:
                raise ProgramError(f"{node.func.id}() takes {arity} argument(s), "
                                   f"got {len(node.args)}", line)
        else:
            raise ProgramError(f"'{_snippet(text, node)}' is not allowed in a program", line)


def _snippet(text, node) -> str:
    segment = text.segment(node) or type(node).__name__
    return segment if len(segment) <= 40 else segment[:37] + "..."


class _Builder:
    """Turns one validated expression into op nodes; the top one takes the statement's name."""

    def __init__(self, graph: Graph, text: str, statement: Statement):
        self.graph, self.text, self.st = graph, text, statement

    def build(self) -> int:
        return self.node(self.st.expr, self.st.target)

    def node(self, expr, name=None) -> int:
        """The index of the node computing `expr` (the parts first, left to right)."""
        graph, line = self.graph, self.st.line
        kind = type(expr)
        if kind is ast.Name:
            if name is not None:
                raise ProgramError(f"'{name}' only copies '{expr.id}'; use {expr.id} directly",
                                   line)
            return graph.index_of[expr.id]
        if kind is ast.BinOp:
            left = self.node(expr.left)
            if type(expr.op) is ast.Pow:
                op = power(_signed_literal(self.text, expr.right))
                return graph.append(name, OP, op, (left,), None, line)
            right = self.node(expr.right)
            return graph.append(name, OP, REGISTRY[BINARY[type(expr.op)]], (left, right), None,
                                line)
        literal = _signed_literal(self.text, expr)
        if literal is not None:
            if name is not None:
                raise ProgramError("a statement computing only numbers is an input", line)
            return graph.add_const(literal, line=line).index
        if kind is ast.UnaryOp:
            if type(expr.op) is ast.UAdd:
                return self.node(expr.operand, name)
            operand = self.node(expr.operand)
            return graph.append(name, OP, REGISTRY["neg"], (operand,), None, line)
        if kind is ast.Call:
            args = tuple([self.node(arg) for arg in expr.args])
            return graph.append(name, OP, REGISTRY[expr.func.id], args, None, line)
        raise ProgramError("unsupported expression", line)  # unreachable after _validate


def _tree(source, expr, line) -> tuple:
    """One validated expression as an expression tree (expressions.py): literals are
    constants with their text as written, names the nodes the line reads."""
    return _shaped_tree(source, expr, {}, line)[0]


def _shaped_tree(source, expr, names: dict[str, int], line=None) -> tuple[tuple, object]:
    """The expression tree and its shape: the same tree with each name replaced by its
    place in `names` (filled in order of first mention, children left to right, as
    lines.compile numbers them), constants by their text and ops by identity. Lines of the
    same shape (s2 = s1 + a * 0.75, s3 = s2 + a * 0.75) share one compiled form."""
    kind = type(expr)
    if kind is ast.Name:
        name = expr.id
        return ex.name(name), names.setdefault(name, len(names))
    if kind is ast.BinOp:
        left, left_shape = _shaped_tree(source, expr.left, names, line)
        if type(expr.op) is ast.Pow:
            op = power(_signed_literal(source, expr.right))
            return ex.gate(op, left), (id(op), left_shape)
        op = REGISTRY[BINARY[type(expr.op)]]
        right, right_shape = _shaped_tree(source, expr.right, names, line)
        return ex.gate(op, left, right), (id(op), left_shape, right_shape)
    literal = _signed_literal(source, expr)
    if literal is not None:
        text = source.segment(expr)
        tree = ex.const(literal, text.replace(" ", "") if text else None)
        return tree, tree[1][1]
    if kind is ast.UnaryOp:
        operand, shape = _shaped_tree(source, expr.operand, names, line)
        if type(expr.op) is ast.UAdd:
            return operand, shape
        op = REGISTRY["neg"]
        return ex.gate(op, operand), (id(op), shape)
    if kind is ast.Call:
        op = REGISTRY[expr.func.id]
        parts = [_shaped_tree(source, a, names, line) for a in expr.args]
        return ex.gate(op, *[t for t, _ in parts]), (id(op), *[s for _, s in parts])
    raise ProgramError("unsupported expression", line)  # unreachable after _validate


def parse_expression(text: str, names) -> tuple:
    """A line's right-hand side, as stored or drawn ("w1 * x + b1"), read by the same
    whitelist as programs and reading exactly the given names."""
    if not isinstance(text, str) or len(text) > MAX_PROGRAM_CHARS:
        raise ProgramError("an expression must be text of a sensible length")
    try:
        expr = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ProgramError(f"cannot read the expression '{text[:40]}': {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ProgramError("the expression is nested too deeply or is not valid text") from None
    source = _Source(text.strip())
    if sum(map(_COUNTED.__contains__, map(type, _walk(expr)))) > MAX_NODES:
        raise ProgramError(f"the expression is larger than the limit of {MAX_NODES} nodes")
    defined = dict.fromkeys(names, 0)
    _validate(source, expr, None, defined)
    tree = _tree(source, expr, None)
    if set(ex.names_in(tree)) != set(names) or tree[0] != ex.GATE:
        raise ProgramError(f"the expression '{text[:40]}' must read exactly "
                           f"{', '.join(names) or 'some names'}")
    return tree
