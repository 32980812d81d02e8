"""Grading throughput: submissions per second and µs per node for 5-, 20- and 100-node graphs.

    python -m bench.grading

Each graph comes from a generated program (a deterministic random mix of + − × σ tanh and
squares with fan-out), solved once by the engine; `grade()` then reads its stored solution
dict, as the product does (and, second column, a prepared solution as a --jsonl run or
a cache would use). Three answer sets per graph: all correct (the fast path), a
realistic mix (most right, some typed as arithmetic, some wrong, one missing), and all
wrong (every node diagnosed against the whole catalogue and given a level-2 hint).
"""

from __future__ import annotations

import random
import time

from exercises.engine import parse
from exercises.grading import GradingPolicy, grade, prepare

SIZES = (5, 20, 100)
SECONDS_PER_CASE = 0.3


def program(nodes: int, seed: int = 0) -> str:
    """A program whose graph has exactly `nodes` nodes (each statement makes one)."""
    rng = random.Random(seed)
    inputs = max(2, nodes // 5)
    names = [f"i{k}" for k in range(inputs)]
    lines = [f"{name} = {rng.choice([-0.9, -0.5, 0.3, 0.7, 1.1])}" for name in names]
    for k in range(nodes - inputs - 1):
        recent = names[-6:]  # mostly combine recent nodes: deep chains, some fan-out
        a, b = rng.choice(recent), rng.choice(names)
        expr = rng.choice([f"{a} + {b}", f"{a} - {b}", f"{a} * {b}", f"sigmoid({a})",
                           f"tanh({a})", f"{a} ** 2", f"{a} * {b}"])
        lines.append(f"n{k} = {expr}")
        names.append(f"n{k}")
    lines.append(f"L = {names[-1]} * {names[-2]}")
    return "\n".join(lines)


def composite_program(gate_nodes: int = 100, seed: int = 0) -> str:
    """Lines like the notes' (w·x + b, σ(w·x + b), (a − y)²) until the program has about
    `gate_nodes` nodes at gate granularity: the twin of a line-granularity exercise."""
    rng = random.Random(seed)
    names = [f"i{k}" for k in range(6)]
    lines = [f"{name} = {rng.choice([-0.9, -0.5, 0.3, 0.7, 1.1])}" for name in names]
    k = 0
    while len(parse("\n".join(lines + ["L = i0 * i1"])).build(0, "gate")) < gate_nodes - 4:
        a, b, c = rng.choice(names[-4:]), rng.choice(names), rng.choice(names)
        expr = rng.choice([f"{a} * {b} + {c}", f"sigmoid({a} * {b} + {c})",
                           f"({a} - {b}) ** 2", f"tanh({a} - {b} * {c})"])
        lines.append(f"n{k} = {expr}")
        names.append(f"n{k}")
        k += 1
    lines.append(f"L = ({names[-1]} - 0.5) ** 2")
    return "\n".join(lines)


def answer_sets(solution: dict, seed: int = 0) -> dict[str, dict[str, object]]:
    rng = random.Random(seed)
    asked = [n for n in solution["nodes"] if n["kind"] != "const"]
    mixed: dict[str, object] = {}
    for k, node in enumerate(asked):
        grad, roll = node["grad"], rng.random()
        if k == 0:
            continue  # one missing answer
        if roll < 0.6:
            mixed[node["name"]] = repr(grad)
        elif roll < 0.75:
            mixed[node["name"]] = f"2*({grad!r})/2"
        else:
            mixed[node["name"]] = repr(grad * 2 + 1)
    return {
        "correct": {n["name"]: n["grad_exact"] for n in asked},
        "mixed": mixed,
        "wrong": {n["name"]: repr(n["grad"] * 3 + 0.5) for n in asked},
    }


def measure(solution, answers: dict, policy: GradingPolicy) -> float:
    """CPU seconds per grade() call over about SECONDS_PER_CASE (CPU time, so a busy
    machine slows the clock less than it slows the wall)."""
    grade(solution, answers, policy)  # warm up
    runs, start = 0, time.process_time()
    while True:
        grade(solution, answers, policy)
        runs += 1
        elapsed = time.process_time() - start
        if elapsed >= SECONDS_PER_CASE:
            return elapsed / runs


def main() -> None:
    policy = GradingPolicy()
    print("grading: CPU time per submission, hint level 2")
    print("  (dict = grade(stored solution dict); prepared = grade(prepare(dict)), for many")
    print("   submissions of one variant: the solution is read and each hint built once)")
    print(f"{'nodes':>6}  {'answers':<8} {'subs/s':>9} {'µs/node':>9} {'prepared µs/node':>17}")
    for size in SIZES:
        solution = parse(program(size)).solve(0, granularity="gate").to_solution()
        prepared = prepare(solution)
        nodes = len(solution["nodes"])
        for label, answers in answer_sets(solution).items():
            seconds = measure(solution, answers, policy)
            fast = measure(prepared, answers, policy)
            print(f"{nodes:>6}  {label:<8} {1 / seconds:>9.0f} {seconds / nodes * 1e6:>9.1f}"
                  f" {fast / nodes * 1e6:>17.1f}")
    twins()


def twins() -> None:
    """One program graded at line granularity and at gate granularity (goal: line ≤ 1.5×
    gate per submission); each asks its own nodes."""
    policy = GradingPolicy()
    text = composite_program(100)
    print("\nline vs gate granularity, the same program (composite lines), per submission:")
    print(f"{'granularity':<12} {'nodes':>6}  {'answers':<8} {'µs/sub':>9} {'prepared':>9}")
    cost: dict[tuple[str, str], float] = {}
    for granularity in ("gate", "line"):
        solution = parse(text).solve(0, granularity=granularity).to_solution()
        prepared = prepare(solution)
        for label, answers in answer_sets(solution).items():
            seconds = measure(solution, answers, policy)
            fast = measure(prepared, answers, policy)
            cost[granularity, label] = seconds
            print(f"{granularity:<12} {len(solution['nodes']):>6}  {label:<8} "
                  f"{seconds * 1e6:>9.0f} {fast * 1e6:>9.0f}")
    worst = max(cost["line", label] / cost["gate", label] for label in ("correct", "mixed",
                                                                         "wrong"))
    print(f"line ÷ gate, worst answer set: {worst:.2f}× (goal ≤ 1.5×: "
          f"{'met' if worst <= 1.5 else 'NOT met'})")


if __name__ == "__main__":
    main()
