"""Tolerance modes and the grading policy."""

from __future__ import annotations

import pytest
from grading_helpers import EX3, NETWORK, graded, truth

from exercises.grading import GradingPolicy, Tolerance


def test_default_is_one_percent_relative_with_an_absolute_floor():
    tol = Tolerance()
    assert tol.close(36.3, 36) and tol.close(35.7, 36)
    assert not tol.close(36.4, 36)
    assert tol.close(5e-7, 0) and not tol.close(2e-6, 0)
    assert tol.close(0.1 + 0.2, 0.3)


def test_relative_mode():
    tol = Tolerance.relative(0.05)
    assert tol.close(104, 100) and not tol.close(106, 100)


def test_absolute_mode():
    tol = Tolerance.absolute(0.01)
    assert tol.close(100.009, 100) and not tol.close(100.02, 100)
    assert tol.close(0.005, 0)


@pytest.mark.parametrize(("value", "expected", "figures", "ok"), [
    (0.235, 0.2350037, 3, True),
    (0.2349, 0.2350037, 3, True),
    (0.23, 0.2350037, 3, False),
    (0.24, 0.2350037, 2, True),
    (36, 36, 1, True),
    (40, 36, 1, True),
    (30, 36, 1, False),
    (-0.0167, -0.01670968, 3, True),
    (-0.0168, -0.01670968, 3, False),
    (1234.4, 1234, 4, True),
    (1235, 1234, 4, False),
])
def test_significant_figures_mode(value, expected, figures, ok):
    assert Tolerance.significant(figures).close(value, expected) is ok


def test_tolerance_from_dict():
    assert Tolerance.from_dict({"sig_figs": 3}) == Tolerance(rel=0, abs=1e-6, sig_figs=3)
    assert Tolerance.from_dict({"rel": 0.05}) == Tolerance(rel=0.05, abs=1e-6)
    assert Tolerance.from_dict({"rel": 0, "abs": 0.1}) == Tolerance.absolute(0.1)
    with pytest.raises(ValueError, match="unknown"):
        Tolerance.from_dict({"relative": 1})


@pytest.mark.parametrize("bad", [{"rel": -1}, {"abs": float("nan")}, {"sig_figs": 0},
                                 {"sig_figs": 2.5}, {"sig_figs": True}])
def test_bad_tolerances_are_refused(bad):
    with pytest.raises(ValueError):
        Tolerance(**bad)


def test_policy_defaults_and_validation():
    policy = GradingPolicy()
    assert policy.hint_level == 2 and policy.follow_through_credit == 0.5
    # No tolerance of its own: the asked kind's default, 1 % for gradients.
    assert policy.tolerance is None
    assert policy.with_default_tolerance(Tolerance()).tolerance == Tolerance(rel=1e-2, abs=1e-6)
    for bad in ({"hint_level": 4}, {"hint_level": True}, {"follow_through_credit": 1.5},
                {"follow_through_credit": "half"}, {"tolerance": 0.01}):
        with pytest.raises(ValueError):
            GradingPolicy(**bad)


def test_policy_round_trips_through_json_form():
    policy = GradingPolicy(Tolerance.significant(3), hint_level=0, follow_through_credit=1)
    assert GradingPolicy.from_dict(policy.as_dict()) == policy
    assert GradingPolicy.from_dict(None) == GradingPolicy()
    with pytest.raises(ValueError, match="unknown"):
        GradingPolicy.from_dict({"hints": 2})


def test_tolerance_decides_the_verdict():
    grads = truth(NETWORK)
    rounded = {"w1": "-0.0335"}  # 3 significant figures of -0.033419...
    assert graded(NETWORK, rounded)["nodes"]["w1"]["correct"]
    strict = GradingPolicy(Tolerance.relative(1e-4))
    assert not graded(NETWORK, rounded, policy=strict)["nodes"]["w1"]["correct"]
    sig = GradingPolicy(Tolerance.significant(2))
    assert graded(NETWORK, {"w1": "-0.033"}, policy=sig)["nodes"]["w1"]["correct"]
    assert grads["w1"] == pytest.approx(-0.0334194, rel=1e-5)


def test_exact_fractions_are_accepted_for_exact_answers():
    result = graded(EX3, {"x": "72/2", "y": "15.0", "z": "14/2", "L": "1"})
    assert result["score"] == 1.0
