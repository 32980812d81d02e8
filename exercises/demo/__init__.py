"""The demo course: every example of the course notes, as exercises.

Each entry names a program file (the authoring language) and, where the notes draw one, a
Mermaid diagram, both in this folder. The loader lives in `exercises.demo.load`.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

# (slug, title, program file, mermaid file, difficulty, tags)
SEED_EXAMPLES = [
    ("refresher-1", "Refresher, Example 1: (a + b) × d", None, "refresher_1.mmd", 1,
     ["refresher", "add", "mul"]),
    ("refresher-2", "Refresher, Example 2: c = a × b, e = c + d, L = e × f", "refresher_2.txt",
     "refresher_2.mmd", 1, ["refresher", "add", "mul"]),
    ("refresher-3", "Refresher, Example 3: x feeds two operations", "refresher_3.txt",
     "refresher_3.mmd", 2, ["refresher", "branch"]),
    ("worked-xy", "The worked example: loss = x·y + 1", "worked_xy.txt", None, 1,
     ["chain-rule"]),
    ("x-squared", "The derivative of x² at x = 3", "x_squared.txt", None, 1, ["power"]),
    ("slope", "The slope of ½x² − x + 1.5 at x = 2", "slope.txt", None, 2, ["power"]),
    ("surface", "Partial derivatives of x² + 2y² at (0.5, 0.3)", "surface.txt", None, 2,
     ["partial", "power"]),
    ("square-chain", "The chain rule on (3x + 1)² at x = 2", "square_chain.txt", None, 2,
     ["chain-rule", "power"]),
    ("sigmoid-neuron", "A sigmoid neuron", "sigmoid_neuron.txt", None, 3,
     ["neuron", "sigmoid"]),
    ("staged-fxy", "The staged f(x, y) with eight stored values", "staged_fxy.txt", None, 3,
     ["staged", "sigmoid", "branch"]),
    ("two-weight-network", "The two-weight network with a squared loss",
     "two_weight_network.txt", None, 4, ["network", "sigmoid"]),
]


def read(filename: str | None) -> str:
    return (HERE / filename).read_text(encoding="utf-8") if filename else ""
