"""`manage.py load_demo`: the demo course with its two quizzes, safe to run twice."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management import call_command

from exercises.demo import SEED_EXAMPLES
from exercises.demo.kinds import QUIZ_TITLE as KINDS_QUIZ
from exercises.models import Course, Exercise, Quiz, QuizItem, Variant


def counts():
    return (Course.objects.count(), Quiz.objects.count(), QuizItem.objects.count(),
            Exercise.objects.count(), Variant.objects.count(),
            get_user_model().objects.count())


def test_load_demo_is_idempotent(db, capsys):
    call_command("load_demo", "--learner-password", "pw", "--instructor-password", "pw")
    first = counts()
    assert first[:4] == (1, 3, len(SEED_EXAMPLES) + 8, len(SEED_EXAMPLES) + 8)
    titles = set(Quiz.objects.values_list("title", flat=True))
    assert titles == {"The course notes, worked through", "Practice at every difficulty",
                      KINDS_QUIZ}
    call_command("load_demo", "--learner-password", "pw2", "--instructor-password", "pw2")
    assert counts() == first
    User = get_user_model()
    instructor = User.objects.get(username="instructor")
    assert instructor.is_staff and instructor.check_password("pw2")
    assert not User.objects.get(username="learner").is_staff
    course = Course.objects.get()
    assert course.instructors.filter(pk=instructor.pk).exists()
    assert "learner" in capsys.readouterr().out


def test_the_demo_instructor_can_use_the_admin(db, client):
    call_command("load_demo", "--learner-password", "pw", "--instructor-password", "pw")
    assert client.login(username="instructor", password="pw")
    page = client.get("/admin/exercises/exercise/").content.decode()
    assert "Refresher, Example 1" in page
    quiz = Quiz.objects.get(title="The course notes, worked through")
    assert client.get(f"/admin/exercises/quiz/{quiz.pk}/gradebook/").status_code == 200
    assert client.login(username="learner", password="pw")
    assert client.get("/admin/").status_code == 302


def test_the_demo_asks_the_notes_chain_update_and_nudge(db):
    call_command("load_demo", "--learner-password", "pw", "--instructor-password", "pw")
    local, update, nudge = (item.exercise for item in
                            Quiz.objects.get(title=KINDS_QUIZ).items.order_by("position"))
    chain = local.asked_nodes
    assert local.ask == "local" and chain[0].startswith("L/") and chain[-1].endswith("/w1")
    assert [key.split("/")[1] for key in chain[:-1]] == [key.split("/")[0] for key in chain[1:]]
    step = update.variants.get().graph["update"]
    assert step["learning_rate_exact"] == "1/2" and step["parameters"] == ["w1", "b1", "w2", "b2"]
    nudged = nudge.variants.get().graph["nudge"]
    assert (nudged["nudged_exact"], nudged["slope_exact"]) == ("7003/1000", "3")
