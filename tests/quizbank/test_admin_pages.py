"""The admin as an instructor uses it: lists, the change page's preview, the add page, the
live preview endpoint, and the course boundaries between instructors."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exercises.models import Exercise, Variant

from .helpers import BRANCH_PROGRAM

CHANGELIST = reverse("admin:exercises_exercise_changelist")
ADD = reverse("admin:exercises_exercise_add")
PREVIEW = reverse("admin:exercises_exercise_preview")


def change_url(obj):
    return reverse(f"admin:exercises_{obj._meta.model_name}_change", args=[obj.pk])


def exercise_post(course, **overrides):
    data = {"title": "New exercise", "course": course.pk, "program": BRANCH_PROGRAM,
            "mermaid": "", "difficulty": 2, "ask": "grad", "asked_nodes": "",
            "tolerance_rel": 0.01, "tolerance_abs": 1e-6, "tolerance_sig_figs": "",
            "_save": "Save"}
    data.update(overrides)
    return data


def test_changelist_lists_own_exercises_with_filters(instructor_client, exercise,
                                                     other_exercise):
    response = instructor_client.get(CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert exercise.title in page
    assert other_exercise.title not in page  # course B's
    assert "Generate exercises" in page
    for label in ("By course", "By tags", "By difficulty", "By ask"):
        assert label in page
    filtered = instructor_client.get(CHANGELIST, {"q": "z = x * 3"})  # search the program
    assert exercise.title in filtered.content.decode()


def test_change_page_shows_preview_table_mermaid_and_variants(instructor_client, exercise):
    response = instructor_client.get(change_url(exercise))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="exercise-preview"' in page
    assert "solved-table" in page
    # the solved table: x's gradient sums both branches (15·1 + 7·3 = 36)
    rows = {row["name"]: row for row in response.context["preview"]["rows"]}
    assert rows["x"]["grad"] == "36" and rows["L"]["grad"] == "1"
    assert "∂z/∂x = 3" in page
    assert "flowchart LR" in page and 'id="mermaid-export"' in page
    samples = response.context["variants"]["samples"]
    assert len(samples) == 1 and not response.context["variants"]["random"]
    assert "every learner gets these numbers" in page
    assert "admin/exercises/preview.js" in page
    # the learners' graph picture, with the gradients filled in for the instructor
    assert "data-bp-graph" in page and "exercises/graph.js" in page
    assert response.context["graph_partial"] == "exercises/_graph.html"


def test_change_page_shows_three_different_variants_for_random_programs(instructor_client,
                                                                        random_exercise):
    response = instructor_client.get(change_url(random_exercise))
    samples = response.context["variants"]["samples"]
    assert [s["seed"] for s in samples] == [1, 2, 3]
    inputs = [tuple(node["data"] for node in s["inputs"]) for s in samples]
    assert len(set(inputs)) == 3
    # computed for the preview, not stored: only variant 0 exists
    assert list(random_exercise.variants.values_list("seed", flat=True)) == [0]


def test_add_page_and_saving_through_the_form(instructor_client, instructor, course):
    assert instructor_client.get(ADD).status_code == 200
    response = instructor_client.post(ADD, exercise_post(course, tags=[]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Exercise.objects.get(title="New exercise")
    assert created.author == instructor and created.course == course
    assert list(created.variants.values_list("seed", flat=True)) == [0]  # solved on save


def test_invalid_program_is_reported_at_its_line(instructor_client, course):
    program = "x = 1\ny = x + 2\nz = q * y\n"
    response = instructor_client.post(ADD, exercise_post(course, program=program))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["program"]
    assert errors[0].startswith("line 3: unknown name 'q'")
    assert errors[1] == "3 │ z = q * y"
    assert 'data-error-line="3"' in response.content.decode()
    assert not Exercise.objects.filter(title="New exercise").exists()


def test_asked_nodes_are_checked_against_the_graph(instructor_client, course):
    response = instructor_client.post(ADD, exercise_post(course, asked_nodes="x, nope"))
    assert "asked nodes not in the graph: nope" in \
        response.context["adminform"].form.errors["asked_nodes"][0]
    response = instructor_client.post(ADD, exercise_post(course, asked_nodes="x, z"))
    assert response.status_code == 302
    assert Exercise.objects.get(title="New exercise").asked_nodes == ["x", "z"]


def test_mermaid_only_exercise_and_bad_mermaid(instructor_client, course):
    diagram = 'flowchart LR\n    a["a<br/>data: 3"] --> m(("×"))\n    b["b<br/>data: 2"] --> m\n' \
              '    m --> c["c"]\n'
    response = instructor_client.post(ADD, exercise_post(course, program="", mermaid=diagram))
    assert response.status_code == 302
    response = instructor_client.post(ADD, exercise_post(
        course, title="Bad", program="", mermaid="flowchart LR\n  a --> \n  oops((\n"))
    assert "mermaid" in response.context["adminform"].form.errors
    response = instructor_client.post(ADD, exercise_post(course, title="Empty", program=""))
    assert "program" in response.context["adminform"].form.errors


def test_editing_the_program_keeps_stored_variants_frozen(instructor_client, exercise):
    frozen = exercise.variants.get(seed=0).graph
    response = instructor_client.post(change_url(exercise), exercise_post(
        exercise.course, title=exercise.title, program="x = 7\ny = x + 2\nz = x * 3\n"
                                                       "L = y * z\n"), follow=True)
    assert response.status_code == 200
    assert "keep the numbers and gradients" in response.content.decode()
    assert Variant.objects.get(exercise=exercise, seed=0).graph == frozen


def test_live_preview_endpoint(instructor_client):
    response = instructor_client.post(PREVIEW, {"program": BRANCH_PROGRAM})
    assert response.status_code == 200
    data = response.json()
    grads = {n["name"]: n["grad"] for n in data["graph"]["nodes"]}
    assert grads["x"] == 36
    assert "solved-table" in data["table_html"] and data["mermaid"].startswith("flowchart")
    assert "data-bp-graph" in data["graph_html"] and ">36<" in data["graph_html"]

    error = instructor_client.post(PREVIEW, {"program": "x = 1\n\ny = x +* 2\n"})
    assert error.status_code == 400
    assert error.json()["line"] == 3 and error.json()["error"].startswith("line 3:")
    empty = instructor_client.post(PREVIEW, {"program": "  ", "mermaid": ""})
    assert empty.status_code == 400 and empty.json()["error"]
    assert instructor_client.get(PREVIEW).status_code == 405


def test_live_preview_needs_csrf(client, instructor):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(instructor)
    assert strict.post(PREVIEW, {"program": "x = 1\n"}).status_code == 403


@pytest.mark.parametrize("url", ["/admin/", CHANGELIST, PREVIEW])
def test_learners_never_reach_the_admin(client, learner, course, url):
    client.force_login(learner)
    response = client.post(url, {"program": "x = 1"}) if url == PREVIEW else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_learner_cannot_log_into_the_admin(client, learner):
    response = client.post("/admin/login/", {"username": "lee", "password": "pw",
                                             "next": "/admin/"})
    assert response.status_code == 200  # the form again, with an error
    assert "staff account" in response.content.decode()


def test_instructor_cannot_open_another_courses_objects(instructor_client, other_exercise,
                                                        other_quiz):
    for obj in (other_exercise, other_quiz, other_quiz.course):
        response = instructor_client.get(change_url(obj))
        # Django's admin answers a hidden object like a missing one: back to the index
        assert response.status_code == 302 and response["Location"] == "/admin/"
    quizzes = instructor_client.get(reverse("admin:exercises_quiz_changelist"))
    assert other_quiz.title not in quizzes.content.decode()
    delete = reverse("admin:exercises_exercise_delete", args=[other_exercise.pk])
    instructor_client.post(delete, {"post": "yes"})
    assert Exercise.objects.filter(pk=other_exercise.pk).exists()


def test_choices_are_limited_to_taught_courses(instructor_client, course, other_course,
                                               exercise, other_exercise):
    form = instructor_client.get(ADD).context["adminform"].form
    assert list(form.fields["course"].queryset) == [course]
    quiz_form = instructor_client.get(reverse("admin:exercises_quiz_add")).context
    inline = quiz_form["inline_admin_formsets"][0].formset.forms[0]
    assert exercise in inline.fields["exercise"].queryset
    assert other_exercise not in inline.fields["exercise"].queryset
    assert list(quiz_form["adminform"].form.fields["course"].queryset) == [course]
    # and a forged POST for course B is refused
    response = instructor_client.post(ADD, exercise_post(other_course, title="Sneaky"))
    assert "course" in response.context["adminform"].form.errors


def test_new_staff_instructor_works_without_permission_setup(client, db):
    from exercises.models import Course

    from .helpers import make_user

    newcomer = make_user("newcomer", staff=True)
    course = Course.objects.create(title="New course")
    course.instructors.add(newcomer)
    client.force_login(newcomer)
    index = client.get("/admin/")
    assert index.status_code == 200
    for model in ("exercise", "quiz", "course"):
        assert f"/admin/exercises/{model}/" in index.content.decode()
    assert client.get(ADD).status_code == 200
    assert client.get(reverse("admin:exercises_quiz_add")).status_code == 200


def test_superuser_sees_every_course(client, superuser, exercise, other_exercise):
    client.force_login(superuser)
    page = client.get(CHANGELIST).content.decode()
    assert exercise.title in page and other_exercise.title in page
