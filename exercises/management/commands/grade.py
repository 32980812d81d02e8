"""manage.py grade: grade answers against a program, from the command line or a pipe.

    python manage.py grade PROGRAM_FILE ANSWERS_FILE [--hint-level N] [--seed N]
    python manage.py grade --jsonl < submissions.jsonl

PROGRAM_FILE is the authoring language or a Mermaid flowchart; ANSWERS_FILE is JSON
{"a": "4", "b": 4, ...}. In --jsonl mode each stdin line is {"program": "...", "answers":
{...}} (optionally "seed", "asked", "ask", "granularity", "learning_rate", "parameters",
"nudge": {"input": "x", "h": 0.001}, "hint_level", "policy", "id") and each gets one
result line; a bad line gets {"error": "..."} and the run goes on. Needs no database.

Answers are keyed by the kind asked (`ask`): node names for grad and data, "z2/a1"
(∂z2/∂a1) for local, parameter names for update, "nudged" and "slope" for nudge; results
use the same keys under "nodes".
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exercises.engine import DEFAULT_SEED, ProgramError, solve_text, training
from exercises.grading import ASKS, KINDS, GradingPolicy, Settings, Solved, grade, prepare
from exercises.grading.nodes import NODE_KINDS

MAX_FILE_BYTES = 1_000_000
GRANULARITIES = ("line", "gate")
_SOLVED_CACHE_SIZE = 256


class Command(BaseCommand):
    help = "Grade gradient answers against a program and print the result as JSON."
    stealth_options = ("stdin",)  # lets tests feed --jsonl input through call_command
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("program_file", nargs="?", help="program or Mermaid flowchart")
        parser.add_argument("answers_file", nargs="?", help='JSON answers: {"a": "4", ...}')
        parser.add_argument("--jsonl", action="store_true",
                            help="read {program, answers} lines from stdin, write result lines")
        parser.add_argument("--hint-level", type=int, choices=(0, 1, 2, 3), default=None,
                            help="0 none, 1 nudge, 2 formula (default), 3 worked numbers")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="which variant of a program with random inputs")
        parser.add_argument("--ask", choices=ASKS, default="grad",
                            help="the kind asked: gradients (default), forward values, local "
                                 "derivatives, a gradient-descent update or a nudge")
        parser.add_argument("--granularity", choices=GRANULARITIES, default=None,
                            help="one node per program line (default) or per gate")
        parser.add_argument("--learning-rate", default=None,
                            help="update: the learning rate η (e.g. 0.5 or 1/2)")
        parser.add_argument("--parameters", nargs="+", default=None,
                            help="update: the parameters (default: every input)")
        parser.add_argument("--nudge", nargs=2, metavar=("INPUT", "H"), default=None,
                            help="nudge: the input and the step h (e.g. x 0.001)")

    def handle(self, *args, **options):
        self._solved: dict[tuple[str, int], Solved] = {}
        if options["jsonl"]:
            if options["program_file"] or options["answers_file"]:
                raise CommandError("--jsonl reads everything from stdin: give no files")
            self._jsonl(options.get("stdin") or sys.stdin, options)
            return
        if not (options["program_file"] and options["answers_file"]):
            raise CommandError("give PROGRAM_FILE and ANSWERS_FILE, or --jsonl")
        program = _read(options["program_file"], "program")
        answers = _json(_read(options["answers_file"], "answers"), "answers file")
        request = {"program": program, "answers": answers}
        for key in ("learning_rate", "parameters", "granularity"):
            if options[key] is not None:
                request[key] = options[key]
        if options["nudge"]:
            request["nudge"] = {"input": options["nudge"][0], "h": options["nudge"][1]}
        try:
            result = self._grade(request, options)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _jsonl(self, stream, options):
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise ValueError("each line must be a JSON object")
                result = self._grade(request, options)
                if "id" in request:
                    result = {"id": request["id"], **result}
            except (ValueError, TypeError, RecursionError) as exc:
                result = {"error": f"line {number}: {_message(exc)}"}
            self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _grade(self, request: dict, options) -> dict:
        program, answers = request.get("program"), request.get("answers")
        if not isinstance(program, str):
            raise ValueError('"program" must be the program text')
        if not isinstance(answers, dict):
            raise ValueError('"answers" must be an object: {"a": "4", ...}')
        seed = request.get("seed", options["seed"])
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError('"seed" must be a whole number')
        policy = GradingPolicy.from_dict(request.get("policy"))
        level = request.get("hint_level", options["hint_level"])
        if level is not None:
            policy = GradingPolicy(policy.tolerance, level, policy.follow_through_credit)
        ask = request.get("ask", options["ask"])
        if ask not in KINDS:
            raise ValueError(f'"ask" must be one of {", ".join(KINDS)}')
        granularity = request.get("granularity", options["granularity"])
        if granularity is not None and granularity not in GRANULARITIES:
            raise ValueError(f'"granularity" must be one of {", ".join(GRANULARITIES)}')
        settings = _settings(request)
        solved = self._solution(program, seed, granularity, ask, settings)
        eta = settings.learning_rate  # (a grad exercise's η: an update typed is diagnosed)
        if eta is not None and ask in NODE_KINDS:
            eta = float(training.exact(eta, '"learning_rate"'))
        return grade(solved, answers, policy, asked=request.get("asked"), ask=ask,
                     learning_rate=eta if ask in NODE_KINDS else None)

    def _solution(self, program: str, seed: int, granularity: str | None, ask: str,
                  settings: Settings) -> Solved:
        # A --jsonl run often grades many submissions of one program: solve and read it once.
        # Only the kinds that freeze numbers of their own depend on the settings.
        kind = KINDS[ask]
        key = (program, seed, granularity, ask if kind.freeze else None,
               repr(settings) if kind.freeze else None)
        if key not in self._solved:
            try:
                # One node per line unless asked (the engine's default, as for exercises).
                graph = solve_text(program, seed, granularity=granularity or "line")
                solution = kind.solution(graph, settings)
            except ProgramError as exc:
                raise ValueError(f"program: {exc}") from None
            if len(self._solved) >= _SOLVED_CACHE_SIZE:
                self._solved.pop(next(iter(self._solved)))
            self._solved[key] = prepare(solution)
        return self._solved[key]


def _settings(request: dict) -> Settings:
    nudge = request.get("nudge")
    if nudge is not None and not (isinstance(nudge, dict) and set(nudge) <= {"input", "h"}):
        raise ValueError('"nudge" must be an object: {"input": "x", "h": 0.001}')
    parameters = request.get("parameters")
    if parameters is not None and not isinstance(parameters, list):
        raise ValueError('"parameters" must be a list of input names')
    return Settings(learning_rate=request.get("learning_rate"),
                    parameters=tuple(parameters) if parameters is not None else None,
                    nudge_input=(nudge or {}).get("input"), nudge_h=(nudge or {}).get("h"))


def _read(path: str, what: str) -> str:
    try:
        file = Path(path)
        if file.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"{what} file {path} is larger than {MAX_FILE_BYTES} bytes")
        return file.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {what} file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{what} file {path} is not UTF-8 text") from None


def _json(text: str, what: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{what} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except RecursionError:
        raise CommandError(f"{what} is nested too deeply") from None


def _message(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg}"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)
