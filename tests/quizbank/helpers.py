"""Programs, answers and small helpers shared by the quiz-bank tests."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from exercises import services
from exercises.demo import read

BRANCH_PROGRAM = read("refresher_3.txt")  # x = 5 feeds y = x + 2 and z = x * 3; L = y * z
BRANCH_ANSWERS = {"x": "36", "y": "15", "z": "7", "L": "1"}
MISSED_BRANCH = {"x": "15", "y": "15", "z": "7", "L": "1"}  # 3 of 4 right at x
RANDOM_PROGRAM = "a = randint(1, 1000)\nb = randint(1, 1000)\nc = a * b\nL = c + a\n"


def make_user(username: str, *, staff: bool = False, superuser: bool = False):
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(username=username, password="pw")
    return User.objects.create_user(username=username, password="pw", is_staff=staff)


def submit(learner, item, answers):
    attempt, _ = services.start_attempt(learner, item=item)
    return services.submit(attempt, answers)
