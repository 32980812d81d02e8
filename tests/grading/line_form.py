"""A stored solution at line granularity, built from the gate-granularity one (LINES.md).

Until the engine stores line nodes itself, the grading tests need line-form solutions to
grade against: every program line becomes one node whose inner `gates` are the gate nodes
the line made; the line's local derivatives come from backprop over those gates (summed
over every inner path). Written independently of the grader's own reader on purpose.
"""

from __future__ import annotations

from exercises.engine import parse


def line_solution(program: str, seed: int = 0) -> dict:
    gate_form = parse(program).solve(seed, granularity="gate").to_solution()
    items = gate_form["nodes"]
    by_name = {item["name"]: item for item in items}
    line_of = {item["name"]: item.get("line") for item in items}
    # The named node of each line: the last node the line made (its assignment).
    last_on_line: dict[int, str] = {}
    for item in items:
        if item["kind"] != "const":
            last_on_line[item["line"]] = item["name"]
    named = set(last_on_line.values())
    nodes = []
    for item in items:
        if item["name"] not in named:
            continue
        if item["kind"] != "op":
            nodes.append({k: v for k, v in item.items()})
            continue
        line = item["line"]
        inner = [it for it in items if it["kind"] == "op" and it["line"] == line]
        index = {it["name"]: k for k, it in enumerate(inner)}
        inputs: list[str] = []
        gates = []
        for it in inner:
            args = []
            for src in it["inputs"]:
                if src in index:
                    args.append(index[src])
                elif by_name[src]["kind"] == "const":
                    args.append({"const": by_name[src]["data_exact"]})
                else:
                    if src not in inputs:
                        inputs.append(src)
                    args.append(src)
            gate = {"op": it["op"], "args": args, "data": it["data"], "local": it["local"]}
            if "exponent" in it:
                gate["exponent"] = it["exponent"]
            gates.append(gate)
        local = _line_local(gates, inputs)
        node = {k: v for k, v in item.items() if k not in ("op", "inputs", "local",
                                                             "exponent", "symbol")}
        node.update(op="expr", inputs=inputs, local=local, gates=gates,
                    expression=_text(gates, len(gates) - 1))
        nodes.append(node)
        assert all(line_of[src] != line for src in inputs)
    return {"output": gate_form["output"], "nodes": nodes, "granularity": "line"}


def _line_local(gates: list[dict], inputs: list[str]) -> list[float]:
    adj = [0.0] * len(gates)
    adj[-1] = 1.0
    local = dict.fromkeys(inputs, 0.0)
    for g in range(len(gates) - 1, -1, -1):
        for a, arg in enumerate(gates[g]["args"]):
            if isinstance(arg, int):
                adj[arg] += adj[g] * gates[g]["local"][a]
            elif isinstance(arg, str):
                local[arg] += adj[g] * gates[g]["local"][a]
    return [local[name] for name in inputs]


_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/"}


def _text(gates: list[dict], g: int) -> str:
    gate = gates[g]
    parts = []
    for arg in gate["args"]:
        if isinstance(arg, int):
            parts.append(f"({_text(gates, arg)})")
        elif isinstance(arg, str):
            parts.append(arg)
        else:
            parts.append(arg["const"])
    if gate["op"] in _SYMBOLS:
        return f" {_SYMBOLS[gate['op']]} ".join(parts)
    if gate["op"] == "pow":
        return f"{parts[0]} ** {gate['exponent']}"
    if gate["op"] == "neg":
        return f"-{parts[0]}"
    return f"{gate['op']}({', '.join(parts)})"
