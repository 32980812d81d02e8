"""Moodle XML: `numerical` questions with their tolerance, in a category per quiz.

One question per asked node of the seed-0 variant (`questions.py`); Moodle's tolerance is
absolute ("nominal"), so it is the margin our grader allows at that answer. A quiz's
fixed items go in its category, each pool's candidates in a subcategory of it; a
question's default mark is the item's points shared by its nodes, and the quiz's retry
penalty becomes each question's penalty for a wrong try.
"""

from __future__ import annotations

from lxml import etree

from .. import services
from ..models import Exercise, Quiz
from . import questions as q

TOP = "$course$/top"


def xml_for_quizzes(quizzes: list[Quiz]) -> bytes:
    root = etree.Element("quiz")
    skipped: list[q.Skipped] = []
    for quiz in quizzes:
        category = f"{TOP}/{_segment(quiz.title)}"
        root.append(_category(category, f"Exported from backprop-course: {quiz.title}"))
        pools = []
        for item in quiz.items.select_related("exercise", "pool_tag", "quiz").order_by(
                "position", "id"):
            if item.exercise_id:
                skipped += _add(root, [item.exercise], item.points, quiz.retry_penalty)
            else:
                pools.append(item)
        for item in pools:  # after the fixed items: a category line applies to what follows
            level = f" difficulty {item.pool_difficulty}" if item.pool_difficulty else ""
            name = f"{item.position}. pool {item.pool_tag.name}{level}"
            root.append(_category(f"{category}/{_segment(name)}",
                                  "One of these exercises was drawn per learner."))
            skipped += _add(root, list(services.pool_candidates(item)), item.points,
                            quiz.retry_penalty)
    return _bytes(root, skipped)


def xml_for_exercises(exercises: list[Exercise], title: str = "Exercises") -> bytes:
    root = etree.Element("quiz")
    root.append(_category(f"{TOP}/{_segment(title)}", "Exported from backprop-course."))
    skipped = _add(root, exercises, None, 0.0)
    return _bytes(root, skipped)


def _add(root, exercises, points, penalty: float) -> list[q.Skipped]:
    done, skipped = q.collect(exercises)
    for _exercise, asked in done:
        mark = (points if points is not None else len(asked)) / max(len(asked), 1)
        for question in asked:
            root.append(numerical(question, mark, penalty))
    return skipped


def numerical(question: q.Question, mark: float, penalty: float):
    element = etree.Element("question", type="numerical")
    _text(element, "name", question.title)
    _text(element, "questiontext", question.html, html=True)
    _text(element, "generalfeedback", "", html=True)
    etree.SubElement(element, "defaultgrade").text = _decimal(mark)
    etree.SubElement(element, "penalty").text = _decimal(penalty)
    etree.SubElement(element, "hidden").text = "0"
    answer = etree.SubElement(element, "answer", fraction="100",
                              format="moodle_auto_format")
    etree.SubElement(answer, "text").text = repr(question.answer)
    _text(answer, "feedback", "", html=True)
    etree.SubElement(answer, "tolerance").text = repr(question.margin)
    for tag, value in (("unitgradingtype", "0"), ("unitpenalty", "0.1000000"),
                       ("showunits", "3"), ("unitsleft", "0")):
        etree.SubElement(element, tag).text = value
    return element


def _category(path: str, info: str):
    element = etree.Element("question", type="category")
    _text(element, "category", path)
    _text(element, "info", info, html=True)
    return element


def _text(parent, tag: str, text: str, html: bool = False):
    element = etree.SubElement(parent, tag, format="html") if html else \
        etree.SubElement(parent, tag)
    inner = etree.SubElement(element, "text")
    inner.text = etree.CDATA(text) if html and text else text
    return element


def _segment(name: str) -> str:
    """A category path segment: Moodle reads a / as a level, and // as a slash."""
    return name.replace("/", "//").strip() or "untitled"


def _decimal(value: float) -> str:
    return f"{value:.7f}"


def _bytes(root, skipped: list[q.Skipped]) -> bytes:
    if skipped:
        root.insert(0, etree.Comment(" Left out: " + "; ".join(
            f"{s.exercise.title}: {s.reason}" for s in skipped).replace("--", "- -") + " "))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
