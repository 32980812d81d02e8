"""Random but well-behaved exercise programs at five difficulty levels, shaped after the notes.

    1  2–3 operations, + and × only, small integers, no fan-out (refresher Examples 1–2, x*y+1)
    2  3–5 operations with − and one node feeding two operations (refresher Example 3)
    3  5–10 operations adding ÷, powers, exp, sigmoid, tanh, with fan-out (the staged f(x, y))
    4  a neuron or a two-layer network: weights, biases, an activation, a squared loss
    5  12–20 operations, several fan-outs, max/min/relu gates

Generation is generate-and-test: a builder draws a candidate from `random.Random(seed)`,
`check_program` lists what it breaks, and the first clean candidate is returned. Everything
random comes from that one `Random`, so a seed gives the same program in every process.

    generate(difficulty, seed)           -> one program text
    generate_many(difficulty, count, seed) -> distinct programs
    check_program(text, difficulty)      -> the guarantees a program breaks ([] = none)
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from .errors import ProgramError
from .graph import CONST, INPUT, OP, Graph, Node
from .ops import REGISTRY, power
from .parser import parse

__all__ = ["DIFFICULTIES", "MAX_ABS", "MAX_COUNT", "check_program", "generate", "generate_many"]

DIFFICULTIES = (1, 2, 3, 4, 5)
MAX_COUNT = 200

# Guarantees. The floors are 1e-9 for an input's gradient and a 1e-6 relative gap at
# max/min; these are stricter so that a learner working to two or three decimals never meets
# a gradient that looks like 0 or a max/min/relu decision that rounding could flip.
MAX_ABS = 1000  # every data and grad
MIN_INPUT_GRAD = 1e-3  # |grad| of every input
GATE_MARGIN = Fraction(1, 10)  # max/min inputs this far apart, relu inputs this far from 0
MAX_INPUT = 10  # |value| of every input ("small numbers")
MAX_ATTEMPTS = 2000  # candidates per generate() call before giving up (never reached in tests)

OP_COUNTS = {1: (2, 3), 2: (3, 5), 3: (5, 10), 4: (5, 17), 5: (12, 20)}
ALLOWED_OPS = {
    1: {"add", "mul"},
    2: {"add", "sub", "mul"},
    3: {"add", "sub", "mul", "div", "pow", "exp", "sigmoid", "tanh"},
    4: {"add", "sub", "mul", "pow", "sigmoid", "tanh", "relu"},
    5: {"add", "sub", "mul", "div", "pow", "exp", "sigmoid", "tanh", "relu", "max", "min"},
}
ADVANCED_OPS = {"div", "pow", "exp", "sigmoid", "tanh"}  # level 3 uses at least one
GATE_OPS = {"relu", "max", "min"}  # level 5 uses at least one
ACTIVATIONS = {"sigmoid", "tanh", "relu"}
INTEGER_LEVELS = (1, 2)


# -- public API ---------------------------------------------------------------------------

def generate(difficulty: int, seed: int) -> str:
    """One program in the authoring language; the same (difficulty, seed) gives the same text."""
    _check_difficulty(difficulty)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"the seed must be a whole number ≥ 0, not {seed!r}")
    rng = random.Random(seed)
    build = _BUILDERS[difficulty]
    header = f"# generated: difficulty {difficulty}, seed {seed}"
    for _ in range(MAX_ATTEMPTS):
        lines = build(rng)
        if lines is None:
            continue
        text = "\n".join([header, *lines]) + "\n"
        if not check_program(text, difficulty):
            return text
    raise RuntimeError(f"no program at difficulty {difficulty} passed its checks after "
                       f"{MAX_ATTEMPTS} tries (seed {seed})")


def generate_many(difficulty: int, count: int, seed: int) -> list[str]:
    """`count` distinct programs. The first is `generate(difficulty, seed)`; the others come from
    seeds drawn from `random.Random(seed)`, and each program's first line names its own seed,
    so any one of them can be made again with `generate`."""
    _check_difficulty(difficulty)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_COUNT:
        raise ValueError(f"the count must be a whole number from 0 to {MAX_COUNT}, not {count!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"the seed must be a whole number ≥ 0, not {seed!r}")
    seeds = random.Random(seed)
    programs: list[str] = []
    bodies: set[str] = set()
    next_seed = seed
    for _ in range(count * 20 + 20):
        if len(programs) == count:
            break
        text = generate(difficulty, next_seed)
        body = _body(text)
        if body not in bodies:
            bodies.add(body)
            programs.append(text)
        next_seed = seeds.getrandbits(32)
    if len(programs) < count:
        raise RuntimeError(f"found only {len(programs)} distinct programs at difficulty "
                           f"{difficulty}")
    return programs


def check_program(text: str, difficulty: int) -> list[str]:
    """Every guarantee of `difficulty` that the program breaks, in words; [] when it keeps all."""
    _check_difficulty(difficulty)
    try:
        program = parse(text)
        graph = program.solve(granularity="gate")  # its guarantees are about gates
    except ProgramError as exc:
        return [f"the program does not solve: {exc}"]
    problems: list[str] = []
    if program.has_random_inputs:
        problems.append("it draws random inputs (randint/choice); generated programs use numbers")
    nodes = graph.nodes
    ops = [n for n in nodes if n.kind == OP]
    readers = graph.consumers()
    named = {s.target for s in program.statements}

    lo, hi = OP_COUNTS[difficulty]
    if not lo <= len(ops) <= hi:
        problems.append(f"it has {len(ops)} operations; difficulty {difficulty} needs {lo}–{hi}")
    if graph.output.name != "L":
        problems.append(f"the output is '{graph.output.name}', not 'L'")
    for node in ops:
        if node.name not in named:
            problems.append(f"operation {node.name} ({node.op.name}) has no line of its own")
        if node.op.name not in ALLOWED_OPS[difficulty]:
            problems.append(f"{node.name} uses {node.op.name}, not an operation of difficulty "
                            f"{difficulty}")
    for node in nodes[:-1]:
        if not readers[node.index]:
            problems.append(f"{node.name} is never used")

    for node in nodes:
        for what, value in (("data", node.data), ("grad", node.grad)):
            if abs(value) > MAX_ABS:
                problems.append(f"{node.name}'s {what} {_show(value)} is over {MAX_ABS}")
            if difficulty in INTEGER_LEVELS and not _is_integer(value):
                problems.append(f"{node.name}'s {what} {_show(value)} is not a whole number")
    for node in nodes:
        if node.kind != INPUT:
            continue
        if abs(node.grad) < MIN_INPUT_GRAD:
            problems.append(f"input {node.name} has gradient {_show(node.grad)} (zero or nearly)")
        if abs(node.data) > MAX_INPUT:
            problems.append(f"input {node.name} = {_show(node.data)} is larger than {MAX_INPUT}")
        if not isinstance(node.data, Fraction) or (node.data * 100).denominator != 1:
            problems.append(f"input {node.name} = {_show(node.data)} has more than 2 decimals")
    problems += _gate_problems(graph)

    fanned = [n for n in nodes if len({reader for reader, _ in readers[n.index]}) >= 2]
    used_ops = {n.op.name for n in ops}
    if difficulty == 1:
        for node in nodes:
            if len(readers[node.index]) > 1:
                problems.append(f"{node.name} is read {len(readers[node.index])} times "
                                "(difficulty 1 has no fan-out)")
    elif difficulty == 2:
        if not fanned:
            problems.append("no node feeds two operations")
        if "sub" not in used_ops:
            problems.append("no subtraction")
    elif difficulty == 3:
        if not fanned:
            problems.append("no node feeds two operations")
        if not used_ops & ADVANCED_OPS:
            problems.append("none of ÷, **, exp, sigmoid, tanh is used")
    elif difficulty == 4:
        problems += _network_problems(graph)
    elif difficulty == 5:
        if len(fanned) < 2:
            problems.append(f"{len(fanned)} node(s) feed two operations; difficulty 5 needs 2")
        if not used_ops & GATE_OPS:
            problems.append("no max, min or relu gate")
    return problems


# -- checks -------------------------------------------------------------------------------

def _check_difficulty(difficulty) -> None:
    if isinstance(difficulty, bool) or difficulty not in DIFFICULTIES:
        raise ValueError(f"the difficulty must be one of 1–5, not {difficulty!r}")


def _is_integer(value) -> bool:
    return isinstance(value, Fraction) and value.denominator == 1


def _show(value) -> str:
    if isinstance(value, Fraction):
        return str(value)
    return f"{value:.6g}"


def _gate_problems(graph: Graph) -> list[str]:
    problems = []
    nodes = graph.nodes
    for node in nodes:
        if node.kind != OP:
            continue
        values = [nodes[i].data for i in node.inputs]
        if node.op.name in ("max", "min"):
            a, b = values
            if abs(a - b) < GATE_MARGIN:
                problems.append(f"{node.name} = {node.op.name}({_show(a)}, {_show(b)}) is (nearly) "
                                "a tie")
        elif node.op.name == "relu" and abs(values[0]) < GATE_MARGIN:
            problems.append(f"{node.name} = relu({_show(values[0])}) is (nearly) at the kink")
    return problems


def _network_problems(graph: Graph) -> list[str]:
    """Level 4's shape: L = (a - y)**2 where a is an activation of weighted sums plus a bias,
    layer on layer (one or two), each weight an input multiplying a data input or an activation."""
    nodes = graph.nodes
    out = graph.output
    if out.op is None or out.op.name != "pow" or out.op.exponent != 2:
        return ["the loss is not a square: L = d ** 2"]
    diff = nodes[out.inputs[0]]
    if diff.op is None or diff.op.name != "sub":
        return ["the loss is not (prediction − target) ** 2"]
    prediction, target = (nodes[i] for i in diff.inputs)
    problems = []
    if target.kind == OP:
        problems.append(f"the target {target.name} is computed, not a number")
    depth = _layers(nodes, prediction, problems)
    if not problems and not 1 <= depth <= 2:
        problems.append(f"the network has {depth} layers; difficulty 4 needs 1 or 2")
    return problems


def _layers(nodes: list[Node], node: Node, problems: list[str]) -> int:
    """How many activation layers end at `node`, noting any part that is not neuron-shaped."""
    if node.op is None or node.op.name not in ACTIVATIONS:
        problems.append(f"{node.name} is not an activation (sigmoid, tanh or relu)")
        return 0
    terms: list[Node] = []
    stack = [nodes[node.inputs[0]]]
    if stack[0].op is None or stack[0].op.name != "add":
        problems.append(f"{node.name}'s input is not a weighted sum plus a bias")
        return 0
    while stack:
        current = stack.pop()
        if current.op is not None and current.op.name == "add":
            stack.extend(nodes[i] for i in current.inputs)
        else:
            terms.append(current)
    biases = [t for t in terms if t.kind == INPUT]
    products = [t for t in terms if t.op is not None and t.op.name == "mul"]
    if len(biases) != 1 or len(products) != len(terms) - 1:
        problems.append(f"{node.name}'s input is not a weighted sum plus one bias")
        return 0
    depth = 0
    for product in products:
        left, right = (nodes[i] for i in product.inputs)
        if left.kind != INPUT:
            problems.append(f"{product.name} does not start with a weight")
            continue
        if right.kind not in (INPUT, CONST):
            depth = max(depth, _layers(nodes, right, problems))
    return depth + 1


# -- building: levels 1, 2, 3 and 5 ------------------------------------------------------

@dataclass(frozen=True)
class _Level:
    ops: tuple[int, int]  # how many operations, inclusive
    inputs: tuple[int, int]  # how many inputs, inclusive (at most ops + 1)
    binary: dict[str, float]  # binary op -> weight
    unary: dict[str, float]  # unary op ("pow2", "exp", …) -> weight
    modes: dict[str, float]  # "merge", "const", "reuse", "unary" -> weight when free to choose
    input_value: Callable[[random.Random], Fraction]
    const_value: Callable[[random.Random], Fraction]
    input_names: tuple[str, ...]
    op_names: tuple[str, ...]
    max_fanout_nodes: int = 100  # how many distinct nodes may feed two operations
    max_readers: int = 3  # how many operations may read one node
    bound: float = 60  # |value| of every intermediate, to keep data and grads in range
    integer: bool = False  # exact whole numbers only (levels 1 and 2)


@dataclass
class _Value:
    name: str
    value: Fraction | float
    readers: int = 0
    is_input: bool = False
    by_const: bool = False  # made by an operation with a number (c + 4): not chained again
    kind: str = ""  # the operation that made it ("" for an input)
    order: int = 0  # position in the program, to write a + b rather than b + a


def _fraction(text: str) -> Fraction:
    return Fraction(text)


_DECIMALS = tuple(_fraction(t) for t in (
    "0.1", "0.2", "0.25", "0.3", "0.4", "0.5", "0.6", "0.75", "0.8", "1", "1.2", "1.25", "1.5",
    "2", "2.5", "3"))


def _small_positive(rng: random.Random) -> Fraction:
    return Fraction(rng.randint(1, 9))


def _small_integer(rng: random.Random) -> Fraction:
    if rng.random() < 0.8:
        return Fraction(rng.randint(1, 9))
    return Fraction(-rng.randint(1, 5))


def _decimal(rng: random.Random) -> Fraction:
    value = rng.choice(_DECIMALS)
    return -value if rng.random() < 0.4 else value


def _int_const(rng: random.Random) -> Fraction:
    return Fraction(rng.randint(1, 5))


def _decimal_const(rng: random.Random) -> Fraction:
    return rng.choice((Fraction(1, 2), Fraction(1), Fraction(1), Fraction(2), Fraction(3)))


_LETTERS = tuple("abcdefghkmnpqrstuvw")  # no i, j, l, o: they read as indices or digits

LEVELS = {
    1: _Level(ops=(2, 3), inputs=(2, 4), binary={"add": 1, "mul": 1}, unary={},
              modes={"merge": 3, "const": 1}, input_value=_small_positive,
              const_value=_int_const, input_names=_LETTERS, op_names=_LETTERS,
              max_fanout_nodes=0, max_readers=1, bound=200, integer=True),
    2: _Level(ops=(3, 5), inputs=(1, 4), binary={"add": 2, "sub": 3, "mul": 2}, unary={},
              modes={"merge": 2, "const": 1, "reuse": 3}, input_value=_small_integer,
              const_value=_int_const, input_names=_LETTERS, op_names=_LETTERS,
              max_fanout_nodes=1, max_readers=2, bound=200, integer=True),
    3: _Level(ops=(5, 10), inputs=(2, 4),
              binary={"add": 3, "sub": 2, "mul": 3, "div": 2},
              unary={"pow2": 1.5, "pow3": 0.5, "exp": 1, "sigmoid": 1.5, "tanh": 1},
              modes={"merge": 3, "const": 1, "reuse": 2, "unary": 2}, input_value=_decimal,
              const_value=_decimal_const, input_names=("x", "y", "z", "w"),
              op_names=tuple("abcdefghkmnpqrstuv"), max_readers=2),
    5: _Level(ops=(12, 20), inputs=(3, 4),
              binary={"add": 3, "sub": 2, "mul": 3, "div": 1, "max": 1.5, "min": 1.5},
              unary={"pow2": 1, "pow3": 0.3, "exp": 0.7, "sigmoid": 1, "tanh": 0.7, "relu": 1},
              modes={"merge": 3, "const": 0.6, "reuse": 3, "unary": 2}, input_value=_decimal,
              const_value=_decimal_const, input_names=("x", "y", "z", "w"),
              op_names=tuple("abcdefghjkmnpqrstuv"), max_readers=3),
}

_COMMUTATIVE = ("add", "mul", "max", "min")
_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
_UNARY_OPS = {"pow2": power(Fraction(2)), "pow3": power(Fraction(3)), "exp": REGISTRY["exp"],
              "sigmoid": REGISTRY["sigmoid"], "tanh": REGISTRY["tanh"], "relu": REGISTRY["relu"]}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _format(value: Fraction) -> str:
    """A number literal: '3', '-1.25', '0.5' (only for values with a short decimal form)."""
    if value.denominator == 1:
        return str(value.numerator)
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    if Fraction(text) != value:
        raise ValueError(f"{value} has no short decimal form")
    return text


def _build_dag(level: _Level, rng: random.Random) -> list[str] | None:
    """Inputs first, then operations, each consuming at least one not-yet-used node, so that
    the last one (L) reads, directly or not, every input and every operation."""
    n_ops = rng.randint(*level.ops)
    n_inputs = rng.randint(level.inputs[0], min(level.inputs[1], n_ops + 1))
    integer = level.integer
    values = [_Value(level.input_names[i], level.input_value(rng), is_input=True, order=i)
              for i in range(n_inputs)]
    op_names = [n for n in level.op_names if n not in level.input_names[:n_inputs]]
    lines = [f"{v.name} = {_format(v.value)}" for v in values]
    fanned: list[str] = []
    for step in range(n_ops):
        left = n_ops - step
        name = "L" if left == 1 else op_names[step]
        unused = [v for v in values if v.readers == 0]
        made = None
        for _ in range(30):
            made = _one_op(level, rng, unused, values, fanned, left, integer)
            if made is not None:
                break
        if made is None:
            return None
        expr, result, operands, by_const, kind = made
        for operand in operands:
            operand.readers += 1
            if operand.readers == 2:
                fanned.append(operand.name)
        values.append(_Value(name, result, by_const=by_const, kind=kind, order=len(values)))
        lines.append(f"{name} = {expr}")
    return lines


def _one_op(level, rng, unused, values, fanned, left, integer):
    """One candidate operation, (expression, value, operands read, made with a number?), or
    None if it misbehaves."""
    modes = {}
    if len(unused) - 1 >= left:
        modes = {"merge": 1}  # every remaining operation must join two loose ends
    else:
        for mode, weight in level.modes.items():
            if mode == "merge" and len(unused) < 2:
                continue
            if mode == "unary" and not level.unary:
                continue
            modes[mode] = weight
        reusable = _reusable(level, values, fanned)
        if not reusable:
            modes.pop("reuse", None)
    if not modes:
        return None
    mode = _pick(rng, modes)
    if mode == "unary":
        kind = _pick(rng, level.unary)
        operand = rng.choice(unused)
        if operand.kind == kind:
            return None  # no relu(relu(…)), ((a ** 2) ** 2)
        return _tagged(_apply_unary(kind, operand, level, integer), False, kind)
    binary = dict(level.binary)
    if mode == "const":
        binary.pop("max", None)
        binary.pop("min", None)
    kind = _pick(rng, binary)
    first = rng.choice(unused)
    if mode == "merge":
        second = rng.choice([v for v in unused if v is not first])
        pair = [first, second]
        rng.shuffle(pair)
        if kind in _COMMUTATIVE:
            pair.sort(key=lambda v: v.order)
        return _tagged(_apply_binary(kind, pair[0], pair[1], level, integer), False, kind)
    if mode == "reuse":
        second = rng.choice(_reusable(level, values, fanned))
        pair = [first, second]
        rng.shuffle(pair)
        if kind in _COMMUTATIVE:
            pair.sort(key=lambda v: v.order)
        return _tagged(_apply_binary(kind, pair[0], pair[1], level, integer), False, kind)
    if first.by_const:
        return None  # no chains like e = d + 5; f = e - 1
    const = level.const_value(rng)
    if const == 1 and kind in ("mul", "div"):
        return None  # × 1 and ÷ 1 teach nothing
    literal = _Value(_format(const), const)
    if kind in ("sub", "div") and rng.random() < 0.5:
        made = _apply_binary(kind, literal, first, level, integer)
    else:
        made = _apply_binary(kind, first, literal, level, integer)
    if made is None:
        return None
    expr, result, _ = made
    return expr, result, [first], True, kind


def _tagged(made, by_const: bool, kind: str):
    return None if made is None else (*made, by_const, kind)


def _reusable(level: _Level, values: list[_Value], fanned: list[str]) -> list[_Value]:
    """Nodes already read once that may be read again (fan-out), within the level's limits."""
    out = []
    for v in values:
        if v.readers == 0 or v.readers >= level.max_readers:
            continue
        if v.readers == 1 and len(fanned) >= level.max_fanout_nodes:
            continue
        out.append(v)
    return out


def _apply_unary(kind, a: _Value, level: _Level, integer: bool):
    x = a.value
    fx = float(x)
    if kind == "pow2" and not 0.3 <= abs(fx) <= 6:
        return None
    if kind == "pow3" and not 0.3 <= abs(fx) <= 2.5:
        return None
    if kind == "exp" and not -3 <= fx <= 2.5:
        return None
    if kind == "sigmoid" and abs(fx) > 3:
        return None
    if kind == "tanh" and abs(fx) > 2:
        return None
    if kind == "relu" and abs(x) < 2 * GATE_MARGIN:
        return None
    result = _UNARY_OPS[kind].forward(x)
    if kind == "pow2":
        expr = f"{a.name} ** 2"
    elif kind == "pow3":
        expr = f"{a.name} ** 3"
    else:
        expr = f"{kind}({a.name})"
    if not _fits(result, level, integer, allow_zero=(kind == "relu")):
        return None
    return expr, result, [a]


def _apply_binary(kind, a: _Value, b: _Value, level: _Level, integer: bool):
    x, y = a.value, b.value
    if kind == "div" and abs(y) < 0.5:
        return None
    if kind in ("max", "min") and abs(x - y) < 2 * GATE_MARGIN:
        return None
    result = REGISTRY[kind].forward(x, y)
    if kind in ("max", "min"):
        expr = f"{kind}({a.name}, {b.name})"
    else:
        expr = f"{a.name} {_SYMBOLS[kind]} {b.name}"
    if not _fits(result, level, integer):
        return None
    return expr, result, [a, b]


def _fits(result, level: _Level, integer: bool, allow_zero: bool = False) -> bool:
    if not math.isfinite(result) or abs(result) > level.bound:
        return False
    if integer:
        return result != 0
    return (allow_zero and result == 0) or abs(result) >= 0.05


# -- building: level 4 --------------------------------------------------------------------

_WEIGHTS = tuple(_fraction(t) for t in (
    "0.1", "0.2", "0.25", "0.3", "0.4", "0.5", "0.6", "0.75", "0.8", "1", "1.2", "1.5"))
_BIASES = tuple(_fraction(t) for t in ("0", "0.1", "0.2", "0.25", "0.5", "-0.1", "-0.2",
                                        "-0.25", "-0.5"))
_DATA = tuple(_fraction(t) for t in ("0.5", "1", "1.5", "2", "-0.5", "-1", "-1.5", "-2"))
_TARGETS = {"sigmoid": ("0", "1"), "tanh": ("-1", "1"), "relu": ("0", "1", "2")}


def _build_network(rng: random.Random) -> list[str]:
    """A neuron (one layer) or a two-layer network, named like the notes: x, w1, b1, z1, a1 …
    Neurons are numbered hidden first, output last; weights w1, w2 … in reading order, each
    with its product m1, m2 …; a neuron with two inputs sums them as s<k> before its bias."""
    n_in = rng.choice((1, 2))
    hidden = [] if rng.random() < 0.4 else [rng.choice((1, 2))]
    sizes = [n_in, *hidden, 1]
    act_hidden = rng.choice(("sigmoid", "sigmoid", "tanh", "relu"))
    act_out = rng.choice(("sigmoid", "sigmoid", "tanh", "relu"))
    target = rng.choice(_TARGETS[act_out])

    data = ["x"] if n_in == 1 else [f"x{i + 1}" for i in range(n_in)]
    inputs = [f"{name} = {_format(rng.choice(_DATA))}" for name in data]
    weights, biases, ops = [], [], []
    previous = data
    neuron = 0
    weight = 0
    for layer, width in enumerate(sizes[1:], start=1):
        activation = act_out if layer == len(sizes) - 1 else act_hidden
        current = []
        for _ in range(width):
            neuron += 1
            products = []
            for source in previous:
                weight += 1
                value = rng.choice(_WEIGHTS) * (-1 if rng.random() < 0.3 else 1)
                weights.append(f"w{weight} = {_format(value)}")
                ops.append(f"m{weight} = w{weight} * {source}")
                products.append(f"m{weight}")
            biases.append(f"b{neuron} = {_format(rng.choice(_BIASES))}")
            if len(products) == 2:
                ops.append(f"s{neuron} = {products[0]} + {products[1]}")
                products = [f"s{neuron}"]
            ops.append(f"z{neuron} = {products[0]} + b{neuron}")
            ops.append(f"a{neuron} = {activation}(z{neuron})")
            current.append(f"a{neuron}")
        previous = current
    ops.append(f"d = a{neuron} - y")
    ops.append("L = d ** 2")
    return [*inputs, *weights, *biases, f"y = const({target})", *ops]


_BUILDERS: dict[int, Callable[[random.Random], list[str] | None]] = {
    1: lambda rng: _build_dag(LEVELS[1], rng),
    2: lambda rng: _build_dag(LEVELS[2], rng),
    3: lambda rng: _build_dag(LEVELS[3], rng),
    4: _build_network,
    5: lambda rng: _build_dag(LEVELS[5], rng),
}


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith("#"))
