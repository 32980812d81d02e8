"""The LTI pages of the admin open, and keep to the courses an instructor teaches."""

from __future__ import annotations

import pytest
from quizbank.helpers import make_user

from lti.models import GradePolicy

pytestmark = pytest.mark.django_db


def test_registration_and_key_pages_open_for_a_superuser(registered, client):
    client.force_login(make_user("root", superuser=True))
    for url in ("/admin/lti_tool/ltiregistration/", "/admin/lti_tool/ltiregistration/add/",
                f"/admin/lti_tool/ltiregistration/{registered.pk}/change/",
                "/admin/lti_tool/key/", "/admin/lti/courselink/", "/admin/lti/quizlink/",
                "/admin/lti/scoresend/"):
        assert client.get(url).status_code == 200, url


def test_the_registration_page_shows_the_urls_to_paste(registered, client, settings):
    settings.LTI_TOOL_URL = "https://tool.example"
    client.force_login(make_user("root", superuser=True))
    page = client.get(f"/admin/lti_tool/ltiregistration/{registered.pk}/change/")
    assert b"https://tool.example/lti/login/" in page.content
    assert b"https://tool.example/lti/jwks/" in page.content


def test_key_rotation_action(registered, client):
    from lti_tool.models import Key
    client.force_login(make_user("root", superuser=True))
    key = Key.objects.get()
    client.post("/admin/lti_tool/key/", {"action": "rotate", "_selected_action": [key.pk]})
    assert Key.objects.active().count() == 2


def test_an_instructor_sets_the_grade_policy_of_their_quiz_only(bank, client):
    from exercises.models import Course, Quiz
    other = Quiz.objects.create(course=Course.objects.create(title="B"), title="Not mine")
    client.force_login(bank.instructor)
    page = client.get("/admin/lti/gradepolicy/add/")
    assert b"Branches" in page.content and b"Not mine" not in page.content
    refused = client.post("/admin/lti/gradepolicy/add/", {"quiz": other.pk, "send": "after_due"})
    assert refused.status_code == 200 and not GradePolicy.objects.exists()
    response = client.post("/admin/lti/gradepolicy/add/",
                           {"quiz": bank.quiz.pk, "send": "after_due"})
    assert response.status_code == 302
    assert GradePolicy.objects.get(quiz=bank.quiz).send == "after_due"


def test_an_instructor_sees_only_their_courses_scores(bank, client):
    client.force_login(make_user("eve", staff=True))
    assert client.get("/admin/lti/scoresend/").status_code == 200
    assert client.get("/admin/lti_tool/key/").status_code == 403
