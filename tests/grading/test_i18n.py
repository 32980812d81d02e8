"""The grader's prose in German (issue #17): hints and misconception texts are translated
whole sentences, a hint is cached per language, and the gate rules the catalogue lists are
the registry's own."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from grading_helpers import EX3, graded, node, solution

from exercises.engine.ops import REGISTRY
from exercises.grading import grade
from exercises.grading.gate_rules import GATE_RULES
from exercises.grading.policy import GradingPolicy
from exercises.grading.solution import read_solution


def x_wrong(level: int = 2) -> dict:
    return node(EX3, {"x": "15"}, "x", level=level)


def test_a_missing_branch_in_german():
    english = x_wrong()
    with translation.override("de"):
        german = x_wrong()
    assert english["misconception"] == german["misconception"] == "missing_branch"
    assert english["explanation"].startswith("You added only the path through y")
    assert german["explanation"] == ("Sie haben nur den Pfad über y addiert — x geht auch in z "
                                     "ein, und ein Gradient summiert über alle Pfade.")
    assert german["hint"].startswith("x geht in zwei Operationen ein (y = x + 2 und z = x × 3)")
    assert "Nach der Kettenregel gilt ∂L/∂x = ∂L/∂y·∂y/∂x + ∂L/∂z·∂z/∂x" in german["hint"]
    assert "ein Additionsgatter verteilt" not in german["hint"]  # sentences start upper case
    assert "Ein Additionsgatter verteilt" in german["hint"]
    # the maths is the same maths: only the words around it change
    assert german["hint_latex"].count("\\(") == english["hint_latex"].count("\\(")


def test_every_level_and_the_forward_pass_in_german():
    with translation.override("de"):
        numbers = x_wrong(level=3)
        data = node(EX3, {"z": "16"}, "z", ask="data", level=3)
    assert "Hier ist" in numbers["hint"] and "also ∂L/∂x" in numbers["hint"]
    assert data["hint"].startswith("z wird vorwärts aus x und 3 berechnet")
    assert "Mit den Zahlen: z = 5 × 3 = 15." in data["hint"]


def test_a_hint_is_cached_per_language():
    """One prepared solution graded for an English and then a German learner."""
    solved = read_solution(solution(EX3))
    policy = GradingPolicy(hint_level=2)
    answers = {"L": "1", "y": "15", "z": "7", "x": "15"}
    english = grade(solved, answers, policy)["nodes"]["x"]["hint"]
    with translation.override("de"):
        german = grade(solved, answers, policy)["nodes"]["x"]["hint"]
    again = grade(solved, answers, policy)["nodes"]["x"]["hint"]
    assert german != english and again == english


def test_english_is_unchanged_without_a_language():
    with translation.override(None):
        result = graded(EX3, {"L": "1", "y": "15", "z": "7", "x": "15"})
    assert "You added only the path through y" in result["nodes"]["x"]["explanation"]


@pytest.mark.parametrize("rule", GATE_RULES)
def test_the_listed_gate_rules_are_the_registrys(rule):
    assert rule in {op.gate for op in REGISTRY.values()}


def test_a_slip_inside_a_line_in_german():
    from grading_helpers import node_at

    with translation.override("de"):
        half = node_at("t = 1\no = 0.25\nE = 0.5 * (t - o) ** 2", {"o": "-1.5"}, "o")
        sign = node_at("c3 = 1\nd3 = 4\nL = (c3 - d3) * 2", {"d3": "2"}, "d3")
    assert half["explanation"].startswith("Bei E = 0.5·(t − o)^2 multipliziert die Konstante "
                                          "0.5 den Term (t − o)^2")
    assert "Ihre Eingabe -1.5" in half["explanation"]
    # the line quoted in German word order still counts as a quote, not as a leak
    assert sign["misconception"] == "sign"
    assert sign["explanation"].startswith("Bei L = (c3 − d3)·2 (bei c3 − d3)")


# -- the whole demo course in German ----------------------------------------------------------

_PLACEHOLDERS = re.compile(r"\{\w+\}|%\(\w+\)[sd]")
_ENGLISH = re.compile(r"\b(the|and|your|you|with|that|this|is|of|from)\b")


def _catalogue_fragments(catalogue) -> list[str]:
    """The English words of every msgid with a German msgstr, cut at its placeholders:
    pieces of four words or more, which no German sentence contains."""
    fragments = set()
    for key in catalogue.keys():
        msgid = key[0] if isinstance(key, tuple) else key
        if not msgid or catalogue[key] == msgid:
            continue
        for piece in _PLACEHOLDERS.split(msgid):
            piece = re.sub(r"<[^>]+>", "", piece).strip(" .,:;()")
            if len(re.findall(r"[A-Za-z]+", piece)) >= 4:
                fragments.add(piece)
    return sorted(fragments)


def _wrong_answers(truth: float, data: float | None) -> list[float | None]:
    """A wrong number of every shape the catalogue knows, and a blank."""
    return [None, -truth, 2 * truth, truth / 2, truth + 1, 0, 1,
            *([data] if data is not None else [])]


def _texts(result: dict) -> list[str]:
    texts = []
    for entry in result["nodes"].values():
        for field in ("hint", "hint_formula", "explanation"):
            if entry.get(field):
                texts.append(entry[field])
    return texts


@pytest.mark.django_db
def test_every_hint_and_explanation_of_the_demo_course_is_german(monkeypatch):
    """With German active, grade every exercise of the demo course (every kind) at hint
    levels 1–3 with a wrong answer on every key, one key at a time and all at once, and with
    each of its kind's known slips: every message the grader asked for has a German msgstr,
    and no text it produced carries an English sentence of the catalogue."""
    from django.utils.translation import trans_real

    from exercises import exercise_kinds, feedback, services
    from exercises.demo.load import load_demo
    from exercises.grading import i18n, kinds
    from exercises.models import Exercise

    load_demo(instructor_password="pw", learner_password="pw")
    asked_for: set = set()  # msgids, and (msgid, 0) for a plural
    gettext, ngettext = i18n._gettext, i18n._ngettext

    def recording(message: str) -> str:
        asked_for.add(message)
        return gettext(message)

    def recording_plural(one: str, many: str, n: int) -> str:
        asked_for.add((one, 0))
        return ngettext(one, many, n)

    monkeypatch.setattr(i18n, "_gettext", recording)
    monkeypatch.setattr(i18n, "_ngettext", recording_plural)
    slips = {"local": kinds.LOCAL_SLIPS, "update": kinds.UPDATE_SLIPS,
             "nudge": kinds.NUDGE_SLIPS}
    texts: list[str] = []
    exercises = Exercise.objects.filter(course__isnull=False).order_by("pk")
    assert {e.ask for e in exercises} >= {"grad", "local", "update", "nudge"}
    with translation.override("de"):
        for exercise in exercises:
            variant = services.get_or_create_variant(exercise, 0)
            solved = read_solution(services.variant_solution(exercise, variant))
            rules = feedback.rules_for(exercise)
            # a gradient exercise asked forward too: the data kind's hints
            for ask in (["grad", "data"] if exercise.ask == "grad" else [exercise.ask]):
                kind = exercise_kinds.kind_of(ask)
                asked = (services.asked_nodes(exercise, solved) if ask == exercise.ask
                         else kind.asked(solved, None))
                truth = {key: kind.truth(solved, key) for key in asked}
                answer_sets = [{key: repr(truth[key] + 1.2345) for key in asked}]
                for key in asked:
                    data = solved.data[solved.index[key]] if ask == "grad" else None
                    shapes = _wrong_answers(truth[key], data)
                    shapes += [slip.candidate(solved, key) for slip in slips.get(ask, ())]
                    for wrong in shapes:
                        answers = {k: repr(v) for k, v in truth.items()}
                        answers[key] = "" if wrong is None else repr(wrong)
                        answer_sets.append(answers)
                for level in (1, 2, 3):
                    policy = GradingPolicy(hint_level=level)
                    for answers in answer_sets:
                        result = grade(solved, answers, policy, asked=asked, ask=ask,
                                       rules=rules if ask == exercise.ask else ())
                        texts += _texts(result)
    catalogue = trans_real.translation("de")._catalog
    untranslated = sorted(str(m) for m in asked_for
                          if catalogue.get(m) in (None, "", m if isinstance(m, str) else m[0]))
    assert not untranslated, "\n".join(untranslated)
    assert len(asked_for) > 60 and len(texts) > 1000  # the walk reached most of the catalogue
    fragments = _catalogue_fragments(catalogue)
    english = {(fragment, text) for text in set(texts) for fragment in fragments
               if fragment in text}
    assert not english, sorted(english)[:5]
    # and nothing English that never went through the catalogue (names aside: maths)
    stray = sorted({text for text in set(texts) if _ENGLISH.search(text)})
    assert not stray, stray[:5]
