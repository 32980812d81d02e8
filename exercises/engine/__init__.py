"""The backprop engine: pure Python, no Django.

`solve_text(text, seed)` is the front door: it reads a program in the authoring language
or a Mermaid flowchart and returns the solved `Graph` (every node's data and grad).
"""

from __future__ import annotations

import re

from .errors import ProgramError
from .graph import CONST, INPUT, OP, Graph, Node
from .lines import GATE, GRANULARITIES, LINE, check_granularity
from .parser import DEFAULT_SEED, Program, parse

__all__ = ["CONST", "DEFAULT_SEED", "GATE", "GRANULARITIES", "INPUT", "LINE", "OP", "Graph",
           "Node", "Program", "ProgramError", "is_mermaid", "parse", "solve_text"]


_HEADER = re.compile(r"^(flowchart|graph)(\s+(LR|RL|TB|TD|BT))?\s*;?$")


def is_mermaid(text: str) -> bool:
    """A flowchart header ("flowchart LR") on the first line that says anything; a program
    line like `graph = 2` is not one."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("%%"):
            return bool(_HEADER.match(stripped))
    return False


def build_text(text: str, seed: int | None = DEFAULT_SEED, granularity: str = LINE) -> Graph:
    """An unsolved graph from a program or a Mermaid flowchart, one node per line (the
    default) or per gate."""
    check_granularity(granularity)
    if is_mermaid(text):
        from .mermaid import parse_mermaid, to_granularity

        return to_granularity(parse_mermaid(text), granularity)
    return parse(text).build(seed, granularity)


def solve_text(text: str, seed: int | None = DEFAULT_SEED, granularity: str = LINE) -> Graph:
    return build_text(text, seed, granularity).solve()
