"""Fixing a broken exercise: a program fix that changes two variants' answers (and not a
third), shown before anything is written, then re-solved and regraded with the records
right, or the attempts reset; and a revision history entry per edit of the program."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from exercises import resolve, revisions, services, statistics
from exercises.models import Attempt, Exercise, Quiz, QuizItem, Regrade, Variant

from .helpers import make_user

BROKEN = "a = choice(-2, -1, 3)\nb = relu(a)\nL = b * 2\n"  # meant |a|
FIXED = "a = choice(-2, -1, 3)\nb = abs(a)\nL = b * 2\n"
RIGHT_WHEN_FIXED = {"a": "-2", "b": "2", "L": "1"}  # for a < 0; a = 3: a is 2
RIGHT_AT_THREE = {"a": "2", "b": "2", "L": "1"}


def edit(exercise, program, user):
    exercise.program = program
    exercise._history_user = user
    exercise.save()


@pytest.fixture
def broken(course, instructor):
    exercise = services.create_exercise(title="abs, written as relu", program=BROKEN,
                                        course=course, author=instructor)
    quiz = Quiz.objects.create(course=course, title="Fix me")
    item = QuizItem.objects.create(quiz=quiz, exercise=exercise, position=1)
    by_a: dict[float, Variant] = {}
    for seed in range(1, 200):  # seeds whose a is -2, -1 and 3
        variant = services.get_or_create_variant(exercise, seed)
        a = next(n["data"] for n in variant.graph["nodes"] if n["name"] == "a")
        by_a.setdefault(a, variant)
        if len(by_a) == 3:
            break
    # Only the three variants learners use (the search made others, which a re-solve would
    # refreeze too), so that exactly two of them change.
    Variant.objects.filter(exercise=exercise).exclude(
        pk__in=[v.pk for v in by_a.values()]).delete()
    attempts = {}
    for a, answers in ((-2, RIGHT_WHEN_FIXED), (-1, RIGHT_WHEN_FIXED), (3, RIGHT_AT_THREE)):
        learner = make_user(f"learner{a}")
        course.learners.add(learner)
        attempt = Attempt.objects.create(learner=learner, item=item, exercise=exercise,
                                         variant=by_a[a])
        services.submit(attempt, answers)
        attempts[a] = Attempt.objects.get(pk=attempt.pk)
    edit(exercise, FIXED, instructor)
    return exercise, by_a, attempts


def test_what_a_resolve_would_change(broken):
    exercise, by_a, _ = broken
    plan = resolve.proposed_changes(exercise)
    assert sorted(change["variant"].pk for change in plan["variants"]) == sorted(
        [by_a[-2].pk, by_a[-1].pk])
    assert plan["attempts"] == 2
    minus_two = next(c for c in plan["variants"] if c["variant"].pk == by_a[-2].pk)
    nodes = {node["node"]: node for node in minus_two["nodes"]}
    assert set(nodes) == {"a", "b", "L"}
    assert (nodes["a"]["old_grad"], nodes["a"]["new_grad"]) == (0, -2)
    assert (nodes["b"]["old_data"], nodes["b"]["new_data"]) == (0, 2)
    assert Variant.objects.get(pk=by_a[-2].pk).graph == by_a[-2].graph  # nothing written


def test_resolve_and_regrade_records_old_and_new_scores(broken, instructor):
    exercise, by_a, attempts = broken
    assert [attempts[a].best_score for a in (-2, -1, 3)] == [0.6667, 0.6667, 1.0]
    done = resolve.resolve_and_regrade(exercise, by=instructor, reason="relu was abs")
    assert sorted(done["variants"]) == sorted([by_a[-2].pk, by_a[-1].pk])
    records = {r.submission.attempt_id: r for r in Regrade.objects.select_related(
        "submission")}
    assert {a: (records[attempts[a].pk].old_score, records[attempts[a].pk].new_score)
            for a in (-2, -1, 3)} == {-2: (0.6667, 1.0), -1: (0.6667, 1.0), 3: (1.0, 1.0)}
    assert all(r.reason == "relu was abs" and r.created_by == instructor
               for r in records.values())
    # Each record holds its own grading (stored once per distinct result) and its marks.
    for r in records.values():
        # (sorted: PostgreSQL's jsonb keeps a stored object's keys in its own order)
        assert (r.result["score"], sorted(r.marks), r.latest) == (
            r.new_score, sorted(statistics.marks_of(r.result)), True)
    assert [Attempt.objects.get(pk=attempts[a].pk).best_score for a in (-2, -1, 3)] == [
        1.0, 1.0, 1.0]
    latest = revisions.current_id(exercise)
    refrozen = Variant.objects.get(pk=by_a[-2].pk)
    assert refrozen.revision_id == latest and refrozen.created_at > by_a[-2].created_at
    assert next(n["grad"] for n in refrozen.graph["nodes"] if n["name"] == "a") == -2
    assert Variant.objects.get(pk=by_a[3].pk).revision_id != latest  # unchanged, kept
    # The submissions themselves are as they were.
    assert attempts[-2].submissions.get().score == 0.6667
    # A new submission is graded against the new solution (the grader's cache moved on).
    assert services.submit(Attempt.objects.get(pk=attempts[-2].pk),
                           RIGHT_WHEN_FIXED).score == 1.0


def test_reset_gives_fresh_attempts_on_the_new_version(broken, instructor):
    exercise, _, attempts = broken
    Quiz.objects.filter(pk=attempts[-2].item.quiz_id).update(attempts_allowed=1)
    done = resolve.reset_attempts(exercise, by=instructor)
    assert done["attempts"] == 3
    fresh = Attempt.objects.get(pk=attempts[-2].pk)
    assert (fresh.graded_count, fresh.best_score, fresh.solved) == (0, 0.0, False)
    assert fresh.submissions.count() == 1  # kept on record
    assert services.submit(fresh, RIGHT_WHEN_FIXED).score == 1.0  # the one attempt, anew


def test_a_revision_per_edit_with_author_time_and_diff(course, instructor, other_instructor):
    exercise = services.create_exercise(title="t", program=BROKEN, course=course,
                                        author=instructor)
    edit(exercise, FIXED, other_instructor)
    exercise.title = "renamed"  # not a program change: no entry
    exercise.save()
    edit(exercise, FIXED + "M = L * 3\n", instructor)
    history = revisions.program_history(Exercise.objects.get(pk=exercise.pk))
    assert [entry["by"] for entry in history] == ["ada", "grace", "ada"]
    assert [entry["source"] for entry in history] == [BROKEN, FIXED, FIXED + "M = L * 3\n"]
    assert "-b = relu(a)\n+b = abs(a)" in history[1]["diff"]
    assert "+M = L * 3" in history[2]["diff"]
    assert history[0]["at"] <= history[1]["at"] <= history[2]["at"]
    variant = services.get_or_create_variant(exercise, 12345)
    assert variant.revision_id == history[2]["revision"]


def test_the_admin_edit_is_a_revision_and_the_fix_page(instructor_client, broken,
                                                        instructor):
    exercise, by_a, attempts = broken
    history = instructor_client.get(reverse("admin:exercises_exercise_revisions",
                                            args=[exercise.pk]))
    assert history.status_code == 200
    assert [entry["by"] for entry in history.context["history"]] == ["ada", "ada"]
    url = reverse("admin:exercises_exercise_resolve", args=[exercise.pk])
    page = instructor_client.get(url)
    assert page.status_code == 200 and len(page.context["plan"]["variants"]) == 2
    assert "Re-solve and regrade" in page.content.decode()
    response = instructor_client.post(url, {"action": "resolve", "reason": "fixed"})
    assert response.status_code == 302
    assert Attempt.objects.get(pk=attempts[-1].pk).best_score == 1.0
    assert not resolve.proposed_changes(exercise)["variants"]


def test_another_courses_instructor_cannot_fix_it(client, broken, other_instructor):
    exercise, _, _ = broken
    client.force_login(other_instructor)
    assert client.get(reverse("admin:exercises_exercise_resolve",
                              args=[exercise.pk])).status_code == 404


def test_the_regrade_task_reports_progress(broken, instructor):
    from exercises import tasks

    exercise, _, _ = broken
    result = tasks.regrade_exercise.apply(args=[exercise.pk, instructor.pk, "tolerance"])
    assert result.get()["regraded"] == 3
    assert tasks.regrade_progress(result.id) == {"done": 3, "total": 3}


def test_a_regrade_costs_the_same_queries_for_more_learners(broken, instructor, course,
                                                            django_assert_max_num_queries,
                                                            monkeypatch):
    from exercises.grading import grade

    exercise, by_a, _ = broken
    item = QuizItem.objects.get(exercise=exercise)
    for n in range(15):
        learner = make_user(f"more{n}")
        course.learners.add(learner)
        attempt = Attempt.objects.create(learner=learner, item=item, exercise=exercise,
                                         variant=by_a[3])
        services.submit(attempt, RIGHT_AT_THREE)
    Exercise.objects.filter(pk=exercise.pk).update(tolerance_rel=0.05)
    exercise.refresh_from_db()
    # regradable attempts + submissions + the LTI hook's read per raised score (none
    # here: every score stays) + one bulk insert + the transaction + the attempts'
    # analysis fields (attempt_marks.regraded: a lock, a read of their submissions' ids,
    # one update per distinct history: two here, the 15 alike sharing one)
    calls = []

    def counted_grade(*args, **kwargs):
        calls.append(args[1])
        return grade(*args, **kwargs)

    monkeypatch.setattr(resolve, "grade", counted_grade)
    with django_assert_max_num_queries(16):
        regrades = services.regrade_exercise(exercise, by=instructor)
    assert len(regrades) == 18
    # Each distinct answer on each variant graded once (the 15 alike too), the records
    # one per submission all the same.
    assert len(calls) == 3
    assert {r.new_score for r in regrades if r.submission.attempt.variant_id == by_a[3].pk} == {
        1.0}


def test_item_statistics_read_the_latest_grading(broken, instructor):
    """After a re-solve and regrade, item analysis and the gradebook's node counts read
    each submission's latest grading (its Regrade), not the one it was stored with."""
    from exercises import selectors, statistics

    exercise, _, attempts = broken
    quiz = attempts[3].item.quiz

    def figures():
        row = statistics.quiz_statistics(quiz)["items"][0]
        book = selectors.item_statistics(quiz)[0]
        return row, {node["node"]: node["correct"] for node in book["nodes"]}

    row, correct = figures()
    # Under the broken program two of the three learners were wrong at a (relu's slope).
    assert row["nodes"]["a"] == {"first_correct": pytest.approx(1 / 3),
                                 "best_correct": pytest.approx(1 / 3)}
    assert correct == {"L": 3, "a": 1, "b": 3} and row["facility"] == pytest.approx(7 / 9, abs=1e-3)
    resolve.resolve_and_regrade(exercise, by=instructor, reason="relu was abs")
    row, correct = figures()
    assert row["facility"] == 1.0 and row["n"] == 3
    assert row["nodes"] == {name: {"first_correct": 1.0, "best_correct": 1.0}
                            for name in ("L", "a", "b")}
    assert row["misconceptions"] == {} and row["ambiguous_misconceptions"] == {}
    assert correct == {"L": 3, "a": 3, "b": 3}


def test_statistics_follow_a_regrade_that_lowers_a_submission(broken, instructor):
    """The latest grading counts both ways: a stricter regrade makes a node wrong in the
    statistics (the learner's best score stays: a regrade never lowers it)."""
    from exercises import statistics

    exercise, _, attempts = broken
    quiz = attempts[3].item.quiz
    resolve.resolve_and_regrade(exercise, by=instructor)
    Variant.objects.filter(pk=attempts[3].variant_id).update(graph={
        **attempts[3].variant.graph,
        "nodes": [{**n, "grad": 7} if n["name"] == "a" else n
                  for n in attempts[3].variant.graph["nodes"]]}, created_at=timezone.now())
    services.regrade_exercise(exercise, by=instructor, reason="stricter")
    row = statistics.quiz_statistics(quiz)["items"][0]
    assert row["nodes"]["a"]["best_correct"] == pytest.approx(2 / 3)
    assert Attempt.objects.get(pk=attempts[3].pk).best_score == 1.0


def test_a_perturbed_variant_is_resolved_with_its_own_numbers(course, instructor):
    # A perturbed quiz item's variant is solved from jittered inputs: a re-solve must use
    # them too, or it would call the variant changed and freeze the program's own numbers.
    exercise = services.create_exercise(title="Example", program="x = 5\ny = x * 3\n",
                                        course=course, author=instructor)
    variant = services.get_or_create_variant(exercise, 7, perturbed=True)
    plain = services.get_or_create_variant(exercise, 7)
    data = {n["name"]: n["data"] for n in variant.graph["nodes"]}
    assert data != {n["name"]: n["data"] for n in plain.graph["nodes"]}  # really jittered
    assert resolve.proposed_changes(exercise)["variants"] == []  # nothing was edited
    edit(exercise, "x = 5\ny = x * 4\n", instructor)
    resolve.resolve_and_regrade(exercise, by=instructor)
    variant.refresh_from_db()
    resolved = {n["name"]: n["data"] for n in variant.graph["nodes"]}
    assert resolved["x"] == data["x"] and resolved["y"] == pytest.approx(4 * data["x"])
