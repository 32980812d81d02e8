"""Login initiation and launch against the platform emulator: a learner lands on the linked
quiz, an instructor on the gradebook; forged, misaddressed, expired and replayed launches
are refused with a clear 4xx page."""

from __future__ import annotations

import time

import pytest
from jwcrypto.jwk import JWK
from lti_tool.models import LtiUser

from lti.models import CourseLink, LoginState
from lti.tool import LOGIN_STATE_LIFETIME

from .conftest import launch, start_login
from .platform import INSTRUCTOR, LEARNER

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(registered, bank, platform, client):
    """The LMS context linked to the course (what the first deep link does)."""
    from lti_tool.models import LtiContext, LtiDeployment
    deployment = LtiDeployment.objects.get(registration=registered)
    context = LtiContext.objects.create(deployment=deployment, id_on_platform="ctx-1")
    CourseLink.objects.create(context=context, course=bank.course)
    return bank


def quiz_claims(bank, platform, **extra):
    return {"custom": {"quiz": str(bank.quiz.pk)},
            "lineitem": platform.lineitem("quiz"), **extra}


def test_login_initiation_redirects_to_the_platform_with_state_and_nonce(registered, client,
                                                                         platform):
    auth = start_login(client, platform)
    assert auth["client_id"] == platform.client_id
    assert auth["redirect_uri"] == "http://testserver/lti/launch/"
    assert auth["response_type"] == "id_token" and auth["prompt"] == "none"
    assert LoginState.objects.filter(state=auth["state"], nonce=auth["nonce"]).exists()


def test_login_initiation_by_get_too(registered, client, platform):
    response = client.get("/lti/login/", {"iss": platform.issuer, "login_hint": "h",
                                          "client_id": platform.client_id,
                                          "target_link_uri": "http://testserver/lti/launch/"})
    assert response.status_code == 302
    assert response["Location"].startswith(platform.urls["auth_url"])


def test_login_from_an_unregistered_platform_is_a_clear_400(db, client, platform):
    response = client.post("/lti/login/", {"iss": "https://unknown.example", "login_hint": "h",
                                           "target_link_uri": "http://testserver/lti/launch/"})
    assert response.status_code == 400
    assert b"not come from a platform registered" in response.content


def test_learner_lands_on_the_linked_quiz_with_an_account_by_issuer_and_sub(linked, client,
                                                                            platform):
    response = launch(client, platform, sub="learner-1", roles=LEARNER,
                      **quiz_claims(linked, platform))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 302
    assert page["Location"] == f"/quizzes/{linked.quiz.pk}/"
    user = LtiUser.objects.get(sub="learner-1").auth_user
    assert user is not None and user.username.startswith("lti-")
    assert linked.course.learners.filter(pk=user.pk).exists()
    assert client.get(page["Location"]).status_code == 200


def test_the_same_email_from_another_sub_is_another_account(linked, client, platform):
    launch(client, platform, sub="learner-1", roles=LEARNER, **quiz_claims(linked, platform))
    client.logout()
    launch(client, platform, sub="learner-2", roles=LEARNER, **quiz_claims(linked, platform))
    first, second = (LtiUser.objects.get(sub=s).auth_user for s in ("learner-1", "learner-2"))
    assert first != second


def test_an_item_link_lands_on_the_item(linked, client, platform):
    response = launch(client, platform, roles=LEARNER, custom={
        "quiz": str(linked.quiz.pk), "item": str(linked.item.pk)})
    assert client.get(response["Location"])["Location"] == (
        f"/quizzes/{linked.quiz.pk}/items/{linked.item.pk}/")


def test_instructor_signs_in_once_to_link_then_lands_on_the_gradebook(linked, client,
                                                                        platform):
    response = launch(client, platform, sub="teacher-1", roles=INSTRUCTOR,
                      **quiz_claims(linked, platform))
    ticket_url = response["Location"]
    page = client.get(ticket_url)
    assert b"Link your account" in page.content
    wrong = client.post(ticket_url, {"username": "ada", "password": "nope"})
    assert wrong.status_code == 400
    linked_now = client.post(ticket_url, {"username": "ada", "password": "pw"})
    assert client.get(linked_now["Location"])["Location"] == (
        f"/admin/exercises/quiz/{linked.quiz.pk}/gradebook/")
    assert LtiUser.objects.get(sub="teacher-1").auth_user == linked.instructor
    client.logout()
    again = launch(client, platform, sub="teacher-1", roles=INSTRUCTOR,
                   **quiz_claims(linked, platform))
    target = client.get(again["Location"])["Location"]
    assert target == f"/admin/exercises/quiz/{linked.quiz.pk}/gradebook/"
    assert client.get(target).status_code == 200


def test_an_instructor_without_a_staff_account_is_told_so(linked, client, platform):
    linked.instructor.is_staff = False
    linked.instructor.save()
    response = launch(client, platform, sub="teacher-1", roles=INSTRUCTOR,
                      **quiz_claims(linked, platform))
    page = client.post(response["Location"], {"username": "ada", "password": "pw"})
    refused = client.get(page["Location"])
    assert refused.status_code == 403 and b"staff account" in refused.content


def test_a_quiz_of_another_course_is_refused(linked, client, platform):
    from exercises.models import Course, Quiz
    other = Quiz.objects.create(course=Course.objects.create(title="B"), title="Secret")
    response = launch(client, platform, roles=LEARNER, custom={"quiz": str(other.pk)})
    assert response.status_code == 404
    assert b"does not open a quiz of the course linked" in response.content


def test_an_unlinked_context_says_what_to_do(registered, bank, client, platform):
    response = launch(client, platform, roles=LEARNER, custom={"quiz": str(bank.quiz.pk)})
    assert response.status_code == 404
    assert b"not linked to a course here yet" in response.content


# -- refusals --------------------------------------------------------------------------------
def test_forged_signature_is_refused(linked, client, platform):
    auth = start_login(client, platform)
    forger = JWK.generate(kty="RSA", size=2048)
    token = platform.sign(platform.claims(auth["nonce"], sub="x", roles=LEARNER,
                                          **quiz_claims(linked, platform)), key=forger)
    response = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert response.status_code == 403
    assert b"could not be verified" in response.content
    assert not LtiUser.objects.filter(sub="x").exists()


def test_wrong_audience_is_refused(linked, client, platform):
    response = launch(client, platform, sub="x", roles=LEARNER, aud="another-tool",
                      **quiz_claims(linked, platform))
    assert response.status_code == 403
    assert b"could not be verified" in response.content


def test_a_second_audience_without_azp_is_refused(linked, client, platform):
    response = launch(client, platform, sub="x", roles=LEARNER,
                      aud=[platform.client_id, "another-tool"], **quiz_claims(linked, platform))
    assert response.status_code == 403


def test_expired_token_is_refused(linked, client, platform):
    past = int(time.time()) - 3600
    response = launch(client, platform, sub="x", roles=LEARNER, iat=past - 60, exp=past,
                      **quiz_claims(linked, platform))
    assert response.status_code == 403
    assert b"expire" in response.content.lower()


def test_replayed_launch_is_refused(linked, client, platform):
    auth = start_login(client, platform)
    token = platform.sign(platform.claims(auth["nonce"], sub="learner-1", roles=LEARNER,
                                          **quiz_claims(linked, platform)))
    first = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert first.status_code == 302
    again = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert again.status_code == 403
    assert b"already used" in again.content


def test_an_old_nonce_under_a_new_state_is_refused(linked, client, platform):
    old = start_login(client, platform)
    token = platform.sign(platform.claims(old["nonce"], sub="learner-1", roles=LEARNER,
                                          **quiz_claims(linked, platform)))
    assert client.post("/lti/launch/", {"id_token": token, "state": old["state"]}
                       ).status_code == 302
    new = start_login(client, platform)
    response = client.post("/lti/launch/", {"id_token": token, "state": new["state"]})
    assert response.status_code == 403
    assert b"nonce" in response.content


def test_a_state_from_nowhere_or_too_old_is_refused(linked, client, platform):
    auth = start_login(client, platform)
    token = platform.sign(platform.claims(auth["nonce"], sub="x", roles=LEARNER))
    assert client.post("/lti/launch/", {"id_token": token, "state": "state-made-up"}
                       ).status_code == 400
    LoginState.objects.update(created_at=LoginState.objects.get().created_at
                              - LOGIN_STATE_LIFETIME)
    response = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert response.status_code == 400
    assert b"expired" in response.content


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "e30.e30.sig"])
def test_garbage_id_tokens_are_4xx_never_500(linked, client, platform, token):
    auth = start_login(client, platform)
    response = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]})
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("claims", [
    {"https://purl.imsglobal.org/spec/lti/claim/tool_platform": {"name": "no guid"}},
    {"https://purl.imsglobal.org/spec/lti/claim/context": "not an object"},
    {"https://purl.imsglobal.org/spec/lti/claim/custom": ["not", "an", "object"]},
], ids=["platform without guid", "context a string", "custom a list"])
def test_signed_but_malformed_claims_are_a_clear_400(linked, client, platform, claims):
    response = launch(client, platform, roles=LEARNER, **quiz_claims(linked, platform),
                      **claims)
    assert response.status_code == 400
    assert b"not what LTI 1.3 describes" in response.content


def test_an_over_long_claim_is_never_a_500(linked, client, platform):
    from django.db import connection
    context = {"id": "ctx-1", "label": "L" * 300}  # django-lti keeps 255 characters
    response = launch(client, platform, roles=LEARNER, **quiz_claims(linked, platform),
                      **{"https://purl.imsglobal.org/spec/lti/claim/context": context})
    # SQLite stores it whole; PostgreSQL refuses it, and so do we, with a page.
    assert response.status_code == (400 if connection.vendor == "postgresql" else 302)


def test_launch_without_a_post_body_is_4xx(db, client):
    assert client.post("/lti/launch/").status_code == 400
    assert client.get("/lti/launch/").status_code == 405


def test_an_inactive_deployment_is_refused_with_what_to_do(registered, bank, client,
                                                            platform):
    response = launch(client, platform, roles=LEARNER, **{
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "unknown-deployment"})
    assert response.status_code == 403
    assert b"not activated here" in response.content
