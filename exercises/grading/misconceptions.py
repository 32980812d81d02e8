"""The misconception catalogue: one entry per buggy rule, in precedence order.

Like STACK's buggy rules, each entry recomputes the node's answer the way a learner with
that misconception would, and the learner's number is matched against it within the
exercise's tolerance. Adding a rule is one `Rule(...)` entry in `RULES`: either a slip at
one gate (`at_gate`, gate_slips.py: works at line and gate granularity alike, on one inner
gate of the consumer's line) or a whole-answer confusion (`whole`).

Codes are stable (analytics and the API expose them). Precedence, most specific first:
evidence from the learner's own answers (`upstream_carried`), then rules tied to one gate's
local derivative, then rules about how paths combine, then whole-answer confusions that
fit many numbers by coincidence (`data_for_grad`, `sign`).

Honest ambiguity: when several rules give the learner's number, the gate where the
coincidence happens decides which is most plausible (a subtraction or negation: `sign`; a
multiply: `own_value`; see gate_slips.most_plausible), else precedence does. The others go
in `also`, and the explanation says that the number fits them too. Gate-level rules are
retried on the learner's own (wrong) upstream gradients, ranking after every match on the
correct ones; upstream_carried drops to last when the consistency rests on a 0 (the
anti-gaming rule). A 0 is evidence like any other number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

from . import gate_slips as g
from .gate_slips import Slip, Words
from .gates import INPUT
from .i18n import _, gettext_noop
from .notation import expression, number
from .solution import Solved
from .verdicts import Tolerance


@dataclass(frozen=True, slots=True)
class Edge:
    """One path from the node to the output: through `consumer`, at input `position`."""

    consumer: int
    position: int
    local: float  # ∂consumer/∂node (correct)
    upstream: float  # ∂L/∂consumer: the correct value, or the learner's own

    @property
    def path(self) -> float:
        return self.upstream * self.local


@dataclass(frozen=True, slots=True)
class Site:
    """Everything a rule may look at for one node."""

    solved: Solved
    node: int
    ask: str  # "grad" or "data"
    truth: float
    edges: tuple[Edge, ...]  # grad only
    implied: float | None  # follow-through: what the learner's own sources imply
    origin: int | None  # follow-through: where the learner's error started
    total: float = 0.0  # Σ of the edges' paths (the gradient these upstream values give)
    learning_rate: float | None = None  # the exercise's η, when it has one
    authored: tuple[tuple[float, str, str], ...] = ()  # this node's own rules: value, code, text

    @property
    def name(self) -> str:
        return self.solved.labels[self.node]

    @property
    def out(self) -> str:
        return self.solved.labels[self.solved.output]

    def with_path(self, k: int, path: float) -> float:
        """The node's gradient if edge k contributed `path` and every other edge was right."""
        return self.total - self.edges[k].path + path

    def label(self, i: int) -> str:
        return self.solved.labels[i]

    def defn(self, i: int) -> str:
        return f"{self.label(i)} = {expression(self.solved, i)[0]}"

    def uses(self) -> list[tuple[int, float]]:
        """Every use of the node on its way to the output, with its path's share of the
        gradient: one per edge at gate granularity; at line granularity, one per place the
        node's name stands in a consumer's line (b = a + a: two uses in one line)."""
        found = []
        for e in self.edges:
            line = self.solved.line(e.consumer)
            for gi, gate in enumerate(line.gates):
                for a, arg in enumerate(gate.args):
                    if arg.kind == INPUT and arg.ref == e.position:
                        found.append((e.consumer, e.upstream * line.adjoint[gi] * gate.local[a]))
        return found

    def slips(self) -> Iterator[Slip]:
        """Every inner gate argument on a path from the node, edge by edge."""
        for k, e in enumerate(self.edges):
            line = self.solved.line(e.consumer)
            for gi, a in line.paths(e.position):
                yield Slip(self, k, line, gi, a, line.gates[gi].op.name)


# (the buggy rule's number, the misconception in words, the gate it happened at). The
# words are a function of the learner's number, called only for the match: most candidates
# never match, and building their sentences is most of the cost.
Candidate = tuple[float, Words, Slip | None]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    summary: str  # what the learner did, after "you": gradebook, "it is also what…"
    at_gate: Callable[[Slip], Iterator[g.GateSlip]] | None = None  # a slip at one gate
    ops: frozenset[str] = frozenset()  # the gates at_gate looks at
    whole: Callable[[Site], Iterator[tuple[float, Words]]] | None = None  # the whole answer
    asks: frozenset[str] = frozenset({"grad"})
    uses_upstream: bool = True  # worth retrying with the learner's own upstream answers

    def candidates(self, site: Site, slips: list[Slip]) -> Iterator[Candidate]:
        if self.at_gate is not None:
            for slip in slips:
                if slip.op not in self.ops:
                    continue
                for local, words in self.at_gate(slip):
                    yield slip.local_with(local), words, slip
        if self.whole is not None:
            for value, words in self.whole(site):
                yield value, words, None


# -- whole-answer rules -----------------------------------------------------------------


def _upstream_carried(site: Site) -> Iterator[tuple[float, Words]]:
    if site.implied is None or site.origin in (None, site.node):
        return
    origin = site.label(site.origin)
    if site.ask == "grad":
        template = _("Your answer for {name} follows correctly from your own gradients nearer "
                     "the output, but the error started at {origin}: fix {origin} and {name} "
                     "follows.")
    else:
        template = _("Your value for {name} follows correctly from your own values for its "
                     "inputs, but the error started at {origin}: fix {origin} and {name} "
                     "follows.")
    yield site.implied, lambda value: template.format(name=site.name, origin=origin)


@dataclass(frozen=True, slots=True)
class _Authored:
    """The words of an instructor's rule (and its code, for the result's "rule")."""

    code: str
    message: str

    def __call__(self, value: float) -> str:
        return self.message or _("Your answer matches this exercise's rule {code}.").format(
            code=self.code)


def _authored(site: Site) -> Iterator[tuple[float, Words]]:
    for value, code, message in site.authored:
        yield value, _Authored(code, message)


def _missing_branch(site: Site) -> Iterator[tuple[float, Words]]:
    uses = site.uses()
    m = len(uses)
    if m < 2:
        return
    everything = 2 ** m - 1
    if m <= 4:
        subsets = range(1, everything)  # every non-empty proper subset of the paths
    else:  # one path alone, or all but one: the slips learners make
        subsets = [1 << k for k in range(m)] + [everything ^ (1 << k) for k in range(m)]
    for mask in subsets:
        total = sum(path for k, (_c, path) in enumerate(uses) if mask >> k & 1)
        yield total, partial(_branch_text, site, uses, mask)


def _branch_text(site: Site, uses: list[tuple[int, float]], mask: int, value: float) -> str:
    kept = _unique(site.label(c) for k, (c, _p) in enumerate(uses) if mask >> k & 1)
    dropped = _unique(site.label(c) for k, (c, _p) in enumerate(uses) if not mask >> k & 1)
    if set(dropped) <= set(kept):  # x*x: one consumer, two paths
        consumer = next(c for c, _p in uses if site.label(c) == dropped[0])
        if len(site.solved.line(consumer).gates) > 1 or site.solved.expressions.get(consumer):
            return _("You counted only one of the uses of {name} in {definition}: each use is "
                     "a path, and a gradient sums over every path.").format(
                name=site.name, definition=site.defn(consumer))
        return _("You counted only one path through {op}, but {name} is more than one of its "
                 "inputs: each use is a path, and a gradient sums over every path.").format(
            op=dropped[0], name=site.name)
    joiner = " " + _("and") + " "
    also = joiner.join(n for n in dropped if n not in kept)
    return _("You added only the path through {kept} — {name} also feeds {also}, and a "
             "gradient sums over every path.").format(kept=joiner.join(kept), name=site.name,
                                                      also=also)


def _no_upstream(site: Site) -> Iterator[tuple[float, Words]]:
    if site.edges:
        yield sum(e.local for e in site.edges), partial(_no_upstream_text, site)


def _no_upstream_text(site: Site, value: float) -> str:
    locals_ = " + ".join(f"∂{site.label(e.consumer)}/∂{site.name}" for e in site.edges)
    upstream = ", ".join(_unique(f"∂{site.out}/∂{site.label(e.consumer)}" for e in site.edges))
    return _("You gave the local derivative ({local}) alone; multiply it by the upstream "
             "gradient ({upstream}) — that is the chain rule.").format(local=locals_,
                                                                        upstream=upstream)


def _update_for_grad(site: Site) -> Iterator[tuple[float, Words]]:
    eta = site.learning_rate
    if not eta or site.solved.kinds[site.node] != "input":
        return
    w, d = site.name, f"∂{site.out}/∂{site.name}"
    yield site.solved.data[site.node] - eta * site.truth, lambda value: _(
        "You typed {value}, the updated weight {w} − η·{d}; the question asks for the "
        "gradient {d} itself, before any update.").format(value=number(value), w=w, d=d)
    yield eta * site.truth, lambda value: _(
        "You typed {value}, the step η·{d} an update would take; the question asks for the "
        "gradient {d} itself, without the learning rate.").format(value=number(value), d=d)


def _data_for_grad(site: Site) -> Iterator[tuple[float, Words]]:
    yield site.solved.data[site.node], lambda value: _(
        "You typed {name}'s forward value (its data), not its gradient ∂{out}/∂{name}.").format(
        name=site.name, out=site.out)


def _sign(site: Site) -> Iterator[tuple[float, Words]]:
    yield -site.truth, lambda value: (
        _("The size is right but the sign is wrong: check the signs along the chain (subtract "
          "and negate gates, negative factors).") if site.ask == "grad" else
        _("The size is right but the sign is wrong: check the signs in the forward "
          "computation."))


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items))


BOTH = frozenset({"grad", "data"})


def _ops(*names: str) -> frozenset[str]:
    return frozenset(names)


RULES: tuple[Rule, ...] = (
    Rule("upstream_carried", gettext_noop("carried an earlier mistake forward"),
         whole=_upstream_carried, asks=BOTH, uses_upstream=False),
    Rule("authored", gettext_noop("made the mistake this exercise's own rule describes"),
         whole=_authored, asks=BOTH, uses_upstream=False),
    Rule("max_routing", gettext_noop("routed the gradient the wrong way at a max/min/ReLU"),
         at_gate=g.max_routing, ops=_ops("max", "min", "relu")),
    Rule("sigmoid_argument", gettext_noop("used z(1−z) instead of σ(1−σ)"),
         at_gate=g.sigmoid_argument, ops=_ops("sigmoid")),
    Rule("tanh_argument", gettext_noop("used 1 − z² with tanh's input instead of 1 − tanh²"),
         at_gate=g.tanh_argument, ops=_ops("tanh")),
    Rule("activation_formula", gettext_noop("misremembered an activation's derivative"),
         at_gate=g.activation_formula, ops=_ops("sigmoid", "tanh")),
    Rule("activation_skipped", gettext_noop("passed the gradient through an activation unchanged"),
         at_gate=g.activation_skipped, ops=_ops("sigmoid", "tanh")),
    Rule("power_rule", gettext_noop("dropped the exponent in the power rule"),
         at_gate=g.power_rule, ops=_ops("pow")),
    Rule("quotient", gettext_noop("used −p/v instead of −p/v² at a divide gate"),
         at_gate=g.quotient, ops=_ops("div")),
    Rule("dropped_constant", gettext_noop("left a constant factor out of the derivative"),
         at_gate=g.dropped_constant, ops=_ops("mul", "div")),
    Rule("own_value", gettext_noop("used the node's own value at a multiply gate"),
         at_gate=g.own_value, ops=_ops("mul")),
    Rule("add_as_mul", gettext_noop("treated an add gate as a multiply gate"),
         at_gate=g.add_as_mul, ops=_ops("add", "sub")),
    Rule("missing_branch", gettext_noop("forgot to sum the branches"), whole=_missing_branch),
    Rule("no_upstream", gettext_noop("forgot the upstream gradient"), whole=_no_upstream,
         uses_upstream=False),
    Rule("update_for_grad", gettext_noop("typed the weight update instead of the gradient"),
         whole=_update_for_grad, uses_upstream=False),
    Rule("data_for_grad", gettext_noop("typed the value instead of the gradient"),
         whole=_data_for_grad, uses_upstream=False),
    Rule("sign", gettext_noop("got the sign wrong"), at_gate=g.sign_slip,
         ops=_ops("sub", "neg", "mul", "div"), whole=_sign, asks=BOTH),
)

BY_CODE = {rule.code: rule for rule in RULES}
# The fixed vocabulary, in the order the contract lists it (new codes at the end).
CODES = ("missing_branch", "no_upstream", "own_value", "add_as_mul", "sign", "data_for_grad",
         "sigmoid_argument", "power_rule", "quotient", "max_routing", "upstream_carried",
         "tanh_argument", "activation_formula", "activation_skipped", "dropped_constant",
         "update_for_grad", "authored")
assert set(CODES) == set(BY_CODE), "every code needs exactly one rule"


@dataclass(slots=True)
class Diagnosis:
    code: str | None = None
    explanation: str | None = None
    also: list[str] = field(default_factory=list)  # other codes giving the same number
    upstream: str | None = None  # upstream_carried: where the error started
    rule: str | None = None  # authored: the exercise's own rule's code

    @property
    def ambiguous(self) -> bool:
        return bool(self.code and self.also)


@dataclass(slots=True)
class _Match:
    code: str
    why: str
    slip: Slip | None
    own: bool  # found on the learner's own (wrong) upstream gradients
    rule: str | None = None  # an authored rule's code


def diagnose(value: float, site: Site, own_site: Site | None, tol: Tolerance,
             demote_carried: bool = False) -> Diagnosis:
    """Match a wrong answer against every rule and name the most plausible match.

    `own_site` repeats the gate-level rules with the learner's own upstream answers (None
    when those are all right); those matches rank after every match with the correct
    upstream. `demote_carried` puts upstream_carried last (the anti-gaming rule:
    consistency that rests on a 0 is weak evidence).
    """
    if tol.close(value, site.truth):
        return Diagnosis()  # a right answer is never a misconception
    matches = _matches(value, site, tol)
    if own_site is not None:
        found = {m.code for m in matches}
        again = [m for m in _matches(value, own_site, tol, consistent=own_site.total)
                 if m.code not in found and BY_CODE[m.code].uses_upstream]
        for m in again:
            m.own = True
            m.why += " " + _("(This uses your own upstream gradient, which is itself wrong.)")
        matches += again
    if not matches:
        return Diagnosis()
    best = _most_plausible(matches, demote_carried)
    also = [m.code for m in matches if m is not best]
    if demote_carried and "upstream_carried" in also:
        also.append(also.pop(also.index("upstream_carried")))
    why = best.why
    if also:
        why += " " + _("It is also what you would get if you {alternatives}; from this number "
                       "alone we cannot be sure which.").format(
            alternatives=_or([_(BY_CODE[c].summary) for c in also]))
    upstream = site.label(site.origin) if best.code == "upstream_carried" else None
    return Diagnosis(best.code, why, also, upstream, best.rule)


def _matches(value: float, site: Site, tol: Tolerance,
             consistent: float | None = None) -> list[_Match]:
    slips = list(site.slips()) if site.ask == "grad" else []
    ops = {slip.op for slip in slips}
    near_truth = tol.allowance(site.truth)
    found = []
    for rule in RULES:
        if site.ask not in rule.asks or (consistent is not None and not rule.uses_upstream):
            continue
        if rule.whole is None and ops.isdisjoint(rule.ops):
            continue  # (no gate this rule is about: most rules, for most nodes)
        hit = _match(rule, site, slips, value, tol, consistent, near_truth)
        if hit is not None:
            words, slip = hit
            found.append(_Match(rule.code, words(value), slip, False,
                                words.code if isinstance(words, _Authored) else None))
    return found


def _most_plausible(matches: list[_Match], demote_carried: bool) -> _Match:
    first = matches[0]
    if first.code == "upstream_carried" and not demote_carried:
        return first  # the learner's own answers are the strongest evidence
    rest = [m for m in matches if m.code != "upstream_carried"] or matches
    codes = {m.code: m for m in rest if not m.own}
    if "authored" in codes:
        return codes["authored"]  # the instructor's rule for this very node
    for m in rest:
        if m.slip is not None and not m.own:
            likeliest = g.most_plausible(m.slip)
            if likeliest in codes:
                return codes[likeliest]
    return rest[0]


def _or(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " " + _("or") + " " + words[-1]


def _match(rule: Rule, site: Site, slips: list[Slip], value: float, tol: Tolerance,
           consistent: float | None, near_truth: float) -> tuple[Words, Slip | None] | None:
    truth = site.truth
    for candidate, words, slip in rule.candidates(site, slips):
        if not tol.close(value, candidate):
            continue  # (checked first: almost every candidate fails here)
        if not math.isfinite(candidate) or abs(candidate - truth) <= max(
                near_truth, tol.allowance(candidate)):
            # indistinguishable from the right answer, seen from either number (a slip
            # on a path that carries 1 % of the gradient): no evidence of a bug
            continue
        if consistent is not None and tol.close(candidate, consistent):
            continue  # a slip on a 0 upstream path changes nothing: that is just consistency
        return words, slip
    return None
