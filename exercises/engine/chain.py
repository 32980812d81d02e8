"""The chain rule written out: the edges from the output back to one node.

For the notes' two-weight network at line granularity the chain for w1 is their five boxes,
∂L/∂a2·∂a2/∂z2·∂z2/∂a1·∂a1/∂z1·∂z1/∂w1: [(L, a2), (a2, z2), (z2, a1), (a1, z1), (z1, w1)],
each pair (node, input) one local derivative. Step-through and hints read these. They work
on any flat graph form: a `Graph`, or the grader's `Solved` (names, inputs, output).
"""

from __future__ import annotations

from .errors import ProgramError

MAX_PATHS = 64  # a hint lists a few paths; a graph with thousands gets the first ones


def paths(inputs, output: int, target: int, limit: int = MAX_PATHS) -> list[list[tuple]]:
    """Every path from `output` back to `target` as (node, input position) index pairs, in
    backward order; at most `limit` of them (in order of the inputs' positions)."""
    reaches = [False] * len(inputs)
    reaches[target] = True
    for i in range(target + 1, output + 1):
        reaches[i] = any(reaches[j] for j in inputs[i])
    if not reaches[output]:
        return []
    found: list[list[tuple]] = []
    stack: list[tuple[int, list]] = [(output, [])]
    while stack and len(found) < limit:
        node, path = stack.pop()
        if node == target:
            found.append(path)
            continue
        steps = [(node, p) for p, j in enumerate(inputs[node]) if reaches[j]]
        for step in reversed(steps):
            stack.append((inputs[node][step[1]], path + [step]))
    return found


def backward_paths(graph, name: str, limit: int = MAX_PATHS) -> list[list[tuple[str, str]]]:
    """The paths from the graph's output back to node `name`, as (node, input) names."""
    names = graph.names
    inputs = graph.args if hasattr(graph, "args") else graph.inputs
    output = len(names) - 1 if not hasattr(graph, "output") or not isinstance(
        graph.output, int) else graph.output
    target = names.index(name)
    return [[(names[c], names[inputs[c][p]]) for c, p in path]
            for path in paths(inputs, output, target, limit)]


def backward_chain(graph, name: str) -> list[tuple[str, str]]:
    """The one path from the output back to `name` (the notes' chain boxes, in order).
    A node with several paths (fan-out) has no single chain: see backward_paths."""
    found = backward_paths(graph, name, limit=2)
    if len(found) != 1:
        raise ProgramError(f"'{name}' reaches the output by {len(found) or 'no'} paths; "
                           "the chain rule sums one product per path")
    return found[0]
