"""An exercise's own buggy rules (STACK's, but checked): node, expression, code, message.

    node: z    expression: upstream * data(z)    code: z_for_sigma    message: "…"

The expression says what a learner with the instructor's misconception types for that
node, from the node's neighbours' values:

    upstream        ∂L/∂c for the node's one consumer c (a node read by several lines
                    names its consumer instead: grad(c))
    local           ∂c/∂node at that consumer
    data(n)         n's forward value; n is the node, one of its inputs, a line that reads
                    it, or another input of such a line
    grad(n)         n's gradient, for the same neighbours
    eta             the exercise's learning rate (when it has one)
    numbers, + − × ÷, ** with a literal exponent, exp log sigmoid sqrt tanh

Like answers.py, the text goes through Python's `ast` parser and a whitelist walk that
evaluates it itself: nothing is handed to eval. Pure Python, no Django.
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from exercises.engine.ops import REGISTRY, DomainError

from .solution import Solved

MAX_CHARS = 200
MAX_NODES = 60  # syntax-tree nodes: a rule is a short formula
MAX_EXPONENT = 10
CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")
FUNCTIONS = ("exp", "log", "sigmoid", "sqrt", "tanh")
VALUES = ("data", "grad")
NAMES = ("upstream", "local", "eta")
_BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
           ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b}


class RuleError(ValueError):
    """A rule that cannot be used, with a message an instructor can act on."""


@dataclass(frozen=True, slots=True)
class AuthoredRule:
    node: str
    expression: str
    code: str
    message: str

    @classmethod
    def from_dict(cls, data: dict) -> AuthoredRule:
        try:
            rule = cls(str(data["node"]), str(data["expression"]), str(data["code"]),
                       str(data.get("message") or ""))
        except (KeyError, TypeError):
            raise RuleError("a rule needs node, expression and code") from None
        if not CODE.fullmatch(rule.code):
            raise RuleError(f"code {rule.code!r}: lower-case letters, digits and _ , "
                            "starting with a letter (at most 40)")
        parse(rule.expression)
        return rule

    def as_dict(self) -> dict:
        return {"node": self.node, "expression": self.expression, "code": self.code,
                "message": self.message}


@lru_cache(maxsize=1024)
def parse(text: str) -> ast.expr:
    """The checked syntax tree of an expression (RuleError if it is not one we allow)."""
    if not isinstance(text, str) or not text.strip():
        raise RuleError("the expression is empty")
    if len(text) > MAX_CHARS:
        raise RuleError(f"the expression is longer than {MAX_CHARS} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise RuleError(f"could not read {text!r}: write e.g. upstream * data(z)") from None
    count = 0
    for node in ast.walk(tree):
        count += 1
        if count > MAX_NODES:
            raise RuleError("the expression is too long: a rule is a short formula")
        _check(node)
    return tree


def _check(node: ast.AST) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise RuleError("only numbers may appear as constants")
    elif isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Pow):
            exponent = node.right
            if isinstance(exponent, ast.UnaryOp) and isinstance(exponent.op, ast.USub):
                exponent = exponent.operand
            if not (isinstance(exponent, ast.Constant) and isinstance(exponent.value, int)
                    and not isinstance(exponent.value, bool)
                    and abs(exponent.value) <= MAX_EXPONENT):
                raise RuleError(f"** needs a whole-number exponent of at most {MAX_EXPONENT}")
        elif type(node.op) not in _BINARY:
            raise RuleError("only + - * / and ** are allowed")
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise RuleError("only + - * / and ** are allowed")
    elif isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in VALUES + FUNCTIONS or node.keywords or len(node.args) != 1:
            raise RuleError(f"unknown function: use {', '.join(VALUES + FUNCTIONS)} with one "
                            "argument")
        if name in VALUES and not isinstance(node.args[0], ast.Name):
            raise RuleError(f"{name}(…) takes a node's name, e.g. {name}(z)")
    elif isinstance(node, ast.Name):
        pass  # checked against the graph in `neighbours`/evaluation: names depend on it
    elif not isinstance(node, ast.Load | ast.operator | ast.unaryop):
        raise RuleError(f"{type(node).__name__} is not allowed in a rule")


def value_names(tree: ast.expr) -> set[str]:
    """The node names a rule reads with data(…) or grad(…)."""
    return {node.args[0].id for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name) and node.func.id in VALUES}


def neighbours(solved: Solved, i: int) -> set[int]:
    """The node, its inputs, the lines that read it and those lines' other inputs."""
    near = {i, *solved.inputs[i]}
    for c, _ in solved.consumers[i]:
        near.add(c)
        near.update(solved.inputs[c])
    return near


def evaluate(rule: AuthoredRule, solved: Solved, eta: float | None = None) -> float:
    """The number the rule predicts for its node on this solution (RuleError if it reads
    something the node does not have, or cannot be computed here)."""
    i = solved.index.get(rule.node)
    if i is None or solved.kinds[i] == "const":
        raise RuleError(f"{rule.node!r} is not an input or a line of this program")
    tree = parse(rule.expression)
    near = neighbours(solved, i)
    for name in value_names(tree):
        j = solved.index.get(name)
        if j is None:
            raise RuleError(f"unknown name {name!r} in data(…)/grad(…)")
        if j not in near:
            raise RuleError(f"{name} is not a neighbour of {rule.node}: a rule reads the "
                            "node, its inputs, the lines that read it and their inputs")
    try:
        value = float(_Walk(solved, i, eta).value(tree))
    except (ArithmeticError, OverflowError, DomainError):
        raise RuleError("the expression cannot be computed for these numbers") from None
    if not math.isfinite(value):
        raise RuleError("the expression is not a finite number for these numbers")
    return value


@dataclass(slots=True)
class _Walk:
    solved: Solved
    node: int
    eta: float | None

    def value(self, node: ast.AST) -> float:
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.BinOp):
            left, right = self.value(node.left), self.value(node.right)
            if isinstance(node.op, ast.Pow):
                return left ** right
            if isinstance(node.op, ast.Div) and right == 0:
                raise ZeroDivisionError
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            operand = self.value(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call):
            name = node.func.id
            if name in VALUES:
                j = self.solved.index[node.args[0].id]
                return (self.solved.data if name == "data" else self.solved.grad)[j]
            return float(REGISTRY[name].forward(self.value(node.args[0])))
        if isinstance(node, ast.Name):
            return self._name(node.id)
        raise RuleError(f"{type(node).__name__} is not allowed in a rule")

    def _name(self, name: str) -> float:
        solved, consumers = self.solved, self.solved.consumers[self.node]
        if name == "eta":
            if self.eta is None:
                raise RuleError("eta: this exercise has no learning rate")
            return self.eta
        if name in ("upstream", "local"):
            lines = {c for c, _ in consumers}
            if len(lines) != 1:
                which = "no line reads" if not lines else "several lines read"
                raise RuleError(f"{name}: {which} {solved.names[self.node]}; name the one "
                                "you mean with grad(…)/data(…)")
            c = lines.pop()
            if name == "upstream":
                return solved.grad[c]
            return sum(solved.local[c][p] for cc, p in consumers if cc == c)
        raise RuleError(f"unknown name {name!r}: use upstream, local, eta, data(n), grad(n)")
