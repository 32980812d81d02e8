"""Fresh numbers for an exercise that has none of its own (no randint/choice).

A quiz can reuse one of the notes' examples with new numbers: each literal input is
jittered, seeded, within the ranges the generator keeps to (small integers stay small
integers, decimals keep their number of places and move by at most a quarter), and a draw
that leaves an op's domain (log of a negative, a division by zero) is drawn again.
Zeros stay zero: a zero bias or offset is part of the exercise's shape, not a number to
vary. Works on built graphs, so programs and diagrams alike.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction

from .errors import ProgramError
from .graph import INPUT, Graph

MAX_DRAWS = 20


def perturbed(build: Callable[[], Graph], seed: int) -> Graph:
    """A solved graph from `build()` (a fresh unsolved graph each call) with its literal
    inputs jittered from `seed`; the unjittered graph if no draw stays in every domain."""
    rng = random.Random(seed)
    for _ in range(MAX_DRAWS):
        graph = build()
        if not jitter(graph, rng):
            return graph.solve()  # nothing to vary: every input is zero or drawn
        try:
            return graph.solve()
        except ProgramError:
            continue
    return build().solve()


def jitter(graph: Graph, rng: random.Random) -> bool:
    """Move every literal input (not a randint/choice one); True if any moved."""
    moved = False
    for node in graph.nodes:
        if node.kind != INPUT or node.source or not node.data:
            continue
        node.data = _jittered(node.data, rng)
        moved = True
    return moved


def _jittered(value, rng: random.Random):
    if isinstance(value, Fraction) and value.denominator == 1:
        step = rng.choice((-2, -1, 1, 2))
        moved = value + step
        return moved if moved != 0 else value - step
    places = _decimal_places(value)
    factor = Fraction(rng.randint(75, 125), 100)
    if factor == 1:
        factor = Fraction(110, 100)
    scale = 10 ** places
    moved = Fraction(round(Fraction(value) * factor * scale), scale)
    if moved == 0 or moved == value:
        moved = Fraction(value) + Fraction(1, scale) * (1 if value > 0 else -1)
    return moved if isinstance(value, Fraction) else float(moved)


def _decimal_places(value) -> int:
    """At least one place; as many as the value has (up to 4) when it is a short decimal."""
    exact = Fraction(value).limit_denominator(10**6)
    for places in range(1, 5):
        if (exact * 10**places).denominator == 1:
            return places
    return 2
