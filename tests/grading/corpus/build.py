"""Builds outside.jsonl: one-mistake answers to published worked examples.

    python tests/grading/corpus/build.py

Each wrong number is computed from the example's own published values and the mistake's
definition, and the expected code is the name of that mistake: nothing here runs the
grader. Every case cites its source.

`granularity` is the granularity a case was written at. The test grades every case at
both granularities wherever its node is one of the graph's (an auto-named gate node such
as pow_1 exists at gate granularity only), unless the case says `only` one, with `why`.
"""
# ruff: noqa: E501, E702
import json
import math
import re
from pathlib import Path


def sig(z):
    return 1 / (1 + math.exp(-z))


cases = []


def add(source, url, program, node, answer, mistake, expected, granularity="gate", **extra):
    slug = re.sub(r"\W", "", source.split()[0].lower())
    cases.append({"id": f"{slug}-{len(cases) + 1}", "source": source, "url": url,
                  "program": program, "granularity": granularity, "node": node,
                  "answer": repr(round(answer, 10)) if isinstance(answer, float) else str(answer),
                  "mistake": mistake, "expected": expected, **extra})

# --- CS231n, "Backpropagation, Intuitions" -------------------------------------------------
U = "https://cs231n.github.io/optimization-2/"
P = "x = -2\ny = 5\nz = -4\nq = x + y\nf = q * z"
# q = 3, f = -12; df/dq = z = -4, df/dz = q = 3, df/dx = df/dy = -4
add("CS231n: f = (x + y)z, x = -2, y = 5, z = -4", U, P, "q", 3.0, "df/dq taken as q's own value (3) instead of the other factor z", "own_value")
add("CS231n: f = (x + y)z", U, P, "x", -4 * 5.0, "the add gate scaled by the other input y: -4 * 5", "add_as_mul")
add("CS231n: f = (x + y)z", U, P, "z", -3.0, "df/dz = q with the sign flipped", "sign")
add("CS231n: f = (x + y)z", U, P, "x", 1.0, "dq/dx = 1 given without the upstream df/dq", "no_upstream")
P = "w0 = 2\nx0 = -1\nw1 = -3\nx1 = -2\nw2 = -3\ndot = w0 * x0 + w1 * x1 + w2\nf = sigmoid(dot)"
# dot = 1, f = 0.7311, ddot = f(1-f) = 0.1966
f = sig(1.0); dd = f * (1 - f)
add("CS231n: 2-D sigmoid neuron, w = [2, -3, -3], x = [-1, -2]", U, P, "dot", 1.0 * (1 - 1.0), "sigma' computed as dot*(1-dot) from the input dot = 1, giving 0", "sigmoid_argument", "line")
add("CS231n: sigmoid neuron", U, P, "dot", f, "sigma' taken as sigma itself (0.73)", "activation_formula", "line")
add("CS231n: sigmoid neuron", U, P, "dot", 1.0, "the gradient passed through the sigmoid unchanged", "activation_skipped", "line")
add("CS231n: sigmoid neuron", U, P, "w0", dd * 2, "dw0 = ddot * w0 (own value) instead of ddot * x0", "own_value", "line")
add("CS231n: sigmoid neuron", U, P, "x1", dd * 3, "dx1 = -ddot*w1 with a sign slip: 0.59 instead of -0.59", "sign", "line")
P = "x = 3\ny = -4\nz = 2\nw = -1\nxy = x * y\nm = max(z, w)\ns = xy + m\nf = s * 2"
# f = 2(xy + max(z, w)): dx = -8, dy = 6, dz = 2, dw = 0
add("CS231n: gradient patterns, f = 2(xy + max(z, w)), x=3, y=-4, z=2, w=-1", U, P, "w", 2.0, "the max gate's gradient sent to the losing input w", "max_routing")
add("CS231n: gradient patterns", U, P, "z", 0.0, "the max gate routed to the wrong input: z (the winner) given 0", "max_routing")
add("CS231n: gradient patterns", U, P, "x", 3 * 2.0, "dx = 2 * x (own value) instead of 2 * y", "own_value")
add("CS231n: gradient patterns", U, P, "s", 1.0, "the constant 2 of f = 2s dropped: ds = 1", "dropped_constant")
add("CS231n: gradient patterns", U, P, "xy", 2.0 * 2.0, "the add gate scaled by the other input max(z,w) = 2", "add_as_mul")
P = "x = 3\ny = -4\nsigy = sigmoid(y)\nnum = x + sigy\nsigx = sigmoid(x)\nxpy = x + y\nxpysqr = xpy ** 2\nden = sigx + xpysqr\ninvden = 1 / den\nf = num * invden"
num = 3 + sig(-4); sigx = sig(3); xpy = -1; den = sigx + 1; invden = 1 / den
dinvden = num; dden = -1 / den ** 2 * dinvden
add("CS231n: staged f(x, y) = (x + σ(y))/(σ(x) + (x + y)²), x = 3, y = -4", U, P, "den", -1 / den * dinvden, "d(1/den) as -1/den instead of -1/den^2", "quotient", "line")
add("CS231n: staged f(x, y)", U, P, "xpy", xpy * dden, "d(xpy^2)/dxpy taken as xpy (the 2 dropped)", "power_rule", "line")
add("CS231n: staged f(x, y)", U, P, "xpy", xpy ** 2 * dden, "d(xpy^2)/dxpy taken as xpy^2, the value", "power_rule", "line")
add("CS231n: staged f(x, y)", U, P, "num", num * 1.0, "dnum = num * ... own value num instead of invden", "own_value", "line")

# --- micrograd / Zero to Hero ---------------------------------------------------------------
U = "https://github.com/karpathy/nn-zero-to-hero/blob/master/lectures/micrograd/micrograd_lecture_first_half_roughly.ipynb"
P = "a = 2.0\nb = -3.0\nc = 10.0\ne = a * b\nd = e + c\nf = -2.0\nL = d * f"
# L = -8; dL/dd = -2, dL/df = 4, dL/de = dL/dc = -2, dL/da = 6, dL/db = -4
add("Zero to Hero (micrograd): L = (a*b + c)*f, a = 2, b = -3, c = 10, f = -2", U, P, "d", 4.0, "dL/dd taken as d's own value 4 instead of f", "own_value")
add("Zero to Hero: L = (a*b + c)*f", U, P, "a", -2 * 2.0, "dL/da = dL/de * a (own value)", "own_value")
add("Zero to Hero: L = (a*b + c)*f", U, P, "c", -2 * -6.0, "the plus node scaled by the other input e = -6", "add_as_mul")
add("Zero to Hero: L = (a*b + c)*f", U, P, "a", -3.0, "de/da = b = -3 without the upstream dL/de", "no_upstream")
add("Zero to Hero: L = (a*b + c)*f", U, P, "b", 4.0, "dL/db with its sign flipped", "sign")
add("Zero to Hero: L = (a*b + c)*f", U, P, "e", 2.0, "dL/de = -2 with the sign flipped", "sign")
P = "x1 = 2\nx2 = 0\nw1 = -3\nw2 = 1\nb = 6.8813735870195432\nn = x1 * w1 + x2 * w2 + b\no = tanh(n)"
n = 0.8813735870195432; o = math.tanh(n)
add("Zero to Hero: the tanh neuron, n = 0.8814, o = 0.7071", U, P, "n", 1 - n * n, "tanh' as 1 - n^2 with the input n", "tanh_argument", "line")
add("Zero to Hero: the tanh neuron", U, P, "n", 1 - o, "tanh' as 1 - o, the square forgotten", "activation_formula", "line")
add("Zero to Hero: the tanh neuron", U, P, "n", o, "tanh' taken as tanh itself", "activation_formula", "line")
add("Zero to Hero: the tanh neuron", U, P, "n", 1.0, "do/dn = 1: the tanh skipped", "activation_skipped", "line")
add("Zero to Hero: the tanh neuron", U, P, "w1", 0.5 * -3, "do/dw1 = 0.5 * w1 (own value) instead of 0.5 * x1", "own_value", "line")
add("Zero to Hero: the tanh neuron", U, P, "x2", 0.5 * 0, "do/dx2 = 0.5 * x2 = 0 (own value) instead of 0.5 * w2", "own_value", "line")
U = "https://github.com/karpathy/nn-zero-to-hero/blob/master/lectures/micrograd/micrograd_lecture_second_half_roughly.ipynb"
P = "a = 3.0\nb = a + a"
add("Zero to Hero: the a + a bug, b = a + a, a = 3 (grad overwritten, not accumulated)", U, P, "a", 1.0, "only one of the two uses of a counted", "missing_branch")
P = "a = -2.0\nb = 3.0\nd = a * b\ne = a + b\nf = d * e"
# d = -6, e = 1, f = -6; df/dd = e = 1, df/de = d = -6; df/da = b*1 + 1*(-6) = -3, df/db = a*1 + (-6) = -8
add("Zero to Hero: f = (a*b)(a + b), a = -2, b = 3 (the second accumulation example)", U, P, "a", 3.0, "only the path through d counted", "missing_branch")
add("Zero to Hero: f = (a*b)(a + b)", U, P, "b", -6.0, "only the path through e counted", "missing_branch")

# --- Mazur, "A Step by Step Backpropagation Example" ----------------------------------------
U = "https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/"
P = ("i1 = 0.05\ni2 = 0.10\nw1 = 0.15\nw2 = 0.20\nw3 = 0.25\nw4 = 0.30\nb1 = const(0.35)\n"
     "w5 = 0.40\nw6 = 0.45\nw7 = 0.50\nw8 = 0.55\nb2 = const(0.60)\nt1 = const(0.01)\nt2 = const(0.99)\n"
     "neth1 = w1 * i1 + w2 * i2 + b1\nouth1 = sigmoid(neth1)\nneth2 = w3 * i1 + w4 * i2 + b1\nouth2 = sigmoid(neth2)\n"
     "neto1 = w5 * outh1 + w6 * outh2 + b2\nouto1 = sigmoid(neto1)\nneto2 = w7 * outh1 + w8 * outh2 + b2\nouto2 = sigmoid(neto2)\n"
     "E = 0.5 * (t1 - outo1) ** 2 + 0.5 * (t2 - outo2) ** 2")
MAZUR = U, P
dE_douto1 = 0.74136507; dout_dnet = 0.186815602; outh1 = 0.593269992; outo1 = 0.75136507
dE_dnet = dE_douto1 * dout_dnet; dE_dw5 = 0.082167041; neto1 = 1.105905967
add("Mazur: step-by-step network, ∂E/∂w5 = 0.082167041, η = 0.5", U, P, "w5", 0.35891648, "the updated weight w5+ = w5 - η·∂E/∂w5 typed for ∂E/∂w5", "update_for_grad", "line", learning_rate=0.5)
add("Mazur: step-by-step network", U, P, "w5", 0.5 * dE_dw5, "the step η·∂E/∂w5 typed for ∂E/∂w5", "update_for_grad", "line", learning_rate=0.5)
add("Mazur: step-by-step network", U, P, "outo1", 2 * dE_douto1, "the ½ of E = ½(target − out)² left out: 2(out − target)", "dropped_constant", "line",
    only="line", why="at gate granularity the ½'s multiply is a node of its own, asked too: the ½ dropped shows there (case mazur-55), and an outo1 off by 2 with that node right is a second mistake")
add("Mazur: step-by-step network", U, P, "neto1", dE_douto1 * outo1, "∂out/∂net taken as out_o1 itself", "activation_formula", "line")
add("Mazur: step-by-step network", U, P, "neto1", dE_douto1 * neto1 * (1 - neto1), "∂out/∂net as net(1 − net) from the input", "sigmoid_argument", "line")
add("Mazur: step-by-step network", U, P, "neto1", dE_douto1, "the sigmoid skipped: ∂E/∂net_o1 = ∂E/∂out_o1", "activation_skipped", "line")
add("Mazur: step-by-step network", U, P, "w5", dE_dnet * 0.40, "∂net_o1/∂w5 taken as w5 (own value) instead of out_h1", "own_value", "line")
add("Mazur: step-by-step network", U, P, "w5", outh1, "∂net_o1/∂w5 = out_h1 given alone, no upstream", "no_upstream", "line")
add("Mazur: step-by-step network", U, P, "outo1", -dE_douto1, "∂E/∂out_o1 = −(target − out) with the sign lost", "sign", "line")
# out_h1 feeds both outputs: ∂E/∂out_h1 = 0.055399425 (o1) + -0.019049119 (o2) = 0.036350306
add("Mazur: step-by-step network, ∂E/∂out_h1 = 0.055399425 − 0.019049119", U, P, "outh1", 0.055399425, "only the path through o1 counted (the o2 term left out)", "missing_branch", "line")

# --- colah, "Calculus on Computational Graphs" ----------------------------------------------
U = "https://colah.github.io/posts/2015-08-Backprop/"
P = "a = 2\nb = 1\nc = a + b\nd = b + 1\ne = c * d"
# e = 6; de/dc = d = 2, de/dd = c = 3; de/da = 2, de/db = 2 + 3 = 5
add("colah: e = (a + b)(b + 1), a = 2, b = 1", U, P, "b", 2.0, "only the path through c counted", "missing_branch")
add("colah: e = (a + b)(b + 1)", U, P, "b", 3.0, "only the path through d counted", "missing_branch")
add("colah: e = (a + b)(b + 1)", U, P, "c", 3.0, "∂e/∂c as c's own value instead of d", "own_value")
add("colah: e = (a + b)(b + 1)", U, P, "a", 1.0, "∂c/∂a = 1 given without the upstream ∂e/∂c", "no_upstream")

# --- d2l, "Automatic Differentiation" and "Multilayer Perceptrons" ---------------------------
U = "https://d2l.ai/chapter_preliminaries/autograd.html"
P = "x = 3\ny = 2 * x ** 2"
add("d2l: y = 2xᵀx (one component, x = 3): ∂y/∂x = 4x = 12", U, P, "x", 2 * 9.0, "d(x²)/dx written as x², the value: 2 · 9", "power_rule", "line")
P = "x = 3\nu = x ** 2\ny = 2 * u"
add("d2l: y = 2xᵀx, staged u = x² (x = 3)", U, P, "u", 1.0, "the 2 of y = 2u left out", "dropped_constant")
add("d2l: y = 2xᵀx, staged", U, P, "x", 2 * 3.0, "the power rule's factor 2 dropped: 2 · x", "power_rule")
U = "https://d2l.ai/chapter_multilayer-perceptrons/mlp.html"
P = "x = 0.5\nt = tanh(x)\nL = t * 1"
add("d2l: tanh's derivative 1 − tanh²(x) at x = 0.5", U, P, "x", 1 - 0.25, "1 − x² with the input x", "tanh_argument")
P = "x = 0.5\ns = sigmoid(x)\nL = s * 1"
s = sig(0.5)
add("d2l: sigmoid's derivative σ(x)(1 − σ(x)) at x = 0.5", U, P, "x", 1 - s, "σ′ as 1 − σ", "activation_formula")
add("d2l: sigmoid's derivative at x = 0.5", U, P, "x", 0.5 * 0.5, "σ′ as x(1 − x) from the input", "sigmoid_argument")
P = "x = -1.5\nr = relu(x)\nL = r * 2"
add("d2l: ReLU's derivative is 0 for a negative input (x = -1.5)", U, P, "x", 2.0, "the gradient passed through a blocked ReLU", "max_routing")

# --- added later (ids stay stable: new cases go at the end) ---------------------------------
# Mazur's ½ where gate granularity asks it: ∂E/∂(the ½'s operand) = ½, typed as 1.
U, P = MAZUR
add("Mazur: step-by-step network (gate granularity: the ½'s multiply)", U, P, "pow_1", 1.0, "the ½ of E = ½(target − out)² left out at its multiply: 1 instead of ½", "dropped_constant")

with open(Path(__file__).parent / "outside.jsonl", "w", encoding="utf-8") as out:
    for c in cases:
        out.write(json.dumps(c, ensure_ascii=False) + "\n")
print(len(cases))
