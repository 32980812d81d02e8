"""An LTI launch in a real browser: an LMS page (the platform emulator, another site) shows
the tool in an iframe. The tool's pages render there (frame-ancestors names the platform),
ordinary pages refuse to be framed, and — over plain HTTP the session cookie is SameSite=Lax,
which Chromium does not send inside a cross-site iframe, as when third-party cookies are
blocked — the launch goes on in a new window, signed in, on the linked quiz."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from lti13.platform import LEARNER, Platform
from lti_tool.models import LtiContext, LtiDeployment
from playwright.sync_api import expect
from quizbank.helpers import BRANCH_PROGRAM, make_user

from exercises import services
from exercises.models import Course, Quiz, QuizItem
from lti import registration
from lti.models import CourseLink

from .conftest import _open_page

pytestmark = pytest.mark.browser


@pytest.fixture
def lms(transactional_db):
    platform = Platform()
    made = registration.add_platform(**platform.urls, deployment_id=platform.deployment_id)
    instructor = make_user("ada", staff=True)
    course = Course.objects.create(title="Course A")
    course.instructors.add(instructor)
    exercise = services.create_exercise(title="x feeds two operations",
                                        program=BRANCH_PROGRAM, course=course)
    quiz = Quiz.objects.create(course=course, title="Branches in the LMS")
    QuizItem.objects.create(quiz=quiz, exercise=exercise, points=4)
    context = LtiContext.objects.create(
        deployment=LtiDeployment.objects.get(registration=made), id_on_platform="ctx-1")
    CourseLink.objects.create(context=context, course=course)
    platform.auth_claims = {"roles": LEARNER, "custom": {"quiz": str(quiz.pk)}}
    yield platform, quiz
    platform.close()


def test_a_launch_in_an_lms_iframe_goes_on_in_a_new_window(browser, live_server, lms):
    platform, quiz = lms
    context, page, problems = _open_page(browser, live_server)
    page.goto(f"{platform.issuer}/course?" + urlencode(
        {"login": f"{live_server.url}/lti/login/", "user": "learner-1"}))
    tool = page.frame_locator("iframe[name=tool]")
    link = tool.get_by_role("link", name="Open in a new window")
    expect(link).to_be_visible()  # our page, framed by the platform
    with page.expect_popup() as opened:
        link.click()
    window = opened.value
    window.wait_for_url(f"**/quizzes/{quiz.pk}/")
    expect(window.get_by_role("heading", name="Branches in the LMS")).to_be_visible()
    context.close()
    assert not problems, problems


def test_an_ordinary_page_refuses_the_lms_iframe(browser, live_server, lms):
    platform, _ = lms
    context, page, problems = _open_page(browser, live_server)
    page.goto(f"{platform.issuer}/frame?" + urlencode(
        {"url": f"{live_server.url}/accounts/login/"}))
    page.wait_for_timeout(1000)
    assert page.frame(name="tool").locator("input[name=username]").count() == 0
    context.close()
    assert any("frame-ancestors" in problem for problem in problems), problems
