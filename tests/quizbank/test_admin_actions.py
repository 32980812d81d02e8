"""The instructors' actions: generate, duplicate, preview as a learner, regrade; and the
read-only records (submissions, attempts, variants, regrades) that the admin never edits."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from backprop_course.celery import app
from exercises import tasks
from exercises.models import Exercise, IntegrationToken, Regrade, Submission

from .helpers import BRANCH_ANSWERS, make_user, submit

CHANGELIST = reverse("admin:exercises_exercise_changelist")
GENERATE = reverse("admin:exercises_exercise_generate")
CRUMB = f'&rsaquo; <a href="{CHANGELIST}">Exercises</a>'  # the regrade pages' breadcrumbs


def run_action(client, action, objects, url=CHANGELIST, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    return client.post(url, data)


def celery_mode(eager: bool):
    """Tasks eager (no broker: the suite's configuration) or queued (a broker configured),
    whatever REDIS_URL the developer has; .delay is a spy (eager) or a stub (queued), so
    the tests see every dispatch and nothing ever reaches a broker."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    task = tasks.regrade_exercise
    spy = mock.patch.object(task, "delay", wraps=task.delay if eager else None)
    try:
        yield spy.start()
    finally:
        spy.stop()
        app.conf.task_always_eager = before


@pytest.fixture
def eager():
    yield from celery_mode(eager=True)


@pytest.fixture
def broker():
    yield from celery_mode(eager=False)


def test_generate_exercises_at_a_difficulty(instructor_client, instructor, course):
    page = instructor_client.get(GENERATE)
    assert page.status_code == 200
    assert list(page.context["form"].fields["course"].queryset) == [course]
    response = instructor_client.post(GENERATE, {"difficulty": 3, "count": 2, "seed": 7,
                                                 "tag": "week-3", "course": course.pk})
    assert response.status_code == 302
    made = Exercise.objects.filter(tags__name="week-3")
    assert made.count() == 2
    for exercise in made:
        assert exercise.difficulty == 3 and exercise.course == course
        assert exercise.author == instructor and exercise.variants.filter(seed=0).exists()
    # the same seed gives the same programs
    again = instructor_client.post(GENERATE, {"difficulty": 3, "count": 2, "seed": 7,
                                              "tag": "again", "course": course.pk})
    assert again.status_code == 302
    assert sorted(Exercise.objects.filter(tags__name="again").values_list("program", flat=True)) \
        == sorted(made.values_list("program", flat=True))


def test_generate_rejects_bad_input(instructor_client, other_course):
    response = instructor_client.post(GENERATE, {"difficulty": 9, "count": 0, "seed": -1,
                                                 "course": other_course.pk})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"difficulty", "count", "seed", "course"}
    assert not Exercise.objects.exists()


def test_duplicate(instructor_client, instructor, exercise):
    response = run_action(instructor_client, "duplicate", [exercise])
    assert response.status_code == 302
    copy = Exercise.objects.exclude(pk=exercise.pk).get()
    assert copy.title == f"{exercise.title} (copy)" and copy.program == exercise.program
    assert list(copy.tags.values_list("name", flat=True)) == ["branch"]
    assert copy.author == instructor


def test_preview_as_a_learner(instructor_client, exercise, random_exercise, monkeypatch):
    response = run_action(instructor_client, "preview_as_learner", [exercise])
    assert response.status_code == 302
    assert response["Location"] == reverse("exercises:preview_exercise", args=[exercise.pk])
    two = run_action(instructor_client, "preview_as_learner", [exercise, random_exercise])
    assert two.status_code == 302 and two["Location"].startswith(CHANGELIST)
    change = instructor_client.get(reverse("admin:exercises_exercise_change",
                                           args=[exercise.pk]))
    assert response["Location"] in change.content.decode()  # the change page links to it
    # without the learner pages: a message, not a 500
    monkeypatch.setattr("exercises.admin.exercise.learner_preview_url", lambda pk: None)
    missing = run_action(instructor_client, "preview_as_learner", [exercise])
    assert missing.status_code == 302 and missing["Location"].startswith(CHANGELIST)


def test_regrade_action_after_a_tolerance_change(instructor_client, instructor, exercise,
                                                 random_exercise, item, learner, eager):
    submit(learner, item, {**BRANCH_ANSWERS, "x": "36.5"})  # 1.4% off: wrong at 1%
    attempt = learner.attempts.get()
    assert attempt.best_score == 0.75
    Exercise.objects.filter(pk=exercise.pk).update(tolerance_rel=0.05)

    confirm = run_action(instructor_client, "regrade", [exercise, random_exercise])
    assert confirm.status_code == 200 and b"Regrade" in confirm.content
    assert CRUMB in confirm.content.decode()  # the shared header
    assert not Regrade.objects.exists() and not eager.called  # nothing before confirming

    done = run_action(instructor_client, "regrade", [exercise, random_exercise], apply="1",
                      reason="tolerance widened to 5%")
    assert done.status_code == 200  # eager: the task ran in the request, results shown
    assert sorted(eager.call_args_list) == sorted(
        mock.call(e.pk, instructor.pk, "tolerance widened to 5%")
        for e in (exercise, random_exercise))  # one task per exercise (no attempts: none)
    page = done.content.decode()
    assert CRUMB in page
    assert "Regraded 1 submission: 1 score changed." in page
    assert '<td class="number">0.75</td>' in page
    assert '<td class="number"><strong>1.00</strong></td>' in page
    regrade = Regrade.objects.get()
    assert (regrade.old_score, regrade.new_score) == (0.75, 1.0)
    assert regrade.reason == "tolerance widened to 5%"
    attempt.refresh_from_db()
    assert attempt.best_score == 1.0


def test_other_instructors_cannot_act_on_my_exercises(client, other_instructor, exercise):
    client.force_login(other_instructor)
    run_action(client, "duplicate", [exercise])
    run_action(client, "regrade", [exercise], apply="1")
    assert Exercise.objects.count() == 1 and not Regrade.objects.exists()


def test_regrade_action_queues_tasks_when_a_broker_is_configured(
        instructor_client, instructor, exercise, random_exercise, other_exercise, item,
        learner, broker):
    submit(learner, item, BRANCH_ANSWERS)
    confirm = run_action(instructor_client, "regrade", [exercise, random_exercise])
    assert confirm.status_code == 200 and not broker.called  # the confirmation stays

    # another course's exercise slipped into the selection is not regraded
    response = run_action(instructor_client, "regrade",
                          [exercise, random_exercise, other_exercise], apply="1",
                          reason="typo in the tolerance")
    assert response.status_code == 302 and response["Location"].startswith(CHANGELIST)
    assert sorted(broker.call_args_list) == sorted(
        mock.call(e.pk, instructor.pk, "typo in the tolerance")
        for e in (exercise, random_exercise))
    assert not Regrade.objects.exists()  # nothing ran in the request: a worker does it
    listing = instructor_client.get(response["Location"]).content.decode()
    assert "Regrading 2 exercise(s) in the background; results appear under" in listing
    assert f'<a href="{reverse("admin:exercises_regrade_changelist")}">Regrades</a>' \
        in listing


def test_regrade_says_so_when_the_job_queue_is_unreachable(instructor_client, exercise,
                                                           random_exercise, item, learner,
                                                           broker):
    """Redis (the broker) down: a message, not a 500, and nothing half done in the request."""
    import kombu.exceptions

    submit(learner, item, BRANCH_ANSWERS)
    broker.side_effect = [mock.DEFAULT, kombu.exceptions.OperationalError(
        "Error 111 connecting to 127.0.0.1:6379. Connection refused.")]
    response = run_action(instructor_client, "regrade", [exercise, random_exercise],
                          apply="1", reason="tolerance")
    assert response.status_code == 302
    listing = instructor_client.get(response["Location"]).content.decode()
    assert "The job queue is unreachable, try again in a moment" in listing
    assert "(1 of 2 exercise(s) queued)" in listing
    assert not Regrade.objects.exists()


def test_other_instructors_queue_nothing_for_my_exercises(client, other_instructor,
                                                          exercise, broker):
    client.force_login(other_instructor)
    run_action(client, "regrade", [exercise], apply="1")
    assert not broker.called


def test_regrading_a_shared_exercise_shows_and_keeps_to_my_courses(
        instructor_client, instructor, shared_two_courses, eager):
    s = shared_two_courses
    Exercise.objects.filter(pk=s.exercise.pk).update(tolerance_rel=0.05)
    confirm = run_action(instructor_client, "regrade", [s.exercise])
    assert confirm.status_code == 200 and not eager.called
    page = confirm.content.decode()
    assert "2 graded submissions in 2 attempts to regrade:" in page
    assert "<li>Course A: 1 submission in 1 attempt</li>" in page
    assert "<li>practice (outside any quiz): 1 submission in 1 attempt</li>" in page
    assert "Course B" not in page  # neither regraded nor named
    assert "Its attempts in courses you do not teach are left as they are" in page
    assert 'value="Regrade"' in page

    done = run_action(instructor_client, "regrade", [s.exercise], apply="1", reason="5%")
    assert done.status_code == 200
    assert eager.call_args_list == [mock.call(s.exercise.pk, instructor.pk, "5%")]
    assert "Regraded 2 submissions: 2 scores changed." in done.content.decode()
    assert {r.submission.attempt_id for r in Regrade.objects.all()} == {
        s.a_quiz.pk, s.a_practice.pk}
    s.b_quiz.refresh_from_db()
    assert s.b_quiz.best_score == 0.75  # course B's grades are as they were


def test_the_superuser_regrades_a_shared_exercise_in_every_course(
        client, superuser, shared_two_courses, eager):
    s = shared_two_courses
    client.force_login(superuser)
    page = run_action(client, "regrade", [s.exercise]).content.decode()
    assert "4 graded submissions in 4 attempts to regrade:" in page
    assert "<li>Course A: 1 submission in 1 attempt</li>" in page
    assert "<li>Course B: 1 submission in 1 attempt</li>" in page
    assert "<li>practice (outside any quiz): 2 submissions in 2 attempts</li>" in page
    assert "left as they are" not in page
    run_action(client, "regrade", [s.exercise], apply="1")
    assert Regrade.objects.count() == 4


def test_nothing_to_regrade_is_said_not_an_error(client, shared_two_courses, broker):
    """A staff user who teaches no course using the shared exercise may manage it, but
    may regrade none of its attempts: the page says so, and applying queues nothing."""
    s = shared_two_courses
    client.force_login(make_user("newcomer", staff=True))
    confirm = run_action(client, "regrade", [s.exercise])
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "0 graded submissions in 0 attempts to regrade." in page
    assert "Nothing to regrade for you" in page and 'value="Regrade"' not in page
    assert "Course A" not in page and "Course B" not in page
    applied = run_action(client, "regrade", [s.exercise], apply="1")
    assert applied.status_code == 302 and applied["Location"].startswith(CHANGELIST)
    assert not broker.called and not Regrade.objects.exists()
    listing = client.get(applied["Location"]).content.decode()
    assert "Nothing to regrade for you" in listing


def test_submissions_are_read_only_in_the_admin(instructor_client, item, learner):
    submission = submit(learner, item, BRANCH_ANSWERS)
    listing = instructor_client.get(reverse("admin:exercises_submission_changelist"))
    assert listing.status_code == 200 and "lee" in listing.content.decode()
    assert "delete_selected" not in listing.content.decode()
    url = reverse("admin:exercises_submission_change", args=[submission.pk])
    page = instructor_client.get(url)
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert instructor_client.post(url, {"score": 0}).status_code == 403
    assert instructor_client.get(reverse("admin:exercises_submission_add")).status_code == 403
    delete = reverse("admin:exercises_submission_delete", args=[submission.pk])
    assert instructor_client.post(delete, {"post": "yes"}).status_code == 403
    assert Submission.objects.get(pk=submission.pk).score == 1.0


def test_learners_work_blocks_deleting_its_exercise(instructor_client, exercise, quiz, item,
                                                    learner):
    submit(learner, item, BRANCH_ANSWERS)
    url = reverse("admin:exercises_quiz_delete", args=[quiz.pk])
    response = instructor_client.post(url, {"post": "yes"})
    assert response.status_code == 403  # it would cascade to submissions, which stay
    assert quiz.items.exists() and Submission.objects.count() == 1


def test_other_records_are_read_only_and_scoped(instructor_client, client, other_instructor,
                                                item, learner, exercise):
    submit(learner, item, BRANCH_ANSWERS)
    for model in ("attempt", "variant", "regrade"):
        listing = instructor_client.get(reverse(f"admin:exercises_{model}_changelist"))
        assert listing.status_code == 200
        assert instructor_client.get(reverse(f"admin:exercises_{model}_add")).status_code \
            == 403
    variant = exercise.variants.get(seed=0)
    page = instructor_client.get(reverse("admin:exercises_variant_change", args=[variant.pk]))
    assert page.status_code == 200 and b"<td>36</td>" in page.content  # frozen grad of x
    client.force_login(other_instructor)
    others = client.get(reverse("admin:exercises_submission_changelist"))
    assert "lee" not in others.content.decode()


def test_integration_token_key_is_shown_once_created(instructor_client, course):
    add = reverse("admin:exercises_integrationtoken_add")
    response = instructor_client.post(add, {"course": course.pk, "name": "Moodle"},
                                      follow=True)
    token = IntegrationToken.objects.get()
    shown = re.search(r"The key for [^:]+: (\S+) —", response.content.decode())
    assert shown and shown[1].startswith(token.prefix + ".") and token.matches(shown[1])
    change = instructor_client.get(reverse("admin:exercises_integrationtoken_change",
                                           args=[token.pk])).content.decode()
    assert token.prefix in change and shown[1] not in change  # only its start, ever again

    changelist = reverse("admin:exercises_integrationtoken_changelist")
    instructor_client.post(changelist, {"action": "revoke", ACTION_CHECKBOX_NAME: [token.pk]})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_quiz_with_inline_items_and_a_pool(instructor_client, course, exercise):
    from exercises.models import Quiz, Tag

    Tag.objects.get_or_create(name="branch")
    tag = Tag.objects.get(name="branch")
    data = {"course": course.pk, "title": "Week 1", "retry_penalty": 0.1, "hint_level": 2,
            "follow_through_credit": 0.5, "show_correctness": "immediately",
            "show_solution": "after_due", "step_through": "on", "items-TOTAL_FORMS": 2,
            "items-INITIAL_FORMS": 0, "items-MIN_NUM_FORMS": 0, "items-MAX_NUM_FORMS": 1000,
            "items-0-position": 1, "items-0-exercise": exercise.pk, "items-0-points": 2,
            "items-1-position": 2, "items-1-pool_tag": tag.pk, "items-1-pool_difficulty": 2,
            "items-1-points": 1, "_save": "Save"}
    response = instructor_client.post(reverse("admin:exercises_quiz_add"), data)
    assert response.status_code == 302, response.context["errors"]
    quiz = Quiz.objects.get(title="Week 1")
    items = list(quiz.items.order_by("position"))
    assert items[0].exercise == exercise and items[0].points == 2
    assert items[1].pool_tag == tag and items[1].pool_difficulty == 2

    both = {**data, "title": "Broken", "items-TOTAL_FORMS": 3, "items-2-position": 3,
            "items-2-exercise": exercise.pk, "items-2-pool_tag": tag.pk, "items-2-points": 1}
    response = instructor_client.post(reverse("admin:exercises_quiz_add"), both)
    assert response.status_code == 200
    page = response.content.decode()
    assert "not both" in page and "is violated" not in page
    neither = {**data, "title": "Broken", "items-1-pool_tag": "", "items-1-pool_difficulty": ""}
    page = instructor_client.post(reverse("admin:exercises_quiz_add"), neither).content.decode()
    assert "or a pool tag to draw one from" in page and "is violated" not in page
    second = type(course).objects.create(title="Course A2")  # a course filter needs two
    second.instructors.add(course.instructors.get())
    Quiz.objects.create(course=second, title="Week 1 again")
    listing = instructor_client.get(reverse("admin:exercises_quiz_changelist"))
    assert "Gradebook" in listing.content.decode()
    assert "By course" in listing.content.decode() and "By due at" in listing.content.decode()
