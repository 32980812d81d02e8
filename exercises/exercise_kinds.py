"""An exercise's kind in the quiz bank: its settings, its asked keys, its frozen numbers.

The grader's `grading.kinds` says what each kind asks and how it is graded; this module
connects that to an `Exercise` (its `ask`, `learning_rate`, `parameters`, `nudge_input`
and `nudge_h`) and its variants. A variant freezes the numbers its kind needs (an
update's new weights, a nudge's L(x + h) and slope) with the rest of its solution, so
grading, regrading and every page read them and never re-solve. Used by services.py
(writes) and the API's serializers (reads); the rules live here once.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from .engine import Graph, ProgramError
from .grading import KINDS, Kind, Settings, Solved, prepare
from .grading.kinds import chain_keys, gradient_key
from .grading.notation import latex_name, partial_parts
from .models import Ask, Exercise, Variant

DEFAULT_REL, DEFAULT_ABS = 1e-2, 1e-6  # the model's defaults: "no tolerance of its own"


def kind_of(ask: str) -> Kind:
    """The grading kind of an exercise's `ask` (values and gradients: graded as gradients)."""
    return KINDS["grad" if ask == Ask.BOTH else ask]


def settings_of(exercise: Exercise) -> Settings:
    return Settings(learning_rate=exercise.learning_rate,
                    parameters=tuple(exercise.parameters) if exercise.parameters else None,
                    nudge_input=exercise.nudge_input or None, nudge_h=exercise.nudge_h)


def has_own_tolerance(exercise: Exercise) -> bool:
    """False when the exercise keeps the model's default tolerance: its kind's default
    applies then (5 significant figures for update and nudge, 1 % for the others)."""
    return (exercise.tolerance_sig_figs is not None or exercise.tolerance_rel != DEFAULT_REL
            or exercise.tolerance_abs != DEFAULT_ABS)


def solution(exercise: Exercise, graph: Graph) -> dict:
    """A solved graph's stored solution for this exercise: ValueError for settings the
    program does not fit (a parameter that is not an input, a nudge out of its domain)."""
    return kind_of(exercise.ask).solution(graph, settings_of(exercise))


def check(ask: str, settings: Settings, graph: Graph, asked: list[str] | None) -> None:
    """ValueError unless the kind's settings and asked keys fit the solved graph."""
    kind = kind_of(ask)
    solved = prepare(kind.solution(graph, settings))
    kind.asked(solved, asked or None)


def with_frozen(exercise: Exercise, variant: Variant) -> dict:
    """The variant's solution with its exercise kind's frozen numbers, adding them (once,
    saved) to a variant made before the exercise asked for that kind. Numbers already
    frozen are never recomputed."""
    kind = kind_of(exercise.ask)
    stored = variant.graph
    if kind.freeze is None or kind.name in stored:
        return stored
    graph = Graph.from_dict(stored).solve()
    try:
        entry = kind.freeze(graph, settings_of(exercise))
    except ValueError as exc:  # ProgramError too: the settings no longer fit the program
        raise ProgramError(f"this exercise's {kind.name} settings: {exc}") from None
    with transaction.atomic():
        fresh = Variant.objects.select_for_update().get(pk=variant.pk)
        if kind.name not in fresh.graph:
            fresh.graph = {**fresh.graph, kind.name: entry}
            fresh.save(update_fields=["graph"])
    variant.graph = fresh.graph
    return variant.graph


def asked_keys(exercise: Exercise, solution: dict | Solved) -> list[str]:
    """What the exercise asks, in its kind's keys: node names for grad and data, "z2/a1"
    for local, parameter names for update, "nudged" and "slope" for nudge."""
    kind = kind_of(exercise.ask)
    solved = solution if isinstance(solution, Solved) else prepare(solution)
    return kind.asked(solved, list(exercise.asked_nodes) or None)


def learner_settings(exercise: Exercise, solution: dict) -> dict | None:
    """What a learner is told beyond the graph: η and the parameters of an update, the
    nudged input and h of a nudge (as frozen with their variant). None for other kinds."""
    kind = kind_of(exercise.ask)
    entry = solution.get(kind.name) if kind.freeze else None
    if not isinstance(entry, dict):
        return None
    if kind.name == Ask.UPDATE:
        return {"learning_rate": entry["learning_rate"],
                "learning_rate_exact": entry["learning_rate_exact"],
                "parameters": list(entry["parameters"])}
    return {"nudge": {"input": entry["input"], "h": entry["h"], "h_exact": entry["h_exact"]}}


def answers(exercise: Exercise, solution: dict) -> dict:
    """Every asked key's correct value: only for a caller that may show the solution."""
    kind = kind_of(exercise.ask)
    solved = prepare(solution)
    return {key: kind.truth(solved, key) for key in asked_keys(exercise, solved)}


def boxes(exercise: Exercise, solution: dict) -> list[dict]:
    """The answer boxes a page draws, in asking order: each key with how it is written
    (plain text and LaTeX) and, for a local derivative, the edge it sits on. For a local
    exercise whose boxes are one path to the output, `chain_keys` orders the notes' chain."""
    kind = kind_of(exercise.ask)
    solved = prepare(solution)
    out = solved.labels[solved.output]
    items = []
    for key in asked_keys(exercise, solved):
        if kind.name == Ask.LOCAL:
            top, _, bottom = key.partition("/")
            text, latex = partial_parts(top, bottom)
            items.append({"key": key, "label": text, "label_latex": latex,
                          "edge": [bottom, top]})
        elif kind.name == Ask.UPDATE:
            items.append({"key": key, "label": gettext("new {name}").format(name=key)
                          + f" = {key} − η·∂{out}/∂{key}",
                          "label_latex": f"{latex_name(key)} - \\eta \\cdot "
                                         f"{partial_parts(out, key)[1]}", "edge": None})
        elif kind.name == Ask.NUDGE:
            x = solution[Ask.NUDGE]["input"]
            text, latex = (
                (f"{out}({x} + h)", f"{latex_name(out)}({latex_name(x)} + h)")
                if key == "nudged" else
                (f"({out}({x} + h) − {out}({x}))/h",
                 f"\\frac{{{latex_name(out)}({latex_name(x)} + h) - "
                 f"{latex_name(out)}({latex_name(x)})}}{{h}}"))
            items.append({"key": key, "label": text, "label_latex": latex, "edge": None})
        else:
            d = partial_parts(out, key)
            items.append({"key": key, "label": d[0] if kind.name == "grad" else key,
                          "label_latex": d[1] if kind.name == "grad" else latex_name(key),
                          "edge": None})
    return items


def chain(exercise: Exercise, solution: dict | Solved) -> list[str] | None:
    """A local exercise's boxes in the notes' backward order when they are exactly one
    node's path to the output (∂L/∂a2, ∂a2/∂z2, …, ∂z1/∂w1): a step-through fills them in
    this order and ends with their product, that node's gradient. None otherwise."""
    if kind_of(exercise.ask).name != Ask.LOCAL:
        return None
    solved = solution if isinstance(solution, Solved) else prepare(solution)
    keys = asked_keys(exercise, solved)
    start = keys[-1].partition("/")[2] if keys else None
    path = chain_keys(solved, start) if start in solved.index else None
    return path if path is not None and sorted(path) == sorted(keys) else None


def step_keys(exercise: Exercise, solution: dict | Solved) -> list[str]:
    """The keys a step-through checks beyond the asked ones, each a gradient ("grad:w1",
    ∂L/∂w1): a local chain's product (the gradient of the node it starts from), and the
    ∂L/∂w of each parameter an update moves. Never part of a full submission."""
    name = kind_of(exercise.ask).name
    solved = solution if isinstance(solution, Solved) else prepare(solution)
    if name == Ask.LOCAL:
        path = chain(exercise, solved)
        return [gradient_key(path[-1].partition("/")[2])] if path else []
    if name == Ask.UPDATE:
        return [gradient_key(key) for key in asked_keys(exercise, solved)]
    return []
