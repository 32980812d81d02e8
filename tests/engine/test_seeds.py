"""The course notes' examples, solved by `manage.py solve`, reproduce the notes' numbers."""

from __future__ import annotations

import io
import json
import math
import re
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp
from django.core.management import call_command

DEMO = Path(__file__).resolve().parents[2] / "exercises" / "demo"

# The three flowcharts exactly as the notes ("Basic Calculus Refresh") draw them.
NOTES_DIAGRAMS = {
    1: """flowchart LR
    a["a<br/>data: 3<br/>grad: 4"] --> plus(("+"))
    b["b<br/>data: 2<br/>grad: 4"] --> plus
    plus --> c["c<br/>data: 5<br/>grad: 4"]
    c --> mult(("×"))
    d["d<br/>data: 4<br/>grad: 5"] --> mult
    mult --> L["L<br/>data: 20<br/>grad: 1"]
""",
    2: """flowchart LR
    a["a<br/>data: 2<br/>grad: 6"] --> mult1(("×"))
    b["b<br/>data: 3<br/>grad: 4"] --> mult1
    mult1 --> c["c<br/>data: 6<br/>grad: 2"]
    c --> plus(("+"))
    d["d<br/>data: 4<br/>grad: 2"] --> plus
    plus --> e["e<br/>data: 10<br/>grad: 2"]
    e --> mult2(("×"))
    f["f<br/>data: 2<br/>grad: 10"] --> mult2
    mult2 --> L["L<br/>data: 20<br/>grad: 1"]
""",
    3: """flowchart LR
    x["x<br/>data: 5<br/>grad: 36"] --> plus(("+"))
    two["2<br/>(const)"] --> plus
    plus --> y["y<br/>data: 7<br/>grad: 15"]
    x --> mult1(("×"))
    three["3<br/>(const)"] --> mult1
    mult1 --> z["z<br/>data: 15<br/>grad: 7"]
    y --> mult2(("×"))
    z --> mult2
    mult2 --> L["L<br/>data: 105<br/>grad: 1"]
""",
}

NOTES_PROGRAMS = {
    1: "a = 3\nb = 2\nd = 4\nc = a + b\nL = c * d\n",
    2: "a = 2\nb = 3\nd = 4\nf = 2\nc = a * b\ne = c + d\nL = e * f\n",
    3: "x = 5\ny = x + 2\nz = x * 3\nL = y * z\n",
}


# Every example here runs at both granularities: one node per program line (the default)
# and one per gate; the notes' numbers are the same either way.
GRANULARITY = "line"


@pytest.fixture(autouse=True, params=["line", "gate"])
def granularity(request, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "GRANULARITY", request.param)
    return request.param


def solve(tmp_path, text: str, fmt: str = "json", seed: int | None = None,
          granularity: str | None = None):
    """Run the solve command on `text` at the test's granularity (unless one is given); the
    parsed JSON (or the text for other formats)."""
    granularity = granularity or GRANULARITY
    path = tmp_path / "program.txt"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    args = [str(path), "--format", fmt] + ([] if seed is None else ["--seed", str(seed)])
    args += [] if granularity is None else ["--granularity", granularity]
    call_command("solve", *args, stdout=out)
    return json.loads(out.getvalue()) if fmt == "json" else out.getvalue()


def nodes(result: dict) -> dict[str, dict]:
    return {n["name"]: n for n in result["nodes"]}


def written_numbers(diagram: str) -> dict[str, tuple[float, float]]:
    found = {}
    for label in re.findall(r'\["([^"]*)"\]', diagram):
        parts = label.split("<br/>")
        fields = dict(p.split(": ", 1) for p in parts[1:] if ": " in p)
        if "data" in fields and "grad" in fields:
            found[parts[0]] = (float(fields["data"]), float(fields["grad"]))
    return found


# -- "Basic Calculus Refresh", Examples 1–3 -----------------------------------------------------

@pytest.mark.parametrize("example", [1, 2, 3])
def test_refresher_diagram_numbers_from_the_diagram(tmp_path, example):
    diagram = NOTES_DIAGRAMS[example]
    expected = written_numbers(diagram)
    got = nodes(solve(tmp_path, diagram))
    for name, (data, grad) in expected.items():
        assert (got[name]["data"], got[name]["grad"]) == (data, grad), name
    assert solve(tmp_path, diagram)["output"] == "L"


@pytest.mark.parametrize("example", [1, 2, 3])
def test_refresher_diagram_numbers_from_the_program(tmp_path, example):
    expected = written_numbers(NOTES_DIAGRAMS[example])
    got = nodes(solve(tmp_path, NOTES_PROGRAMS[example]))
    assert {name for name, n in got.items() if n["kind"] != "const"} == set(expected)
    for name, (data, grad) in expected.items():
        assert (got[name]["data"], got[name]["grad"]) == (data, grad), name


@pytest.mark.parametrize("example", [1, 2, 3])
def test_refresher_program_exports_the_notes_diagram(tmp_path, example):
    exported = solve(tmp_path, NOTES_PROGRAMS[example], fmt="mermaid", granularity="gate")
    assert written_numbers(exported) == written_numbers(NOTES_DIAGRAMS[example])
    if example == 3:
        assert exported.count("(const)") == 2


def test_demo_files_match_the_notes():
    for example in (1, 2, 3):
        assert (DEMO / f"refresher_{example}.mmd").read_text().strip() == \
            NOTES_DIAGRAMS[example].strip()
    for example in (2, 3):
        lines = [ln for ln in (DEMO / f"refresher_{example}.txt").read_text().splitlines()
                 if ln and not ln.startswith("#")]
        assert "\n".join(lines) + "\n" == NOTES_PROGRAMS[example]


def test_refresher_forward_passes(tmp_path):
    two = nodes(solve(tmp_path, (DEMO / "refresher_2.txt").read_text()))
    assert [two[k]["data"] for k in ("c", "e", "L")] == [6, 10, 20]
    three = nodes(solve(tmp_path, (DEMO / "refresher_3.txt").read_text()))
    assert [three[k]["data"] for k in ("y", "z", "L")] == [7, 15, 105]
    assert three["x"]["grad"] == 7 * 3 + 15 == 36


# -- "The Math You Need" -----------------------------------------------------------------------

def test_worked_example_x_times_y_plus_one(tmp_path):
    got = nodes(solve(tmp_path, (DEMO / "worked_xy.txt").read_text()))
    assert got["loss"]["data"] == 7.0 and got["z"]["data"] == 6.0
    assert got["x"]["grad"] == 3.0 and got["y"]["grad"] == 2.0 and got["z"]["grad"] == 1.0
    # The notes' sanity check: nudging x by 0.001 moves the loss by 0.003.
    nudged = nodes(solve(tmp_path, "x = 2.001\ny = 3.0\nz = x * y\nloss = z + 1\n"))
    assert nudged["loss"]["data"] == 7.003
    assert math.isclose((nudged["loss"]["data"] - 7.0) / 0.001, 3.0, rel_tol=1e-9)


def test_x_squared_at_3(tmp_path):
    got = nodes(solve(tmp_path, (DEMO / "x_squared.txt").read_text()))
    assert got["f"]["data"] == 9 and got["x"]["grad"] == 6
    nudged = nodes(solve(tmp_path, "x = 3.001\nf = x ** 2\n"))
    assert nudged["f"]["data"] == 9.006001  # exact, as the notes write it


# -- "The Chain Rule, unfolded" ---------------------------------------------------------------

def test_square_chain_3x_plus_1_squared(tmp_path):
    got = nodes(solve(tmp_path, (DEMO / "square_chain.txt").read_text()))
    assert got["y"]["data"] == 49 and got["u"]["data"] == 7
    assert got["x"]["grad"] == 42 and got["u"]["grad"] == 14
    # Sanity check: y(2.01) = 7.03² = 49.4209, a change of 0.4209 ≈ 42 · 0.01.
    nudged = nodes(solve(tmp_path, "x = 2.01\nu = 3 * x + 1\ny = u ** 2\n"))
    assert nudged["u"]["data"] == 7.03
    assert nudged["y"]["data"] == 49.4209
    assert abs((nudged["y"]["data"] - 49) - 42 * 0.01) < 0.001


def test_surface_partials_at_half_and_point_three(tmp_path):
    got = nodes(solve(tmp_path, (DEMO / "surface.txt").read_text()))
    assert got["f"]["data"] == 0.43
    assert got["x"]["grad"] == 1.0 and got["y"]["grad"] == 1.2


def test_slope_of_half_x_squared_minus_x(tmp_path):
    got = nodes(solve(tmp_path, (DEMO / "slope.txt").read_text()))
    assert got["f"]["data"] == 1.5 and got["x"]["grad"] == 1.0
    # The notes' prediction f(2.10) ≈ 1.500 + 1.000 · 0.10 = 1.600 (actual 1.605).
    nudged = nodes(solve(tmp_path, "x = 2.1\nf = 0.5 * x ** 2 - x + 1.5\n"))
    assert nudged["f"]["data"] == 1.605
    assert abs(nudged["f"]["data"] - 1.6) < 0.01


def sigma(z):
    return 1 / (1 + sp.exp(-z))


def test_two_weight_network(tmp_path):
    got = nodes(solve(tmp_path, (DEMO / "two_weight_network.txt").read_text()))
    x, w1, b1, w2, b2 = sp.symbols("x w1 b1 w2 b2", real=True)
    a1 = sigma(w1 * x + b1)
    loss = (sigma(w2 * a1 + b2) - 1) ** 2
    at = {x: 1, w1: sp.Rational(1, 2), b1: 0, w2: sp.Rational(4, 5), b2: 0}
    assert round(got["a1"]["data"], 4) == 0.6225  # σ(0.5), as the notes say
    assert math.isclose(got["a1"]["data"], float(a1.subs(at).evalf(30)), rel_tol=1e-14)
    assert math.isclose(got["L"]["data"], float(loss.subs(at).evalf(30)), rel_tol=1e-13)
    for symbol in (x, w1, b1, w2, b2):
        expected = float(sp.diff(loss, symbol).subs(at).evalf(30))
        assert math.isclose(got[str(symbol)]["grad"], expected, rel_tol=1e-12), symbol
    assert got["y"]["kind"] == "const"  # the target: no gradient asked
    # ∂L/∂w₁ as the notes' chain of five local derivatives.
    a1v, a2v = got["a1"]["data"], got["a2"]["data"]
    chain = 2 * (a2v - 1) * a2v * (1 - a2v) * 0.8 * a1v * (1 - a1v) * 1.0
    assert math.isclose(got["w1"]["grad"], chain, rel_tol=1e-12)


def test_staged_f_of_x_and_y(tmp_path):
    got = nodes(solve(tmp_path, (DEMO / "staged_fxy.txt").read_text()))
    x, y = sp.symbols("x y", real=True)
    stored = {
        "sigy": sigma(y), "num": x + sigma(y), "sigx": sigma(x), "xpy": x + y,
        "xpysqr": (x + y) ** 2, "den": sigma(x) + (x + y) ** 2,
        "invden": 1 / (sigma(x) + (x + y) ** 2),
        "f": (x + sigma(y)) / (sigma(x) + (x + y) ** 2),
    }
    at = {x: 3, y: -4}
    assert len(stored) == 8  # the eight stored values of the forward pass
    for name, expr in stored.items():
        assert math.isclose(got[name]["data"], float(expr.subs(at).evalf(30)),
                            rel_tol=1e-13), name
    f = stored["f"]
    for symbol in (x, y):
        expected = float(sp.diff(f, symbol).subs(at).evalf(30))
        assert math.isclose(got[str(symbol)]["grad"], expected, rel_tol=1e-12), symbol


def test_sigmoid_neuron(tmp_path):
    got = nodes(solve(tmp_path, (DEMO / "sigmoid_neuron.txt").read_text()))
    assert round(got["f"]["data"], 2) == 0.73
    expected = {"w0": -0.20, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.20}
    assert {k: round(got[k]["grad"], 2) for k in expected} == expected
    # Exactly: f = σ(1), and df/d(dot) = f(1 − f).
    f = 1 / (1 + math.exp(-1))
    assert math.isclose(got["f"]["data"], f, rel_tol=1e-15)
    assert math.isclose(got["w0"]["grad"], -1 * f * (1 - f), rel_tol=1e-13)
    assert math.isclose(got["x1"]["grad"], -3 * f * (1 - f), rel_tol=1e-13)


def test_exactness_visible_on_the_command_line(tmp_path):
    table = solve(tmp_path, "a = 0.1\nb = 0.2\nc = a + b\n", fmt="table")
    row = next(line for line in table.splitlines() if line.startswith("c "))
    assert " 0.3 " in row and "0.30000000000000004" not in table
    assert nodes(solve(tmp_path, "a = 0.1\nb = 0.2\nc = a + b\n"))["c"]["data"] == 0.3


@pytest.mark.parametrize("path", sorted([*DEMO.glob("*.txt"), *DEMO.glob("*.mmd")]),
                         ids=lambda p: p.name)
def test_every_demo_file_solves(tmp_path, path):
    result = solve(tmp_path, path.read_text())
    assert result["nodes"][-1]["name"] == result["output"]
    assert all(math.isfinite(n["data"]) and math.isfinite(n["grad"]) for n in result["nodes"])
    assert Fraction(result["nodes"][-1]["grad"]) == 1
