"""The gate rules of the engine's op registry (`Op.gate`, exercises/engine/ops.py), listed
so that `manage.py makemessages` finds them: hints translate each rule with `_(op.gate)`.
A rule missing here is shown in English; tests/grading/test_i18n.py checks that every
entry is still a rule of the registry."""

import re

from .i18n import _

# A line of several gates (gates.py) and a power gate (its exponent is part of the op):
# not in the registry's list, so each is translated here with its numbers put back.
LINE_RULE = "a line's local derivative for each name is the chain rule over its own gates"
_POWER = re.compile(r"a power gate v\*\*(?P<n>\S+) has local derivative (?P<k>\S+)·v\^"
                    r"(?P<lower>\S+) \(bring the exponent down\)")

GATE_RULES = (
    _("an add gate distributes the upstream gradient unchanged to every input"),
    _("a subtract gate passes the upstream gradient to its first input and its negative to "
      "the second"),
    _("a multiply gate swaps: each input's local derivative is the other input's value"),
    _("a divide gate p/v has local derivative 1/v for p and −p/v² for v"),
    _("a negate gate flips the sign of the upstream gradient"),
    _("an exp gate's local derivative is its own output, exp(a)"),
    _("a log gate's local derivative is 1 over its input"),
    _("a square-root gate's local derivative is 1/(2√a)"),
    _("a sigmoid gate's local derivative is σ(z)(1−σ(z)), computed from its own output"),
    _("a tanh gate's local derivative is 1 − tanh(z)², computed from its own output"),
    _("a ReLU gate routes the gradient through when its input is positive and blocks it "
      "otherwise"),
    _("an abs gate passes the gradient with the sign of its input"),
    _("a max gate routes the whole gradient to the larger input and nothing to the other"),
    _("a min gate routes the whole gradient to the smaller input and nothing to the other"),
)


def gate_rule(op) -> str:
    """The op's gate rule (`Op.gate`) in the learner's language."""
    text = getattr(op, "gate", "") or ""
    if text == LINE_RULE:
        return _("a line's local derivative for each name is the chain rule over its own "
                 "gates")
    power = _POWER.fullmatch(text)
    if power:
        return _("a power gate v**{n} has local derivative {k}·v^{lower} (bring the exponent "
                 "down)").format(**power.groupdict())
    return _(text) if text else text
