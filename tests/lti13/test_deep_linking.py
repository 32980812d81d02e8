"""Deep Linking round trip and roster sync against the emulator."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from lti_tool.models import LtiContext, LtiUser

from exercises.models import Course, Quiz
from lti.models import CourseLink, QuizLink

from .conftest import launch
from .platform import INSTRUCTOR, LEARNER

pytestmark = pytest.mark.django_db

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def deep_link_launch(client, platform, sub="teacher-1"):
    response = launch(client, platform, sub=sub, roles=INSTRUCTOR,
                      message="LtiDeepLinkingRequest")
    assert response.status_code == 302, response.content
    return response["Location"]


def link_account(client, ticket_url):
    assert b"Link your account" in client.get(ticket_url).content
    linked = client.post(ticket_url, {"username": "ada", "password": "pw"})
    return client.get(linked["Location"])["Location"]


def test_deep_link_round_trip_then_learners_launch_into_the_course(
        registered, bank, client, platform):
    picker = link_account(client, deep_link_launch(client, platform))
    page = client.get(picker)
    assert page.status_code == 200 and b"Branches" in page.content
    assert f"frame-ancestors {platform.issuer}" in page["Content-Security-Policy"]
    response = client.post(picker, {"choice": f"quiz:{bank.quiz.pk}"})
    assert response.status_code == 200
    assert f"form-action 'self' {platform.issuer}" in response["Content-Security-Policy"]
    token = response.context["jwt"]
    assert response.context["return_url"] == f"{platform.issuer}/deep-link-return"
    claims = platform.decode_tool_jwt(token, audience=platform.issuer)
    assert claims["iss"] == platform.client_id
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == (
        "LtiDeepLinkingResponse")
    assert claims[DL + "data"] == "platform-data-42"
    [item] = claims[DL + "content_items"]
    assert item["type"] == "ltiResourceLink" and item["title"] == "Branches"
    assert item["url"] == "http://testserver/lti/launch/"
    assert item["custom"] == {"quiz": str(bank.quiz.pk)}
    assert item["lineItem"] == {"scoreMaximum": 4, "label": "Branches",
                                "resourceId": f"quiz-{bank.quiz.pk}", "tag": "backprop-course"}
    link = CourseLink.objects.get()
    assert link.course == bank.course and link.context.id_on_platform == "ctx-1"
    assert client.post(picker, {"choice": f"quiz:{bank.quiz.pk}"}).status_code == 400

    # The platform makes the resource link; a learner launches it.
    client.logout()
    launched = launch(client, platform, sub="learner-9", roles=LEARNER,
                      resource_link="rl-from-dl", custom=item["custom"],
                      lineitem=platform.lineitem("quiz-dl"))
    assert client.get(launched["Location"])["Location"] == f"/quizzes/{bank.quiz.pk}/"
    learner = LtiUser.objects.get(sub="learner-9").auth_user
    assert bank.course.learners.filter(pk=learner.pk).exists()
    assert QuizLink.objects.get().lineitem_url == platform.lineitem("quiz-dl")


def test_deep_link_to_one_item(registered, bank, client, platform):
    picker = link_account(client, deep_link_launch(client, platform))
    response = client.post(picker, {"choice": f"item:{bank.item.pk}"})
    [item] = platform.decode_tool_jwt(response.context["jwt"], platform.issuer)[
        DL + "content_items"]
    assert item["custom"] == {"quiz": str(bank.quiz.pk), "item": str(bank.item.pk)}
    assert item["lineItem"]["scoreMaximum"] == 4


def test_the_picker_offers_only_the_linked_course_and_refuses_others(
        registered, bank, client, platform):
    other = Course.objects.create(title="Course B")
    other.instructors.add(bank.instructor)
    elsewhere = Quiz.objects.create(course=other, title="Elsewhere")
    picker = link_account(client, deep_link_launch(client, platform))
    assert b"Elsewhere" in client.get(picker).content  # not linked yet: every course taught
    client.post(picker, {"choice": f"quiz:{bank.quiz.pk}"})
    second = client.get(deep_link_launch(client, platform))["Location"]
    page = client.get(second)
    assert b"Branches" in page.content and b"Elsewhere" not in page.content
    refused = client.post(second, {"choice": f"quiz:{elsewhere.pk}"})
    assert refused.status_code == 403


def test_a_quiz_without_points_cannot_be_linked(registered, bank, client, platform):
    empty = Quiz.objects.create(course=bank.course, title="Empty")
    picker = link_account(client, deep_link_launch(client, platform))
    response = client.post(picker, {"choice": f"quiz:{empty.pk}"})
    assert response.status_code == 400 and b"no points" in response.content


def test_a_learner_cannot_deep_link(registered, bank, client, platform):
    response = launch(client, platform, roles=LEARNER, message="LtiDeepLinkingRequest")
    assert response.status_code == 403


def test_the_picker_belongs_to_its_instructor(registered, bank, client, platform):
    from django.test import Client
    from quizbank.helpers import make_user
    picker = link_account(client, deep_link_launch(client, platform))
    intruder = Client()
    intruder.force_login(make_user("eve", staff=True))
    assert intruder.get(picker).status_code == 403
    assert Client().get(picker).status_code == 403


# -- roster ------------------------------------------------------------------------------
def test_roster_sync_enrols_the_contexts_members(registered, bank, client, platform):
    link_account(client, deep_link_launch(client, platform))  # makes the context, links ada
    context = LtiContext.objects.get()
    CourseLink.objects.create(context=context, course=bank.course)
    platform.members[:] = [
        {"user_id": "s-1", "roles": ["Learner"], "status": "Active", "name": "Sam"},
        {"user_id": "s-2", "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
         "status": "Active"},
        {"user_id": "s-3", "roles": ["Learner"], "status": "Inactive"},
        {"user_id": "teacher-1", "roles": ["Instructor"], "status": "Active"},
        {"user_id": "t-2", "roles": ["Instructor"], "status": "Active"},
    ]
    out = StringIO()
    call_command("lti_sync_roster", str(bank.course.pk), stdout=out)
    assert "2 learner(s) enrolled" in out.getvalue()
    enrolled = {u.lti_users.get().sub for u in bank.course.learners.all()}
    assert enrolled == {"s-1", "s-2"}
    assert not LtiUser.objects.get(sub="t-2").auth_user  # instructors link themselves
    assert platform.tokens[-1]["scope"].endswith("contextmembership.readonly")
    call_command("lti_sync_roster", str(bank.course.pk), stdout=out)
    assert "0 learner(s) enrolled" in out.getvalue()


def test_roster_sync_of_an_unlinked_course_says_so(bank):
    out = StringIO()
    call_command("lti_sync_roster", str(bank.course.pk), stdout=out)
    assert "linked to no LMS course" in out.getvalue()


def test_roster_sync_admin_action(registered, bank, client, platform):
    link_account(client, deep_link_launch(client, platform))
    CourseLink.objects.create(context=LtiContext.objects.get(), course=bank.course)
    platform.members[:] = [{"user_id": "s-1", "roles": ["Learner"], "status": "Active"}]
    client.force_login(bank.instructor)
    response = client.post("/admin/exercises/course/", {
        "action": "sync_roster", "_selected_action": [bank.course.pk]}, follow=True)
    assert b"1 learner(s) enrolled" in response.content
