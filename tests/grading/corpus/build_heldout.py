"""Build corpus/heldout.jsonl: one-mistake answers to published worked examples that the
grading rules were never tuned on.

It was written after the rules were last changed, from sources that outside.jsonl does not
use (micrograd's README example, the first cells of Zero to Hero's lecture 1, PyTorch's
autograd tutorial, TensorFlow's GradientTape page, JAX's cookbook and quickstart, HIPS
autograd's README, Nielsen's chapter 3 neuron, Ng's J = 3(a + bc) computation graph,
Karpathy's Hacker's guide and d2l's calculus section). Each case is written the way a
teacher would label it: the mistake in words, and the catalogue code that names it (the
README's code list), or "none" where no code in the catalogue describes the mistake.

A case is one mistake: every other node is answered right, so at gate granularity the slip
is in a gate that reads the node (its local derivative there, a missed path, a sign), never in a
gate further down the graph, whose own input would then be wrong too; a slip inside a line
(σ′ in `s = sigmoid(a * x + b * y + c)`, the 3 of `3 * x ** 2`) is a line-granularity case.

Every true value comes from the engine, and is first checked against the number the source
publishes (`check`); every wrong answer is computed from those true values and the mistake's
definition. Nothing here runs the grader. Run it from the repository root:

    .venv/bin/python tests/grading/corpus/build_heldout.py
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from exercises.engine import solve_text  # noqa: E402

OUT = Path(__file__).with_name("heldout.jsonl")


class Example:
    """One published worked example: its program, and its true values from the engine."""

    def __init__(self, key: str, source: str, url: str, program: str,
                 learning_rate: float | None = None):
        self.key, self.source, self.url, self.program = key, source, url, program
        self.learning_rate = learning_rate
        self.nodes = {g: {n["name"]: n for n in solve_text(program, 0, granularity=g)
                          .to_solution()["nodes"]} for g in ("line", "gate")}
        gate = self.nodes["gate"]  # has every line node too, with the same values
        self.D = {name: n["data"] for name, n in gate.items()}
        self.G = {name: n["grad"] for name, n in gate.items()}
        self.cases: list[dict] = []

    def check(self, published: dict[str, float], places: int, field: str = "grad") -> None:
        """The engine agrees with the source's published numbers, to the places printed."""
        values = self.G if field == "grad" else self.D
        for name, value in published.items():
            assert round(values[name], places) == round(value, places), (
                self.key, name, values[name], value)

    def case(self, node: str, granularity: str, answer: float | str, mistake: str,
             expected: str) -> None:
        assert node in self.nodes[granularity], (self.key, node, granularity)
        typed = answer if isinstance(answer, str) else typed_number(answer)
        case = {"id": f"{self.key}-{len(self.cases) + 1}", "source": self.source,
                "url": self.url, "program": self.program, "granularity": granularity,
                "node": node, "answer": typed, "mistake": mistake, "expected": expected}
        if self.learning_rate is not None:
            case["learning_rate"] = self.learning_rate
        self.cases.append(case)


def typed_number(value: float) -> str:
    """What a learner types: six significant figures."""
    assert math.isfinite(value)
    return f"{value:.6g}"


def examples() -> list[Example]:
    found = []

    # micrograd's README: the example under "Example usage", each `+=` a new name.
    mg = Example(
        "micrograd", "micrograd README: the example with g = 24.7041, a.grad = 138.8338, "
        "b.grad = 645.5773", "https://github.com/karpathy/micrograd",
        "a = -4\nb = 2\nc = a + b\nd = a * b + b ** 3\nc2 = c + c + 1\n"
        "c3 = c2 + 1 + c2 + -a\nd2 = d + d * 2 + relu(b + a)\n"
        "d3 = d2 + 3 * d2 + relu(b - a)\ne = c3 - d3\nf = e ** 2\ng = f / 2 + 10 / f")
    mg.check({"g": 24.7041}, 4, field="data")
    mg.check({"a": 138.8338, "b": 645.5773}, 4)
    D, G = mg.D, mg.G
    mg.case("f", "line", 0.5 - 10 / D["f"],
            "∂g/∂f with d(10/f)/df taken as −10/f instead of −10/f²", "quotient")
    mg.case("f", "gate", 1 - 10 / D["f"] ** 2,
            "the ½ of f/2 left out: d(f/2)/df taken as 1", "dropped_constant")
    mg.case("e", "line", G["f"] * D["e"],
            "d(e²)/de taken as e instead of 2e (the exponent's factor dropped)", "power_rule")
    mg.case("e", "gate", G["f"] * D["e"] ** 2,
            "d(e²)/de taken as the value e² instead of 2e", "power_rule")
    mg.case("d3", "line", -G["d3"],
            "the −1 of e = c3 − d3 lost: ∂g/∂d3 given as +∂g/∂e", "sign")
    mg.case("d3", "gate", D["d3"], "d3's forward value 6 typed for its gradient",
            "data_for_grad")
    mg.case("c2", "line", G["c3"],
            "c2 stands twice in c3 = c2 + 1 + c2 + −a; only one of its uses counted",
            "missing_branch")
    mg.case("d2", "line", 2 * G["d3"],
            "the 3 of 3·d2 left out: ∂d3/∂d2 taken as 1 + 1 instead of 1 + 3",
            "dropped_constant")
    mg.case("d2", "gate", G["d3"],
            "d2 feeds both d2 + … and 3·d2; the path through 3·d2 forgotten", "missing_branch")
    mg.case("d", "line", G["d2"],
            "d stands twice in d2 = d + d·2 + relu(b + a); only the first d counted",
            "missing_branch")
    mg.case("a", "line", G["a"] + G["d2"],
            "gradient sent through relu(b + a), which is blocked (b + a = −2 < 0)",
            "max_routing")
    mg.case("a", "line", G["a"] + 2 * G["c3"],
            "the −1 of −a in c3's line lost (that path counted with +1)", "sign")
    mg.case("b", "line", G["b"] - G["d"] * (3 * D["b"] ** 2 - D["b"] ** 2),
            "d(b³)/db taken as b² instead of 3b² in d = a·b + b³", "power_rule")
    mg.case("b", "gate", "654.5773",
            "the published 645.5773 typed with two digits swapped", "none")
    mg.case("a", "gate", D["g"],
            "the output's value g = 24.7041 typed for ∂g/∂a", "none")
    found.append(mg)

    # PyTorch's "A Gentle Introduction to torch.autograd": Q = 3a³ − b², elementwise.
    url = "https://pytorch.org/tutorials/beginner/blitz/autograd_tutorial.html"
    for a, b in ((2, 6), (3, 4)):
        pt = Example(f"pytorch-a{a}", f"PyTorch autograd tutorial: Q = 3a³ − b², a = {a}, "
                     f"b = {b} (∂Q/∂a = 9a², ∂Q/∂b = −2b)", url,
                     f"a = {a}\nb = {b}\nQ = 3 * a ** 3 - b ** 2")
        pt.check({"a": 9 * a * a, "b": -2 * b}, 9)
        pt.check({"Q": 3 * a ** 3 - b * b}, 9, field="data")
        D, G = pt.D, pt.G
        if a == 2:
            pt.case("b", "line", -G["b"], "the − of −b² lost: ∂Q/∂b given as +2b", "sign")
            pt.case("a", "line", 3 * D["a"] ** 3,
                    "d(a³)/da taken as the value a³ instead of 3a²", "power_rule")
            pt.case("pow_1", "gate", 1.0,
                    "the 3 of 3·a³ left out: ∂Q/∂(a³) taken as 1", "dropped_constant")
        else:
            pt.case("b", "gate", G["b"] / 2,
                    "d(b²)/db taken as b instead of 2b (the exponent's factor dropped)",
                    "power_rule")
        found.append(pt)

    # TensorFlow's tf.GradientTape page: x = 3, y = x·x, z = y·y; dz/dx = 108, dy/dx = 6.
    tf = Example("tensorflow", "TensorFlow GradientTape: x = 3, y = x·x, z = y·y "
                 "(dz/dx = 108, dy/dx = 6)",
                 "https://www.tensorflow.org/api_docs/python/tf/GradientTape",
                 "x = 3\ny = x * x\nz = y * y")
    tf.check({"x": 108}, 9)
    D, G = tf.D, tf.G
    tf.case("y", "line", D["y"],
            "d(y·y)/dy taken as y: only one of the two uses of y counted", "missing_branch")
    tf.case("x", "line", 2 * D["x"],
            "dy/dx = 6 (the page prints it) given for dz/dx: the upstream dz/dy = 18 "
            "not multiplied in", "no_upstream")
    tf.case("x", "gate", G["y"] * D["x"],
            "d(x·x)/dx taken as x: only one of the two uses of x counted", "missing_branch")
    found.append(tf)

    # JAX's Autodiff Cookbook: grad(jnp.tanh)(2.0) = 0.070650935.
    jx = Example("jax-tanh", "JAX Autodiff Cookbook: grad(tanh)(2.0) = 0.070650935",
                 "https://docs.jax.dev/en/latest/notebooks/autodiff_cookbook.html",
                 "x = 2\ny = tanh(x)")
    jx.check({"x": 0.070650935}, 6)
    D = jx.D
    jx.case("x", "line", 1 - D["x"] ** 2, "tanh′ as 1 − x² from the input x = 2",
            "tanh_argument")
    jx.case("x", "gate", 1 - D["y"], "tanh′ as 1 − tanh(x), the square forgotten",
            "activation_formula")
    jx.case("x", "line", 1.0, "the upstream 1 passed through tanh unchanged",
            "activation_skipped")
    jx.case("x", "line", -2 * D["y"] * (1 - D["y"] ** 2),
            "the cookbook's next number, the second derivative grad(grad(tanh))(2.0) "
            "= −0.1362, typed for the first", "none")
    found.append(jx)

    # JAX's quickstart: grad of sum(1/(1 + exp(−x))) at arange(3.) = [0.25, 0.19661194, …].
    url = "https://docs.jax.dev/en/latest/quickstart.html"
    for x, published in ((1, 0.19661194), (0, 0.25)):
        jq = Example(f"jax-logistic-x{x}", f"JAX quickstart: sum_logistic, 1/(1 + exp(−x)) "
                     f"at x = {x} (derivative {published})", url,
                     f"x = {x}\ne = exp(-x)\nd = 1 + e\ns = 1 / d")
        jq.check({"x": published}, 7)  # float32 print
        D, G = jq.D, jq.G
        if x == 1:
            jq.case("d", "line", -1 / D["d"], "d(1/d)/dd taken as −1/d instead of −1/d²",
                    "quotient")
            jq.case("x", "line", -G["x"], "d(exp(−x))/dx taken as exp(−x): the − lost",
                    "sign")
        else:
            jq.case("d", "gate", -1 / D["d"], "d(1/d)/dd taken as −1/d instead of −1/d²",
                    "quotient")
        found.append(jq)

    # HIPS autograd's README: tanh written as (1 − y)/(1 + y), y = exp(−2x); grad at 1.0.
    hp = Example("autograd", "HIPS autograd README: tanh(x) = (1 − y)/(1 + y), y = exp(−2x), "
                 "grad_tanh(1.0) = 0.41997434161402603", "https://github.com/HIPS/autograd",
                 "x = 1\ny = exp(-2 * x)\nt = (1 - y) / (1 + y)")
    hp.check({"x": 0.41997434161402603}, 12)
    D, G = hp.D, hp.G
    y = D["y"]
    hp.case("x", "line", G["y"] * -y,
            "the 2 of exp(−2x) left out: dy/dx taken as −y instead of −2y",
            "dropped_constant")
    hp.case("y", "line", 1 / (1 + y) - (1 - y) / (1 + y) ** 2,
            "the −1 of the numerator 1 − y lost (d(1 − y)/dy taken as +1)", "sign")
    hp.case("add_1", "gate", -D["sub_1"] / D["add_1"],
            "the denominator 1 + y given −p/v instead of −p/v²", "quotient")
    hp.case("mul_1", "gate", G["y"],
            "the upstream passed through exp unchanged (exp's derivative, y, not "
            "multiplied in): the catalogue's activation_skipped is for σ and tanh only",
            "none")
    found.append(hp)

    # Nielsen, chapter 3: one neuron, input 1, target 0, quadratic cost, η = 0.15;
    # w = 0.6, b = 0.9 gives output 0.82, w = b = 2 gives 0.98.
    url = "https://neuralnetworksanddeeplearning.com/chap3.html"
    for w, b, out in ((0.6, 0.9, 0.82), (2, 2, 0.98)):
        nl = Example(f"nielsen-w{w}", f"Nielsen ch. 3: neuron with w = {w}, b = {b}, "
                     f"input 1, target 0, C = (y − a)²/2, η = 0.15 (output {out})", url,
                     f"x = 1\nw = {w}\nb = {b}\ny = const(0)\n"
                     "z = w * x + b\na = sigmoid(z)\nC = (y - a) ** 2 / 2",
                     learning_rate=0.15)
        nl.check({"a": out}, 2, field="data")
        D, G = nl.D, nl.G
        if w == 0.6:
            nl.case("a", "line", 2 * G["a"],
                    "the ½ of (y − a)²/2 left out: ∂C/∂a given as 2(a − y)",
                    "dropped_constant")
            nl.case("z", "line", D["z"] * (1 - D["z"]) * G["a"],
                    "σ′ as z(1 − z) from the sigmoid's input z = 1.5", "sigmoid_argument")
            nl.case("z", "gate", D["a"] * G["a"], "σ′ taken as σ itself",
                    "activation_formula")
            nl.case("w", "line", D["w"] - 0.15 * G["w"],
                    "the updated weight w − η·∂C/∂w typed for ∂C/∂w", "update_for_grad")
            nl.case("b", "gate", 0.15 * G["b"], "the step η·∂C/∂b typed for ∂C/∂b",
                    "update_for_grad")
            nl.case("z", "line", G["a"],
                    "∂C/∂a passed through the sigmoid unchanged (σ′ not multiplied in)",
                    "activation_skipped")
        else:
            nl.case("a", "line", -G["a"],
                    "the −1 of y − a lost: ∂C/∂a given as y − a instead of a − y", "sign")
            nl.case("z", "gate", D["a"] * G["a"], "σ′ taken as σ itself",
                    "activation_formula")
        found.append(nl)

    # The same neuron with the cross-entropy cost, η = 0.005 (Nielsen says so).
    ce = Example("nielsen-ce", "Nielsen ch. 3: the same neuron (w = 0.6, b = 0.9) with the "
                 "cross-entropy cost C = −[y ln a + (1 − y) ln(1 − a)], η = 0.005", url,
                 "x = 1\nw = 0.6\nb = 0.9\ny = const(0)\nz = w * x + b\na = sigmoid(z)\n"
                 "C = -(y * log(a) + (1 - y) * log(1 - a))", learning_rate=0.005)
    ce.check({"a": 0.82}, 2, field="data")
    ce.check({"z": ce.D["a"]}, 12)  # Nielsen's point: ∂C/∂z = a − y, σ′ cancels
    D, G = ce.D, ce.G
    ce.case("a", "line", -G["a"],
            "d ln(1 − a)/da taken as 1/(1 − a): the inner −1 lost", "sign")
    ce.case("a", "line", G["z"],
            "∂C/∂z = a − y (the chapter's result) given for ∂C/∂a: σ′ cancelled one node "
            "too early", "none")
    ce.case("w", "gate", D["w"] - 0.005 * G["w"],
            "the updated weight w − η·∂C/∂w typed for ∂C/∂w", "update_for_grad")
    found.append(ce)

    # Ng, "Derivatives with a Computation Graph": J = 3(a + bc), a = 5, b = 3, c = 2.
    ng = Example("ng", "Ng (deeplearning.ai), derivatives with a computation graph: "
                 "J = 3v, v = a + u, u = bc, a = 5, b = 3, c = 2",
                 "https://www.coursera.org/learn/neural-networks-deep-learning",
                 "a = 5\nb = 3\nc = 2\nu = b * c\nv = a + u\nJ = 3 * v")
    ng.check({"v": 3, "a": 3, "u": 3, "b": 6, "c": 9}, 9)
    ng.check({"J": 33}, 9, field="data")
    D = ng.D
    ng.case("v", "gate", 1.0, "dJ/dv taken as 1 at J = 3v (the add-gate habit)",
            "dropped_constant")
    ng.case("b", "line", D["c"], "du/db = c = 2 given without the upstream dJ/du = 3",
            "no_upstream")
    ng.case("c", "gate", 3 * D["c"], "at u = b·c, c's own value used instead of b: 3·c",
            "own_value")
    ng.case("a", "line", 3 * D["u"], "the add gate v = a + u scaled by the other input u",
            "add_as_mul")
    ng.case("u", "gate", D["u"], "u's forward value 6 typed for dJ/du", "data_for_grad")
    found.append(ng)

    # Karpathy's Hacker's guide: f = x·y at (−2, 3), and the neuron σ(ax + by + c) with
    # a = 1, b = 2, c = −3, x = −1, y = 3 (output 0.8808; one step of 0.01 up the gradient
    # gives a = 0.99895, b = 2.00315, c = −2.99895, x = −0.99895, y = 3.00210, printed to
    # twelve figures in a Python port of the guide, github.com/luigidollosa/hackers-guide-to-nn).
    url = "https://karpathy.github.io/neuralnets/"
    hx = Example("hackers-guide-xy", "Karpathy, Hacker's guide: f = x·y, x = −2, y = 3 "
                 "(∂f/∂x = 3, ∂f/∂y = −2), step size 0.01", url, "x = -2\ny = 3\nf = x * y",
                 learning_rate=0.01)
    hx.check({"x": 3, "y": -2}, 9)
    hx.case("x", "gate", hx.D["x"], "at f = x·y, x's own value used instead of y",
            "own_value")
    found.append(hx)
    hg = Example("hackers-guide-neuron", "Karpathy, Hacker's guide: the neuron "
                 "σ(ax + by + c), a = 1, b = 2, c = −3, x = −1, y = 3, step size 0.01", url,
                 "a = 1\nb = 2\nc = -3\nx = -1\ny = 3\ns = sigmoid(a * x + b * y + c)",
                 learning_rate=0.01)
    hg.check({"s": 0.8808}, 4, field="data")
    stepped = {"a": 0.998950064146, "b": 2.00314980756, "c": -2.99895006415,
               "x": -0.998950064146, "y": 3.00209987171}
    for name, value in stepped.items():  # the guide steps *up* the gradient
        assert math.isclose(hg.D[name] + 0.01 * hg.G[name], value, rel_tol=1e-11), name
    D, G = hg.D, hg.G
    sig_prime = D["s"] * (1 - D["s"])
    zin = D["a"] * D["x"] + D["b"] * D["y"] + D["c"]
    hg.case("y", "line", sig_prime * D["y"],
            "at b·y, y's own value used instead of b: σ′·y", "own_value")
    hg.case("c", "line", zin * (1 - zin), "σ′ as z(1 − z) from the sigmoid's input z = 2",
            "sigmoid_argument")
    hg.case("x", "line", (1 - D["s"]) * D["a"], "σ′ taken as 1 − σ", "activation_formula")
    hg.case("b", "line", 0.01 * G["b"], "the step 0.01·∂s/∂b typed for ∂s/∂b",
            "update_for_grad")
    hg.case("a", "gate", D["a"] + 0.01 * G["a"],
            "the guide's stepped value a + 0.01·∂s/∂a = 0.99895 typed for ∂s/∂a (the guide "
            "steps up the gradient, so this is w + η·g, not w − η·g)", "update_for_grad")
    found.append(hg)

    # d2l, Calculus: f(x) = 3x² − 4x, f′(1) = 2.
    d2 = Example("d2l-calculus", "d2l Calculus: f(x) = 3x² − 4x, f′(1) = 2",
                 "https://d2l.ai/chapter_preliminaries/calculus.html",
                 "x = 1\nf = 3 * x ** 2 - 4 * x")
    d2.check({"x": 2}, 9)
    d2.case("x", "line", 6 * d2.D["x"] + 4, "the − of −4x lost: 6x + 4", "sign")
    d2.case("x", "gate", 3 * d2.D["x"] ** 2 - 4,
            "d(x²)/dx taken as the value x² instead of 2x: 3x² − 4", "power_rule")
    found.append(d2)

    # Zero to Hero, lecture 1's first cells: f(x) = 3x² − 4x + 5, f(3.0) = 20, and the
    # slope at x = 2/3 is 0.
    url = ("https://github.com/karpathy/nn-zero-to-hero/blob/master/lectures/micrograd/"
           "micrograd_lecture_first_half_roughly.ipynb")
    for x, text in ((3, "3"), (2 / 3, "2/3")):
        zh = Example(f"zero-to-hero-f-x{text.replace('/', '_')}",
                     f"Zero to Hero lecture 1: f(x) = 3x² − 4x + 5 at x = {text}", url,
                     f"x = {text}\nf = 3 * x ** 2 - 4 * x + 5")
        zh.check({"x": 6 * x - 4}, 9)
        if x == 3:
            zh.check({"f": 20}, 9, field="data")
            zh.case("x", "line", 3 * x ** 2 - 4,
                    "d(x²)/dx taken as the value x² instead of 2x: 3x² − 4", "power_rule")
            zh.case("x", "line", 2 * x - 4, "the 3 of 3x² left out: 2x − 4",
                    "dropped_constant")
        else:
            zh.case("x", "line", 6 * x + 4, "the − of −4x lost: 6x + 4 (the slope is 0 here)",
                    "sign")
        found.append(zh)
    return found


def cases() -> list[dict]:
    return [case for example in examples() for case in example.cases]


def text() -> str:
    return "".join(json.dumps(case, ensure_ascii=False) + "\n" for case in cases())


if __name__ == "__main__":
    OUT.write_text(text(), encoding="utf-8")
    print(f"wrote {len(cases())} cases to {OUT}")
