"""The demo exercises' question tests: one mistake each, named by what the mistake is.

(slug, test name, {node: the answer such a learner types}, {node: expected code}). The
loader fills every other asked node with its correct value, so the expected score is one
wrong node of N; each exercise also gets an all-correct test. Names are the programs'
own, so the tests read the same at line and gate granularity.
"""

QUESTION_TESTS = [
    ("refresher-1", "the add gate scaled by b", {"a": "8"}, {"a": "add_as_mul"}),
    ("refresher-1", "a lost sign", {"d": "-5"}, {"d": "sign"}),
    ("refresher-2", "a's own value at c = a × b", {"a": "4"}, {"a": "own_value"}),
    ("refresher-2", "a lost sign", {"d": "-2"}, {"d": "sign"}),
    ("refresher-3", "only the path through y", {"x": "15"}, {"x": "missing_branch"}),
    ("refresher-3", "the local derivatives alone", {"x": "4"}, {"x": "no_upstream"}),
    ("worked-xy", "x's own value at z = x × y", {"x": "2"}, {"x": "own_value"}),
    ("x-squared", "the value x² for 2x", {"x": "9"}, {"x": "power_rule"}),
    ("slope", "the output's value for its gradient", {"f": "1.5"}, {"f": "data_for_grad"}),
    ("surface", "the value x² for 2x", {"x": "0.25"}, {"x": "power_rule"}),
    ("surface", "the value y² for 2y", {"y": "0.18"}, {"y": "power_rule"}),
    ("square-chain", "the 3 of 3x left out", {"x": "14"}, {"x": "dropped_constant"}),
    ("square-chain", "the 2 of u² left out", {"u": "7"}, {"u": "power_rule"}),
    ("sigmoid-neuron", "w0's own value at w0 × x0", {"w0": "0.3932"}, {"w0": "own_value"}),
    ("sigmoid-neuron", "a lost sign", {"x1": "0.5898"}, {"x1": "sign"}),
    ("staged-fxy", "num's own value at f = num × invden", {"num": "3.018"},
     {"num": "own_value"}),
    ("staged-fxy", "σ′ from σ's input y", {"y": "-8.6597"}, {"y": "sigmoid_argument"}),
    ("two-weight-network", "σ′ from σ's input z1", {"z1": "-0.03555"},
     {"z1": "sigmoid_argument"}),
    ("two-weight-network", "w2's own value at z2 = w2 × a1 + b2", {"w2": "-0.1422"},
     {"w2": "own_value"}),
    ("two-weight-network", "the loss's value for its gradient", {"L": "0.1429"},
     {"L": "data_for_grad"}),
]
