"""The misconception catalogue: one entry per buggy rule, in precedence order.

Like STACK's buggy rules, each entry recomputes the node's answer the way a learner with
that misconception would, and the learner's number is matched against it within the
exercise's tolerance. Adding a rule is one `Rule(...)` entry in `RULES`.

Codes are stable (analytics and the API expose them). Precedence, most specific first:
evidence from the learner's own answers (`upstream_carried`), then rules tied to one gate's
local derivative, then rules about how paths combine, then whole-answer confusions that
fit many numbers by coincidence (`data_for_grad`, `sign`). When several rules give the same
number the first one names the misconception, the others are listed in `also`, and the
explanation says so. Gate-level rules are retried on the learner's own (wrong) upstream
gradients, ranking after every match on the correct ones; and upstream_carried drops to
last when the consistency rests on a 0 (the anti-gaming rule).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from .i18n import _
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

    def op(self, i: int) -> str:
        return self.solved.ops[i].name

    def other_input(self, e: Edge) -> int:
        return self.solved.inputs[e.consumer][1 - e.position]

    def defn(self, i: int) -> str:
        return f"{self.label(i)} = {expression(self.solved, i)[0]}"


# (the buggy rule's number, the misconception in plain words). The words are a thunk:
# most candidates never match, and building their sentences is most of the cost.
Candidate = tuple[float, Callable[[], str]]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    summary: str  # the misconception in a phrase, for docs, analytics and "also fits"
    candidates: Callable[[Site], Iterator[Candidate]]
    asks: frozenset[str] = frozenset({"grad"})
    uses_upstream: bool = True  # worth retrying with the learner's own upstream answers


# -- the rules --------------------------------------------------------------------------


def _upstream_carried(site: Site) -> Iterator[Candidate]:
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
    yield site.implied, lambda: template.format(name=site.name, origin=origin)


def _max_routing(site: Site) -> Iterator[Candidate]:
    for k, e in enumerate(site.edges):
        op = site.op(e.consumer)
        if e.local == 0 and op in ("max", "min", "relu"):
            yield site.with_path(k, e.upstream), partial(_routing_text, site, e, op)


def _routing_text(site: Site, e: Edge, op: str) -> str:
    if op == "relu":
        return _("{name} was not positive ({value}), so the ReLU in {definition} blocks the "
                 "gradient: nothing flows back to {name} through it.").format(
            name=site.name, value=number(site.solved.data[site.node]),
            definition=site.defn(e.consumer))
    template = (_("A max gate routes the whole gradient to the larger input ({winner}); {name} "
                  "lost in {definition}, so it gets nothing from it.") if op == "max" else
                _("A min gate routes the whole gradient to the smaller input ({winner}); "
                  "{name} lost in {definition}, so it gets nothing from it."))
    return template.format(winner=site.label(site.other_input(e)), name=site.name,
                           definition=site.defn(e.consumer))


def _sigmoid_argument(site: Site) -> Iterator[Candidate]:
    z = site.solved.data[site.node]
    for k, e in enumerate(site.edges):
        if site.op(e.consumer) == "sigmoid":
            yield site.with_path(k, e.upstream * z * (1 - z)), partial(_sigmoid_text, site, e)


def _sigmoid_text(site: Site, e: Edge) -> str:
    s = site.label(e.consumer)
    return _("At {s} = σ({name}), the local derivative is {s}·(1−{s}), from the sigmoid's "
             "output {s}; you used {name}·(1−{name}) with its input.").format(s=s, name=site.name)


def _power_rule(site: Site) -> Iterator[Candidate]:
    v = site.solved.data[site.node]
    for k, e in enumerate(site.edges):
        op = site.solved.ops[e.consumer]
        if op.name != "pow" or (v == 0 and op.exponent < 1):
            continue
        try:
            dropped = v ** float(op.exponent - 1)
        except (OverflowError, ZeroDivisionError):
            continue
        if isinstance(dropped, float):  # (a complex number from a negative base: skip)
            yield site.with_path(k, e.upstream * dropped), partial(_power_text, site, e)


def _power_text(site: Site, e: Edge) -> str:
    n = site.solved.ops[e.consumer].exponent
    return _("For {definition}, the power rule brings the exponent down: ∂{out}/∂{name} = "
             "{n}·{name}^{less}; the factor {n} is missing.").format(
        definition=site.defn(e.consumer), out=site.label(e.consumer), name=site.name,
        n=number(n), less=number(n - 1))


def _quotient(site: Site) -> Iterator[Candidate]:
    for k, e in enumerate(site.edges):
        if site.op(e.consumer) == "div" and e.position == 1:
            p = site.solved.data[site.other_input(e)]
            v = site.solved.data[site.node]
            yield site.with_path(k, e.upstream * (-p / v)), partial(_quotient_text, site, e)


def _quotient_text(site: Site, e: Edge) -> str:
    top = site.label(site.other_input(e))
    return _("For {definition}, the local derivative for the denominator {name} is "
             "−{top}/{name}², not −{top}/{name}.").format(
        definition=site.defn(e.consumer), name=site.name, top=top)


def _own_value(site: Site) -> Iterator[Candidate]:
    own = site.solved.data[site.node]
    for k, e in enumerate(site.edges):
        if site.op(e.consumer) == "mul" and site.other_input(e) != site.node:
            yield site.with_path(k, e.upstream * own), partial(_own_value_text, site, e)


def _own_value_text(site: Site, e: Edge) -> str:
    return _("At {definition}, a multiply gate swaps: the local derivative for {name} is the "
             "other factor, {other}, not {name}'s own value.").format(
        definition=site.defn(e.consumer), name=site.name, other=site.label(site.other_input(e)))


def _add_as_mul(site: Site) -> Iterator[Candidate]:
    for k, e in enumerate(site.edges):
        if site.op(e.consumer) not in ("add", "sub"):
            continue
        other = site.solved.data[site.other_input(e)]
        why = partial(_add_as_mul_text, site, e)
        yield site.with_path(k, e.upstream * other), why
        if e.local != 1:  # a subtract gate's second input: with and without its sign
            yield site.with_path(k, e.upstream * e.local * other), why


def _add_as_mul_text(site: Site, e: Edge) -> str:
    template = (_("At {definition}, an add gate distributes the gradient unchanged; you scaled "
                  "it by the other input {other} as if it were a multiply gate.")
                if site.op(e.consumer) == "add" else
                _("At {definition}, a subtract gate passes the gradient on (negated for the "
                  "second input); you scaled it by the other input {other} as if it were a "
                  "multiply gate."))
    return template.format(definition=site.defn(e.consumer),
                           other=site.label(site.other_input(e)))


def _missing_branch(site: Site) -> Iterator[Candidate]:
    m = len(site.edges)
    if m < 2:
        return
    everything = 2 ** m - 1
    if m <= 4:
        subsets = range(1, everything)  # every non-empty proper subset of the paths
    else:  # one path alone, or all but one: the slips learners make
        subsets = [1 << k for k in range(m)] + [everything ^ (1 << k) for k in range(m)]
    paths = [e.path for e in site.edges]
    for mask in subsets:
        total = sum(p for k, p in enumerate(paths) if mask >> k & 1)
        yield total, partial(_branch_text, site, mask)


def _branch_text(site: Site, mask: int) -> str:
    kept = _unique(site.label(e.consumer) for k, e in enumerate(site.edges) if mask >> k & 1)
    dropped = _unique(site.label(e.consumer) for k, e in enumerate(site.edges)
                      if not mask >> k & 1)
    if set(dropped) <= set(kept):  # x*x: one consumer, two paths
        return _("You counted only one path through {op}, but {name} is more than one of its "
                 "inputs: each use is a path, and a gradient sums over every path.").format(
            op=dropped[0], name=site.name)
    joiner = " " + _("and") + " "
    also = joiner.join(n for n in dropped if n not in kept)
    return _("You added only the path through {kept} — {name} also feeds {also}, and a "
             "gradient sums over every path.").format(kept=joiner.join(kept), name=site.name,
                                                      also=also)


def _no_upstream(site: Site) -> Iterator[Candidate]:
    if site.edges:
        yield sum(e.local for e in site.edges), partial(_no_upstream_text, site)


def _no_upstream_text(site: Site) -> str:
    locals_ = " + ".join(f"∂{site.label(e.consumer)}/∂{site.name}" for e in site.edges)
    upstream = ", ".join(_unique(f"∂{site.out}/∂{site.label(e.consumer)}" for e in site.edges))
    return _("You gave the local derivative ({local}) alone; multiply it by the upstream "
             "gradient ({upstream}) — that is the chain rule.").format(local=locals_,
                                                                        upstream=upstream)


def _data_for_grad(site: Site) -> Iterator[Candidate]:
    yield site.solved.data[site.node], lambda: _(
        "You typed {name}'s forward value (its data), not its gradient ∂{out}/∂{name}.").format(
        name=site.name, out=site.out)


def _sign(site: Site) -> Iterator[Candidate]:
    yield -site.truth, lambda: (
        _("The size is right but the sign is wrong: check the signs along the chain (subtract "
          "and negate gates, negative factors).") if site.ask == "grad" else
        _("The size is right but the sign is wrong: check the signs in the forward "
          "computation."))


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items))


BOTH = frozenset({"grad", "data"})

RULES: tuple[Rule, ...] = (
    Rule("upstream_carried", "consistent with your own wrong answer nearer the output",
         _upstream_carried, asks=BOTH, uses_upstream=False),
    Rule("max_routing", "passed gradient to the losing input of max/min or through a "
         "blocked ReLU", _max_routing),
    Rule("sigmoid_argument", "used z(1−z) instead of s(1−s) for s = σ(z)", _sigmoid_argument),
    Rule("power_rule", "dropped the factor n of the power rule", _power_rule),
    Rule("quotient", "used −p/v instead of −p/v² for a denominator", _quotient),
    Rule("own_value", "used the node's own value instead of the other factor", _own_value),
    Rule("add_as_mul", "scaled by the other input at an add gate", _add_as_mul),
    Rule("missing_branch", "summed only some of the paths", _missing_branch),
    Rule("no_upstream", "gave the local derivative without the upstream gradient",
         _no_upstream, uses_upstream=False),
    Rule("data_for_grad", "typed the forward value instead of the gradient", _data_for_grad,
         uses_upstream=False),
    Rule("sign", "right magnitude, wrong sign", _sign, asks=BOTH, uses_upstream=False),
)

BY_CODE = {rule.code: rule for rule in RULES}
# The fixed vocabulary, in the order the contract lists it.
CODES = ("missing_branch", "no_upstream", "own_value", "add_as_mul", "sign", "data_for_grad",
         "sigmoid_argument", "power_rule", "quotient", "max_routing", "upstream_carried")
assert set(CODES) == set(BY_CODE), "every code needs exactly one rule"


@dataclass(slots=True)
class Diagnosis:
    code: str | None = None
    explanation: str | None = None
    also: list[str] | None = None  # other codes giving the same number
    upstream: str | None = None  # upstream_carried: where the error started


def diagnose(value: float, site: Site, own_site: Site | None, tol: Tolerance,
             demote_carried: bool = False) -> Diagnosis:
    """Match a wrong answer against every rule; the first match in precedence order wins.

    `own_site` repeats the gate-level rules with the learner's own upstream answers (None
    when those are all right); those matches rank after every match with the correct
    upstream. `demote_carried` puts upstream_carried last (the anti-gaming rule:
    consistency that rests on a 0 is weak evidence).
    """
    matches: list[tuple[str, str]] = []
    for rule in RULES:
        if site.ask in rule.asks:
            why = _match(rule, site, value, tol)
            if why is not None:
                matches.append((rule.code, why))
    # Second, weaker evidence: the same gate-level slips on top of the learner's own
    # (wrong) upstream gradients.
    if own_site is not None:
        for rule in RULES:
            if rule.uses_upstream and all(code != rule.code for code, _ in matches):
                why = _match(rule, own_site, value, tol, consistent=own_site.total)
                if why is not None:
                    matches.append((rule.code, why + " " + _(
                        "(This uses your own upstream gradient, which is itself wrong.)")))
    if not matches:
        return Diagnosis(also=[])
    if demote_carried and matches[0][0] == "upstream_carried" and len(matches) > 1:
        matches.append(matches.pop(0))
    code, why = matches[0]
    also = [c for c, _ in matches[1:]]
    if also:
        fits = "; ".join(f"{c} ({BY_CODE[c].summary})" for c in also)
        why += " " + _("The same number also fits {fits}; {code} is the more specific "
                       "explanation.").format(fits=fits, code=code)
    upstream = site.label(site.origin) if code == "upstream_carried" else None
    return Diagnosis(code, why, also, upstream)


def _match(rule: Rule, site: Site, value: float, tol: Tolerance,
           consistent: float | None = None) -> str | None:
    truth, near_truth = site.truth, tol.allowance(site.truth)
    for candidate, why in rule.candidates(site):
        if not tol.close(value, candidate):
            continue  # (checked first: almost every candidate fails here)
        if not math.isfinite(candidate) or abs(candidate - truth) <= near_truth:
            continue  # indistinguishable from the right answer: no evidence of a bug
        if consistent is not None and tol.close(candidate, consistent):
            continue  # a slip on a 0 upstream path changes nothing: that is just consistency
        if tol.is_zero(candidate) and rule.code != "upstream_carried":
            continue  # 0 is everyone's guess; it is not evidence of any particular rule
        return why()
    return None
