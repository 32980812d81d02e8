"""Running a course at scale: the instructor's and the LMS's reads, and a regrade.

    python -m bench.course [--quick] [--sizes 60,600,2000]

Makes a throwaway PostgreSQL database (bp_course_<random> on 127.0.0.1:5432, user
postgres), migrates it, and for each class size seeds a course with a 20-item quiz whose
learners each have 3 graded submissions per item (answers that are right, miss a branch,
or use a node's own value, graded once by the real grader and stored in bulk). Then, in
process through Django's test client (the whole request: authentication, view, JSON):

  * every page of GET /api/v1/quizzes/<id>/grades/ (page_size=200, the integration key),
    following `next`;
  * the same with an `updated_since` that selects 1 % of the learners;
  * the admin gradebook page (the quiz's instructor);
  * GET /api/v1/quizzes/<id>/statistics/ (item analysis);
  * a regrade of one exercise (one item: 3 submissions per learner), services.regrade_exercise.

Each is timed (best of 3, the regrade once) and its queries counted. The gradebook page and
the item statistics keep what they aggregate in the cache, so each is measured twice: cold
(the cache cleared before each of the 3 runs, outside the timing: what an instructor meets
after new submissions) and warm (the same page read again). Their goals are judged on the
cold read; the warm one is reported beside it, not judged. The report is printed and written
to bench/out/course.md; the database is dropped whatever happens.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta

from bench.http import OUT, ROOT, load_average, machine, throwaway_database

ITEMS, SUBMISSIONS = 20, 3
PROGRAM = "x = 5\ny = x + 2\nz = x * 3\nL = y * z\n"
ANSWERS = [{"x": "36", "y": "15", "z": "7", "L": "1"},   # right
           {"x": "15", "y": "15", "z": "7", "L": "1"},   # forgot a branch
           {"x": "5", "y": "15", "z": "7", "L": "1"}]    # own value
GOALS = {"grades, all pages": 2.0, "grades, updated_since 1 %": 0.05,
         "gradebook page, cold (cache cleared)": 1.0,
         "gradebook page, warm (cached)": None,
         "item statistics, cold (cache cleared)": 2.0,
         "item statistics, warm (cached)": None,
         "regrade one exercise": 5.0}  # None: reported, not judged (the cold read is)
GOAL_SIZE = 2000


def setup_django(database_url: str) -> None:
    os.environ.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="backprop_course.settings",
                      ALLOWED_HOSTS="testserver")
    for key in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(key, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import logging

    logging.getLogger("backprop_course.request").setLevel(logging.WARNING)  # a line a call


def seed(size: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from exercises import attempt_marks, services
    from exercises.grading import grade
    from exercises.models import Attempt, Course, IntegrationToken, Quiz, QuizItem, Submission
    from exercises.statistics import marks_of

    User = get_user_model()
    with transaction.atomic():
        instructor = User.objects.create_user(username=f"teacher{size}", is_staff=True)
        course = Course.objects.create(title=f"Course of {size}")
        course.instructors.add(instructor)
        token = IntegrationToken.objects.create(course=course)
        quiz = Quiz.objects.create(course=course, title=f"Quiz for {size}")
        items = []
        for number in range(ITEMS):
            exercise = services.create_exercise(title=f"item {number}", program=PROGRAM,
                                                course=course)
            items.append(QuizItem.objects.create(quiz=quiz, exercise=exercise,
                                                 position=number))
        learners = User.objects.bulk_create(
            [User(username=f"c{size}_{n}") for n in range(size)], batch_size=1000)
        course.learners.add(*learners)
        variants = {item.pk: services.get_or_create_variant(item.exercise, 0)
                    for item in items}
        graded = []
        for answers in ANSWERS:
            result = grade(services.prepared(variants[items[0].pk]), answers,
                           services.grading_policy(Attempt(item=items[0],
                                                           exercise=items[0].exercise)))
            graded.append((answers, result))
        marks = [marks_of(result) for _answers, result in graded]
        rng = random.Random(size)
        attempts = []
        for learner in learners:
            for item in items:
                picks = [rng.randrange(len(graded)) for _ in range(SUBMISSIONS)]
                best = max(graded[p][1]["score"] for p in picks)
                # What the submission path keeps for item analysis, as it would have.
                kept = attempt_marks.summary([[graded[p][1]["score"], marks[p]]
                                              for p in picks])
                attempts.append(Attempt(learner=learner, item=item, exercise=item.exercise,
                                        variant=variants[item.pk], best_score=best,
                                        graded_count=SUBMISSIONS, solved=best >= 1.0,
                                        **kept))
                attempts[-1].picks = picks
        Attempt.objects.bulk_create(attempts, batch_size=2000)
        now = timezone.now()
        rows = []
        for attempt in attempts:
            for number, pick in enumerate(attempt.picks):
                answers, result = graded[pick]
                rows.append(Submission(
                    attempt=attempt, raw_answers=answers, result=result,
                    parsed={k: v.get("value") for k, v in result["nodes"].items()},
                    raw_score=result["score"], score=result["score"], marks=marks[pick],
                    created_at=now - timedelta(minutes=SUBMISSIONS - number)))
            if len(rows) >= 5000:
                Submission.objects.bulk_create(rows, batch_size=5000)
                rows = []
        Submission.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:  # changes spread over ten days
            cursor.execute(
                "UPDATE exercises_attempt SET updated_at = now() - random() * interval "
                "'10 days' WHERE item_id = ANY(%s)", [[item.pk for item in items]])
    return {"quiz": quiz, "instructor": instructor, "token": token, "items": items,
            "learners": learners}


def measure(fn, repeat: int = 3, before=None) -> tuple[float, int]:
    """Best time of `repeat` runs of fn and the queries of the last; `before` (not timed,
    its queries not counted) runs ahead of each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    best, queries = float("inf"), 0
    for _ in range(repeat):
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
        best, queries = min(best, elapsed), len(captured)
    return best, queries


def run_size(size: int) -> dict[str, tuple[float, int]]:
    from django.core.cache import cache
    from django.test import Client
    from django.utils import timezone

    from exercises import services
    from exercises.models import Attempt

    world = seed(size)
    quiz, token = world["quiz"], world["token"]
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    grades_url = f"/api/v1/quizzes/{quiz.pk}/grades/"

    def all_pages(**params):
        response = api.get(grades_url, {"page_size": 200, **params})
        seen = 0
        while True:
            assert response.status_code == 200, response.content[:300]
            body = response.json()
            seen += len(body["results"])
            if body["next"] is None:
                return seen
            response = api.get(body["next"])

    results = {"grades, all pages": measure(lambda: all_pages())}
    assert all_pages() == size
    since = timezone.now()
    changed = world["learners"][: max(1, size // 100)]
    Attempt.objects.filter(item=world["items"][0], learner__in=changed).update(
        updated_at=timezone.now())
    results["grades, updated_since 1 %"] = measure(
        lambda: all_pages(updated_since=since.isoformat()))
    assert all_pages(updated_since=since.isoformat()) == len(changed)
    admin = Client()
    admin.force_login(world["instructor"])
    page = f"/admin/exercises/quiz/{quiz.pk}/gradebook/"
    assert admin.get(page).status_code == 200  # the session, the admin's own first reads
    results["gradebook page, cold (cache cleared)"] = measure(
        lambda: admin.get(page), before=cache.clear)
    admin.get(page)
    results["gradebook page, warm (cached)"] = measure(lambda: admin.get(page))
    stats_url = f"/api/v1/quizzes/{quiz.pk}/statistics/"
    assert api.get(stats_url).status_code == 200
    results["item statistics, cold (cache cleared)"] = measure(
        lambda: api.get(stats_url), before=cache.clear)
    api.get(stats_url)
    results["item statistics, warm (cached)"] = measure(lambda: api.get(stats_url))
    exercise = world["items"][0].exercise
    results["regrade one exercise"] = measure(
        lambda: services.regrade_exercise(exercise, by=None, reason="bench"), repeat=1)
    return results


def report(sizes: list[int], found: dict[int, dict], seconds: float) -> str:
    lines = ["# Running a course at scale (`bench/course.py`)", "",
             f"Machine: {machine()}; load average after: {load_average()}.",
             f"Command: `.venv/bin/python -m bench course` ({seconds:.0f} s in all). "
             f"PostgreSQL on 127.0.0.1, a throwaway database; {ITEMS} items × "
             f"{SUBMISSIONS} graded submissions per learner; time is the best of 3 (the "
             "regrade: one run), queries counted with Django's CaptureQueriesContext. "
             "Cold: the cache cleared before each run (outside the timing); warm: read "
             "again from the cache. A goal is judged on the cold read.", "",
             "| measure | goal at 2,000 | " + " | ".join(f"{s:,} learners" for s in sizes)
             + " | verdict at 2,000 |", "|---|---|" + "---|" * len(sizes) + "---|"]
    for name, goal in GOALS.items():
        cells = [f"{found[s][name][0] * 1000:,.0f} ms, {found[s][name][1]} queries"
                 for s in sizes]
        lines.append(f"| {name} | {goal_text(goal)} | " + " | ".join(cells)
                     + f" | {verdict(goal, found.get(GOAL_SIZE, {}).get(name))} |")
    return "\n".join(lines) + "\n"


def goal_text(goal: float | None) -> str:
    return "(not judged)" if goal is None else f"< {goal * 1000:,.0f} ms"


def verdict(goal: float | None, measured: tuple[float, int] | None) -> str:
    """Met or missed at GOAL_SIZE learners; nothing for a row that is not judged or a run
    without that size."""
    if goal is None or measured is None:
        return ""
    return "met" if measured[0] < goal else "**missed**"


def main(quick: bool = False, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.course")
    parser.add_argument("--quick", action="store_true", help="60 and 600 learners only")
    parser.add_argument("--sizes", default="", help="class sizes, e.g. 60,600,2000")
    args = parser.parse_args(argv if argv is not None else [])
    sizes = ([int(s) for s in args.sizes.split(",")] if args.sizes
             else [60, 600] if quick or args.quick else [60, 600, 2000])
    start = time.perf_counter()
    with throwaway_database(prefix="bp_course") as url:
        setup_django(url)
        found = {}
        for size in sizes:
            found[size] = run_size(size)
            print(f"bench course: {size} learners: "
                  + "; ".join(f"{k} {v[0] * 1000:.0f} ms/{v[1]} q"
                              for k, v in found[size].items()), flush=True)
        from django.db import connections

        connections.close_all()
    text = report(sizes, found, time.perf_counter() - start)
    OUT.mkdir(exist_ok=True)
    (OUT / "course.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(argv=sys.argv[1:]))
