"""Seed programs from the course notes and helpers shared by the grading tests.

(A plain module, not a conftest: test modules import it by name.)
"""

from __future__ import annotations

import json
import random

from exercises.engine import parse, solve_text
from exercises.grading import GradingPolicy, grade

# The refresher's three examples and the notebook's two-weight network, as programs.
EX1 = "a = 3\nb = 2\nd = 4\nc = a + b\nL = c * d"
EX2 = "a = 2\nb = 3\nd = 4\nf = 2\nc = a * b\ne = c + d\nL = e * f"
EX3 = "x = 5\ny = x + 2\nz = x * 3\nL = y * z"
NETWORK = ("x = 1.0\nw1 = 0.5\nw2 = 0.8\ny = const(1.0)\nz1 = w1 * x\na1 = sigmoid(z1)\n"
           "z2 = w2 * a1\na2 = sigmoid(z2)\nL = (a2 - y) ** 2")
# The notebook's tiny worked example y = (3x + 1)², scaled so the power gate is not last.
POWER = "x = 2\nu = 3 * x + 1\ny = u ** 2\nL = y * 3"
QUOTIENT = "p = 6\nv = 2\nu = p / v\nL = u * 3"
MAX = "a = 3\nb = 5\nm = max(a, b)\nL = m * 2"
RELU = "r = -1\nk = relu(r)\nL = k * 3 + r"
CHAIN = "w = 2\nb = 3\nc = w * b\nd = c + 1\ne = d * 2\nf = e - 4\nL = f * 3"


def solution(program: str, seed: int = 0) -> dict:
    """The stored solution at gate granularity: one node per engine gate."""
    return parse(program).solve(seed, granularity="gate").to_solution()


def line_solution(program: str, seed: int = 0) -> dict:
    """The stored solution at line granularity, exactly as the product makes it (an
    exercise's variants, `manage.py solve --granularity line`, `manage.py grade`): the
    engine's own line nodes, with their inner gates, expressions and formulas."""
    return solve_text(program, seed, granularity="line").to_solution()


def at(granularity: str):
    """The stored-solution builder for one granularity."""
    return {"gate": solution, "line": line_solution}[granularity]


def truth(program: str, field: str = "grad") -> dict[str, float]:
    return {n["name"]: n[field] for n in solution(program)["nodes"]}


def correct_answers(program: str, field: str = "grad") -> dict[str, str]:
    """Every non-const node's exact value, as a learner could type it."""
    return {n["name"]: n[f"{field}_exact"] for n in solution(program)["nodes"]
            if n["kind"] != "const"}


def graded(program: str, answers: dict, level: int = 2, **kwargs) -> dict:
    policy = kwargs.pop("policy", None) or GradingPolicy(hint_level=level)
    result = grade(solution(program), answers, policy, **kwargs)
    json.dumps(result)  # the result must always be JSON data
    return result


def node(program: str, answers: dict, name: str, **kwargs) -> dict:
    """Grade `answers` on top of an otherwise all-correct submission; return one node."""
    field = "data" if kwargs.get("ask") == "data" else "grad"
    full = {**correct_answers(program, field), **answers}
    return graded(program, full, **kwargs)["nodes"][name]


# Lines of several gates, the shapes worked examples write on one line (x·w + b, ½(t − o)²,
# σ(w·x + b), a name used twice): at line granularity a slip happens inside them.
COMPOSITE = ("{a} * {b} + {c}", "0.5 * ({a} - {b}) ** 2", "sigmoid({a} * {b} + {c})",
             "tanh({a} - {b}) * 2", "{a} * {a} + {b}", "-{a} * 3 + {b}", "({a} - {b}) / 2",
             "{a} * -1 * {b}", "({a} + {b}) * ({a} - {c})", "max({a}, {b}) * 3 - {c}")


def random_program(rng: random.Random, statements: int, composite: bool = False) -> str:
    """A straight-line program with fan-out, safe ops and small values (no domain errors);
    `composite`: about half the lines are several gates long."""
    names = [f"i{k}" for k in range(rng.randint(1, 3))]
    lines = [f"{n} = {rng.choice([-3, -2, -1, 1, 2, 3, 0.5, 1.5])}" for n in names]
    for k in range(statements):
        name = f"n{k}"
        a, b = rng.choice(names), rng.choice(names)
        kind = rng.choice(["add", "sub", "mul", "mul", "sigmoid", "tanh", "square", "max",
                           "relu", "const"])
        expr = {"add": f"{a} + {b}", "sub": f"{a} - {b}", "mul": f"{a} * {b}",
                "sigmoid": f"sigmoid({a})", "tanh": f"tanh({a})", "square": f"{a} ** 2",
                "max": f"max({a}, {b})", "relu": f"relu({a})", "const": f"{a} * 2"}[kind]
        if composite and rng.random() < 0.5:
            expr = rng.choice(COMPOSITE).format(a=a, b=b, c=rng.choice(names))
        lines.append(f"{name} = {expr}")
        names.append(name)
        if len(names) > 4:  # keep values bounded: mostly combine recent nodes
            names = names[-4:]
    lines.append(f"L = {names[-1]} + {names[-2] if len(names) > 1 else names[-1]}")
    return "\n".join(lines)


def node_at(program: str, answers: dict, name: str, granularity: str = "line",
            level: int = 1, **kwargs) -> dict:
    """`answers` on top of an otherwise right submission, graded on the stored solution of
    one granularity; return one node's result."""
    stored = at(granularity)(program)
    full = {item["name"]: item["grad_exact"] for item in stored["nodes"]
            if item["kind"] != "const"}
    full.update(answers)
    result = grade(stored, full, GradingPolicy(hint_level=level), **kwargs)
    json.dumps(result)
    return result["nodes"][name]
