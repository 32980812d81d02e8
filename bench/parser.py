"""The authoring language's parser: linear in the text's length; text → solved graph time.

    python -m bench.parser [--quick]

Two tables, both timed in CPU time (`time.process_time`, the best of many runs), so that
other work on a shared machine does not count:

  * parse time against program length, 1 kB … 100 kB: the same 500-node program (the
    node cap; every line has decimal literals, which the old parser re-split the whole text
    for) padded with comment lines. `parse(text, max_chars=None)` lifts the 20,000-character
    limit of MAX_PROGRAM_CHARS so the parser itself can be measured past it;
  * text → solved graph (`solve_text`) for that program at 20,000 characters (the limit),
    at line and gate granularity, against the goal of 5 ms.

The table is printed and written to bench/out/parser.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
GOAL_MS = 5.0
LENGTHS = (1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)


def program_body() -> str:
    """Lines `s_k = s_(k-1) + a * 0.75` until the next one would pass the node cap."""
    from exercises.engine import ProgramError, parse

    lines = ["a = 0.5", "b = 1.25", "s0 = a * b"]
    k = 1
    while True:
        candidate = lines + [f"s{k} = s{k - 1} + a * 0.75"]
        try:
            parse("\n".join(candidate) + "\n").build(0, "gate")
        except ProgramError:
            return "\n".join(lines) + "\n"
        lines = candidate
        k += 1


def padded(body: str, length: int) -> str:
    comment = "# a comment line, as long as a sentence in the notes, 0.5 and 1.25\n"
    room = max(0, length - len(body))
    return comment * (room // len(comment)) + "#" * max(0, room % len(comment) - 1) + (
        "\n" if room % len(comment) else "") + body


def best_cpu_ms(function, runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        function()
        best = min(best, time.process_time() - start)
    return best * 1000


def main(quick: bool = False) -> int:
    from exercises.engine import parse, solve_text

    body = program_body()
    nodes = len(parse(body).build(0, "gate"))
    runs = 10 if quick else 40
    lines = [
        "# Parser benchmark: linear in the text's length",
        "",
        f"Python {sys.version.split()[0]}; CPU time (best of {runs}); a {nodes}-node program "
        f"({len(body):,} characters, {body.count(chr(10))} lines, decimal literals on every "
        "line) padded with comment lines.",
        "",
        "| program length | parse ms | µs per kB |",
        "|---:|---:|---:|",
    ]
    for length in LENGTHS:
        text = padded(body, length)
        ms = best_cpu_ms(lambda text=text: parse(text, max_chars=None), runs)
        lines.append(f"| {len(text):,} | {ms:.2f} | {ms * 1000 / (len(text) / 1000):,.0f} |")
        print(lines[-1], flush=True)
    text = padded(body, 20_000)
    lines += ["", f"Text → solved graph (`solve_text`), the {nodes}-node program at "
              f"{len(text):,} characters (goal ≤ {GOAL_MS:g} ms):", "",
              "| granularity | nodes | ms | goal |", "|---|---:|---:|---|"]
    for granularity in ("line", "gate"):
        size = len(solve_text(text, granularity=granularity))
        ms = best_cpu_ms(lambda g=granularity: solve_text(text, granularity=g), runs)
        verdict = "met" if ms <= GOAL_MS else "NOT met"
        lines.append(f"| {granularity} | {size} | {ms:.2f} | {verdict} |")
        print(lines[-1], flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "parser.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.parser")
    parser.add_argument("--quick", action="store_true")
    return main(quick=parser.parse_args(argv).quick)


if __name__ == "__main__":
    sys.exit(cli())
