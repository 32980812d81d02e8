"""Registering platforms (command, Dynamic Registration), the tool's keys and JWKS, and the
iframe rules: launch pages framed by their platform only, ordinary pages never."""

from __future__ import annotations

from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lti_tool.models import Key, LtiDeployment, LtiRegistration

from lti import registration

from .conftest import launch
from .platform import LEARNER
from .test_launch import linked, quiz_claims  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_lti_add_platform_registers_and_prints_the_urls_to_paste(db, platform):
    out = StringIO()
    call_command("lti_add_platform", "--issuer", platform.issuer, "--client-id", "abc",
                 "--auth-url", platform.urls["auth_url"], "--token-url",
                 platform.urls["token_url"], "--jwks-url", platform.urls["jwks_url"],
                 "--deployment-id", "d-9", "--tool-url", "https://tool.example", stdout=out)
    made = LtiRegistration.objects.get(issuer=platform.issuer, client_id="abc")
    assert made.keyset_url == platform.urls["jwks_url"]
    assert LtiDeployment.objects.get(registration=made, deployment_id="d-9").is_active
    text = out.getvalue()
    for url in ("https://tool.example/lti/login/", "https://tool.example/lti/launch/",
                "https://tool.example/lti/jwks/"):
        assert url in text
    assert Key.objects.active().exists()


def test_lti_add_platform_refuses_missing_or_bad_values(db):
    with pytest.raises(CommandError, match="--client-id"):
        call_command("lti_add_platform", "--issuer", "https://lms.example")
    with pytest.raises(CommandError, match="not a URL"):
        call_command("lti_add_platform", "--issuer", "i", "--client-id", "c", "--auth-url",
                     "nope", "--token-url", "https://a/t", "--jwks-url", "https://a/j")


def test_jwks_publishes_the_active_keys_and_rotation_keeps_the_old_one_a_while(db, client):
    first = client.get("/lti/jwks/").json()["keys"]
    assert len(first) == 1 and first[0]["kty"] == "RSA" and first[0]["alg"] == "RS256"
    assert "d" not in first[0]  # public only
    call_command("rotate_keys", stdout=StringIO())
    keys = client.get("/lti/jwks/").json()["keys"]
    assert {k["kid"] for k in keys} > {first[0]["kid"]} and len(keys) == 2
    call_command("rotate_keys", "--deactivate-after", "0", stdout=StringIO())
    assert len(client.get("/lti/jwks/").json()["keys"]) == 1


def test_dynamic_registration_registers_with_the_platform(db, client, platform):
    url = registration.dynamic_registration_url("http://testserver")
    response = client.get(url + "&" + urlencode({
        "openid_configuration": f"{platform.issuer}/.well-known/openid-configuration",
        "registration_token": "reg-token-1"}))
    assert response.status_code == 200, response.content
    made = LtiRegistration.objects.get(issuer=platform.issuer, client_id="dyn-client-7")
    assert made.auth_url == platform.urls["auth_url"]
    assert LtiDeployment.objects.get(registration=made,
                                     deployment_id="dyn-deployment-1").is_active
    sent = platform.registrations[-1]
    assert sent["initiate_login_uri"] == "http://testserver/lti/login/"
    assert sent["jwks_uri"] == "http://testserver/lti/jwks/"
    assert sent["redirect_uris"] == ["http://testserver/lti/launch/"]
    assert "frame-ancestors " + platform.issuer in response["Content-Security-Policy"]


def test_dynamic_registration_needs_an_administrators_link(db, client, platform):
    response = client.get("/lti/register/?" + urlencode({
        "key": "forged", "registration_token": "reg-token-1",
        "openid_configuration": f"{platform.issuer}/.well-known/openid-configuration"}))
    assert response.status_code == 403
    assert not LtiRegistration.objects.exists()


def test_dynamic_registration_with_a_refused_token_is_a_clear_502(db, client, platform):
    url = registration.dynamic_registration_url("http://testserver")
    response = client.get(url + "&" + urlencode({
        "openid_configuration": f"{platform.issuer}/.well-known/openid-configuration",
        "registration_token": "wrong"}))
    assert response.status_code == 502
    assert b"refused the registration" in response.content


# -- iframes -------------------------------------------------------------------------------
def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(p for p in policy.split(";") if "frame-ancestors" in p).strip()


def test_launch_pages_may_be_framed_by_the_platform_only(linked, client, platform):  # noqa: F811
    response = launch(client, platform, roles=LEARNER, **quiz_claims(linked, platform))
    assert frame_ancestors(response) == f"frame-ancestors {platform.issuer}"
    assert "X-Frame-Options" not in response
    quiz_page = client.get(f"/quizzes/{linked.quiz.pk}/")
    assert frame_ancestors(quiz_page) == f"frame-ancestors {platform.issuer}"
    item_page = client.get(f"/quizzes/{linked.quiz.pk}/items/{linked.item.pk}/")
    assert frame_ancestors(item_page) == f"frame-ancestors {platform.issuer}"
    assert "X-Frame-Options" not in item_page
    dashboard = client.get("/")  # not a page a launch leads to
    assert frame_ancestors(dashboard) == "frame-ancestors 'none'"
    assert dashboard["X-Frame-Options"] == "DENY"


def test_the_lms_page_named_by_the_signed_launch_may_frame_it(linked, client, platform):  # noqa: F811
    presentation = {"return_url": "https://school.example.edu/courses/1/return"}
    response = launch(client, platform, roles=LEARNER, **quiz_claims(linked, platform), **{
        "https://purl.imsglobal.org/spec/lti/claim/launch_presentation": presentation})
    assert frame_ancestors(response) == (
        f"frame-ancestors {platform.issuer} https://school.example.edu")
    quiz_page = client.get(f"/quizzes/{linked.quiz.pk}/")
    assert "https://school.example.edu" in frame_ancestors(quiz_page)


def test_an_ordinary_session_is_never_framed(bank, client):
    client.force_login(bank.course.learners.create(username="plain"))
    page = client.get(f"/quizzes/{bank.quiz.pk}/")
    assert frame_ancestors(page) == "frame-ancestors 'none'"
    assert page["X-Frame-Options"] == "DENY"


def test_over_https_a_launch_session_cookie_is_samesite_none_and_secure(
        linked, client, platform, settings):  # noqa: F811
    from .conftest import start_login
    auth = start_login(client, platform)
    token = platform.sign(platform.claims(auth["nonce"], sub="s", roles=LEARNER,
                                          **quiz_claims(linked, platform)))
    response = client.post("/lti/launch/", {"id_token": token, "state": auth["state"]},
                           secure=True)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["samesite"] == "None" and cookie["secure"]
    client.logout()
    client.force_login(linked.instructor)
    plain = client.get("/", secure=True)
    assert settings.SESSION_COOKIE_NAME not in plain.cookies or (
        plain.cookies[settings.SESSION_COOKIE_NAME]["samesite"] != "None")


def test_a_blocked_cookie_goes_on_in_a_new_window_once(linked, client, platform):  # noqa: F811
    from django.test import Client
    response = launch(client, platform, roles=LEARNER, **quiz_claims(linked, platform))
    ticket = response["Location"]
    iframe = Client()  # the browser dropped the session cookie set in the iframe
    page = iframe.get(ticket)
    assert b"Open in a new window" in page.content
    window = Client()
    opened = window.get(ticket + "?window=new")
    assert opened["Location"] == f"/quizzes/{linked.quiz.pk}/"
    assert window.get(opened["Location"]).status_code == 200
    assert Client().get(ticket + "?window=new").status_code == 403  # used once
