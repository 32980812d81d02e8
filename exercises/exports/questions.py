"""An exercise as the fixed numerical questions other LMSs can hold (QTI, Moodle XML).

One question per asked node of the exercise's seed-0 variant, its answer the node's
gradient (or value, for a forward-pass exercise) and its margin what our grader allows
there (`Tolerance.allowance`), so an LMS accepts what we would. The graph travels as an
HTML table of its nodes with the data a learner is given (`selectors.learner_graph`).
What cannot travel — hints, follow-through, numbers per learner — is in the README.
Reading an exercise's seed-0 variant stores it if it was never made (it is frozen once
made, `services.get_or_create_variant`); nothing else is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.core.exceptions import FieldDoesNotExist

from .. import exercise_kinds, selectors, services
from ..engine.numbers import format_number
from ..grading import Tolerance
from ..models import Ask, Exercise


@dataclass(frozen=True)
class Question:
    ident: str  # unique in one export, stable for one exercise and node
    title: str
    node: str
    key: str  # the kind graded: "grad", "data", "local", "update" or "nudge"
    answer: float
    margin: float  # |typed − answer| ≤ margin is right
    html: str  # the question text: the graph's table and what is asked


@dataclass(frozen=True)
class Skipped:
    exercise: Exercise
    reason: str


def graded_key(exercise: Exercise) -> str:
    """What the grader checks at each asked node: a "both" exercise shows the values and
    is graded on its gradients, as services grades it."""
    return Ask.DATA if exercise.ask == Ask.DATA else Ask.GRAD


def exportable(exercise: Exercise) -> str:
    """Why the exercise cannot become numerical questions ("" when it can). An exercise
    kind other than the classic graph (a model field `kind`, whose default is the classic
    one) asks for something these formats have no question for, so it is left out."""
    try:
        kind_field = Exercise._meta.get_field("kind")
    except FieldDoesNotExist:  # no kinds on this server: every exercise is classic
        return ""
    kind = getattr(exercise, "kind", kind_field.default)
    if kind != kind_field.default:
        return f"exercises of kind {kind!r} are not exported to this format"
    return ""


def questions_for(exercise: Exercise) -> list[Question]:
    variant = services.get_or_create_variant(exercise, 0)
    solution = variant.graph
    if exercise_kinds.kind_of(exercise.ask).name not in (Ask.GRAD, Ask.DATA):
        return _kind_questions(exercise, solution)
    key = graded_key(exercise)
    tolerance = Tolerance(rel=exercise.tolerance_rel, abs=exercise.tolerance_abs,
                          sig_figs=exercise.tolerance_sig_figs)
    table = graph_table(selectors.learner_graph(solution, exercise.ask))
    by_name = {node["name"]: node for node in solution["nodes"]}
    output = solution["output"]
    questions = []
    for name in services.asked_nodes(exercise, solution):
        answer = float(by_name[name][key])
        asked = (f"∂{output}/∂{name}, the gradient of the output {output} with respect "
                 f"to {name}" if key == Ask.GRAD else f"the value of {name}")
        html = (f"<p>{escape(exercise.title)}</p>{table}"
                f"<p>What is {escape(asked)}?</p>")
        questions.append(Question(
            ident=f"ex{exercise.pk}_{key}_{name}", title=f"{exercise.title}: {name}",
            node=name, key=key, answer=answer, margin=tolerance.allowance(answer), html=html))
    return questions


def _kind_questions(exercise: Exercise, solution: dict) -> list[Question]:
    """Local derivatives, an update or a nudge: one numerical question per answer box,
    with what the learner is told (η, the nudge) and the kind's tolerance (5 significant
    figures for an update or a nudge) unless the exercise sets its own."""
    kind = exercise_kinds.kind_of(exercise.ask)
    tolerance = kind.tolerance
    if exercise_kinds.has_own_tolerance(exercise):
        tolerance = Tolerance(rel=exercise.tolerance_rel, abs=exercise.tolerance_abs,
                              sig_figs=exercise.tolerance_sig_figs)
    told = exercise_kinds.learner_settings(exercise, solution) or {}
    given = ""
    if "learning_rate" in told:
        given = ("<p>One step of gradient descent with learning rate "
                 f"η = {told['learning_rate']}.</p>")
    elif "nudge" in told:
        given = (f"<p>Nudge the input {escape(told['nudge']['input'])} by "
                 f"h = {told['nudge']['h']}.</p>")
    table = graph_table(selectors.learner_graph(solution, exercise.ask))
    answers = exercise_kinds.answers(exercise, solution)
    questions = []
    for box in exercise_kinds.boxes(exercise, solution):
        key, answer = box["key"], answers[box["key"]]
        html = (f"<p>{escape(exercise.title)}</p>{table}{given}"
                f"<p>What is {escape(box['label'])}?</p>")
        questions.append(Question(
            ident=f"ex{exercise.pk}_{kind.name}_{key.replace('/', '_by_')}",
            title=f"{exercise.title}: {box['label']}", node=key, key=kind.name,
            answer=answer, margin=tolerance.allowance(answer), html=html))
    return questions


def graph_table(graph: dict) -> str:
    """The graph as an HTML table: node, how it is computed, its given value."""
    labels = {node["name"]: (format_number(node["data"]) if node["kind"] == "const"
                             else node["name"]) for node in graph["nodes"]}
    rows = []
    for node in graph["nodes"]:
        if node["kind"] == "const":
            continue  # shown by value where it is used
        if node["kind"] == "op":
            computed = expression(node, labels)
        else:
            computed = "input"
        value = "?" if node["data"] is None else format_number(node["data"], 6)
        rows.append(f"<tr><td>{escape(node['name'])}</td><td>{escape(computed)}</td>"
                    f"<td>{escape(value)}</td></tr>")
    return ('<table border="1"><thead><tr><th>node</th><th>computed as</th>'
            "<th>value</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
            f"<p>The output is {escape(graph['output'])}.</p>")


def expression(node: dict, labels: dict[str, str]) -> str:
    if node.get("expression"):  # a line node: its right-hand side as the program has it
        return node["expression"]
    symbol = node.get("symbol") or node["op"]
    args = [labels[name] for name in node["inputs"]]
    if len(args) == 1:
        return f"{args[0]}{symbol}" if symbol.startswith("^") else f"{symbol}({args[0]})"
    if symbol.isalpha():  # max, min
        return f"{symbol}({', '.join(args)})"
    return f" {symbol} ".join(args)


def collect(exercises) -> tuple[list[tuple[Exercise, list[Question]]], list[Skipped]]:
    """The questions of each exportable exercise, and the exercises left out with why."""
    done, skipped = [], []
    for exercise in exercises:
        reason = exportable(exercise)
        if reason:
            skipped.append(Skipped(exercise, reason))
        else:
            done.append((exercise, questions_for(exercise)))
    return done, skipped
