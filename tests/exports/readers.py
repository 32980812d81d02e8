"""Small readers for what the exports write: the tests read the files back with these and
compare what they find with the bank and with our grader."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from lxml import etree

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"
SAFE = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass
class Numerical:
    group: str  # Moodle: the category; QTI: the section's title
    name: str
    text: str
    mark: float
    answer: float
    tolerance: float  # Moodle's absolute tolerance; QTI's half range
    penalty: float = 0.0


def read_moodle(data: bytes) -> list[Numerical]:
    root = etree.fromstring(data, SAFE)
    assert root.tag == "quiz"
    category, found = None, []
    for question in root.iterchildren("question"):
        kind = question.get("type")
        if kind == "category":
            category = question.findtext("category/text")
            continue
        assert kind == "numerical", kind
        answers = question.findall("answer")
        assert len(answers) == 1 and answers[0].get("fraction") == "100"
        found.append(Numerical(
            group=category, name=question.findtext("name/text"),
            text=question.findtext("questiontext/text"),
            mark=float(question.findtext("defaultgrade")),
            answer=float(answers[0].findtext("text")),
            tolerance=float(answers[0].findtext("tolerance")),
            penalty=float(question.findtext("penalty"))))
    return found


def read_qti(data: bytes) -> tuple[bytes, dict[str, list[Numerical]]]:
    """The manifest, and per assessment its numerical items, read as Canvas lays them out."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = archive.read("imsmanifest.xml")
    assessments = {}
    for resource in etree.fromstring(manifest, SAFE).iter(f"{CP}resource"):
        assert resource.get("type") == "imsqti_xmlv1p2"
        href = resource.find(f"{CP}file").get("href")
        assert href == resource.get("href")
        root = etree.fromstring(archive.read(href), SAFE)
        assert root.tag == f"{QTI}questestinterop"
        assessment = root.find(f"{QTI}assessment")
        items = []
        for section in assessment.find(f"{QTI}section").iterchildren(f"{QTI}section"):
            group = [_qti_item(section.get("title"), item)
                     for item in section.iterchildren(f"{QTI}item")]
            selection = section.find(f"{QTI}selection_ordering/{QTI}selection")
            assert int(selection.findtext(f"{QTI}selection_number")) == len(group)  # all
            per_item = float(selection.findtext(f"{QTI}selection_extension/"
                                                f"{QTI}points_per_item"))
            assert {item.mark for item in group} == {per_item}
            items += group
        assessments[assessment.get("title")] = items
    return manifest, assessments


def _qti_item(group: str, item) -> Numerical:
    meta = {field.findtext(f"{QTI}fieldlabel"): field.findtext(f"{QTI}fieldentry")
            for field in item.iter(f"{QTI}qtimetadatafield")}
    assert meta["question_type"] == "numerical_question"
    presentation = item.find(f"{QTI}presentation")
    response = presentation.find(f"{QTI}response_str")
    assert response.find(f"{QTI}render_fib").get("fibtype") == "Decimal"
    ident = response.get("ident")
    condition = item.find(f"{QTI}resprocessing/{QTI}respcondition")
    assert condition.findtext(f"{QTI}setvar") == "100"
    either = condition.find(f"{QTI}conditionvar/{QTI}or")
    exact = either.find(f"{QTI}varequal")
    low, high = either.find(f"{QTI}and/{QTI}vargte"), either.find(f"{QTI}and/{QTI}varlte")
    assert {exact.get("respident"), low.get("respident"), high.get("respident")} == {ident}
    answer = float(exact.text)
    assert float(low.text) <= answer <= float(high.text)
    return Numerical(group=group, name=item.get("title"),
                     text=presentation.findtext(f"{QTI}material/{QTI}mattext"),
                     mark=float(meta["points_possible"]), answer=answer,
                     tolerance=(float(high.text) - float(low.text)) / 2)
