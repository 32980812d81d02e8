"""The editor's live preview shows the sample variants of a program not saved yet, and a
change page sent back with errors renders (issue #17)."""

from __future__ import annotations

import re

from django.urls import reverse

from exercises.models import Exercise

from .helpers import BRANCH_PROGRAM, RANDOM_PROGRAM

PREVIEW = reverse("admin:exercises_exercise_preview")


def test_the_preview_shows_sample_variants_before_saving(instructor_client):
    data = instructor_client.post(PREVIEW, {"program": RANDOM_PROGRAM}).json()
    seeds = re.findall(r"Seed (\d+)", data["variants_html"])
    assert seeds == ["1", "2", "3"]
    assert data["variants_html"].count("sample-variant\"") == 3
    assert not Exercise.objects.filter(program=RANDOM_PROGRAM).exists()
    fixed = instructor_client.post(PREVIEW, {"program": BRANCH_PROGRAM}).json()
    assert "every learner gets these numbers" in fixed["variants_html"]
    assert re.findall(r"Seed (\d+)", fixed["variants_html"]) == ["0"]


def test_a_change_page_with_errors_still_draws_its_preview(instructor_client, exercise):
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    response = instructor_client.post(url, {
        "title": exercise.title, "course": exercise.course_id, "program": "x = 2\ny = x +\n",
        "mermaid": "", "difficulty": 1, "ask": "grad", "tolerance_rel": "0.01",
        "tolerance_abs": "0.000001"})
    assert response.status_code == 200  # the form again, with its errors: not a 500
    assert "line 2" in response.content.decode()
