"""The admin's download actions on exercises and on quizzes: a file of the selection, and
only of what the instructor may see."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from exercises import services
from exercises.models import Course, Quiz, QuizItem

from .conftest import make_user
from .readers import read_moodle


def run_action(client, url, action, objects):
    return client.post(url, {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects]})


QUIZZES = reverse("admin:exercises_quiz_changelist")
EXERCISES = reverse("admin:exercises_exercise_changelist")


@pytest.fixture
def instructor_client(client, instructor):
    client.force_login(instructor)
    return client


@pytest.mark.parametrize(("fmt", "content_type", "filename"), [
    ("json", "application/json", "midterm.json"),
    ("qti", "application/zip", "midterm.zip"),
    ("moodle", "application/xml", "midterm.xml"),
])
def test_a_quiz_downloads_in_each_format(instructor_client, bank, fmt, content_type,
                                          filename):
    response = run_action(instructor_client, QUIZZES, f"export_quizzes_{fmt}", [bank.quiz])
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    if fmt == "json":
        assert json.loads(response.content)["quizzes"][0]["fields"]["title"] == "Midterm"
    elif fmt == "qti":
        assert "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    else:
        assert len(read_moodle(response.content)) == 23


def test_exercises_download_as_the_selection(instructor_client, bank):
    response = run_action(instructor_client, EXERCISES, "export_exercises_moodle",
                          [bank.diagram, bank.branch])
    assert response["Content-Disposition"] == 'attachment; filename="exercises.xml"'
    names = {q.name.rsplit(": ", 1)[0] for q in read_moodle(response.content)}
    assert names == {bank.diagram.title, bank.branch.title}


def test_another_courses_quiz_is_not_exported(client, bank):
    outsider = make_user("grace", staff=True)
    theirs = Course.objects.create(title="Course B")
    theirs.instructors.add(outsider)
    own = services.create_exercise(title="Grace's", program="p = 2\nq = p * 3\n",
                                   course=theirs)
    own_quiz = Quiz.objects.create(course=theirs, title="Grace's quiz")
    QuizItem.objects.create(quiz=own_quiz, exercise=own, position=1)
    client.force_login(outsider)
    response = run_action(client, QUIZZES, "export_quizzes_json", [bank.quiz, own_quiz])
    titles = [quiz["fields"]["title"] for quiz in json.loads(response.content)["quizzes"]]
    assert titles == ["Grace's quiz"]  # the forged id of course A's quiz is not selected
    refused = run_action(client, QUIZZES, "export_quizzes_json", [bank.quiz])
    assert refused.status_code == 302  # nothing of theirs selected: back to the list
    assert b"Midterm" not in refused.content
