"""The JSON bank: export → import reproduces the bank (everything but ids), in another
course of the same database; never a submission or an attempt."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from exercises import services
from exercises.exports import bank as bank_json
from exercises.exports import export
from exercises.exports.fields import travelling_fields
from exercises.exports.importing import import_bank
from exercises.models import Attempt, Exercise, Quiz, Submission, Variant

SERVER_OWN = {"id", "course", "author", "created_at", "updated_at"}


def exercise_snapshot(exercise: Exercise) -> dict:
    """An exercise as data, read with Django's model_to_dict (not the exporter's code)."""
    data = model_to_dict(exercise, exclude=sorted(SERVER_OWN | {"tags"}))
    data["tags"] = sorted(tag.name for tag in exercise.tags.all())
    return data


def quiz_snapshot(quiz: Quiz) -> dict:
    items = []
    for item in quiz.items.order_by("position", "id"):
        row = model_to_dict(item, exclude=["id", "quiz", "exercise", "pool_tag"])
        if item.exercise_id:
            row["exercise"] = exercise_snapshot(item.exercise)
        else:
            row["pool"] = (item.pool_tag.name, sorted(
                json.dumps(exercise_snapshot(e), sort_keys=True)
                for e in services.pool_candidates(item)))
        items.append(row)
    return {"quiz": model_to_dict(quiz, exclude=["id", "course"]), "items": items}


def test_the_snapshot_compares_every_field_but_the_servers_own(bank):
    # The rule the bank follows: every concrete field travels except these, so a field
    # added to Exercise later is exported and compared without an edit.
    names = {field.name for field in travelling_fields(Exercise)}
    assert names == {f.name for f in Exercise._meta.concrete_fields} - SERVER_OWN
    assert {"title", "program", "mermaid", "ask", "tolerance_sig_figs", "asked_nodes"} <= names
    assert set(exercise_snapshot(bank.branch)) == names | {"tags"}


def test_round_trip_into_another_course_reproduces_the_bank(bank, other_course):
    data = export("json", quizzes=[bank.quiz]).content
    result = import_bank(data, course=other_course)

    assert [quiz.course for quiz in result.quizzes] == [other_course]
    copy = result.quizzes[0]
    assert copy.pk != bank.quiz.pk
    assert quiz_snapshot(copy) == quiz_snapshot(bank.quiz)
    # Every exercise the quiz can show came along, the pools' too (not only those drawn).
    assert sorted(map(exercise_snapshot, result.exercises), key=repr) == sorted(
        map(exercise_snapshot, [bank.branch, bank.diagram, bank.forward, bank.random,
                                bank.off_level]), key=repr)
    assert all(e.course == other_course for e in result.exercises)
    # The frozen seed-0 solution is made again from the program, and is the same.
    for original, made in zip(bank_json.quiz_exercises(bank.quiz), result.exercises,
                              strict=True):
        assert Variant.objects.get(exercise=made, seed=0).graph == \
            Variant.objects.get(exercise=original, seed=0).graph
    # Never the learner's work.
    assert not Attempt.objects.filter(exercise__in=result.exercises).exists()
    assert Submission.objects.count() == 1


def test_the_file_carries_no_submission_attempt_learner_or_id(bank):
    data = export("json", quizzes=[bank.quiz]).content
    text = data.decode()
    assert bank.learner.username not in text
    parsed = json.loads(text)
    keys = set(_keys(parsed))
    assert not keys & {"submissions", "attempts", "raw_answers", "best_score", "learner",
                       "learners", "variants", "graph", "grad"}
    for entry in parsed["exercises"]:
        assert not SERVER_OWN & set(entry["fields"])
    for quiz in parsed["quizzes"]:
        assert not {"id", "course", "created_at"} & set(quiz["fields"])
        for item in quiz["items"]:
            assert not {"id", "quiz", "exercise", "pool_tag"} & set(item["fields"])


def _keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def test_exercises_alone_import_shared_and_twice_make_two_copies(bank):
    data = export("json", exercises=[bank.branch, bank.random]).content
    first = import_bank(data, course=None)
    second = import_bank(data, course=None)
    assert [e.course for e in first.exercises + second.exercises] == [None] * 4
    assert {e.pk for e in first.exercises}.isdisjoint(e.pk for e in second.exercises)
    assert [exercise_snapshot(e) for e in second.exercises] == [
        exercise_snapshot(bank.branch), exercise_snapshot(bank.random)]


def test_the_commands_round_trip_through_a_file(bank, other_course, tmp_path):
    out = io.BytesIO()
    call_command("export", "--format", "json", str(bank.quiz.pk), stdout=out)
    path = tmp_path / "bank.json"
    path.write_bytes(out.getvalue())
    said = io.StringIO()
    call_command("import", str(path), "--course", str(other_course.pk), "--author", "ada",
                 stdout=said)
    assert "imported 5 exercise(s) and 1 quiz(zes)" in said.getvalue()
    copy = Quiz.objects.get(course=other_course)
    assert quiz_snapshot(copy) == quiz_snapshot(bank.quiz)
    assert {e.author.username for e in Exercise.objects.filter(course=other_course)} == {"ada"}


def test_export_command_refuses_an_unknown_quiz(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no quiz with id 999"):
        call_command("export", "--format", "json", "999", stdout=io.BytesIO())
