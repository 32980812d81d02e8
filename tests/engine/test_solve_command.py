"""`python manage.py solve FILE [--format table|json|mermaid] [--seed N]` as a real process."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "exercises" / "demo"
RANDOM_PROGRAM = "w = randint(1, 10000)\nc = choice(0.5, 2, 3)\nL = w * c\n"
REFUSED_PROGRAM = "x = 1\n\ny = x + q\n"  # line 3: unknown name


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


# Every process the tests start, all at once: each one pays Django's start-up (~1 s).
JOBS: dict[str, tuple[list[str], str | None]] = {
    "json": (["-", "--format", "json", "--granularity", "gate"],
             (DEMO / "refresher_3.txt").read_text(encoding="utf-8")),
    "json_lines": (["exercises/demo/two_weight_network.txt", "--format", "json"], None),
    "mermaid": (["exercises/demo/refresher_3.txt", "--format", "mermaid", "--granularity",
                 "gate"], None),
    "table": (["exercises/demo/refresher_3.txt"], None),
    "seed_default": (["-", "--format", "json"], RANDOM_PROGRAM),
    "seed_1": (["-", "--seed", "1", "--format", "json"], RANDOM_PROGRAM),
    "refused": (["-", "--format", "json"], REFUSED_PROGRAM),
}


@pytest.fixture(scope="module")
def runs() -> dict[str, Run]:
    started = {}
    for key, (args, stdin) in JOBS.items():
        started[key] = (subprocess.Popen(
            [sys.executable, "manage.py", "solve", *args], cwd=ROOT, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            encoding="utf-8"), stdin)
    results = {}
    for key, (process, stdin) in started.items():
        out, err = process.communicate(stdin, timeout=120)
        results[key] = Run(process.returncode, out, err)
    return results


def ok(run: Run) -> Run:
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    return run


def refused_cleanly(run: Run) -> str:
    assert run.returncode != 0
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    return lines[0]


def test_json_format(runs):
    result = json.loads(ok(runs["json"]).stdout)
    assert set(result) == {"granularity", "output", "nodes"}
    assert result["granularity"] == "gate"
    assert result["output"] == "L"
    seen = set()
    for node in result["nodes"]:
        extra = {"locals", "expression"} if node["kind"] == "op" else set()
        assert set(node) == {"name", "kind", "op", "inputs", "data", "grad"} | extra
        assert node["kind"] in ("input", "const", "op")
        assert (node["op"] is None) == (node["kind"] != "op")
        assert all(name in seen for name in node["inputs"])  # topological order
        seen.add(node["name"])
    by_name = {n["name"]: n for n in result["nodes"]}
    assert by_name["x"] == {"name": "x", "kind": "input", "op": None, "inputs": [],
                            "data": 5.0, "grad": 36.0}
    assert by_name["L"]["op"] == "mul" and by_name["L"]["inputs"] == ["y", "z"]
    assert result["nodes"][-1]["name"] == "L"


def test_json_format_at_line_granularity(runs):
    """The contract: one node per program line, with its expression and local derivatives."""
    result = json.loads(ok(runs["json_lines"]).stdout)
    assert result["granularity"] == "line" and result["output"] == "L"
    by_name = {n["name"]: n for n in result["nodes"]}
    assert list(by_name) == ["x", "w1", "b1", "w2", "b2", "y", "z1", "a1", "z2", "a2", "L"]
    z1 = by_name["z1"]
    assert z1["kind"] == "op" and z1["op"] == "expr"
    assert z1["inputs"] == ["w1", "x", "b1"] and z1["expression"] == "w1 * x + b1"
    assert z1["locals"] == {"w1": 1.0, "x": 0.5, "b1": 1.0}  # ∂z1/∂w1 = x, ∂z1/∂x = w1
    a2 = by_name["a2"]["data"]
    assert by_name["L"]["expression"] == "(a2 - y) ** 2"
    assert by_name["L"]["locals"]["a2"] == pytest.approx(2 * (a2 - 1))
    assert "locals" not in by_name["x"] and "expression" not in by_name["x"]
    assert by_name["w1"]["grad"] == pytest.approx(-0.03341936448503132)


def test_mermaid_format(runs):
    text = ok(runs["mermaid"]).stdout
    assert text.startswith("flowchart LR\n")
    assert 'x["x<br/>data: 5<br/>grad: 36"]' in text
    assert 'L["L<br/>data: 105<br/>grad: 1"]' in text
    assert text.count("(const)") == 2


def test_table_format(runs):
    text = ok(runs["table"]).stdout
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["node", "op", "data", "grad"]
    assert lines[-1] == "output: L"
    x_row = next(line for line in lines if line.startswith("x "))
    assert x_row.split()[:4] == ["x", "input", "5", "36"]
    l_row = next(line for line in lines if line.startswith("L "))
    assert "105" in l_row and "∂L/∂y = z = 15" in l_row


def test_stdin_in_process():
    result = json.loads(in_process("-", "--format", "json",
                                   stdin="x = 2.0\ny = 3.0\nz = x * y\nloss = z + 1\n"))
    by_name = {n["name"]: n for n in result["nodes"]}
    assert result["output"] == "loss"
    assert (by_name["x"]["grad"], by_name["y"]["grad"], by_name["loss"]["data"]) == (3, 2, 7)


def test_seed(runs):
    def inputs(key):
        nodes = json.loads(ok(runs[key]).stdout)["nodes"]
        return {n["name"]: n["data"] for n in nodes if n["kind"] == "input"}

    drawn = [inputs(key) for key in ("seed_default", "seed_1")]
    assert len({d["w"] for d in drawn}) > 1
    assert all(1 <= d["w"] <= 10_000 and d["c"] in (0.5, 2, 3) for d in drawn)
    for key in ("seed_default", "seed_1"):
        nodes = {n["name"]: n for n in json.loads(runs[key].stdout)["nodes"]}
        assert nodes["L"]["data"] == nodes["w"]["data"] * nodes["c"]["data"]
        assert nodes["w"]["grad"] == nodes["c"]["data"]
    # Without --seed, solve uses seed 0; the same seed gives the same variant.
    assert ok(runs["seed_default"]).stdout.strip() == in_process("-", "--format", "json",
                                                                "--seed", "0",
                                                                stdin=RANDOM_PROGRAM).strip()
    assert ok(runs["seed_1"]).stdout.strip() == in_process("-", "--format", "json", "--seed", "1",
                                                          stdin=RANDOM_PROGRAM).strip()


def test_refused_program(runs):
    line = refused_cleanly(runs["refused"])
    assert "line 3" in line and "q" in line


# -- the same command in-process (cheaper than a process per case) ------------------------------

def in_process(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    with mock.patch("sys.stdin", io.StringIO(stdin or "")):
        call_command("solve", *args, stdout=out)
    return out.getvalue()


def test_mermaid_input_in_process():
    nodes = json.loads(in_process("exercises/demo/refresher_1.mmd", "--format", "json"))["nodes"]
    by_name = {n["name"]: n for n in nodes}
    assert [(by_name[k]["data"], by_name[k]["grad"]) for k in "abcdL"] == [
        (3, 4), (2, 4), (5, 4), (4, 5), (20, 1)]
    diagram = (DEMO / "refresher_2.mmd").read_text(encoding="utf-8")
    by_name = {n["name"]: n for n in json.loads(in_process("-", "--format", "json",
                                                           stdin=diagram))["nodes"]}
    assert by_name["a"]["grad"] == 6 and by_name["f"]["grad"] == 10


def test_formats_agree_in_process():
    table = in_process(str(DEMO / "refresher_3.txt"), "--format", "table")
    assert table == in_process(str(DEMO / "refresher_3.txt"))
    mermaid = in_process(str(DEMO / "refresher_3.txt"), "--format", "mermaid")
    assert 'x["x<br/>data: 5<br/>grad: 36"]' in mermaid


@pytest.mark.parametrize("args,stdin,fragment", [
    (["-"], "x = 0\ny = log(x)\n", "line 2"),
    (["-"], 'flowchart LR\n    a["a<br/>data: 1"] --> p(("%"))\n', "line 2"),
    (["-"], "", "empty"),
    (["/nonexistent/program.txt"], None, "/nonexistent/program.txt"),
    (["-", "--format", "yaml"], "x = 1\ny = x + 1\n", "invalid choice"),
    (["-", "--seed", "x"], "x = 1\ny = x + 1\n", "invalid int"),
], ids=["domain", "diagram", "empty", "missing_file", "bad_format", "bad_seed"])
def test_refusals_are_command_errors(args, stdin, fragment):
    with pytest.raises(CommandError) as info:
        in_process(*args, stdin=stdin)
    assert fragment in str(info.value)


def test_undecodable_file(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"x = 1\ny = x + 1 # \xe9\n")
    with pytest.raises(CommandError, match="cannot read"):
        in_process(str(path))


@pytest.mark.parametrize("text", [
    "x = 1\ny = exp + x\n",
    "x = 1e100\ny = x * x * x * x\n",
    "x = 1e-155\ne = exp(x)\ny = e / x\n",
], ids=["function_name_as_value", "huge_exact_value", "infinite_gradient"])
@pytest.mark.parametrize("fmt", ["json", "table", "mermaid"])
def test_hostile_programs_never_crash_the_command(text, fmt):
    """Anything but CommandError escaping the command is a traceback on the terminal."""
    try:
        out = in_process("-", "--format", fmt, stdin=text)
    except CommandError:
        return
    if fmt == "json":
        json.loads(out, parse_constant=lambda c: pytest.fail(f"{c} in the JSON"))
