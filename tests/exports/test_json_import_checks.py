"""A bank file is untrusted text: every refusal is a BankError naming the place in the
file, the import changes nothing, and the command says it without a traceback."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from exercises.exports import export, importing
from exercises.exports.importing import BankError, import_bank
from exercises.models import Exercise, Quiz, QuizItem, Tag, Variant


@pytest.fixture
def good(bank) -> dict:
    return json.loads(export("json", quizzes=[bank.quiz]).content)


def counts():
    return tuple(model.objects.count() for model in (Exercise, Quiz, QuizItem, Tag, Variant))


def edit(bank: dict, change) -> str:
    bank = copy.deepcopy(bank)
    change(bank)
    return json.dumps(bank)


def exercise_field(name, value):
    return lambda b: b["exercises"][1]["fields"].__setitem__(name, value)


def quiz_field(name, value):
    return lambda b: b["quizzes"][0]["fields"].__setitem__(name, value)


def item(key, value, number=2):  # items[2] is a pool, items[0] a fixed exercise
    return lambda b: b["quizzes"][0]["items"][number].__setitem__(key, value)


CASES = {
    "not a bank": (lambda b: b.__setitem__("format", "canvas"), "format", "not a backprop"),
    "newer version": (lambda b: b.__setitem__("version", 2), "version", "version 1"),
    "bool version": (lambda b: b.__setitem__("version", True), "version", "version 1"),
    "odd export time": (lambda b: b.__setitem__("exported_at", {}), "exported_at", "ISO 8601"),
    "extra key": (lambda b: b.__setitem__("submissions", []), "", "unknown key"),
    "exercises not a list": (lambda b: b.__setitem__("exercises", {}), "exercises",
                             "must be a list"),
    "unknown field": (exercise_field("grader", "eval"), "exercises[1].fields.grader",
                      "no such field"),
    "number as text": (exercise_field("tolerance_rel", "0.1"),
                       "exercises[1].fields.tolerance_rel", "must be a number"),
    "bool as a number": (exercise_field("difficulty", True), "exercises[1].fields.difficulty",
                         "whole number"),
    "out of range": (exercise_field("difficulty", 9), "exercises[1].fields.difficulty",
                     "less than or equal to 5"),
    "negative tolerance": (exercise_field("tolerance_abs", -1.0),
                           "exercises[1].fields.tolerance_abs", "greater than or equal"),
    "not a choice": (exercise_field("ask", "everything"), "exercises[1].fields.ask",
                     "not a valid choice"),
    "title too long": (exercise_field("title", "t" * 201), "exercises[1].fields.title",
                       "at most 200"),
    "huge string": (exercise_field("program", "a = 1\n" * 20_000),
                    "exercises[1].fields.program", "longer than"),
    "program error at its line": (exercise_field("program", "a = 2\nb = q * a\n"),
                                  "exercises[1].fields", "line 2"),
    "no eval": (exercise_field("program", "a = __import__('os').system('true')\n"),
                "exercises[1].fields", "line 1"),
    "asked nodes not a list": (exercise_field("asked_nodes", "a"),
                               "exercises[1].fields.asked_nodes", "list of node names"),
    "asked node unknown": (exercise_field("asked_nodes", ["nope"]), "exercises[1].fields",
                           "not in the graph"),
    "null title": (exercise_field("title", None), "exercises[1].fields.title",
                   "may not be null"),
    "bad tag": (lambda b: b["exercises"][0]["tags"].append("no spaces"),
                "exercises[0].tags[2]", "not a tag"),
    "duplicate ref": (lambda b: b["exercises"][1].__setitem__("ref", "e1"),
                      "exercises[1].ref", "earlier exercise"),
    "date without offset": (quiz_field("due_at", "2027-01-02T03:04:00"),
                            "quizzes[0].fields.due_at", "UTC offset"),
    "not a date": (quiz_field("due_at", "next tuesday"), "quizzes[0].fields.due_at",
                   "ISO 8601"),
    "policy out of range": (quiz_field("retry_penalty", 2), "quizzes[0].fields.retry_penalty",
                            "less than or equal to 1"),
    "unknown ref": (item("exercise", "e99", 0), "quizzes[0].items[0].exercise", "not the ref"),
    "pool and exercise": (item("exercise", "e1"), "quizzes[0].items[2]", "either"),
    "bad pool tag": (item("pool_tag", "../x"), "quizzes[0].items[2].pool_tag", "not a tag"),
    "item not an object": (lambda b: b["quizzes"][0]["items"].append([]),
                           "quizzes[0].items[4]", "must be an object"),
}


@pytest.mark.parametrize("name", CASES)
def test_a_bad_bank_is_refused_where_it_is_wrong_and_changes_nothing(good, other_course,
                                                                      name):
    change, where, problem = CASES[name]
    before = counts()
    with pytest.raises(BankError) as caught:
        import_bank(edit(good, change), course=other_course)
    assert caught.value.details["where"] == where
    assert problem in caught.value.details["problem"]
    assert counts() == before  # the exercises before the bad one were rolled back too


@pytest.mark.parametrize(("data", "problem"), [
    (b"\xff\xfe not text", "not UTF-8"),
    (b'{"format": ', "not JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
    (b'{"format": "backprop-course/bank", "version": 1, "exercises": [], '
     b'"quizzes": [], "x": NaN}', "not JSON"),
    (b"[]", "must be an object"),
])
def test_unreadable_files_are_refused(db, data, problem):
    with pytest.raises(BankError, match=problem):
        import_bank(data, course=None)


def test_sizes_are_bounded(good, other_course, monkeypatch):
    with pytest.raises(BankError, match="larger than the limit"):
        import_bank(b" " * (importing.MAX_BYTES + 1), course=other_course)
    monkeypatch.setattr(importing, "MAX_EXERCISES", 2)
    with pytest.raises(BankError, match="has 5 entries; the limit is 2"):
        import_bank(json.dumps(good), course=other_course)


def test_quizzes_need_a_course(good):
    with pytest.raises(BankError, match="must be imported into a course"):
        import_bank(json.dumps(good), course=None)


def test_the_command_reports_the_place_without_a_traceback(good, other_course, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(edit(good, exercise_field("program", "a = 2\nb = q * a\n")))
    with pytest.raises(CommandError) as caught:
        call_command("import", str(path), "--course", str(other_course.pk),
                     stdout=io.StringIO())
    assert str(caught.value).startswith(f"{path}: exercises[1].fields: line 2")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import", str(tmp_path / "missing.json"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="no course with id 999"):
        call_command("import", str(path), "--course", "999", stdout=io.StringIO())


def test_a_field_the_file_leaves_out_takes_the_models_default(good, other_course):
    # A bank from a server without some field (older, or before a new kind's field).
    del good["exercises"][0]["fields"]["tolerance_sig_figs"]
    del good["exercises"][0]["fields"]["difficulty"]
    del good["quizzes"][0]["fields"]["hint_level"]
    result = import_bank(json.dumps(good), course=other_course)
    assert result.exercises[0].difficulty == Exercise._meta.get_field("difficulty").default
    assert result.exercises[0].tolerance_sig_figs is None
    assert result.quizzes[0].hint_level == Quiz._meta.get_field("hint_level").default
