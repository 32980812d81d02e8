"""The QTI 1.2 package: its manifest is valid against the IMS Content Packaging schema
(vendored, no network), and its items, read as Canvas lays them out, are one numerical
question per asked node with our grader's answer and margin."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from exercises.exports import export
from exercises.exports import qti as qti_module
from exercises.models import Exercise

from .expected import expected_questions, graded_right
from .readers import SAFE, read_qti

SCHEMAS = Path(qti_module.__file__).parent / "schemas"


@pytest.fixture(scope="module")
def manifest_schema():
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "imscp_v1p1.xsd"), SAFE))


@pytest.fixture
def package(bank):
    return export("qti", quizzes=[bank.quiz]).content


def test_the_manifest_is_valid_against_the_ims_schema(package, manifest_schema):
    manifest, _ = read_qti(package)
    document = etree.fromstring(manifest, SAFE)
    manifest_schema.assertValid(document)
    # The check can fail: the schema refuses a manifest without its resources.
    document.remove(document.find("{http://www.imsglobal.org/xsd/imscp_v1p1}resources"))
    assert not manifest_schema.validate(document)


def test_every_file_the_manifest_names_is_in_the_zip(bank, package):
    archive = zipfile.ZipFile(io.BytesIO(package))
    manifest = etree.fromstring(archive.read("imsmanifest.xml"), SAFE)
    hrefs = {f.get("href") for f in manifest.iter("{*}file")}
    assert hrefs == {f"quiz{bank.quiz.pk}/quiz{bank.quiz.pk}.xml"}
    assert set(archive.namelist()) == hrefs | {"imsmanifest.xml"}


def test_items_are_the_asked_nodes_with_answer_points_and_our_margin(bank, package):
    _, assessments = read_qti(package)
    assert list(assessments) == ["Midterm"]
    items = assessments["Midterm"]
    expected = expected_questions(bank.quiz)
    assert [tuple(i.name.rsplit(": ", 1)) for i in items] == [row[:2] for row in expected]
    assert [i.answer for i in items] == [row[2] for row in expected]
    assert [i.mark for i in items] == pytest.approx([row[3] for row in expected])
    by_title = {e.title: e for e in Exercise.objects.all()}
    for item in items:
        title, node = item.name.rsplit(": ", 1)
        assert graded_right(by_title[title], node, item.answer + 0.999 * item.tolerance)
        assert not graded_right(by_title[title], node,
                                item.answer + 1.001 * item.tolerance + 1e-12)
    # A section per quiz item, and per candidate of a pool.
    assert items[0].group == "1. x feeds two operations"
    assert {i.group for i in items[7:14]} == {
        "3. pool 'pool-a', difficulty 3: Forward pass",
        "3. pool 'pool-a', difficulty 3: Random numbers"}


def test_item_identifiers_are_unique_xml_ids(bank, package):
    archive = zipfile.ZipFile(io.BytesIO(package))
    root = etree.fromstring(archive.read(f"quiz{bank.quiz.pk}/quiz{bank.quiz.pk}.xml"), SAFE)
    idents = [element.get("ident") for element in root.iter("{*}item", "{*}section")]
    assert len(idents) == len(set(idents))
    for ident in idents:  # xsd:ID is an NCName
        assert ident[0].isalpha() or ident[0] == "_"
        assert all(ch.isalnum() or ch in "_.-" for ch in ident)


def test_the_same_bank_gives_the_same_bytes(bank):
    assert export("qti", quizzes=[bank.quiz]).content == \
        export("qti", quizzes=[bank.quiz]).content


def test_exercises_alone_make_one_assessment(bank, manifest_schema):
    data = export("qti", exercises=[bank.branch, bank.forward]).content
    manifest, assessments = read_qti(data)
    manifest_schema.assertValid(etree.fromstring(manifest, SAFE))
    items = assessments["Exercises"]
    assert [i.name for i in items] == [
        "x feeds two operations: x", "x feeds two operations: y",
        "x feeds two operations: z", "x feeds two operations: L",
        "Forward pass: y", "Forward pass: z", "Forward pass: L"]
    assert {i.mark for i in items} == {1.0}


def test_an_exercise_these_formats_cannot_hold_is_left_out_with_a_note(bank, monkeypatch):
    from exercises.exports import questions

    monkeypatch.setattr(questions, "exportable", lambda exercise: (
        "exercises of kind 'update' are not exported" if exercise == bank.diagram else ""))
    archive = zipfile.ZipFile(io.BytesIO(export("qti", quizzes=[bank.quiz]).content))
    assert archive.read("SKIPPED.txt").decode() == (
        "Left out of this export:\n"
        "From a diagram: exercises of kind 'update' are not exported\n")
    _, assessments = read_qti(export("qti", quizzes=[bank.quiz]).content)
    assert "From a diagram" not in {i.name.rsplit(": ", 1)[0] for i in assessments["Midterm"]}
    moodle = export("moodle", quizzes=[bank.quiz]).content.decode()
    assert "<!-- Left out: From a diagram: exercises of kind 'update'" in moodle
