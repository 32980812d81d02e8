"""Variants: each learner their own numbers, the same ones every time, and the solution
frozen when the variant is made. Pools draw one exercise per learner, deterministically."""

from __future__ import annotations

import pytest

from exercises import services
from exercises.models import Attempt, Exercise, Quiz, QuizItem, Tag, Variant

from .helpers import make_user


def inputs_of(attempt):
    return {n["name"]: n["data"] for n in attempt.variant.graph["nodes"] if n["kind"] == "input"}


def test_same_learner_same_variant(random_exercise, learner):
    first, created = services.start_attempt(learner, exercise=random_exercise)
    again, created_again = services.start_attempt(learner, exercise=random_exercise)
    assert created and not created_again
    assert again.pk == first.pk and again.variant_id == first.variant_id
    # even when the attempt is gone, the learner's seed gives the same numbers back
    variant_graph = first.variant.graph
    Attempt.objects.filter(pk=first.pk).delete()
    third, _ = services.start_attempt(learner, exercise=random_exercise)
    assert third.variant.graph == variant_graph


def test_different_learners_get_different_numbers(random_exercise, learner, learner2):
    a, _ = services.start_attempt(learner, exercise=random_exercise)
    b, _ = services.start_attempt(learner2, exercise=random_exercise)
    assert a.variant.seed != b.variant.seed
    assert inputs_of(a) != inputs_of(b)


def test_a_program_without_random_inputs_shares_variant_zero(exercise, learner, learner2):
    a, _ = services.start_attempt(learner, exercise=exercise)
    b, _ = services.start_attempt(learner2, exercise=exercise)
    assert a.variant.seed == b.variant.seed == 0


def test_variant_seed_is_reproducible(random_exercise):
    assert services.variant_seed(random_exercise, 7, "x") == \
        services.variant_seed(random_exercise, 7, "x")
    assert services.variant_seed(random_exercise, 7, "x") != \
        services.variant_seed(random_exercise, 8, "x")


def test_frozen_solution_is_not_recomputed(random_exercise, learner):
    attempt, _ = services.start_attempt(learner, exercise=random_exercise)
    frozen = attempt.variant.graph
    Exercise.objects.filter(pk=random_exercise.pk).update(
        program="a = randint(1, 1000)\nb = randint(1, 1000)\nc = a + b\nL = c * a\n")
    random_exercise.refresh_from_db()
    again, _ = services.start_attempt(learner, exercise=random_exercise)
    assert again.variant.graph == frozen
    stored = services.get_or_create_variant(random_exercise, attempt.variant.seed)
    assert stored.pk == attempt.variant.pk and stored.graph == frozen
    # a new seed uses the new program
    fresh = services.get_or_create_variant(random_exercise, 12345)
    assert [(n["op"], n.get("expression")) for n in fresh.graph["nodes"]
            if n["name"] == "c"] == [("expr", "a + b")]


def test_one_variant_per_seed(random_exercise):
    services.get_or_create_variant(random_exercise, 5)
    services.get_or_create_variant(random_exercise, 5)
    assert Variant.objects.filter(exercise=random_exercise, seed=5).count() == 1


@pytest.fixture
def pool_quiz(course, other_course, instructor):
    tag = Tag.objects.create(name="pool")

    def make(title, difficulty, owner=course):
        exercise = services.create_exercise(
            title=title, program=f"x = {difficulty}\ny = x * {len(title)}\n",
            course=owner, difficulty=difficulty, tags=["pool"])
        return exercise

    eligible = [make(f"pool {n}", 2) for n in range(3)]
    make("too hard", 3)
    make("another course", 2, other_course)
    quiz = Quiz.objects.create(course=course, title="Pool quiz")
    item = QuizItem.objects.create(quiz=quiz, pool_tag=tag, pool_difficulty=2, position=1)
    return item, eligible


def test_pool_draws_deterministically_per_learner(pool_quiz, course):
    item, eligible = pool_quiz
    drawn = {}
    for number in range(12):
        learner = make_user(f"pool-learner-{number}")
        course.learners.add(learner)
        attempt, _ = services.start_attempt(learner, item=item)
        assert attempt.exercise in eligible  # right tag, difficulty and course only
        again, _ = services.start_attempt(learner, item=item)
        assert again.exercise_id == attempt.exercise_id
        Attempt.objects.filter(pk=attempt.pk).delete()  # a fresh start draws the same
        fresh, _ = services.start_attempt(learner, item=item)
        assert fresh.exercise_id == attempt.exercise_id
        drawn[learner.pk] = attempt.exercise_id
    assert len(set(drawn.values())) > 1  # learners do not all get the same exercise


def test_an_empty_pool_is_a_clear_error(course, learner):
    tag = Tag.objects.create(name="empty")
    quiz = Quiz.objects.create(course=course, title="Nothing in it")
    item = QuizItem.objects.create(quiz=quiz, pool_tag=tag, position=1)
    with pytest.raises(services.ServiceError, match="has no exercises"):
        services.start_attempt(learner, item=item)
