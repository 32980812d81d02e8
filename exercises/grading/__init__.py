"""The grader: per-node verdicts, misconception codes, chain-rule hints, follow-through.

Pure Python, no Django. The front door is `grade(solution, answers, policy, asked, ask)`,
where `ask` is one of the exercise kinds (`KINDS`: grad, data, local, update, nudge);
which reads the stored solution dict (`Graph.to_solution()`) and returns the JSON result
the `grade` command and the REST API both give:

    {"score": 0.75, "valid": true, "errors": {},
     "nodes": {"x": {"correct": false, "valid": true, "misconception": "missing_branch",
                     "hint": "...", "hint_latex": "...", "credit": 0.0, ...}, ...}}
"""

from __future__ import annotations

from .answers import MAX_CHARS, Answer, AnswerError, evaluate, read_answer
from .authored import AuthoredRule, RuleError
from .grade import ASKS, grade, grade_step
from .kinds import KINDS, SLIP_CODES, Kind, SettingError, Settings
from .misconceptions import CODES, RULES, Rule
from .policy import GradingPolicy
from .solution import SolutionError, Solved
from .solution import read_solution as prepare
from .verdicts import Tolerance

# Every code a result's `misconception` can hold: the catalogue's, then the kinds' slips.
ALL_CODES = CODES + tuple(code for code in SLIP_CODES if code not in CODES)

__all__ = ["ALL_CODES", "ASKS", "CODES", "KINDS", "MAX_CHARS", "RULES", "Answer", "AnswerError",
           "AuthoredRule", "GradingPolicy", "Kind", "Rule", "RuleError", "SettingError",
           "Settings",
           "SolutionError", "Solved", "Tolerance",
           "evaluate", "grade", "grade_step", "prepare", "read_answer"]
