"""What an exercise (or an exam) decides about grading: tolerance, hints, partial credit."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .verdicts import Tolerance

HINT_LEVELS = (0, 1, 2, 3)  # 0 none, 1 nudge, 2 formula, 3 worked numbers


@dataclass(frozen=True, slots=True)
class GradingPolicy:
    # None: the asked kind's own default (grad, data, local: 1 % relative; update and
    # nudge: 5 significant figures — see kinds.py). A set tolerance applies to every kind.
    tolerance: Tolerance | None = None
    hint_level: int = 2
    # Score credit (0..1 of a node) for a wrong node that follows correctly from the
    # learner's own wrong answers nearer the output (error carried forward).
    follow_through_credit: float = 0.5

    def __post_init__(self):
        if isinstance(self.hint_level, bool) or self.hint_level not in HINT_LEVELS:
            raise ValueError("hint_level must be 0, 1, 2 or 3")
        credit = self.follow_through_credit
        if isinstance(credit, bool) or not isinstance(credit, int | float) or not (
                0 <= credit <= 1):
            raise ValueError("follow_through_credit must be a number from 0 to 1")
        if self.tolerance is not None and not isinstance(self.tolerance, Tolerance):
            raise ValueError("tolerance must be a Tolerance")

    @classmethod
    def from_dict(cls, data: dict | None) -> GradingPolicy:
        """The JSON form an exercise stores: every key optional.

        {"tolerance": {"rel": 0.01, "abs": 1e-6} | {"sig_figs": 3},
         "hint_level": 2, "follow_through_credit": 0.5}
        """
        if not data:
            return cls()
        if not isinstance(data, dict):
            raise ValueError("a grading policy must be a JSON object")
        unknown = set(data) - {"tolerance", "hint_level", "follow_through_credit"}
        if unknown:
            raise ValueError(f"unknown grading setting(s): {', '.join(sorted(unknown))}")
        tolerance = data.get("tolerance")
        return cls(
            tolerance=Tolerance.from_dict(tolerance) if tolerance else None,
            hint_level=data.get("hint_level", 2),
            follow_through_credit=data.get("follow_through_credit", 0.5),
        )

    def as_dict(self) -> dict:
        data = {"hint_level": self.hint_level, "follow_through_credit": self.follow_through_credit}
        if self.tolerance is not None:
            data["tolerance"] = self.tolerance.as_dict()
        return data

    def with_default_tolerance(self, default: Tolerance) -> GradingPolicy:
        """This policy with `default` where it sets no tolerance of its own."""
        if self.tolerance is not None:
            return self
        return replace(self, tolerance=default)
