"""A QTI 1.2 package (a zip with imsmanifest.xml) that Canvas Classic and New Quizzes
import: one assessment per quiz, one numerical question per asked node.

The XML follows the layout Canvas itself exports and reads back: `question_type`
numerical_question, a `render_fib` Decimal response, and the answer as an exact value
with a margin (`varequal` or `vargte`/`varlte`). A quiz item's exercise is a section (a Canvas
question group that picks all of its questions); its points are shared equally by its
nodes, as our grader scores an item by the share of nodes right.
A pool item becomes one section per candidate exercise (an LMS quiz cannot draw "one
exercise with all its nodes" per learner): the instructor groups or picks them there.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

from lxml import etree

from .. import services
from ..models import Exercise, Quiz
from . import questions as q

CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
QTI_SCHEMA = f"{QTI} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
CP_SCHEMA = f"{CP} http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
RESOURCE_TYPE = "imsqti_xmlv1p2"
# A fixed time for the zip entries: the same bank gives the same bytes.
ZIP_TIME = datetime(2026, 1, 1).timetuple()[:6]


def package_for_quizzes(quizzes: list[Quiz]) -> bytes:
    assessments = []
    for quiz in quizzes:
        sections = []
        for item in quiz.items.select_related("exercise", "pool_tag", "quiz").order_by(
                "position", "id"):
            if item.exercise_id:
                sections.append((f"{item.position}. {item.exercise.title}", [item.exercise],
                                 item.points))
            else:
                level = f", difficulty {item.pool_difficulty}" if item.pool_difficulty else ""
                for exercise in services.pool_candidates(item):
                    sections.append((f"{item.position}. pool '{item.pool_tag.name}'{level}: "
                                     f"{exercise.title}", [exercise], item.points))
        assessments.append((f"quiz{quiz.pk}", quiz.title, sections))
    return _package(assessments)


def package_for_exercises(exercises: list[Exercise], title: str = "Exercises") -> bytes:
    sections = [(exercise.title, [exercise], None) for exercise in exercises]
    return _package([("exercises", title, sections)])


def _package(assessments) -> bytes:
    files, notes = {}, []
    for ident, title, sections in assessments:
        files[f"{ident}/{ident}.xml"], skipped = assessment_xml(ident, title, sections)
        notes += [f"{s.exercise.title}: {s.reason}" for s in skipped]
    files["imsmanifest.xml"] = manifest_xml(list(files))
    if notes:
        files["SKIPPED.txt"] = ("Left out of this export:\n" + "\n".join(notes) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), content,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def manifest_xml(assessment_paths: list[str]) -> bytes:
    E = _maker(CP)
    resources = E("resources")
    for path in assessment_paths:
        ident = path.split("/")[0]
        resource = etree.SubElement(resources, f"{{{CP}}}resource", identifier=ident,
                                    type=RESOURCE_TYPE, href=path)
        etree.SubElement(resource, f"{{{CP}}}file", href=path)
    manifest = E("manifest", {"identifier": "backprop_course_export",
                              f"{{{XSI}}}schemaLocation": CP_SCHEMA},
                 E("metadata", E("schema", "IMS Content"), E("schemaversion", "1.1.3")),
                 E("organizations"), resources)
    return _bytes(manifest)


def assessment_xml(ident: str, title: str, sections) -> tuple[bytes, list[q.Skipped]]:
    E = _maker(QTI)
    root = E("section", ident="root_section")
    skipped_all: list[q.Skipped] = []
    for number, (section_title, exercises, points) in enumerate(sections, start=1):
        done, skipped = q.collect(exercises)
        skipped_all += skipped
        for exercise, asked in done:
            section = etree.SubElement(root, f"{{{QTI}}}section",
                                       ident=f"{ident}_s{number}_ex{exercise.pk}",
                                       title=section_title)
            share = (points if points is not None else len(asked)) / max(len(asked), 1)
            # Canvas reads a section as a question group: pick all of its questions, at
            # the share of the item's points each (text2qti writes groups the same way).
            section.append(E("selection_ordering", E("selection", E(
                "selection_number", str(len(asked))), E("selection_extension", E(
                    "points_per_item", _number(share))))))
            for question in asked:
                section.append(item_xml(E, f"{ident}_s{number}_{question.ident}", question,
                                        share))
    assessment = E("assessment", {"ident": ident, "title": title},
                   E("qtimetadata", _field(E, "cc_maxattempts", "1")), root)
    document = E("questestinterop", {f"{{{XSI}}}schemaLocation": QTI_SCHEMA}, assessment)
    return _bytes(document), skipped_all


def item_xml(E, ident: str, question: q.Question, points: float):
    low, high = question.answer - question.margin, question.answer + question.margin
    return E(
        "item", {"ident": _ncname(ident), "title": question.title[:200]},
        E("itemmetadata", E("qtimetadata",
                            _field(E, "question_type", "numerical_question"),
                            _field(E, "points_possible", _number(points)))),
        E("presentation",
          E("material", E("mattext", {"texttype": "text/html"}, question.html)),
          E("response_str", {"ident": "response1", "rcardinality": "Single"},
            E("render_fib", {"fibtype": "Decimal"}, E("response_label", ident="answer1")))),
        E("resprocessing",
          E("outcomes", E("decvar", maxvalue="100", minvalue="0", varname="SCORE",
                          vartype="Decimal")),
          E("respcondition", {"continue": "No"},
            E("conditionvar", E("or",
                                E("varequal", {"respident": "response1"},
                                  _number(question.answer)),
                                E("and",
                                  E("vargte", {"respident": "response1"}, _number(low)),
                                  E("varlte", {"respident": "response1"}, _number(high))))),
            E("setvar", {"action": "Set", "varname": "SCORE"}, "100"))))


def _field(E, label: str, entry: str):
    return E("qtimetadatafield", E("fieldlabel", label), E("fieldentry", entry))


def _number(value: float) -> str:
    text = repr(float(value))  # the shortest text that reads back as the same float
    return text[:-2] if text.endswith(".0") else text


def _ncname(text: str) -> str:
    """An XML ID: letters, digits, _ - . only, starting with a letter."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "_", text)
    return cleaned if cleaned[:1].isalpha() else f"i{cleaned}"


def _maker(namespace: str):
    def make(tag: str, *children, **attributes):
        element = etree.Element(f"{{{namespace}}}{tag}", nsmap={None: namespace, "xsi": XSI})
        for child in children:
            if isinstance(child, dict):
                for key, value in child.items():
                    element.set(key, value)
            elif isinstance(child, str):
                element.text = child
            else:
                element.append(child)
        for key, value in attributes.items():
            element.set(key, value)
        return element
    return make


def _bytes(element) -> bytes:
    etree.cleanup_namespaces(element)
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True)
