"""manage.py grade: files in, JSON out; --jsonl from stdin; clear one-line errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from grading_helpers import EX3

from exercises.engine import solve_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def files(tmp_path):
    program = tmp_path / "ex3.txt"
    program.write_text(EX3 + "\n")
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"x": "15", "y": 15, "z": "7", "L": 1}))
    return program, answers


def run(*args, stdin: str | None = None) -> str:
    out = io.StringIO()
    kwargs = {"stdout": out}
    if stdin is not None:
        kwargs["stdin"] = io.StringIO(stdin)
    call_command("grade", *args, **kwargs)
    return out.getvalue()


def test_grades_a_program_and_answers_file(files):
    result = json.loads(run(*map(str, files)))
    assert result["score"] == 0.75
    x = result["nodes"]["x"]
    assert x["misconception"] == "missing_branch" and "∂L/∂x" in x["hint"]


def test_hint_level_option(files):
    assert json.loads(run(*map(str, files), "--hint-level", "0"))["nodes"]["x"]["hint"] is None
    level3 = json.loads(run(*map(str, files), "--hint-level", "3"))["nodes"]["x"]["hint"]
    assert level3.endswith("= 36.")


def test_worked_numbers_only_at_level_3_which_also_gives_the_formula_hint(files):
    """Example 3's ∂L/∂x = 36 (no value in the graph): the default level never prints it;
    level 3, asked for, does, and records the level-2 hint beside it."""
    default = run(*map(str, files))
    assert "36" not in default and "hint_formula" not in default
    x2 = json.loads(default)["nodes"]["x"]
    x3 = json.loads(run(*map(str, files), "--hint-level", "3"))["nodes"]["x"]
    assert "= 36." in x3["hint"]
    assert (x3["hint_formula"], x3["hint_formula_latex"]) == (x2["hint"], x2["hint_latex"])
    assert "36" not in x3["hint_formula"] + x3["hint_formula_latex"]


def test_seed_option_picks_the_variant(tmp_path):
    program = tmp_path / "random.txt"
    program.write_text("w = randint(1, 1000)\nL = w * w\n")
    answers = tmp_path / "a.json"
    answers.write_text("{}")
    solved = {}
    for seed in (1, 2):
        solved[seed] = solve_text(program.read_text(), seed)["w"].grad
        answers.write_text(json.dumps({"w": str(solved[seed]), "L": "1"}))
        assert json.loads(run(str(program), str(answers), "--seed", str(seed)))["score"] == 1
    assert solved[1] != solved[2]


def test_mermaid_program_file(tmp_path):
    program = tmp_path / "ex1.mmd"
    program.write_text('flowchart LR\n  a["a<br/>data: 3"] --> plus(("+"))\n'
                       '  b["b<br/>data: 2"] --> plus\n  plus --> c["c"]\n'
                       '  c --> mult(("×"))\n  d["d<br/>data: 4"] --> mult\n'
                       '  mult --> L["L"]\n')
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"a": 4, "b": 4, "c": 4, "d": 5, "L": 1}))
    assert json.loads(run(str(program), str(answers)))["score"] == 1.0


@pytest.mark.parametrize(("setup", "message"), [
    (lambda p, a: (p.parent / "missing.txt", a), "cannot read program file"),
    (lambda p, a: (p.write_text("x = 5\ny = x +\n"), (p, a))[1], "program: line 2"),
    (lambda p, a: (a.write_text("{"), (p, a))[1], "answers file is not valid JSON"),
    (lambda p, a: (a.write_text('["15"]'), (p, a))[1], '"answers" must be an object'),
    (lambda p, a: (p.write_bytes(b"\xff\xfe"), (p, a))[1], "not UTF-8"),
])
def test_errors_are_one_clear_command_error(files, setup, message):
    program, answers = setup(*files)
    with pytest.raises(CommandError, match=message):
        run(str(program), str(answers))


def test_needs_files_or_jsonl():
    with pytest.raises(CommandError, match="PROGRAM_FILE and ANSWERS_FILE"):
        run()
    with pytest.raises(CommandError, match="give no files"):
        run("--jsonl", "x.txt", stdin="")


def test_jsonl_grades_each_line_and_survives_bad_ones():
    lines = [
        json.dumps({"program": EX3, "answers": {"x": "36"}, "id": "s1"}),
        "not json",
        json.dumps({"program": "x = ", "answers": {}}),
        "",
        json.dumps({"program": EX3, "answers": {"x": "15"}, "hint_level": 0, "asked": ["x"]}),
        json.dumps([1, 2]),
        json.dumps({"program": EX3, "answers": {"x": "1/0"}}),
        json.dumps({"program": EX3, "answers": {"x": "15"}, "asked": ["nope"]}),
        json.dumps({"program": EX3, "answers": {"c": "6"}, "ask": "data",
                    "policy": {"tolerance": {"sig_figs": 2}}}),
    ]
    out = run("--jsonl", stdin="\n".join(lines) + "\n").splitlines()
    results = [json.loads(line) for line in out]
    assert len(results) == 8  # the blank line is skipped
    assert results[0]["id"] == "s1" and results[0]["nodes"]["x"]["correct"]
    assert results[1] == {"error": "line 2: not valid JSON: Expecting value"}
    assert results[2]["error"].startswith("line 3: program: line 1: syntax error")
    assert results[3]["nodes"]["x"]["hint"] is None and results[3]["score"] == 0
    assert results[4]["error"] == "line 6: each line must be a JSON object"
    assert results[5]["valid"] is False and "division by zero" in results[5]["errors"]["x"]
    assert "unknown node" in results[6]["error"]
    assert results[7]["ask"] == "data"


def test_exit_status_and_stderr_from_the_command_line(tmp_path, files):
    bad = tmp_path / "bad.txt"
    bad.write_text("x = 5\nL = x +\n")
    done = subprocess.run([sys.executable, "manage.py", "grade", str(bad), str(files[1])],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "line 2" in done.stderr


@pytest.mark.parametrize("granularity", [None, "line", "gate"])
def test_jsonl_gives_the_new_codes_alternatives_and_ambiguity(granularity):
    # None: the command's default, one node per line (as exercises are built).
    sub = "c3 = 1\nd3 = 4\ne = c3 - d3\nL = e * 2"
    sigmoid = "w = 1.5\nx = 0.8\nz = w * x\na = sigmoid(z)\nL = a * 2"
    half = "t = 1\no = 0.25\nE = 0.5 * (t - o) ** 2"
    requests = [
        {"program": sub, "answers": {"d3": "2"}, "asked": ["d3"]},
        {"program": "n = 0.5\nt = tanh(n)\nL = t * 3", "asked": ["n"],
         "answers": {"n": repr(3 * (1 - 0.25))}},
        {"program": sigmoid, "asked": ["w"], "learning_rate": 0.5,
         "answers": {"w": "1.5 - 0.5 * 0.2846"}},
        {"program": sub, "answers": {}, "learning_rate": "fast"},
        # one line whose local derivative is composite: the ½ left out of ∂E/∂o
        {"program": half, "answers": {"o": "-1.5"}, "asked": ["o"], "hint_level": 1},
        # the sign slip inside one line, with its coincidence
        {"program": "c3 = 1\nd3 = 4\nL = (c3 - d3) * 2", "answers": {"d3": "2"},
         "asked": ["d3"]},
    ]
    if granularity is not None:
        requests = [{**r, "granularity": granularity} for r in requests]
    lines = [json.dumps(r) for r in requests]
    results = [json.loads(line) for line in run("--jsonl", stdin="\n".join(lines)).splitlines()]
    d3 = results[0]["nodes"]["d3"]
    assert (d3["misconception"], d3["also"], d3["ambiguous"]) == ("sign", ["add_as_mul"], True)
    n = results[1]["nodes"]["n"]
    assert (n["misconception"], n["also"], n["ambiguous"]) == ("tanh_argument", [], False)
    assert results[2]["nodes"]["w"]["misconception"] == "update_for_grad"
    assert results[3]["error"].startswith('line 4: "learning_rate"')
    d3 = results[5]["nodes"]["d3"]
    assert (d3["misconception"], d3["also"], d3["ambiguous"]) == ("sign", ["add_as_mul"], True)
    o = results[4]["nodes"]["o"]
    if granularity != "gate":  # the engine's line nodes: the program's own words
        # (at gate granularity the ½'s multiply is a gate of its own, past o's consumer)
        assert (o["misconception"], o["ambiguous"]) == ("dropped_constant", False)
        assert "E = 0.5·(t − o)^2" in o["explanation"] and "You typed -1.5" in o[
            "explanation"]
        assert d3["explanation"].startswith("At L = (c3 − d3)·2 (at c3 − d3)")
        assert all("_1" not in (r["nodes"][k]["explanation"] or "")
                   for r in results if "nodes" in r for k in r["nodes"])
