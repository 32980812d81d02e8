"""A line's shape in the graph is labelled in the notes' writing, not in the program's."""

from __future__ import annotations

from exercises.engine import solve_text
from exercises.templatetags.graph_tags import graph_view

NETWORK = """x = 1
w1 = 0.5
b1 = 0
w2 = 0.8
b2 = 0
y = const(1)
z1 = w1 * x + b1
a1 = sigmoid(z1)
z2 = w2 * a1 + b2
a2 = sigmoid(z2)
L = (a2 - y) ** 2
"""


def test_line_shapes_read_as_the_notes_write_them():
    graph = solve_text(NETWORK).to_solution()
    drawn = {n["name"]: n.get("op_label") for n in graph_view(graph)["data"]["nodes"]}
    assert drawn["z1"] == "w1·x + b1"
    assert drawn["a1"] == "σ(z1)"
    assert drawn["L"] == "(a2 − y)²"
    assert drawn["x"] is None  # an input is a box, not a shape
