"""Tolerance: when is a learner's number "the same" as the engine's?

One `Tolerance.close(value, expected)` decides every comparison in the grader — the
verdict itself, follow-through consistency and misconception matching — so a looser
exercise is looser everywhere at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Float arithmetic (e.g. 0.1·3 vs 0.3) must never turn a right answer wrong.
_EPSILON = 1e-12


@dataclass(frozen=True, slots=True)
class Tolerance:
    """rel and abs: |value − expected| ≤ max(rel·|expected|, abs).

    sig_figs: the value agrees with the expected one to that many significant figures,
    i.e. lies within half a unit of the last kept digit (abs still acts as a floor, so an
    expected 0 is matched by anything within abs).
    """

    rel: float = 1e-2
    abs: float = 1e-6
    sig_figs: int | None = None

    def __post_init__(self):
        if not (math.isfinite(self.rel) and self.rel >= 0):
            raise ValueError("tolerance rel must be a finite number ≥ 0")
        if not (math.isfinite(self.abs) and self.abs >= 0):
            raise ValueError("tolerance abs must be a finite number ≥ 0")
        if self.sig_figs is not None and (
                isinstance(self.sig_figs, bool) or not isinstance(self.sig_figs, int)
                or not 1 <= self.sig_figs <= 15):
            raise ValueError("tolerance sig_figs must be a whole number from 1 to 15")

    @classmethod
    def relative(cls, rel: float, floor: float = 1e-6) -> Tolerance:
        return cls(rel=rel, abs=floor)

    @classmethod
    def absolute(cls, abs_: float) -> Tolerance:
        return cls(rel=0.0, abs=abs_)

    @classmethod
    def significant(cls, figures: int, floor: float = 1e-6) -> Tolerance:
        return cls(rel=0.0, abs=floor, sig_figs=figures)

    @classmethod
    def from_dict(cls, data: dict) -> Tolerance:
        """{"rel": 0.01, "abs": 1e-6} or {"sig_figs": 3} (as an exercise stores it)."""
        unknown = set(data) - {"rel", "abs", "sig_figs"}
        if unknown:
            raise ValueError(f"unknown tolerance setting(s): {', '.join(sorted(unknown))}")
        if data.get("sig_figs") is not None:
            return cls(rel=0.0, abs=float(data.get("abs", 1e-6)), sig_figs=data["sig_figs"])
        return cls(rel=float(data.get("rel", 1e-2)), abs=float(data.get("abs", 1e-6)))

    def as_dict(self) -> dict:
        if self.sig_figs is not None:
            return {"sig_figs": self.sig_figs, "abs": self.abs}
        return {"rel": self.rel, "abs": self.abs}

    def allowance(self, expected: float) -> float:
        """How far from `expected` a value may be and still count as equal."""
        size = abs(expected)
        if self.sig_figs is not None:
            if size == 0:
                return self.abs
            unit = 10.0 ** (math.floor(math.log10(size)) - self.sig_figs + 1)
            return max(unit / 2 + size * _EPSILON, self.abs)
        return max(self.rel * size, self.abs, size * _EPSILON)

    def close(self, value: float, expected: float) -> bool:
        return abs(value - expected) <= self.allowance(expected)

    def is_zero(self, value: float) -> bool:
        """Indistinguishable from 0 (the anti-gaming rule's test)."""
        return abs(value) <= max(self.abs, _EPSILON)
